#!/usr/bin/env bash
# Smoke test of the benchmark tools (ctest bench_smoke_writ_bench):
#   smoke.sh WRIT_BENCH_GEN WRIT DIR
# Generates each dataset small, runs `writ bench` briefly on it and checks the
# JSON it prints (its three figures among it) and the decisions file; the
# workload set also through its schema.
set -euo pipefail
gen=$1 writ=$2 dir=$3
for set in workload gdrive github tinytodo; do
  "$gen" --set "$set" --n 20 --requests 50 --out "$dir/$set"
  out=$("$writ" bench --policies "$dir/$set/policies.cedar" --entities "$dir/$set/entities.json" \
        --requests "$dir/$set/requests.jsonl" --seconds 0.05 --decisions "$dir/$set/decisions")
  for key in load_ms compile_ms decisions_per_sec p50_ns p99_ns rss_mb calls requests distinct_requests \
             decide build_decide json_decide; do
    grep -q "\"$key\":" <<<"$out" || { echo "missing $key in: $out" >&2; exit 1; }
  done
  [ "$(wc -l < "$dir/$set/decisions")" -eq "$(wc -l < "$dir/$set/requests.jsonl")" ] ||
    { echo "$set: one decision per request expected" >&2; exit 1; }
  grep -qvE '^(allow|deny)$' "$dir/$set/decisions" && { echo "$set: bad decisions file" >&2; exit 1; }
  echo "$set: $out"
done
# The workload set carries its schema: it validates, and reading through it
# changes no decision.
"$writ" validate --schema "$dir/workload/schema.cedarschema" --policies "$dir/workload/policies.cedar"
"$writ" bench --schema "$dir/workload/schema.cedarschema" --policies "$dir/workload/policies.cedar" \
    --entities "$dir/workload/entities.json" --requests "$dir/workload/requests.jsonl" --seconds 0.05 \
    --figures decide --decisions "$dir/workload/decisions-schema" >/dev/null
cmp "$dir/workload/decisions" "$dir/workload/decisions-schema" ||
  { echo "workload: --schema changed decisions" >&2; exit 1; }
echo "workload: validates against its schema; the same decisions through it"
