//! The connections reads run on. On SQLite they are Patron's own: lent to one statement (or one
//! request's few) and taken back at once. A connection of sqlx's pool is pinged on its way back
//! to the pool, by a task spawned for it: on SQLite that ping is one more hand-off to the
//! connection's thread and back for every statement, as costly as the statement itself for the
//! small reads every request makes (the signed-in user, a page of customers). A local file's
//! connection has nothing to check. On PostgreSQL reads use sqlx's pool, whose checks find the
//! connections a server restart broke.

use super::StorageResult;
use sqlx::pool::PoolConnection;
use sqlx::{ConnectOptions, Connection, Database};
use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Connections opened as reads need them, up to a limit, and kept for the next reads.
pub struct Readers<DB: Database> {
    options: <DB::Connection as Connection>::Options,
    permits: Semaphore,
    idle: Mutex<Vec<DB::Connection>>,
    wait: Duration,
}

impl<DB: Database> std::fmt::Debug for Readers<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers").field("free", &self.permits.available_permits()).finish()
    }
}

impl<DB: Database> Readers<DB> {
    /// At most `limit` connections opened with `options`; a read waits at most `wait` for one
    /// (then it fails as a pool that timed out does: the database is out of reach).
    pub fn new(options: <DB::Connection as Connection>::Options, limit: usize, wait: Duration) -> Self {
        Readers { options, permits: Semaphore::new(limit), idle: Mutex::default(), wait }
    }

    fn idle(&self) -> MutexGuard<'_, Vec<DB::Connection>> {
        // A list of connections holds no invariant a panic could break halfway: keep using it.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection for reads, kept by the caller until the returned guard is dropped.
    pub async fn get(&self) -> StorageResult<Reader<'_, DB>> {
        let permit = match tokio::time::timeout(self.wait, self.permits.acquire()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_closed)) => return Err(sqlx::Error::PoolClosed.into()),
            Err(_elapsed) => return Err(sqlx::Error::PoolTimedOut.into()),
        };
        let kept = self.idle().pop();
        let connection = match kept {
            Some(connection) => connection,
            None => self.options.connect().await?,
        };
        Ok(Reader { lent: Lent::Own { connection: Some(connection), home: self, _permit: permit } })
    }
}

/// A connection for reads; back where it came from when dropped.
pub struct Reader<'a, DB: Database> {
    lent: Lent<'a, DB>,
}

enum Lent<'a, DB: Database> {
    /// From sqlx's pool, which checks it on its way back.
    Pooled(PoolConnection<DB>),
    /// One of [`Readers`]' (an `Option` only so that dropping can move it home).
    Own { connection: Option<DB::Connection>, home: &'a Readers<DB>, _permit: SemaphorePermit<'a> },
}

impl<DB: Database> Reader<'_, DB> {
    /// A connection of sqlx's pool.
    pub fn pooled(connection: PoolConnection<DB>) -> Self {
        Reader { lent: Lent::Pooled(connection) }
    }
}

impl<DB: Database> Deref for Reader<'_, DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        match &self.lent {
            Lent::Pooled(connection) => connection,
            Lent::Own { connection, .. } => connection.as_ref().unwrap_or_else(|| unreachable!("taken only on drop")),
        }
    }
}

impl<DB: Database> DerefMut for Reader<'_, DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match &mut self.lent {
            Lent::Pooled(connection) => connection,
            Lent::Own { connection, .. } => connection.as_mut().unwrap_or_else(|| unreachable!("taken only on drop")),
        }
    }
}

impl<DB: Database> Drop for Reader<'_, DB> {
    fn drop(&mut self) {
        // Back before the permit is released (fields drop after this), so that the next read
        // given the permit finds it. A statement cut short by a dropped request is ended by the
        // connection's own thread before it runs the next one.
        if let Lent::Own { connection, home, .. } = &mut self.lent {
            if let Some(connection) = connection.take() {
                home.idle().push(connection);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::Sqlite;
    use std::str::FromStr;

    fn readers(limit: usize, wait: Duration) -> Readers<Sqlite> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").unwrap_or_else(|_| unreachable!("a valid url"));
        Readers::new(options, limit, wait)
    }

    #[tokio::test]
    async fn a_connection_given_back_is_lent_again_rather_than_a_new_one_opened() {
        let readers = readers(2, Duration::from_secs(1));
        {
            let mut reader = readers.get().await.expect("a connection");
            sqlx::query("CREATE TEMP TABLE marker (x)").execute(&mut *reader).await.expect("created");
        }
        let mut reader = readers.get().await.expect("a connection");
        let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM temp.sqlite_master WHERE name = 'marker'")
            .fetch_one(&mut *reader)
            .await
            .expect("read");
        assert_eq!(found, 1, "the same connection (its temporary table is there)");
    }

    #[tokio::test]
    async fn past_the_limit_a_read_waits_and_then_fails_as_out_of_reach() {
        let readers = readers(1, Duration::from_millis(50));
        let held = readers.get().await.expect("a connection");
        let err = readers.get().await.err().expect("no second connection");
        assert!(matches!(err, crate::storage::StorageError::Unavailable(sqlx::Error::PoolTimedOut)), "{err}");
        drop(held);
        assert!(readers.get().await.is_ok(), "free again once given back");
    }
}
