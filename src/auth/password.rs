//! Argon2id password hashing, off the async threads.

use crate::storage::PasswordHash;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bounds how many passwords are hashed at once: each argon2 run takes 19 MiB and a core for
/// tens of milliseconds, so unbounded sign-in attempts would take the machine.
#[derive(Clone, Debug)]
pub struct HashingGate(Arc<Semaphore>);

impl HashingGate {
    /// A gate letting `permits` hashes run at once.
    pub fn new(permits: usize) -> Self {
        HashingGate(Arc::new(Semaphore::new(permits.max(1))))
    }

    /// Two hashes per core of this machine.
    pub fn for_this_machine() -> Self {
        Self::new(2 * std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// A permit at once, or `None` when every permit is taken (sign-in answers "busy").
    pub fn try_enter(&self) -> Option<OwnedSemaphorePermit> {
        self.0.clone().try_acquire_owned().ok()
    }

    /// A permit once one is free (for signed-in users setting a password).
    pub async fn enter(&self) -> Result<OwnedSemaphorePermit, HashError> {
        self.0.clone().acquire_owned().await.map_err(|e| HashError(e.to_string()))
    }
}

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
