//! One module per page.

pub mod account;
pub mod activity;
pub mod customers;
pub mod login;
pub mod loyalty;
pub mod not_found;
pub mod team;
