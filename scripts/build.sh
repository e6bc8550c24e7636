#!/usr/bin/env bash
# The release build: the server and the site (target/site/pkg) with content-hashed file names and
# a brotli and a gzip twin beside each file (see src/web/assets.rs). cargo-leptos writes its gzip
# twins at a middling level; they are rewritten here with gzip -9, about 12% smaller for the
# WebAssembly, for the browsers that do not take brotli (any page served over plain http).
# cargo-leptos builds the site and the server one after the other when it hashes file names;
# neither needs the other (the server reads the hashes when it starts), so they build at the same
# time here: each leaves a core idle for minutes on its own last crate (a cold build took 3.6 +
# 15.2 minutes one after the other on a machine of our kind, 2026-12-02).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo leptos build --release --precompress --frontend-only &
site=$!
server_status=0
cargo leptos build --release --server-only || server_status=$?
site_status=0
wait $site || site_status=$?
if [ $server_status -ne 0 ] || [ $site_status -ne 0 ]; then
  echo "build: the server (exit $server_status) or the site (exit $site_status) failed to build" >&2
  exit 1
fi
for file in target/site/pkg/*; do
  case "$file" in
    *.js | *.wasm | *.css) gzip -9 --no-name --keep --force "$file" ;;
  esac
done
