//! One module per page.

pub mod customers;
pub mod login;
pub mod loyalty;
pub mod not_found;
