//! What differs between the two databases, declared once so the compiler checks that each
//! backend provides all of it. The SQL of every aggregate is written once (`$n` parameters,
//! `RETURNING`, `ON CONFLICT` are common to both) and reaches the database's own parts only
//! through this trait.

use super::bulk_load::{ImportedCustomer, LoadedEmails};
use super::list_cache::ListCache;
use super::readers::Reader;
use super::session_cache::SessionCache;
use super::user_cache::UserCache;
use super::write_batch::{BatchForm, WriteBatch};
use super::write_connection::WriteConnection;
use super::write_groups::WriteFn;
use super::StorageResult;
use crate::domain::LoyaltyProgram;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A database backend: its pool, how it starts a write, how it searches, how it migrates.
#[async_trait]
pub trait Dialect: Send + Sync + 'static {
    /// The sqlx database.
    type Db: sqlx::Database;

    /// Written before a column, keeps the planner from using that column's index (SQLite's unary
    /// plus; nothing in PostgreSQL, which plans from statistics).
    const NO_INDEX: &'static str;

    /// Appended to a `SELECT` that reads a row a write depends on (`FOR UPDATE`, or nothing where
    /// the write transaction already holds the database's write lock).
    const LOCK_ROW: &'static str;

    /// Appended to a `SELECT` that reads a row a write relies on without changing it (`FOR SHARE`,
    /// or nothing where the write transaction already excludes other writers).
    const SHARE_ROW: &'static str;

    /// The statement that starts a write transaction.
    const BEGIN_WRITE: &'static str;

    /// An expression for the id the next customer gets, read inside the write transaction that
    /// inserts it (so the insert can go in the write's batch with the rows that refer to it).
    const NEXT_CUSTOMER_ID: &'static str;

    /// How the database takes a write's statements in one trip (see
    /// [`WriteBatch`](super::write_batch::WriteBatch)).
    const BATCH_FORM: BatchForm;

    /// A batch for the statements of a write (see [`WriteBatch`]).
    fn write_batch() -> WriteBatch<Self::Db> {
        WriteBatch::new(Self::BATCH_FORM)
    }

    /// The connection pool.
    fn pool(&self) -> &sqlx::Pool<Self::Db>;

    /// The cache of list results (count and page ids per query).
    fn list_cache(&self) -> &ListCache;

    /// The users remembered between requests, where reading one is a round trip to another
    /// process (see [`UserCache`]); `None` where it is not.
    fn user_cache(&self) -> Option<&UserCache> {
        None
    }

    /// The sessions remembered between requests, where this process writes every session (see
    /// [`SessionCache`]); `None` where other processes write them too.
    fn session_cache(&self) -> Option<&SessionCache> {
        None
    }

    /// Forgets session `id` where sessions are remembered: it was just written (or a write of it
    /// was tried: one that failed may still have reached the database).
    fn forget_session(&self, id: &str) {
        if let Some(cache) = self.session_cache() {
            cache.forget(id);
        }
    }

    /// Tells every process sharing the database, once the transaction on `connection` commits,
    /// that user `id` changed (their [`UserCache`]s forget it); nothing where no process
    /// remembers users.
    async fn announce_user_change(
        _connection: &mut <Self::Db as sqlx::Database>::Connection,
        _id: i64,
    ) -> StorageResult<()> {
        Ok(())
    }

    /// A connection for reads, held until the guard is dropped; by default one of the pool's.
    async fn reader(&self) -> StorageResult<Reader<'_, Self::Db>> {
        Ok(Reader::pooled(self.pool().acquire().await?))
    }

    /// The connection for a write: a transaction ([`WriteConnection::begin`] starts it with
    /// [`Self::BEGIN_WRITE`]) or one statement; by default any connection of the pool.
    async fn writer(&self) -> StorageResult<WriteConnection<Self::Db>> {
        Ok(WriteConnection::pooled(self.pool().acquire().await?, Self::BEGIN_WRITE))
    }

    /// Runs `write` in a write transaction and answers once it is committed. By default it runs
    /// on [`Self::writer`] in a transaction of its own; where writes queue for one connection
    /// (SQLite), the writes waiting together share a transaction (see
    /// [`WriteGroups`](super::write_groups::WriteGroups)). `write` must not take the writer
    /// itself, and its first statement sets its savepoint in a group
    /// ([`FirstStatement`](super::write_groups::FirstStatement)).
    async fn write<T: Send + 'static>(&self, write: WriteFn<Self::Db, T>) -> StorageResult<T> {
        let mut writer = self.writer().await?;
        let mut tx = writer.begin().await?;
        let value = write(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }

    /// A connection of its own for a bulk load, set up for it, closed when dropped, and
    /// logging no statement: a bulk load's statements are slow by design.
    async fn bulk_connection(&self) -> StorageResult<<Self::Db as sqlx::Database>::Connection>;

    /// Drops, inside `tx`, what a load of `expected` customers is faster building once at its
    /// end than keeping up row by row (indexes, and what triggers keep up), when the database can
    /// do that without holding up anyone else's work. Returns the statements that build it all
    /// again, to run in the same transaction once the rows are in; empty when nothing was
    /// dropped. The unique email index stays: the load needs it to skip taken emails.
    async fn defer_customer_indexes(
        tx: &mut sqlx::Transaction<'_, Self::Db>,
        expected: u64,
    ) -> StorageResult<Vec<String>>;

    /// Writes, inside `tx`, the customers of a batch of a load whose indexes were deferred (see
    /// [`Self::defer_customer_indexes`]) a faster way than the inserts, where the database has
    /// one: each customer whose email `loaded` has not seen yet, with its history as the inserts
    /// write it for a load without an actor. Returns how many it wrote and the customers it left
    /// to the inserts; by default, all of them.
    async fn copy_loaded_customers(
        _tx: &mut sqlx::Transaction<'_, Self::Db>,
        _tenant_id: i64,
        _program: LoyaltyProgram,
        batch: Vec<ImportedCustomer>,
        _loaded: &mut LoadedEmails,
        _now: DateTime<Utc>,
    ) -> StorageResult<(u64, Vec<ImportedCustomer>)> {
        Ok((0, batch))
    }

    /// Appends a condition that `c.search_text` holds `term` (already lowercase).
    fn push_search(query: &mut sqlx::QueryBuilder<Self::Db>, term: &str);

    /// How many of the tenant's customers hold `term` (already lowercase) when nothing else
    /// filters, if the database has a faster way to it than the general count; `None` otherwise.
    async fn search_only_count(&self, _tenant_id: i64, _term: &str) -> StorageResult<Option<u64>> {
        Ok(None)
    }

    /// One page of the ids of the tenant's `count` customers holding `term` when nothing else
    /// filters, if the database has a faster way to them than the general page query; `None`
    /// otherwise. The ids and their order are those the general query gives.
    async fn search_only_page(
        &self,
        _tenant_id: i64,
        _term: &str,
        _ordering: crate::domain::customer_query::Ordering,
        _offset: u64,
        _limit: u64,
        _count: u64,
    ) -> StorageResult<Option<Vec<i64>>> {
        Ok(None)
    }

    /// Applies pending migrations and refreshes what the planner knows.
    async fn run_migrations(&self) -> StorageResult<()>;

    /// Lets the query planner know the customer tables' sizes and shapes (bounded work, safe on
    /// big databases): at start, and after a bulk load, which would otherwise leave PostgreSQL
    /// planning a million rows as an empty table until autovacuum comes by.
    async fn refresh_statistics(&self) -> StorageResult<()>;
}
