//! The application state every handler and server function reads from context.

use crate::auth::password::hash_password;
use crate::auth::TokenKeys;
use crate::config::Settings;
use crate::storage::{self, PasswordHash, Storage};
use axum::extract::FromRef;
use base64::Engine;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Shared, cheaply cloneable state: storage, settings, signing keys and Leptos options.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub storage: Arc<dyn Storage>,
    /// Runtime settings.
    pub settings: Arc<Settings>,
    /// Token signing keys.
    pub tokens: TokenKeys,
    /// A real hash to verify against when an email is unknown, so sign-in takes as long either
    /// way; made on the first such sign-in, not at start (every command and test starts a state).
    dummy_hash: Arc<tokio::sync::OnceCell<PasswordHash>>,
    /// Leptos' own options (site root, output name, whether asset names carry hashes).
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Why the state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database is unreachable or refused the migrations.
    #[error("database {url}: {source}")]
    Database {
        /// The URL without its password.
        url: String,
        /// The cause.
        source: storage::StorageError,
    },
}

/// The settings key under which a generated token secret is kept.
const SECRET_KEY: &str = "token_secret";

impl AppState {
    /// The hash that unknown emails are checked against.
    pub async fn dummy_hash(&self) -> Result<PasswordHash, crate::auth::password::HashError> {
        self.dummy_hash.get_or_try_init(|| hash_password("not a real password".into())).await.cloned()
    }

    /// Connects, migrates, and resolves the signing secret: `PATRON_SECRET` if set, else the
    /// one stored in the database (generated on first start).
    pub async fn start(settings: Settings) -> Result<Self, StartError> {
        let url = redact_url(&settings.database_url);
        let db_error = |source| StartError::Database { url: url.clone(), source };
        let storage = storage::connect(&settings.database_url).await.map_err(db_error)?;
        storage.migrate().await.map_err(db_error)?;
        let secret = match &settings.secret {
            Some(secret) => secret.clone(),
            None => {
                let mut bytes = [0_u8; 48];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
                let fresh = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
                storage.setting_or_insert(SECRET_KEY, &fresh).await.map_err(db_error)?
            }
        };
        let leptos_options = LeptosOptions::builder()
            .output_name("patron")
            .site_root(settings.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(settings.address)
            .hash_files(crate::web::assets::names_are_hashed())
            .hash_file(crate::web::assets::HASH_FILE.into())
            .build();
        Ok(AppState {
            storage,
            tokens: TokenKeys::new(&secret),
            settings: Arc::new(settings),
            dummy_hash: Arc::default(),
            leptos_options,
        })
    }
}

/// A database URL with any password replaced, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(super::redact_url("postgres://app:hunter2@db/patron"), "postgres://app:***@db/patron");
        assert_eq!(super::redact_url("sqlite://data/patron.db"), "sqlite://data/patron.db");
    }
}
