//! The keys that find duplicate customers, stored with each customer and indexed, so a tenant's
//! groups are read from an index instead of comparing every customer with every other.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The phone digits that identify a number: the last nine, so country and trunk prefixes do not
/// matter (`+62 812-3456-7890` and `0812 3456 7890` are the same phone).
const PHONE_DIGITS: usize = 9;

/// Gmail's domain, under either of its names.
const GMAIL_DOMAINS: [&str; 2] = ["gmail.com", "googlemail.com"];

/// A customer's three duplicate keys; `None` where the customer has none of that kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKeys {
    /// The email lower-cased; at Gmail also without dots and `+tags`, on one domain name.
    pub email: Option<String>,
    /// The phone's last nine digits, when it has at least nine.
    pub phone: Option<String>,
    /// The name folded (case, accents, spaces), then the city folded the same way.
    pub name: String,
}

impl DuplicateKeys {
    /// The keys of a customer with these fields.
    pub fn of(name: &str, email: &str, phone: &str, city: &str) -> Self {
        DuplicateKeys { email: email_key(email), phone: phone_key(phone), name: name_key(name, city) }
    }
}

/// The email's key (`None` for an address without `@`, which validation never lets in).
fn email_key(email: &str) -> Option<String> {
    let lower = email.trim().to_lowercase();
    let (local, domain) = lower.rsplit_once('@')?;
    if GMAIL_DOMAINS.contains(&domain) {
        let untagged = local.split('+').next().unwrap_or(local);
        let local: String = untagged.chars().filter(|c| *c != '.').collect();
        return Some(format!("{local}@{}", GMAIL_DOMAINS[0]));
    }
    Some(lower)
}

/// The phone's key: its last nine digits, if it has that many.
fn phone_key(phone: &str) -> Option<String> {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= PHONE_DIGITS).then(|| digits[digits.len() - PHONE_DIGITS..].iter().collect())
}

/// The name's key: name and city each without case, accents or spaces, joined by a separator
/// neither can hold once folded.
fn name_key(name: &str, city: &str) -> String {
    format!("{}\u{1}{}", fold(name), fold(city))
}

/// Text without case, accents or white space (`  Émile  ZOLA ` → `emilezola`).
fn fold(text: &str) -> String {
    text.nfkd().filter(|c| !is_combining_mark(*c) && !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_addresses_match_without_dots_tags_or_case() {
        let keys = ["John.Smith+tills@gmail.com", "johnsmith@googlemail.com", "JOHNSMITH@GMAIL.COM"]
            .map(|email| DuplicateKeys::of("A", email, "", "").email);
        assert!(keys.iter().all(|key| key.as_deref() == Some("johnsmith@gmail.com")));
    }

    #[test]
    fn other_domains_keep_their_dots_and_tags() {
        let dotted = DuplicateKeys::of("A", "john.smith+x@example.com", "", "").email;
        assert_eq!(dotted.as_deref(), Some("john.smith+x@example.com"));
        assert_ne!(dotted, DuplicateKeys::of("A", "johnsmith@example.com", "", "").email);
    }

    #[test]
    fn phones_match_by_their_last_nine_digits() {
        let local = DuplicateKeys::of("A", "a@b.c", "0812-3456-7890", "").phone;
        let international = DuplicateKeys::of("A", "a@b.c", "+62 812 3456 7890", "").phone;
        assert_eq!(local.as_deref(), Some("234567890"));
        assert_eq!(local, international);
        assert_eq!(DuplicateKeys::of("A", "a@b.c", "555 0199", "").phone, None);
    }

    #[test]
    fn names_fold_case_accents_and_spaces_and_need_the_same_city() {
        let a = DuplicateKeys::of("  Émile  ZOLA ", "a@b.c", "", "Paris").name;
        let b = DuplicateKeys::of("emile zola", "d@e.f", "", "paris").name;
        let elsewhere = DuplicateKeys::of("emile zola", "d@e.f", "", "Lyon").name;
        assert_eq!(a, b);
        assert_ne!(a, elsewhere);
    }
}
