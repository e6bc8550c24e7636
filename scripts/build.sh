#!/usr/bin/env bash
# The release build: the server and the site (target/site/pkg) with content-hashed file names and
# a brotli and a gzip twin beside each file (see src/web/assets.rs). cargo-leptos writes its gzip
# twins at a middling level; they are rewritten here with gzip -9, about 12% smaller for the
# WebAssembly, for the browsers that do not take brotli (any page served over plain http).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# The site (WebAssembly, CSS, hashed names, compressed twins) and the server at the same time.
# One `cargo leptos build` makes them one after the other whenever it hashes names (a server may
# embed the site's files); Patron's server reads the files and their hashes at run time, and
# building both at once keeps the second core busy while either runs on one (the WebAssembly's
# link-time optimization, wasm-opt, the server's own crate).
# `--split`: the code behind `wasm_split` points (the customers page's dialogs, the other pages'
# islands) goes into WebAssembly modules of their own, fetched when first used (src/pages).
cargo leptos build --release --precompress --split --frontend-only &
front=$!
trap 'kill "$front" 2>/dev/null || true' EXIT
cargo leptos build --release --precompress --server-only
wait "$front"
trap - EXIT
for file in target/site/pkg/*; do
  case "$file" in
    *.js | *.wasm | *.css) gzip -9 --no-name --keep --force "$file" ;;
  esac
done
