//! The built site's JavaScript, WebAssembly and CSS under `/pkg`.
//!
//! A release build (`cargo leptos build --release --precompress`) puts a content hash in each file
//! name and writes `.br` and `.gz` beside every file. Those names change whenever the content does,
//! so the files are served with a one-year `immutable` cache lifetime, and the precompressed twin
//! matching the browser's `Accept-Encoding` is sent as is: no compression work per request.
//! Without hashed names (a debug build) the browser must revalidate every time.

use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::HeaderValue;
use axum::response::Response;
use axum::Router;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The static files of `public/`, which cargo-leptos copies to the site root and the server
/// serves from there to anyone, signed in or not. A test checks that this list and the folder
/// agree.
pub const PUBLIC_FILES: [&str; 6] =
    ["/favicon.ico", "/favicon.svg", "/icon-192.png", "/icon-512.png", "/manifest.webmanifest", "/robots.txt"];

/// Cache lifetime of files whose names carry their content's hash.
const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
/// Cache rule for files whose names do not change with their content.
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// The name of the file in which cargo-leptos records the content hashes of the built files. It
/// lies beside the server executable, where Leptos looks for it when it writes the page's
/// `<script>` and `<link>` tags.
pub const HASH_FILE: &str = "hash.txt";

/// Whether the running executable was built with hashed asset names (its hash file is beside it).
pub fn names_are_hashed() -> bool {
    hash_file_path().is_some_and(|path| path.is_file())
}

fn hash_file_path() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(HASH_FILE))
}

/// Serves `site_root/pkg`, preferring the brotli or gzip twin of a file when the browser takes it.
pub fn pkg_service<S: Clone + Send + Sync + 'static>(site_root: &Path, hashed: bool) -> Router<S> {
    let cache_rule = if hashed { IMMUTABLE } else { REVALIDATE };
    let files = ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::overriding(CACHE_CONTROL, move |response: &Response| {
            response.status().is_success().then(|| cache_rule.clone())
        }))
        // The body depends on Accept-Encoding: shared caches must keep one copy per encoding.
        .layer(SetResponseHeaderLayer::overriding(VARY, HeaderValue::from_static("accept-encoding")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_public_file_is_listed_and_every_listed_file_exists() {
        let mut found: Vec<String> = std::fs::read_dir("public")
            .map(|dir| dir.filter_map(Result::ok).map(|f| format!("/{}", f.file_name().to_string_lossy())).collect())
            .unwrap_or_default();
        found.sort();
        assert_eq!(found, super::PUBLIC_FILES.to_vec());
    }
}
