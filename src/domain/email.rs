//! Email addresses, checked once where they enter the system.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest email address we accept (RFC 5321's path limit, as Django's EmailField).
pub const EMAIL_MAX_LEN: usize = 254;

/// A syntactically valid email address, trimmed, at most 254 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why a string is not an email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was given.
    #[error("This field may not be blank.")]
    Blank,
    /// Longer than 254 characters.
    #[error("Ensure this field has no more than 254 characters.")]
    TooLong,
    /// Not of the form local@domain.tld.
    #[error("Enter a valid email address.")]
    Invalid,
}

impl Email {
    /// Parses and trims an email address.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(EmailError::Blank);
        }
        if value.chars().count() > EMAIL_MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = value.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let local_ok = !local.is_empty()
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
        if local_ok && domain_ok {
            Ok(Email(value.to_owned()))
        } else {
            Err(EmailError::Invalid)
        }
    }

    /// The address as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key that makes two addresses the same regardless of case.
    pub fn key(&self) -> String {
        email_key(&self.0)
    }
}

/// The case-insensitive lookup key of an email address (also for raw sign-in input).
pub fn email_key(raw: &str) -> String {
    raw.trim().to_lowercase()
}

impl TryFrom<String> for Email {
    type Error = EmailError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_are_accepted_and_trimmed() {
        assert_eq!(Email::parse(" jane@example.com ").map(String::from), Ok("jane@example.com".into()));
        assert!(Email::parse("a.b+tag@mail.example.co.id").is_ok());
        assert!(Email::parse("émile@exemple.fr").is_ok());
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for bad in
            ["test@", "@example.com", "plain", "a@b", "a@@b.com", "a..b@x.com", "a@-x.com", "a b@x.com", "a@x.123"]
        {
            assert_eq!(Email::parse(bad), Err(EmailError::Invalid), "{bad}");
        }
        assert_eq!(Email::parse("   "), Err(EmailError::Blank));
    }

    #[test]
    fn a_local_part_longer_than_64_characters_is_taken_as_django_takes_it() {
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_ok());
    }

    #[test]
    fn addresses_longer_than_254_characters_are_rejected() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn keys_ignore_case() {
        let email = Email::parse("Jane.Doe@Example.COM").map(|e| e.key());
        assert_eq!(email, Ok("jane.doe@example.com".into()));
    }
}
