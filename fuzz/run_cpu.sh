#!/usr/bin/env bash
# fuzz/run_cpu.sh BUILD_DIR TARGET CPU_SECONDS
#
# Runs one libFuzzer target (built in BUILD_DIR by -DWRIT_FUZZ=ON) over its
# corpus and seeds, with its dictionary, until it has used CPU_SECONDS of CPU
# time (user + system, read from /proc), not of wall time: on a shared
# machine a fuzzer given an hour of wall time may get a fraction of an hour
# of CPU. It is then stopped with SIGINT (libFuzzer prints its final stats).
# Prints one line: target, CPU seconds, executions, and the result ("clean",
# or the crash, leak, timeout or out-of-memory libFuzzer reported, with the
# artifact it wrote). Exit status 0 only when clean. The fuzzer's log is kept
# in BUILD_DIR/fuzz/<target>.log. libFuzzer's -timeout counts wall time:
# WRIT_FUZZ_TIMEOUT (seconds, default 20) raises it for runs niced under
# other work, where a starved unit would otherwise be reported as a timeout.
set -euo pipefail
dir=$1 target=$2 limit=$3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz="$dir/fuzz"
log="$fuzz/$target.log"
mkdir -p "$fuzz/corpus/$target" "$fuzz/artifacts/$target"
ticks=$(getconf CLK_TCK)

export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
"$fuzz/$target" -timeout="${WRIT_FUZZ_TIMEOUT:-20}" -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 \
    -dict="$root/fuzz/dicts/$target.dict" -artifact_prefix="$fuzz/artifacts/$target/" \
    "$fuzz/corpus/$target" "$fuzz/seeds/$target" >"$log" 2>&1 &
pid=$!

cpu_seconds() {  # utime + stime of $pid (fields 14 and 15 of /proc/PID/stat)
  local stat
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || { echo -1; return; }
  stat=${stat##*) }   # the command name may hold spaces; fields after it
  read -r -a f <<<"$stat"
  echo $(( (f[11] + f[12]) / ticks ))
}

used=0
while kill -0 "$pid" 2>/dev/null; do
  now=$(cpu_seconds)
  [ "$now" -ge 0 ] && used=$now
  if [ "$used" -ge "$limit" ]; then
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$pid" 2>/dev/null || true
    break
  fi
  sleep 5
done
wait "$pid" && status=0 || status=$?

runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
if [ -z "$runs" ]; then  # no final stats: the last progress line's count
  runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
fi
finding=$(grep -m1 -E 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:|SUMMARY: ' "$log" || true)
artifact=$(grep -m1 -o 'Test unit written to .*' "$log" || true)
if [ -z "$finding" ] && { [ "$status" -eq 0 ] || [ "$status" -eq 72 ] || [ "$status" -eq 130 ]; }; then
  result=clean
  rc=0
else
  result="FOUND (exit $status): ${finding:-no report} ${artifact}"
  rc=1
fi
printf '%s\tcpu=%ss\texecutions=%s\t%s\n' "$target" "$used" "${runs:-?}" "$result"
exit $rc
