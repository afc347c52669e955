#!/usr/bin/env bash
# A fleet end to end: Debian's nginx serves signed bundles over HTTP and
# HTTPS (a throwaway CA and server certificate made here with the openssl
# CLI) to N `writ serve --bundle` replicas on loopback (half of them over
# https, verified against the CA; the others over http). Checks and reports:
#   - a new bundle reaches every replica within two poll periods (median
#     and worst replica printed);
#   - a revocation reaches every replica within one revocation period
#     (+10% jitter, +0.3 s for the fetch itself);
#   - a bundle with a bad signature, a changed file, a path traversal or a
#     truncated archive is refused by every replica (counted by cause in
#     /metrics), and no decision changes;
#   - nginx stopped for OUTAGE seconds changes no decision; a replica
#     restarted meanwhile decides from its cache; after nginx returns every
#     replica takes the next bundle (signed with the next key of a rotation:
#     every replica accepts two keys);
#   - an https replica without the CA takes nothing (the chain is verified).
#
#   tests/serve/fleet_e2e.sh PATH/TO/writ [REPLICAS=20] [OUTAGE_SECONDS=10] [POLL_SECONDS=1]
#
# The issue's full run: REPLICAS=20 OUTAGE_SECONDS=30. Skipped (exit 77)
# when nginx, curl or openssl is missing and cannot be installed (as
# nginx_e2e.sh). Loopback only; every wait is bounded.
set -euo pipefail

writ=${1:?usage: fleet_e2e.sh PATH/TO/writ [REPLICAS] [OUTAGE_SECONDS] [POLL_SECONDS]}
n=${2:-20}
outage=${3:-10}
period=${4:-1}
skip() {
  printf '\n*** SKIPPED: fleet end-to-end test: %s ***\n\n' "$*" >&2
  exit 77
}
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    skip "${need[*]} missing; run as root (apt-get install ${need[*]}) to run it"
  fi
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq >&2
  timeout 300 apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d /tmp/writ-fleet-e2e.XXXXXX)
chmod 755 "$tmp"
declare -a pids ports
nginx_up=0
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  [ "$nginx_up" = 1 ] && "$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -s stop 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for i in 0 1; do
    echo "--- replica $i log" >&2
    tail -n 30 "$tmp/writ.$i.log" >&2 || true
  done
  echo "--- nginx error log" >&2; tail -n 20 "$tmp/error.log" >&2 || true
  exit 1
}
log() { printf '[fleet %s] %s\n' "$(date +%T)" "$*"; }

# ---- keys, CA, server certificate ----
mkdir -p "$tmp/www" "$tmp/src" "$tmp/revsrc"
openssl genpkey -algorithm ed25519 -out "$tmp/key.pem" 2>/dev/null
openssl pkey -in "$tmp/key.pem" -pubout -out "$tmp/pub.pem"
openssl genpkey -algorithm ed25519 -out "$tmp/next.pem" 2>/dev/null        # the next key of a rotation
openssl pkey -in "$tmp/next.pem" -pubout -out "$tmp/next.pub.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -keyout "$tmp/ca.key" -out "$tmp/ca.pem" -subj "/CN=writ fleet test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/server.key" \
  -out "$tmp/server.csr" -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tmp/san.ext"
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial -days 1 \
  -extfile "$tmp/san.ext" -out "$tmp/server.pem" 2>/dev/null

# ---- publishing: build, sign, then rename into nginx's root ----
# nginx's ETag is the file's mtime (seconds) and size: never publish twice
# in one second (every step below waits longer than that).
publish_policies() {   # REVISION KEY TEXT
  printf '%s' "$3" >"$tmp/src/policies.cedar"
  "$writ" bundle build "$tmp/src" -o "$tmp/b.tar.gz" --revision "$1" >/dev/null
  "$writ" bundle sign --key "$2" "$tmp/b.tar.gz" >/dev/null
  mv "$tmp/b.tar.gz" "$tmp/www/bundle.tar.gz"
}
publish_revoked() {    # REVISION TEXT
  printf '%s' "$2" >"$tmp/revsrc/revoked.txt"
  "$writ" bundle build "$tmp/revsrc" -o "$tmp/r.tar.gz" --revision "$1" >/dev/null
  "$writ" bundle sign --key "$tmp/key.pem" "$tmp/r.tar.gz" >/dev/null
  mv "$tmp/r.tar.gz" "$tmp/www/revoked.tar.gz"
}
p1='permit(principal == User::"alice", action, resource);
'
p2="${p1}permit(principal == User::\"bob\", action, resource);
"
p4="${p2}permit(principal == User::\"dave\", action, resource);
"
publish_policies 1 "$tmp/key.pem" "$p1"
publish_revoked 1 '# nobody yet
'

# ---- nginx: one server, http and https ----
start_nginx() {
  mkdir -p "$tmp/client_body" "$tmp/proxy" "$tmp/fastcgi" "$tmp/uwsgi" "$tmp/scgi"
  cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
error_log $tmp/error.log info;
pid $tmp/nginx.pid;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $tmp/client_body;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  server {
    listen 127.0.0.1:$http_port;
    listen 127.0.0.1:$https_port ssl;
    ssl_certificate $tmp/server.pem;
    ssl_certificate_key $tmp/server.key;
    root $tmp/www;
  }
}
EOF
  "$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" 2>>"$tmp/error.log"
}
http_port="" https_port=""
for _ in 1 2 3 4 5; do
  http_port=$((20000 + RANDOM % 10000)) https_port=$((30000 + RANDOM % 10000))
  if start_nginx; then nginx_up=1; break; fi
done
[ "$nginx_up" = 1 ] || fail "nginx did not start"
for _ in $(seq 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$http_port/bundle.tar.gz" && break
  sleep 0.1
done
curl -sf --cacert "$tmp/ca.pem" -o /dev/null "https://localhost:$https_port/bundle.tar.gz" ||
  fail "nginx does not serve the bundle over https"

# ---- the replicas ----
replica_url() {   # I FILE
  if [ $(($1 % 2)) -eq 0 ]; then echo "https://localhost:$https_port/$2"; else echo "http://127.0.0.1:$http_port/$2"; fi
}
start_replica() {
  local i=$1
  : >>"$tmp/writ.$i.log"
  "$writ" serve --bundle "$(replica_url "$i" bundle.tar.gz)" --revoked-url "$(replica_url "$i" revoked.tar.gz)" \
    --bundle-ca "$tmp/ca.pem" --bundle-pubkey "$tmp/pub.pem" "$tmp/next.pub.pem" \
    --bundle-poll "${period}s" --revoked-poll "${period}s" --bundle-cache "$tmp/cache.$i" \
    --listen 127.0.0.1:0 --threads 1 2>>"$tmp/writ.$i.log" &
  pids[$i]=$!
  ports[$i]=""
}
read_port() {
  local i=$1
  for _ in $(seq 200); do
    ports[$i]=$(sed -n 's/.*listening on .*(port \([0-9]*\)).*/\1/p' "$tmp/writ.$i.log" | tail -1 || true)
    [ -n "${ports[$i]}" ] && return 0
    kill -0 "${pids[$i]}" 2>/dev/null || fail "replica $i exited"
    sleep 0.05
  done
  fail "replica $i did not start"
}
for i in $(seq 0 $((n - 1))); do start_replica "$i"; done
for i in $(seq 0 $((n - 1))); do read_port "$i"; done

readyz() { curl -s -m 2 "http://127.0.0.1:${ports[$1]}/readyz" || true; }
has_revision() { readyz "$1" | grep -q "\"bundle_revision\":$2[,}]"; }
decide() {   # I PRINCIPAL -> allow | deny | revoked | error
  local body
  body=$(curl -s -m 2 -X POST "http://127.0.0.1:${ports[$1]}/v1/authorize" \
    -d "{\"principal\":\"User::\\\"$2\\\"\",\"action\":\"Action::\\\"read\\\"\",\"resource\":\"Doc::\\\"d\\\"\",\"context\":{}}" || true)
  case "$body" in
    *'"revoked":true'*) echo revoked ;;
    *'"decision":"allow"'*) echo allow ;;
    *'"decision":"deny"'*) echo deny ;;
    *) echo error ;;
  esac
}
decides() { [ "$(decide "$1" "$2")" = "$3" ]; }
failures() {   # I CAUSE -> the policy channel's count
  curl -s -m 2 "http://127.0.0.1:${ports[$1]}/metrics" |
    sed -n "s/^writ_bundle_failures_total{channel=\"policy\",cause=\"$2\"} \([0-9]*\)$/\1/p"
}

# measure NAME LIMIT_SECONDS PATH PATTERN [POST_BODY]: from t0, when PATH
# on each replica first answers with PATTERN in its body. One curl process
# per round asks every replica not there yet (a round takes milliseconds:
# the figures are the replicas', not the watcher's); prints the median and
# worst replica, and fails past LIMIT_SECONDS.
measure() {
  local name=$1 limit=$2 path=$3 pattern=$4 data=${5:-}
  local -A done_at=()
  local end=$(($(date +%s) + ${limit%.*} + 10))
  while [ ${#done_at[@]} -lt "$n" ] && [ "$(date +%s)" -lt "$end" ]; do
    local urls=() idx=() lines=() i k now
    for i in $(seq 0 $((n - 1))); do
      if [ -z "${done_at[$i]:-}" ]; then urls+=("http://127.0.0.1:${ports[$i]}$path"); idx+=("$i"); fi
    done
    if [ -n "$data" ]; then
      mapfile -t lines < <(curl -s -m 2 -X POST -d "$data" -w '\n' "${urls[@]}" || true)
    else
      mapfile -t lines < <(curl -s -m 2 -w '\n' "${urls[@]}" || true)
    fi
    now=$(date +%s.%N)
    for k in "${!idx[@]}"; do
      [[ "${lines[$k]:-}" == *"$pattern"* ]] && done_at[${idx[$k]}]=$now
    done
    sleep 0.02
  done
  [ ${#done_at[@]} -eq "$n" ] || fail "$name: $((n - ${#done_at[@]})) of $n replicas never got there"
  for i in "${!done_at[@]}"; do echo "${done_at[$i]}"; done | awk -v t0="$t0" '{print $1 - t0}' | sort -n >"$tmp/lat"
  local median worst
  median=$(awk '{a[NR]=$1} END {printf "%.2f", (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}' "$tmp/lat")
  worst=$(tail -1 "$tmp/lat" | awk '{printf "%.2f", $1}')
  log "$name: $n replicas, median ${median}s, worst ${worst}s (limit ${limit}s)"
  echo "$name: median ${median}s, worst ${worst}s (limit ${limit}s)" >>"$tmp/figures"
  awk -v w="$worst" -v l="$limit" 'BEGIN {exit !(w <= l)}' || fail "$name: worst replica ${worst}s > ${limit}s"
}
request() { echo "{\"principal\":\"User::\\\"$1\\\"\",\"action\":\"Action::\\\"read\\\"\",\"resource\":\"Doc::\\\"d\\\"\",\"context\":{}}"; }

# ---- 1. every replica ready on revision 1 ----
t0=$(date +%s.%N)
measure "first bundle (start-up)" 20 /readyz '"bundle_revision":1,'
for i in $(seq 0 $((n - 1))); do
  decides "$i" alice allow || fail "replica $i: alice not allowed"
  decides "$i" bob deny || fail "replica $i: bob not denied"
done

# An https replica without the CA takes nothing: the chain is verified.
"$writ" serve --bundle "https://localhost:$https_port/bundle.tar.gz" --bundle-pubkey "$tmp/pub.pem" \
  --bundle-poll 1s --listen 127.0.0.1:0 --threads 1 2>"$tmp/noca.log" &
noca=$!
sleep 2
grep -q "certificate" "$tmp/noca.log" || { kill "$noca"; cat "$tmp/noca.log" >&2; fail "no certificate error without --bundle-ca"; }
noca_port=$(sed -n 's/.*listening on .*(port \([0-9]*\)).*/\1/p' "$tmp/noca.log" | head -1)
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$noca_port/readyz")
kill "$noca"; wait "$noca" 2>/dev/null || true
[ "$code" = 503 ] || fail "a replica without the CA is ready ($code)"
log "https without --bundle-ca: refused (certificate not verified), /readyz 503"

# ---- 2. a new bundle reaches all within two poll periods ----
sleep 1.1
publish_policies 2 "$tmp/key.pem" "$p2"
t0=$(date +%s.%N)   # published (the rename is the last step)
measure "new bundle" "$((2 * period))" /readyz '"bundle_revision":2,'
for i in $(seq 0 $((n - 1))); do decides "$i" bob allow || fail "replica $i: bob not allowed at revision 2"; done

# ---- 3. a revocation reaches all within one revocation period ----
sleep 1.1
publish_revoked 2 'User::"bob"
'
t0=$(date +%s.%N)   # published (the rename is the last step)
# One period, +10% jitter, and 0.3 s for the fetch and check themselves.
measure "revocation" "$(awk -v p="$period" 'BEGIN {print p * 1.1 + 0.3}')" /v1/authorize '"revoked":true' "$(request bob)"
for i in $(seq 0 $((n - 1))); do decides "$i" alice allow || fail "replica $i: alice not allowed"; done

# ---- 4. bad bundles refused by every replica; no decision changes ----
check_unchanged() {   # what every replica decides at revision 2 with bob revoked
  local i
  for i in $(seq 0 $((n - 1))); do
    has_revision "$i" 2 || fail "$1: replica $i left revision 2"
    decides "$i" alice allow || fail "$1: replica $i: alice"
    decides "$i" bob revoked || fail "$1: replica $i: bob"
    decides "$i" dave deny || fail "$1: replica $i: dave"
  done
}
# A good revision 3 (dave allowed), unpacked, to spoil.
printf '%s' "$p4" >"$tmp/src/policies.cedar"
"$writ" bundle build "$tmp/src" -o "$tmp/g.tar.gz" --revision 3 >/dev/null
"$writ" bundle sign --key "$tmp/key.pem" "$tmp/g.tar.gz" >/dev/null
members=$(tar -tzf "$tmp/g.tar.gz")
spoil() {   # NAME: a fresh copy of the good bundle's files in $tmp/spoil
  rm -rf "$tmp/spoil"
  mkdir "$tmp/spoil"
  tar -xzf "$tmp/g.tar.gz" -C "$tmp/spoil"
}
repack() {   # OUT [extra tar args...]
  local out=$1
  shift
  # shellcheck disable=SC2086
  (cd "$tmp/spoil" && tar -czf "$out" "$@" $members)
}
bad_signature() {
  spoil
  # The first character of the base64 signature changed.
  local f="$tmp/spoil/.signature.json" sig
  sig=$(sed -n -E 's/.*"signature" *: *"([^"]*)".*/\1/p' "$f")
  [ -n "$sig" ] || fail "no signature in $(cat "$f")"
  if [ "${sig:0:1}" = A ]; then sed -i "s#$sig#B${sig:1}#" "$f"; else sed -i "s#$sig#A${sig:1}#" "$f"; fi
  repack "$tmp/bad.tar.gz"
}
changed_file() {
  spoil
  printf 'permit(principal, action, resource);\n' >>"$tmp/spoil/policies.cedar"
  repack "$tmp/bad.tar.gz"
}
path_traversal() {
  spoil
  printf 'permit(principal, action, resource);\n' >"$tmp/spoil/evil.cedar"
  (cd "$tmp/spoil" && tar -czf "$tmp/bad.tar.gz" -P --transform 's,^evil.cedar$,../evil.cedar,' $members evil.cedar 2>/dev/null)
  tar -tzPf "$tmp/bad.tar.gz" 2>/dev/null | grep -q '^\.\./evil.cedar$' || fail "could not make a path-traversal archive"
}
truncated() {
  head -c $(($(stat -c %s "$tmp/g.tar.gz") / 2)) "$tmp/g.tar.gz" >"$tmp/bad.tar.gz"
}
for bad in "bad_signature signature" "changed_file hash" "path_traversal archive" "truncated archive"; do
  set -- $bad
  declare -a before=()
  for i in $(seq 0 $((n - 1))); do before[$i]=$(failures "$i" "$2"); done
  sleep 1.1
  "$1"
  mv "$tmp/bad.tar.gz" "$tmp/www/bundle.tar.gz"
  for i in $(seq 0 $((n - 1))); do
    for _ in $(seq 60); do
      [ "$(failures "$i" "$2")" -gt "${before[$i]:-0}" ] 2>/dev/null && break
      sleep 0.1
    done
    [ "$(failures "$i" "$2")" -gt "${before[$i]:-0}" ] 2>/dev/null || fail "$1: replica $i did not refuse it as $2"
  done
  check_unchanged "$1"
  log "$1: refused by all $n replicas (cause $2); decisions unchanged"
done

# ---- 5. nginx down for OUTAGE seconds ----
"$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -s stop
nginx_up=0
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$http_port/" || break; sleep 0.1; done
log "nginx stopped for ${outage}s"
down_start=$(date +%s)
restarted=0
while [ $(($(date +%s) - down_start)) -lt "$outage" ]; do
  check_unchanged "nginx down"
  if [ "$restarted" = 0 ] && [ $(($(date +%s) - down_start)) -ge $((outage / 2)) ]; then
    # A replica restarted while nginx is down decides from its cache.
    kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
    mv "$tmp/writ.0.log" "$tmp/writ.0.first.log"   # its port is read from the new log
    start_replica 0
    read_port 0
    for _ in $(seq 50); do has_revision 0 2 && break; sleep 0.1; done
    has_revision 0 2 || fail "the restarted replica does not decide from its cache"
    decides 0 bob revoked || fail "the restarted replica lost the cached revocations"
    grep -q "from the cache" "$tmp/writ.0.log" || fail "the restarted replica did not say it took the cache"
    log "replica 0 restarted while nginx is down: decides from its cache (revision 2, bob revoked)"
    restarted=1
  fi
  sleep 1
done
check_unchanged "nginx down (end)"
log "nginx down ${outage}s: no decision changed"

# Back up, with revision 4 signed by the next key of a rotation.
start_nginx || fail "nginx did not restart"
nginx_up=1
publish_policies 4 "$tmp/next.pem" "$p4"
t0=$(date +%s.%N)   # published (the rename is the last step)
measure "next bundle after the outage" "$(awk -v p="$period" 'BEGIN {print p * 11 + 2 * p}')" /readyz '"bundle_revision":4,'
for i in $(seq 0 $((n - 1))); do decides "$i" dave allow || fail "replica $i: dave not allowed at revision 4"; done

for i in $(seq 0 $((n - 1))); do kill -0 "${pids[$i]}" 2>/dev/null || fail "replica $i died"; done
echo "--- fleet figures (replicas=$n, poll=${period}s, outage=${outage}s)"
cat "$tmp/figures"
echo "PASS: fleet of $n replicas"
