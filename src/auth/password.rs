//! Argon2id password hashing, off the async threads.

use crate::storage::PasswordHash;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Hashing failed (the blocking task died or argon2 refused its parameters).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HashError(String);

/// Hashes a password with argon2id and a random salt.
pub async fn hash_password(password: String) -> Result<PasswordHash, HashError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| PasswordHash(hash.to_string()))
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// Whether `password` matches `hash`. A malformed hash never matches.
pub async fn verify_password(password: String, hash: PasswordHash) -> bool {
    tokio::task::spawn_blocking(move || {
        argon2::password_hash::PasswordHash::new(&hash.0)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_only() {
        let hash = hash_password("correct horse".into()).await.expect("hash");
        assert!(hash.0.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), hash.clone()).await);
        assert!(!verify_password("wrong horse".into(), hash).await);
    }

    #[tokio::test]
    async fn a_malformed_hash_never_matches() {
        assert!(!verify_password("x".into(), PasswordHash("not a hash".into())).await);
    }

    #[test]
    fn debug_output_hides_the_hash() {
        assert_eq!(format!("{:?}", PasswordHash("$argon2id$secret".into())), "PasswordHash(<redacted>)");
    }
}
