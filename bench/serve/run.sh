#!/usr/bin/env bash
# writ serve under load: wrk on loopback, keep-alive, 10-second runs, one
# server thread (with wrk on the same two cores, more threads only add
# latency). Rounds alternate the configurations, so that a change in the
# machine's speed shows in all of them; the last lines give each one's median.
#
#   bench/serve/run.sh [--rounds N] [--baseline OTHER_WRIT] [WRIT]
#
# WRIT defaults to build-release/tools/writ/writ. --baseline runs another
# build's /v1/authorize in every round too (for a before/after ratio).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

rounds=3 baseline="" writ=build-release/tools/writ/writ
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    *) writ=$1; shift ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
port=18181
out=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT

# run NAME WRIT ENDPOINT WRK_ARGS...: one server, one wrk run, one line.
run() {
  local name=$1 bin=$2 endpoint=$3; shift 3
  if [ "$endpoint" = forward-auth ]; then
    "$bin" serve --policies bench/serve/forward_auth.cedar --listen 127.0.0.1:$port --threads 1 2>/dev/null &
  else
    "$bin" serve --policies policies/example/policies.cedar --entities policies/example/entities.json \
        --listen 127.0.0.1:$port --threads 1 2>/dev/null &
  fi
  local pid=$!
  sleep 1
  wrk "$@" -d10s --latency -s "bench/serve/${endpoint//-/_}.lua" "http://127.0.0.1:$port/v1/$endpoint" > "$out/wrk"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local rps p50 p99 bad
  rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk")
  p50=$(awk '$1 == "50%" {print $2}' "$out/wrk")
  p99=$(awk '$1 == "99%" {print $2}' "$out/wrk")
  bad=$(grep -E "Non-2xx|Socket errors" "$out/wrk" | tr '\n' ' ' || true)
  printf '%-28s %10.0f/s  p50 %-9s p99 %-9s %s\n' "$name" "$rps" "$p50" "$p99" "$bad"
  echo "$rps" >> "$out/${name// /_}"
}

for r in $(seq 1 "$rounds"); do
  echo "round $r"
  [ -n "$baseline" ] && run "baseline authorize -c16" "$baseline" authorize -t1 -c16
  run "authorize -c8" "$writ" authorize -t1 -c8
  run "authorize -c16" "$writ" authorize -t1 -c16
  run "forward-auth -c16" "$writ" forward-auth -t1 -c16
  run "forward-auth -c4" "$writ" forward-auth -t1 -c4
done
echo "medians over $rounds rounds"
for f in "$out"/*_*; do
  [ -f "$f" ] || continue
  printf '%-28s %10.0f/s\n' "$(basename "$f" | tr _ ' ')" "$(sort -g "$f" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
done
