//! PostgreSQL, for operators who run several app instances on one database.

use super::common::impl_storage;
use super::{Backend, StorageResult};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;

/// Storage on a PostgreSQL database.
#[derive(Clone, Debug)]
pub struct PostgresStorage {
    pub(crate) pool: PgPool,
    cache: std::sync::Arc<super::list_cache::ListCache>,
}

impl PostgresStorage {
    /// Connects to the database at `url`, e.g. `postgres://postgres@127.0.0.1/patron`.
    pub async fn connect(url: &str) -> StorageResult<Self> {
        let options = PgConnectOptions::from_str(url)?.application_name("patron");
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(PostgresStorage { pool, cache: Default::default() })
    }

    /// PostgreSQL plans from statistics; no hint is needed (or valid) before a column.
    const NO_INDEX: &'static str = "";

    /// How a write transaction starts.
    const BEGIN_WRITE: &'static str = "BEGIN";

    /// A connection for a bulk load.
    async fn bulk_connection(&self) -> StorageResult<sqlx::pool::PoolConnection<sqlx::Postgres>> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a read-committed transaction for a write.
    async fn begin_write(&self) -> StorageResult<sqlx::Transaction<'static, sqlx::Postgres>> {
        Ok(self.pool.begin().await?)
    }

    /// Locks the row read before a write that depends on it.
    const LOCK_ROW: &'static str = " FOR UPDATE";

    /// Substring search through the trigram GIN index.
    fn push_search(qb: &mut sqlx::QueryBuilder<sqlx::Postgres>, term: &str) {
        let escaped = term.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        qb.push("c.search_text LIKE ").push_bind(format!("%{escaped}%"));
    }

    async fn run_migrations(&self) -> StorageResult<()> {
        sqlx::migrate!("./migrations/postgres").run(&self.pool).await?;
        Ok(())
    }
}

impl_storage!(PostgresStorage, sqlx::Postgres, Backend::Postgres);
