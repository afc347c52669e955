#!/usr/bin/env bash
# The side-by-side run: writ's compiled engine and Cedar's engine
# (@cedar-policy/cedar-wasm) on the same workload-identity policies, entities
# and requests, timed alike (one thread, requests in file order, about a
# second of warm-up; Cedar's calls each timed, writ's in batches of 64, whose
# clock reads are negligible beside a Cedar call); prints a table and the ratio.
#
#   bash bench/peers/run.sh [--n N...] [--seconds S] [--requests R]
#
#   --n         policy counts (default: 10 100 1000 10000 100000)
#   --seconds   timed seconds per engine and N (default 5)
#   --requests  requests generated per N, all distinct (default 10000)
#
# Builds writ and writ-bench-gen in build-release/ (Release), installs the
# cedar-wasm version package-lock.json pins into bench/peers/node_modules
# (skipped when it is already there, so a second run needs no network), and
# generates each set into build-release/bench-data/workload-N/.
#
# Cedar is run twice per N: passing the whole entity store to every call, and
# passing each request only the entities it reaches (cedar_peer.mjs --slice),
# since cedar-wasm re-parses whatever store a call gets. Each Cedar call costs
# milliseconds at large N, so Cedar decides the first K requests (K = 2000000/N,
# from 20 to R); writ decides them all. Both Cedar runs' decisions must equal
# writ's on those K requests, or the run fails. The JSON each engine printed
# goes to stderr and to build-release/bench-data/results.jsonl.
set -euo pipefail

usage() {
  sed -n '7,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
sizes=()
seconds=5
requests=10000
while [ $# -gt 0 ]; do
  case "$1" in
    --n)
      shift
      [ $# -gt 0 ] && [[ $1 != --* ]] || { echo "run.sh: --n needs at least one policy count" >&2; usage; }
      while [ $# -gt 0 ] && [[ $1 != --* ]]; do
        [[ $1 =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --n takes positive integers, not '$1'" >&2; usage; }
        sizes+=("$1"); shift
      done
      ;;
    --seconds)
      [[ ${2-} =~ ^[0-9]+(\.[0-9]+)?$ && ${2-} =~ [1-9] ]] ||
        { echo "run.sh: --seconds takes a positive number" >&2; usage; }
      seconds=$2; shift 2 ;;
    --requests)
      [[ ${2-} =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --requests takes a positive integer" >&2; usage; }
      requests=$2; shift 2 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000 10000 100000)

command -v node >/dev/null || { echo "run.sh: node (Node.js 20) is required" >&2; exit 2; }
command -v python3 >/dev/null || { echo "run.sh: python3 is required" >&2; exit 2; }

# npm ci wipes node_modules and reinstalls, which needs the registry or a warm
# cache; skip it when the pinned version is already installed.
if ! node -e '
  const want = require(process.argv[1] + "/package.json").dependencies["@cedar-policy/cedar-wasm"];
  const have = require(process.argv[1] + "/node_modules/@cedar-policy/cedar-wasm/package.json").version;
  process.exit(have === want ? 0 : 1);' "$here" 2>/dev/null; then
  npm ci --prefix "$here" --no-audit --no-fund --loglevel=error >/dev/null
fi

build=$root/build-release
data=$build/bench-data
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWRIT_BUILD_TESTS=OFF >/dev/null
# writ_cli is the target of the `writ` executable (`writ` is the library).
cmake --build "$build" --target writ_cli writ-bench-gen >/dev/null
writ=$build/tools/writ/writ
gen=$build/bench/writ-bench-gen
mkdir -p "$data"
results=$data/results.jsonl
: > "$results"

# `row header` prints the table's header; `row data` a row from the result
# record on stdin, with latencies for people: ns below 10 µs, then µs, then ms.
read -r -d '' row_py <<'EOF' || true
import json, sys
if sys.argv[1] == 'header':
    cols = ['N', 'writ dec/s', 'writ p50', 'cedar dec/s', 'cedar p50', 'ratio',
            'sliced dec/s', 'sliced p50', 'ratio']
else:
    r = json.load(sys.stdin)
    w, c, s = r['writ'], r['cedar'], r['cedar_sliced']
    def lat(ns):
        return f'{ns} ns' if ns < 10_000 else f'{ns / 1e3:.0f} us' if ns < 10_000_000 else f'{ns / 1e6:.0f} ms'
    def ratio(peer):
        return f"{w['decisions_per_sec'] / peer['decisions_per_sec']:,.0f}x"
    cols = [r['n'], f"{w['decisions_per_sec']:,}", lat(w['p50_ns']), f"{c['decisions_per_sec']:,}",
            lat(c['p50_ns']), ratio(c), f"{s['decisions_per_sec']:,}", lat(s['p50_ns']), ratio(s)]
print('{:>7} {:>12} {:>9} {:>12} {:>9} {:>11} {:>13} {:>10} {:>11}'.format(*cols))
EOF
row() { python3 -c "$row_py" "$1"; }

# Fails the run unless Cedar's decisions equal writ's first lines.
same_decisions() {
  local n=$1 writ_file=$2 cedar_file=$3
  if ! cmp -s <(head -n "$(wc -l < "$cedar_file")" "$writ_file") "$cedar_file"; then
    echo "run.sh: N=$n: writ and Cedar decide differently ($writ_file vs $cedar_file):" >&2
    diff <(head -n "$(wc -l < "$cedar_file")" "$writ_file") "$cedar_file" | head -n 20 >&2
    exit 1
  fi
}

row header
for n in "${sizes[@]}"; do
  dir=$data/workload-$n
  "$gen" --set workload --n "$n" --requests "$requests" --seed 42 --out "$dir"
  k=$(( 2000000 / n )); [ "$k" -gt "$requests" ] && k=$requests; [ "$k" -lt 20 ] && k=20
  head -n "$k" "$dir/requests.jsonl" > "$dir/requests-cedar.jsonl"

  w=$("$writ" bench --policies "$dir/policies.cedar" --entities "$dir/entities.json" \
      --requests "$dir/requests.jsonl" --seconds "$seconds" --figures decide --decisions "$dir/writ.decisions")
  [ "$(wc -l < "$dir/writ.decisions")" -eq "$requests" ] ||
    { echo "run.sh: N=$n: writ wrote $(wc -l < "$dir/writ.decisions") decisions for $requests requests" >&2; exit 1; }
  c=$(node "$here/cedar_peer.mjs" --policies "$dir/policies.cedar" --entities "$dir/entities.json" \
      --requests "$dir/requests-cedar.jsonl" --seconds "$seconds" --decisions "$dir/cedar.decisions")
  s=$(node "$here/cedar_peer.mjs" --policies "$dir/policies.cedar" --entities "$dir/entities.json" \
      --requests "$dir/requests-cedar.jsonl" --seconds "$seconds" --decisions "$dir/cedar-sliced.decisions" \
      --slice)
  same_decisions "$n" "$dir/writ.decisions" "$dir/cedar.decisions"
  same_decisions "$n" "$dir/writ.decisions" "$dir/cedar-sliced.decisions"

  allowed=$(grep -c '^allow$' "$dir/writ.decisions" || true)
  record="{\"n\":$n,\"requests\":$requests,\"allowed\":$allowed,\"cedar_requests\":$k,\"writ\":$w,\"cedar\":$c,\"cedar_sliced\":$s}"
  echo "$record" >> "$results"
  row data <<<"$record"
  {
    echo "    writ:         $w"
    echo "    cedar:        $c"
    echo "    cedar sliced: $s"
    echo "    $allowed of $requests allowed; Cedar's decisions equal writ's on the first $k"
  } >&2
done
