#!/usr/bin/env bash
# `writ serve` and signals while the first policy set loads: a SIGHUP that
# arrives then is kept and acted on once the server listens (it used to
# kill the process), and SIGTERM afterwards stops it cleanly with exit 0.
#
#   tests/serve/signals_e2e.sh PATH/TO/writ [POLICIES]
#
# POLICIES (default 150,000) sizes the set so that loading it outlasts the
# moment the signal needs; sanitizer builds load slower and pass fewer.
set -euo pipefail

writ=${1:?usage: signals_e2e.sh PATH/TO/writ [POLICIES]}
count=${2:-150000}
tmp=$(mktemp -d /tmp/writ-signals.XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- writ serve's stderr:" >&2
  cat "$tmp/err" >&2 || true
  exit 1
}

# Large enough that loading it takes well over the moment the signal needs.
awk -v n="$count" 'BEGIN { for (i = 0; i < n; i++)
  printf "permit(principal == User::\"u%d\", action == Action::\"view\", resource) when { context.n > %d };\n", i, i }' \
  > "$tmp/policies.cedar"

"$writ" serve --policies "$tmp/policies.cedar" --listen 127.0.0.1:0 2> "$tmp/err" &
pid=$!
# Once the process catches SIGHUP (bit 0 of SigCgt; before that, as in any
# program still starting, the default action applies), and while it loads.
for _ in $(seq 1 300); do
  mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  (( (16#${mask:-0} & 1) == 1 )) && break
  sleep 0.02
done
(( (16#${mask:-0} & 1) == 1 )) || fail "writ serve did not catch SIGHUP within 6 s of starting"
grep -q "listening" "$tmp/err" && fail "the policy set loaded before the signal was sent; the test would prove nothing"
kill -HUP "$pid" || fail "writ serve was gone before the SIGHUP"

for _ in $(seq 1 600); do
  grep -q "listening" "$tmp/err" && break
  kill -0 "$pid" 2>/dev/null || fail "writ serve died while loading (SIGHUP during the first load)"
  sleep 0.1
done
grep -q "listening" "$tmp/err" || fail "writ serve did not start listening within 60 s"
for _ in $(seq 1 300); do
  grep -q "SIGHUP: reloading" "$tmp/err" && break
  sleep 0.1
done
grep -q "SIGHUP: reloading" "$tmp/err" || fail "the SIGHUP sent during the load was not acted on"
kill -0 "$pid" 2>/dev/null || fail "writ serve is not running after the reload"

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" -eq 0 ] || fail "writ serve exited with $rc on SIGTERM"
grep -q "stopping" "$tmp/err" || fail "no 'stopping' line on SIGTERM"
echo "ok: SIGHUP during the first load was kept and acted on; SIGTERM stopped the server"
