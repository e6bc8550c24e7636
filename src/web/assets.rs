//! The built site's JavaScript, WebAssembly and CSS under `/pkg`.
//!
//! A release build (`cargo leptos build --release --precompress`) puts a content hash in each file
//! name and writes `.br` and `.gz` beside every file. Those names change whenever the content does,
//! so the files are served with a one-year `immutable` cache lifetime, and the precompressed twin
//! matching the browser's `Accept-Encoding` is sent as is: no compression work per request.
//! Without hashed names (a debug build) the browser must revalidate every time.

use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::{HeaderValue, Uri};
use axum::middleware::map_request;
use axum::response::Response;
use axum::Router;
use std::path::Path;
use std::sync::{Arc, OnceLock};
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
/// lies beside the server executable.
const HASH_FILE: &str = "hash.txt";
/// The stem of the built files' names without their hashes (cargo-leptos' `output-name`).
const OUTPUT_NAME: &str = "patron";

/// The site's built files as pages name them: read once, from the hash file beside the running
/// executable, by [`site_files`].
///
/// Leptos' `HydrationScripts` names the JavaScript `<stem>.js` and the WebAssembly `<stem>.wasm`;
/// with hashed names it reads the hash file to learn their two hashes, for every page (seven
/// system calls each time). Instead, the pages give it one stem, with hashing off:
/// `<wasm hash><split hash>/patron.<js hash>`. The script is then asked for under its own name,
/// in a folder named after the WebAssembly's and the split-off modules' loader's hashes, and
/// [`pkg_service`] serves every file of that folder from `pkg` itself. The loader imports the
/// script by its own name, relative to its own address: both imports must name one address, or
/// the browser would run the script twice, with two WebAssembly instances. Every address under the
/// folder changes whenever the WebAssembly or the loader does, and each file's name whenever its
/// content does, so all stay cacheable for a year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteFiles {
    /// What pages call the JavaScript and the WebAssembly, without `.js` or `.wasm`.
    pub stem: String,
    /// The stylesheet's address.
    pub stylesheet: String,
    /// Whether the names carry content hashes.
    pub hashed: bool,
    /// The folder below `/pkg` that pages name the script and the WebAssembly in, with its
    /// slashes (empty for a build without hashed names).
    folder: String,
    /// The names in that folder pages ask for the WebAssembly by (Leptos adds `_bg` to the name
    /// when the server was not built by cargo-leptos).
    webassembly_names: [String; 2],
    /// The file below `pkg` that answers them.
    webassembly_file: String,
}

impl SiteFiles {
    /// The names for a build whose hash file reads `hashes` (`None`: a build without hashed
    /// names, whose files are `patron.js`, `patron.css` and the WebAssembly as Leptos names it).
    pub fn from_hashes(hashes: Option<&str>) -> SiteFiles {
        let hash = |kind: &str| {
            let prefix = format!("{kind}:");
            hashes?
                .lines()
                .find_map(|line| line.trim().strip_prefix(prefix.as_str()))
                .map(str::trim)
                .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        };
        let (js, wasm, css) = (hash("js"), hash("wasm"), hash("css"));
        // The split-off modules' loader, whose hash covers the modules' names. cargo-leptos names
        // the script before it writes the loader's name into it: the script's name can stay the
        // same while the loader it imports changes, so the folder carries the loader's hash too.
        let split = hash("split").unwrap_or_default();
        let stylesheet = match css {
            Some(css) => format!("/pkg/{OUTPUT_NAME}.{css}.css"),
            None => format!("/pkg/{OUTPUT_NAME}.css"),
        };
        match (js, wasm) {
            (Some(js), Some(wasm)) => SiteFiles {
                stem: format!("{wasm}{split}/{OUTPUT_NAME}.{js}"),
                stylesheet,
                hashed: css.is_some(),
                folder: format!("/{wasm}{split}/"),
                webassembly_names: [format!("{OUTPUT_NAME}.{js}.wasm"), format!("{OUTPUT_NAME}.{js}_bg.wasm")],
                webassembly_file: format!("/{OUTPUT_NAME}.{wasm}.wasm"),
            },
            _ => SiteFiles {
                stem: OUTPUT_NAME.to_owned(),
                stylesheet,
                hashed: false,
                folder: String::new(),
                webassembly_names: Default::default(),
                webassembly_file: String::new(),
            },
        }
    }

    /// The file below `pkg` that answers a request for `path` in the folder pages name the
    /// script and the WebAssembly by.
    fn file_for<'a>(&'a self, path: &'a str) -> Option<&'a str> {
        if self.folder.is_empty() {
            return None;
        }
        let name = path.strip_prefix(self.folder.as_str())?;
        if self.webassembly_names.iter().any(|asked| asked == name) {
            Some(self.webassembly_file.as_str())
        } else {
            // The leading slash of the name within the folder.
            path.get(self.folder.len() - 1..)
        }
    }
}

/// The running build's site files, read from its hash file at the first call.
pub fn site_files() -> &'static SiteFiles {
    static FILES: OnceLock<SiteFiles> = OnceLock::new();
    FILES.get_or_init(|| {
        let hashes = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.join(HASH_FILE)))
            .and_then(|path| std::fs::read_to_string(path).ok());
        SiteFiles::from_hashes(hashes.as_deref())
    })
}

/// Serves `site_root/pkg`, preferring the brotli or gzip twin of a file when the browser takes it,
/// and the JavaScript and WebAssembly under the stem pages name them by (see [`SiteFiles`]).
pub fn pkg_service<S: Clone + Send + Sync + 'static>(site_root: &Path, files: Arc<SiteFiles>) -> Router<S> {
    let cache_rule = if files.hashed { IMMUTABLE } else { REVALIDATE };
    let served = ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip();
    Router::new()
        .fallback_service(served)
        .layer(map_request(move |mut request: Request| {
            if let Some(file) = files.file_for(request.uri().path()) {
                if let Ok(uri) = Uri::try_from(file.to_owned()) {
                    *request.uri_mut() = uri;
                }
            }
            std::future::ready(request)
        }))
        .layer(SetResponseHeaderLayer::overriding(CACHE_CONTROL, move |response: &Response| {
            response.status().is_success().then(|| cache_rule.clone())
        }))
        // The body depends on Accept-Encoding: shared caches must keep one copy per encoding.
        .layer(SetResponseHeaderLayer::overriding(VARY, HeaderValue::from_static("accept-encoding")))
}

#[cfg(test)]
mod tests {
    use super::SiteFiles;

    #[test]
    fn a_hashed_build_names_its_script_in_a_folder_named_after_the_webassembly() {
        let files = SiteFiles::from_hashes(Some("js: 7f5Zgc1v\nwasm: -0B2jIpsY\ncss: ifrUxwjJ\n"));
        assert_eq!(files.stem, "-0B2jIpsY/patron.7f5Zgc1v");
        assert_eq!(files.stylesheet, "/pkg/patron.ifrUxwjJ.css");
        assert!(files.hashed);
        assert_eq!(files.file_for("/-0B2jIpsY/patron.7f5Zgc1v.js"), Some("/patron.7f5Zgc1v.js"));
        assert_eq!(files.file_for("/-0B2jIpsY/patron.7f5Zgc1v.wasm"), Some("/patron.-0B2jIpsY.wasm"));
        assert_eq!(files.file_for("/-0B2jIpsY/patron.7f5Zgc1v_bg.wasm"), Some("/patron.-0B2jIpsY.wasm"));
        // The split-off WebAssembly and its loader, which the script finds beside itself.
        assert_eq!(files.file_for("/-0B2jIpsY/__wasm_split.Xy1.js"), Some("/__wasm_split.Xy1.js"));
        assert_eq!(files.file_for("/-0B2jIpsY/chunk_7.Ab2.wasm"), Some("/chunk_7.Ab2.wasm"));
        assert_eq!(files.file_for("/patron.7f5Zgc1v.js"), None, "the files' own names are served as they are");
        assert_eq!(files.file_for("/-0B2jIpsZ/patron.7f5Zgc1v.js"), None, "another build's folder is not this one");
    }

    #[test]
    fn a_split_build_names_the_folder_after_the_webassembly_and_the_loader_of_its_split_off_modules() {
        let files = SiteFiles::from_hashes(Some("js: J1\nwasm: W2\ncss: C3\nmanifest: M4\nsplit: S5\n"));
        assert_eq!(files.stem, "W2S5/patron.J1");
        assert_eq!(files.file_for("/W2S5/patron.J1.wasm"), Some("/patron.W2.wasm"));
        assert_eq!(files.file_for("/W2S5/__wasm_split.S5.js"), Some("/__wasm_split.S5.js"));
        // The same script and WebAssembly with another loader: another folder.
        assert_eq!(files.file_for("/W2S6/__wasm_split.S6.js"), None);
        assert_eq!(files.file_for("/W2/patron.J1.js"), None);
    }

    #[test]
    fn a_build_without_a_whole_hash_file_keeps_plain_names() {
        for hashes in [None, Some(""), Some("js: a\ncss:\n"), Some("js: a/b\nwasm: c\n")] {
            let files = SiteFiles::from_hashes(hashes);
            assert_eq!(files.stem, "patron", "{hashes:?}");
            assert!(!files.hashed, "{hashes:?}");
            assert_eq!(files.file_for("/patron.js"), None);
            assert_eq!(files.file_for("/patron/patron.js"), None);
        }
        assert_eq!(SiteFiles::from_hashes(None).stylesheet, "/pkg/patron.css");
    }

    #[tokio::test]
    async fn the_script_and_webassembly_are_served_in_the_webassemblys_folder_with_their_twins() {
        use axum::body::Body;
        use axum::http::{Request, StatusCode};
        use tower::ServiceExt;
        let site = std::env::temp_dir().join(format!("patron-assets-{}", std::process::id()));
        let pkg = site.join("pkg");
        std::fs::create_dir_all(&pkg).expect("a folder");
        let built = [
            ("patron.J1.js", "script"),
            ("patron.W2.wasm", "module"),
            ("patron.W2.wasm.br", "brotli"),
            ("chunk_3.C3.wasm", "chunk"),
        ];
        for (name, text) in built {
            std::fs::write(pkg.join(name), text).expect("a file");
        }
        let files = std::sync::Arc::new(SiteFiles::from_hashes(Some("js: J1\nwasm: W2\ncss: C3\n")));
        let get = |path: &str, accept: &str| {
            let request = Request::get(path).header("accept-encoding", accept).body(Body::empty()).expect("a request");
            super::pkg_service::<()>(&site, files.clone()).oneshot(request)
        };
        let read = |response: axum::response::Response| async move {
            let status = response.status();
            let encoding = response.headers().get("content-encoding").map(|v| v.to_str().unwrap_or("?").to_owned());
            let bytes = axum::body::to_bytes(response.into_body(), 1024).await.expect("a body");
            (status, encoding, String::from_utf8_lossy(&bytes).into_owned())
        };
        let script = read(get("/W2/patron.J1.js", "identity").await.expect("served")).await;
        assert_eq!(script, (StatusCode::OK, None, "script".to_owned()));
        let module = read(get("/W2/patron.J1.wasm", "br").await.expect("served")).await;
        assert_eq!(module, (StatusCode::OK, Some("br".to_owned()), "brotli".to_owned()));
        let chunk = read(get("/W2/chunk_3.C3.wasm", "identity").await.expect("served")).await;
        assert_eq!(chunk.2, "chunk");
        let own = read(get("/patron.W2.wasm", "identity").await.expect("served")).await;
        assert_eq!(own.2, "module");
        assert_eq!(get("/W3/patron.J1.js", "identity").await.expect("served").status(), StatusCode::NOT_FOUND);
        let _ = std::fs::remove_dir_all(&site);
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
