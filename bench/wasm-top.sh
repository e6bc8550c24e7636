#!/usr/bin/env bash
# What the page's WebAssembly carries (issue #12, page weight): builds the site as `make build`
# does (`cargo leptos build --release --split`: the wasm-release profile, type-erased views, the
# code behind split points moved into modules of their own), passes the page's own module (what
# every page loads; the split-off modules are fetched when used) through wasm-bindgen and
# `wasm-opt -Oz` as cargo-leptos does, but keeps the functions' names, then prints the largest
# functions and crates (bench/wasm_top.py) and the shipped size with brotli for comparison.
# Usage: bench/wasm-top.sh [N]   (N rows per table, default 20; about a minute after `make build`)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
out=target/wasm-top
mkdir -p "$out"
# The site and server as `make build` makes them (its compressed twins too, which a build without
# `--precompress` would remove).
scripts/build.sh >/dev/null 2>&1
# cargo-leptos' page module after splitting, before wasm-bindgen (its names still there).
split=target/front/wasm32-unknown-unknown/wasm-release/patron_browser_split.wasm
wasm-bindgen --target web --keep-lld-exports --no-demangle --out-name patron --out-dir "$out" "$split"
wasm-opt -Oz --debuginfo "$out/patron_bg.wasm" -o "$out/named.wasm"
wasm-opt -Oz --strip-debug "$out/patron_bg.wasm" -o "$out/shipped.wasm"
python3 bench/wasm_top.py "$out/named.wasm" "${1:-20}"
echo
echo "as shipped (no names): $(wc -c <"$out/shipped.wasm") bytes, $(brotli -c -q 11 "$out/shipped.wasm" | wc -c) with brotli"
