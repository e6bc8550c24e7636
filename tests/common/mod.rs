//! Test harness: the real router over a fresh database per test, on SQLite and on PostgreSQL.

#![allow(dead_code)] // Each test binary uses a different part of the harness.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use patron::config::Settings;
use patron::server::AppState;
use patron::services::accounts::{self, NewUserInput};
use serde_json::Value;
use std::path::PathBuf;
use tower::ServiceExt;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs each listed async test function once per backend, as `sqlite::name` and `postgres::name`.
/// A test still waiting after [`TEST_LIMIT`] fails with its name instead of holding up the run.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::common::within_limit(stringify!($name), super::$name($crate::common::Db::Sqlite)).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::common::within_limit(stringify!($name), super::$name($crate::common::Db::Postgres)).await
            })*
        }
    };
}

/// How long one test may take; they take seconds, so reaching it means something hangs.
pub const TEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(180);

/// Awaits `test`, failing with `name` if it has not finished within [`TEST_LIMIT`].
pub async fn within_limit(name: &str, test: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(TEST_LIMIT, test).await.is_err() {
        panic!("{name} did not finish within {} s: something it awaits hangs", TEST_LIMIT.as_secs());
    }
}

/// A database made for one test and removed after it.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Folder(PathBuf),
    Database {
        admin_url: String,
        name: String,
    },
    /// Another [`TestDb`] removes it.
    Elsewhere,
}

fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

impl TestDb {
    pub async fn new(db: Db) -> Self {
        let tag = format!("{}_{:016x}", std::process::id(), rand::random::<u64>());
        match db {
            Db::Sqlite => {
                let folder = std::env::temp_dir().join(format!("patron-test-{tag}"));
                std::fs::create_dir_all(&folder).expect("temp folder");
                let url = format!("sqlite://{}", folder.join("patron.db").display());
                TestDb { url, cleanup: Cleanup::Folder(folder) }
            }
            Db::Postgres => {
                use sqlx::Connection;
                let admin_url = admin_url();
                let name = format!("patron_test_{tag}");
                let mut admin = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} is required for these tests: {e}"));
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                let url = replace_database(&admin_url, &name);
                TestDb { url, cleanup: Cleanup::Database { admin_url, name } }
            }
        }
    }
}

impl TestDb {
    /// The same database for a second app (another instance), removed with this one.
    pub fn shared(&self) -> TestDb {
        TestDb { url: self.url.clone(), cleanup: Cleanup::Elsewhere }
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = match base.rfind('/') {
        Some(slash) if slash > "postgres://".len() => &base[..slash],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Folder(folder) => {
                let _ = std::fs::remove_dir_all(folder);
            }
            Cleanup::Elsewhere => {}
            Cleanup::Database { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime: do the async clean-up on a thread of its own.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                    // Bounded, so that a stuck clean-up cannot hang the test run (the database is
                    // then left behind, under a name that says what made it).
                    // The timeout is made inside the runtime: its timer needs the runtime's driver.
                    runtime.block_on(async {
                        tokio::time::timeout(std::time::Duration::from_secs(60), async {
                            use sqlx::Connection;
                            let mut admin = sqlx::PgConnection::connect(&admin_url).await.ok()?;
                            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                                .execute(&mut admin)
                                .await
                                .ok()
                        })
                        .await
                        .ok()
                        .flatten()
                    })
                })
                .join();
            }
        }
    }
}

/// A running app over its own database.
pub struct TestApp {
    pub state: AppState,
    pub router: axum::Router,
    pub db: TestDb,
}

pub fn settings_for(url: &str) -> Settings {
    Settings {
        address: "127.0.0.1:0".parse().expect("address"),
        database_url: url.to_owned(),
        log_level: "warn".into(),
        site_root: "target/site".into(),
        session_hours: 12,
        secure_cookies: false,
        secret: Some(patron::config::Secret::new("test-secret-that-is-long-enough-for-hs256")),
        trusted_proxies: Default::default(),
    }
}

/// A test response: status, headers and the body parsed as JSON (`Value::Null` if empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    /// The `name=value` of the cookie the response sets.
    pub fn cookie(&self) -> String {
        let cookie =
            self.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next());
        cookie.map(String::from).expect("a session cookie")
    }
}

impl TestApp {
    pub async fn spawn(db: Db) -> Self {
        let db = TestDb::new(db).await;
        Self::on(db).await
    }

    /// An app whose settings `change` adjusts (trusted proxies, secure cookies).
    pub async fn spawn_with(db: Db, change: impl FnOnce(&mut Settings)) -> Self {
        let db = TestDb::new(db).await;
        let mut settings = settings_for(&db.url);
        change(&mut settings);
        let state = AppState::start(settings).await.expect("app state");
        let router = patron::server::router(state.clone());
        TestApp { state, router, db }
    }

    /// A fresh app (new state, new router) over an existing database: a restart.
    pub async fn on(db: TestDb) -> Self {
        let settings = settings_for(&db.url);
        Self::with_settings(db, settings).await
    }

    /// An app over `db` started with `settings` (which may reach the database another way).
    pub async fn with_settings(db: TestDb, settings: Settings) -> Self {
        let state = AppState::start(settings).await.expect("app state");
        let router = patron::server::router(state.clone());
        TestApp { state, router, db }
    }

    /// A `GET` with the given headers, answered as status, headers and the body's bytes as sent
    /// (compressed, if the server compressed it).
    pub async fn bytes(&self, path: &str, headers: &[(&str, &str)]) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let peer: std::net::SocketAddr = "127.0.0.1:40000".parse().expect("peer address");
        let mut builder =
            Request::builder().uri(path).header(header::HOST, "testserver").extension(axum::extract::ConnectInfo(peer));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let response =
            self.router.clone().oneshot(builder.body(Body::empty()).expect("request")).await.expect("response");
        let (parts, body) = response.into_parts();
        (parts.status, parts.headers, body.collect().await.expect("body").to_bytes().to_vec())
    }

    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        self.raw(method, path, token, body.map(|b| b.to_string()), "application/json", &[]).await
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
        content_type: &str,
        extra: &[(&str, &str)],
    ) -> Reply {
        self.raw_bytes(method, path, token, body.map(String::into_bytes), content_type, extra).await
    }

    /// [`raw`](Self::raw) with a body of any bytes (not only UTF-8 text).
    pub async fn raw_bytes(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
        content_type: &str,
        extra: &[(&str, &str)],
    ) -> Reply {
        // The socket's peer, as the server knows it: 127.0.0.1 unless the test names another with
        // the `x-test-peer` pseudo-header (which is not sent).
        let peer = extra.iter().find(|(name, _)| *name == PEER).map_or("127.0.0.1", |(_, ip)| *ip);
        let peer: std::net::SocketAddr = format!("{peer}:40000").parse().expect("peer address");
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "testserver")
            .extension(axum::extract::ConnectInfo(peer));
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if body.is_some() {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        for (name, value) in extra.iter().filter(|(name, _)| *name != PEER) {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(body.map_or_else(Body::empty, Body::from)).expect("request");
        let response = self.router.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, text, json }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.request(Method::POST, path, Some(token), Some(body)).await
    }

    /// Creates a tenant (if new) and a user with `role`; returns the user's email.
    pub async fn user(&self, tenant: &str, email: &str, role: &str) -> String {
        let tenant = match accounts::find_tenant(&self.state.core, tenant).await {
            Ok(t) => t,
            Err(_) => accounts::create_tenant(&self.state.core, tenant).await.expect("tenant"),
        };
        let input = NewUserInput { email: email.into(), password: PASSWORD.into(), role: role.into() };
        accounts::create_user(&self.state.core, tenant.id, input).await.expect("user");
        email.to_owned()
    }

    /// An access token for a new user of `tenant` with `role`.
    pub async fn token(&self, tenant: &str, role: &str) -> String {
        let email = format!("{role}.{}@{}.test", rand::random::<u32>(), tenant.to_lowercase().replace(' ', "-"));
        self.user(tenant, &email, role).await;
        self.tokens_for(&email).await.0
    }

    /// The session cookie (`name=value`) of an existing user signed in through the page's form.
    pub async fn session_cookie(&self, email: &str) -> String {
        let form =
            format!("email={}&password={}&next=/customers", email.replace('@', "%40"), PASSWORD.replace(' ', "+"));
        self.raw(Method::POST, "/login", None, Some(form), "application/x-www-form-urlencoded", &[SAME_ORIGIN])
            .await
            .cookie()
    }

    /// (access, refresh) for an existing user.
    pub async fn tokens_for(&self, email: &str) -> (String, String) {
        let body = serde_json::json!({ "email": email, "password": PASSWORD });
        let reply = self.request(Method::POST, "/api/auth/token/", None, Some(body)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        (reply.json["access"].as_str().expect("access").into(), reply.json["refresh"].as_str().expect("refresh").into())
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// Names the socket's peer address of a test request (see [`TestApp::raw`]).
pub const PEER: &str = "x-test-peer";

/// The `Origin` a page of the test server sends with its forms.
pub const SAME_ORIGIN: (&str, &str) = ("origin", "http://testserver");
