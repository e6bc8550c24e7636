//! The built site's files under `/pkg`: the precompressed twin the browser accepts, and a cache
//! lifetime that matches whether the names carry content hashes. And the static files of
//! `public/` (which cargo-leptos copies to the site root), served to anyone.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{settings_for, Db, TestDb};
use http_body_util::BodyExt;
use patron::server::AppState;
use patron::web::assets::SiteFiles;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

const WASM: &[u8] = b"\0asm raw module bytes";
const WASM_BR: &[u8] = b"brotli twin";
const WASM_GZ: &[u8] = b"gzip twin";

/// A site root with one built file and its two compressed twins.
fn site(root: &Path) {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg folder");
    std::fs::write(pkg.join("patron.Abc123.wasm"), WASM).expect("wasm");
    std::fs::write(pkg.join("patron.Abc123.wasm.br"), WASM_BR).expect("br");
    std::fs::write(pkg.join("patron.Abc123.wasm.gz"), WASM_GZ).expect("gz");
    for file in std::fs::read_dir("public").expect("public folder") {
        let file = file.expect("public file");
        std::fs::copy(file.path(), root.join(file.file_name())).expect("copy a public file");
    }
}

struct Served {
    status: StatusCode,
    vary: Option<String>,
    encoding: Option<String>,
    cache: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

async fn fetch(hashed: bool, path: &str, accept_encoding: Option<&str>) -> Served {
    let db = TestDb::new(Db::Sqlite).await;
    let root = std::env::temp_dir().join(format!("patron-site-{:016x}", rand::random::<u64>()));
    site(&root);
    let mut settings = settings_for(&db.url);
    settings.site_root = root.clone();
    let mut state = AppState::start(settings).await.expect("app state");
    // The hash file of a build whose WebAssembly is `patron.Abc123.wasm` (see `site`).
    state.site_files = Arc::new(SiteFiles::from_hashes(hashed.then_some("js: Js1\nwasm: Abc123\ncss: Css1\n")));
    let router = patron::server::router(state);

    let mut request = Request::builder().uri(path);
    if let Some(accepted) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, accepted);
    }
    let response = router.oneshot(request.body(Body::empty()).expect("request")).await.expect("response");
    let header_text = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (status, encoding, cache) =
        (response.status(), header_text(header::CONTENT_ENCODING), header_text(header::CACHE_CONTROL));
    let content_type = header_text(header::CONTENT_TYPE);
    let vary = header_text(header::VARY);
    let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
    let _ = std::fs::remove_dir_all(root);
    Served { status, vary, encoding, cache, content_type, body }
}

#[tokio::test]
async fn a_browser_that_takes_brotli_gets_the_brotli_twin_cached_for_a_year() {
    // The file's own name, and the name pages ask for it by (beside the script, in the folder
    // named after the WebAssembly's hash).
    for (path, accepted) in
        [("/pkg/patron.Abc123.wasm", "gzip, deflate, br"), ("/pkg/Abc123/patron.Js1.wasm", "gzip, deflate, br, zstd")]
    {
        let served = fetch(true, path, Some(accepted)).await;
        assert_eq!(served.status, StatusCode::OK, "{path}");
        assert_eq!(served.encoding.as_deref(), Some("br"), "{path}");
        assert_eq!(served.body, WASM_BR, "{path}");
        assert_eq!(served.content_type.as_deref(), Some("application/wasm"), "{path}");
        assert_eq!(served.cache.as_deref(), Some("public, max-age=31536000, immutable"), "{path}");
        assert_eq!(served.vary.as_deref(), Some("accept-encoding"), "{path}");
    }
    // Another build's folder, or another script's name in this one, names nothing.
    assert_eq!(fetch(true, "/pkg/Abc124/patron.Js1.wasm", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(fetch(true, "/pkg/Abc123/patron.Js2.wasm", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_browser_that_takes_only_gzip_gets_the_gzip_twin() {
    let served = fetch(true, "/pkg/patron.Abc123.wasm", Some("gzip")).await;
    assert_eq!(served.encoding.as_deref(), Some("gzip"));
    assert_eq!(served.body, WASM_GZ);
}

#[tokio::test]
async fn a_client_without_accept_encoding_gets_the_file_itself() {
    let served = fetch(true, "/pkg/patron.Abc123.wasm", None).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.encoding, None);
    assert_eq!(served.body, WASM);
}

#[tokio::test]
async fn files_without_hashed_names_must_be_revalidated() {
    let served = fetch(false, "/pkg/patron.Abc123.wasm", Some("br")).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.cache.as_deref(), Some("no-cache"));
}

#[tokio::test]
async fn a_missing_asset_is_404_and_not_cached() {
    let served = fetch(true, "/pkg/patron.Old999.wasm", Some("br")).await;
    assert_eq!(served.status, StatusCode::NOT_FOUND);
    assert_eq!(served.cache, None);
}

#[tokio::test]
async fn paths_outside_the_package_folder_are_not_served() {
    let served = fetch(true, "/pkg/../../../../etc/passwd", None).await;
    assert_eq!(served.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_public_files_are_served_to_anyone_signed_in_or_not() {
    for (path, content_type) in [
        ("/favicon.ico", "image/x-icon"),
        ("/favicon.svg", "image/svg+xml"),
        ("/manifest.webmanifest", "application/manifest+json"),
        ("/icon-192.png", "image/png"),
        ("/robots.txt", "text/plain"),
    ] {
        let served = fetch(true, path, None).await;
        assert_eq!(served.status, StatusCode::OK, "{path}");
        let served_type = served.content_type.unwrap_or_default();
        assert!(served_type.starts_with(content_type), "{path}: {served_type}");
    }
}

#[tokio::test]
async fn robots_keep_the_back_office_out_of_search_engines() {
    let served = fetch(true, "/robots.txt", None).await;
    let text = String::from_utf8_lossy(&served.body);
    assert!(text.lines().any(|line| line.trim() == "Disallow: /"), "{text}");
}

#[tokio::test]
async fn the_web_app_manifest_opens_the_customers_page_from_a_home_screen() {
    let served = fetch(true, "/manifest.webmanifest", None).await;
    let manifest: serde_json::Value = serde_json::from_slice(&served.body).expect("manifest is JSON");
    assert_eq!(manifest["start_url"], "/customers");
    assert_eq!(manifest["display"], "standalone");
    let icons = manifest["icons"].as_array().map(Vec::len).unwrap_or(0);
    assert!(icons >= 2);
}
