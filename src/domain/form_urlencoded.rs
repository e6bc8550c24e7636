//! `application/x-www-form-urlencoded`: the query strings of the API and of the pages' URLs.
//! Reading follows the WHATWG URL standard everywhere: on the server through the
//! `form_urlencoded` crate, in the browser through the browser's own `URLSearchParams` (the same
//! algorithm, and no decoder in the WebAssembly). Writing escapes what Django's `urlencode`
//! escapes (it keeps `~`, which the crate's serializer does not), so the API's page links are the
//! seed's and the page's links are the same whichever side renders them.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Every byte but letters, digits and `-._~` is escaped, as Python's `quote_plus` does.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// As [`QUERY_VALUE`], keeping `/` so that a path stays readable (`?next=/customers%3Fpage%3D2`).
const QUERY_PATH: &AsciiSet = &QUERY_VALUE.remove(b'/');

/// Splits a query string (without its `?`) into decoded name/value pairs, in order. A malformed
/// escape stays as typed; bytes that are not UTF-8 become U+FFFD.
#[cfg(feature = "ssr")]
pub fn pairs(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes()).map(|(name, value)| (name.into_owned(), value.into_owned())).collect()
}

/// Splits a query string (without its `?`) into decoded name/value pairs, in order, with the
/// browser's `URLSearchParams`.
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub fn pairs(text: &str) -> Vec<(String, String)> {
    use wasm_bindgen::JsCast;
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(text) else { return Vec::new() };
    let Ok(Some(entries)) = js_sys::try_iter(&params) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.dyn_into::<js_sys::Array>().ok())
        .map(|entry| (entry.get(0).as_string().unwrap_or_default(), entry.get(1).as_string().unwrap_or_default()))
        .collect()
}

/// Joins name/value pairs into a query string (without its `?`), each part encoded by [`encode`].
pub fn serialize<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        push_encoded(&mut out, name, QUERY_VALUE);
        out.push('=');
        push_encoded(&mut out, value, QUERY_VALUE);
    }
    out
}

/// Encodes one name or value: unreserved characters stay, a space becomes `+`, the rest `%XX`.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    push_encoded(&mut out, value, QUERY_VALUE);
    out
}

/// Like [`encode`], keeping `/` (a path stays readable in `?next=/customers%3Fpage%3D2`).
pub fn encode_path(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    push_encoded(&mut out, value, QUERY_PATH);
    out
}

fn push_encoded(out: &mut String, value: &str, set: &'static AsciiSet) {
    for (i, part) in value.split(' ').enumerate() {
        if i > 0 {
            out.push('+');
        }
        out.extend(utf8_percent_encode(part, set));
    }
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
        assert_eq!(pairs("q=%C3%A9mile"), vec![("q".to_owned(), "émile".to_owned())]);
    }

    #[test]
    fn malformed_escapes_are_kept_as_typed() {
        assert_eq!(pairs("q=100%")[0].1, "100%");
        assert_eq!(pairs("q=50%25+off%")[0].1, "50% off%");
        assert_eq!(pairs("q=%zz%4")[0].1, "%zz%4");
    }

    #[test]
    fn a_sign_after_a_percent_is_not_read_as_hexadecimal() {
        // `u8::from_str_radix("+A", 16)` is 10: the old decoder turned this into a newline.
        assert_eq!(pairs("q=%+A")[0].1, "% A");
        assert_eq!(pairs("q=%-A")[0].1, "%-A");
    }

    #[test]
    fn encoded_values_decode_to_themselves() {
        for value in ["Zoë & co 100%", "a+b=c", "", "José/Émile?", "~tilde*star"] {
            assert_eq!(pairs(&serialize([("v", value)]))[0].1, value);
        }
        assert_eq!(encode("a~b*c"), "a~b%2Ac");
        assert_eq!(encode_path("/customers?page=2"), "/customers%3Fpage%3D2");
    }

    #[test]
    fn pairs_serialize_to_a_query_string_that_reads_back() {
        let query = serialize([("search", "Zoë & co"), ("page", "2")]);
        assert_eq!(query, "search=Zo%C3%AB+%26+co&page=2");
        assert_eq!(pairs(&query), vec![("search".into(), "Zoë & co".into()), ("page".into(), "2".into())]);
        assert_eq!(serialize([]), "");
    }
}
