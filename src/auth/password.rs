//! Argon2id password hashing, off the async threads.

use crate::storage::PasswordHash;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Memory of one hash in KiB: 7 MiB, with [`TIME_COST`] passes. This is one of the five argon2id
/// settings OWASP's password storage guidance gives as equal in strength (from 46 MiB and one pass
/// to 7 MiB and five): it is the one with the least memory, so a sign-in adds 7 MiB to the server
/// instead of the 19 MiB of the crate's default (two passes), for about the same work.
pub const MEMORY_COST_KIB: u32 = 7 * 1024;
/// Passes over the memory of one hash.
pub const TIME_COST: u32 = 5;

/// [`MEMORY_COST_KIB`], [`TIME_COST`], one lane: checked when the program is compiled.
const PARAMS: Params = match Params::new(MEMORY_COST_KIB, TIME_COST, 1, None) {
    Ok(params) => params,
    Err(_) => panic!("argon2 refuses Patron's parameters"),
};

/// The argon2id hasher with Patron's parameters.
fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS)
}

/// Bounds how many passwords are hashed at once: each argon2 run takes 7 MiB and a core for
/// tens of milliseconds, so unbounded sign-in attempts would take the machine.
#[derive(Clone, Debug)]
pub struct HashingGate(Arc<Semaphore>);

impl HashingGate {
    /// A gate letting `permits` hashes run at once.
    pub fn new(permits: usize) -> Self {
        HashingGate(Arc::new(Semaphore::new(permits.max(1))))
    }

    /// One hash per core of this machine, and two at least (two people signing in at the same
    /// moment on a one-core server both get in): argon2 keeps a core busy, so more at once only
    /// add their 7 MiB each (a storm of wrong sign-ins peaked at 73 MB with two per core, 50 MB
    /// with one, `bench/RESULTS.md` part twenty-two).
    pub fn for_this_machine() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from).max(2))
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
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| PasswordHash(hash.to_string()))
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// Whether `password` matches `hash`. A malformed hash never matches. A hash is checked with the
/// parameters it was made with, so hashes made before a change of [`hasher`] still verify.
pub async fn verify_password(password: String, hash: PasswordHash) -> bool {
    tokio::task::spawn_blocking(move || {
        argon2::password_hash::PasswordHash::new(&hash.0)
            .map(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// Whether `hash` was made otherwise than [`hash_password`] makes one today (another algorithm,
/// version or parameters): a sign-in that proves the password then stores a new hash.
pub fn is_outdated(hash: &PasswordHash) -> bool {
    let Ok(parsed) = argon2::password_hash::PasswordHash::new(&hash.0) else {
        return true;
    };
    parsed.algorithm != Algorithm::Argon2id.ident()
        || parsed.version != Some(Version::V0x13.into())
        || Params::try_from(&parsed).map_or(true, |params| {
            (params.m_cost(), params.t_cost(), params.p_cost()) != (PARAMS.m_cost(), PARAMS.t_cost(), PARAMS.p_cost())
        })
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
    async fn a_new_hash_uses_seven_mebibytes_and_five_passes_and_is_current() {
        let hash = hash_password("correct horse".into()).await.expect("hash");
        assert!(hash.0.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{}", hash.0);
        assert!(!is_outdated(&hash));
    }

    #[tokio::test]
    async fn a_hash_made_with_the_old_default_still_verifies_and_is_outdated() {
        let salt = SaltString::generate(&mut OsRng);
        let old = Argon2::default().hash_password(b"correct horse", &salt).expect("hash").to_string();
        assert!(old.contains("m=19456,t=2,p=1"), "{old}");
        let old = PasswordHash(old);
        assert!(verify_password("correct horse".into(), old.clone()).await);
        assert!(!verify_password("wrong horse".into(), old.clone()).await);
        assert!(is_outdated(&old));
        assert!(is_outdated(&PasswordHash("not a hash".into())));
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
