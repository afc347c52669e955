#!/usr/bin/env bash
# What a user pays per decision (issue 15): `writ bench`'s three figures —
# decide on a prepared request, build the request from a service's values and
# decide, read the request's JSON text and decide — on the workload-identity
# set with 10,000 distinct requests, at each N, on 1 and 2 threads. Prints a
# Markdown table (p50 per decision, over batches of 64; decisions per second
# summed over the threads) and keeps each run's JSON in DATA/pay.jsonl.
#
#   bash bench/pay.sh [--n N...] [--seconds S] [--requests R] [--build DIR]
#
#   --n         policy counts (default: 1000 10000 100000)
#   --seconds   timed seconds per figure (default 5)
#   --requests  distinct requests generated per N (default 10000)
#   --build     a build folder that already has writ_cli and writ-bench-gen
#               (default: build-release/, configured Release and built here)
set -euo pipefail

usage() {
  sed -n '9,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
sizes=()
seconds=5
requests=10000
build=
while [ $# -gt 0 ]; do
  case "$1" in
    --n)
      shift
      [ $# -gt 0 ] && [[ $1 != --* ]] || { echo "pay.sh: --n needs at least one policy count" >&2; usage; }
      while [ $# -gt 0 ] && [[ $1 != --* ]]; do
        [[ $1 =~ ^[1-9][0-9]*$ ]] || { echo "pay.sh: --n takes positive integers, not '$1'" >&2; usage; }
        sizes+=("$1"); shift
      done
      ;;
    --seconds)
      [[ ${2-} =~ ^[0-9]+(\.[0-9]+)?$ && ${2-} =~ [1-9] ]] || { echo "pay.sh: --seconds takes a positive number" >&2; usage; }
      seconds=$2; shift 2 ;;
    --requests)
      [[ ${2-} =~ ^[1-9][0-9]*$ ]] || { echo "pay.sh: --requests takes a positive integer" >&2; usage; }
      requests=$2; shift 2 ;;
    --build)
      [ -n "${2-}" ] || { echo "pay.sh: --build takes a folder" >&2; usage; }
      build=$(cd "$2" && pwd); shift 2 ;;
    *) echo "pay.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
command -v python3 >/dev/null || { echo "pay.sh: python3 is required" >&2; exit 2; }

if [ -z "$build" ]; then
  build=$root/build-release
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWRIT_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target writ_cli writ-bench-gen >/dev/null
fi
writ=$build/tools/writ/writ
gen=$build/bench/writ-bench-gen
data=$build/bench-data
mkdir -p "$data"
results=$data/pay.jsonl
: > "$results"

echo "| N | threads | decide p50 | decide dec/s | build + decide p50 | build + decide dec/s | JSON → decision p50 | JSON → decision dec/s |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  dir=$data/workload-$n-r$requests
  "$gen" --set workload --n "$n" --requests "$requests" --seed 42 --out "$dir"
  for threads in 1 2; do
    out=$("$writ" bench --policies "$dir/policies.cedar" --entities "$dir/entities.json" \
          --requests "$dir/requests.jsonl" --seconds "$seconds" --threads "$threads")
    echo "$out" >> "$results"
    python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert r["distinct_requests"] == r["requests"], "requests repeat: " + sys.argv[1]
cols = ["{:,}".format(r["policies"] - 1), str(r["threads"])]
for k in ("decide", "build_decide", "json_decide"):
    f = r[k]
    cols += ["{:,} ns".format(f["p50_ns"]), "{:.2f} M".format(f["decisions_per_sec"] / 1e6)]
print("| " + " | ".join(cols) + " |")' "$out"
  done
done
echo
echo "(each row: $requests requests, all distinct; JSON per run in $results)"
