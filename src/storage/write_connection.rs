//! The connection a write runs on: any pooled connection where the database takes concurrent
//! writers (PostgreSQL), or the process's one writer connection where it does not (SQLite).

use super::write_groups::{WriteFn, WriteGroups};
use super::{StorageError, StorageResult};
use sqlx::pool::PoolConnection;
use sqlx::{Connection, Database, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// How long a write waits for the writers before it (as long as a pool would wait for its
/// connection): then it fails as the database being unavailable, and the caller may retry.
pub(crate) const WAIT_FOR_WRITER: Duration = Duration::from_secs(30);

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

/// One connection that writers take in turn, first come first served: one write at a time
/// ([`WriterQueue::take`]), or a write sent to the writer thread, which runs it with the others
/// waiting there in one transaction ([`WriterQueue::write`]).
///
/// Unlike a pool of one, handing it on costs nothing: a pool checks a connection with a round
/// trip when it is taken and again when it is given back, and no one else can take it meanwhile,
/// which on SQLite's single writer added two round trips to every write.
pub struct WriterQueue<DB: Database> {
    connection: Arc<Mutex<DB::Connection>>,
    begin: &'static str,
    modes: WriterModes,
    mode: Arc<CurrentMode>,
    groups: WriteGroups<DB>,
}

/// Settings the connection takes for each kind of write, each a statement run when the kind of
/// write on the connection changes (rarely: under load the writes of one kind follow each other).
#[derive(Clone, Copy, Debug)]
pub struct WriterModes {
    /// For a write that has the connection to itself, which may change many rows at once.
    pub one_at_a_time: &'static str,
    /// For writes sharing a transaction, which each change a few rows.
    pub grouped: &'static str,
}

/// The mode the connection is in, read and changed only by whoever holds the connection.
#[derive(Debug, Default)]
pub(crate) struct CurrentMode(AtomicBool);

impl CurrentMode {
    /// Puts `connection` in the grouped mode (`grouped`) or the other, if it is not in it yet.
    pub(crate) async fn set<DB: Database>(
        &self,
        connection: &mut DB::Connection,
        grouped: bool,
        modes: WriterModes,
    ) -> StorageResult<()>
    where
        for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    {
        if self.0.load(Ordering::Relaxed) == grouped {
            return Ok(());
        }
        let statement = if grouped { modes.grouped } else { modes.one_at_a_time };
        sqlx::raw_sql(sqlx::SqlStr::from_static(statement)).execute(&mut *connection).await?;
        self.0.store(grouped, Ordering::Relaxed);
        Ok(())
    }
}

impl<DB: Database> WriterQueue<DB>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    /// A queue for `connection` (in its one-at-a-time mode), whose write transactions start with
    /// `begin`, and the writer thread that takes its turns with it.
    pub fn new(connection: DB::Connection, begin: &'static str, modes: WriterModes) -> StorageResult<Self> {
        let connection = Arc::new(Mutex::new(connection));
        let mode = Arc::new(CurrentMode::default());
        let groups = WriteGroups::start(connection.clone(), begin, mode.clone(), modes)?;
        Ok(WriterQueue { connection, begin, modes, mode, groups })
    }

    /// Runs `write` in a write transaction shared with the writes queued beside it (see
    /// [`WriteGroups`]), and answers once it is committed.
    pub async fn write<T: Send + 'static>(&self, write: WriteFn<DB, T>) -> StorageResult<T> {
        self.groups.write(write).await
    }

    /// The connection, once the writers before this one are done with it.
    pub async fn take(&self) -> StorageResult<WriteConnection<DB>> {
        match tokio::time::timeout(WAIT_FOR_WRITER, self.connection.clone().lock_owned()).await {
            Ok(mut connection) => {
                self.mode.set::<DB>(&mut connection, false, self.modes).await?;
                Ok(WriteConnection { held: Held::Exclusive(connection), begin: self.begin })
            }
            Err(_) => Err(StorageError::Unavailable(sqlx::Error::PoolTimedOut)),
        }
    }
}

impl<DB: Database> Clone for WriterQueue<DB> {
    fn clone(&self) -> Self {
        WriterQueue {
            connection: self.connection.clone(),
            begin: self.begin,
            modes: self.modes,
            mode: self.mode.clone(),
            groups: self.groups.clone(),
        }
    }
}

impl<DB: Database> std::fmt::Debug for WriterQueue<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriterQueue")
    }
}

/// A writer queue on an in-memory SQLite database holding one table `t (v INTEGER NOT NULL)`.
#[cfg(test)]
pub(crate) async fn test_queue() -> WriterQueue<sqlx::Sqlite> {
    use sqlx::ConnectOptions;
    let options = sqlx::sqlite::SqliteConnectOptions::new().in_memory(true);
    let mut connection = options.connect().await.expect("connect");
    sqlx::query("CREATE TABLE t (v INTEGER NOT NULL)").execute(&mut connection).await.expect("table");
    WriterQueue::new(connection, "BEGIN IMMEDIATE", super::sqlite::WRITER_MODES).expect("writer thread")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Sqlite;

    async fn queue() -> WriterQueue<Sqlite> {
        test_queue().await
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
