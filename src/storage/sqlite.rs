//! The embedded database: SQLite in WAL mode with foreign keys and a busy timeout, and its
//! [`Dialect`]; every aggregate's SQL is implemented for it here.

use super::checkpoints::{self, Checkpointer};
use super::list_cache::ListCache;
use super::readers::{Reader, Readers};
use super::session_cache::SessionCache;
use super::write_batch::BatchForm;
use super::write_connection::WriterModes;
use super::write_groups::WriteFn;
use super::{Dialect, StorageError, StorageResult, WriteConnection, WriterQueue};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Sqlite, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Temporary storage for the writer's journals: files for a write that has the connection to
/// itself (it may change a million rows), memory for writes sharing a transaction (a few rows
/// each).
pub(crate) const WRITER_MODES: WriterModes =
    WriterModes { one_at_a_time: "PRAGMA temp_store = file", grouped: "PRAGMA temp_store = memory" };

/// How many connections reads run on at once (with the writer's and the checkpointer's, eight
/// connections of 2 MB page cache each).
const READERS: usize = 6;

/// Storage on an SQLite file.
#[derive(Clone, Debug)]
pub struct SqliteStorage {
    pool: SqlitePool,
    readers: Arc<Readers<Sqlite>>,
    writer: WriterQueue<Sqlite>,
    cache: Arc<ListCache>,
    sessions: Arc<SessionCache>,
    /// Runs as long as a clone of the storage is alive.
    _checkpointer: Checkpointer,
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
        // Reads run on connections of Patron's own (see `Readers`); sqlx's pool serves the
        // migrations and the rare reads that hold a transaction. A local connection cannot go
        // stale: no round trip to check one before handing it out.
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(15))
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let readers = Arc::new(Readers::new(options.clone(), READERS, Duration::from_secs(15)));
        // SQLite runs one write at a time. Writes queue in the process for this one connection,
        // in the order they came, instead of retrying the database's lock in the busy handler,
        // which sleeps up to 100 ms between tries and made the slowest writes wait hundreds of
        // milliseconds under load.
        //
        // Its temporary files stay files: a statement that changes many rows (a change of the
        // tier thresholds re-tiers a whole tenant) keeps the pages it changed in a statement
        // journal, which spills to a file past 64 KiB unless temporary storage is memory. In
        // memory it took the server from 29 to 257 MB for a million customers (2026-12-03).
        //
        // Writes that share a transaction (see `WriteGroups`) each change a few rows: their
        // savepoints' journals stay in memory, which took a points change from 38 writes to
        // files to 16.
        //
        // The write-ahead log is copied into the database beside the writer (see `Checkpointer`).
        let checkpointer = Checkpointer::start(&options).await?;
        let writer_options =
            options.pragma("temp_store", "file").pragma("wal_autocheckpoint", checkpoints::WRITER_BACKSTOP_PAGES);
        let writer = WriterQueue::new(writer_options.connect().await?, Self::BEGIN_WRITE, WRITER_MODES)?;
        Ok(SqliteStorage {
            pool,
            readers,
            writer,
            cache: Arc::default(),
            sessions: Arc::default(),
            _checkpointer: checkpointer,
        })
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
    const BATCH_FORM: BatchForm = BatchForm::Script;

    /// One past the highest id ever given (`AUTOINCREMENT` never gives an id twice): the write
    /// transaction holds the database's write lock, so no one else takes it meanwhile.
    const NEXT_CUSTOMER_ID: &'static str =
        "(MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'customers'), 0), \
         COALESCE((SELECT MAX(id) FROM customers), 0)) + 1)";

    fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// One of Patron's own read connections (see [`Readers`]).
    async fn reader(&self) -> StorageResult<Reader<'_, Sqlite>> {
        self.readers.get().await
    }

    /// The one writer connection, when the writes before this one are done.
    async fn writer(&self) -> StorageResult<WriteConnection<Sqlite>> {
        self.writer.take().await
    }

    /// On the writer thread, in one transaction with the writes waiting beside it.
    async fn write<T: Send + 'static>(&self, write: WriteFn<Sqlite, T>) -> StorageResult<T> {
        self.writer.write(write).await
    }

    fn list_cache(&self) -> &ListCache {
        &self.cache
    }

    /// This process is the only one serving the database file: it writes every session.
    fn session_cache(&self) -> Option<&SessionCache> {
        Some(&self.sessions)
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
        // The rebuild leaves the index in many segments, and the first customer written after the
        // load merged most of them at once while every write waited (7 s after a million
        // customers). Merged into one segment here instead, as part of the load.
        rebuild.push("INSERT INTO customers_search (customers_search) VALUES ('optimize')".into());
        Ok(rebuild)
    }

    /// Substring search. Terms of three characters or more are matched by the trigram index as a
    /// phrase of their trigrams: exactly, since the index keeps positions (the stored text and the
    /// term are both lowercase already; the index folds case the same way on both). Shorter terms
    /// are checked on every row.
    fn push_search(query: &mut sqlx::QueryBuilder<Sqlite>, term: &str) {
        match phrase_query(term) {
            Some(phrase) => {
                query.push("c.id IN (SELECT rowid FROM customers_search WHERE customers_search MATCH ");
                query.push_bind(phrase).push(")");
            }
            None => {
                query.push("instr(c.search_text, ").push_bind(term.to_owned()).push(") > 0");
            }
        }
    }

    /// One query of the trigram index: the term's phrase and the tenant's tag (terms of three
    /// characters or more).
    async fn search_only_count(&self, tenant_id: i64, term: &str) -> StorageResult<Option<u64>> {
        let Some(query) = tenant_phrase_query(tenant_id, term) else {
            return Ok(None);
        };
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers_search WHERE customers_search MATCH $1")
            .bind(query)
            .fetch_one(&mut *self.reader().await?)
            .await?;
        Ok(Some(super::sql::count(count)))
    }

    /// When the term is common among the tenant's customers, the page walks the ordering's index
    /// and keeps the rows the trigram index matched: the membership test needs only the row id the
    /// ordering's index holds, so no customer row is read. Reading each match's row and sorting
    /// them all is then the slower way; for a rare term it is the faster one (the general query).
    async fn search_only_page(
        &self,
        tenant_id: i64,
        term: &str,
        ordering: crate::domain::customer_query::Ordering,
        offset: u64,
        limit: u64,
        count: u64,
    ) -> StorageResult<Option<Vec<i64>>> {
        let Some(query) = tenant_phrase_query(tenant_id, term) else {
            return Ok(None);
        };
        let customers: i64 =
            sqlx::query_scalar("SELECT COALESCE(SUM(customers), 0) FROM customer_counters WHERE tenant_id = $1")
                .bind(tenant_id)
                .fetch_one(&mut *self.reader().await?)
                .await?;
        // Reading a match's row costs about ten times a step along an index: walk when the steps
        // to the page's last row (at the term's share of the tenant) cost less than reading every
        // match.
        let wanted = u128::from(offset) + u128::from(limit);
        let steps = wanted * u128::try_from(customers).unwrap_or(0);
        if u128::from(count) * u128::from(count) * 10 < steps {
            return Ok(None);
        }
        // `+` keeps the planner off the row-id look-ups the IN list would otherwise drive.
        let sql = format!(
            "SELECT c.id FROM customers c WHERE c.tenant_id = $1 \
             AND +c.id IN (SELECT rowid FROM customers_search WHERE customers_search MATCH $2){} LIMIT $3 OFFSET $4",
            super::customers::order_by(ordering)
        );
        let ids = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(query)
            .bind(super::sql::bigint(limit))
            .bind(super::sql::bigint(offset))
            .fetch_all(&mut *self.reader().await?)
            .await?;
        Ok(Some(ids))
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

/// The FTS5 query for rows whose search text holds `term` (a phrase of its trigrams), or `None`
/// for terms shorter than three characters, which have no trigram.
fn phrase_query(term: &str) -> Option<String> {
    (term.chars().count() >= 3).then(|| format!("search_text : \"{}\"", term.replace('"', "\"\"")))
}

/// The FTS5 query for the tenant's rows holding `term`, or `None` for terms shorter than three
/// characters.
fn tenant_phrase_query(tenant_id: i64, term: &str) -> Option<String> {
    let phrase = phrase_query(term)?;
    Some(format!("{phrase} AND search_tenant : \"{}\"", tenant_tag(tenant_id)))
}

/// The tenant's tag in the search index: its id in base 20,992, one CJK ideograph a digit, least
/// significant first; the same as the `search_tenant` column's expression (migration 0008).
fn tenant_tag(tenant_id: i64) -> String {
    const BASE: i64 = 20_992;
    [tenant_id, tenant_id / BASE, tenant_id / (BASE * BASE)]
        .into_iter()
        .filter_map(|value| u32::try_from(value.rem_euclid(BASE)).ok().and_then(|digit| char::from_u32(19_968 + digit)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_term_is_searched_as_one_phrase_with_its_quotes_doubled() {
        assert_eq!(phrase_query("sa"), None);
        assert_eq!(phrase_query("sari").as_deref(), Some("search_text : \"sari\""));
        assert_eq!(phrase_query("a\"b").as_deref(), Some("search_text : \"a\"\"b\""));
        assert_eq!(tenant_phrase_query(1, "ab"), None);
        assert_eq!(
            tenant_phrase_query(1, "émile").as_deref(),
            Some("search_text : \"émile\" AND search_tenant : \"\u{4E01}\u{4E00}\u{4E00}\"")
        );
    }

    #[test]
    fn a_tenant_tag_is_three_ideographs_in_base_20992() {
        assert_eq!(tenant_tag(1), "\u{4E01}\u{4E00}\u{4E00}");
        assert_eq!(tenant_tag(20_993), "\u{4E01}\u{4E01}\u{4E00}");
        assert_eq!(tenant_tag(1).chars().count(), 3);
    }
}

super::app_settings::impl_app_settings!(SqliteStorage);
super::accounts::impl_accounts!(SqliteStorage);
super::accounts::impl_own_auth!(SqliteStorage);
super::activity::impl_activity!(SqliteStorage);
super::sign_in_limits::impl_sign_in_limits!(SqliteStorage);
super::refresh_tokens::impl_refresh_tokens!(SqliteStorage);
super::sessions::impl_sessions!(SqliteStorage);
super::customers::impl_customers!(SqliteStorage);
super::list_page::impl_versioned_reads!(SqliteStorage);
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
