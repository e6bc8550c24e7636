//! Writing customers: create, edit, delete and bulk activation. A write that sets a balance adds
//! its ledger row, and every write its activity row, in the same transaction.

use super::StorageResult;
use crate::domain::customer_actions::BulkUpdate;
use crate::domain::customer_input::{CustomerPatch, NewCustomer};
use crate::domain::{Customer, RequestContext};
use async_trait::async_trait;

/// Writing the customers of a tenant.
#[async_trait]
pub trait CustomerWrites {
    /// Creates a customer with a `create` ledger row for a non-zero balance, in one transaction.
    /// [`Conflict`](super::StorageError::Conflict) for a taken email.
    async fn create_customer(&self, ctx: &RequestContext, new: &NewCustomer) -> StorageResult<Customer>;

    /// Changes the given fields of one of the caller's customers; a new balance writes an `edit`
    /// ledger row in the same transaction. `None` if not found.
    async fn update_customer(
        &self,
        ctx: &RequestContext,
        id: i64,
        patch: &CustomerPatch,
    ) -> StorageResult<Option<Customer>>;

    /// Deletes one of the caller's customers; whether it existed.
    async fn delete_customer(&self, ctx: &RequestContext, id: i64) -> StorageResult<bool>;

    /// Activates or deactivates the caller's customers among the update's ids; how many matched.
    async fn set_customers_active(&self, ctx: &RequestContext, update: &BulkUpdate) -> StorageResult<u64>;
}

/// What an edit's change of balance is recorded as.
#[derive(Clone, Copy, Debug)]
pub struct EditKind {
    /// The ledger row's reason.
    pub reason: &'static str,
    /// The ledger row's source.
    pub source: super::PointsSource,
    /// The tier change's cause.
    pub cause: crate::domain::TierCause,
}

impl EditKind {
    /// An edit through the API or the page.
    pub const EDIT: EditKind =
        EditKind { reason: "Balance edited", source: super::PointsSource::Edit, cause: crate::domain::TierCause::Edit };
    /// A row of an imported file.
    pub const IMPORT: EditKind =
        EditKind { reason: "Imported", source: super::PointsSource::Import, cause: crate::domain::TierCause::Import };
}

/// The fields an edit may change, as the row holds them before it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EditableFields {
    /// As stored.
    pub(crate) name: String,
    /// As stored.
    pub(crate) email: String,
    /// As stored.
    pub(crate) phone: String,
    /// As stored.
    pub(crate) address: String,
    /// As stored.
    pub(crate) city: String,
    /// As stored.
    pub(crate) province: String,
    /// As stored.
    pub(crate) postal_code: String,
    /// As stored.
    pub(crate) notes: String,
    /// As stored.
    pub(crate) loyalty_points: i64,
    /// As stored.
    pub(crate) tier: i64,
    /// As stored.
    pub(crate) is_active: bool,
    /// As stored.
    pub(crate) marketing_email: bool,
    /// As stored.
    pub(crate) marketing_sms: bool,
    /// As stored.
    pub(crate) last_order_date: Option<chrono::DateTime<chrono::Utc>>,
}

impl EditableFields {
    /// Each field the patch changes: `{"field": {"from": old, "to": new}}`.
    pub fn changes(&self, patch: &CustomerPatch) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::json;
        let mut changes = serde_json::Map::new();
        let mut text = |field: &str, old: &str, new: Option<&str>| {
            if let Some(new) = new.filter(|new| *new != old) {
                changes.insert(field.to_owned(), json!({ "from": old, "to": new }));
            }
        };
        let details = &patch.details;
        text("name", &self.name, patch.name.as_deref());
        text("email", &self.email, patch.email.as_ref().map(|e| e.as_str()));
        text("phone", &self.phone, details.phone.as_deref());
        text("address", &self.address, details.address.as_deref());
        text("city", &self.city, details.city.as_deref());
        text("province", &self.province, details.province.as_deref());
        text("postal_code", &self.postal_code, details.postal_code.as_deref());
        text("notes", &self.notes, details.notes.as_deref());
        if let Some(points) = details.loyalty_points.filter(|p| *p != self.loyalty_points) {
            changes.insert("loyalty_points".into(), json!({ "from": self.loyalty_points, "to": points }));
        }
        let mut flag = |field: &str, old: bool, new: Option<bool>| {
            if let Some(new) = new.filter(|new| *new != old) {
                changes.insert(field.to_owned(), json!({ "from": old, "to": new }));
            }
        };
        flag("is_active", self.is_active, details.is_active);
        flag("marketing_email", self.marketing_email, details.marketing_email);
        flag("marketing_sms", self.marketing_sms, details.marketing_sms);
        if let Some(date) = details.last_order_date.filter(|d| *d != self.last_order_date) {
            changes.insert("last_order_date".into(), json!({ "from": self.last_order_date, "to": date }));
        }
        changes
    }
}

/// Implements [`CustomerWrites`] for a [`Dialect`](super::Dialect) that also has the customer
/// and balance helpers.
macro_rules! impl_customer_writes {
    ($backend:ty) => {
        impl $backend {
            /// Reads the customer as the transaction left it, then commits.
            async fn commit_with_customer(
                mut tx: sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                id: i64,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Customer>> {
                let customer = Self::fetch_customer(&mut *tx, tenant_id, id).await?;
                tx.commit().await?;
                Ok(customer)
            }

            /// Applies an edit to one of the caller's customers inside `tx` (the program already
            /// held): the row, the balance change as `kind` names it, the consent changes and the
            /// activity row. Whether the customer was found.
            async fn edit_in(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                ctx: &$crate::domain::RequestContext,
                program: $crate::domain::LoyaltyProgram,
                id: i64,
                patch: &$crate::domain::customer_input::CustomerPatch,
                kind: $crate::storage::customer_writes::EditKind,
            ) -> $crate::storage::StorageResult<bool> {
                use $crate::storage::{keys, Dialect};
                let details = &patch.details;
                let current: Option<$crate::storage::customer_writes::EditableFields> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT name, email, phone, address, city, province, postal_code, notes, loyalty_points, \
                         tier, is_active, marketing_email, marketing_sms, last_order_date FROM customers \
                         WHERE id = $1 AND tenant_id = $2{}",
                        Self::LOCK_ROW
                    )))
                    .bind(id)
                    .bind(ctx.tenant_id)
                    .fetch_optional(&mut **tx)
                    .await?;
                let Some(old) = current else {
                    return Ok(false);
                };
                let before = $crate::storage::balance::HeldCustomer {
                    points: old.loyalty_points,
                    tier: $crate::domain::LoyaltyTier::from_rank(old.tier),
                    is_active: old.is_active,
                };
                let changes = old.changes(patch);
                let consents_before = (old.marketing_email, old.marketing_sms);
                let consents_after = (
                    details.marketing_email.unwrap_or(old.marketing_email),
                    details.marketing_sms.unwrap_or(old.marketing_sms),
                );
                let old_points = old.loyalty_points;
                let name = patch.name.clone().unwrap_or(old.name);
                let email = patch.email.as_ref().map_or(old.email, |e| e.as_str().to_owned());
                let phone = details.phone.clone().unwrap_or(old.phone);
                let city = details.city.as_deref().unwrap_or(&old.city);
                let dup = $crate::storage::duplicate_keys::DuplicateKeys::of(&name, &email, &phone, city);
                let points = details.loyalty_points.unwrap_or(old_points);
                let tier_after = program.tiers().tier_of(points);
                let now = $crate::storage::now();
                // The row, its consent changes, its balance change and the activity row go to the
                // database together.
                let mut batch = Self::write_batch();
                batch
                    .push(
                        "UPDATE customers SET name = $3, name_key = $4, email = $5, email_key = $6, phone = $7, \
                         address = COALESCE($8, address), city = COALESCE($9, city), \
                         province = COALESCE($10, province), postal_code = COALESCE($11, postal_code), \
                         notes = COALESCE($12, notes), is_active = COALESCE($13, is_active), loyalty_points = $14, \
                         last_order_date = CASE WHEN $15 THEN $16 ELSE last_order_date END, \
                         search_text = $17, updated_at = $18, tier = $19, marketing_email = $20, marketing_sms = $21, \
                         dup_email = $22, dup_phone = $23, dup_name = $24 WHERE id = $1 AND tenant_id = $2",
                    )
                    .bind(id)
                    .bind(ctx.tenant_id)
                    .bind(&name)
                    .bind(keys::name_key(&name))
                    .bind(&email)
                    .bind($crate::domain::email::email_key(&email))
                    .bind(&phone)
                    .bind(details.address.clone())
                    .bind(details.city.clone())
                    .bind(details.province.clone())
                    .bind(details.postal_code.clone())
                    .bind(details.notes.clone())
                    .bind(details.is_active)
                    .bind(points)
                    .bind(details.last_order_date.is_some())
                    .bind(details.last_order_date.flatten())
                    .bind(keys::search_text(&name, &email, &phone))
                    .bind(now)
                    .bind(tier_after.rank())
                    .bind(consents_after.0)
                    .bind(consents_after.1)
                    .bind(dup.email)
                    .bind(dup.phone)
                    .bind(dup.name);
                Self::push_consents(&mut batch, ctx, id, consents_before, consents_after, ctx.channel, now);
                let change = $crate::storage::balance::BalanceChange {
                    customer_id: id,
                    before,
                    after: points,
                    tier_after,
                    reason: kind.reason,
                    source: kind.source,
                    cause: kind.cause,
                    always_ledger: false,
                    at: now,
                };
                Self::record_balance_change(tx, &mut batch, ctx.tenant_id, Some(ctx.user_id), program, &change).await?;
                if !changes.is_empty() {
                    let entry = $crate::storage::ActivityEntry::by(
                        ctx,
                        $crate::domain::activity::ActivityAction::CustomerUpdated,
                        $crate::domain::activity::TargetType::Customer,
                        id,
                        name.as_str(),
                        serde_json::json!({ "changes": changes }),
                    );
                    Self::push_activity(&mut batch, &entry, now);
                }
                batch.run(&mut **tx).await.map_err($crate::storage::conflict_in)?;
                Ok(true)
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::CustomerWrites for $backend {
            async fn create_customer(
                &self,
                ctx: &$crate::domain::RequestContext,
                new: &$crate::domain::customer_input::NewCustomer,
            ) -> $crate::storage::StorageResult<$crate::domain::Customer> {
                use $crate::storage::{keys, Dialect};
                let ctx = *ctx;
                let new = new.clone();
                self.write(Box::new(move |tx| Box::pin(async move {
                    let ctx = &ctx;
                    let details = &new.details;
                    let phone = details.phone.clone().unwrap_or_default();
                    let points = details.loyalty_points.unwrap_or(0);
                    let consents = (details.marketing_email.unwrap_or(false), details.marketing_sms.unwrap_or(false));
                    let now = $crate::storage::now();
                    let last_order_date =
                        details.last_order_date.flatten().map(|at| chrono::SubsecRound::trunc_subsecs(at, 6));
                    let is_active = details.is_active.unwrap_or(true);
                    let (program, tenant_name, id) = Self::held_program_for_create(tx, ctx.tenant_id).await?;
                    let tier = program.tiers().tier_of(points);
                    let city = details.city.as_deref().unwrap_or_default();
                    let dup =
                        $crate::storage::duplicate_keys::DuplicateKeys::of(&new.name, new.email.as_str(), &phone, city);
                    // The row and everything that goes with it (its consents, first tier, opening
                    // balance and activity row) go to the database together.
                    let mut batch = Self::write_batch();
                    batch
                        .push(
                            "INSERT INTO customers (id, tenant_id, name, name_key, email, email_key, phone, \
                             address, city, province, postal_code, loyalty_points, notes, is_active, search_text, \
                             created_at, updated_at, last_order_date, tier, marketing_email, marketing_sms, \
                             dup_email, dup_phone, dup_name) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, \
                             $17, $18, $19, $20, $21, $22, $23)",
                        )
                        .bind(id)
                        .bind(ctx.tenant_id)
                        .bind(&new.name)
                        .bind(keys::name_key(&new.name))
                        .bind(new.email.as_str())
                        .bind(new.email.key())
                        .bind(&phone)
                        .bind(details.address.clone().unwrap_or_default())
                        .bind(city)
                        .bind(details.province.clone().unwrap_or_default())
                        .bind(details.postal_code.clone().unwrap_or_default())
                        .bind(points)
                        .bind(details.notes.clone().unwrap_or_default())
                        .bind(is_active)
                        .bind(keys::search_text(&new.name, new.email.as_str(), &phone))
                        .bind(now)
                        .bind(last_order_date)
                        .bind(tier.rank())
                        .bind(consents.0)
                        .bind(consents.1)
                        .bind(dup.email)
                        .bind(dup.phone)
                        .bind(dup.name);
                    Self::push_consents(&mut batch, ctx, id, (false, false), consents, ctx.channel, now);
                    let first_tier = $crate::storage::balance::TierStep {
                        customer_id: id,
                        tier,
                        previous: None,
                        cause: $crate::domain::TierCause::Create,
                        at: now,
                    };
                    Self::push_tier_change(&mut batch, ctx.tenant_id, &first_tier);
                    let before = $crate::storage::balance::HeldCustomer { points: 0, tier, is_active };
                    let change = $crate::storage::balance::BalanceChange {
                        customer_id: id,
                        before,
                        after: points,
                        tier_after: tier,
                        reason: "Opening balance",
                        source: $crate::storage::PointsSource::Create,
                        cause: $crate::domain::TierCause::Create,
                        always_ledger: false,
                        at: now,
                    };
                    Self::record_balance_change(tx, &mut batch, ctx.tenant_id, Some(ctx.user_id), program, &change)
                        .await?;
                    let entry = $crate::storage::ActivityEntry::by(
                        ctx,
                        $crate::domain::activity::ActivityAction::CustomerCreated,
                        $crate::domain::activity::TargetType::Customer,
                        id,
                        new.name.as_str(),
                        serde_json::json!({}),
                    );
                    Self::push_activity(&mut batch, &entry, now);
                    batch.run(&mut **tx).await.map_err($crate::storage::conflict_in)?;
                    // The row as it was written, without reading it again.
                    Ok($crate::domain::Customer {
                        id,
                        tenant_id: ctx.tenant_id,
                        tenant_name,
                        name: new.name.clone(),
                        email: new.email.as_str().to_owned(),
                        phone,
                        address: details.address.clone().unwrap_or_default(),
                        city: city.to_owned(),
                        province: details.province.clone().unwrap_or_default(),
                        postal_code: details.postal_code.clone().unwrap_or_default(),
                        loyalty_points: points,
                        total_orders: 0,
                        total_spent_minor: 0,
                        notes: details.notes.clone().unwrap_or_default(),
                        is_active,
                        marketing_email: consents.0,
                        marketing_sms: consents.1,
                        created_at: now,
                        updated_at: now,
                        last_order_date,
                        tier_rank: tier.rank(),
                    })
                }))).await
            }

            async fn update_customer(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
                patch: &$crate::domain::customer_input::CustomerPatch,
            ) -> $crate::storage::StorageResult<Option<$crate::domain::Customer>> {
                use $crate::storage::Dialect;
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                let program = Self::held_program(&mut tx, ctx.tenant_id).await?;
                let kind = $crate::storage::customer_writes::EditKind::EDIT;
                if !Self::edit_in(&mut tx, ctx, program, id, patch, kind).await? {
                    return Ok(None);
                }
                Self::commit_with_customer(tx, ctx.tenant_id, id).await
            }

            async fn delete_customer(
                &self,
                ctx: &$crate::domain::RequestContext,
                id: i64,
            ) -> $crate::storage::StorageResult<bool> {
                use $crate::storage::Dialect;
                // The program is share-locked like every write's, so a change of thresholds
                // (which holds the tenant's customers) never waits on a delete that waits on it.
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                Self::held_program(&mut tx, ctx.tenant_id).await?;
                let deleted: Option<(String, String)> =
                    sqlx::query_as("DELETE FROM customers WHERE id = $1 AND tenant_id = $2 RETURNING name, email")
                        .bind(id)
                        .bind(ctx.tenant_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((name, email)) = deleted else {
                    return Ok(false);
                };
                // The row names the customer as they were: the record itself is gone.
                let entry = $crate::storage::ActivityEntry::by(
                    ctx,
                    $crate::domain::activity::ActivityAction::CustomerDeleted,
                    $crate::domain::activity::TargetType::Customer,
                    id,
                    name,
                    serde_json::json!({ "email": email }),
                );
                Self::write_activity(&mut *tx, &entry, $crate::storage::now()).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn set_customers_active(
                &self,
                ctx: &$crate::domain::RequestContext,
                update: &$crate::domain::customer_actions::BulkUpdate,
            ) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::Dialect;
                let mut qb = sqlx::QueryBuilder::<<$backend as $crate::storage::Dialect>::Db>::new("UPDATE customers SET is_active = ");
                qb.push_bind(update.action().activates());
                qb.push(", updated_at = ").push_bind($crate::storage::now());
                qb.push(" WHERE tenant_id = ").push_bind(ctx.tenant_id).push(" AND id IN (");
                let mut list = qb.separated(", ");
                for id in update.ids() {
                    list.push_bind(*id);
                }
                qb.push(")");
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                Self::held_program(&mut tx, ctx.tenant_id).await?;
                let done = qb.build().execute(&mut *tx).await?;
                let count = done.rows_affected();
                let action = if update.action().activates() { "activate" } else { "deactivate" };
                let entry = $crate::storage::ActivityEntry {
                    target_id: None,
                    ..$crate::storage::ActivityEntry::by(
                        ctx,
                        $crate::domain::activity::ActivityAction::CustomerBulkUpdated,
                        $crate::domain::activity::TargetType::Customer,
                        0,
                        format!("{count} customers"),
                        serde_json::json!({ "count": count, "action": action, "ids": update.ids() }),
                    )
                };
                Self::write_activity(&mut *tx, &entry, $crate::storage::now()).await?;
                tx.commit().await?;
                Ok(count)
            }
        }
    };
}

pub(crate) use impl_customer_writes;
