//! The activity log: one row per change, written by the storage call that makes the change, in
//! its transaction, so a change and its record are kept or undone together.

use super::{Page, StorageResult};
use crate::domain::activity::{ActivityAction, TargetType};
use crate::domain::RequestContext;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::net::IpAddr;

/// A row to write: who (the actor's email is read from the users table as it is now, and kept),
/// what, to which record, and the details.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivityEntry {
    /// The tenant the row belongs to.
    pub tenant_id: i64,
    /// The user who acted (none for the system).
    pub actor_id: Option<i64>,
    /// Where the request came from.
    pub client: Option<IpAddr>,
    /// What was done.
    pub action: ActivityAction,
    /// The kind of record acted on.
    pub target_type: TargetType,
    /// The record acted on.
    pub target_id: Option<i64>,
    /// The record as it was named at the time (a user's email); left empty for a customer, it is
    /// the customer's name as the transaction sees it.
    pub target_label: String,
    /// What changed, as JSON.
    pub details: Value,
}

impl ActivityEntry {
    /// A row for what the caller did to a record.
    pub fn by(
        ctx: &RequestContext,
        action: ActivityAction,
        target_type: TargetType,
        target_id: i64,
        target_label: impl Into<String>,
        details: Value,
    ) -> Self {
        ActivityEntry {
            tenant_id: ctx.tenant_id,
            actor_id: Some(ctx.user_id),
            client: ctx.client,
            action,
            target_type,
            target_id: Some(target_id),
            target_label: target_label.into(),
            details,
        }
    }

    /// A row for a failed sign-in with a user's email: no actor (whoever typed it is unknown),
    /// the user as the target, and why it failed.
    pub fn sign_in_failed(user: &super::User, client: Option<IpAddr>) -> Self {
        let reason = if user.is_active { "wrong password" } else { "inactive" };
        ActivityEntry {
            tenant_id: user.tenant_id,
            actor_id: None,
            client,
            action: ActivityAction::AuthSignInFailed,
            target_type: TargetType::User,
            target_id: Some(user.id),
            target_label: user.email.clone(),
            details: serde_json::json!({ "reason": reason }),
        }
    }
}

/// A stored row.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct ActivityRow {
    /// Its id (rows are numbered in the order they were written).
    pub id: i64,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Who (none for the system or a deleted user).
    pub actor_id: Option<i64>,
    /// Their email at the time.
    pub actor_email: String,
    /// What (`customer.updated`, …).
    pub action: String,
    /// The kind of record.
    pub target_type: String,
    /// The record.
    pub target_id: Option<i64>,
    /// Its name at the time.
    pub target_label: String,
    /// What changed, as written with the row.
    #[sqlx(try_from = "String")]
    pub details: StoredDetails,
    /// Where the request came from.
    pub client_address: Option<String>,
}

/// The details of a stored row: the JSON written with it, read back (null if the stored text
/// is ever not JSON).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredDetails(pub Value);

impl From<String> for StoredDetails {
    fn from(text: String) -> Self {
        StoredDetails(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// Which rows to list; every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActivityFilter {
    /// Rows by this user.
    pub actor: Option<i64>,
    /// Rows of this action.
    pub action: Option<ActivityAction>,
    /// Rows about this kind of record.
    pub target_type: Option<TargetType>,
    /// Rows about this record.
    pub target_id: Option<i64>,
    /// Rows written at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Rows written at or before this time.
    pub until: Option<DateTime<Utc>>,
}

/// Reading and writing the log.
#[async_trait]
pub trait ActivityLog {
    /// Writes one row on its own (for what changes nothing else: a failed sign-in).
    async fn record_activity(&self, entry: &ActivityEntry) -> StorageResult<()>;

    /// A page of the caller's tenant's rows, newest first.
    async fn activity(
        &self,
        ctx: &RequestContext,
        filter: &ActivityFilter,
        offset: u64,
        limit: u64,
    ) -> StorageResult<Page<ActivityRow>>;
}

/// Writes an activity row: tenant, when, actor, action, target type, target id, target label
/// (empty: the customer's name as the transaction sees it), details, client address.
pub(crate) const ACTIVITY_INSERT: &str =
    "INSERT INTO activity (tenant_id, created_at, actor_id, actor_email, action, target_type, \
     target_id, target_label, details, client_address) \
     VALUES ($1, $2, $3, COALESCE((SELECT email FROM users WHERE id = $3), ''), $4, $5, $6, \
     COALESCE(NULLIF($7, ''), (SELECT name FROM customers WHERE id = $6 AND tenant_id = $1 \
     AND $5 = 'customer'), ''), $8, $9)";

/// Implements [`ActivityLog`] and the in-transaction writer for a [`Dialect`](super::Dialect).
macro_rules! impl_activity {
    ($backend:ty) => {
        impl $backend {
            /// Writes an activity row on `connection` (the change's transaction).
            async fn write_activity(
                connection: &mut <<$backend as $crate::storage::Dialect>::Db as sqlx::Database>::Connection,
                entry: &$crate::storage::ActivityEntry,
                at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                let mut batch = Self::write_batch();
                Self::push_activity(&mut batch, entry, at);
                batch.run(connection).await
            }

            /// Adds an activity row to a write's batch.
            fn push_activity(
                batch: &mut $crate::storage::write_batch::WriteBatch<<$backend as $crate::storage::Dialect>::Db>,
                entry: &$crate::storage::ActivityEntry,
                at: chrono::DateTime<chrono::Utc>,
            ) {
                batch
                    .push($crate::storage::activity::ACTIVITY_INSERT)
                    .bind(entry.tenant_id)
                    .bind(at)
                    .bind(entry.actor_id)
                    .bind(entry.action.as_str())
                    .bind(entry.target_type.as_str())
                    .bind(entry.target_id)
                    .bind(entry.target_label.as_str())
                    .bind(entry.details.to_string())
                    .bind(entry.client.map(|ip| ip.to_string()));
            }

            fn push_activity_filter(
                query: &mut sqlx::QueryBuilder<<$backend as $crate::storage::Dialect>::Db>,
                tenant_id: i64,
                filter: &$crate::storage::ActivityFilter,
            ) {
                query.push(" WHERE tenant_id = ").push_bind(tenant_id);
                if let Some(actor) = filter.actor {
                    query.push(" AND actor_id = ").push_bind(actor);
                }
                if let Some(action) = filter.action {
                    query.push(" AND action = ").push_bind(action.as_str());
                }
                if let Some(target_type) = filter.target_type {
                    query.push(" AND target_type = ").push_bind(target_type.as_str());
                }
                if let Some(target_id) = filter.target_id {
                    query.push(" AND target_id = ").push_bind(target_id);
                }
                if let Some(since) = filter.since {
                    query.push(" AND created_at >= ").push_bind(since);
                }
                if let Some(until) = filter.until {
                    query.push(" AND created_at <= ").push_bind(until);
                }
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::ActivityLog for $backend {
            async fn record_activity(
                &self,
                entry: &$crate::storage::ActivityEntry,
            ) -> $crate::storage::StorageResult<()> {
                use $crate::storage::Dialect;
                Self::write_activity(&mut *self.writer().await?, entry, $crate::storage::now()).await
            }

            async fn activity(
                &self,
                ctx: &$crate::domain::RequestContext,
                filter: &$crate::storage::ActivityFilter,
                offset: u64,
                limit: u64,
            ) -> $crate::storage::StorageResult<$crate::storage::Page<$crate::storage::ActivityRow>> {
                use $crate::storage::Dialect;
                type Db = <$backend as $crate::storage::Dialect>::Db;
                let mut count = sqlx::QueryBuilder::<Db>::new("SELECT COUNT(*) FROM activity");
                Self::push_activity_filter(&mut count, ctx.tenant_id, filter);
                let total: i64 = count.build_query_scalar().fetch_one(&mut *self.reader().await?).await?;
                let mut rows = sqlx::QueryBuilder::<Db>::new(
                    "SELECT id, created_at, actor_id, actor_email, action, target_type, target_id, target_label, \
                     details, client_address FROM activity",
                );
                Self::push_activity_filter(&mut rows, ctx.tenant_id, filter);
                rows.push(" ORDER BY id DESC LIMIT ").push_bind($crate::storage::sql::bigint(limit));
                rows.push(" OFFSET ").push_bind($crate::storage::sql::bigint(offset));
                let items = rows.build_query_as().fetch_all(&mut *self.reader().await?).await?;
                Ok($crate::storage::Page { count: $crate::storage::sql::count(total), items })
            }
        }
    };
}

pub(crate) use impl_activity;
