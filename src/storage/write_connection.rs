//! The connection a write runs on: any pooled connection where the database takes concurrent
//! writers (PostgreSQL), or the process's one writer connection where it does not (SQLite).

use super::{StorageError, StorageResult};
use sqlx::pool::PoolConnection;
use sqlx::{Connection, Database, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// How long a write waits for the writers before it (as long as a pool would wait for its
/// connection): then it fails as the database being unavailable, and the caller may retry.
const WAIT_FOR_WRITER: Duration = Duration::from_secs(30);

/// A connection held for one write (a transaction or one statement).
pub struct WriteConnection<DB: Database> {
    held: Held<DB>,
    /// The statement that starts a write transaction on this database.
    begin: &'static str,
}

enum Held<DB: Database> {
    /// A connection of the pool, returned to it when dropped.
    Pooled(PoolConnection<DB>),
    /// The one writer connection, handed on to the next writer in line when dropped.
    Exclusive(OwnedMutexGuard<DB::Connection>),
}

impl<DB: Database> WriteConnection<DB> {
    /// A connection of the pool; `begin` starts a write transaction.
    pub fn pooled(connection: PoolConnection<DB>, begin: &'static str) -> Self {
        WriteConnection { held: Held::Pooled(connection), begin }
    }

    /// Starts a write transaction. If it is dropped unfinished (an error, a cancelled request),
    /// it is rolled back before the connection serves anyone else.
    pub async fn begin(&mut self) -> StorageResult<Transaction<'_, DB>> {
        let statement = sqlx::SqlStr::from_static(self.begin);
        Ok(Connection::begin_with(&mut **self, statement).await?)
    }
}

impl<DB: Database> Deref for WriteConnection<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        match &self.held {
            Held::Pooled(connection) => connection,
            Held::Exclusive(connection) => connection,
        }
    }
}

impl<DB: Database> DerefMut for WriteConnection<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match &mut self.held {
            Held::Pooled(connection) => connection,
            Held::Exclusive(connection) => connection,
        }
    }
}

/// One connection that writers take in turn, first come first served.
///
/// Unlike a pool of one, handing it on costs nothing: a pool checks a connection with a round
/// trip when it is taken and again when it is given back, and no one else can take it meanwhile,
/// which on SQLite's single writer added two round trips to every write.
pub struct WriterQueue<DB: Database> {
    connection: Arc<Mutex<DB::Connection>>,
    begin: &'static str,
}

impl<DB: Database> WriterQueue<DB> {
    /// A queue for `connection`, whose write transactions start with `begin`.
    pub fn new(connection: DB::Connection, begin: &'static str) -> Self {
        WriterQueue { connection: Arc::new(Mutex::new(connection)), begin }
    }

    /// The connection, once the writers before this one are done with it.
    pub async fn take(&self) -> StorageResult<WriteConnection<DB>> {
        match tokio::time::timeout(WAIT_FOR_WRITER, self.connection.clone().lock_owned()).await {
            Ok(connection) => Ok(WriteConnection { held: Held::Exclusive(connection), begin: self.begin }),
            Err(_) => Err(StorageError::Unavailable(sqlx::Error::PoolTimedOut)),
        }
    }
}

impl<DB: Database> Clone for WriterQueue<DB> {
    fn clone(&self) -> Self {
        WriterQueue { connection: self.connection.clone(), begin: self.begin }
    }
}

impl<DB: Database> std::fmt::Debug for WriterQueue<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriterQueue")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Sqlite};
    use std::str::FromStr;

    async fn queue() -> WriterQueue<Sqlite> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").expect("options");
        let mut connection = options.connect().await.expect("connect");
        sqlx::query("CREATE TABLE t (v INTEGER)").execute(&mut connection).await.expect("table");
        WriterQueue::new(connection, "BEGIN IMMEDIATE")
    }

    async fn rows(queue: &WriterQueue<Sqlite>) -> i64 {
        let mut writer = queue.take().await.expect("writer");
        sqlx::query_scalar("SELECT COUNT(*) FROM t").fetch_one(&mut *writer).await.expect("count")
    }

    #[tokio::test]
    async fn a_transaction_dropped_unfinished_is_rolled_back_before_the_next_writer_starts() {
        let queue = queue().await;
        {
            let mut writer = queue.take().await.expect("writer");
            let mut tx = writer.begin().await.expect("begin");
            sqlx::query("INSERT INTO t VALUES (1)").execute(&mut *tx).await.expect("insert");
        }
        let mut writer = queue.take().await.expect("writer");
        let mut tx = writer.begin().await.expect("a new transaction starts");
        sqlx::query("INSERT INTO t VALUES (2)").execute(&mut *tx).await.expect("insert");
        tx.commit().await.expect("commit");
        drop(writer);
        assert_eq!(rows(&queue).await, 1, "only the committed row is kept");
    }

    #[tokio::test]
    async fn a_writer_waits_until_the_one_before_it_is_done() {
        let queue = queue().await;
        let first = queue.take().await.expect("writer");
        let waiting = tokio::spawn({
            let queue = queue.clone();
            async move { queue.take().await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the second writer waits while the first holds the connection");
        drop(first);
        assert!(waiting.await.expect("task").is_ok(), "and goes on once it is released");
    }
}
