//! How a refused input is described: per-field messages in DRF's shape, or one message for the
//! whole request. Both edges (REST and the page's server functions) produce these while parsing;
//! the services decide which refusal wins (an unknown record or a missing right comes first).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Per-field validation messages, in DRF's shape: `{"field": ["message", …]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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

    /// One field's errors.
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors
    }

    /// The value of a field check, or `None` with its message recorded under `field`.
    pub fn check<T>(&mut self, field: &str, checked: Result<T, String>) -> Option<T> {
        checked.map_err(|message| self.add(field, message)).ok()
    }

    /// `value`, or "This field is required." recorded under `field` when it is missing and the
    /// field has no message yet.
    pub fn require<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() && !self.0.contains_key(field) {
            self.add(field, super::customer_input::REQUIRED);
        }
        value
    }

    /// Adds every message of `other`.
    pub fn merge(&mut self, other: FieldErrors) {
        for (field, messages) in other.0 {
            self.0.entry(field).or_default().extend(messages);
        }
    }

    /// `Ok(value)` when no field has a message, else the messages.
    pub fn or<T>(self, value: T) -> Result<T, Self> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// Why an input was refused before anything was read or written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidInput {
    /// Some fields are invalid.
    #[error("invalid fields: {0:?}")]
    Fields(FieldErrors),
    /// The request as a whole is invalid, with a fixed message (`{"error": "…"}` in the API).
    #[error("{0}")]
    Request(&'static str),
    /// The body is not the JSON the endpoint expects (`{"detail": "JSON parse error - …"}`).
    #[error("{0}")]
    Malformed(String),
}

impl From<FieldErrors> for InvalidInput {
    fn from(errors: FieldErrors) -> Self {
        InvalidInput::Fields(errors)
    }
}

/// An input as an edge parsed it. The services take it unopened, so that the order of refusals
/// is theirs to decide: an unknown record and a missing right come before invalid input, so that
/// nothing is learnt about other tenants' records by sending bad input.
pub type Input<T> = Result<T, InvalidInput>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_record_their_message_under_the_field() {
        let mut errors = FieldErrors::default();
        assert_eq!(errors.check("name", Ok::<_, String>(3)), Some(3));
        assert_eq!(errors.check::<i32>("name", Err("bad".into())), None);
        assert_eq!(errors.or(()), Err(FieldErrors::single("name", "bad")));
    }
}
