#!/usr/bin/env bash
# The release build: the server and the site (target/site/pkg) with content-hashed file names and
# a brotli and a gzip twin beside each file (see src/web/assets.rs). cargo-leptos writes its gzip
# twins at a middling level; they are rewritten here with gzip -9, about 12% smaller for the
# WebAssembly, for the browsers that do not take brotli (any page served over plain http).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo leptos build --release --precompress
for file in target/site/pkg/*; do
  case "$file" in
    *.js | *.wasm | *.css) gzip -9 --no-name --keep --force "$file" ;;
  esac
done
