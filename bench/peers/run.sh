#!/usr/bin/env bash
# The side-by-side run: writ's compiled engine and Cedar's engine
# (@cedar-policy/cedar-wasm) on the same workload-identity policies, entities
# and requests, in one run, timed the same way; prints both and the ratio.
#
#   bash bench/peers/run.sh [--n "10 100 1000 10000 100000"] [--seconds S] [--threads T]
#
# Builds writ in build-release/ (Release), installs cedar-wasm with npm into
# bench/peers/node_modules (the version package-lock.json pins), generates each
# dataset with writ-bench-gen into build-release/bench-data/, and checks that
# the two engines' decisions are identical on the requests Cedar decides
# (every request for small N; the first K for large N, where each Cedar call
# takes long). Exits non-zero if any decision differs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
sizes="10 100 1000 10000 100000"
seconds=5
threads=1
while [ $# -gt 0 ]; do
  case "$1" in
    --n) sizes=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done

build=$root/build-release
data=$build/bench-data
command -v node >/dev/null || { echo "run.sh: node is required (Node.js 20)" >&2; exit 2; }
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWRIT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target writ_cli writ-bench-gen >/dev/null
writ=$build/tools/writ/writ
gen=$build/bench/writ-bench-gen

field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

printf '%-8s %14s %10s %14s %12s %10s\n' N writ_dec/s writ_p50 cedar_dec/s cedar_p50 ratio
for n in $sizes; do
  dir=$data/workload-$n
  "$gen" --set workload --n "$n" --requests 2000 --seed 42 --out "$dir"
  # Cedar decides every request for small sets; fewer when each call is slow.
  k=$(( 2000000 / n )); [ "$k" -gt 2000 ] && k=2000; [ "$k" -lt 20 ] && k=20
  head -n "$k" "$dir/requests.jsonl" > "$dir/requests-cedar.jsonl"
  w=$("$writ" bench --policies "$dir/policies.cedar" --entities "$dir/entities.json" \
      --requests "$dir/requests.jsonl" --seconds "$seconds" --threads "$threads" --decisions "$dir/writ.decisions")
  c=$(node "$here/cedar_peer.mjs" --policies "$dir/policies.cedar" --entities "$dir/entities.json" \
      --requests "$dir/requests-cedar.jsonl" --seconds "$seconds" --decisions "$dir/cedar.decisions")
  if ! cmp -s <(head -n "$k" "$dir/writ.decisions") "$dir/cedar.decisions"; then
    echo "run.sh: N=$n: writ and Cedar decide differently:" >&2
    diff <(head -n "$k" "$dir/writ.decisions") "$dir/cedar.decisions" | head >&2
    exit 1
  fi
  wd=$(field "$w" decisions_per_sec); cd_=$(field "$c" decisions_per_sec)
  printf '%-8s %14s %10s %14s %12s %10s\n' "$n" "$wd" "$(field "$w" p50_ns)ns" "$cd_" \
      "$(field "$c" p50_ns)ns" "$(python3 -c "print(f'{$wd / max($cd_, 1):.0f}x')")"
  echo "  writ:  $w" >&2
  echo "  cedar: $c ($k requests, decisions identical)" >&2
done
