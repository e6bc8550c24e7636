//! Marketing consent: the channels a customer may be contacted on, and where a change came from.

use serde::{Deserialize, Serialize};

/// A marketing channel a customer consents to (or not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentChannel {
    /// Marketing by email (`marketing_email`).
    Email,
    /// Marketing by text message (`marketing_sms`).
    Sms,
}

impl ConsentChannel {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentChannel::Email => "email",
            ConsentChannel::Sms => "sms",
        }
    }
}

/// Through what a request reached Patron: the JSON API (a token), the pages (a session) or an
/// import file. Recorded with consent changes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// The JSON API, with a bearer token.
    #[default]
    Api,
    /// The pages, with a session.
    Page,
    /// A CSV import.
    Import,
}

impl Channel {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Api => "api",
            Channel::Page => "page",
            Channel::Import => "import",
        }
    }
}

/// One change of a customer's consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ConsentChange {
    /// `email` or `sms`.
    pub channel: String,
    /// Whether consent was given (true) or withdrawn.
    pub granted: bool,
    /// When.
    pub changed_at: chrono::DateTime<chrono::Utc>,
    /// `api`, `page` or `import`.
    pub source: String,
    /// The acting user's email at the time.
    pub actor_email: String,
}
