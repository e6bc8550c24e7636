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
            .pragma("cache_size", "-8192")
            .pragma("temp_store", "memory");
        if let Some(parent) = options.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| StorageError::Database(sqlx::Error::Io(e)))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(6)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await?;
        Ok(SqliteStorage { pool, cache: Default::default() })
    }

    /// Written before a column, keeps SQLite's planner from using that column's index (unary plus).
    const NO_INDEX: &'static str = "+";

    /// How a write transaction starts.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";

    /// A connection of its own for a bulk load, with a page cache (up to 1 GB) large enough to
    /// keep a million customers' indexes in memory while it lasts; it only grows as far as the
    /// load needs (about 0.9 GB peak for 1,000,000 customers). It is closed when dropped, so the
    /// cache never stays in the pool, even when the load fails half-way.
    async fn bulk_connection(&self) -> StorageResult<sqlx::pool::PoolConnection<sqlx::Sqlite>> {
        let mut connection = self.pool.acquire().await?;
        connection.close_on_drop();
        sqlx::query("PRAGMA cache_size = -1048576").execute(&mut *connection).await?;
        Ok(connection)
    }

    /// Starts a transaction that takes the write lock at once, so concurrent writers queue on the
    /// busy timeout instead of failing when a read lock cannot be upgraded.
    async fn begin_write(&self) -> StorageResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// SQLite has no row locks: `BEGIN IMMEDIATE` already holds the database's write lock.
    const LOCK_ROW: &'static str = "";

    /// Substring search: the trigram index finds the candidates (terms of three characters or
    /// more), and `instr` keeps those that hold the exact substring.
    fn push_search(qb: &mut sqlx::QueryBuilder<sqlx::Sqlite>, term: &str) {
        qb.push("(");
        if let Some(trigrams) = trigram_query(term) {
            qb.push("c.id IN (SELECT rowid FROM customers_search WHERE customers_search MATCH ");
            qb.push_bind(trigrams);
            qb.push(") AND ");
        }
        qb.push("instr(c.search_text, ").push_bind(term.to_owned()).push(") > 0)");
    }

    async fn run_migrations(&self) -> StorageResult<()> {
        sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?;
        self.refresh_statistics().await
    }

    /// Lets the query planner know the tables' shapes (bounded work, safe on big databases).
    async fn refresh_statistics(&self) -> StorageResult<()> {
        let mut connection = self.pool.acquire().await?;
        sqlx::query("PRAGMA analysis_limit = 400").execute(&mut *connection).await?;
        sqlx::query("ANALYZE customers").execute(&mut *connection).await?;
        sqlx::query("ANALYZE points_ledger").execute(&mut *connection).await?;
        Ok(())
    }
}

/// The FTS5 query for rows holding every trigram of `term` (`"sar" AND "ari"` for `sari`), or
/// `None` for terms shorter than three characters.
fn trigram_query(term: &str) -> Option<String> {
    let chars: Vec<char> = term.chars().collect();
    let mut trigrams: Vec<String> = chars.windows(3).map(|w| w.iter().collect()).collect();
    trigrams.sort_unstable();
    trigrams.dedup();
    (!trigrams.is_empty())
        .then(|| trigrams.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect::<Vec<_>>().join(" AND "))
}

impl_storage!(SqliteStorage, sqlx::Sqlite, Backend::Sqlite);

#[cfg(test)]
mod tests {
    use super::trigram_query;

    #[test]
    fn search_terms_become_quoted_trigrams() {
        assert_eq!(trigram_query("sari").as_deref(), Some("\"ari\" AND \"sar\""));
        assert_eq!(trigram_query("a\"bc").as_deref(), Some("\"\"\"bc\" AND \"a\"\"b\""));
        assert_eq!(trigram_query("ab"), None);
    }
}
