//! The application state, assembled at start: the services' [`Core`], the settings and Leptos'
//! options. Handlers take the part they need (`State<Core>`); server functions read the core
//! from Leptos' context.

use crate::config::{redact_url, Settings};
use crate::services::Core;
use crate::storage;
use crate::web::assets::{site_files, SiteFiles};
use axum::extract::FromRef;
use base64::Engine;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Shared, cheaply cloneable state.
#[derive(Clone)]
pub struct AppState {
    /// What the services need.
    pub core: Core,
    /// Runtime settings.
    pub settings: Arc<Settings>,
    /// Leptos' own options (site root, the name pages give the built script and WebAssembly).
    pub leptos_options: LeptosOptions,
    /// The built site's file names, as `/pkg` serves them.
    pub site_files: Arc<SiteFiles>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Core {
    fn from_ref(state: &AppState) -> Self {
        state.core.clone()
    }
}

/// Why the state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database is unreachable or refused the migrations.
    #[error("database {url}")]
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
    /// Connects, migrates, and resolves the signing secret: `PATRON_SECRET` if set, else the
    /// one stored in the database (generated on first start).
    pub async fn start(settings: Settings) -> Result<Self, StartError> {
        let url = redact_url(&settings.database_url);
        let db_error = |source| StartError::Database { url: url.clone(), source };
        let storage = storage::connect(&settings.database_url).await.map_err(db_error)?;
        let secret = match &settings.secret {
            Some(secret) => secret.expose().to_owned(),
            None => {
                let mut bytes = [0_u8; 48];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
                let fresh = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
                storage.setting_or_insert(SECRET_KEY, &fresh).await.map_err(db_error)?
            }
        };
        let site_files = Arc::new(site_files().clone());
        // Hashing stays off for Leptos: the stem carries the hashes (see `SiteFiles`).
        let leptos_options = LeptosOptions::builder()
            .output_name(site_files.stem.as_str())
            .site_root(settings.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(settings.address)
            .hash_files(false)
            .build();
        Ok(AppState { core: Core::new(storage, &secret), settings: Arc::new(settings), leptos_options, site_files })
    }
}
