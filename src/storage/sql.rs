//! SQL pieces several aggregates share.

/// The columns of a user row, joined with its tenant's name.
pub(crate) const USER_COLUMNS: &str = "u.id, u.tenant_id, t.name AS tenant_name, u.email, \
     u.password_hash, u.role, u.is_active, u.auth_version, u.created_at, u.last_sign_in_at";

/// The customer columns (of `customers c` joined with `tenants t`), with the tenant's name.
pub(crate) const CUSTOMER_COLUMNS: &str = "c.id, c.tenant_id, t.name AS tenant_name, c.name, c.email, \
     c.phone, c.address, c.city, c.province, c.postal_code, c.loyalty_points, c.total_orders, \
     c.total_spent_minor, c.notes, c.is_active, c.marketing_email, c.marketing_sms, c.created_at, c.updated_at, c.last_order_date, \
     c.tier AS tier_rank";

/// The tenant's change counter (the sum of its shards: every change of a customer bumps one),
/// which keys the list cache; the tenant's id is bound next.
pub(crate) const LIST_VERSION_OF_TENANT: &str =
    "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM customer_versions WHERE tenant_id = ";

/// The customer columns, with the tenant's name.
pub(crate) const CUSTOMER_SELECT: &str =
    const_format::concatcp!("SELECT ", CUSTOMER_COLUMNS, " FROM customers c JOIN tenants t ON t.id = c.tenant_id");

/// A row count or offset as the databases take it (both bind `BIGINT`).
pub(crate) fn bigint(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A count as the services take it.
pub(crate) fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}
