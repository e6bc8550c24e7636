//! Types shared by the server and the browser: what a user, a role, a tenant and a customer are,
//! what may be written to them, and how a refused input is described.

pub mod activity;
pub mod consent;
pub mod context;
pub mod customer;
pub mod customer_actions;
pub mod customer_input;
pub mod customer_query;
pub mod dates;
pub mod email;
pub mod form_urlencoded;
pub mod input;
pub mod loyalty;
pub mod merge;
pub mod money;
pub mod order;
pub mod role;
pub mod session_user;
pub mod tier;

pub use consent::{Channel, ConsentChange, ConsentChannel};
pub use context::RequestContext;
pub use customer::{Customer, PointsEntry};
pub use email::Email;
pub use input::{FieldErrors, Input, InvalidInput};
pub use loyalty::{LoyaltyProgram, TierCause, TierThresholds};
pub use order::{NewOrder, Order, PointsExpiring, Refund, TierChange};
pub use role::Role;
pub use session_user::SessionUser;
pub use tier::LoyaltyTier;

/// What callers are told while the database is out of reach (the API's `detail`, the page's
/// banner; the board's code in the browser shows it for a 503 too).
pub const UNAVAILABLE_SENTENCE: &str = "Patron cannot reach its database right now. Try again in a moment.";
