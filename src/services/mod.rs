//! Use cases: the only place business rules live. REST handlers, server functions and the command
//! line call these and nothing below them.

pub mod accounts;
pub mod customers;
pub mod demo;
pub mod error;
pub mod idempotency;

pub use error::{FieldErrors, ServiceError, ServiceResult};
