//! The OpenAPI document's patterns for texts the API trims and checks (emails, names), written so
//! that every value a pattern allows is one the API takes. The space around a text is spelled out
//! ([`trimmed_space!`]) instead of `\s`, which differs between regex engines: Python's (used by
//! schemathesis to generate requests) also takes U+001C–U+001F, ECMAScript's U+FEFF.

/// What the API trims around a text, as a regex class: Rust's `char::is_whitespace` (Unicode
/// `White_Space`).
macro_rules! trimmed_space {
    () => {
        r"[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    };
}

/// An email address as `domain::Email` takes it (Django's rules for ASCII addresses), with space
/// around it.
pub const EMAIL_PATTERN: &str = concat!(
    "^",
    trimmed_space!(),
    "*",
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}",
    trimmed_space!(),
    "*$"
);

/// A name: something besides space, and no control characters other than line breaks and tabs
/// (what `customer_input::name` refuses).
pub const NAME_PATTERN: &str = concat!(
    r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*",
    r"[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
    r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
);

#[cfg(test)]
mod tests {
    use super::{EMAIL_PATTERN, NAME_PATTERN};
    use crate::domain::customer_input;
    use crate::domain::email::EMAIL_MAX_LEN;
    use crate::domain::Email;
    use proptest::prelude::*;
    use proptest::string::string_regex;

    /// Strings that match the whole of an anchored pattern.
    fn matching(pattern: &str) -> impl Strategy<Value = String> {
        let inner = pattern.strip_prefix('^').and_then(|p| p.strip_suffix('$')).expect("an anchored pattern");
        string_regex(inner).expect("the document's pattern is a valid regex")
    }

    #[test]
    fn the_space_the_patterns_allow_around_a_text_is_exactly_what_the_api_trims() {
        let space = regex::Regex::new(concat!("^", trimmed_space!(), "$")).expect("a valid class");
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(space.is_match(c.encode_utf8(&mut [0; 4])), c.is_whitespace(), "U+{:04X}", u32::from(c));
        }
        assert!(EMAIL_PATTERN.starts_with(concat!("^", trimmed_space!(), "*")));
        assert!(EMAIL_PATTERN.ends_with(concat!(trimmed_space!(), "*$")));
    }

    proptest! {
        // Most generated emails are longer than the document's maxLength: they are skipped.
        #![proptest_config(ProptestConfig { cases: 300, max_global_rejects: 100_000, ..ProptestConfig::default() })]

        #[test]
        fn every_email_the_document_allows_is_one_the_api_takes(raw in matching(EMAIL_PATTERN)) {
            prop_assume!(raw.chars().count() <= EMAIL_MAX_LEN);
            prop_assert!(Email::parse(&raw).is_ok(), "{raw:?}");
        }

        #[test]
        fn every_name_the_document_allows_is_one_the_api_takes(raw in matching(NAME_PATTERN)) {
            prop_assume!(raw.chars().count() <= customer_input::NAME_MAX);
            prop_assert!(customer_input::name(&raw).is_ok(), "{raw:?}");
        }
    }
}
