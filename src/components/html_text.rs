//! HTML written as text: the parts of a page that are built on every view and have many elements
//! (the customers list, its statistics, the menu) are cheaper as one string than as view
//! elements. What a user typed is escaped here, always.

/// Appends a whole number in decimal.
pub fn push_int(html: &mut String, n: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        html.push('-');
    }
    for &digit in &digits[at..] {
        html.push(char::from(digit));
    }
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
    }
}
