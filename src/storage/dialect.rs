//! What differs between the two databases, declared once so the compiler checks that each
//! backend provides all of it. The SQL of every aggregate is written once (`$n` parameters,
//! `RETURNING`, `ON CONFLICT` are common to both) and reaches the database's own parts only
//! through this trait.

use super::list_cache::ListCache;
use super::write_connection::WriteConnection;
use super::StorageResult;
use async_trait::async_trait;

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

    /// The connection pool.
    fn pool(&self) -> &sqlx::Pool<Self::Db>;

    /// The cache of list results (count and page ids per query).
    fn list_cache(&self) -> &ListCache;

    /// The connection for a write: a transaction ([`WriteConnection::begin`] starts it with
    /// [`Self::BEGIN_WRITE`]) or one statement; by default any connection of the pool.
    async fn writer(&self) -> StorageResult<WriteConnection<Self::Db>> {
        Ok(WriteConnection::pooled(self.pool().acquire().await?, Self::BEGIN_WRITE))
    }

    /// A connection for a bulk load, set up for it and closed after it.
    async fn bulk_connection(&self) -> StorageResult<sqlx::pool::PoolConnection<Self::Db>>;

    /// Appends a condition that `c.search_text` holds `term` (already lowercase).
    fn push_search(query: &mut sqlx::QueryBuilder<Self::Db>, term: &str);

    /// Applies pending migrations and refreshes what the planner knows.
    async fn run_migrations(&self) -> StorageResult<()>;

    /// Lets the query planner know the customer tables' sizes and shapes (bounded work, safe on
    /// big databases): at start, and after a bulk load, which would otherwise leave PostgreSQL
    /// planning a million rows as an empty table until autovacuum comes by.
    async fn refresh_statistics(&self) -> StorageResult<()>;
}
