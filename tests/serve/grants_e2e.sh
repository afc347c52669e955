#!/usr/bin/env bash
# Run-time grants through a real `writ serve` (issue 16's "Must show"): a
# template policy, --grants FILE and --admin-socket PATH; a grant issued over
# the Unix socket allows on /v1/authorize, still allows after a restart (the
# file kept it), and denies once its task is closed; the admin API is not
# reachable over TCP (its paths are 404 on the HTTP listener); the socket is
# mode 0600; the decision log names the grant that allowed; a reload that
# drops the grant's template is refused and the old set keeps deciding; an
# expired grant is swept.
#
#   tests/serve/grants_e2e.sh PATH/TO/writ
#
# Needs curl (with --unix-socket, 7.40 or later).
set -euo pipefail

writ=${1:?usage: grants_e2e.sh PATH/TO/writ}
command -v curl > /dev/null || { echo "SKIP: curl is not installed" >&2; exit 77; }
tmp=$(mktemp -d /tmp/writ-grants.XXXXXX)
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

sock="$tmp/admin.sock"
cat > "$tmp/policies.cedar" <<'EOF'
@id("deploy")
permit(principal == ?principal, action == Action::"deploy", resource in ?resource);
EOF

port=""
start() {
  : > "$tmp/err"
  "$writ" serve --policies "$tmp/policies.cedar" --grants "$tmp/grants.json" --admin-socket "$sock" \
    --max-grant-window 1h --decision-log "$tmp/decisions.jsonl" --listen 127.0.0.1:0 2> "$tmp/err" &
  pid=$!
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on .* (port \([0-9]*\)).*/\1/p' "$tmp/err" | head -1)
    [ -n "$port" ] && grep -q "admin API" "$tmp/err" && break
    kill -0 "$pid" 2>/dev/null || fail "writ serve exited on start"
    sleep 0.1
  done
  [ -n "$port" ] || fail "writ serve did not start within 10 s"
}
stop() {
  kill -TERM "$pid"
  wait "$pid" || fail "writ serve did not exit 0 on SIGTERM"
  pid=""
}
# The decision for alice deploying to prod: allow or deny.
decide() {
  curl -s "http://127.0.0.1:$port/v1/authorize" \
    -d '{"principal":"User::\"alice\"","action":"Action::\"deploy\"","resource":"Env::\"prod\""}' |
    sed -n 's/.*"decision":"\([a-z]*\)".*/\1/p'
}
admin() {   # METHOD PATH [BODY] -> "CODE BODY"
  local method=$1 path=$2 body=${3:-}
  if [ -n "$body" ]; then
    curl -s --unix-socket "$sock" -X "$method" "http://writ$path" -d "$body" -w ' %{http_code}'
  else
    curl -s --unix-socket "$sock" -X "$method" "http://writ$path" -w ' %{http_code}'
  fi
}

start
[ "$(stat -c %a "$sock")" = 600 ] || fail "the admin socket's mode is $(stat -c %a "$sock"), not 600"
[ "$(decide)" = deny ] || fail "alice is allowed before any grant"

expires=$(date -u -d '+30 minutes' +%Y-%m-%dT%H:%M:%SZ)
grant='{"template_id":"deploy","link_id":"grant-17","args":{"?principal":"User::\"alice\"","?resource":"Env::\"prod\""},"expires":"'$expires'","owner":"ops","reason":"CHG-1234 deploy","task":"CHG-1234"}'
out=$(admin POST /v1/grants "$grant")
[ "${out##* }" = 201 ] || fail "POST /v1/grants: $out"
grep -q '"link_id":"grant-17"' "$tmp/grants.json" || fail "the grant is not in the grants file after the 201"
[ "$(decide)" = allow ] || fail "the grant does not allow"
curl -s "http://127.0.0.1:$port/v1/authorize" \
  -d '{"principal":"User::\"alice\"","action":"Action::\"deploy\"","resource":"Env::\"prod\""}' |
  grep -q '"reasons":\["grant-17"\]' || fail "the decision does not name the grant"
for _ in $(seq 1 50); do grep -q 'grant-17' "$tmp/decisions.jsonl" 2>/dev/null && break; sleep 0.1; done
grep '"decision":"allow"' "$tmp/decisions.jsonl" | grep -q '"reasons":\["grant-17"\]' ||
  fail "the decision log does not name the grant that allowed"

# A grant longer than --max-grant-window, and a malformed one: refused, nothing changes.
long='{"template_id":"deploy","link_id":"g-long","args":{"?principal":"User::\"bob\"","?resource":"Env::\"prod\""},"expires":"'$(date -u -d '+3 hours' +%Y-%m-%dT%H:%M:%SZ)'"}'
out=$(admin POST /v1/grants "$long"); [ "${out##* }" = 422 ] || fail "a 3 h grant under a 1 h window: $out"
out=$(admin POST /v1/grants '{"template_id": 1}'); [ "${out##* }" = 400 ] || fail "a malformed grant: $out"
out=$(admin POST /v1/grants "$grant"); [ "${out##* }" = 409 ] || fail "the same link id again: $out"
[ "$(grep -c link_id "$tmp/grants.json")" = 1 ] || fail "a refused grant changed the file"

# Never on TCP: the admin paths are 404 on the HTTP listener, and change nothing.
for req in "GET /v1/grants" "POST /v1/grants" "DELETE /v1/grants/grant-17" "DELETE /v1/tasks/CHG-1234"; do
  set -- $req
  code=$(curl -s -o /dev/null -w '%{http_code}' -X "$1" "http://127.0.0.1:$port$2" -d "$grant")
  [ "$code" = 404 ] || fail "$req over TCP answered $code, not 404"
done
[ "$(decide)" = allow ] || fail "a TCP request changed the grants"
curl -s "http://127.0.0.1:$port/metrics" | grep -q '^writ_grants_live 1$' || fail "writ_grants_live is not 1"

# A restart loses nothing.
stop
[ -e "$sock" ] && fail "the socket file is left after a clean stop"
start
[ "$(decide)" = allow ] || fail "the grant is gone after a restart"
admin GET /v1/grants | grep -q '"task":"CHG-1234"' || fail "GET /v1/grants after the restart"

# A reload that drops the grant's template is refused; the old set keeps deciding.
cp "$tmp/policies.cedar" "$tmp/policies.keep"
echo 'permit(principal == User::"zed", action, resource);' > "$tmp/policies.cedar"
kill -HUP "$pid"
for _ in $(seq 1 50); do grep -q "grant \`grant-17\`" "$tmp/err" && break; sleep 0.1; done
grep -q "reload failed; version 1 keeps serving" "$tmp/err" || fail "the reload without the template was not refused"
grep -q "grant \`grant-17\`" "$tmp/err" || fail "the refusal does not name the grant"
[ "$(decide)" = allow ] || fail "the old set stopped deciding after a refused reload"
cp "$tmp/policies.keep" "$tmp/policies.cedar"

# The task closes: its grants go.
out=$(admin DELETE /v1/tasks/CHG-1234)
[ "${out##* }" = 200 ] || fail "DELETE /v1/tasks/CHG-1234: $out"
[ "$(decide)" = deny ] || fail "alice is still allowed after her task closed"
out=$(admin DELETE /v1/tasks/CHG-1234); [ "${out##* }" = 404 ] || fail "closing the task again: $out"
grep -q link_id "$tmp/grants.json" && fail "the grants file still holds the task's grant"
stop
start
[ "$(decide)" = deny ] || fail "the closed task's grant came back after a restart"

# An expired grant stops matching, and the sweep removes it from the file.
soon=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)
out=$(admin POST /v1/grants '{"template_id":"deploy","link_id":"brief","args":{"?principal":"User::\"alice\"","?resource":"Env::\"prod\""},"expires":"'$soon'"}')
[ "${out##* }" = 201 ] || fail "POST a 2 s grant: $out"
[ "$(decide)" = allow ] || fail "the 2 s grant does not allow"
sleep 4
[ "$(decide)" = deny ] || fail "the expired grant still allows"
grep -q brief "$tmp/grants.json" && fail "the expired grant was not swept from the file"
curl -s "http://127.0.0.1:$port/metrics" | grep -q '^writ_grants_expired_total 1$' || fail "writ_grants_expired_total is not 1"
stop
echo "PASS: grants issued over the Unix socket allow, survive a restart, go with their task and expire; not on TCP"
