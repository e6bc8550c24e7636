#!/usr/bin/env bash
# What the page's WebAssembly carries (issue #12, page weight): builds the browser's library as
# `make build` does (the wasm-release profile, type-erased views), passes it through wasm-bindgen
# and `wasm-opt -Oz` as cargo-leptos does, but keeps the functions' names, then prints the largest
# functions and crates (bench/wasm_top.py) and the shipped size with brotli for comparison.
# Usage: bench/wasm-top.sh [N]   (N rows per table, default 20; 4 min 30 s cold on two cores)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
out=target/wasm-top
mkdir -p "$out"
# A target folder of its own: other flags than the server's build, which would otherwise rebuild.
CARGO_TARGET_DIR=target/wasm-top/cargo RUSTFLAGS="--cfg erase_components" \
  cargo build --quiet --package patron-browser --lib --target wasm32-unknown-unknown --profile wasm-release --no-default-features --features hydrate
wasm-bindgen --target web --out-name patron --out-dir "$out" target/wasm-top/cargo/wasm32-unknown-unknown/wasm-release/patron_browser.wasm
wasm-opt -Oz --debuginfo "$out/patron_bg.wasm" -o "$out/named.wasm"
wasm-opt -Oz --strip-debug "$out/patron_bg.wasm" -o "$out/shipped.wasm"
python3 bench/wasm_top.py "$out/named.wasm" "${1:-20}"
echo
echo "as shipped (no names): $(wc -c <"$out/shipped.wasm") bytes, $(brotli -c -q 11 "$out/shipped.wasm" | wc -c) with brotli"
