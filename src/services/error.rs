//! The one error type of the service layer, mapped once to HTTP (`api::error`) and to the UI.

use crate::storage::StorageError;
use std::collections::BTreeMap;

/// Per-field validation messages, in DRF's shape: `{"field": ["message", …]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

impl FieldErrors {
    /// Adds a message to a field.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_default().push(message.into());
    }

    /// Whether no field has a message.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when empty, else the errors as a [`ServiceError::Validation`].
    pub fn into_result(self) -> ServiceResult<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Validation(self))
        }
    }

    /// One field's errors.
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors
    }
}

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Input fields are invalid; nothing was written.
    #[error("invalid input: {0:?}")]
    Validation(FieldErrors),
    /// A request-level problem with a fixed message (`{"error": "…"}` in the API).
    #[error("{0}")]
    BadRequest(&'static str),
    /// A page number past the end or not a number.
    #[error("invalid page")]
    InvalidPage,
    /// The request conflicts with one still running.
    #[error("{0}")]
    Conflict(&'static str),
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
    /// Too many failed sign-ins for this email recently.
    #[error("too many attempts")]
    TooManyAttempts,
    /// A token that is malformed, forged, expired or revoked.
    #[error("invalid token")]
    InvalidToken,
    /// A name that must be unique is taken.
    #[error("{0}")]
    Duplicate(String),
    /// Something that is not the caller's fault.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StorageError> for ServiceError {
    fn from(err: StorageError) -> Self {
        ServiceError::Internal(err.to_string())
    }
}

/// The result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;
