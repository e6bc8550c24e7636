//! `application/x-www-form-urlencoded`: the query strings of the API and of the pages' URLs, read
//! the same way on the server and in the browser.

/// Splits a query string (without its `?`) into decoded name/value pairs, in order.
pub fn pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// Decodes one name or value: `+` is a space, `%XX` a byte; a malformed escape stays as typed
/// and bytes that are not UTF-8 become U+FFFD.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Joins name/value pairs into a query string (without its `?`), each part encoded by [`encode`].
pub fn serialize<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode(name));
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

/// Encodes one name or value: unreserved characters stay, a space becomes `+`, the rest `%XX`.
pub fn encode(value: &str) -> String {
    encode_keeping(value, b"")
}

/// Like [`encode`], with the bytes in `keep` left as they are too (`/` keeps a path readable in
/// `?next=/customers%3Fpage%3D2`).
pub fn encode_keeping(value: &str, keep: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            b' ' => out.push('+'),
            _ if keep.contains(&byte) => out.push(byte as char),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_plus_and_percent_escapes() {
        assert_eq!(
            pairs("search=sari+w&city=Jakarta%20Selatan"),
            vec![("search".to_owned(), "sari w".to_owned()), ("city".to_owned(), "Jakarta Selatan".to_owned())]
        );
        assert_eq!(decode("%C3%A9mile"), "émile");
    }

    #[test]
    fn malformed_escapes_are_kept_as_typed() {
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("50%25+off%"), "50% off%");
        assert_eq!(decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn encoded_values_decode_to_themselves() {
        for value in ["Zoë & co 100%", "a+b=c", "", "José/Émile?"] {
            assert_eq!(decode(&encode(value)), value);
        }
        assert_eq!(encode_keeping("/customers?page=2", b"/"), "/customers%3Fpage%3D2");
    }

    #[test]
    fn pairs_serialize_to_a_query_string_that_reads_back() {
        let query = serialize([("search", "Zoë & co"), ("page", "2")]);
        assert_eq!(query, "search=Zo%C3%AB+%26+co&page=2");
        assert_eq!(pairs(&query), vec![("search".into(), "Zoë & co".into()), ("page".into(), "2".into())]);
        assert_eq!(serialize([]), "");
    }
}
