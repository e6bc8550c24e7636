//! Runtime settings: `Leptos.toml`, overridden by the environment.

use crate::web::client_address::TrustedProxies;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything the server needs to know before it starts. Its `Debug` hides the secret and the
/// database password.
#[derive(Clone)]
pub struct Settings {
    /// Address and port to listen on.
    pub address: SocketAddr,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// Log filter in `RUST_LOG` syntax.
    pub log_level: String,
    /// Folder holding the built site (`pkg/`).
    pub site_root: PathBuf,
    /// Browser session lifetime without activity, in hours.
    pub session_hours: i64,
    /// Whether the session cookie is marked `Secure`.
    pub secure_cookies: bool,
    /// The token signing secret from `PATRON_SECRET`, if set.
    pub secret: Option<Secret>,
    /// Peers whose `X-Forwarded-For` is believed (the load balancers in front of Patron); every
    /// other peer is itself the client.
    pub trusted_proxies: TrustedProxies,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("address", &self.address)
            .field("database_url", &redact_url(&self.database_url))
            .field("log_level", &self.log_level)
            .field("site_root", &self.site_root)
            .field("session_hours", &self.session_hours)
            .field("secure_cookies", &self.secure_cookies)
            .field("secret", &self.secret)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

/// A secret setting: readable on purpose only, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A secret from its text.
    pub fn new(text: impl Into<String>) -> Self {
        Secret(text.into())
    }

    /// The secret itself, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
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

/// A setting that cannot be used, with the reason in one line.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The settings file exists but cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The settings file is not valid TOML of the expected shape.
    #[error("{path} is not valid: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A value is out of range or malformed.
    #[error("setting {name} is invalid: {message}")]
    Invalid {
        /// The setting (file key or environment variable).
        name: &'static str,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    server: ServerSection,
    #[serde(default)]
    auth: AuthSection,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ServerSection {
    address: Option<String>,
    database_url: Option<String>,
    log_level: Option<String>,
    site_root: Option<String>,
    trusted_proxies: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AuthSection {
    session_hours: Option<i64>,
    secure_cookies: Option<bool>,
}

/// The minimum length of `PATRON_SECRET`.
pub const MIN_SECRET_LEN: usize = 32;

impl Settings {
    /// Reads `PATRON_CONFIG` (default `Leptos.toml`; a missing default file means built-in
    /// defaults), then applies environment overrides.
    pub fn load() -> Result<Self, SettingsError> {
        let explicit = std::env::var("PATRON_CONFIG").ok();
        let path = PathBuf::from(explicit.clone().unwrap_or_else(|| "Leptos.toml".into()));
        let file = read_file(&path, explicit.is_some())?;
        Self::from_parts(file, |name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    fn from_parts(file: File, env: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let address_text = env("PATRON_ADDRESS").or(file.server.address).unwrap_or_else(|| "127.0.0.1:3000".into());
        let address = address_text.parse().map_err(|_| SettingsError::Invalid {
            name: "address (PATRON_ADDRESS)",
            message: format!("{address_text:?} is not HOST:PORT"),
        })?;
        let database_url =
            env("DATABASE_URL").or(file.server.database_url).unwrap_or_else(|| "sqlite://data/patron.db".into());
        if !(database_url.starts_with("sqlite:") || database_url.starts_with("postgres")) {
            return Err(SettingsError::Invalid {
                name: "database_url (DATABASE_URL)",
                message: "must start with sqlite: or postgres://".into(),
            });
        }
        let session_hours = match env("PATRON_SESSION_HOURS") {
            Some(text) => text.parse().map_err(|_| SettingsError::Invalid {
                name: "session_hours (PATRON_SESSION_HOURS)",
                message: format!("{text:?} is not a whole number"),
            })?,
            None => file.auth.session_hours.unwrap_or(12),
        };
        if !(1..=24 * 90).contains(&session_hours) {
            return Err(SettingsError::Invalid {
                name: "session_hours (PATRON_SESSION_HOURS)",
                message: "must be between 1 and 2160".into(),
            });
        }
        let secure_cookies = match env("PATRON_SECURE_COOKIES") {
            Some(text) => parse_bool(&text).ok_or(SettingsError::Invalid {
                name: "secure_cookies (PATRON_SECURE_COOKIES)",
                message: format!("{text:?} is not true or false"),
            })?,
            None => file.auth.secure_cookies.unwrap_or(false),
        };
        let secret = env("PATRON_SECRET");
        if secret.as_ref().is_some_and(|s| s.len() < MIN_SECRET_LEN) {
            return Err(SettingsError::Invalid {
                name: "PATRON_SECRET",
                message: format!("must be at least {MIN_SECRET_LEN} characters"),
            });
        }
        let proxies_text = match env("PATRON_TRUSTED_PROXIES") {
            Some(text) => text.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect(),
            None => file.server.trusted_proxies.unwrap_or_default(),
        };
        let trusted_proxies = TrustedProxies::parse(&proxies_text).map_err(|bad| SettingsError::Invalid {
            name: "trusted_proxies (PATRON_TRUSTED_PROXIES)",
            message: format!("{bad:?} is not an IP address or a network such as 10.0.0.0/8"),
        })?;
        Ok(Settings {
            trusted_proxies,
            address,
            database_url,
            log_level: env("PATRON_LOG").or(file.server.log_level).unwrap_or_else(|| "info".into()),
            site_root: PathBuf::from(
                env("PATRON_SITE_ROOT").or(file.server.site_root).unwrap_or_else(|| "target/site".into()),
            ),
            session_hours,
            secure_cookies,
            secret: secret.map(Secret),
        })
    }
}

fn read_file(path: &Path, required: bool) -> Result<File, SettingsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(File::default()),
        Err(source) => return Err(SettingsError::Read { path: path.into(), source }),
    };
    toml::from_str(&text).map_err(|e| SettingsError::Parse { path: path.into(), message: e.message().to_owned() })
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> File {
        toml::from_str(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let file = parse("[server]\naddress = \"127.0.0.1:4000\"\n");
        let settings = Settings::from_parts(file, |name| (name == "PATRON_ADDRESS").then(|| "0.0.0.0:5000".into()));
        assert_eq!(settings.map(|s| s.address.port()).ok(), Some(5000));
    }

    #[test]
    fn a_bad_address_or_database_url_is_a_clear_error() {
        let bad_address = Settings::from_parts(parse("[server]\naddress = \"nowhere\"\n"), |_| None);
        assert!(bad_address.unwrap_err().to_string().contains("PATRON_ADDRESS"));
        let bad_url = Settings::from_parts(File::default(), |n| (n == "DATABASE_URL").then(|| "mysql://x".into()));
        assert!(bad_url.unwrap_err().to_string().contains("DATABASE_URL"));
    }

    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(redact_url("postgres://app:hunter2@db/patron"), "postgres://app:***@db/patron");
        assert_eq!(redact_url("sqlite://data/patron.db"), "sqlite://data/patron.db");
    }

    #[test]
    fn debug_output_shows_neither_the_secret_nor_the_database_password() {
        let env = |name: &str| match name {
            "PATRON_SECRET" => Some("a-secret-of-at-least-thirty-two-characters".into()),
            "DATABASE_URL" => Some("postgres://app:hunter2@db/patron".into()),
            _ => None,
        };
        let text = format!("{:?}", Settings::from_parts(File::default(), env).expect("valid"));
        assert!(!text.contains("hunter2") && !text.contains("thirty-two"), "{text}");
    }

    #[test]
    fn a_short_secret_is_refused() {
        let result = Settings::from_parts(File::default(), |n| (n == "PATRON_SECRET").then(|| "short".into()));
        assert!(result.is_err());
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let file = parse("[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n");
        let settings = Settings::from_parts(file, |_| None).expect("valid");
        assert!(settings.trusted_proxies.contains("10.1.2.3".parse().expect("ip")));
        assert!(!settings.trusted_proxies.contains("11.1.2.3".parse().expect("ip")));
        let bad = Settings::from_parts(File::default(), |n| (n == "PATRON_TRUSTED_PROXIES").then(|| "proxy".into()));
        assert!(bad.unwrap_err().to_string().contains("PATRON_TRUSTED_PROXIES"));
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<File>("[server]\nadress = \"x\"\n").is_err());
    }

    #[test]
    fn the_repository_settings_file_is_valid() {
        let text = include_str!("../Leptos.toml");
        let file: File = toml::from_str(text).unwrap_or_else(|e| panic!("{e}"));
        assert!(Settings::from_parts(file, |_| None).is_ok());
    }
}
