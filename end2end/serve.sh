#!/usr/bin/env bash
# Starts the release server on a fresh embedded database with a known tenant for the e2e tests.
set -euo pipefail
cd "$(dirname "$0")/.."
data=end2end/.data
rm -rf "$data" && mkdir -p "$data"
export DATABASE_URL="sqlite://$data/patron.db" PATRON_ADDRESS=127.0.0.1:3100 PATRON_LOG=warn
export PATRON_SECRET="end-to-end-tests-only-secret-0123456789"
bin=target/release/patron
$bin tenant create "E2E Bistro" >/dev/null
$bin tenant create "Other Tenant" >/dev/null
export PATRON_PASSWORD="e2e password 123"
for role in owner manager cashier; do
  $bin user create --tenant "E2E Bistro" --email "$role@e2e.test" --role "$role" >/dev/null
done
$bin user create --tenant "Other Tenant" --email "owner@other.test" --role owner >/dev/null
$bin demo --tenant "E2E Bistro" --customers 45 >/dev/null

# A tenant with names as long as Patron takes (real-screens.spec.ts builds the same strings): a
# 200-character name, an owner with a 254-character email, and 1,000 customers (100 pages).
repeat() { printf "%${2}s" "" | tr ' ' "$1"; }
long_tenant=$(for _ in $(seq 40); do printf Kedai; done)
long_owner="owner.$(repeat a 58)@$(repeat b 63).$(repeat c 63).$(repeat d 53).example"
$bin tenant create "$long_tenant" >/dev/null
$bin user create --tenant "$long_tenant" --email "$long_owner" --role owner >/dev/null
$bin user create --tenant "$long_tenant" --email "cashier@long.e2e.test" --role cashier >/dev/null
$bin demo --tenant "$long_tenant" --customers 1000 >/dev/null
exec $bin serve
