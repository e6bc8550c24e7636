//! PostgreSQL, for operators who run several app instances on one database, and its
//! [`Dialect`]; every aggregate's SQL is implemented for it here.

use super::bulk_load::{ImportedCustomer, LoadedEmails};
use super::list_cache::ListCache;
use super::user_cache::UserCache;
use super::write_batch::BatchForm;
use super::{Dialect, StorageResult};
use crate::domain::LoyaltyProgram;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{ConnectOptions, PgConnection, PgPool, Postgres};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The channel on which a transaction that changes a user announces it (the user's id).
const USER_CHANGES: &str = "patron_user_changes";

/// How long the listener waits before subscribing again after losing its connection.
const RESUBSCRIBE_AFTER: Duration = Duration::from_secs(1);

/// Storage on a PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PostgresStorage {
    pool: PgPool,
    cache: Arc<ListCache>,
    users: Arc<UserCache>,
    /// Stops the listener that keeps `users` current when the last clone is dropped.
    _listener: Arc<ListenerTask>,
}

/// The task following [`USER_CHANGES`], stopped when dropped.
#[derive(Debug)]
struct ListenerTask(tokio::task::AbortHandle);

impl Drop for ListenerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Keeps `users` current: subscribes to [`USER_CHANGES`] on a connection of its own, forgets
/// each user announced, and while it is not subscribed (the database out of reach) has the cache
/// serve nothing.
async fn follow_user_changes(options: PgConnectOptions, users: Arc<UserCache>) {
    let pool = PgPoolOptions::new().max_connections(1).connect_lazy_with(options.disable_statement_logging());
    loop {
        if let Ok(mut listener) = PgListener::connect_with(&pool).await {
            listener.eager_reconnect(false);
            if listener.listen(USER_CHANGES).await.is_ok() {
                users.set_live(true);
                while let Ok(Some(notification)) = listener.try_recv().await {
                    match notification.payload().parse::<i64>() {
                        Ok(id) => users.forget(id),
                        // Not an id (not ours): forget everyone, to be safe.
                        Err(_) => users.set_live(true),
                    }
                }
                users.set_live(false);
                tracing::warn!(
                    "lost the connection that follows changes of users; users are read every time until it is back"
                );
            }
        }
        tokio::time::sleep(RESUBSCRIBE_AFTER).await;
    }
}

impl PostgresStorage {
    /// Connects to the database at `url`, e.g. `postgres://postgres@127.0.0.1/patron`.
    pub async fn connect(url: &str) -> StorageResult<Self> {
        let options = PgConnectOptions::from_str(url)?.application_name("patron");
        // A request waits at most 1.5 s for a connection: when the database stops, callers get
        // 503 with `Retry-After` within 2 s instead of hanging, and the pool reconnects by
        // itself on the first request after it is back.
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .min_connections(1)
            .acquire_timeout(Duration::from_millis(1500))
            .connect_with(options.clone())
            .await?;
        let users = Arc::new(UserCache::default());
        let listener = tokio::spawn(follow_user_changes(options, users.clone())).abort_handle();
        Ok(PostgresStorage { pool, cache: Arc::default(), users, _listener: Arc::new(ListenerTask(listener)) })
    }
}

#[async_trait]
impl Dialect for PostgresStorage {
    type Db = Postgres;

    /// PostgreSQL plans from statistics; no hint is needed (or valid) before a column.
    const NO_INDEX: &'static str = "";

    /// Locks the row read before a write that depends on it.
    const LOCK_ROW: &'static str = " FOR UPDATE";

    /// Share-locks a row other writes read but do not change (the tenant's program).
    const SHARE_ROW: &'static str = " FOR SHARE";

    /// A read-committed transaction; rows a write depends on are locked with [`Self::LOCK_ROW`].
    const BEGIN_WRITE: &'static str = "BEGIN";

    /// PostgreSQL runs one statement per request: a batch is one statement of `WITH` clauses.
    const BATCH_FORM: BatchForm = BatchForm::WithClauses;

    /// The next value of the identity column's sequence.
    const NEXT_CUSTOMER_ID: &'static str = "nextval(pg_get_serial_sequence('customers', 'id'))";

    fn pool(&self) -> &PgPool {
        &self.pool
    }

    fn list_cache(&self) -> &ListCache {
        &self.cache
    }

    /// Reading a user is a round trip to PostgreSQL: the users requests act as are remembered.
    fn user_cache(&self) -> Option<&UserCache> {
        Some(&self.users)
    }

    /// `NOTIFY`, delivered to every listener when the transaction commits (and never if it rolls
    /// back).
    async fn announce_user_change(connection: &mut PgConnection, id: i64) -> StorageResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)").bind(USER_CHANGES).bind(id.to_string()).execute(connection).await?;
        Ok(())
    }

    /// A connection of its own: PostgreSQL needs no other set-up for a bulk load.
    async fn bulk_connection(&self) -> StorageResult<PgConnection> {
        Ok((*self.pool.connect_options()).clone().disable_statement_logging().connect().await?)
    }

    /// When the customers table is empty: its secondary indexes (the trigram index above all),
    /// the counter buckets' insert trigger, and the foreign keys from the history tables the
    /// load writes to the customers. The buckets are counted again from the table at the end,
    /// once, instead of by the trigger from every batch's copy of its rows; each foreign key checks
    /// every row on its own (a quarter of a million-customer load's time), where adding it back
    /// checks them all in one join. Dropping an index or a key locks its tables until the load
    /// commits, which holds up nobody while no tenant has a customer (a fresh database);
    /// otherwise nothing is dropped. The keys to the tenants stay: dropping them would lock
    /// the tenants table, which every request reads.
    async fn defer_customer_indexes(
        tx: &mut sqlx::Transaction<'_, Postgres>,
        _expected: u64,
    ) -> StorageResult<Vec<String>> {
        let empty: bool =
            sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM customers)").fetch_one(&mut **tx).await?;
        if !empty {
            return Ok(Vec::new());
        }
        let deferred: Vec<(String, String)> = sqlx::query_as(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index \
             WHERE indrelid = 'customers'::regclass AND NOT indisunique AND NOT indisprimary",
        )
        .fetch_all(&mut **tx)
        .await?;
        for (name, _) in &deferred {
            // The names and definitions are the database's own, read from its catalog.
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}"))).execute(&mut **tx).await?;
        }
        let keys: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE contype = 'f' AND confrelid = 'customers'::regclass \
             AND conrelid IN ('points_ledger'::regclass, 'tier_changes'::regclass, 'points_lots'::regclass)",
        )
        .fetch_all(&mut **tx)
        .await?;
        for (table, name, _) in &keys {
            // The names are the database's own, read from its catalog.
            sqlx::query(sqlx::AssertSqlSafe(format!("ALTER TABLE {table} DROP CONSTRAINT {name}")))
                .execute(&mut **tx)
                .await?;
        }
        sqlx::query("ALTER TABLE customers DISABLE TRIGGER customer_counters_insert").execute(&mut **tx).await?;
        let mut rebuild = vec!["SET LOCAL maintenance_work_mem = '256MB'".to_owned()];
        rebuild.extend(deferred.into_iter().map(|(_, definition)| definition));
        rebuild.extend(
            [
                "ALTER TABLE customers ENABLE TRIGGER customer_counters_insert",
                "DELETE FROM customer_counters",
                "INSERT INTO customer_counters (tenant_id, is_active, tier, shard, customers, points) \
                 SELECT tenant_id, is_active, tier, (id % 16)::SMALLINT, COUNT(*), SUM(loyalty_points) \
                 FROM customers GROUP BY tenant_id, is_active, tier, (id % 16)::SMALLINT",
            ]
            .map(String::from),
        );
        rebuild.extend(
            keys.into_iter()
                .map(|(table, name, definition)| format!("ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")),
        );
        Ok(rebuild)
    }

    /// `COPY` (see [`bulk_copy`](super::bulk_copy)) for the customers whose emails are new to the
    /// load: the table was empty when it started, so only the load itself can have taken them.
    async fn copy_loaded_customers(
        tx: &mut sqlx::Transaction<'_, Postgres>,
        tenant_id: i64,
        program: LoyaltyProgram,
        batch: Vec<ImportedCustomer>,
        loaded: &mut LoadedEmails,
        now: DateTime<Utc>,
    ) -> StorageResult<(u64, Vec<ImportedCustomer>)> {
        let (fresh, rest): (Vec<_>, Vec<_>) = batch.into_iter().partition(|c| loaded.first_time(&c.email.key()));
        for round in fresh.chunks(super::bulk_copy::CUSTOMERS_PER_COPY) {
            super::bulk_copy::copy_customers(tx, tenant_id, program, round, now).await?;
        }
        Ok((fresh.len() as u64, rest))
    }

    /// Substring search through the trigram GIN index.
    fn push_search(query: &mut sqlx::QueryBuilder<Postgres>, term: &str) {
        let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        query.push("c.search_text LIKE ").push_bind(format!("%{escaped}%"));
    }

    async fn run_migrations(&self) -> StorageResult<()> {
        sqlx::migrate!("./migrations/postgres").run(&self.pool).await?;
        Ok(())
    }

    /// `ANALYZE` of the tables a bulk load fills (a sample of 30,000 rows each, whatever their
    /// size); autovacuum keeps them current afterwards.
    async fn refresh_statistics(&self) -> StorageResult<()> {
        sqlx::query("ANALYZE customers, points_ledger, tier_changes, points_lots, customer_counters")
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

super::app_settings::impl_app_settings!(PostgresStorage);
super::accounts::impl_accounts!(PostgresStorage);
super::accounts::impl_own_auth!(PostgresStorage);
super::activity::impl_activity!(PostgresStorage);
super::sign_in_limits::impl_sign_in_limits!(PostgresStorage);
super::refresh_tokens::impl_refresh_tokens!(PostgresStorage);
super::sessions::impl_sessions!(PostgresStorage);
super::customers::impl_customers!(PostgresStorage);
super::list_page::impl_versioned_reads!(PostgresStorage);
super::customer_writes::impl_customer_writes!(PostgresStorage);
super::balance::impl_balance!(PostgresStorage);
super::ledger::impl_ledger!(PostgresStorage);
super::orders::impl_orders!(PostgresStorage);
super::loyalty::impl_loyalty!(PostgresStorage);
super::idempotency::impl_idempotency!(PostgresStorage);
super::bulk_load::impl_bulk_load!(PostgresStorage);
super::privacy::impl_privacy!(PostgresStorage);
super::imports::impl_imports!(PostgresStorage);
super::duplicates::impl_duplicates!(PostgresStorage);
super::merges::impl_merges!(PostgresStorage);
super::health::impl_health!(PostgresStorage);
