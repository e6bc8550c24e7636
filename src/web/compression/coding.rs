//! Which content coding a response goes out in, read from the request's `Accept-Encoding`.

use axum::http::header::ACCEPT_ENCODING;
use axum::http::{HeaderMap, HeaderValue};

/// A content coding Patron compresses with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    /// zstd: at the level a live response can afford, the quickest of the three (the 31 KB
    /// customers page: 10.1 KB in about 21 µs); Chromium-based browsers and Firefox take it.
    Zstd,
    /// gzip (deflate with its header and checksum): every client takes it.
    Gzip,
    /// brotli: between the two in size, but nearly twice the processor time of gzip at the levels
    /// a live response can afford.
    Brotli,
}

/// The codings in the order Patron prefers them when the client weights them alike.
const PREFERRED: [Coding; 3] = [Coding::Zstd, Coding::Gzip, Coding::Brotli];

impl Coding {
    /// The `Content-Encoding` value of this coding.
    pub fn header_value(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Coding::Zstd => "zstd",
            Coding::Gzip => "gzip",
            Coding::Brotli => "br",
        })
    }

    /// Whether `name`, a coding's name in `Accept-Encoding`, is this coding.
    fn named(self, name: &str) -> bool {
        match self {
            Coding::Zstd => name.eq_ignore_ascii_case("zstd"),
            Coding::Gzip => name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip"),
            Coding::Brotli => name.eq_ignore_ascii_case("br"),
        }
    }

    /// The coding the client prefers among those it accepts (`q` above 0), or `None` when it
    /// accepts none of them (or sent no `Accept-Encoding`). Among codings weighted alike, as
    /// browsers weight all they take, zstd, then gzip, then brotli: for a page, zstd at its quick
    /// level takes less than half the time of gzip at level 1 for a quarter more bytes, and brotli
    /// is slower still.
    pub fn accepted(headers: &HeaderMap) -> Option<Coding> {
        // Each coding's weight in thousandths, in the order of `PREFERRED`.
        let mut weights: [Option<u16>; 3] = [None; 3];
        let mut any = None;
        for value in headers.get_all(ACCEPT_ENCODING) {
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or_default().trim();
                let Some(weight) = weight(parts) else { continue };
                let slot = if name == "*" {
                    &mut any
                } else if let Some(index) = PREFERRED.iter().position(|coding| coding.named(name)) {
                    &mut weights[index]
                } else {
                    continue;
                };
                // A coding named twice counts with its higher weight.
                *slot = Some(slot.map_or(weight, |seen: u16| seen.max(weight)));
            }
        }
        // `*` covers the codings not named; the first of the heaviest wins.
        let mut chosen: Option<(Coding, u16)> = None;
        for (coding, weight) in PREFERRED.into_iter().zip(weights) {
            let weight = weight.or(any).unwrap_or(0);
            if weight > chosen.map_or(0, |(_, best)| best) {
                chosen = Some((coding, weight));
            }
        }
        chosen.map(|(coding, _)| coding)
    }
}

/// The weight of an `Accept-Encoding` item from its parameters, in thousandths: 1000 without
/// `q`, `None` when `q` is not a valid weight (the item is then ignored).
fn weight<'a>(mut parameters: impl Iterator<Item = &'a str>) -> Option<u16> {
    let Some(parameter) = parameters.next() else { return Some(1000) };
    let (key, value) = parameter.split_once('=')?;
    if !key.trim().eq_ignore_ascii_case("q") {
        return None;
    }
    let value = value.trim();
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths =
        fraction.bytes().chain(std::iter::repeat(b'0')).take(3).fold(0u16, |n, b| n * 10 + u16::from(b - b'0'));
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(accept: &str) -> Option<Coding> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_str(accept).expect("header"));
        Coding::accepted(&headers)
    }

    #[test]
    fn a_browser_taking_several_alike_gets_zstd_and_without_it_gzip() {
        assert_eq!(chosen("gzip, deflate, br, zstd"), Some(Coding::Zstd));
        assert_eq!(chosen("br, gzip"), Some(Coding::Gzip));
        assert_eq!(chosen("br, ZSTD"), Some(Coding::Zstd));
    }

    #[test]
    fn a_client_taking_only_one_coding_gets_that_one() {
        assert_eq!(chosen("br"), Some(Coding::Brotli));
        assert_eq!(chosen("gzip"), Some(Coding::Gzip));
        assert_eq!(chosen("x-gzip"), Some(Coding::Gzip));
        assert_eq!(chosen("zstd"), Some(Coding::Zstd));
        assert_eq!(chosen("deflate, identity"), None);
        assert_eq!(chosen(""), None);
        assert_eq!(Coding::accepted(&HeaderMap::new()), None);
    }

    #[test]
    fn weights_decide_and_a_zero_weight_refuses() {
        assert_eq!(chosen("gzip;q=0.5, br"), Some(Coding::Brotli));
        assert_eq!(chosen("gzip;q=1.0, br;q=0.999"), Some(Coding::Gzip));
        assert_eq!(chosen("gzip;q=0, br;q=0.1"), Some(Coding::Brotli));
        assert_eq!(chosen("gzip; q=0, br;Q=0"), None);
        assert_eq!(chosen("*;q=0"), None);
        assert_eq!(chosen("*"), Some(Coding::Zstd));
        assert_eq!(chosen("br;q=0.9, *;q=0.5"), Some(Coding::Brotli));
        assert_eq!(chosen("zstd;q=0, gzip;q=0, *"), Some(Coding::Brotli));
        assert_eq!(chosen("zstd;q=0.5, gzip;q=0.8, br;q=0.8"), Some(Coding::Gzip));
        assert_eq!(chosen("gzip, zstd;q=0.999"), Some(Coding::Gzip));
    }

    #[test]
    fn malformed_items_are_ignored() {
        assert_eq!(chosen("gzip;q=2, br"), Some(Coding::Brotli));
        assert_eq!(chosen("gzip;q=0.1234, br;q=x"), None);
        assert_eq!(chosen("gzip;level=1, br;q=1.5"), None);
        assert_eq!(chosen(",,; ;q=,br;q=0.5"), Some(Coding::Brotli));
        assert_eq!(chosen("GZIP;Q=0.3"), Some(Coding::Gzip));
    }
}
