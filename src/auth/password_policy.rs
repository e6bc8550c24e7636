//! What a new password must be: long enough, not absurdly long, and not one that attackers try
//! first. The list is the 1,000 most frequent passwords of zxcvbn's frequency list (drawn from
//! public password leaks), one per line.

use std::collections::HashSet;
use std::sync::OnceLock;

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_LEN: usize = 12;
/// The longest password accepted, in characters.
pub const MAX_PASSWORD_LEN: usize = 1024;

const COMMON: &str = include_str!("common_passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().map(str::trim).filter(|line| !line.is_empty()).collect())
}

/// Checks a password someone is about to set; the error is the sentence to show beside it.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LEN {
        Err(format!("Password must be at least {MIN_PASSWORD_LEN} characters."))
    } else if length > MAX_PASSWORD_LEN {
        Err(format!("Password must be at most {MAX_PASSWORD_LEN} characters."))
    } else if common().contains(password.to_lowercase().as_str()) {
        Err("This password is too common. Choose one that is harder to guess.".to_owned())
    } else {
        Ok(())
    }
}

/// A first password an owner hands over: 20 random letters and digits (about 100 bits) in five
/// groups, without the look-alikes `0 o 1 l i`.
pub fn generated_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..5)
        .map(|_| (0..4).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_holds_a_thousand_passwords() {
        assert_eq!(common().len(), 1000);
    }

    #[test]
    fn short_long_and_common_passwords_are_refused() {
        assert!(check_new_password("short pass").is_err());
        assert!(check_new_password(&"x".repeat(MAX_PASSWORD_LEN + 1)).is_err());
        let common_long = COMMON.lines().find(|p| p.chars().count() >= MIN_PASSWORD_LEN).expect("one long entry");
        assert!(check_new_password(common_long).unwrap_err().contains("too common"));
        assert!(check_new_password(&common_long.to_uppercase()).is_err());
        assert!(check_new_password("correct horse battery").is_ok());
    }

    #[test]
    fn a_generated_password_passes_the_policy_and_differs_each_time() {
        let (one, two) = (generated_password(), generated_password());
        assert_eq!(one.len(), 24);
        assert!(check_new_password(&one).is_ok());
        assert_ne!(one, two);
    }
}
