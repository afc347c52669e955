#!/usr/bin/env bash
# writ serve under load: wrk on loopback, keep-alive, 10-second runs, one
# server thread (with wrk on the same two cores, more threads only add
# latency). Rounds alternate the configurations, so that a change in the
# machine's speed shows in all of them; the last lines give each one's median.
#
#   bench/serve/run.sh [--rounds N] [--baseline OTHER_WRIT] [--ext-authz-load LOAD] [WRIT]
#
# WRIT defaults to build-release/tools/writ/writ. --baseline runs another
# build's /v1/authorize in every round too (for a before/after ratio).
# ext_authz over gRPC (`--grpc-listen`) is measured beside /v1/forward-auth
# with the same policies and request, by bench/serve/ext_authz_load.cc (LOAD,
# default: bench/ext_authz_load of WRIT's build tree; skipped when it is not
# there, i.e. writ was built without gRPC).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

rounds=3 baseline="" writ=build-release/tools/writ/writ load=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --baseline) baseline=$2; shift 2 ;;
    --ext-authz-load) load=$2; shift 2 ;;
    *) writ=$1; shift ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
[ -n "$load" ] || load=$(dirname "$writ")/../../bench/ext_authz_load
if [ ! -x "$load" ]; then
  echo "no ext_authz load generator at $load (writ built without gRPC?): ext_authz not measured" >&2
  load=""
fi
port=18181 grpc_port=19191
out=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT

# run NAME WRIT ENDPOINT ARGS...: one server, one wrk (or ext_authz_load)
# run, one line. ENDPOINT ext-authz: ARGS go to ext_authz_load (-c N).
# SERVER_THREADS=N run ...: the server's --threads (default 1).
run() {
  local name=$1 bin=$2 endpoint=$3; shift 3
  if [ "$endpoint" = forward-auth ]; then
    "$bin" serve --policies bench/serve/forward_auth.cedar --listen 127.0.0.1:$port --threads "${SERVER_THREADS:-1}" 2>/dev/null &
  elif [ "$endpoint" = ext-authz ]; then
    # The same policies; --threads is also the most gRPC polling threads.
    "$bin" serve --policies bench/serve/forward_auth.cedar --listen 127.0.0.1:$port \
        --grpc-listen 127.0.0.1:$grpc_port --threads "${SERVER_THREADS:-1}" 2>/dev/null &
  else
    "$bin" serve --policies policies/example/policies.cedar --entities policies/example/entities.json \
        --listen 127.0.0.1:$port --threads "${SERVER_THREADS:-1}" 2>/dev/null &
  fi
  local pid=$!
  sleep 1
  local rps p50 p99 bad
  if [ "$endpoint" = ext-authz ]; then
    [ "$1" = -c ] || { echo "run ext-authz: -c N expected" >&2; exit 2; }
    "$load" "127.0.0.1:$grpc_port" --concurrency "$2" --seconds 10 --warmup 0 > "$out/wrk" 2>&1 || true
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk")
    p50=$(sed -n 's/.*p50 \([0-9]*us\).*/\1/p' "$out/wrk")
    p99=$(sed -n 's/.*p99 \([0-9]*us\).*/\1/p' "$out/wrk")
    rps=${rps:-0}
    bad=$(grep -E "failed [1-9]|unexpected [1-9]|cannot connect" "$out/wrk" | tr '\n' ' ' || true)
  else
    wrk "$@" -d10s --latency -s "bench/serve/${endpoint//-/_}.lua" "http://127.0.0.1:$port/v1/$endpoint" > "$out/wrk"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk")
    p50=$(awk '$1 == "50%" {print $2}' "$out/wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$out/wrk")
    bad=$(grep -E "Non-2xx|Socket errors" "$out/wrk" | tr '\n' ' ' || true)
  fi
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
  if [ -n "$load" ]; then
    run "ext-authz -c16" "$writ" ext-authz -c 16
    run "ext-authz -c4" "$writ" ext-authz -c 4
    # gRPC sizes its own threads (--threads is the HTTP listener's); the
    # server at --threads 2 is measured too, beside forward-auth at 2.
    SERVER_THREADS=2 run "ext-authz -c16 2 threads" "$writ" ext-authz -c 16
    SERVER_THREADS=2 run "forward-auth -c16 2 threads" "$writ" forward-auth -t1 -c16
  fi
done
echo "medians over $rounds rounds"
for f in "$out"/*_*; do
  [ -f "$f" ] || continue
  printf '%-28s %10.0f/s\n' "$(basename "$f" | tr _ ' ')" "$(sort -g "$f" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
done
