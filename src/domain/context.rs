//! Who is acting, and for which tenant.

use super::Role;
use serde::{Deserialize, Serialize};

/// The authenticated caller of a use case. Built only from a verified session or token, never from
/// request input; every tenant-owned read and write is filtered by `tenant_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestContext {
    /// The caller's tenant.
    pub tenant_id: i64,
    /// The caller.
    pub user_id: i64,
    /// What the caller may do.
    pub role: Role,
}
