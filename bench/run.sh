#!/usr/bin/env bash
# The speed benchmark: loads one tenant with 1,000,000 customers and nine with 100,000 (via
# `patron demo`), starts the release server and drives it with wrk at 16 connections, printing
# req/s, p50 and p99 per scenario, the server's peak memory and the bytes of the page's assets,
# the CSV export of the big tenant (time, memory growth) and a 100,000-row import (with the list's
# p99 meanwhile).
# Then the same on PostgreSQL when a server is reachable. Figures go to stdout and to bench/last-run.md.
#   BENCH_BIG (default 1000000), BENCH_SMALL (100000), BENCH_TENANTS (9), BENCH_SECONDS (10),
#   BENCH_EXPIRING (default BENCH_BIG: customers whose points expire, for the expiry run),
#   BENCH_POSTGRES=0 to skip PostgreSQL, BENCH_SQLITE=0 to skip SQLite; PATRON_BIN runs another build (e.g. the one before a change,
#   with PATRON_SITE_ROOT pointing at its site); BENCH_STOP_POSTGRES=0 leaves the local PostgreSQL
#   running (otherwise it is stopped and started once, under two Patron instances). Loaded data is
#   kept in BENCH_DATA (default bench/data; PostgreSQL: database patron_bench, or
#   patron_bench_<name of BENCH_DATA> for another folder) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
big=${BENCH_BIG:-1000000}
small=${BENCH_SMALL:-100000}
expiring=${BENCH_EXPIRING:-$big}
tenants=${BENCH_TENANTS:-9}
seconds=${BENCH_SECONDS:-10}
bin=${PATRON_BIN:-target/release/patron}
port=3900
out=bench/last-run.md
data=${BENCH_DATA:-bench/data}
pg_name=patron_bench
[ -n "${BENCH_DATA:-}" ] && pg_name="patron_bench_$(basename "$BENCH_DATA" | tr -c 'a-zA-Z0-9_\n' _)"
export PATRON_SECRET="benchmark-secret-not-for-production-000"
export PATRON_ADDRESS="127.0.0.1:$port" PATRON_LOG=warn PATRON_PASSWORD="bench password 1"
declare -A rps_of # req/s per scenario name, of the last run that measured it

load() { # load URL: creates the tenants and users unless already there
  export DATABASE_URL=$1
  if $bin tenant create "Bench Big" >/dev/null 2>&1; then
    echo "loading $big customers into Bench Big ..."
    local started
    started=$(date +%s%N)
    $bin demo --tenant "Bench Big" --customers "$big"
    printf '| %-44s | %s s |\n' "load $big customers (patron demo, empty tenant)" \
      "$(echo "scale=1; ($(date +%s%N) - $started) / 1000000000" | bc)" | tee -a "$out"
    $bin user create --tenant "Bench Big" --email owner@bench.test --role owner >/dev/null
    for i in $(seq 1 "$tenants"); do
      $bin demo --tenant "Bench Small $i" --customers "$small" >/dev/null
    done
  fi
  # Customers whose points expire after a day: their balances are the lots the expiry run takes.
  if $bin tenant create "Bench Expiry" >/dev/null 2>&1; then
    echo "loading $expiring customers with expiring points into Bench Expiry ..."
    $bin demo --tenant "Bench Expiry" --customers "$expiring" --expire-after-days 1 >/dev/null
  fi
}

expiry() { # expiry URL: expires every lot of Bench Expiry on a copy of the database (kept data stays)
  local url=$1 copy started elapsed
  if [[ $url == sqlite:* ]]; then
    rm -f "$data"/expiry.db*
    cp "$data/patron.db" "$data/expiry.db"
    # What the server wrote since the last checkpoint is in the write-ahead log: copied too.
    [ -f "$data/patron.db-wal" ] && cp "$data/patron.db-wal" "$data/expiry.db-wal"
    copy="sqlite://$data/expiry.db"
  else
    psql "${url%/*}/postgres" -qc "DROP DATABASE IF EXISTS patron_bench_expiry" -c "CREATE DATABASE patron_bench_expiry TEMPLATE $pg_name"
    copy="${url%/*}/patron_bench_expiry"
  fi
  started=$(date +%s%N)
  DATABASE_URL=$copy $bin points expire --as-of "$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)" | tee /tmp/patron-expiry.txt
  elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
  printf '| %-44s | %s ms: %s |\n' "expire the lots of $expiring customers" "$elapsed" "$(cat /tmp/patron-expiry.txt)" | tee -a "$out"
  if [[ $url == sqlite:* ]]; then rm -f "$data"/expiry.db*; else psql "${url%/*}/postgres" -qc "DROP DATABASE patron_bench_expiry"; fi
}

measure() { # measure NAME HEADER PATH [LUA]: one wrk run, one table row ($also: one more header;
  # $ref: the row of this run its rate is a ratio to, "list page 1" unless said)
  local name=$1 header=$2 path=$3 script=${4:-}
  local args=(-t2 -c16 -d"${seconds}s" --latency -H "$header")
  [ -n "$script" ] && args+=(-s "$script")
  [ -n "${also:-}" ] && args+=(-H "$also")
  local result rps p50 p99 errors
  result=$(wrk "${args[@]}" "http://127.0.0.1:$port$path" 2>&1)
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$result")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$result")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$result")
  errors=$(awk '/Non-2xx/ {print $NF}' <<<"$result")
  local reference=${ref:-list page 1} ratio=reference
  if [ "$name" != "$reference" ]; then
    ratio=$(awk -v a="$rps" -v b="${rps_of[$reference]:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else printf "?" }')
    ratio="$ratio of ${reference%% (*}"
  fi
  printf '| %-44s | %10s | %9s | %9s | %6s | %s |\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}" "$ratio" | tee -a "$out"
  rps_of[$name]=$rps
}

scenario() { # scenario NAME PATH [LUA]: an API request with the bearer token (a script sets POST bodies)
  measure "$1" "Authorization: Bearer $token" "$2" "${3:-}"
}

page_scenario() { # page_scenario NAME PATH COOKIE: a page with the session cookie
  measure "$1" "Cookie: $3" "$2"
}

assets() { # assets COOKIE: the page's JavaScript, WebAssembly and CSS as the server sends them
  local html urls url script dir imported
  html=$(curl -sf "http://127.0.0.1:$port/customers" -H "Cookie: $1")
  urls=$(grep -oE '/pkg/[^"]+\.(js|wasm|css)' <<<"$html" | sort -u)
  # What the page's scripts import beside themselves (the loader of the split-off WebAssembly).
  for script in $(grep -E '\.js$' <<<"$urls"); do
    dir=${script%/*}
    imported=$(curl -sf "http://127.0.0.1:$port$script" | grep -oE 'from ?"\./[A-Za-z0-9_.-]+\.js"' | sed -E "s|^from ?\"\.|$dir|; s|\"$||")
    urls=$(printf '%s\n%s\n' "$urls" "$imported" | grep . | sort -u)
  done
  # The dialogs' WebAssembly modules, fetched when the board is first used (the split manifest
  # lists each split-off function's modules), beside the page's own script.
  local manifest folder dialogs=""
  manifest=$(ls "${PATRON_SITE_ROOT:-target/site}"/pkg/__wasm_split_manifest.*.json 2>/dev/null | grep -v '\.json\.' | head -1 || true)
  folder=$(grep -oE '/pkg/[^"/]+/' <<<"$urls" | head -1)
  if [ -n "$manifest" ] && [ -n "$folder" ]; then
    dialogs=$(jq -r 'to_entries[] | select(.key | startswith("customer_dialogs")) | .value[]' "$manifest" | sed "s|^|$folder|; s|$|.wasm|")
  fi
  {
    echo
    echo "### Page weight of /customers: bytes sent per Accept-Encoding"
    echo
    echo "| asset | identity | gzip | br | Cache-Control |"
    echo "|---|---:|---:|---:|---|"
    local total_raw=0 total_gz=0 total_br=0 raw gz br cache part label=""
    for part in page dialogs; do
      if [ $part = dialogs ]; then
        [ -n "$dialogs" ] || break
        echo "| **total to show and use the page** | **$total_raw** | **$total_gz** | **$total_br** | |"
        urls=$dialogs
        label=" (dialogs)"
      fi
      for url in $urls; do
        raw=$(curl -sf -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port$url")
        gz=$(curl -sf -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$url")
        br=$(curl -sf -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: br' "http://127.0.0.1:$port$url")
        cache=$(curl -sfI "http://127.0.0.1:$port$url" | sed -nE 's/^cache-control: (.*)\r$/\1/Ip')
        total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
        echo "| \`$url\`$label | $raw | $gz | $br | $cache |"
      done
    done
    if [ -n "$dialogs" ]; then
      echo "| total with the dialogs (fetched when the board is first touched) | $total_raw | $total_gz | $total_br | |"
    else
      echo "| total | $total_raw | $total_gz | $total_br | |"
    fi
  } | tee -a "$out"
}

compression() { # compression COOKIE: bytes of the page and of 100 customers as sent per Accept-Encoding
  local cookie=$1 name path header
  {
    echo
    echo "### Responses compressed on the fly: bytes sent per Accept-Encoding"
    echo
    echo "| response | identity | gzip | br | zstd |"
    echo "|---|---:|---:|---:|---:|"
    for name in page api; do
      if [ $name = page ]; then path=/customers; header="Cookie: $cookie"; else path="/api/customers/?page_size=100"; header="Authorization: Bearer $token"; fi
      printf '| `%s` | %s | %s | %s | %s |\n' "$path" \
        "$(curl -sf -o /dev/null -w '%{size_download}' -H "$header" "http://127.0.0.1:$port$path")" \
        "$(curl -sf -o /dev/null -w '%{size_download}' -H "$header" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$path")" \
        "$(curl -sf -o /dev/null -w '%{size_download}' -H "$header" -H 'Accept-Encoding: br' "http://127.0.0.1:$port$path")" \
        "$(curl -sf -o /dev/null -w '%{size_download}' -H "$header" -H 'Accept-Encoding: zstd' "http://127.0.0.1:$port$path")"
    done
    echo
  } | tee -a "$out"
}

compression_cost() { # compression_cost COOKIE: the page's processor time per Accept-Encoding, the server alone on one core
  # With wrk beside the server on both cores, a page's compression (tens of microseconds in a few
  # hundred) is lost in the noise of the two sharing them. Here the server runs on core 0 and wrk
  # on core 1, and the server's own processor time per page is read from /proc: the compression's
  # cost as a share of the server's work, so the throughput the server's processor allows. On
  # SQLite that is the req/s ratio too; PostgreSQL's own processes share the cores, so there the
  # req/s ratio also holds the database's time.
  local cookie=$1 cores encoding ticks_before ticks_after requests rps us bytes wrk_out base_rps="" base_us="" ratio allows
  cores=$(nproc)
  if [ "$cores" -lt 2 ] || ! command -v taskset >/dev/null; then
    echo "| compression's cost, pinned | skipped: needs two cores and taskset |" | tee -a "$out"
    return
  fi
  if ! taskset -a -p -c 0 "$pid" >/dev/null; then
    echo "| compression's cost, pinned | skipped: the server could not be pinned to one core |" | tee -a "$out"
    return
  fi
  {
    echo
    echo "### Compression's cost: \`/customers\` with the server alone on core 0, \`wrk -t1 -c16 -d${seconds}s\` on core 1"
    echo
    echo "| Accept-Encoding | req/s | of identity | server processor per page | throughput it allows, of identity | bytes sent |"
    echo "|---|---:|---|---:|---|---:|"
  } | tee -a "$out"
  for encoding in identity zstd gzip br "gzip, deflate, br, zstd"; do
    bytes=$(curl -sf -o /dev/null -w '%{size_download}' -H "Cookie: $cookie" -H "Accept-Encoding: $encoding" "http://127.0.0.1:$port/customers")
    ticks_before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    wrk_out=$(taskset -c 1 wrk -t1 -c16 -d"${seconds}s" -H "Cookie: $cookie" -H "Accept-Encoding: $encoding" "http://127.0.0.1:$port/customers")
    ticks_after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    requests=$(awk '/requests in/ {print $1}' <<<"$wrk_out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$wrk_out")
    us=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.0f", t / hz / n * 1e6}')
    if [ "$encoding" = identity ]; then base_rps=$rps; base_us=$us; ratio=reference; allows=reference
    else
      ratio=$(awk -v a="$rps" -v b="$base_rps" 'BEGIN {printf "%.2f", a / b}')
      allows=$(awk -v a="$base_us" -v b="$us" 'BEGIN {printf "%.2f", a / b}')
    fi
    printf '| %s | %s | %s | %s µs | %s | %s |\n' "$encoding" "$rps" "$ratio" "$us" "$allows" "$bytes" | tee -a "$out"
  done
  echo | tee -a "$out"
  taskset -a -p -c "0-$((cores - 1))" "$pid" >/dev/null || true
}

points_spread() { # points_spread: a wrk script adding a point to 10,000 different customers in turn
  local ids="" page
  for page in $(seq 1 100); do
    ids+="$(curl -sf "http://127.0.0.1:$port/api/customers/?page_size=100&page=$page&ordering=created_at" -H "Authorization: Bearer $token" \
      | grep -oE '"id":[0-9]+' | cut -d: -f2 | paste -sd, -),"
  done
  cat > /tmp/patron-points-spread.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local ids = {${ids%,}}
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/customers/" .. ids[(n % #ids) + 1] .. "/update_points/", nil, '{"points": 1, "reason": "bench"}')
end
LUA
}

program_change() { # program_change TOKEN: new thresholds for the big tenant, then the defaults back
  local t1 t2 body
  body='{"spend_per_point":"10000.00","points_expire_after_days":null,"tiers":{"silver":150,"gold":600,"platinum":1200}}'
  t1=$(curl -sf -o /dev/null -w '%{time_total}' -X PUT "http://127.0.0.1:$port/api/loyalty/program/" \
    -H "Authorization: Bearer $1" -H 'content-type: application/json' -d "$body")
  body='{"spend_per_point":"10000.00","points_expire_after_days":null,"tiers":{"silver":100,"gold":500,"platinum":1000}}'
  t2=$(curl -sf -o /dev/null -w '%{time_total}' -X PUT "http://127.0.0.1:$port/api/loyalty/program/" \
    -H "Authorization: Bearer $1" -H 'content-type: application/json' -d "$body")
  printf '| %-44s | %s s, back %s s |\n' "threshold change on $big customers" "$t1" "$t2" | tee -a "$out"
}

run() { # run LABEL URL
  local label=$1 url=$2
  load "$url"
  $bin serve >/tmp/patron-bench.log 2>&1 &
  local pid=$!
  # The pid goes into the trap as it is now: a local, it is gone when the trap runs on a failure.
  trap "kill $pid 2>/dev/null || true" EXIT
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.2; done
  token=$(curl -sf -X POST "http://127.0.0.1:$port/api/auth/token/" -H 'content-type: application/json' \
    -d '{"email":"owner@bench.test","password":"bench password 1"}' | sed -E 's/.*"access":"([^"]+)".*/\1/')
  local id
  id=$(curl -sf "http://127.0.0.1:$port/api/customers/?page_size=1" -H "Authorization: Bearer $token" \
    | sed -E 's/.*"results":\[\{"id":([0-9]+).*/\1/')
  cat > /tmp/patron-points.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"points": 1, "reason": "bench"}'
LUA
  local ids
  ids=$(curl -sf "http://127.0.0.1:$port/api/customers/?page_size=100&ordering=name" -H "Authorization: Bearer $token" \
    | grep -oE '"id":[0-9]+' | cut -d: -f2 | paste -sd, -)
  cat > /tmp/patron-order.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local ids = {$ids}
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local n = 0
request = function()
  n = n + 1
  local id = ids[(n % #ids) + 1]
  local body = string.format('{"reference":"B-%d-%d-%d","total":"%d.50"}', os.time(), tid, n, 50000 + n % 100000)
  return wrk.format(nil, "/api/customers/" .. id .. "/orders/", nil, body)
end
LUA
  cat > /tmp/patron-create.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"name":"Bench %d","email":"bench.%d.%d.%d@bench.test","phone":"0812 %d"}', n, os.time(), id, n, n)
  return wrk.format(nil, nil, nil, body)
end
LUA
  {
    echo
    echo "### $label — $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), wrk -t2 -c16 -d${seconds}s"
    echo
    echo "| scenario (tenant with $big customers)          |      req/s |       p50 |       p99 | non-2xx | ratio, same run |"
    echo "|----------------------------------------------|-----------:|----------:|----------:|-------:|---|"
  } | tee -a "$out"
  cold_search
  scenario "list page 1" "/api/customers/"
  scenario "search ?search=sari" "/api/customers/?search=sari"
  scenario "gold & active by -loyalty_points" "/api/customers/?loyalty_level=gold&is_active=true&ordering=-loyalty_points"
  scenario "page 500" "/api/customers/?page=500"
  scenario "stats" "/api/customers/stats/"
  scenario "detail" "/api/customers/$id/"
  scenario "update_points (+1)" "/api/customers/$id/update_points/" /tmp/patron-points.lua
  points_spread
  scenario "update_points (+1), 10,000 customers in turn" "/api/customers/$id/update_points/" /tmp/patron-points-spread.lua
  scenario "create" "/api/customers/" /tmp/patron-create.lua
  scenario "record order (100 customers, unique references)" "/api/customers/$id/orders/" /tmp/patron-order.lua
  program_change "$token"
  local cookie
  cookie=$(curl -si -X POST "http://127.0.0.1:$port/login" -H "Origin: http://127.0.0.1:$port" \
    -d 'email=owner%40bench.test&password=bench+password+1' \
    | sed -nE 's/^set-cookie: (patron_session=[^;]+).*/\1/Ip' | head -n 1)
  page_scenario "page /customers (server-rendered)" "/customers" "$cookie"
  ref="page /customers (server-rendered)" also="Accept-Encoding: br" page_scenario "page /customers, brotli" "/customers" "$cookie"
  ref="page /customers (server-rendered)" also="Accept-Encoding: gzip" page_scenario "page /customers, gzip" "/customers" "$cookie"
  ref="page /customers (server-rendered)" also="Accept-Encoding: zstd" page_scenario "page /customers, zstd" "/customers" "$cookie"
  ref="page /customers (server-rendered)" also="Accept-Encoding: gzip, deflate, br, zstd" page_scenario "page /customers, as a browser asks" "/customers" "$cookie"
  page_scenario "page /customers?loyalty_level=gold&status=active" "/customers?loyalty_level=gold&status=active" "$cookie"
  also="Accept-Encoding: br" scenario "list page 1, brotli" "/api/customers/"
  scenario "GET /readyz (no sign-in)" "/readyz"
  compression "$cookie"
  compression_cost "$cookie"
  if [ "$label" = SQLite ]; then assets "$cookie"; fi
  local rss
  rss=$(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status")
  echo "| server peak memory (VmHWM)                   | $rss |" | tee -a "$out"
  duplicates "$cookie"
  transfer "$pid"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  trap - EXIT
  storm
  expiry "$url"
}

split_read() { # split_read NAME PATH PORT_A PORT_B TOKEN: 8 connections on each instance at once
  local name=$1 path=$2 a=$3 b=$4 auth="Authorization: Bearer $5" ra rb
  wrk -t1 -c8 -d"${seconds}s" --latency -H "$auth" "http://127.0.0.1:$a$path" >/tmp/patron-split-a.txt 2>&1 &
  local wa=$!
  wrk -t1 -c8 -d"${seconds}s" --latency -H "$auth" "http://127.0.0.1:$b$path" >/tmp/patron-split-b.txt 2>&1
  wait "$wa" || true
  ra=$(awk '/Requests\/sec/ {print $2}' /tmp/patron-split-a.txt)
  rb=$(awk '/Requests\/sec/ {print $2}' /tmp/patron-split-b.txt)
  printf '| %-44s | %10.0f | %s, %s | %s | %.2f |\n' "$name" "$(echo "$ra + $rb" | bc)" \
    "$(awk '$1 == "99%" {print $2}' /tmp/patron-split-a.txt)" "$(awk '$1 == "99%" {print $2}' /tmp/patron-split-b.txt)" \
    "${rps_of[$name]:-?}" "$(echo "($ra + $rb) / ${rps_of[$name]:-1}" | bc -l)" | tee -a "$out"
}

two_instances() { # two_instances URL: two Patron instances on one PostgreSQL database, then the database stopped under them
  local url=$1 a=3901 b=3902 pid_a pid_b
  # No PATRON_SECRET: the instances share the token secret kept in the database.
  DATABASE_URL=$url PATRON_ADDRESS=127.0.0.1:$a env -u PATRON_SECRET "$bin" serve >/tmp/patron-a.log 2>&1 &
  pid_a=$!
  DATABASE_URL=$url PATRON_ADDRESS=127.0.0.1:$b env -u PATRON_SECRET "$bin" serve >/tmp/patron-b.log 2>&1 &
  pid_b=$!
  trap "kill $pid_a $pid_b 2>/dev/null || true" EXIT
  for p in $a $b; do
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.2; done
  done
  local token_a cookie_a id
  token_a=$(curl -sf -X POST "http://127.0.0.1:$a/api/auth/token/" -H 'content-type: application/json' \
    -d '{"email":"owner@bench.test","password":"bench password 1"}' | sed -E 's/.*"access":"([^"]+)".*/\1/')
  cookie_a=$(curl -si -X POST "http://127.0.0.1:$a/login" -H "Origin: http://127.0.0.1:$a" \
    -d 'email=owner%40bench.test&password=bench+password+1' \
    | sed -nE 's/^set-cookie: (patron_session=[^;]+).*/\1/Ip' | head -n 1)
  id=$(curl -sf "http://127.0.0.1:$a/api/customers/?page_size=1" -H "Authorization: Bearer $token_a" \
    | sed -E 's/.*"results":\[\{"id":([0-9]+).*/\1/')
  {
    echo
    echo "### Two instances on one PostgreSQL database (ports $a and $b, no PATRON_SECRET: the secret kept in the database)"
    echo
    echo "| check | result |"
    echo "|---|---|"
    echo "| session cookie from instance A, \`GET /customers\` on B | $(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie_a" "http://127.0.0.1:$b/customers") (200: signed in; 303 would be the sign-in page) |"
    echo "| access token from A, \`GET /api/customers/\` on B | $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token_a" "http://127.0.0.1:$b/api/customers/") |"
    echo "| \`GET /healthz\`, \`GET /readyz\` on A and B | $(for p in $a $b; do curl -s -o /dev/null -w '%{http_code} ' "http://127.0.0.1:$p/healthz"; curl -s -o /dev/null -w '%{http_code} ' "http://127.0.0.1:$p/readyz"; done)|"
    echo
    echo "| read, 8 connections on each instance at once | req/s (A + B) | p99 A, B | one instance, 16 connections | ratio |"
    echo "|---|---:|---|---:|---:|"
  } | tee -a "$out"
  split_read "list page 1" "/api/customers/" $a $b "$token_a"
  split_read "search ?search=sari" "/api/customers/?search=sari" $a $b "$token_a"
  split_read "stats" "/api/customers/stats/" $a $b "$token_a"
  split_read "detail" "/api/customers/$id/" $a $b "$token_a"
  # Both instances create customers at once; afterwards every count must agree with what was made.
  local tag before after_a after_b stats_a stats_b tagged
  tag="twin$(date +%s)"
  before=$(curl -sf "http://127.0.0.1:$a/api/customers/stats/" -H "Authorization: Bearer $token_a" | grep -oE '"total_customers":[0-9]+' | cut -d: -f2)
  sed "s/bench\.%d/$tag.%d/; s/Bench %d/$tag %d/" /tmp/patron-create.lua >/tmp/patron-create-twin.lua
  wrk -t1 -c8 -d"${seconds}s" -H "Authorization: Bearer $token_a" -s /tmp/patron-create-twin.lua "http://127.0.0.1:$a/api/customers/" >/tmp/patron-twin-a.txt 2>&1 &
  local wa=$!
  sed "s/$tag\.%d/${tag}b.%d/" /tmp/patron-create-twin.lua >/tmp/patron-create-twin-b.lua
  wrk -t1 -c8 -d"${seconds}s" -H "Authorization: Bearer $token_a" -s /tmp/patron-create-twin-b.lua "http://127.0.0.1:$b/api/customers/" >/tmp/patron-twin-b.txt 2>&1
  wait "$wa" || true
  stats_a=$(curl -sf "http://127.0.0.1:$a/api/customers/stats/" -H "Authorization: Bearer $token_a" | grep -oE '"total_customers":[0-9]+' | cut -d: -f2)
  stats_b=$(curl -sf "http://127.0.0.1:$b/api/customers/stats/" -H "Authorization: Bearer $token_a" | grep -oE '"total_customers":[0-9]+' | cut -d: -f2)
  after_a=$(curl -sf "http://127.0.0.1:$a/api/customers/?page_size=1" -H "Authorization: Bearer $token_a" | grep -oE '"count":[0-9]+' | cut -d: -f2)
  after_b=$(curl -sf "http://127.0.0.1:$b/api/customers/?page_size=1" -H "Authorization: Bearer $token_a" | grep -oE '"count":[0-9]+' | cut -d: -f2)
  tagged=$(curl -sf "http://127.0.0.1:$b/api/customers/?page_size=1&search=$tag" -H "Authorization: Bearer $token_a" | grep -oE '"count":[0-9]+' | cut -d: -f2)
  local made_a made_b
  made_a=$(awk '/requests in/ {print $1}' /tmp/patron-twin-a.txt)
  made_b=$(awk '/requests in/ {print $1}' /tmp/patron-twin-b.txt)
  {
    echo
    echo "| both instances creating for ${seconds} s (8 connections each) | result |"
    echo "|---|---|"
    echo "| requests sent (wrk): A, B | $made_a, $made_b ($(awk '/Non-2xx/ {print $NF}' /tmp/patron-twin-a.txt /tmp/patron-twin-b.txt | paste -sd+ - | sed 's/^$/0/') non-2xx) |"
    echo "| customers before, after (stats on A, on B; list count on A, on B) | $before → $stats_a, $stats_b; $after_a, $after_b |"
    echo "| made in the run (search for its tag on B) vs. growth of the counts | $tagged vs. $((stats_a - before)) |"
  } | tee -a "$out"
  outage "$a" "$token_a" "$cookie_a"
  kill $pid_a $pid_b
  wait $pid_a $pid_b 2>/dev/null || true
  trap - EXIT
}

outage() { # outage PORT TOKEN COOKIE: PostgreSQL stopped under a signed-in client, then started again
  local p=$1 token=$2 cookie=$3 version
  version=$(ls /etc/postgresql 2>/dev/null | head -n 1)
  if [ "${BENCH_STOP_POSTGRES:-1}" != 1 ] || [ -z "$version" ] || [ "$(id -u)" -ne 0 ]; then
    echo "| PostgreSQL stopped under a client | skipped (BENCH_STOP_POSTGRES=0, not root, or no local cluster) |" | tee -a "$out"
    return
  fi
  local stopped api page ready started back
  pg_ctlcluster --skip-systemctl-redirect "$version" main stop -m fast
  api=$(curl -s -o /dev/null -D /tmp/patron-outage.h -w '%{http_code} in %{time_total} s' --max-time 30 -H "Authorization: Bearer $token" "http://127.0.0.1:$p/api/customers/")
  api+=", Retry-After: $(sed -nE 's/^retry-after: ([0-9]+).*/\1/Ip' /tmp/patron-outage.h)"
  page=$(curl -s -o /dev/null -w '%{http_code} in %{time_total} s' --max-time 30 -H "Cookie: $cookie" "http://127.0.0.1:$p/customers")
  ready=$(curl -s -o /dev/null -w '%{http_code} in %{time_total} s' --max-time 30 "http://127.0.0.1:$p/readyz")
  started=$(date +%s%N)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  back=""
  for _ in $(seq 1 300); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $token" "http://127.0.0.1:$p/api/customers/")" = 200 ]; then
      back="$(( ($(date +%s%N) - started) / 1000000 )) ms after \`pg_ctlcluster start\` began"
      break
    fi
    sleep 0.1
  done
  {
    echo
    echo "| PostgreSQL stopped (\`pg_ctlcluster stop -m fast\`) under a signed-in client of instance A | result |"
    echo "|---|---|"
    echo "| \`GET /api/customers/\` with the token | $api |"
    echo "| \`GET /customers\` with the session cookie | $page |"
    echo "| \`GET /readyz\` | $ready |"
    echo "| first 200 of the list once PostgreSQL is started again | ${back:-none within 30 s} |"
    echo "| the same session's page afterwards | $(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "http://127.0.0.1:$p/customers") |"
  } | tee -a "$out"
}

cold_search() { # cold_search: 100 different search terms, each asked once, on the freshly started server
  local terms times
  terms=$(curl -sf "http://127.0.0.1:$port/api/customers/?page_size=100&ordering=-total_spent" -H "Authorization: Bearer $token" \
    | grep -oE '"name":"[^"]+"' | cut -d'"' -f4 | tr 'A-Z ' 'a-z\n' \
    | awk 'length($0) >= 5 { n++; start = 1 + n % (length($0) - 3); print substr($0, start, 3 + n % 3) }' | sort -u | head -n 100)
  times=$(for term in $terms; do
    curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/api/customers/?search=$term" -H "Authorization: Bearer $token"
  done | sort -n)
  printf '| %-44s | %s terms: p50 %s s, p99 %s s, max %s s |\n' "cold search, each term once after start" "$(wc -l <<<"$times")" \
    "$(awk '{ a[NR] = $1 } END { print a[int(NR * 0.5 + 0.5)] }' <<<"$times")" \
    "$(awk '{ a[NR] = $1 } END { i = int(NR * 0.99 + 0.5); if (i < 1) i = 1; print a[i] }' <<<"$times")" \
    "$(tail -n 1 <<<"$times")" | tee -a "$out"
}

duplicates() { # duplicates COOKIE: the first page of duplicate groups on the big tenant, one request at a time
  local cookie=$1 api page list
  for _ in 1 2 3; do
    api+=" $(curl -sf -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/api/customers/duplicates/" -H "Authorization: Bearer $token")"
    page+=" $(curl -sf -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/customers/duplicates" -H "Cookie: $cookie")"
    list+=" $(curl -sf -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/api/customers/" -H "Authorization: Bearer $token")"
  done
  printf '| %-44s | API%s s; page%s s; list page 1 for reference%s s |\n' "duplicates page 1 (3 runs each)" "$api" "$page" "$list" | tee -a "$out"
}

transfer() { # transfer PID: CSV export of the big tenant (time, memory growth) and a 100,000-row import
  local pid=$1 rss_before peak sample started elapsed bytes
  rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  peak=$rss_before
  curl -sf -o /dev/null -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$port/api/customers/export/" \
    -H "Authorization: Bearer $token" >/tmp/patron-export.txt &
  local curl_pid=$!
  while kill -0 "$curl_pid" 2>/dev/null; do
    sample=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    [ "$sample" -gt "$peak" ] && peak=$sample
    sleep 0.1
  done
  wait "$curl_pid" || true
  read -r elapsed bytes </tmp/patron-export.txt
  printf '| %-44s | %s s, %s MB, server memory +%s MB |\n' "export of all $big customers (CSV)" "$elapsed" \
    "$((bytes / 1048576))" "$(( (peak - rss_before) / 1024 ))" | tee -a "$out"
  # A new tenant each run, so the import always creates its 100,000 customers.
  local tenant="Bench Import $(date +%s)" email import_token rows=100000
  email="importer.$(date +%s)@bench.test"
  $bin tenant create "$tenant" >/dev/null
  $bin user create --tenant "$tenant" --email "$email" --role manager >/dev/null
  import_token=$(curl -sf -X POST "http://127.0.0.1:$port/api/auth/token/" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"bench password 1\"}" | sed -E 's/.*"access":"([^"]+)".*/\1/')
  awk -v n=$rows 'BEGIN { print "name,email,phone,city,loyalty_points,total_orders,total_spent";
    for (i = 0; i < n; i++) printf "Imported %d,imported.%d@bench.test,0812%07d,City %d,%d,%d,%d.50\n", i, i, i, i % 50, i % 1200, i % 9, i % 1000 }' \
    >/tmp/patron-import.csv
  for dry in true false; do
    # Meanwhile, the big tenant's list with 4 connections: its p99 is what the import costs others.
    wrk -t1 -c4 -d60s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/customers/" >/tmp/patron-import-list.txt 2>&1 &
    local wrk_pid=$!
    started=$(date +%s%N)
    curl -sf -o /tmp/patron-import-report.json -X POST "http://127.0.0.1:$port/api/customers/import/?dry_run=$dry" \
      -H "Authorization: Bearer $import_token" -H 'content-type: text/csv' --data-binary @/tmp/patron-import.csv || true
    elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
    kill -INT "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" 2>/dev/null || true
    printf '| %-44s | %s ms (%s), list meanwhile p99 %s |\n' "import $rows new customers, dry_run=$dry" "$elapsed" \
      "$(grep -oE '"created":[0-9]+' /tmp/patron-import-report.json)" "$(awk '$1 == "99%" {print $2}' /tmp/patron-import-list.txt)" | tee -a "$out"
  done
}

storm() { # a fresh server under 300 concurrent wrong sign-ins while a signed-in user lists customers
  # The attempts come from random addresses (X-Forwarded-For from a trusted proxy, 127.0.0.1):
  # the worst case, where no per-address limit helps and only the bound on hashing does.
  PATRON_TRUSTED_PROXIES=127.0.0.1 $bin serve >/tmp/patron-storm.log 2>&1 &
  local pid=$! storm_seconds=20
  trap "kill $pid 2>/dev/null || true" EXIT
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.2; done
  local listing
  listing=$(curl -sf -X POST "http://127.0.0.1:$port/api/auth/token/" -H 'content-type: application/json' \
    -d '{"email":"owner@bench.test","password":"bench password 1"}' | sed -E 's/.*"access":"([^"]+)".*/\1/')
  cat > /tmp/patron-storm.lua <<'LUA'
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init()
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  counts = {}
end
request = function()
  local ip = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local body = string.format('{"email":"nobody%d@storm.test","password":"wrong password"}', math.random(1, 1000000000))
  return wrk.format("POST", "/api/auth/token/", {["Content-Type"] = "application/json", ["X-Forwarded-For"] = ip}, body)
end
response = function(status)
  counts[status] = (counts[status] or 0) + 1
end
function done()
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, status .. ": " .. n)
  end
  table.sort(parts)
  io.write("STATUSES " .. table.concat(parts, ", ") .. "\n")
end
LUA
  wrk -t2 -c300 -d"${storm_seconds}s" --timeout 10s -s /tmp/patron-storm.lua "http://127.0.0.1:$port" >/tmp/patron-storm.txt 2>&1 &
  local storm_pid=$!
  local list
  list=$(wrk -t1 -c4 -d"${storm_seconds}s" --latency -H "Authorization: Bearer $listing" "http://127.0.0.1:$port/api/customers/" 2>&1)
  wait "$storm_pid" || true
  local statuses timeouts list_p99 list_rps rss
  statuses=$(sed -n 's/^STATUSES //p' /tmp/patron-storm.txt)
  timeouts=$(awk '/Socket errors/ {print}' /tmp/patron-storm.txt)
  list_p99=$(awk '$1 == "99%" {print $2}' <<<"$list")
  list_rps=$(awk '/Requests\/sec/ {print $2}' <<<"$list")
  rss=$(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status")
  {
    echo "| 300 wrong sign-ins at once for ${storm_seconds} s: statuses    | ${statuses:-none} ${timeouts:-, no socket errors} |"
    echo "| … meanwhile a signed-in list (4 connections) | ${list_rps} req/s, p99 ${list_p99} |"
    echo "| … server peak memory (VmHWM)                 | $rss |"
  } | tee -a "$out"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  trap - EXIT
}

: > "$out"
mkdir -p "$data"
[ "${BENCH_SQLITE:-1}" = 1 ] && run "SQLite" "sqlite://$data/patron.db"
if [ "${BENCH_POSTGRES:-1}" = 1 ] && pg=$(scripts/test-postgres.sh 2>/dev/null); then
  base=${pg%/*}
  psql "$pg" -qc "CREATE DATABASE $pg_name" 2>/dev/null || true
  run "PostgreSQL" "$base/$pg_name"
  two_instances "$base/$pg_name"
fi
echo
echo "written to $out"
