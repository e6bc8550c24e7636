//! Passwords and API tokens: the credentials the services check. The extractors that read them
//! from a request live with their edge (`api::extract`, `web::session`).

pub mod password;
pub mod password_policy;
pub mod token;

pub use token::{Claims, TokenKeys, TokenKind};
