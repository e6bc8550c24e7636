//! SQLite's checkpoints off the writer's path: a task with a connection of its own copies the
//! write-ahead log into the database a few times a second.
//!
//! Left to itself, SQLite copies the log into the database in the middle of the write that
//! takes it past 1,000 pages: reading every page back from the log, writing it into the
//! database and syncing both, while every write behind it waits. Under a stream of points
//! changes that was about every 60th write. A passive checkpoint on another connection does the
//! same work beside the writer (it never waits for a lock nor makes anyone wait), and the writer
//! starts the log over once a checkpoint has copied all of it.

use sqlx::{ConnectOptions, SqliteConnection};
use std::time::Duration;
use tokio::sync::mpsc;

/// How often the checkpointer looks at the log. At 4,000 writes a second of about eight pages
/// each, the log grows by some 130 MB a second, so it is copied in parts of about 2 MB. Writes
/// wait on a checkpoint that copies a large part: every 50 ms, the slowest 1% of points changes
/// spread over many customers took 27–44 ms; every 20 ms, 9 ms (`bench/RESULTS.md`, part
/// seventeen).
const EVERY: Duration = Duration::from_millis(20);

/// The pages the log may hold before the writer copies it itself (SQLite's
/// `wal_autocheckpoint`): a backstop for a checkpointer that falls behind, not the usual way.
pub const WRITER_BACKSTOP_PAGES: &str = "10000";

/// Keeps the checkpointer running; it stops when the last clone of this handle is dropped.
#[derive(Clone, Debug)]
pub struct Checkpointer {
    _running: mpsc::Sender<()>,
}

impl Checkpointer {
    /// Starts checkpointing the database `options` opens, on a connection of its own.
    pub async fn start(options: &sqlx::sqlite::SqliteConnectOptions) -> Result<Self, sqlx::Error> {
        let connection = options.clone().disable_statement_logging().connect().await?;
        let (running, mut stopped) = mpsc::channel::<()>(1);
        tokio::spawn(async move {
            let mut connection = connection;
            let mut ticks = tokio::time::interval(EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stopped.recv() => break,
                    _ = ticks.tick() => checkpoint(&mut connection).await,
                }
            }
        });
        Ok(Checkpointer { _running: running })
    }
}

/// One passive checkpoint. A failure is logged and the next tick tries again; meanwhile the
/// writer's own backstop keeps the log from growing without end.
async fn checkpoint(connection: &mut SqliteConnection) {
    if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut *connection).await {
        tracing::warn!(error = %err, "a checkpoint of the write-ahead log failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};

    #[tokio::test]
    async fn the_log_is_copied_into_the_database_while_the_writer_never_checkpoints() {
        let folder = std::env::temp_dir().join(format!("patron-checkpoints-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&folder).expect("folder");
        let file = folder.join("db.sqlite");
        let options =
            SqliteConnectOptions::new().filename(&file).create_if_missing(true).journal_mode(SqliteJournalMode::Wal);
        let mut writer = options.clone().pragma("wal_autocheckpoint", "0").connect().await.expect("writer");
        sqlx::query("CREATE TABLE t (v BLOB)").execute(&mut writer).await.expect("table");
        let before = std::fs::metadata(&file).expect("database").len();
        let _checkpointer = Checkpointer::start(&options).await.expect("checkpointer");
        for _ in 0..500 {
            sqlx::query("INSERT INTO t (v) VALUES (zeroblob(1000))").execute(&mut writer).await.expect("insert");
        }
        let mut copied = 0;
        for _ in 0..40 {
            tokio::time::sleep(EVERY).await;
            copied = std::fs::metadata(&file).expect("database").len();
            if copied > 500_000 {
                break;
            }
        }
        drop(writer);
        let _ = std::fs::remove_dir_all(&folder);
        assert!(copied > 500_000, "the database file grew from {before} to {copied} bytes only");
    }
}
