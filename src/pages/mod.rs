//! One module per page.
//!
//! On the server no page waits on a resource: a page rendered only by the server awaits its
//! data in its one `Suspend`, and the customers page's island takes the list read before the
//! page (`web::page_preload`). A `Suspense` waiting on a resource loaded by another task now and
//! then never finished: about one run in 90 of the page tests (`bench/RESULTS.md`, part
//! seventeen).

pub mod account;
pub mod activity;
pub mod customers;
pub mod login;
pub mod loyalty;
pub mod not_found;
pub mod team;
