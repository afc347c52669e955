#!/usr/bin/env bash
# End to end through a real gateway: Debian's nginx, with `auth_request`
# pointed at `writ serve`, in front of a small upstream (a second nginx
# server) on loopback. Checks allowed and denied requests through nginx,
# the path rule against nginx's own view of the URI (path parameters
# included), a method-override header naming another method, a forged
# forwarding header both where nginx replaces it and where nginx passes it
# through beside its own X-Original-URI (the usual auth_request set-up: writ
# must deny the disagreement), and a policy reload (and a failed one) in the
# middle.
#
#   tests/serve/nginx_e2e.sh PATH/TO/writ
#
# nginx (and curl) are installed with apt-get when missing and running as
# root (as CI does). Otherwise the test is SKIPPED, loudly, with exit code 77
# (ctest reports it as skipped, not passed). Everything runs under a time
# bound: ctest's TIMEOUT, and `timeout` on every client call.
set -euo pipefail

writ=${1:?usage: nginx_e2e.sh PATH/TO/writ}
skip() {
  printf '\n*** SKIPPED: nginx end-to-end test: %s ***\n\n' "$*" >&2
  exit 77
}

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    skip "${need[*]} missing; run as root (apt-get install ${need[*]}) to run it"
  fi
  echo "installing ${need[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq >&2
  timeout 300 apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d /tmp/writ-nginx-e2e.XXXXXX)
chmod 755 "$tmp"
writ_pid="" nginx_started=0
cleanup() {
  [ -n "$writ_pid" ] && kill "$writ_pid" 2>/dev/null && wait "$writ_pid" 2>/dev/null || true
  [ "$nginx_started" = 1 ] && "$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -s stop 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- writ serve log" >&2; cat "$tmp/writ.log" >&2 || true
  echo "--- nginx error log" >&2; cat "$tmp/error.log" >&2 || true
  exit 1
}

# The policies: workload spiffe://td/ns/a may GET /api/*, never /api/secret.
cat >"$tmp/policies.cedar" <<'EOF'
permit(principal == Workload::"spiffe://td/ns/a", action == Action::"GET", resource)
  when { context.path like "/api/*" };
forbid(principal, action, resource == Path::"/api/secret");
EOF

# writ serve on an ephemeral port, read back from its log.
"$writ" serve --policies "$tmp/policies.cedar" --listen 127.0.0.1:0 --threads 2 \
    --decision-log "$tmp/decisions.log" 2>"$tmp/writ.log" &
writ_pid=$!
writ_port=""
for _ in $(seq 300); do
  writ_port=$(sed -n 's/.*listening on .*(port \([0-9]*\)).*/\1/p' "$tmp/writ.log" | head -1)
  [ -n "$writ_port" ] && break
  kill -0 "$writ_pid" 2>/dev/null || fail "writ serve exited"
  sleep 0.1
done
[ -n "$writ_port" ] || fail "writ serve did not start"

# nginx: the gateway and the upstream, on free ports (retried if taken).
start_nginx() {
  local gw=$1 up=$2 us=$3
  mkdir -p "$tmp/client_body" "$tmp/proxy" "$tmp/fastcgi" "$tmp/uwsgi" "$tmp/scgi"
  chmod 777 "$tmp/client_body" "$tmp/proxy" "$tmp/fastcgi" "$tmp/uwsgi" "$tmp/scgi"
  cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
error_log $tmp/error.log info;
pid $tmp/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $tmp/client_body;
  proxy_temp_path $tmp/proxy;
  fastcgi_temp_path $tmp/fastcgi;
  uwsgi_temp_path $tmp/uwsgi;
  scgi_temp_path $tmp/scgi;
  server {                       # the upstream
    listen 127.0.0.1:$up;
    location / { return 200 "upstream \$request_uri\n"; }
  }
  server {                       # the gateway
    listen 127.0.0.1:$gw;
    location = /_writ {
      internal;
      proxy_pass http://127.0.0.1:$writ_port/v1/forward-auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      # The gateway sets these itself: a client's own copies are replaced.
      proxy_set_header X-Forwarded-Uri \$request_uri;
      proxy_set_header X-Forwarded-Method \$request_method;
      proxy_set_header X-Original-URI "";
      proxy_set_header X-Original-Method "";
    }
    location / {
      auth_request /_writ;
      auth_request_set \$writ_reasons \$upstream_http_x_writ_reasons;
      auth_request_set \$writ_version \$upstream_http_x_writ_policy_version;
      add_header X-Writ-Reasons \$writ_reasons always;
      add_header X-Writ-Policy-Version \$writ_version always;
      proxy_pass http://127.0.0.1:$up;
    }
  }
  server {                       # a gateway set up the usual way: nginx sets
    listen 127.0.0.1:$us;        # X-Original-URI/-Method and passes a client's
    location = /_writ {          # own X-Forwarded-Uri/-Method through
      internal;
      proxy_pass http://127.0.0.1:$writ_port/v1/forward-auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI \$request_uri;
      proxy_set_header X-Original-Method \$request_method;
    }
    location / {
      auth_request /_writ;
      proxy_pass http://127.0.0.1:$up;
    }
  }
}
EOF
  "$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" 2>>"$tmp/error.log"
}
gw="" us=""
for _ in 1 2 3 4 5; do
  cand_gw=$((20000 + RANDOM % 10000)) cand_us=$((30000 + RANDOM % 10000)) cand_up=$((40000 + RANDOM % 20000))
  if start_nginx "$cand_gw" "$cand_up" "$cand_us"; then gw=$cand_gw us=$cand_us; nginx_started=1; break; fi
done
[ -n "$gw" ] || fail "nginx did not start"
for _ in $(seq 300); do
  curl -s -o /dev/null "http://127.0.0.1:$gw/" && break
  sleep 0.1
done

cert='X-Forwarded-Client-Cert: Hash=00;URI=spiffe://td/ns/a'
passed=0
# expect STATUS PATH [curl args...]: the status nginx answers (the gateway
# on port $at, by default the one that sets the forwarding headers itself).
expect() {
  local want=$1 path=$2; shift 2
  local got
  got=$(timeout 10 curl -s -o "$tmp/body" -w '%{http_code}' --path-as-is "$@" "http://127.0.0.1:${at:-$gw}$path") ||
    true
  [ "$got" = "$want" ] || fail "$path ($*): expected $want, got $got: $(cat "$tmp/body" 2>/dev/null)"
  passed=$((passed + 1))
}

expect 200 /api/orders -H "$cert"
grep -q "upstream /api/orders" "$tmp/body" || fail "the upstream did not answer /api/orders"
expect 403 /api/secret -H "$cert"                       # forbid wins
expect 403 /api/orders                                  # no principal
expect 403 /api/orders -H 'X-Forwarded-Client-Cert: URI=spiffe://td/ns/b'
expect 403 /api/orders -H "$cert" -X POST               # only GET
expect 403 /api/%2e%2e/secret -H "$cert"                # decoded: /secret, not /api/*
expect 403 /api/a%2Fb -H "$cert"                        # encoded slash: ambiguous
expect 403 /api//./x/../secret -H "$cert"               # canonical: /api/secret
expect 403 /admin -H "$cert" -H 'X-Forwarded-Uri: /api/orders'   # forged: replaced by nginx
expect 200 /api//orders -H "$cert"
expect 403 /api/orders -H "$cert" -H 'X-HTTP-Method-Override: DELETE'   # a method the backend may run instead
expect 200 /api/orders -H "$cert" -H 'X-HTTP-Method-Override: get'      # the method sent: harmless
# Path parameters: a backend that drops `;params` would serve /secret.
expect 403 '/api/..;/secret' -H "$cert"
expect 403 '/api/%2e%2e%3B/secret' -H "$cert"
expect 403 '/api/orders;x' -H "$cert"                  # any `;`: resource.path_parameters is reject

# The usual auth_request set-up: the client's own X-Forwarded-Uri reaches
# writ beside nginx's X-Original-URI. Agreeing is one value; disagreeing is
# ambiguity, denied (it was decided on X-Forwarded-Uri, the client's choice).
at=$us expect 200 /api/orders -H "$cert"
at=$us expect 200 /api/orders -H "$cert" -H 'X-Forwarded-Uri: /api/orders'
at=$us expect 403 /admin -H "$cert" -H 'X-Forwarded-Uri: /api/orders'
at=$us expect 403 /api/orders -H "$cert" -X POST -H 'X-Forwarded-Method: GET'
at=$us expect 403 '/api/..;/secret' -H "$cert"
for reason in 'headers x-forwarded-uri and x-original-uri disagree' \
    'headers x-forwarded-method and x-original-method disagree' 'dot segment with parameters'; do
  for _ in $(seq 50); do grep -qF "$reason" "$tmp/decisions.log" && break; sleep 0.1; done
  grep -qF "$reason" "$tmp/decisions.log" || fail "no deny logged with the reason: $reason"
done

# A reload in the middle: the new set also permits /admin/*.
cat >"$tmp/policies.cedar" <<'EOF'
permit(principal == Workload::"spiffe://td/ns/a", action == Action::"GET", resource)
  when { context.path like "/api/*" || context.path like "/admin/*" };
forbid(principal, action, resource == Path::"/api/secret");
EOF
kill -HUP "$writ_pid"
version=""
for _ in $(seq 300); do
  version=$(timeout 5 curl -s "http://127.0.0.1:$writ_port/readyz" | sed -n 's/.*"policy_version":\([0-9]*\).*/\1/p')
  [ "$version" = 2 ] && break
  sleep 0.1
done
[ "$version" = 2 ] || fail "the reload did not happen (version $version)"
expect 200 /admin/users -H "$cert"
expect 403 /api/secret -H "$cert"
timeout 10 curl -s -D - -o /dev/null -H "$cert" "http://127.0.0.1:$gw/admin/users" | grep -qi '^X-Writ-Policy-Version: 2' ||
  fail "nginx did not pass the policy version on"

# A broken set is not swapped in: version 2 keeps deciding.
echo 'permit(principal, action, resource) when {' >"$tmp/policies.cedar"
kill -HUP "$writ_pid"
for _ in $(seq 300); do
  timeout 5 curl -s "http://127.0.0.1:$writ_port/metrics" | grep -q '^writ_policy_reload_failures_total 1$' && break
  sleep 0.1
done
timeout 5 curl -s "http://127.0.0.1:$writ_port/metrics" | grep -q '^writ_policy_reload_failures_total 1$' ||
  fail "the failed reload was not counted"
expect 200 /admin/users -H "$cert"
expect 403 /api/orders -H 'X-Forwarded-Client-Cert: URI=spiffe://td/ns/b'

grep -q '"endpoint":"forward_auth"' "$tmp/decisions.log" || sleep 0.5
grep -q '"policy_version":2' "$tmp/decisions.log" || fail "no decision logged under version 2"
echo "nginx end-to-end: $passed checks passed"
