//! Rows in PostgreSQL's `COPY ... FROM STDIN` text format: one line per row, columns separated
//! by tabs, `\N` for NULL, and backslash escapes for what would break a line or a column.

use chrono::{DateTime, Utc};
use std::fmt::Write as _;

/// A buffer of rows in `COPY` text format, written column by column.
#[derive(Debug, Default)]
pub struct CopyText {
    buffer: String,
    at_row_start: bool,
}

impl CopyText {
    /// An empty buffer.
    pub fn new() -> Self {
        CopyText { buffer: String::new(), at_row_start: true }
    }

    fn separate(&mut self) {
        if !std::mem::replace(&mut self.at_row_start, false) {
            self.buffer.push('\t');
        }
    }

    /// A text column, escaped.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separate();
        for c in value.chars() {
            match c {
                '\\' => self.buffer.push_str("\\\\"),
                '\t' => self.buffer.push_str("\\t"),
                '\n' => self.buffer.push_str("\\n"),
                '\r' => self.buffer.push_str("\\r"),
                other => self.buffer.push(other),
            }
        }
        self
    }

    /// A text column that may be NULL.
    pub fn optional_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.text(value),
            None => self.null(),
        }
    }

    /// An integer column.
    pub fn int(&mut self, value: i64) -> &mut Self {
        self.separate();
        let _ = write!(self.buffer, "{value}");
        self
    }

    /// An integer column that may be NULL.
    pub fn optional_int(&mut self, value: Option<i64>) -> &mut Self {
        match value {
            Some(value) => self.int(value),
            None => self.null(),
        }
    }

    /// A boolean column.
    pub fn boolean(&mut self, value: bool) -> &mut Self {
        self.separate();
        self.buffer.push(if value { 't' } else { 'f' });
        self
    }

    /// A `TIMESTAMPTZ` column, to the microsecond as PostgreSQL keeps it (the digits beyond are
    /// dropped, as a bound parameter drops them).
    pub fn time(&mut self, value: DateTime<Utc>) -> &mut Self {
        self.separate();
        let _ = write!(self.buffer, "{}+00", value.format("%Y-%m-%d %H:%M:%S%.6f"));
        self
    }

    /// A `TIMESTAMPTZ` column that may be NULL.
    pub fn optional_time(&mut self, value: Option<DateTime<Utc>>) -> &mut Self {
        match value {
            Some(value) => self.time(value),
            None => self.null(),
        }
    }

    /// A NULL column.
    pub fn null(&mut self) -> &mut Self {
        self.separate();
        self.buffer.push_str("\\N");
        self
    }

    /// Ends the row.
    pub fn end_row(&mut self) {
        self.buffer.push('\n');
        self.at_row_start = true;
    }

    /// Whether no row was written.
    pub fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }

    /// The rows written, for `COPY ... FROM STDIN`.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buffer.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn columns_are_tab_separated_and_rows_end_with_a_newline() {
        let mut rows = CopyText::new();
        rows.int(7).text("Sari").boolean(true).null().end_row();
        rows.optional_int(None)
            .optional_int(Some(-3))
            .boolean(false)
            .optional_text(Some("x"))
            .optional_text(None)
            .end_row();
        assert_eq!(String::from_utf8(rows.into_bytes()).unwrap(), "7\tSari\tt\t\\N\n\\N\t-3\tf\tx\t\\N\n");
    }

    #[test]
    fn text_that_would_break_a_row_or_a_column_is_escaped() {
        let mut rows = CopyText::new();
        rows.text("a\tb\nc\rd\\e \\N é").end_row();
        assert_eq!(String::from_utf8(rows.into_bytes()).unwrap(), "a\\tb\\nc\\rd\\\\e \\\\N é\n");
    }

    #[test]
    fn times_keep_microseconds_and_drop_what_is_finer() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 21, 5, 9).unwrap() + chrono::Duration::nanoseconds(123_456_789);
        let mut rows = CopyText::new();
        rows.time(at).optional_time(None).end_row();
        assert_eq!(String::from_utf8(rows.into_bytes()).unwrap(), "2026-12-03 21:05:09.123456+00\t\\N\n");
    }
}
