//! Use cases: the only place business rules live. REST handlers, server functions and the command
//! line call these and nothing below them.

pub mod accounts;
pub mod demo;
pub mod error;

pub use error::{FieldErrors, ServiceError, ServiceResult};
