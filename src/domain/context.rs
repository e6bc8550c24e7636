//! Who is acting, and for which tenant.

use super::{Channel, Role};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

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
    /// Where the request came from (for the activity log), when known.
    pub client: Option<IpAddr>,
    /// Through what the request came (recorded with consent changes).
    pub channel: Channel,
}
