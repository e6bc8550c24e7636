//! Duplicates: the groups of a tenant's customers that share a duplicate key (`duplicate_keys`),
//! read from the keys' indexes, and the keys of customers written before they existed.

use super::{Page, StorageResult};
use crate::domain::merge::DuplicateGroup;
use crate::domain::RequestContext;
use async_trait::async_trait;

/// How many customers of one group are listed (a merge takes one survivor and ten others).
pub const GROUP_CUSTOMERS: usize = crate::domain::merge::MAX_ABSORBED + 1;

/// Finding duplicate customers.
#[async_trait]
pub trait Duplicates {
    /// A page of the caller's duplicate groups (by email, then phone, then name; each by key),
    /// with the total number of groups.
    async fn duplicate_groups(
        &self,
        ctx: &RequestContext,
        offset: u64,
        limit: u64,
    ) -> StorageResult<Page<DuplicateGroup>>;

    /// Computes the duplicate keys of customers written before they existed; how many.
    async fn fill_duplicate_keys(&self) -> StorageResult<u64>;
}

/// Implements [`Duplicates`] for a [`Dialect`](super::Dialect) that has the customer helpers.
macro_rules! impl_duplicates {
    ($backend:ty) => {
        impl $backend {
            /// The caller's customers among `ids`, in the order of `ids`, read in one query.
            async fn customers_by_ids(
                tx: &mut sqlx::Transaction<'_, <$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                ids: &[i64],
            ) -> $crate::storage::StorageResult<Vec<$crate::domain::Customer>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut query = sqlx::QueryBuilder::<<$backend as $crate::storage::Dialect>::Db>::new(
                    $crate::storage::sql::CUSTOMER_SELECT,
                );
                query.push(" WHERE c.tenant_id = ").push_bind(tenant_id).push(" AND c.id IN (");
                let mut list = query.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                query.push(")");
                let found: Vec<$crate::domain::Customer> = query.build_query_as().fetch_all(&mut **tx).await?;
                let mut by_id: std::collections::HashMap<i64, $crate::domain::Customer> =
                    found.into_iter().map(|customer| (customer.id, customer)).collect();
                Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::duplicates::Duplicates for $backend {
            async fn duplicate_groups(
                &self,
                ctx: &$crate::domain::RequestContext,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<$crate::storage::Page<$crate::domain::merge::DuplicateGroup>> {
                use $crate::domain::merge::{DuplicateGroup, DuplicateReason};
                use $crate::storage::Dialect;
                const GROUPS: &str = "SELECT CAST(0 AS BIGINT) AS reason, dup_email AS dup_key FROM customers \
                     WHERE tenant_id = $1 AND dup_email IS NOT NULL GROUP BY dup_email HAVING COUNT(*) > 1 \
                     UNION ALL SELECT CAST(1 AS BIGINT), dup_phone FROM customers \
                     WHERE tenant_id = $1 AND dup_phone IS NOT NULL GROUP BY dup_phone HAVING COUNT(*) > 1 \
                     UNION ALL SELECT CAST(2 AS BIGINT), dup_name FROM customers \
                     WHERE tenant_id = $1 AND dup_name <> '' GROUP BY dup_name HAVING COUNT(*) > 1";
                const PAGE: &str = const_format::concatcp!(
                    "SELECT reason, dup_key, COUNT(*) OVER () FROM (",
                    GROUPS,
                    ") AS g ORDER BY reason, dup_key LIMIT $2 OFFSET $3"
                );
                const COUNT: &str = const_format::concatcp!("SELECT COUNT(*) FROM (", GROUPS, ") AS g");
                let rows: Vec<(i64, String, i64)> = sqlx::query_as(PAGE)
                    .bind(ctx.tenant_id)
                    .bind($crate::storage::sql::bigint(limit))
                    .bind($crate::storage::sql::bigint(offset))
                    .fetch_all(&mut *self.reader().await?)
                    .await?;
                let count = match rows.first() {
                    Some((_, _, total)) => *total,
                    None => sqlx::query_scalar(COUNT).bind(ctx.tenant_id).fetch_one(&mut *self.reader().await?).await?,
                };
                // Each group's first customers by the key's index, then all of the page's customers
                // in one query.
                let mut members = Vec::with_capacity(rows.len());
                let mut tx = self.pool().begin().await?;
                for (rank, key, _) in rows {
                    let reason = usize::try_from(rank).ok().and_then(|rank| DuplicateReason::ALL.get(rank).copied());
                    let Some(reason) = reason else { continue };
                    let column = match reason {
                        DuplicateReason::Email => "dup_email",
                        DuplicateReason::Phone => "dup_phone",
                        DuplicateReason::Name => "dup_name",
                    };
                    let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT id FROM customers WHERE tenant_id = $1 AND {column} = $2 ORDER BY created_at, id LIMIT $3"
                    )))
                    .bind(ctx.tenant_id)
                    .bind(&key)
                    .bind($crate::storage::sql::bigint($crate::storage::duplicates::GROUP_CUSTOMERS as u64))
                    .fetch_all(&mut *tx)
                    .await?;
                    members.push((reason, ids));
                }
                let all: Vec<i64> = members.iter().flat_map(|(_, ids)| ids.iter().copied()).collect();
                let customers: std::collections::HashMap<i64, $crate::domain::Customer> =
                    Self::customers_by_ids(&mut tx, ctx.tenant_id, &all).await?.into_iter().map(|c| (c.id, c)).collect();
                let groups = members
                    .into_iter()
                    .map(|(reason, ids)| DuplicateGroup {
                        reason,
                        customers: ids.iter().filter_map(|id| customers.get(id).cloned()).collect(),
                    })
                    .collect();
                tx.commit().await?;
                Ok($crate::storage::Page { count: $crate::storage::sql::count(count), items: groups })
            }

            async fn fill_duplicate_keys(&self) -> $crate::storage::StorageResult<u64> {
                use $crate::storage::duplicate_keys::DuplicateKeys;
                use $crate::storage::Dialect;
                let mut filled = 0_u64;
                loop {
                    let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
                        "SELECT id, name, email, phone, city FROM customers WHERE dup_name IS NULL ORDER BY id LIMIT 2000",
                    )
                    .fetch_all(&mut *self.reader().await?)
                    .await?;
                    if rows.is_empty() {
                        return Ok(filled);
                    }
                    let mut writer = self.writer().await?;
                    let mut tx = writer.begin().await?;
                    for (id, name, email, phone, city) in rows {
                        // An erased customer is nobody's duplicate.
                        let keys = if email == $crate::storage::privacy::erased_email(id) {
                            DuplicateKeys { email: None, phone: None, name: String::new() }
                        } else {
                            DuplicateKeys::of(&name, &email, &phone, &city)
                        };
                        sqlx::query("UPDATE customers SET dup_email = $2, dup_phone = $3, dup_name = $4 WHERE id = $1")
                            .bind(id)
                            .bind(keys.email)
                            .bind(keys.phone)
                            .bind(keys.name)
                            .execute(&mut *tx)
                            .await?;
                        filled += 1;
                    }
                    tx.commit().await?;
                }
            }
        }
    };
}

pub(crate) use impl_duplicates;
