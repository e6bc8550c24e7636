//! HTML written as text: the parts of a page that are built on every view and have many elements
//! (the customers list, its statistics, the menu) are cheaper as one string than as view
//! elements. What a user typed is escaped here, always; every HTML that Patron writes by hand
//! (the sign-in refusal page too) escapes through [`text`].

/// Appends a whole number in decimal.
pub fn push_int(html: &mut String, n: i64) {
    if n < 0 {
        html.push('-');
    }
    push_digits(html, n.unsigned_abs(), false);
}

/// Appends a whole number with its thousands grouped: 1234567 → "1,234,567".
pub fn push_grouped(html: &mut String, n: i64) {
    if n < 0 {
        html.push('-');
    }
    push_digits(html, n.unsigned_abs(), true);
}

/// Appends the decimal digits of `n`, with a comma between groups of three if `grouped`: written
/// on the stack first, then appended at once.
fn push_digits(html: &mut String, mut n: u64, grouped: bool) {
    let mut bytes = [0u8; 26];
    let mut start = bytes.len();
    let mut written = 0;
    loop {
        if grouped && written > 0 && written % 3 == 0 {
            start -= 1;
            bytes[start] = b',';
        }
        start -= 1;
        bytes[start] = b'0' + (n % 10) as u8;
        written += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits and commas were written from `start` on, so this never fails.
    html.push_str(std::str::from_utf8(&bytes[start..]).unwrap_or_default());
}

/// Appends `value` escaped for HTML text and for a double-quoted attribute.
pub fn text(html: &mut String, value: &str) {
    let mut plain = 0;
    for (at, byte) in value.bytes().enumerate() {
        let escaped = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The escaped bytes are ASCII, so `plain..at` and `at + 1..` fall on character boundaries.
        html.push_str(&value[plain..at]);
        html.push_str(escaped);
        plain = at + 1;
    }
    html.push_str(&value[plain..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_any_script_keep_their_characters_around_what_is_escaped() {
        let mut html = String::new();
        text(&mut html, "Zoë & <Ørjan> \"李\" 'ok'");
        assert_eq!(html, "Zoë &amp; &lt;Ørjan&gt; &quot;李&quot; &#39;ok&#39;");
        let mut number = String::new();
        push_int(&mut number, -42);
        push_int(&mut number, 0);
        push_int(&mut number, i64::MIN);
        assert_eq!(number, "-420-9223372036854775808");
        let mut number = String::new();
        push_grouped(&mut number, i64::MIN);
        push_grouped(&mut number, 999);
        assert_eq!(number, "-9,223,372,036,854,775,808999");
    }
}
