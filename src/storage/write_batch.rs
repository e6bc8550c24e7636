//! Statements a write sends together, with no read between them.
//!
//! Every statement is a trip to the database: on SQLite a hand-off to the connection's thread
//! and back, which costs more than most of these statements take to run, and the writer
//! connection stays taken meanwhile. SQLite runs several statements of one request in order, so
//! there a batch is one trip; PostgreSQL prepares one statement per request, so there the
//! statements go one after another, as they would without a batch.

use super::{StorageError, StorageResult};
use sqlx::{Arguments, Database, Encode, Executor, IntoArguments, Type};

/// Write statements collected in order, then run in one trip where the database allows it.
pub struct WriteBatch<DB: Database> {
    /// The statements and their arguments: one entry holding all of them when `one_trip`.
    statements: Vec<(String, DB::Arguments)>,
    one_trip: bool,
    /// The first argument that could not be encoded, reported by [`WriteBatch::run`].
    failed: Option<sqlx::error::BoxDynError>,
}

impl<DB: Database> WriteBatch<DB> {
    /// An empty batch; `one_trip` when the database runs several statements of one request.
    pub fn new(one_trip: bool) -> Self {
        WriteBatch { statements: Vec::new(), one_trip, failed: None }
    }

    /// Adds a statement whose parameters are `$1`, `$2`, … (bound next, in that order). The
    /// statement must not hold a `$` anywhere but in its parameters.
    pub fn push(&mut self, sql: &str) -> &mut Self {
        match self.statements.last_mut() {
            Some((batch, arguments)) if self.one_trip => {
                let offset = arguments.len();
                batch.push_str(";\n");
                batch.push_str(&shift_parameters(sql, offset));
            }
            _ => self.statements.push((sql.to_owned(), DB::Arguments::default())),
        }
        self
    }

    /// Binds the next parameter of the last statement pushed.
    pub fn bind<'t, T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'t, DB> + Type<DB>,
    {
        if let Some((_, arguments)) = self.statements.last_mut() {
            if let Err(err) = arguments.add(value) {
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
        for (sql, arguments) in self.statements {
            // The statements are the application's own, with their values bound as parameters.
            sqlx::query_with(sqlx::AssertSqlSafe(sql), arguments).execute(&mut *connection).await?;
        }
        Ok(())
    }
}

/// `sql` with each parameter `$n` renamed `$(n + offset)`, to follow statements that already
/// bound `offset` values in the same request.
fn shift_parameters(sql: &str, offset: usize) -> String {
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
        let mut batch = WriteBatch::<Sqlite>::new(true);
        batch.push("INSERT INTO t (a, b) VALUES ($1, $2)").bind(1_i64).bind("one");
        batch.push("INSERT INTO t (a, b) VALUES ($2, $1)").bind("two").bind(2_i64);
        batch.push("UPDATE t SET b = b || $1 WHERE a = $2").bind("!").bind(2_i64);
        batch.run(&mut connection).await.expect("batch");
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT a, b FROM t ORDER BY a").fetch_all(&mut connection).await.expect("rows");
        assert_eq!(rows, vec![(1, "one".to_owned()), (2, "two!".to_owned())]);
    }

    #[tokio::test]
    async fn a_failing_statement_stops_the_ones_after_it() {
        let mut connection = database_with("a INTEGER NOT NULL").await;
        let mut batch = WriteBatch::<Sqlite>::new(true);
        batch.push("INSERT INTO t (a) VALUES ($1)").bind(Option::<i64>::None);
        batch.push("INSERT INTO t (a) VALUES ($1)").bind(7_i64);
        assert!(batch.run(&mut connection).await.is_err());
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM t").fetch_one(&mut connection).await.expect("count");
        assert_eq!(count, 0);
    }
}
