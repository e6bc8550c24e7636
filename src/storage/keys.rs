//! Derived columns that make lookups fast and case-insensitive in both databases alike.

/// Separates fields in `search_text` so that a search never matches across two fields.
const FIELD_SEPARATOR: char = '\u{1}';

/// The sort key of a name: lowercase (Unicode-aware), so ordering ignores case.
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// The text searched by `?search=`: lowercase name, email and phone, then the phone's digits alone
/// so that `555 0199` finds `+62 21 555-0199`.
pub fn search_text(name: &str, email: &str, phone: &str) -> String {
    let mut text = String::with_capacity(name.len() + email.len() + phone.len() * 2 + 3);
    text.push_str(&name.to_lowercase());
    text.push(FIELD_SEPARATOR);
    text.push_str(&email.to_lowercase());
    text.push(FIELD_SEPARATOR);
    text.push_str(&phone.to_lowercase());
    text.push(FIELD_SEPARATOR);
    text.extend(phone.chars().filter(char::is_ascii_digit));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_folds_case_and_keeps_phone_digits() {
        let text = search_text("Émile Zola", "EZ@Example.com", "+62 21 555-0199");
        assert!(text.contains("émile zola"));
        assert!(text.contains("ez@example.com"));
        assert!(text.ends_with("6221555 0199".replace(' ', "").as_str()));
    }
}
