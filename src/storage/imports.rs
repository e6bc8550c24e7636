//! Importing a file of customers: finding the customers its emails name, and writing its new
//! and changed customers in one transaction.

use super::{ImportedCustomer, StorageResult};
use crate::domain::customer_input::CustomerPatch;
use crate::domain::{Customer, RequestContext};
use async_trait::async_trait;

/// A customer a file's email names, with its opening totals.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExistingCustomer {
    /// The customer.
    #[sqlx(flatten)]
    pub customer: Customer,
    /// Orders from before Patron (part of `total_orders`).
    pub opening_orders: i64,
    /// Spend from before Patron, minor units (part of `total_spent_minor`).
    pub opening_spent_minor: i64,
}

/// A change to an existing customer from a row of a file.
#[derive(Clone, Debug)]
pub struct ImportUpdate {
    /// The customer.
    pub id: i64,
    /// The fields that change.
    pub patch: CustomerPatch,
    /// Added to the opening (and total) orders.
    pub orders_delta: i64,
    /// Added to the opening (and total) spend, minor units.
    pub spent_delta: i64,
}

/// What an import writes.
#[derive(Clone, Debug, Default)]
pub struct ImportPlan {
    /// New customers (their points are imported ledger rows).
    pub creates: Vec<ImportedCustomer>,
    /// Changed customers.
    pub updates: Vec<ImportUpdate>,
    /// Rows of the file that match their customer already (for the activity row).
    pub unchanged: usize,
}

/// Reading and writing for an import.
#[async_trait]
pub trait Imports {
    /// The caller's customers whose email keys are among `keys`.
    async fn customers_by_email(&self, ctx: &RequestContext, keys: &[String]) -> StorageResult<Vec<ExistingCustomer>>;

    /// Writes the plan in one transaction, with one activity row summing it up and
    /// the usual row for each changed customer; calls `progress` with the rows done so far
    /// after each chunk. [`Conflict`](super::StorageError::Conflict) when a new customer's
    /// email was taken meanwhile (nothing is written then).
    async fn apply_import(
        &self,
        ctx: &RequestContext,
        plan: &ImportPlan,
        progress: &(dyn Fn(usize) + Send + Sync),
    ) -> StorageResult<()>;
}

/// How many customers go in one statement (and between progress reports).
pub const IMPORT_CHUNK: usize = 500;

/// Implements [`Imports`] for a [`Dialect`](super::Dialect) that has the customer, balance and
/// bulk helpers.
macro_rules! impl_imports {
    ($backend:ty) => {
        #[async_trait::async_trait]
        impl $crate::storage::Imports for $backend {
            async fn customers_by_email(
                &self,
                ctx: &$crate::domain::RequestContext,
                keys: &[String],
            ) -> $crate::storage::StorageResult<Vec<$crate::storage::imports::ExistingCustomer>> {
                use $crate::storage::Dialect;
                let mut found = Vec::with_capacity(keys.len());
                for chunk in keys.chunks($crate::storage::imports::IMPORT_CHUNK) {
                    let mut query = sqlx::QueryBuilder::<<$backend as $crate::storage::Dialect>::Db>::new(
                        $crate::storage::sql::CUSTOMER_SELECT.replace(" FROM", ", c.opening_orders, c.opening_spent_minor FROM"),
                    );
                    query.push(" WHERE c.tenant_id = ").push_bind(ctx.tenant_id).push(" AND c.email_key IN (");
                    let mut keys = query.separated(", ");
                    for key in chunk {
                        keys.push_bind(key.clone());
                    }
                    query.push(")");
                    found.extend(query.build_query_as().fetch_all(&mut *self.reader().await?).await?);
                }
                Ok(found)
            }

            async fn apply_import(
                &self,
                ctx: &$crate::domain::RequestContext,
                plan: &$crate::storage::imports::ImportPlan,
                progress: &(dyn Fn(usize) + Send + Sync),
            ) -> $crate::storage::StorageResult<()> {
                use $crate::storage::customer_writes::EditKind;
                use $crate::storage::imports::IMPORT_CHUNK;
                use $crate::storage::Dialect;
                let mut writer = self.writer().await?;
                let mut tx = writer.begin().await?;
                let program = Self::held_program(&mut tx, ctx.tenant_id).await?;
                let now = $crate::storage::now();
                let mut done = 0;
                for chunk in plan.creates.chunks(IMPORT_CHUNK) {
                    let written = Self::insert_customers(&mut tx, ctx.tenant_id, Some(ctx), program, chunk, now).await?;
                    if written.len() != chunk.len() {
                        return Err($crate::storage::StorageError::Conflict);
                    }
                    done += chunk.len();
                    progress(done);
                }
                for chunk in plan.updates.chunks(IMPORT_CHUNK) {
                    for update in chunk {
                        if !Self::edit_in(&mut tx, ctx, program, update.id, &update.patch, EditKind::IMPORT).await? {
                            return Err($crate::storage::StorageError::Conflict);
                        }
                        if update.orders_delta != 0 || update.spent_delta != 0 {
                            sqlx::query(
                                "UPDATE customers SET opening_orders = opening_orders + $3, \
                                 total_orders = total_orders + $3, opening_spent_minor = opening_spent_minor + $4, \
                                 total_spent_minor = total_spent_minor + $4 WHERE id = $1 AND tenant_id = $2",
                            )
                            .bind(update.id)
                            .bind(ctx.tenant_id)
                            .bind(update.orders_delta)
                            .bind(update.spent_delta)
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                    done += chunk.len();
                    progress(done);
                }
                let entry = $crate::storage::ActivityEntry::by(
                    ctx,
                    $crate::domain::activity::ActivityAction::CustomersImported,
                    $crate::domain::activity::TargetType::Tenant,
                    ctx.tenant_id,
                    "CSV import",
                    serde_json::json!({
                        "rows": plan.creates.len() + plan.updates.len() + plan.unchanged,
                        "created": plan.creates.len(),
                        "updated": plan.updates.len(),
                        "unchanged": plan.unchanged,
                    }),
                );
                Self::write_activity(&mut *tx, &entry, now).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_imports;
