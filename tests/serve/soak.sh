#!/usr/bin/env bash
# Soak: RELOADS policy reloads of `writ serve` while clients decide at full
# rate (issue 14). The reloads alternate between SIGHUP and a file change
# the poller notices; the two policy sets they alternate between (A and B)
# answer differently and name their policies differently, so every answer
# says which set made it. Fails on:
#   - a failed decision: a connection error, a non-200 answer, a reload
#     that failed or that did not happen within 5 s;
#   - a torn decision: reasons from neither set or from both, a decision
#     that is not the one its set makes, one policy_version seen with both
#     sets, a batch answered from more than one version;
#   - leaked memory: the server's RSS at the end over the RSS after the
#     warm-up (a fifth of the reloads, at least 20: malloc's per-thread
#     arenas fill up over the first ones) by more than max(16 MiB, 25%);
#   - writ serve not stopping cleanly (exit 0) on SIGTERM.
#
#   tests/serve/soak.sh PATH/TO/writ [RELOADS] [CLIENTS]
#
# RELOADS defaults to 1000 (`scripts/dev.sh soak`); ctest runs 100 (label
# "soak"). CLIENTS (default 4) client threads, each on one keep-alive
# connection. The decision log is on (to /dev/null), so that it is soaked too.
# WRIT_SOAK_RSS_CHECK=0 reports RSS without failing on it (sanitizer builds,
# where LeakSanitizer checks leaks at exit instead).
set -euo pipefail

writ=${1:?usage: soak.sh PATH/TO/writ [RELOADS] [CLIENTS]}
reloads=${2:-1000}
clients=${3:-4}
tmp=$(mktemp -d /tmp/writ-soak.XXXXXX)
pid=""
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- writ serve's stderr (last lines):" >&2
  tail -n 20 "$tmp/err" >&2 || true
  exit 1
}
command -v python3 >/dev/null || fail "python3 is needed for the load generator"

mkdir -p "$tmp/policies"
# The two sets, told apart by which policies answer (writ names a policy by
# its position: common.cedar's is policy0, set.cedar's follow):
#   A: alice allowed by policy1..policy10, bob allowed by policy11;
#   B: five fillers first, alice allowed by policy6..policy15, bob allowed by
#      policy16 but denied by policy17's forbid.
# 300 fillers in each (never matching) give a set enough weight that a
# leaked one would show in RSS.
filler() {   # filler I
  printf 'permit(principal == User::"f%d", action == Action::"view", resource) when { context.n > %d };\n' "$1" "$1"
}
write_set() {   # write_set A|B FILE
  local s=$1 out=$2 first=0
  {
    if [ "$s" = B ]; then
      for i in $(seq 0 4); do filler "$i"; done
      first=5
    fi
    for _ in $(seq 0 9); do
      printf 'permit(principal == User::"alice", action == Action::"view", resource);\n'
    done
    printf 'permit(principal == User::"bob", action == Action::"view", resource);\n'
    if [ "$s" = B ]; then
      printf 'forbid(principal == User::"bob", action == Action::"view", resource);\n'
    fi
    for i in $(seq "$first" 299); do filler "$i"; done
  } > "$out"
}
write_set A "$tmp/set-A.cedar"
write_set B "$tmp/set-B.cedar"
cp "$tmp/set-A.cedar" "$tmp/policies/set.cedar"
printf '@id("common")\npermit(principal == User::"carol", action == Action::"view", resource);\n' > "$tmp/policies/common.cedar"

"$writ" serve --policies "$tmp/policies" --listen 127.0.0.1:0 --threads 2 --decision-log /dev/null 2> "$tmp/err" &
pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*listening on .* (port \([0-9][0-9]*\)).*/\1/p' "$tmp/err" | head -n 1)
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || fail "writ serve exited while starting"
  sleep 0.1
done
[ -n "$port" ] || fail "writ serve did not say where it listens within 30 s"

rc=0
python3 - "$pid" "$port" "$tmp" "$reloads" "$clients" "${WRIT_SOAK_RSS_CHECK:-1}" <<'PY' || rc=$?
import http.client, json, os, signal, sys, threading, time

pid, port, tmp, reloads, nclients = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
rss_check = sys.argv[6] != "0"
EXPECT = {  # (set, principal) -> (decision, reasons)
    ("A", "alice"): ("allow", {f"policy{k}" for k in range(1, 11)}),
    ("B", "alice"): ("allow", {f"policy{k}" for k in range(6, 16)}),
    ("A", "bob"): ("allow", {"policy11"}),
    ("B", "bob"): ("deny", {"policy17"}),
}
def request(who):
    return {"principal": {"type": "User", "id": who}, "action": {"type": "Action", "id": "view"},
            "resource": {"type": "Doc", "id": "d"}, "context": {"n": 0}}
BODY = {who: json.dumps(request(who)) for who in ("alice", "bob")}
BATCH = json.dumps([request("alice"), request("bob"), request("alice"), request("bob")])

lock = threading.Lock()
version_set = {}     # policy_version -> "A" | "B"
problems = []        # (kind, text), the first few kept
counts = {"decisions": 0, "failed": 0, "torn": 0}
stop = threading.Event()

def problem(kind, text):
    with lock:
        counts[kind] += 1
        if len(problems) < 20:
            problems.append(f"{kind}: {text}")

def check(who, d):
    """The set a decision came from, or None (counted) when torn."""
    got = (d.get("decision"), set(d.get("reasons", [])))
    sets = [s for s in ("A", "B") if EXPECT[(s, who)] == got]
    if len(sets) != 1 or d.get("errors"):
        problem("torn", f"{who}: not what either set decides: {d}")
        return None
    s = sets[0]
    v = d.get("policy_version")
    with lock:
        seen = version_set.setdefault(v, s)
    if seen != s:
        problem("torn", f"policy_version {v} answered from set {s} and from set {seen}")
        return None
    return v

def client(i):
    conn = None
    n = 0
    while not stop.is_set():
        n += 1
        batch = n % 10 == 0
        who = "alice" if n % 2 else "bob"
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/v1/authorize/batch" if batch else "/v1/authorize",
                         BATCH if batch else BODY[who], {"Content-Type": "application/json"})
            res = conn.getresponse()
            body = res.read()
            if res.status != 200:
                problem("failed", f"HTTP {res.status}: {body[:200]!r}")
                continue
            d = json.loads(body)
        except Exception as e:  # a connection error is a failed decision
            problem("failed", f"{type(e).__name__}: {e}")
            conn = None
            continue
        if batch:
            vs = {check(w, x) for w, x in zip(("alice", "bob", "alice", "bob"), d)}
            if len(d) != 4 or len(vs) != 1:
                problem("torn", f"a batch answered from versions {sorted(map(str, vs))}")
            with lock:
                counts["decisions"] += len(d)
        else:
            check(who, d)
            with lock:
                counts["decisions"] += 1

def get(path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read().decode()
    c.close()
    return r.status, body

def version():
    status, body = get("/readyz")
    return json.loads(body)["policy_version"] if status == 200 else 0

def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.split()[-1])
    return 0.0

threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(nclients)]
for t in threads:
    t.start()
start = time.monotonic()
warm_at = min(reloads, max(20, reloads // 5))   # the allocator's arenas settle within ~20 reloads
rss_warm = rss_start = rss_kib()
rss_max = rss_start
by = {"SIGHUP": 0, "file change": 0}
v = version()
for i in range(1, reloads + 1):
    s = "B" if i % 2 else "A"
    # Atomically (rename), so that no load ever reads half a file.
    with open(f"{tmp}/set-{s}.cedar") as f:
        text = f.read()
    with open(f"{tmp}/policies/.set.tmp", "w") as f:
        f.write(text)
    os.replace(f"{tmp}/policies/.set.tmp", f"{tmp}/policies/set.cedar")
    how = "SIGHUP" if i % 2 else "file change"
    if how == "SIGHUP":
        os.kill(pid, signal.SIGHUP)
    deadline = time.monotonic() + 5
    while True:
        nv = version()
        if nv > v:
            break
        if time.monotonic() > deadline:
            problem("failed", f"reload {i} ({how}) did not happen within 5 s")
            break
        time.sleep(0.01)
    v = nv
    by[how] += 1
    rss = rss_kib()
    rss_max = max(rss_max, rss)
    if i == warm_at:
        rss_warm = rss
    if i % max(1, reloads // 10) == 0:
        print(f"soak: {i} reloads, RSS {rss} KiB, {counts['decisions']} decisions", flush=True)
stop.set()
for t in threads:
    t.join(timeout=15)
elapsed = time.monotonic() - start
rss_end = rss_kib()
_, metrics = get("/metrics")
reloads_ok = metric(metrics, "writ_policy_reloads_total")
reload_failures = metric(metrics, "writ_policy_reload_failures_total")
allowed_growth = max(16 * 1024, rss_warm // 4)

print(f"soak: {reloads} reloads ({by['SIGHUP']} SIGHUP, {by['file change']} file change; "
      f"{int(reloads_ok)} reloads counted by writ, {int(reload_failures)} failed) in {elapsed:.1f} s "
      f"with {nclients} clients")
print(f"soak: {counts['decisions']} decisions ({counts['decisions'] / elapsed:.0f}/s), "
      f"{counts['failed']} failed, {counts['torn']} torn; {len(version_set)} policy versions seen answering")
print(f"soak: RSS {rss_start} KiB at start, {rss_warm} KiB after {warm_at} reloads, {rss_end} KiB at the end "
      f"(max {rss_max} KiB; allowed growth after warm-up {allowed_growth} KiB)")
for p in problems:
    print("  " + p, file=sys.stderr)
ok = True
if counts["failed"] or counts["torn"]:
    print("FAIL: failed or torn decisions", file=sys.stderr); ok = False
if reload_failures:
    print("FAIL: writ counted failed reloads", file=sys.stderr); ok = False
if reloads_ok < reloads:
    print(f"FAIL: writ counted {reloads_ok:.0f} reloads, fewer than {reloads}", file=sys.stderr); ok = False
if len(set(version_set.values())) != 2:
    print("FAIL: decisions were not seen from both sets", file=sys.stderr); ok = False
if counts["decisions"] < reloads:
    print("FAIL: fewer decisions than reloads: the clients did not keep up a load", file=sys.stderr); ok = False
if rss_check and rss_end > rss_warm + allowed_growth:
    print(f"FAIL: RSS grew by {rss_end - rss_warm} KiB after the warm-up", file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
PY
[ "$rc" -eq 0 ] || fail "the soak failed (above)"

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" -eq 0 ] || fail "writ serve exited with $rc on SIGTERM"
echo "ok: $reloads reloads under load, no failed or torn decision, RSS flat"
