//! What the use cases need, and nothing more: the storage, the token keys, the dummy password
//! hash and a clock. The server builds one at start and hands it to the REST handlers and the
//! server functions; the command line and the tests build their own.

use crate::auth::password::{hash_password, HashError, HashingGate};
use crate::auth::TokenKeys;
use crate::storage::{PasswordHash, Storage};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The time as the services see it: the system clock, or a fixed time in tests.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(Arc::new(crate::storage::now))
    }

    /// A clock that always says `at`.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock(Arc::new(move || at))
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        (self.0)()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// The services' dependencies; cheap to clone.
#[derive(Clone)]
pub struct Core {
    /// The database.
    pub storage: Arc<dyn Storage>,
    /// Token signing keys.
    pub tokens: TokenKeys,
    /// The time.
    pub clock: Clock,
    /// How many passwords may be hashed at once.
    pub hashing: HashingGate,
    /// Imports started from the page.
    pub import_jobs: super::import_jobs::ImportJobs,
    /// A real hash to verify against when an email is unknown, so sign-in takes as long either
    /// way; made on the first such sign-in, not at start (every command and test builds a core).
    dummy_hash: Arc<tokio::sync::OnceCell<PasswordHash>>,
}

impl Core {
    /// A core over `storage`, signing tokens with `secret`, on the system clock.
    pub fn new(storage: Arc<dyn Storage>, secret: &str) -> Self {
        Core {
            storage,
            tokens: TokenKeys::new(secret),
            clock: Clock::system(),
            hashing: HashingGate::for_this_machine(),
            import_jobs: Default::default(),
            dummy_hash: Arc::default(),
        }
    }

    /// The same core on another clock.
    pub fn with_clock(self, clock: Clock) -> Self {
        Core { clock, ..self }
    }

    /// The hash that unknown emails are checked against.
    pub async fn dummy_hash(&self) -> Result<PasswordHash, HashError> {
        self.dummy_hash.get_or_try_init(|| hash_password("not a real password".into())).await.cloned()
    }
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core").field("clock", &self.clock).finish_non_exhaustive()
    }
}
