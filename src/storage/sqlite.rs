//! The embedded database: SQLite in WAL mode with foreign keys and a busy timeout, and its
//! [`Dialect`]; every aggregate's SQL is implemented for it here.

use super::list_cache::ListCache;
use super::{Dialect, StorageError, StorageResult, WriteConnection, WriterQueue};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Sqlite, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Storage on an SQLite file.
#[derive(Clone, Debug)]
pub struct SqliteStorage {
    pool: SqlitePool,
    writer: WriterQueue<Sqlite>,
    cache: Arc<ListCache>,
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
            // 2 MB of page cache per connection (seven of them) holds the hot index pages; the
            // operating system caches the rest of the file. 8 MB each peaked the server at
            // 81–131 MB on a million customers, 2 MB at 77 MB, with no loss of throughput.
            .pragma("cache_size", "-2048")
            .pragma("temp_store", "memory");
        if let Some(parent) = options.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| StorageError::Database(sqlx::Error::Io(e)))?;
            }
        }
        // A local connection cannot go stale: no round trip to check one before handing it out.
        let pool = SqlitePoolOptions::new()
            .max_connections(6)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(15))
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        // SQLite runs one write at a time. Writes queue in the process for this one connection,
        // in the order they came, instead of retrying the database's lock in the busy handler,
        // which sleeps up to 100 ms between tries and made the slowest writes wait hundreds of
        // milliseconds under load.
        let writer = WriterQueue::new(options.connect().await?, Self::BEGIN_WRITE);
        Ok(SqliteStorage { pool, writer, cache: Arc::default() })
    }
}

#[async_trait]
impl Dialect for SqliteStorage {
    type Db = Sqlite;

    /// SQLite's unary plus before a column keeps the planner off that column's index.
    const NO_INDEX: &'static str = "+";

    /// SQLite has no row locks: `BEGIN IMMEDIATE` already holds the database's write lock.
    const LOCK_ROW: &'static str = "";

    /// SQLite has no row locks: the write transaction already excludes every other writer.
    const SHARE_ROW: &'static str = "";

    /// Takes the write lock at once, so concurrent writers queue on the busy timeout instead of
    /// failing when a read lock cannot be upgraded.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";

    /// SQLite runs the statements of one request in order.
    const ONE_TRIP_BATCH: bool = true;

    fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The one writer connection, when the writes before this one are done.
    async fn writer(&self) -> StorageResult<WriteConnection<Sqlite>> {
        self.writer.take().await
    }

    fn list_cache(&self) -> &ListCache {
        &self.cache
    }

    /// A connection of its own with a page cache (up to 1 GB) large enough to keep a million
    /// customers' indexes in memory while the load lasts; it only grows as far as the load needs
    /// (about 1.3 GB peak for 1,000,000 customers). It is not the pool's, so the cache never
    /// stays in the pool, even when the load fails half-way.
    async fn bulk_connection(&self) -> StorageResult<SqliteConnection> {
        let options = (*self.pool.connect_options()).clone().disable_statement_logging();
        let mut connection = options.connect().await?;
        sqlx::query("PRAGMA cache_size = -1048576").execute(&mut connection).await?;
        Ok(connection)
    }

    /// When the load at least doubles the customers table: its secondary indexes and the search
    /// index's insert trigger (the search index is rebuilt from the table). Readers go on with
    /// the indexes of the last commit meanwhile (WAL), so nobody waits but other writers, which
    /// wait anyway while a bulk load writes. Building them at the end is about five times faster
    /// than keeping them up row by row.
    async fn defer_customer_indexes(
        tx: &mut sqlx::Transaction<'_, Sqlite>,
        expected: u64,
    ) -> StorageResult<Vec<String>> {
        let limit = i64::try_from(expected).unwrap_or(i64::MAX);
        let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM (SELECT 1 FROM customers LIMIT $1)")
            .bind(limit)
            .fetch_one(&mut **tx)
            .await?;
        if existing >= limit {
            return Ok(Vec::new());
        }
        let deferred: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'customers' AND sql IS NOT NULL \
             AND (type = 'index' OR (type = 'trigger' AND name = 'customers_search_insert'))",
        )
        .fetch_all(&mut **tx)
        .await?;
        for (kind, name, _) in &deferred {
            let kind = if kind == "index" { "INDEX" } else { "TRIGGER" };
            // The names and statements are the database's own, read from its schema table.
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP {kind} \"{}\"", name.replace('"', "\"\""))))
                .execute(&mut **tx)
                .await?;
        }
        let mut rebuild: Vec<String> = deferred.into_iter().map(|(_, _, sql)| sql).collect();
        rebuild.push("INSERT INTO customers_search (customers_search) VALUES ('rebuild')".into());
        Ok(rebuild)
    }

    /// Substring search: the trigram index finds the candidates (terms of three characters or
    /// more), and `instr` keeps those that hold the exact substring.
    fn push_search(query: &mut sqlx::QueryBuilder<Sqlite>, term: &str) {
        query.push("(");
        if let Some(trigrams) = trigram_query(term) {
            query.push("c.id IN (SELECT rowid FROM customers_search WHERE customers_search MATCH ");
            query.push_bind(trigrams);
            query.push(") AND ");
        }
        query.push("instr(c.search_text, ").push_bind(term.to_owned()).push(") > 0)");
    }

    async fn run_migrations(&self) -> StorageResult<()> {
        sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?;
        self.refresh_statistics().await
    }

    /// `ANALYZE` with a sample of 400 rows per index (`analysis_limit`).
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

super::app_settings::impl_app_settings!(SqliteStorage);
super::accounts::impl_accounts!(SqliteStorage);
super::accounts::impl_own_auth!(SqliteStorage);
super::activity::impl_activity!(SqliteStorage);
super::sign_in_limits::impl_sign_in_limits!(SqliteStorage);
super::refresh_tokens::impl_refresh_tokens!(SqliteStorage);
super::sessions::impl_sessions!(SqliteStorage);
super::customers::impl_customers!(SqliteStorage);
super::customer_writes::impl_customer_writes!(SqliteStorage);
super::balance::impl_balance!(SqliteStorage);
super::ledger::impl_ledger!(SqliteStorage);
super::orders::impl_orders!(SqliteStorage);
super::loyalty::impl_loyalty!(SqliteStorage);
super::idempotency::impl_idempotency!(SqliteStorage);
super::bulk_load::impl_bulk_load!(SqliteStorage);
super::privacy::impl_privacy!(SqliteStorage);
super::imports::impl_imports!(SqliteStorage);
super::duplicates::impl_duplicates!(SqliteStorage);
super::merges::impl_merges!(SqliteStorage);
super::health::impl_health!(SqliteStorage);

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
