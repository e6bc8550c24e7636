//! Bulk loads: many customers with their points history in one transaction (`patron demo`).

use super::{PointsSource, StorageResult};
use crate::domain::Email;
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
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last order.
    pub last_order_date: Option<DateTime<Utc>>,
    /// Points changes, oldest first; the balance is their sum.
    pub history: Vec<ImportedPoints>,
}

/// Writing many customers at once.
#[async_trait]
pub trait BulkLoad {
    /// Writes customers and their points history in one transaction; a customer whose email is
    /// already taken in the tenant is skipped. Returns how many were written.
    async fn import_customers(&self, tenant_id: i64, customers: &[ImportedCustomer]) -> StorageResult<u64>;
}

/// Implements [`BulkLoad`] for a [`Dialect`](super::Dialect).
macro_rules! impl_bulk_load {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::BulkLoad for $backend {
            async fn import_customers(
                &self,
                tenant_id: i64,
                customers: &[$crate::storage::ImportedCustomer],
            ) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::{keys, Dialect};
                type Db = <$backend as Dialect>::Db;
                let mut written = 0;
                let mut connection = self.bulk_connection().await?;
                let mut tx = sqlx::Connection::begin_with(&mut *connection, Self::BEGIN_WRITE).await?;
                for chunk in customers.chunks(500) {
                    let mut insert = sqlx::QueryBuilder::<Db>::new(
                        "INSERT INTO customers (tenant_id, name, name_key, email, email_key, phone, address, city, \
                         province, postal_code, loyalty_points, total_orders, total_spent_minor, notes, is_active, \
                         search_text, created_at, updated_at, last_order_date) ",
                    );
                    insert.push_values(chunk, |mut row, c| {
                        let points: i64 = c.history.iter().map(|h| h.delta).sum();
                        row.push_bind(tenant_id)
                            .push_bind(c.name.clone())
                            .push_bind(keys::name_key(&c.name))
                            .push_bind(c.email.as_str().to_owned())
                            .push_bind(c.email.key())
                            .push_bind(c.phone.clone())
                            .push_bind(c.address.clone())
                            .push_bind(c.city.clone())
                            .push_bind(c.province.clone())
                            .push_bind(c.postal_code.clone())
                            .push_bind(points.max(0))
                            .push_bind(c.total_orders)
                            .push_bind(c.total_spent_minor)
                            .push_bind(c.notes.clone())
                            .push_bind(c.is_active)
                            .push_bind(keys::search_text(&c.name, c.email.as_str(), &c.phone))
                            .push_bind(c.created_at)
                            .push_bind(c.created_at)
                            .push_bind(c.last_order_date);
                    });
                    insert.push(" ON CONFLICT (tenant_id, email_key) DO NOTHING RETURNING id, email_key");
                    let ids: Vec<(i64, String)> = insert.build_query_as().fetch_all(&mut *tx).await?;
                    written += ids.len() as u64;
                    let by_key: std::collections::HashMap<String, i64> =
                        ids.into_iter().map(|(id, key)| (key, id)).collect();
                    let mut entries = Vec::new();
                    for c in chunk {
                        let Some(&id) = by_key.get(&c.email.key()) else { continue };
                        let mut balance = 0_i64;
                        for h in &c.history {
                            balance = (balance + h.delta).max(0);
                            entries.push((id, h, balance));
                        }
                    }
                    for rows in entries.chunks(1000) {
                        let mut ledger = sqlx::QueryBuilder::<Db>::new(
                            "INSERT INTO points_ledger (tenant_id, customer_id, delta, balance_after, reason, \
                             source, user_id, created_at) ",
                        );
                        ledger.push_values(rows, |mut row, (id, h, balance)| {
                            row.push_bind(tenant_id)
                                .push_bind(*id)
                                .push_bind(h.delta)
                                .push_bind(*balance)
                                .push_bind(h.reason.clone())
                                .push_bind(h.source.as_str())
                                .push_bind(None::<i64>)
                                .push_bind(h.at);
                        });
                        ledger.build().execute(&mut *tx).await?;
                    }
                }
                tx.commit().await?;
                Ok(written)
            }
        }
    };
}

pub(crate) use impl_bulk_load;
