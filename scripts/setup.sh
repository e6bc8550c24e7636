#!/usr/bin/env bash
# Installs everything Patron needs to build, run and test, skipping what is already present.
# Idempotent: a second run only checks. Usage: scripts/setup.sh [--with-browser] [--with-bench]
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
want_browser=0
want_bench=0
for arg in "$@"; do
  case "$arg" in
    --with-browser) want_browser=1 ;;
    --with-bench) want_bench=1 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

started_at=$SECONDS
log() { printf '\033[1;34msetup:\033[0m [%dm%02ds] %s\n' $(((SECONDS - started_at) / 60)) $(((SECONDS - started_at) % 60)) "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ $apt_updated -eq 0 ]; then
    log "apt-get update"
    $sudo apt-get update -qq
    apt_updated=1
  fi
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# A crate's source from the registry, unpacked into a scratch folder (prints the folder).
crate_source() {
  local name=$1 version=$2 scratch
  scratch=$(mktemp -d)
  (cd "$scratch" && cargo info --quiet "$name@$version" >/dev/null)
  local archive
  archive=$(ls "$HOME"/.cargo/registry/cache/*/"$name-$version.crate" | head -n 1)
  tar xzf "$archive" -C "$scratch"
  echo "$scratch/$name-$version"
}

# Build tools: their own speed does not matter, their build time does. Their release profiles ask
# for fat LTO and one codegen unit (over 20 minutes on one core for cargo-leptos); these settings
# override that for `cargo install` only: no LTO, 16 codegen units, and no optimization except
# for the few crates that do the tools' heavy lifting on our files (brotli and gzip for the
# precompressed twins, the WebAssembly parser and rewriter of wasm-bindgen and the islands split).
# With optimization everywhere, cargo-leptos alone took 14 minutes to build here (2026-12-02).
tool_build() {
  local hot=(brotli brotli-decompressor alloc-no-stdlib miniz_oxide flate2 crc32fast adler2 walrus wasmparser
    wasm-encoder wasm-bindgen-cli-support wasm-bindgen-wasm-interpreter wasm_split_cli_support leb128 id-arena)
  local overrides=()
  for crate in "${hot[@]}"; do overrides+=(--config "profile.release.package.$crate.opt-level=3"); done
  cargo install -q --path . --locked \
    --config profile.release.lto=false --config profile.release.codegen-units=16 \
    --config profile.release.debug=false --config profile.release.opt-level=0 "${overrides[@]}" "$@"
}

# --- Rust: the WebAssembly target, cargo-leptos, wasm-bindgen-cli at the version in Cargo.lock ---
command -v cargo >/dev/null || { echo "setup: cargo is required (https://rustup.rs)" >&2; exit 1; }
if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

apt_install pkg-config libssl-dev

# cargo-leptos without its `new` command, which makes a project from a template in a git
# repository: that one command brings cargo-generate, git and libgit2 (compiled from C) and about
# 200 of the tool's 790 crates. Patron never uses it; the command is left in place and says so.
leave_out_new_command() {
  local src=$1
  sed -i '/^\[dependencies\.cargo-generate\]$/,/^$/d' "$src/Cargo.toml"
  cat >"$src/src/command/new.rs" <<'EOF'
use clap::Args;

use crate::internal_prelude::*;

/// `cargo leptos new`, left out of this build (see Patron's scripts/setup.sh).
#[derive(Clone, Debug, Args, PartialEq, Eq)]
pub struct NewCommand {}

impl NewCommand {
    pub fn run(self) -> Result<()> {
        bail!("`cargo leptos new` was left out of this build of cargo-leptos")
    }
}
EOF
}

# cargo-leptos without swc, a JavaScript compiler of about 110 crates that it uses for one thing:
# minifying the site's JavaScript (22 KB). Without it, and with the change below, the tool builds
# in about half the time (106 s against 207 s on two cores). Its `minify` runs esbuild instead,
# which npm installs with the other build tools (package.json); cargo-leptos puts the project's
# node_modules/.bin on its PATH.
leave_out_swc() {
  local src=$1 front=$1/src/compile/front.rs
  sed -i '/^\[dependencies\.swc\]$/,/^$/d; /^\[dependencies\.swc_common\]$/,/^$/d' "$src/Cargo.toml"
  # swc's two `use` items, the import only `minify` used, and `minify` itself (the file's end).
  perl -0pi -e 's/use swc::\{.*?\};\nuse swc_common::[^;]*;\n//s; s/^fn minify<JS.*\z//ms' "$front"
  sed -i '/^        eyre::AnyhowCompatWrapErr,$/d' "$front"
  if grep -q 'swc\|fn minify' "$front"; then
    echo "setup: cargo-leptos' src/compile/front.rs is not as expected; update leave_out_swc" >&2
    exit 1
  fi
  cat >>"$front" <<'EOF'
/// Minifies the site's JavaScript with esbuild, installed from npm beside the other build tools
/// (this build of cargo-leptos leaves out swc: see Patron's scripts/setup.sh).
fn minify<JS: AsRef<str>>(js: JS) -> Result<String> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("esbuild")
        .args(["--minify", "--format=esm", "--log-level=warning"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| {
            eyre!("esbuild minifies the JavaScript and could not start ({e}): it comes from npm, \
                   into node_modules/.bin (run scripts/setup.sh)")
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(js.as_ref().as_bytes())?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!("esbuild could not minify the JavaScript");
    }
    Ok(String::from_utf8(output.stdout)?)
}
EOF
}

# cargo-leptos without TLS: it can download Tailwind, wasm-opt and wasm-bindgen over https when they
# are not on the PATH, which brings aws-lc (a cryptography library compiled from C). Patron's tools
# come from npm and from this script, so the tool is built with its `no_downloads` feature (a
# missing tool is an error that names it) and its HTTP client without a cryptography provider.
leave_out_tls() {
  local src=$1
  sed -i '/^\[dependencies\.reqwest\]$/,/^$/ s/^    "rustls",$/    "rustls-no-provider",/' "$src/Cargo.toml"
  if ! grep -q '"rustls-no-provider"' "$src/Cargo.toml"; then
    echo "setup: cargo-leptos' reqwest features are not as expected; update leave_out_tls" >&2
    exit 1
  fi
}

# An earlier build of this script's (with swc) is replaced: its text says which build it is.
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION" ||
  ! grep -q "esbuild minifies the JavaScript" "$(command -v cargo-leptos)"; then
  log "building cargo-leptos $CARGO_LEPTOS_VERSION from its registry source (a few minutes)"
  src=$(crate_source cargo-leptos "$CARGO_LEPTOS_VERSION")
  leave_out_new_command "$src"
  leave_out_swc "$src"
  leave_out_tls "$src"
  # Its published lock needs a newer rustc than ours through cargo-util-schemas; pin that one crate
  # (which also drops what the left-out parts needed from the lock).
  (cd "$src" && cargo update -q -p cargo-util-schemas --precise 0.14.1 &&
    tool_build --features no_downloads)
  rm -rf "$(dirname "$src")"
fi

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ -z "$bindgen_version" ]; then
  echo "setup: could not read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $bindgen_version\$"; then
  log "building wasm-bindgen-cli $bindgen_version from its registry source"
  src=$(crate_source wasm-bindgen-cli "$bindgen_version")
  (cd "$src" && { cargo update -q -p webpki-roots --precise 1.0.10 2>/dev/null || true; } && tool_build)
  rm -rf "$(dirname "$src")"
fi

# --- npm: Tailwind, wasm-opt (binaryen), Playwright and axe ---
command -v npm >/dev/null || apt_install nodejs npm
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

# --- PyPI: schemathesis, which checks the OpenAPI document against the running API ---
if ! .venv/bin/python -m pip freeze 2>/dev/null | grep -qxF -f scripts/requirements-test.txt; then
  python3 -m venv --help >/dev/null 2>&1 || apt_install python3-venv
  log "installing schemathesis into .venv"
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check -r scripts/requirements-test.txt
fi

if [ $want_browser -eq 1 ]; then
  apt_install chromium fonts-dejavu-core
fi
if [ $want_bench -eq 1 ]; then
  apt_install wrk brotli bc
fi
log "ready"
