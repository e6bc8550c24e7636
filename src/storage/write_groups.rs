//! Writes that share a commit: on a database with one writer connection (SQLite), the writes
//! that wait while one runs go into the same transaction, each in a savepoint of its own, and
//! commit together. Each caller gets its answer once its write is committed, or its own error
//! with nothing of its write kept.
//!
//! The writes run on a thread of their own. Each statement of a write is a hand-off to the
//! connection's thread and back; on the server's busy workers every hand-off back also waited
//! for a worker, with the write lock held all the while, whereas this thread does nothing else.
//! And one commit writes each page the writes changed once: the rows of the tenant's counters,
//! the tail of the ledger and the activity log with their indexes are the same pages for every
//! write, and a commit of one points change wrote 17 pages to the write-ahead log.

use super::write_connection::{CurrentMode, WriterModes};
use super::{StorageError, StorageResult};
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use sqlx::{Connection, Database, Transaction};
use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};

/// The most writes one transaction takes: enough that a queue of sixteen connections' writes
/// commits at once, few enough that the first of them does not wait long for the last.
const MOST_WRITES_PER_COMMIT: usize = 64;

/// A write in a transaction, as [`super::Dialect::write`] takes it.
pub type WriteFn<DB, T> =
    Box<dyn for<'c, 't> FnOnce(&'c mut Transaction<'t, DB>) -> BoxFuture<'c, StorageResult<T>> + Send>;

/// A write sent to the writer thread.
trait Job<DB: Database>: Send {
    /// Runs the write in `tx`; `true` if it wrote what it meant to (to be committed), `false`
    /// if it failed or was given up by its caller (its changes are to be undone).
    fn run<'c, 't>(&'c mut self, tx: &'c mut Transaction<'t, DB>) -> BoxFuture<'c, bool>;

    /// Answers the caller: its write's result if `committed` is `Ok`, the error otherwise.
    fn answer(self: Box<Self>, committed: StorageResult<()>);
}

/// Where a write is: waiting in the queue, started, or given up by its caller (then it is not
/// started).
const WAITING: u8 = 0;
const STARTED: u8 = 1;
const GIVEN_UP: u8 = 2;

struct TypedJob<DB: Database, T> {
    write: Option<WriteFn<DB, T>>,
    result: Option<StorageResult<T>>,
    reply: oneshot::Sender<StorageResult<T>>,
    state: Arc<AtomicU8>,
}

impl<DB: Database, T: Send + 'static> Job<DB> for TypedJob<DB, T> {
    fn run<'c, 't>(&'c mut self, tx: &'c mut Transaction<'t, DB>) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let Some(write) = self.write.take() else { return false };
            if self.state.compare_exchange(WAITING, STARTED, Ordering::AcqRel, Ordering::Acquire).is_err() {
                return false;
            }
            let result = write(tx).await;
            let wrote = result.is_ok();
            self.result = Some(result);
            wrote
        })
    }

    fn answer(self: Box<Self>, committed: StorageResult<()>) {
        let answer = match (committed, self.result) {
            (Err(err), _) => Err(err),
            (Ok(()), Some(result)) => result,
            // Given up before it started: no one waits for an answer. Or it panicked: its caller
            // finds the answer dropped and reports the writer unavailable.
            (Ok(()), None) => return,
        };
        // The caller may have gone (a closed request); the write stands either way.
        let _ = self.reply.send(answer);
    }
}

/// The thread that runs writes in shared transactions on `connection`, which it takes from the
/// writers' queue for each group of writes.
pub struct WriteGroups<DB: Database> {
    jobs: mpsc::UnboundedSender<Box<dyn Job<DB>>>,
}

impl<DB: Database> WriteGroups<DB>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    /// Starts the thread; it stops when the last handle to it is dropped.
    pub(crate) fn start(
        connection: Arc<Mutex<DB::Connection>>,
        begin: &'static str,
        mode: Arc<CurrentMode>,
        modes: WriterModes,
    ) -> StorageResult<Self> {
        let (jobs, queue) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StorageError::Database(sqlx::Error::Io(e)))?;
        std::thread::Builder::new()
            .name("patron-writer".to_owned())
            .spawn(move || runtime.block_on(serve(connection, begin, mode, modes, queue)))
            .map_err(|e| StorageError::Database(sqlx::Error::Io(e)))?;
        Ok(WriteGroups { jobs })
    }

    /// Runs `write` in a write transaction, with the writes queued beside it, and answers once
    /// the transaction is committed. A caller that stops waiting (a closed request, the wait
    /// below) before its write starts leaves nothing written.
    pub async fn write<T: Send + 'static>(&self, write: WriteFn<DB, T>) -> StorageResult<T> {
        let (reply, mut answer) = oneshot::channel();
        let state = Arc::new(AtomicU8::new(WAITING));
        let job = TypedJob { write: Some(write), result: None, reply, state: state.clone() };
        // Given up if this future is dropped before the write starts.
        let give_up = GiveUpOnDrop(state.clone());
        self.jobs.send(Box::new(job)).map_err(|_| stopped())?;
        let waited = tokio::time::timeout(super::write_connection::WAIT_FOR_WRITER, &mut answer).await;
        let answered = match waited {
            Ok(answered) => answered,
            Err(_) if state.compare_exchange(WAITING, GIVEN_UP, Ordering::AcqRel, Ordering::Acquire).is_ok() => {
                return Err(StorageError::Unavailable(sqlx::Error::PoolTimedOut));
            }
            // Started just now: its answer is coming.
            Err(_) => answer.await,
        };
        drop(give_up);
        answered.map_err(|_| stopped())?
    }
}

impl<DB: Database> Clone for WriteGroups<DB> {
    fn clone(&self) -> Self {
        WriteGroups { jobs: self.jobs.clone() }
    }
}

/// Marks a write given up unless it has started: for a caller dropped while it waits.
struct GiveUpOnDrop(Arc<AtomicU8>);

impl Drop for GiveUpOnDrop {
    fn drop(&mut self) {
        let _ = self.0.compare_exchange(WAITING, GIVEN_UP, Ordering::AcqRel, Ordering::Acquire);
    }
}

/// The answer when no answer came: the writer thread is gone, or the write panicked (the
/// thread undid it and went on). Either way the write is not there; the caller may try again.
fn stopped() -> StorageError {
    StorageError::Unavailable(sqlx::Error::WorkerCrashed)
}

/// The writer thread's loop: a group of writes for each turn on the connection.
async fn serve<DB: Database>(
    connection: Arc<Mutex<DB::Connection>>,
    begin: &'static str,
    mode: Arc<CurrentMode>,
    modes: WriterModes,
    mut queue: mpsc::UnboundedReceiver<Box<dyn Job<DB>>>,
) where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    while let Some(first) = queue.recv().await {
        let mut connection = connection.lock().await;
        if let Err(err) = mode.set::<DB>(&mut connection, true, modes).await {
            first.answer(Err(err));
            continue;
        }
        write_group(&mut *connection, begin, first, &mut queue).await;
    }
}

/// Runs `first` and the writes queued behind it (up to [`MOST_WRITES_PER_COMMIT`]) in one
/// transaction, then commits and answers them. The first write runs in the transaction itself,
/// so a write alone costs what it did before; each one after it in a savepoint it sets with its
/// first statement, undone alone if it fails.
async fn write_group<DB: Database>(
    connection: &mut DB::Connection,
    begin: &'static str,
    mut first: Box<dyn Job<DB>>,
    queue: &mut mpsc::UnboundedReceiver<Box<dyn Job<DB>>>,
) where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    // The first write that succeeds opens the group; one that fails is rolled back alone.
    let mut tx = loop {
        let mut tx = match Connection::begin_with(&mut *connection, sqlx::SqlStr::from_static(begin)).await {
            Ok(tx) => tx,
            Err(err) => return first.answer(Err(err.into())),
        };
        if run(first.as_mut(), &mut tx).await {
            break tx;
        }
        let undone = tx.rollback().await;
        first.answer(undone.map_err(StorageError::from));
        match queue.try_recv() {
            Ok(next) => first = next,
            Err(_) => return,
        }
    };
    let mut written = vec![first];
    let mut in_doubt = None;
    while written.len() < MOST_WRITES_PER_COMMIT {
        let Ok(mut next) = queue.try_recv() else { break };
        match run_in_savepoint(next.as_mut(), &mut tx).await {
            Ok(true) => written.push(next),
            Ok(false) => next.answer(Ok(())),
            Err(err) => {
                // What the write left could not be kept or undone apart: nothing commits.
                in_doubt = Some(err);
                written.push(next);
                break;
            }
        }
    }
    let outcome = match in_doubt {
        None => tx.commit().await,
        Some(err) => {
            let _ = tx.rollback().await;
            Err(err)
        }
    };
    match outcome {
        Ok(()) => written.into_iter().for_each(|job| job.answer(Ok(()))),
        Err(err) => {
            tracing::error!(error = %err, writes = written.len(), "a group of writes did not commit");
            // Each caller gets the error; sqlx's errors cannot be copied, so each gets it again
            // as the same kind of failure.
            let kind = StorageError::from(err);
            for job in written {
                job.answer(Err(again(&kind)));
            }
        }
    }
}

/// What a write after the first of a group sends before its first statement, in the same trip
/// (see [`FirstStatement`]).
pub const SAVEPOINT: &str = const_format::concatcp!("SAVEPOINT ", SAVEPOINT_NAME, "; ");

/// The savepoint's name; the savepoints of a group nest, and a rollback goes to the latest.
const SAVEPOINT_NAME: &str = "patron_write";

/// Where the savepoint of the write that runs is, for a write after the first of a group.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// Still to be sent with the write's first statement.
    Wanted,
    /// Sent with a statement that failed: whether it was set is not known.
    Sent,
    /// Set: a failure of the write rolls back to it.
    Set,
}

tokio::task_local! {
    /// The savepoint of the write that runs, within [`run_in_savepoint`].
    static MARK: Cell<Mark>;
}

/// The first statement of a write that can run after the first of a group: it carries the
/// write's savepoint when the write needs one. Every such write starts with one (see
/// `balance.rs`); one that does not, and then fails, cannot be undone alone, and its whole group
/// fails.
pub struct FirstStatement {
    /// The statement to run: the plain one or the one after [`SAVEPOINT`].
    pub sql: &'static str,
    carries_savepoint: bool,
}

impl FirstStatement {
    /// `plain`, or `with_savepoint` (the same after [`SAVEPOINT`]) if the write that runs must
    /// set its savepoint now.
    pub fn choose(plain: &'static str, with_savepoint: &'static str) -> Self {
        let carries_savepoint = MARK
            .try_with(|mark| {
                let wanted = mark.get() == Mark::Wanted;
                if wanted {
                    mark.set(Mark::Sent);
                }
                wanted
            })
            .unwrap_or(false);
        FirstStatement { sql: if carries_savepoint { with_savepoint } else { plain }, carries_savepoint }
    }

    /// Notes that the statement ran: the savepoint it carried is set.
    pub fn ran(self) {
        if self.carries_savepoint {
            let _ = MARK.try_with(|mark| mark.set(Mark::Set));
        }
    }
}

/// Runs `job` after the first of a group: `Ok(true)` if it wrote (its changes stay), `Ok(false)`
/// if it failed and its changes are undone, an error if they cannot be (then the transaction
/// holds an unknown part of the write). The job sets its savepoint with its first statement:
/// one trip less than a savepoint of its own for each write. The savepoints stay set, nested;
/// the group's commit keeps what is under them.
async fn run_in_savepoint<DB: Database>(
    job: &mut dyn Job<DB>,
    tx: &mut Transaction<'_, DB>,
) -> Result<bool, sqlx::Error>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let (wrote, mark) = MARK
        .scope(Cell::new(Mark::Wanted), async {
            let wrote = run(job, tx).await;
            (wrote, MARK.with(Cell::get))
        })
        .await;
    match (wrote, mark) {
        (true, _) => Ok(true),
        (false, Mark::Set) => {
            const ROLLBACK: &str = const_format::concatcp!("ROLLBACK TO ", SAVEPOINT_NAME);
            sqlx::raw_sql(sqlx::SqlStr::from_static(ROLLBACK)).execute(&mut **tx).await?;
            Ok(false)
        }
        (false, Mark::Wanted | Mark::Sent) => {
            Err(sqlx::Error::Protocol("a write failed with no savepoint set before it".to_owned()))
        }
    }
}

/// Runs `job` in `tx`; a panic in it counts as a failed write (answered as an error when its
/// changes are undone), and the thread goes on with the next.
async fn run<DB: Database>(job: &mut dyn Job<DB>, tx: &mut Transaction<'_, DB>) -> bool {
    match AssertUnwindSafe(job.run(tx)).catch_unwind().await {
        Ok(wrote) => wrote,
        Err(_) => {
            tracing::error!("a write panicked; its changes are undone");
            false
        }
    }
}

/// The failure `err` stands for, for one more of the callers it reached.
fn again(err: &StorageError) -> StorageError {
    let cause = || sqlx::Error::Protocol(format!("the transaction did not commit: {err}"));
    match err {
        StorageError::Unavailable(_) => StorageError::Unavailable(cause()),
        _ => StorageError::Database(cause()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::write_connection::{test_queue as queue, WriterQueue};
    use super::*;
    use sqlx::Sqlite;
    use std::time::Duration;

    /// Writes `v` in two statements, the first of which sets the savepoint of a write in a
    /// group: a row of -1, then `v` in it (NULL fails, after the first statement wrote).
    fn insert(v: Option<i64>) -> WriteFn<Sqlite, Option<i64>> {
        Box::new(move |tx| {
            Box::pin(async move {
                const INSERT: &str = "INSERT INTO t (v) VALUES (-1)";
                let first = FirstStatement::choose(INSERT, const_format::concatcp!(SAVEPOINT, INSERT));
                sqlx::raw_sql(sqlx::SqlStr::from_static(first.sql)).execute(&mut **tx).await?;
                first.ran();
                sqlx::query("UPDATE t SET v = $1 WHERE rowid = last_insert_rowid()").bind(v).execute(&mut **tx).await?;
                Ok(v)
            })
        })
    }

    /// Inserts `v` (NULL fails) without setting a savepoint first.
    fn insert_without_savepoint(v: Option<i64>) -> WriteFn<Sqlite, Option<i64>> {
        Box::new(move |tx| {
            Box::pin(async move {
                sqlx::query("INSERT INTO t (v) VALUES ($1)").bind(v).execute(&mut **tx).await?;
                Ok(v)
            })
        })
    }

    async fn values(queue: &WriterQueue<Sqlite>) -> Vec<i64> {
        let mut writer = queue.take().await.expect("writer");
        sqlx::query_scalar("SELECT v FROM t ORDER BY v").fetch_all(&mut *writer).await.expect("rows")
    }

    /// Sends `writes` while the connection is taken, so they queue together, then lets them run.
    async fn queued_together(
        queue: &WriterQueue<Sqlite>,
        writes: Vec<WriteFn<Sqlite, Option<i64>>>,
    ) -> Vec<StorageResult<Option<i64>>> {
        let held = queue.take().await.expect("writer");
        let tasks: Vec<_> = writes
            .into_iter()
            .map(|write| {
                let queue = queue.clone();
                tokio::spawn(async move { queue.write(write).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(held);
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.expect("task"));
        }
        answers
    }

    #[tokio::test]
    async fn writes_queued_together_commit_together_and_a_failing_one_is_undone_alone() {
        let queue = queue().await;
        let writes = vec![insert(Some(1)), insert(None), insert(Some(2)), insert(Some(3))];
        let answers = queued_together(&queue, writes).await;
        assert!(matches!(answers[0], Ok(Some(1))));
        assert!(answers[1].is_err(), "the failing write gets its own error");
        assert!(matches!(answers[2], Ok(Some(2))));
        assert!(matches!(answers[3], Ok(Some(3))));
        assert_eq!(values(&queue).await, vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn a_first_write_that_fails_leaves_the_ones_behind_it_written() {
        let queue = queue().await;
        let answers = queued_together(&queue, vec![insert(None), insert(Some(4)), insert(None), insert(Some(5))]).await;
        assert!(answers[0].is_err() && answers[2].is_err());
        assert!(matches!(answers[1], Ok(Some(4))) && matches!(answers[3], Ok(Some(5))));
        assert_eq!(values(&queue).await, vec![4, 5]);
    }

    #[tokio::test]
    async fn a_write_that_panics_is_undone_and_the_writes_after_it_go_on() {
        let queue = queue().await;
        let panics: WriteFn<Sqlite, Option<i64>> = Box::new(|tx| {
            Box::pin(async move {
                const INSERT: &str = "INSERT INTO t (v) VALUES (9)";
                let first = FirstStatement::choose(INSERT, const_format::concatcp!(SAVEPOINT, INSERT));
                assert_ne!(first.sql, INSERT, "the second write of a group sets its savepoint");
                sqlx::raw_sql(sqlx::SqlStr::from_static(first.sql)).execute(&mut **tx).await?;
                first.ran();
                panic!("a bug in a write");
            })
        });
        let answers = queued_together(&queue, vec![insert(Some(1)), panics, insert(Some(2))]).await;
        assert!(answers[1].is_err());
        assert!(matches!(answers[2], Ok(Some(2))));
        assert_eq!(queue.write(insert(Some(3))).await.expect("the thread goes on"), Some(3));
        assert_eq!(values(&queue).await, vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn a_write_that_fails_without_its_savepoint_fails_its_whole_group_and_the_next_group_goes_on() {
        let queue = queue().await;
        let writes = vec![insert(Some(1)), insert(Some(2)), insert_without_savepoint(None), insert(Some(3))];
        let answers = queued_together(&queue, writes).await;
        assert!(answers[..3].iter().all(Result::is_err), "nothing of the group is written: {answers:?}");
        assert!(matches!(answers[3], Ok(Some(3))), "the write after the group runs in the next");
        assert_eq!(values(&queue).await, vec![3]);
    }

    #[tokio::test]
    async fn a_write_that_sets_no_savepoint_and_succeeds_commits_with_its_group() {
        let queue = queue().await;
        let writes = vec![insert(Some(1)), insert_without_savepoint(Some(2)), insert(None), insert(Some(3))];
        let answers = queued_together(&queue, writes).await;
        assert!(matches!(answers[1], Ok(Some(2))));
        assert!(answers[2].is_err(), "the failing write gets its own error");
        assert!(matches!(answers[3], Ok(Some(3))));
        assert_eq!(values(&queue).await, vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn a_write_whose_caller_stops_waiting_before_it_starts_writes_nothing() {
        let queue = queue().await;
        let held = queue.take().await.expect("writer");
        let gone = tokio::time::timeout(Duration::from_millis(20), queue.write(insert(Some(7)))).await;
        assert!(gone.is_err(), "the caller stopped waiting");
        drop(held);
        assert_eq!(queue.write(insert(Some(8))).await.expect("write"), Some(8));
        assert_eq!(values(&queue).await, vec![8]);
    }

    #[tokio::test]
    async fn a_write_on_its_own_after_grouped_ones_finds_the_connection_as_it_was() {
        let queue = queue().await;
        queued_together(&queue, vec![insert(Some(1)), insert(Some(2))]).await;
        let mut writer = queue.take().await.expect("writer");
        let store: i64 = sqlx::query_scalar("PRAGMA temp_store").fetch_one(&mut *writer).await.expect("pragma");
        assert_eq!(store, 1, "back to temporary files for a write that may change many rows");
        let mut tx = writer.begin().await.expect("a transaction of its own starts");
        sqlx::query("INSERT INTO t (v) VALUES (3)").execute(&mut *tx).await.expect("insert");
        tx.commit().await.expect("commit");
        drop(writer);
        assert_eq!(values(&queue).await, vec![1, 2, 3]);
    }
}
