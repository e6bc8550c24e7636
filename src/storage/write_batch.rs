//! Statements a write sends together, with no read between them.
//!
//! Every statement is a trip to the database: on SQLite a hand-off to the connection's thread
//! and back, which costs more than most of these statements take to run, and the writer
//! connection stays taken meanwhile; on PostgreSQL a round trip to the server. So a batch goes
//! in one trip on both:
//! - SQLite runs the statements of one request in order ([`BatchForm::Script`]);
//! - PostgreSQL runs one statement per request, so the statements become the data-modifying
//!   `WITH` clauses of one statement ([`BatchForm::WithClauses`]). They run on one snapshot, in
//!   an order of the database's choosing, and none sees what another changes: the statements of
//!   a batch must not touch the same row twice, read what another writes, or insert into a
//!   table another inserts into where the order of the rows' ids matters (the ledger, lots,
//!   tier history, consents and activity rows of one change, one statement each, are such
//!   statements). Foreign keys are checked at the end of the statement, so a row may refer to
//!   one inserted beside it.

use super::{StorageError, StorageResult};
use sqlx::{Arguments, Database, Encode, Executor, IntoArguments, Type};

/// How a database takes several statements in one trip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchForm {
    /// Statements separated by `;`, run in order (SQLite).
    Script,
    /// One statement whose `WITH` clauses are the statements (PostgreSQL).
    WithClauses,
}

/// The most parameters one trip binds before the next statements start another trip: far under
/// the databases' limits (32,766 on SQLite, 65,535 on PostgreSQL), which a change that takes
/// points from many lots would otherwise reach.
const MAX_PARAMETERS_PER_TRIP: usize = 2_000;

/// Write statements collected in order, then run in one trip (or, for very many, a few).
pub struct WriteBatch<DB: Database> {
    trips: Vec<Trip<DB>>,
    form: BatchForm,
    /// The first argument that could not be encoded, reported by [`WriteBatch::run`].
    failed: Option<sqlx::error::BoxDynError>,
}

/// Statements sent in one request, their parameters numbered across all of them.
struct Trip<DB: Database> {
    statements: Vec<String>,
    /// The values of every statement's parameters, in order.
    arguments: DB::Arguments,
}

impl<DB: Database> WriteBatch<DB> {
    /// An empty batch, sent in `form`.
    pub fn new(form: BatchForm) -> Self {
        WriteBatch { trips: Vec::new(), form, failed: None }
    }

    /// Adds a statement whose parameters are `$1`, `$2`, … (bound next, in that order). The
    /// statement must not hold a `$` anywhere but in its parameters.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        match self.trips.last_mut() {
            Some(trip) if trip.arguments.len() < MAX_PARAMETERS_PER_TRIP => {
                trip.statements.push(shift_parameters(sql, trip.arguments.len()));
            }
            _ => self.trips.push(Trip { statements: vec![sql.to_owned()], arguments: DB::Arguments::default() }),
        }
        self
    }

    /// Binds the next parameter of the last statement pushed.
    pub fn bind<'t, T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'t, DB> + Type<DB>,
    {
        if let Some(trip) = self.trips.last_mut() {
            if let Err(err) = trip.arguments.add(value) {
                self.failed.get_or_insert(err);
            }
        }
        self
    }

    /// Runs the statements in the order they were pushed, on `connection` (inside the write's
    /// transaction).
    pub async fn run(self, connection: &mut DB::Connection) -> StorageResult<()>
    where
        DB::Arguments: IntoArguments<DB>,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    {
        if let Some(err) = self.failed {
            return Err(StorageError::Database(sqlx::Error::Encode(err)));
        }
        for trip in self.trips {
            let Some(sql) = joined(&trip.statements, self.form) else { continue };
            // The statements are the application's own, with their values bound as parameters.
            sqlx::query_with(sqlx::AssertSqlSafe(sql), trip.arguments).execute(&mut *connection).await?;
        }
        Ok(())
    }
}

/// The statements as one request in `form`; `None` when there are none.
fn joined(statements: &[String], form: BatchForm) -> Option<String> {
    let (last, before) = statements.split_last()?;
    if before.is_empty() {
        return Some(last.clone());
    }
    Some(match form {
        BatchForm::Script => statements.join(";\n"),
        BatchForm::WithClauses => {
            let clauses: Vec<String> =
                before.iter().enumerate().map(|(n, statement)| format!("w{n} AS ({statement})")).collect();
            format!("WITH {}\n{last}", clauses.join(",\n"))
        }
    })
}

/// `sql` with each parameter `$n` renamed `$(n + offset)`, to follow statements that already
/// bound `offset` values in the same request (or rows before it in one statement).
pub(crate) fn shift_parameters(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_owned();
    }
    let mut shifted = String::with_capacity(sql.len() + 8);
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        shifted.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) => shifted.push_str(&(n + offset).to_string()),
            Err(_) => shifted.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    shifted.push_str(rest);
    shifted
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Sqlite};
    use std::str::FromStr;

    #[test]
    fn parameters_are_renumbered_after_the_values_already_bound() {
        assert_eq!(shift_parameters("VALUES ($1, $2, $1)", 3), "VALUES ($4, $5, $4)");
        assert_eq!(shift_parameters("SET a = $10 WHERE b = $2", 0), "SET a = $10 WHERE b = $2");
        assert_eq!(shift_parameters("no parameters", 5), "no parameters");
    }

    #[test]
    fn postgresql_takes_the_statements_as_with_clauses_of_the_last() {
        let statements = ["INSERT INTO a VALUES ($1)".to_owned(), "UPDATE b SET c = $2".to_owned()];
        assert_eq!(
            joined(&statements, BatchForm::WithClauses).as_deref(),
            Some("WITH w0 AS (INSERT INTO a VALUES ($1))\nUPDATE b SET c = $2")
        );
        assert_eq!(
            joined(&statements, BatchForm::Script).as_deref(),
            Some("INSERT INTO a VALUES ($1);\nUPDATE b SET c = $2")
        );
        assert_eq!(joined(&statements[..1], BatchForm::WithClauses).as_deref(), Some("INSERT INTO a VALUES ($1)"));
        assert_eq!(joined(&[], BatchForm::Script), None);
    }

    async fn database_with(table: &str) -> sqlx::SqliteConnection {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").expect("options");
        let mut connection = options.connect().await.expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE TABLE t ({table})")))
            .execute(&mut connection)
            .await
            .expect("table");
        connection
    }

    #[tokio::test]
    async fn statements_of_one_trip_each_see_their_own_values_in_order() {
        let mut connection = database_with("a INTEGER, b TEXT").await;
        let mut batch = WriteBatch::<Sqlite>::new(BatchForm::Script);
        batch.push("INSERT INTO t (a, b) VALUES ($1, $2)").bind(1_i64).bind("one");
        batch.push("INSERT INTO t (a, b) VALUES ($2, $1)").bind("two").bind(2_i64);
        batch.push("UPDATE t SET b = b || $1 WHERE a = $2").bind("!").bind(2_i64);
        batch.run(&mut connection).await.expect("batch");
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT a, b FROM t ORDER BY a").fetch_all(&mut connection).await.expect("rows");
        assert_eq!(rows, vec![(1, "one".to_owned()), (2, "two!".to_owned())]);
    }

    #[tokio::test]
    async fn a_batch_of_more_parameters_than_one_trip_takes_runs_whole_and_in_order() {
        let mut connection = database_with("a INTEGER, b INTEGER").await;
        let mut batch = WriteBatch::<Sqlite>::new(BatchForm::Script);
        for n in 0..20_000_i64 {
            batch.push("INSERT INTO t (a, b) VALUES ($1, $2)").bind(n).bind(n * 2);
        }
        batch.push("UPDATE t SET b = -1 WHERE a = $1").bind(19_999_i64);
        batch.run(&mut connection).await.expect("batch");
        let (count, sum, last): (i64, i64, i64) =
            sqlx::query_as("SELECT count(*), sum(a), (SELECT b FROM t WHERE a = 19999) FROM t")
                .fetch_one(&mut connection)
                .await
                .expect("rows");
        assert_eq!((count, sum, last), (20_000, (0..20_000).sum::<i64>(), -1));
    }

    #[tokio::test]
    async fn a_failing_statement_stops_the_ones_after_it() {
        let mut connection = database_with("a INTEGER NOT NULL").await;
        let mut batch = WriteBatch::<Sqlite>::new(BatchForm::Script);
        batch.push("INSERT INTO t (a) VALUES ($1)").bind(Option::<i64>::None);
        batch.push("INSERT INTO t (a) VALUES ($1)").bind(7_i64);
        assert!(batch.run(&mut connection).await.is_err());
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM t").fetch_one(&mut connection).await.expect("count");
        assert_eq!(count, 0);
    }
}
