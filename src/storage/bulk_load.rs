//! Bulk loads: many customers with their points history (`patron demo`).

use super::duplicate_keys::DuplicateKeys;
use super::{keys, PointsSource, StorageResult};
use crate::domain::{Email, LoyaltyProgram};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// One earlier points change of an imported customer.
#[derive(Clone, Debug)]
pub struct ImportedPoints {
    /// Points added (negative: removed).
    pub delta: i64,
    /// Why.
    pub reason: String,
    /// Where it came from.
    pub source: PointsSource,
    /// When.
    pub at: DateTime<Utc>,
}

/// A customer with its history, written in bulk.
#[derive(Clone, Debug)]
pub struct ImportedCustomer {
    /// Full name.
    pub name: String,
    /// Email (unique per tenant ignoring case).
    pub email: Email,
    /// Phone.
    pub phone: String,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
    /// Province.
    pub province: String,
    /// Postal code.
    pub postal_code: String,
    /// Notes.
    pub notes: String,
    /// Orders so far.
    pub total_orders: i64,
    /// Spent so far, minor units.
    pub total_spent_minor: i64,
    /// Active or not.
    pub is_active: bool,
    /// Consents to marketing by email (a `consent_changes` row records a given one).
    pub marketing_email: bool,
    /// Consents to marketing by text message.
    pub marketing_sms: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last order.
    pub last_order_date: Option<DateTime<Utc>>,
    /// Points changes, oldest first; the balance is their sum.
    pub history: Vec<ImportedPoints>,
}

impl ImportedCustomer {
    /// The balance its history leaves (each change clamped at zero, as the ledger applied it).
    pub fn balance(&self) -> i64 {
        self.ledger_entries().last().map_or(0, |entry| entry.balance_after)
    }

    /// Its history as the ledger records it, oldest first: each change clamped between zero and
    /// the most points a customer can hold.
    pub fn ledger_entries(&self) -> impl Iterator<Item = LedgerEntry<'_>> {
        self.history.iter().scan(0_i64, |balance, change| {
            let after = (*balance + change.delta).clamp(0, crate::domain::customer_input::MAX_POINTS);
            let applied = after - *balance;
            *balance = after;
            Some(LedgerEntry { change, applied, balance_after: after })
        })
    }

    /// The columns of its row that follow from its fields: its keys, balance and tier.
    pub fn derived(&self, program: LoyaltyProgram) -> DerivedColumns {
        let points = self.balance();
        DerivedColumns {
            points,
            tier: program.tiers().tier_of(points).rank(),
            name_key: keys::name_key(&self.name),
            email_key: self.email.key(),
            search_text: keys::search_text(&self.name, self.email.as_str(), &self.phone),
            duplicates: DuplicateKeys::of(&self.name, self.email.as_str(), &self.phone, &self.city),
        }
    }
}

/// One change of an imported customer's history as the ledger records it.
#[derive(Clone, Copy, Debug)]
pub struct LedgerEntry<'a> {
    /// The change as imported.
    pub change: &'a ImportedPoints,
    /// The points it added (negative: removed) once clamped.
    pub applied: i64,
    /// The balance it left.
    pub balance_after: i64,
}

/// The columns of an imported customer's row that follow from its fields.
#[derive(Clone, Debug)]
pub struct DerivedColumns {
    /// Its balance.
    pub points: i64,
    /// The rank of its tier.
    pub tier: i64,
    /// Its name's sort key.
    pub name_key: String,
    /// Its email's unique key.
    pub email_key: String,
    /// What a search looks through.
    pub search_text: String,
    /// Its duplicate keys.
    pub duplicates: DuplicateKeys,
}

/// The email keys a load into an empty table has written, as hashes. A customer whose key's hash
/// is new cannot have a taken email; one whose hash was seen may (or merely shares a hash with
/// one written) and goes through the insert that skips taken emails. Hashes keep a million keys
/// in 16 MB.
#[derive(Debug, Default)]
pub struct LoadedEmails(std::collections::HashSet<u64>);

impl LoadedEmails {
    /// Records `email_key`; whether its hash is new to the load.
    pub fn first_time(&mut self, email_key: &str) -> bool {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        email_key.hash(&mut hasher);
        self.0.insert(hasher.finish())
    }
}

/// Writing many customers at once.
#[async_trait]
pub trait BulkLoad {
    /// Writes the customers of every batch `batches` yields, with their points history and the
    /// start of their tier history (their totals become their opening totals; with expiry on,
    /// their balance one lot); a customer whose email is already taken in the tenant is skipped.
    /// `progress` hears the running total after each batch. Returns how many were written.
    ///
    /// A load of `expected` customers that the database can index faster afterwards (see
    /// [`Dialect::defer_customer_indexes`](super::Dialect::defer_customer_indexes)) runs in one
    /// transaction with those indexes built at its end (a load cut short leaves nothing behind);
    /// any other load commits batch by batch.
    async fn load_customers(
        &self,
        tenant_id: i64,
        expected: u64,
        batches: tokio::sync::mpsc::Receiver<Vec<ImportedCustomer>>,
        progress: &mut (dyn FnMut(u64) + Send),
    ) -> StorageResult<u64>;

    /// Lets the query planner know about the rows a bulk load wrote; call it once the load is over.
    async fn after_bulk_load(&self) -> StorageResult<()>;
}

/// Implements [`BulkLoad`] for a [`Dialect`](super::Dialect).
macro_rules! impl_bulk_load {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::BulkLoad for $backend {
            async fn load_customers(
                &self,
                tenant_id: i64,
                expected: u64,
                mut batches: tokio::sync::mpsc::Receiver<Vec<$crate::storage::ImportedCustomer>>,
                progress: &mut (dyn FnMut(u64) + Send),
            ) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::Dialect;
                let mut written = 0;
                let mut connection = self.bulk_connection().await?;
                let mut tx = sqlx::Connection::begin_with(&mut connection, Self::BEGIN_WRITE).await?;
                let deferred = Self::defer_customer_indexes(&mut tx, expected).await?;
                let mut program = Self::held_program(&mut tx, tenant_id).await?;
                let now = $crate::storage::now();
                let mut loaded = $crate::storage::bulk_load::LoadedEmails::default();
                while let Some(mut batch) = batches.recv().await {
                    if !deferred.is_empty() {
                        let (copied, rest) =
                            Self::copy_loaded_customers(&mut tx, tenant_id, program, batch, &mut loaded, now).await?;
                        written += copied;
                        batch = rest;
                    }
                    for chunk in batch.chunks(500) {
                        written += Self::insert_customers(&mut tx, tenant_id, None, program, chunk, now).await?.len() as u64;
                    }
                    if deferred.is_empty() {
                        tx.commit().await?;
                        tx = sqlx::Connection::begin_with(&mut connection, Self::BEGIN_WRITE).await?;
                        program = Self::held_program(&mut tx, tenant_id).await?;
                    }
                    progress(written);
                }
                for statement in deferred {
                    sqlx::query(sqlx::AssertSqlSafe(statement)).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(written)
            }

            async fn after_bulk_load(&self) -> $crate::storage::StorageResult<()> {
                $crate::storage::Dialect::refresh_statistics(self).await
            }
        }

        impl $backend {
            /// Inserts up to a few hundred customers in `tx` with their points history (by
            /// `actor`), the start of their tier history (with expiry on, their balance as one
            /// lot) and the consents they give; a customer whose email is already taken in the
            /// tenant is skipped. The ids written, with their email keys.
            async fn insert_customers(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                actor: Option<&$crate::domain::RequestContext>,
                program: $crate::domain::LoyaltyProgram,
                chunk: &[$crate::storage::ImportedCustomer],
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<Vec<(i64, String)>> {
                type Db = <$backend as $crate::storage::Dialect>::Db;
                let mut insert = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO customers (tenant_id, name, name_key, email, email_key, phone, address, city, \
                     province, postal_code, loyalty_points, total_orders, total_spent_minor, notes, is_active, \
                     search_text, created_at, updated_at, last_order_date, opening_orders, opening_spent_minor, \
                     tier, marketing_email, marketing_sms, dup_email, dup_phone, dup_name) ",
                );
                insert.push_values(chunk, |mut row, c| {
                    let derived = c.derived(program);
                    row.push_bind(tenant_id)
                        .push_bind(c.name.clone())
                        .push_bind(derived.name_key)
                        .push_bind(c.email.as_str().to_owned())
                        .push_bind(derived.email_key)
                        .push_bind(c.phone.clone())
                        .push_bind(c.address.clone())
                        .push_bind(c.city.clone())
                        .push_bind(c.province.clone())
                        .push_bind(c.postal_code.clone())
                        .push_bind(derived.points)
                        .push_bind(c.total_orders)
                        .push_bind(c.total_spent_minor)
                        .push_bind(c.notes.clone())
                        .push_bind(c.is_active)
                        .push_bind(derived.search_text)
                        .push_bind(c.created_at)
                        .push_bind(c.created_at)
                        .push_bind(c.last_order_date)
                        .push_bind(c.total_orders)
                        .push_bind(c.total_spent_minor)
                        .push_bind(derived.tier)
                        .push_bind(c.marketing_email)
                        .push_bind(c.marketing_sms)
                        .push_bind(derived.duplicates.email)
                        .push_bind(derived.duplicates.phone)
                        .push_bind(derived.duplicates.name);
                });
                insert.push(
                    " ON CONFLICT (tenant_id, email_key) DO NOTHING RETURNING id, email_key, tier, loyalty_points",
                );
                let ids: Vec<(i64, String, i64, i64)> = insert.build_query_as().fetch_all(&mut **tx).await?;
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                // Each customer's tier history starts with its import; its points were all added
                // now, so they make one lot when points expire.
                let mut tiers = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO tier_changes (tenant_id, customer_id, tier, previous_tier, cause, changed_at) ",
                );
                tiers.push_values(&ids, |mut row, (id, _, tier, _)| {
                    row.push_bind(tenant_id)
                        .push_bind(*id)
                        .push_bind(*tier)
                        .push_bind(None::<i64>)
                        .push_bind($crate::domain::TierCause::Import.as_str())
                        .push_bind(now);
                });
                tiers.build().execute(&mut **tx).await?;
                if let Some(days) = program.points_expire_after_days() {
                    let with_points: Vec<_> = ids.iter().filter(|(_, _, _, points)| *points > 0).collect();
                    if !with_points.is_empty() {
                        let mut lots = sqlx::QueryBuilder::<Db>::new(
                            "INSERT INTO points_lots (tenant_id, customer_id, remaining, expires_at, created_at) ",
                        );
                        lots.push_values(with_points, |mut row, (id, _, _, points)| {
                            row.push_bind(tenant_id)
                                .push_bind(*id)
                                .push_bind(*points)
                                .push_bind(now + chrono::Duration::days(days))
                                .push_bind(now);
                        });
                        lots.build().execute(&mut **tx).await?;
                    }
                }
                // The first customer of the chunk with an email was written (the database inserts
                // rows in order); one after it with the same email was skipped, and so is its history.
                let mut by_key: std::collections::HashMap<&str, i64> =
                    ids.iter().map(|(id, key, _, _)| (key.as_str(), *id)).collect();
                let written: Vec<(i64, &$crate::storage::ImportedCustomer)> =
                    chunk.iter().filter_map(|c| by_key.remove(c.email.key().as_str()).map(|id| (id, c))).collect();
                let entries: Vec<(i64, $crate::storage::bulk_load::LedgerEntry)> =
                    written.iter().flat_map(|(id, c)| c.ledger_entries().map(move |entry| (*id, entry))).collect();
                let user_id = actor.map(|ctx| ctx.user_id);
                for rows in entries.chunks(1000) {
                    let mut ledger = sqlx::QueryBuilder::<Db>::new(
                        "INSERT INTO points_ledger (tenant_id, customer_id, delta, balance_after, reason, \
                         source, user_id, created_at) ",
                    );
                    ledger.push_values(rows, |mut row, (id, entry)| {
                        row.push_bind(tenant_id)
                            .push_bind(*id)
                            .push_bind(entry.applied)
                            .push_bind(entry.balance_after)
                            .push_bind(entry.change.reason.clone())
                            .push_bind(entry.change.source.as_str())
                            .push_bind(user_id)
                            .push_bind(entry.change.at);
                    });
                    ledger.build().execute(&mut **tx).await?;
                }
                let consents: Vec<(i64, $crate::domain::ConsentChannel)> = written
                    .iter()
                    .flat_map(|(id, c)| {
                        let email = c.marketing_email.then_some((*id, $crate::domain::ConsentChannel::Email));
                        let sms = c.marketing_sms.then_some((*id, $crate::domain::ConsentChannel::Sms));
                        email.into_iter().chain(sms)
                    })
                    .collect();
                if let (Some(ctx), false) = (actor, consents.is_empty()) {
                    let mut rows = sqlx::QueryBuilder::<Db>::new(
                        "INSERT INTO consent_changes (tenant_id, customer_id, channel, granted, changed_at, source, \
                         actor_email) ",
                    );
                    rows.push_values(&consents, |mut row, (id, channel)| {
                        row.push_bind(tenant_id)
                            .push_bind(*id)
                            .push_bind(channel.as_str())
                            .push_bind(true)
                            .push_bind(now)
                            .push_bind($crate::domain::Channel::Import.as_str())
                            .push("COALESCE((SELECT email FROM users WHERE id = ")
                            .push_bind_unseparated(ctx.user_id)
                            .push_unseparated("), '')");
                    });
                    rows.build().execute(&mut **tx).await?;
                }
                Ok(ids.into_iter().map(|(id, key, _, _)| (id, key)).collect())
            }
        }
    };
}

pub(crate) use impl_bulk_load;
