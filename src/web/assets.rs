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
use leptos::config::LeptosOptions;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
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

/// The address of the site's stylesheet as pages link it, with the content hash of the hash
/// file in its name when the build hashes names. Read once, at the first page: the names are
/// those of the running build (Leptos' `HashedStylesheet` reads the file again for every page).
pub fn stylesheet_href(options: &LeptosOptions) -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| {
        let stem = options.output_name.as_ref();
        let hash = hash_file_path()
            .filter(|_| options.hash_files)
            .and_then(|path| std::fs::read_to_string(path).ok())
            .and_then(|hashes| css_hash(&hashes).map(str::to_owned));
        match hash {
            Some(hash) => format!("/{}/{stem}.{hash}.css", options.site_pkg_dir),
            None => format!("/{}/{stem}.css", options.site_pkg_dir),
        }
    })
}

/// The stylesheet's hash in the hash file's text (`css: <hash>`, one file per line).
fn css_hash(hashes: &str) -> Option<&str> {
    hashes.lines().find_map(|line| line.trim().strip_prefix("css:")).map(str::trim).filter(|hash| !hash.is_empty())
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
    fn the_stylesheet_hash_is_read_from_its_line_of_the_hash_file() {
        let hashes = "js: 7f5Zgc1v\nwasm: -0B2jIpsY\ncss: ifrUxwjJ\n";
        assert_eq!(super::css_hash(hashes), Some("ifrUxwjJ"));
        assert_eq!(super::css_hash("js: a\nwasm: b\n"), None);
        assert_eq!(super::css_hash("css:\n"), None);
    }

    #[test]
    fn every_public_file_is_listed_and_every_listed_file_exists() {
        let mut found: Vec<String> = std::fs::read_dir("public")
            .map(|dir| dir.filter_map(Result::ok).map(|f| format!("/{}", f.file_name().to_string_lossy())).collect())
            .unwrap_or_default();
        found.sort();
        assert_eq!(found, super::PUBLIC_FILES.to_vec());
    }
}
