#!/usr/bin/env bash
# Checks that /api/openapi.json describes the API exactly: schemathesis (pinned in
# scripts/requirements-test.txt, installed by scripts/setup.sh into .venv) generates valid and
# invalid requests for every operation from the document, with every check on, against a fresh
# server on its own database. The only findings allowed are refusals that depend on the state
# the earlier requests left (they are listed in scripts/schemathesis_findings.py); any other
# finding, and any server error, fails the run.
#   SCHEMATHESIS_EXAMPLES (default 50) examples per operation; PATRON_BIN (target/release/patron).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PATRON_BIN:-target/release/patron}
examples=${SCHEMATHESIS_EXAMPLES:-50}
port=3978
work=$(mktemp -d)
export DATABASE_URL="sqlite://$work/schemathesis.db" PATRON_ADDRESS="127.0.0.1:$port" PATRON_LOG=warn
export PATRON_SECRET="schemathesis-secret-not-for-production-0000" PATRON_PASSWORD="schemathesis password 1"
$bin tenant create "Schema Bistro" >/dev/null
$bin user create --tenant "Schema Bistro" --email owner@schemathesis.test --role owner >/dev/null
$bin serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/api/openapi.json" >/dev/null && break
  sleep 0.1
done
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/auth/token/" -H 'content-type: application/json' \
  -d "{\"email\":\"owner@schemathesis.test\",\"password\":\"$PATRON_PASSWORD\"}" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access"])')
# Signing out everywhere would end the token every other request uses (it takes no input; the
# integration tests check it).
.venv/bin/schemathesis run "http://127.0.0.1:$port/api/openapi.json" --checks all \
  --exclude-path /api/auth/logout_all/ \
  -H "Authorization: Bearer $token" --max-examples "$examples" --seed 1 \
  --report junit --report-junit-path "$work/junit.xml" >"$work/output.txt" 2>&1 || true
if grep -qiE "panicked|internal server error" "$work/server.log"; then
  cat "$work/server.log"
  echo "schemathesis: the server failed on a generated request" >&2
  exit 1
fi
if ! python3 scripts/schemathesis_findings.py "$work/junit.xml"; then
  cat "$work/output.txt"
  exit 1
fi
grep -E "generated|Seed" "$work/output.txt" || true
