//! Privacy: the consent history (a row for every change of a customer's consent, written in the
//! transaction of the change) and erasing a customer's personal data for good.

use super::{Page, StorageResult};
use crate::domain::{ConsentChange, Customer, RequestContext};
use async_trait::async_trait;

/// The name an erased customer keeps.
pub const ERASED_NAME: &str = "Erased customer";

/// The email an erased customer keeps (unique in its tenant, and undeliverable).
pub fn erased_email(id: i64) -> String {
    format!("erased-{id}@invalid.example")
}

/// Consent history and erasure.
#[async_trait]
pub trait Privacy {
    /// Replaces one of the caller's customers' personal data for good (name, email, contact,
    /// address and notes; consents withdrawn; inactive), and removes it from the details and
    /// labels of the activity rows about the customer, in one transaction. Orders, ledger and
    /// totals stay. `None` when the customer is not the caller's.
    async fn erase_customer(&self, ctx: &RequestContext, id: i64) -> StorageResult<Option<Customer>>;

    /// A page of one of the caller's customers' consent changes, newest first; `None` when the
    /// customer is not the caller's.
    async fn consent_history(
        &self,
        ctx: &RequestContext,
        id: i64,
        offset: u64,
        limit: u64,
    ) -> StorageResult<Option<Page<ConsentChange>>>;
}

/// Implements [`Privacy`] and the in-transaction writer for a [`Dialect`](super::Dialect) that
/// has the customer helpers.
macro_rules! impl_privacy {
    ($backend:ty) => {
        impl $backend {
            /// Adds the consent changes between `before` (email, sms) and `after`, by the caller
            /// through `channel`, at `at`, to a write's batch.
            fn push_consents(
                batch: &mut $crate::storage::write_batch::WriteBatch<<$backend as $crate::storage::Dialect>::Db>,
                ctx: &$crate::domain::RequestContext,
                customer_id: i64,
                before: (bool, bool),
                after: (bool, bool),
                channel: $crate::domain::Channel,
                at: chrono::DateTime<chrono::Utc>,
            ) {
                use $crate::domain::ConsentChannel;
                let changed: Vec<(ConsentChannel, bool)> =
                    [(ConsentChannel::Email, before.0, after.0), (ConsentChannel::Sms, before.1, after.1)]
                        .into_iter()
                        .filter(|(_, was, now)| was != now)
                        .map(|(consent, _, now)| (consent, now))
                        .collect();
                if changed.is_empty() {
                    return;
                }
                // One statement for both channels: its rows get their ids in this order.
                const ROW: &str = "($1, $2, $3, $4, $5, $6, COALESCE((SELECT email FROM users WHERE id = $7), ''))";
                let rows: Vec<String> = (0..changed.len())
                    .map(|row| $crate::storage::write_batch::shift_parameters(ROW, 7 * row))
                    .collect();
                batch.push(&format!(
                    "INSERT INTO consent_changes (tenant_id, customer_id, channel, granted, changed_at, source, \
                     actor_email) VALUES {}",
                    rows.join(", ")
                ));
                for (consent, now) in changed {
                    batch
                        .bind(ctx.tenant_id)
                        .bind(customer_id)
                        .bind(consent.as_str())
                        .bind(now)
                        .bind(at)
                        .bind(channel.as_str())
                        .bind(ctx.user_id);
                }
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::Privacy for $backend {
            async fn erase_customer(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Customer>> {
                use $crate::storage::privacy::{erased_email, ERASED_NAME};
                use $crate::storage::{keys, Dialect};
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                Self::held_program(&mut tx, ctx.tenant_id).await?;
                let held: Option<(bool, bool)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT marketing_email, marketing_sms FROM customers WHERE id = $1 AND tenant_id = $2{}",
                    Self::LOCK_ROW
                )))
                .bind(id)
                .bind(ctx.tenant_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(consents) = held else {
                    return Ok(None);
                };
                let email = erased_email(id);
                let now = $crate::storage::now();
                sqlx::query(
                    "UPDATE customers SET name = $3, name_key = $4, email = $5, email_key = $9, phone = '', \
                     address = '', city = '', province = '', postal_code = '', notes = '', is_active = $6, \
                     marketing_email = $6, marketing_sms = $6, search_text = $7, updated_at = $8, \
                     dup_email = NULL, dup_phone = NULL, dup_name = '' \
                     WHERE id = $1 AND tenant_id = $2",
                )
                .bind(id)
                .bind(ctx.tenant_id)
                .bind(ERASED_NAME)
                .bind(keys::name_key(ERASED_NAME))
                .bind(&email)
                .bind(false)
                .bind(keys::search_text(ERASED_NAME, &email, ""))
                .bind(now)
                .bind($crate::domain::email::email_key(&email))
                .execute(&mut *tx)
                .await?;
                // The consent changes and the activity rows go to the database together.
                let mut batch = Self::write_batch();
                Self::push_consents(&mut batch, ctx, id, consents, (false, false), ctx.channel, now);
                // What earlier rows said about the customer (names, emails, changed values) goes;
                // that something happened, when and by whom stays.
                batch
                    .push(
                        "UPDATE activity SET target_label = $3, details = '{}' \
                         WHERE tenant_id = $1 AND target_type = 'customer' AND target_id = $2",
                    )
                    .bind(ctx.tenant_id)
                    .bind(id)
                    .bind(ERASED_NAME);
                let entry = $crate::storage::ActivityEntry::by(
                    ctx,
                    $crate::domain::activity::ActivityAction::CustomerErased,
                    $crate::domain::activity::TargetType::Customer,
                    id,
                    ERASED_NAME,
                    serde_json::json!({}),
                );
                Self::push_activity(&mut batch, &entry, now);
                batch.run(&mut *tx).await?;
                Self::commit_with_customer(tx, ctx.tenant_id, id).await
            }

            async fn consent_history(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<Option<$crate::storage::Page<$crate::domain::ConsentChange>>> {
                self.customer_page(
                    ctx.tenant_id,
                    id,
                    "SELECT COUNT(*) FROM consent_changes WHERE customer_id = $1 AND tenant_id = $2",
                    "SELECT channel, granted, changed_at, source, actor_email FROM consent_changes \
                     WHERE customer_id = $1 AND tenant_id = $2 ORDER BY id DESC LIMIT $3 OFFSET $4",
                    offset,
                    limit,
                )
                .await
            }
        }
    };
}

pub(crate) use impl_privacy;
