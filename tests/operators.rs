//! What operators and load balancers rely on: `/healthz` and `/readyz` without sign-in,
//! compressed responses, and a PostgreSQL database that stops under signed-in clients (503 with
//! `Retry-After` at once, then recovery by itself when it is back).

mod common;

use axum::http::{header, Method, StatusCode};
use common::{settings_for, Db, Reply, TestApp, TestDb};
use serde_json::json;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

async fn health_and_readiness_answer_without_sign_in(db: Db) {
    let app = TestApp::spawn(db).await;
    let live = app.request(Method::GET, "/healthz", None, None).await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.text);
    assert_eq!(live.json, json!({ "status": "ok" }));
    let ready = app.request(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.text);
    assert_eq!(ready.json, json!({ "status": "ready" }));
    assert_eq!(ready.headers.get(header::CACHE_CONTROL).map(|v| v.as_bytes()), Some(&b"no-store"[..]));
}

async fn responses_over_a_kilobyte_go_out_compressed_as_the_client_accepts(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("Kedai", "owner").await;
    add_customers(&app, &token, 30).await;
    let path = "/api/customers/?page_size=100";
    let plain = app.get(path, &token).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(plain.text.len() > 1024, "a page of 30 customers is over a kilobyte");
    let bearer = format!("Bearer {token}");
    for (accept, decode) in [("br", brotli_text as fn(&[u8]) -> String), ("gzip", gzip_text), ("zstd", zstd_text)] {
        let reply = app.bytes(path, &[("authorization", &bearer), ("accept-encoding", accept)]).await;
        assert_eq!(reply.0, StatusCode::OK);
        assert_eq!(reply.1.get(header::CONTENT_ENCODING).map(|v| v.as_bytes()), Some(accept.as_bytes()));
        assert!(reply.2.len() < plain.text.len() / 2, "{accept}: {} bytes of {}", reply.2.len(), plain.text.len());
        assert_eq!(decode(&reply.2), plain.text, "{accept} decodes to the same JSON");
    }
    // A response compressed whole says its length; every compressible one says it varies.
    let reply = app.bytes(path, &[("authorization", &bearer), ("accept-encoding", "gzip")]).await;
    let length = reply.1.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    assert_eq!(length, Some(reply.2.len()));
    assert_eq!(reply.1.get(header::VARY).map(|v| v.as_bytes()), Some(&b"accept-encoding"[..]));
    assert_eq!(plain.headers.get(header::VARY).map(|v| v.as_bytes()), Some(&b"accept-encoding"[..]));
    // A small answer is not worth compressing.
    let small = app.bytes("/healthz", &[("accept-encoding", "br, gzip")]).await;
    assert!(small.1.get(header::CONTENT_ENCODING).is_none());
}

async fn a_browser_taking_several_codings_alike_gets_zstd_and_weights_are_obeyed(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("Kedai", "owner").await;
    add_customers(&app, &token, 20).await;
    let bearer = format!("Bearer {token}");
    for (accept, chosen) in [
        ("gzip, deflate, br, zstd", Some("zstd")),
        ("gzip, deflate, br", Some("gzip")),
        ("br;q=1.0, gzip;q=0.8", Some("br")),
        ("gzip;q=0, br", Some("br")),
        ("*", Some("zstd")),
        ("identity, deflate", None),
        ("br;q=0, gzip;q=0", None),
        ("gzip;q=7, br;q=nonsense", None),
    ] {
        let reply = app.bytes("/api/customers/", &[("authorization", &bearer), ("accept-encoding", accept)]).await;
        assert_eq!(reply.0, StatusCode::OK, "{accept}");
        assert_eq!(reply.1.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()), chosen, "{accept}");
    }
}

async fn a_long_export_streams_compressed_to_its_end(db: Db) {
    let app = TestApp::spawn(db).await;
    let token = app.token("Kedai", "owner").await;
    // Over 256 KB of CSV: more than the server reads ahead, so it compresses as it streams.
    patron::services::demo::add_demo_customers(&app.state.core, "Kedai", 3000, None, |_| ()).await.expect("demo");
    let csv = app.get("/api/customers/export/", &token).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.text.len() > 256 * 1024, "{} bytes", csv.text.len());
    let bearer = format!("Bearer {token}");
    for (accept, decode) in [("br", brotli_text as fn(&[u8]) -> String), ("gzip", gzip_text), ("zstd", zstd_text)] {
        let reply =
            app.bytes("/api/customers/export/", &[("authorization", &bearer), ("accept-encoding", accept)]).await;
        assert_eq!(reply.1.get(header::CONTENT_ENCODING).map(|v| v.as_bytes()), Some(accept.as_bytes()));
        assert!(reply.1.get(header::CONTENT_LENGTH).is_none(), "{accept}: streamed, its length unknown ahead");
        // Streamed responses take more effort: gzip's level 1 made this file only about 2.8 times smaller.
        assert!(reply.2.len() < csv.text.len() / 3, "{accept}: {} bytes of {}", reply.2.len(), csv.text.len());
        assert_eq!(decode(&reply.2), csv.text, "the {accept} export decodes to the same file");
    }
}

async fn add_customers(app: &TestApp, token: &str, count: usize) {
    for n in 0..count {
        let body = json!({ "name": format!("Customer {n}"), "email": format!("c{n}@kedai.test") });
        assert_eq!(app.post("/api/customers/", token, body).await.status, StatusCode::CREATED);
    }
}

fn brotli_text(bytes: &[u8]) -> String {
    let mut text = String::new();
    brotli::Decompressor::new(bytes, 4096).read_to_string(&mut text).expect("brotli");
    text
}

fn zstd_text(bytes: &[u8]) -> String {
    let mut text = String::new();
    zstd::stream::read::Decoder::new(bytes).and_then(|mut decoder| decoder.read_to_string(&mut text)).expect("zstd");
    text
}

fn gzip_text(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text).expect("gzip");
    text
}

on_both_backends!(
    health_and_readiness_answer_without_sign_in,
    responses_over_a_kilobyte_go_out_compressed_as_the_client_accepts,
    a_browser_taking_several_codings_alike_gets_zstd_and_weights_are_obeyed,
    a_long_export_streams_compressed_to_its_end
);

/// A TCP relay between the app and PostgreSQL that can be cut and restored: cut, it closes every
/// relayed connection and every new one at once, as a stopped database server does.
struct Relay {
    address: String,
    up: Arc<AtomicBool>,
    pipes: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Relay {
    async fn to(target: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("relay port");
        let address = listener.local_addr().expect("relay address").to_string();
        let up = Arc::new(AtomicBool::new(true));
        let pipes: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accept = tokio::spawn({
            let (up, pipes) = (up.clone(), pipes.clone());
            async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    if !up.load(Ordering::SeqCst) {
                        continue; // dropped: the connection closes before the server says anything
                    }
                    let target = target.clone();
                    let pipe = tokio::spawn(async move {
                        if let Ok(mut server) = TcpStream::connect(&target).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                    pipes.lock().expect("pipes").push(pipe);
                }
            }
        });
        Relay { address, up, pipes, accept }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for pipe in self.pipes.lock().expect("pipes").drain(..) {
            pipe.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

/// `postgres://user@host:port/name?…` with `host:port` replaced by `address`.
fn through(url: &str, address: &str) -> (String, String) {
    let (scheme, rest) = url.split_once("://").expect("scheme");
    let (user, rest) = rest.rsplit_once('@').map_or(("", rest), |(user, rest)| (user, rest));
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let target = rest[..end].to_owned();
    let at = if user.is_empty() { String::new() } else { format!("{user}@") };
    (format!("{scheme}://{at}{address}{}", &rest[end..]), target)
}

/// Waits for a request, failing the test if it hangs instead of answering.
async fn answered(reply: impl std::future::Future<Output = Reply>) -> Reply {
    tokio::time::timeout(Duration::from_secs(10), reply).await.expect("an answer, not a hang")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_database_gets_503_with_retry_after_and_patron_recovers_by_itself() {
    let db = TestDb::new(Db::Postgres).await;
    let (_, target) = through(&db.url, "");
    let relay = Relay::to(target).await;
    let (url, _) = through(&db.url, &relay.address);
    let app = TestApp::with_settings(db, settings_for(&url)).await;
    let email = app.user("Kedai", "owner@kedai.test", "owner").await;
    let (token, _) = app.tokens_for(&email).await;
    let cookie = app.session_cookie(&email).await;
    assert_eq!(app.get("/api/customers/", &token).await.status, StatusCode::OK);

    relay.cut();
    let api = answered(app.get("/api/customers/", &token)).await;
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE, "{}", api.text);
    assert_eq!(api.json, json!({ "detail": "Patron cannot reach its database right now. Try again in a moment." }));
    assert!(api.headers.contains_key(header::RETRY_AFTER));
    let write = answered(app.post("/api/customers/", &token, json!({"name": "Ani", "email": "ani@kedai.test"}))).await;
    assert_eq!(write.status, StatusCode::SERVICE_UNAVAILABLE, "{}", write.text);
    assert!(write.headers.contains_key(header::RETRY_AFTER));
    let page = answered(app.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie)])).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "a signed-in page is not sent to sign in");
    assert!(page.headers.contains_key(header::RETRY_AFTER));
    assert!(page.text.contains("Patron cannot reach its database right now."));
    let ready = answered(app.request(Method::GET, "/readyz", None, None)).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json, json!({ "status": "unavailable" }));
    assert_eq!(app.request(Method::GET, "/healthz", None, None).await.status, StatusCode::OK);

    relay.restore();
    let ready = answered(app.request(Method::GET, "/readyz", None, None)).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.text);
    let created = app.post("/api/customers/", &token, json!({"name": "Ani", "email": "ani@kedai.test"})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let page = app.raw(Method::GET, "/customers", None, None, "", &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::OK, "the same session works again");
    assert!(page.text.contains("Ani"));
}
