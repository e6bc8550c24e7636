//! Dates as the pages show them (`2026-11-25`, `2026-11-25 14:05`, UTC), written from the date's
//! fields rather than with a format string: chrono's format-string machinery would otherwise be
//! part of the WebAssembly every browser downloads.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// The day, `YYYY-MM-DD`.
pub fn day(at: &DateTime<Utc>) -> String {
    format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day())
}

/// The day and minute, `YYYY-MM-DD HH:MM`.
pub fn day_and_minute(at: &DateTime<Utc>) -> String {
    format!("{} {:02}:{:02}", day(at), at.hour(), at.minute())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dates_read_as_iso_days_and_minutes() {
        let at = Utc.with_ymd_and_hms(2026, 3, 7, 9, 5, 59).single().expect("valid date");
        assert_eq!(day(&at), "2026-03-07");
        assert_eq!(day_and_minute(&at), "2026-03-07 09:05");
        assert_eq!(day(&at), at.format("%Y-%m-%d").to_string());
    }
}
