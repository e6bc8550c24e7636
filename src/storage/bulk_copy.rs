//! PostgreSQL's faster way to write a bulk load into an empty customers table: `COPY`, which
//! writes a page of rows at a time and has no parameters to bind or plan, instead of inserts of a
//! few hundred rows each. It writes what [`BulkLoad`](super::BulkLoad)'s inserts write for a load
//! without an actor: the customers, their points history, the start of their tier history and,
//! with expiry on, their balance as one lot.

use super::bulk_load::ImportedCustomer;
use super::copy_text::CopyText;
use super::StorageResult;
use crate::domain::{LoyaltyProgram, TierCause};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres};

/// The customers' columns in the order [`copy_customers`] writes them.
const CUSTOMER_COLUMNS: &str = "id, tenant_id, name, name_key, email, email_key, phone, address, city, province, \
     postal_code, loyalty_points, total_orders, total_spent_minor, notes, is_active, search_text, created_at, \
     updated_at, last_order_date, opening_orders, opening_spent_minor, tier, marketing_email, marketing_sms, \
     dup_email, dup_phone, dup_name";

/// How many customers go in one round of `COPY`s: bounds the rows held in memory (about 10 MB).
pub const CUSTOMERS_PER_COPY: usize = 10_000;

/// Writes `fresh` (customers whose emails are free in the tenant, at most
/// [`CUSTOMERS_PER_COPY`]) with their history in `tx`.
pub async fn copy_customers(
    tx: &mut sqlx::Transaction<'_, Postgres>,
    tenant_id: i64,
    program: LoyaltyProgram,
    fresh: &[ImportedCustomer],
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('customers', 'id')) FROM generate_series(1, $1)")
            .bind(fresh.len() as i64)
            .fetch_all(&mut **tx)
            .await?;
    let mut customers = CopyText::new();
    let mut tiers = CopyText::new();
    let mut lots = CopyText::new();
    let mut ledger = CopyText::new();
    let expires_at = program.points_expire_after_days().map(|days| now + chrono::Duration::days(days));
    for (id, c) in ids.iter().copied().zip(fresh) {
        let derived = c.derived(program);
        customers
            .int(id)
            .int(tenant_id)
            .text(&c.name)
            .text(&derived.name_key)
            .text(c.email.as_str())
            .text(&derived.email_key)
            .text(&c.phone)
            .text(&c.address)
            .text(&c.city)
            .text(&c.province)
            .text(&c.postal_code)
            .int(derived.points)
            .int(c.total_orders)
            .int(c.total_spent_minor)
            .text(&c.notes)
            .boolean(c.is_active)
            .text(&derived.search_text)
            .time(c.created_at)
            .time(c.created_at)
            .optional_time(c.last_order_date)
            .int(c.total_orders)
            .int(c.total_spent_minor)
            .int(derived.tier)
            .boolean(c.marketing_email)
            .boolean(c.marketing_sms)
            .optional_text(derived.duplicates.email.as_deref())
            .optional_text(derived.duplicates.phone.as_deref())
            .text(&derived.duplicates.name)
            .end_row();

        tiers.int(tenant_id).int(id).int(derived.tier).null().text(TierCause::Import.as_str()).time(now).end_row();
        if let (Some(expires_at), true) = (expires_at, derived.points > 0) {
            lots.int(tenant_id).int(id).int(derived.points).time(expires_at).time(now).end_row();
        }
        for entry in c.ledger_entries() {
            ledger
                .int(tenant_id)
                .int(id)
                .int(entry.applied)
                .int(entry.balance_after)
                .text(&entry.change.reason)
                .text(entry.change.source.as_str())
                .null()
                .time(entry.change.at)
                .end_row();
        }
    }
    copy(tx, &format!("COPY customers ({CUSTOMER_COLUMNS}) FROM STDIN"), customers).await?;
    copy(tx, "COPY tier_changes (tenant_id, customer_id, tier, previous_tier, cause, changed_at) FROM STDIN", tiers)
        .await?;
    copy(tx, "COPY points_lots (tenant_id, customer_id, remaining, expires_at, created_at) FROM STDIN", lots).await?;
    copy(
        tx,
        "COPY points_ledger (tenant_id, customer_id, delta, balance_after, reason, source, user_id, created_at) \
         FROM STDIN",
        ledger,
    )
    .await
}

/// Sends `rows` through `statement` (a `COPY ... FROM STDIN`); nothing when there are none.
async fn copy(connection: &mut PgConnection, statement: &str, rows: CopyText) -> StorageResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut copy_in = connection.copy_in_raw(statement).await?;
    copy_in.send(rows.into_bytes()).await?;
    copy_in.finish().await?;
    Ok(())
}
