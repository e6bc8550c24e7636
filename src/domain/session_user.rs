//! The signed-in user as the browser sees them.

use super::Role;
use serde::{Deserialize, Serialize};

/// Who is signed in, for the app shell: never carries secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// The user's id.
    pub user_id: i64,
    /// The user's email, as they typed it when the account was made.
    pub email: String,
    /// The user's role in their tenant.
    pub role: Role,
    /// The tenant's id.
    pub tenant_id: i64,
    /// The tenant's display name.
    pub tenant_name: String,
}
