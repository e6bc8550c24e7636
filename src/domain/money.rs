//! Money as typed or sent: a decimal text with at most two places, read into integer minor units
//! (cents) with DRF's `DecimalField` messages. No floating point and no decimal library: the same
//! check runs on the server and in the browser.

/// The message for a text that is not a decimal number.
pub const NOT_A_NUMBER: &str = "A valid number is required.";
/// The message for more than two decimal places.
pub const TOO_MANY_PLACES: &str = "Ensure that there are no more than 2 decimal places.";
/// The largest amount of one order or refund, in minor units (9,999,999,999.99).
pub const MAX_AMOUNT_MINOR: i64 = 999_999_999_999;

/// An amount in minor units between `min` and `max` (both included), read from a decimal text
/// like `125000`, `125000.5` or `"125000.00"`.
pub fn minor_units(text: &str, min: i64, max: i64) -> Result<i64, String> {
    let text = text.trim();
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_only(whole) || !digits_only(fraction) {
        return Err(NOT_A_NUMBER.into());
    }
    if fraction.len() > 2 {
        return Err(TOO_MANY_PLACES.into());
    }
    let whole = whole.trim_start_matches('0');
    // More whole digits than any bound allows: refused by the bound without overflowing.
    let value = if whole.len() > 15 {
        None
    } else {
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| NOT_A_NUMBER.to_owned())? };
        let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| NOT_A_NUMBER.to_owned())?;
        Some(whole * 100 + cents)
    };
    match (negative, value) {
        (false, Some(value)) if value > max => Err(too_large(max)),
        (false, None) => Err(too_large(max)),
        (true, Some(0)) if min <= 0 => Ok(0),
        (true, _) => Err(too_small(min)),
        (false, Some(value)) if value < min => Err(too_small(min)),
        (false, Some(value)) => Ok(value),
    }
}

fn too_large(max: i64) -> String {
    format!("Ensure this value is less than or equal to {}.", decimal_text(max))
}

fn too_small(min: i64) -> String {
    format!("Ensure this value is greater than or equal to {}.", decimal_text(min))
}

/// Minor units as a decimal text with two places, without grouping (`125000.00`).
pub fn decimal_text(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_texts_become_minor_units() {
        assert_eq!(minor_units("125000.00", 1, MAX_AMOUNT_MINOR), Ok(12_500_000));
        assert_eq!(minor_units(" 12.5 ", 1, MAX_AMOUNT_MINOR), Ok(1250));
        assert_eq!(minor_units("7", 1, MAX_AMOUNT_MINOR), Ok(700));
        assert_eq!(minor_units(".5", 1, MAX_AMOUNT_MINOR), Ok(50));
        assert_eq!(minor_units("9999999999.99", 1, MAX_AMOUNT_MINOR), Ok(MAX_AMOUNT_MINOR));
    }

    #[test]
    fn bad_amounts_get_drf_messages() {
        assert_eq!(minor_units("abc", 1, 100), Err(NOT_A_NUMBER.into()));
        assert_eq!(minor_units("", 1, 100), Err(NOT_A_NUMBER.into()));
        assert_eq!(minor_units("1e5", 1, 100), Err(NOT_A_NUMBER.into()));
        assert_eq!(minor_units("0.001", 1, 100), Err(TOO_MANY_PLACES.into()));
        assert_eq!(minor_units("0", 1, 100), Err("Ensure this value is greater than or equal to 0.01.".into()));
        assert_eq!(minor_units("-3", 1, 100), Err("Ensure this value is greater than or equal to 0.01.".into()));
        assert_eq!(minor_units("1.01", 1, 100), Err("Ensure this value is less than or equal to 1.00.".into()));
        let huge = "9".repeat(40);
        assert_eq!(minor_units(&huge, 1, 100), Err("Ensure this value is less than or equal to 1.00.".into()));
    }

    #[test]
    fn amounts_read_back_with_two_places() {
        assert_eq!(decimal_text(12_500_000), "125000.00");
        assert_eq!(decimal_text(5), "0.05");
        assert_eq!(decimal_text(-150), "-1.50");
    }
}
