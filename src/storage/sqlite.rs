//! The embedded database: SQLite in WAL mode with foreign keys and a busy timeout.

use super::common::impl_storage;
use super::{Backend, StorageError, StorageResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

/// Storage on an SQLite file.
#[derive(Clone, Debug)]
pub struct SqliteStorage {
    pub(crate) pool: SqlitePool,
    cache: std::sync::Arc<super::list_cache::ListCache>,
}

impl SqliteStorage {
    /// Opens (creating if needed) the database at `url`, e.g. `sqlite://data/patron.db`.
    pub async fn connect(url: &str) -> StorageResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        if let Some(parent) = options.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| StorageError::Database(sqlx::Error::Io(e)))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await?;
        Ok(SqliteStorage { pool, cache: Default::default() })
    }

    /// Starts a transaction that takes the write lock at once, so concurrent writers queue on the
    /// busy timeout instead of failing when a read lock cannot be upgraded.
    async fn begin_write(&self) -> StorageResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// SQLite has no row locks: `BEGIN IMMEDIATE` already holds the database's write lock.
    const LOCK_ROW: &'static str = "";

    /// Substring search through the trigram index (three characters or more), else a scan.
    fn push_search(qb: &mut sqlx::QueryBuilder<sqlx::Sqlite>, term: &str) {
        if term.chars().count() >= 3 {
            let phrase = format!("\"{}\"", term.replace('"', "\"\""));
            qb.push("c.id IN (SELECT rowid FROM customers_search WHERE customers_search MATCH ")
                .push_bind(phrase)
                .push(")");
        } else {
            qb.push("instr(c.search_text, ").push_bind(term.to_owned()).push(") > 0");
        }
    }

    async fn run_migrations(&self) -> StorageResult<()> {
        sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?;
        self.refresh_statistics().await
    }

    /// Lets the query planner know the tables' shapes (bounded work, safe on big databases).
    async fn refresh_statistics(&self) -> StorageResult<()> {
        sqlx::query("PRAGMA analysis_limit = 1000").execute(&self.pool).await?;
        sqlx::query("PRAGMA optimize = 0x10002").execute(&self.pool).await?;
        Ok(())
    }
}

impl_storage!(SqliteStorage, sqlx::Sqlite, Backend::Sqlite);
