//! Passwords, API tokens, browser sessions and the request context built from them.

pub mod context;
pub mod password;
pub mod token;

pub use context::{ApiContext, SessionContext, SESSION_USER_KEY};
pub use token::{Claims, TokenKeys, TokenKind};
