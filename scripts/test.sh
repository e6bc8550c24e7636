#!/usr/bin/env bash
# Everything `make test` runs: setup, formatting, lints for both builds, unit and integration
# tests on SQLite and PostgreSQL, the release build, schemathesis against the OpenAPI document
# and the Playwright end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "setup"
scripts/setup.sh --with-browser

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (server)"
cargo clippy --all-targets --features ssr -- -D warnings
step "clippy (browser)"
cargo clippy --workspace --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

step "PostgreSQL for the tests"
TEST_DATABASE_URL=$(scripts/test-postgres.sh)
export TEST_DATABASE_URL
echo "using $(echo "$TEST_DATABASE_URL" | sed -E 's#//([^:@/]+):[^@]*@#//\1:***@#')"

step "unit and integration tests (SQLite and PostgreSQL)"
cargo test --features ssr -- --test-threads 4

step "release build"
scripts/build.sh

step "the OpenAPI document against the API (schemathesis)"
scripts/schemathesis.sh

step "end-to-end tests (Playwright, Chromium)"
npx playwright test -c end2end/playwright.config.ts
