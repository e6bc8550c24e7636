//! Use cases: the only place business rules live. REST handlers, server functions and the command
//! line call these and nothing below them. Every use case takes the [`Core`] it needs and, for
//! tenant data, the caller's [`RequestContext`](crate::domain::RequestContext); inputs arrive as
//! domain types, never as JSON or query-string names.

pub mod accounts;
pub mod activity;
pub mod core;
pub mod customers;
pub mod demo;
pub mod error;
pub mod export;
pub mod health;
pub mod housekeeping;
pub mod idempotency;
pub mod import;
pub mod import_jobs;
pub mod loyalty;
pub mod merges;
pub mod orders;
mod paged;
pub mod privacy;
pub mod sign_in;

pub use self::core::{Clock, Core};
pub use error::{ServiceError, ServiceResult, UNAVAILABLE_RETRY_AFTER, UNAVAILABLE_SENTENCE};
pub use paged::{paged, Paged};
