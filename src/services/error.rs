//! The one error type of the service layer, mapped once to HTTP (`api::error`) and once to the
//! page (`server_fns`). Internal failures keep their cause chain for the log.

use crate::auth::password::HashError;
use crate::domain::customer_query::InvalidPage;
use crate::domain::{FieldErrors, InvalidInput};
use crate::storage::StorageError;

/// Seconds a caller waits before trying again while the database is out of reach.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 5;

pub use crate::domain::UNAVAILABLE_SENTENCE;

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Input fields are invalid; nothing was written.
    #[error("invalid input: {0:?}")]
    Validation(FieldErrors),
    /// A request-level problem with a fixed message (`{"error": "…"}` in the API).
    #[error("{0}")]
    BadRequest(&'static str),
    /// The body is not the JSON the endpoint expects.
    #[error("{0}")]
    Malformed(String),
    /// The request is larger than the use case takes (a file of too many bytes or rows).
    #[error("{0}")]
    TooLarge(String),
    /// A page number past the end or not a number.
    #[error("invalid page")]
    InvalidPage,
    /// The request conflicts with one still running.
    #[error("{0}")]
    Conflict(&'static str),
    /// A field's value is taken by another record (an order's reference); nothing was written.
    #[error("taken: {0:?}")]
    FieldConflict(FieldErrors),
    /// The request cannot be processed as sent.
    #[error("{0}")]
    Unprocessable(&'static str),
    /// The record does not exist in the caller's tenant.
    #[error("not found")]
    NotFound,
    /// The caller's role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// Wrong email or password, or an inactive account (never says which).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failed sign-ins for this email or from this address recently.
    #[error("too many attempts")]
    TooManyAttempts {
        /// Seconds until the window that refused it ends.
        retry_after: u64,
    },
    /// Every password-hashing slot is taken; the request can be retried in a moment.
    #[error("busy")]
    Busy,
    /// The caller's own password is not the one given.
    #[error("wrong current password")]
    WrongPassword,
    /// A token that is malformed, forged, expired or revoked.
    #[error("invalid token")]
    InvalidToken,
    /// A name that must be unique is taken.
    #[error("{0}")]
    Duplicate(String),
    /// The database failed.
    #[error("storage failed")]
    Storage(#[from] StorageError),
    /// Hashing a password failed.
    #[error("password hashing failed")]
    Hashing(#[from] HashError),
}

impl ServiceError {
    /// Whether the failure is ours, not the caller's (logged, never shown).
    pub fn is_internal(&self) -> bool {
        matches!(self, ServiceError::Storage(_) | ServiceError::Hashing(_))
    }

    /// Whether the database is out of reach for now: the caller gets 503 and tries again.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, ServiceError::Storage(StorageError::Unavailable(_)))
    }

    /// How many seconds the caller should wait before retrying, for a refusal that passes.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            ServiceError::TooManyAttempts { retry_after } => Some(*retry_after),
            ServiceError::Busy => Some(1),
            unavailable if unavailable.is_unavailable() => Some(UNAVAILABLE_RETRY_AFTER),
            _ => None,
        }
    }

    /// The error and its causes, outermost first, for the log.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(err) = cause {
            text.push_str(": ");
            text.push_str(&err.to_string());
            cause = err.source();
        }
        text
    }
}

impl From<InvalidInput> for ServiceError {
    fn from(err: InvalidInput) -> Self {
        match err {
            InvalidInput::Fields(fields) => ServiceError::Validation(fields),
            InvalidInput::Request(message) => ServiceError::BadRequest(message),
            InvalidInput::Malformed(message) => ServiceError::Malformed(message),
        }
    }
}

impl From<FieldErrors> for ServiceError {
    fn from(errors: FieldErrors) -> Self {
        ServiceError::Validation(errors)
    }
}

impl From<InvalidPage> for ServiceError {
    fn from(_: InvalidPage) -> Self {
        ServiceError::InvalidPage
    }
}

/// The result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_keeps_its_cause_for_the_log() {
        let err = ServiceError::from(StorageError::from(sqlx::Error::PoolTimedOut));
        assert!(err.is_internal());
        assert!(err.chain().starts_with("storage failed: database unavailable: "), "{}", err.chain());
    }

    #[test]
    fn a_database_out_of_reach_is_a_refusal_that_passes() {
        let err = ServiceError::from(StorageError::from(sqlx::Error::PoolTimedOut));
        assert!(err.is_unavailable());
        assert_eq!(err.retry_after(), Some(UNAVAILABLE_RETRY_AFTER));
        let failed = ServiceError::from(StorageError::from(sqlx::Error::RowNotFound));
        assert!(!failed.is_unavailable());
        assert_eq!(failed.retry_after(), None);
    }
}
