#!/usr/bin/env bash
# Where the server-rendered page's time goes: starts the release server on the benchmark's SQLite
# data (bench/run.sh loads it), signs in, drives `/customers` and, for comparison, the API list
# with wrk while `perf record` samples the server, and prints the functions that take the most
# samples in each (self time and with callees). Needs Debian's linux-perf (installed here if
# missing); works with software clocks where the machine has no hardware counters.
#   BENCH_DATA (default bench/data), PROFILE_SECONDS (default 10), PATRON_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PATRON_BIN:-target/release/patron}
data=${BENCH_DATA:-bench/data}
seconds=${PROFILE_SECONDS:-10}
port=3950
command -v perf >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends linux-perf
[ -f "$data/patron.db" ] || { echo "no benchmark data in $data: run bench/run.sh first" >&2; exit 1; }

export DATABASE_URL="sqlite://$data/patron.db" PATRON_ADDRESS="127.0.0.1:$port" PATRON_LOG=warn
export PATRON_SECRET="benchmark-secret-not-for-production-000"
$bin serve >/tmp/patron-profile.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
cookie=$(curl -si -X POST "http://127.0.0.1:$port/login" -H "Origin: http://127.0.0.1:$port" \
  -d 'email=owner%40bench.test&password=bench+password+1' \
  | sed -nE 's/^set-cookie: (patron_session=[^;]+).*/\1/Ip' | head -n 1)
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/auth/token/" -H 'content-type: application/json' \
  -d '{"email":"owner@bench.test","password":"bench password 1"}' | sed -E 's/.*"access":"([^"]+)".*/\1/')

profile() { # profile NAME HEADER PATH
  local name=$1 header=$2 path=$3 file=/tmp/patron-profile-$1.data
  wrk -t2 -c16 -d"$((seconds + 2))s" -H "$header" "http://127.0.0.1:$port$path" >/tmp/patron-profile-wrk.txt 2>&1 &
  local wrk_pid=$!
  sleep 1
  perf record -q -F 199 -e cpu-clock --call-graph dwarf,8192 -p "$pid" -o "$file" -- sleep "$seconds" 2>/dev/null
  wait "$wrk_pid" || true
  echo
  echo "### $name: $(awk '/Requests\/sec/ {print $2}' /tmp/patron-profile-wrk.txt) req/s while sampled"
  echo
  echo "Self time, top 25:"
  # (`head` closes the pipe early: not a failure.)
  perf report -i "$file" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | sed -E 's/ {2,}-.*$//' | head -n 25 || true
  echo
  echo "With callees, top 40:"
  perf report -i "$file" --children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | sed -E 's/ {2,}-.*$//' | head -n 40 || true
}

profile page "Cookie: $cookie" /customers
profile api "Authorization: Bearer $token" /api/customers/
