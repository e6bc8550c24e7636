//! Server functions for the UI: each one gets the caller from the session and calls one service.

pub mod customers;
pub mod import;
pub mod loyalty;
pub mod merges;
pub mod orders;
pub mod session;
pub mod team;
