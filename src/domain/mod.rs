//! Types shared by the server and the browser: what a user, a role, a tenant and a customer are,
//! and how raw input becomes one of them.

pub mod email;
pub mod role;
pub mod session_user;

pub use email::Email;
pub use role::Role;
pub use session_user::SessionUser;
pub mod context;
pub use context::RequestContext;
pub mod customer;
pub mod tier;
pub use customer::{Customer, PointsEntry};
pub use tier::LoyaltyTier;
pub mod customer_input;
pub mod customer_query;
pub mod dates;
pub mod form_urlencoded;
