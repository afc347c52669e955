#!/usr/bin/python3
"""ext_authz over gRPC, end to end: `writ serve --grpc-listen` and a real
gRPC client (Debian's python3-grpcio), as Envoy or Istio would call it.

    /usr/bin/python3 tests/grpc/ext_authz_e2e.py PATH/TO/writ SOURCE_DIR

The Python modules for Envoy's ext_authz protos (SOURCE_DIR/proto) and for
gRPC's health service are generated with protoc into a temporary directory.
Every case asserts the exact outcome (gRPC status, HTTP status, headers,
what the decision log says was decided) and prints what it checked; the
first mismatch fails the test with writ serve's stderr.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

API = "spiffe://prod.acme.io/ns/payments/sa/api"
WEB = "spiffe://prod.acme.io/ns/web/sa/frontend"
CHECK = "/envoy.service.auth.v3.Authorization/Check"
HEALTH = "/grpc.health.v1.Health/Check"
OVERWRITE_IF_EXISTS_OR_ADD = 2
# The 16 KiB header bound counts each header's name and value plus 4 bytes
# (": " and CRLF, as the line would be over HTTP/1.1: src/grpc/ext_authz.cc).
HEADER_LINE_OVERHEAD = 4

HEALTH_PROTO = """
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
service Health { rpc Check(HealthCheckRequest) returns (HealthCheckResponse); }
"""

RELOAD_ALLOW = 'permit (principal, action == Action::"GET", resource == Path::"/reload/x");\n'
RELOAD_DENY = ('// rewritten by the test: now denied, and longer, so that the size changes too\n'
               'forbid (principal, action == Action::"GET", resource == Path::"/reload/x");\n')


class Failure(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failure(what)


class Harness:
    def __init__(self, writ, source_dir):
        self.writ = writ
        self.source_dir = source_dir
        self.tmp = tempfile.mkdtemp(prefix="writ-grpc-e2e.")
        self.server = None
        self.err = None        # writ serve's stderr, once started
        self.checked = 0
        self.allows = 0        # allow answers this client received (metrics must agree)
        self.ids = 0

    # --- setup -------------------------------------------------------------
    def generate_protos(self):
        out = os.path.join(self.tmp, "py")
        os.makedirs(out)
        proto_dir = os.path.join(self.source_dir, "proto")
        protos = []
        for root, _, files in os.walk(proto_dir):
            protos += [os.path.relpath(os.path.join(root, f), proto_dir) for f in files if f.endswith(".proto")]
        if shutil.which("protoc") is None:
            raise Failure("protoc is missing (Debian: apt-get install protobuf-compiler)")
        subprocess.run(["protoc", "-I", proto_dir, "--python_out=" + out] + sorted(protos), check=True)
        # gRPC's health service, as a top-level module: a `grpc/health/...`
        # path would be looked for inside the installed `grpc` package.
        hdir = os.path.join(self.tmp, "health")
        os.makedirs(hdir)
        with open(os.path.join(hdir, "writ_test_health.proto"), "w") as f:
            f.write(HEALTH_PROTO)
        subprocess.run(["protoc", "-I", hdir, "--python_out=" + out, "writ_test_health.proto"], check=True)
        sys.path.insert(0, out)
        # `google` is a namespace package: google/rpc/status_pb2 (generated
        # here, no __init__.py) must import beside Debian's google.protobuf.
        global grpc, ea, ac, base, health, status_pb2, http_status
        try:
            import grpc  # noqa: F401
        except ImportError as e:
            raise Failure("%s: run with Debian's /usr/bin/python3 and python3-grpcio, python3-protobuf" % e)
        import google.protobuf  # noqa: F401
        from google.rpc import status_pb2  # noqa: F401
        from envoy.service.auth.v3 import external_auth_pb2 as ea
        from envoy.service.auth.v3 import attribute_context_pb2 as ac
        from envoy.config.core.v3 import base_pb2 as base
        from envoy.type.v3 import http_status_pb2 as http_status
        import writ_test_health_pb2 as health
        print("ok: generated the Python modules from proto/ (google.rpc beside google.protobuf)")

    def start(self):
        data = os.path.join(self.source_dir, "tests", "grpc", "testdata")
        self.policies = os.path.join(self.tmp, "policies")
        shutil.copytree(os.path.join(data, "policies"), self.policies)
        self.reload_file = os.path.join(self.policies, "reload.cedar")
        with open(self.reload_file, "w") as f:
            f.write(RELOAD_ALLOW)
        self.log = os.path.join(self.tmp, "decisions.jsonl")
        self.err = os.path.join(self.tmp, "stderr")
        with open(self.err, "w") as err:
            self.server = subprocess.Popen(
                [self.writ, "serve", "--policies", self.policies, "--config", os.path.join(data, "config.yaml"),
                 "--listen", "127.0.0.1:0", "--grpc-listen", "127.0.0.1:0", "--threads", "2",
                 "--decision-log", self.log],
                stdout=subprocess.DEVNULL, stderr=err)
        self.http_port = self.grpc_port = None
        deadline = time.time() + 20
        while time.time() < deadline and (self.http_port is None or self.grpc_port is None):
            expect(self.server.poll() is None, "writ serve exited with %s while starting" % self.server.returncode)
            text = open(self.err).read()
            m = re.search(r"ext_authz \(gRPC\) listening on .*\(port (\d+)\)", text)
            if m:
                self.grpc_port = int(m.group(1))
            m = re.search(r"serve: listening on .*\(port (\d+)\)", text)
            if m:
                self.http_port = int(m.group(1))
            time.sleep(0.05)
        expect(self.grpc_port, "no `writ serve: ext_authz (gRPC) listening on ... (port N)` line within 20 s")
        expect(self.http_port, "no `writ serve: listening on ... (port N)` line within 20 s")
        self.channel = grpc.insecure_channel("127.0.0.1:%d" % self.grpc_port,
                                             options=[("grpc.max_send_message_length", -1),
                                                      ("grpc.max_receive_message_length", -1)])
        self.check_rpc = self.channel.unary_unary(CHECK, request_serializer=ea.CheckRequest.SerializeToString,
                                                  response_deserializer=ea.CheckResponse.FromString)
        self.health_rpc = self.channel.unary_unary(
            HEALTH, request_serializer=health.HealthCheckRequest.SerializeToString,
            response_deserializer=health.HealthCheckResponse.FromString)
        print("ok: writ serve started: HTTP on port %d, ext_authz (gRPC) on port %d" % (self.http_port, self.grpc_port))

    def stop(self):
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()

    # --- requests ----------------------------------------------------------
    def request(self, principal=API, method="GET", path="/api/public/x", host="shop.example", headers=None,
                header_map=None, extensions=None, address=None, body=None):
        """A CheckRequest as Envoy builds it; returns (request, its x-request-id)."""
        self.ids += 1
        rid = "e2e-%d-%d" % (os.getpid(), self.ids)
        r = ea.CheckRequest()
        a = r.attributes
        if principal is not None:
            a.source.principal = principal
        if address is not None:
            a.source.address.socket_address.address = address
            a.source.address.socket_address.port_value = 41234
        a.destination.principal = "spiffe://prod.acme.io/ns/shop/sa/backend"
        h = a.request.http
        h.id = rid
        h.method = method
        h.path = path
        h.host = host
        h.scheme = "http"
        h.protocol = "HTTP/1.1"
        if header_map is not None:
            for k, v in header_map + [("x-request-id", rid)]:
                hv = h.header_map.headers.add()
                hv.key = k
                hv.raw_value = v.encode() if isinstance(v, str) else v
        else:
            h.headers[":authority"] = host
            h.headers[":method"] = method
            h.headers[":path"] = path
            h.headers["x-request-id"] = rid
            for k, v in (headers or {}).items():
                h.headers[k] = v
        if body is not None:
            h.raw_body = body
        for k, v in (extensions or {}).items():
            a.context_extensions[k] = v
        return r, rid

    def check(self, **kw):
        r, rid = self.request(**kw)
        resp = self.check_rpc(r, timeout=10)
        self.checked += 1
        if resp.status.code == 0 and resp.WhichOneof("http_response") == "ok_response":
            self.allows += 1
        return resp, rid

    @staticmethod
    def headers_of(resp):
        which = resp.WhichOneof("http_response")
        opts = resp.ok_response.headers if which == "ok_response" else resp.denied_response.headers
        out = {}
        for o in opts:
            expect(o.append_action == OVERWRITE_IF_EXISTS_OR_ADD,
                   "header %s has append_action %d, not OVERWRITE_IF_EXISTS_OR_ADD" % (o.header.key, o.append_action))
            expect(o.header.key not in out, "header %s twice in the response" % o.header.key)
            out[o.header.key] = o.header.value if o.header.value else o.header.raw_value.decode()
        return out

    def expect_allow(self, what, reasons=None, version=None, **kw):
        resp, rid = self.check(**kw)
        hs = self.headers_of(resp)
        expect(resp.status.code == 0 and resp.WhichOneof("http_response") == "ok_response",
               "%s: expected allow (status 0, ok_response), got status %d %r, %s, headers %r"
               % (what, resp.status.code, resp.status.message, resp.WhichOneof("http_response"), hs))
        expect(hs.get("x-writ-decision") == "allow", "%s: x-writ-decision is %r" % (what, hs.get("x-writ-decision")))
        expect(re.fullmatch(r"[0-9]+", hs.get("x-writ-policy-version", "")),
               "%s: x-writ-policy-version is %r" % (what, hs.get("x-writ-policy-version")))
        if version is not None:
            expect(hs["x-writ-policy-version"] == str(version),
                   "%s: policy version %s, expected %d" % (what, hs["x-writ-policy-version"], version))
        if reasons is not None:
            expect(hs.get("x-writ-reasons") == reasons,
                   "%s: x-writ-reasons is %r, expected %r" % (what, hs.get("x-writ-reasons"), reasons))
        print("ok: %s: allow (reasons %s)" % (what, hs.get("x-writ-reasons")))
        return resp, rid

    def expect_deny(self, what, reasons=None, message=None, **kw):
        resp, rid = self.check(**kw)
        hs = self.headers_of(resp)
        expect(resp.status.code == 7 and resp.WhichOneof("http_response") == "denied_response",
               "%s: expected deny (status 7 PERMISSION_DENIED, denied_response), got status %d %r, %s"
               % (what, resp.status.code, resp.status.message, resp.WhichOneof("http_response")))
        expect(resp.denied_response.status.code == http_status.Forbidden,
               "%s: denied_response.status.code is %d, not 403" % (what, resp.denied_response.status.code))
        expect(hs.get("x-writ-decision") == "deny", "%s: x-writ-decision is %r" % (what, hs.get("x-writ-decision")))
        expect(resp.status.message, "%s: a deny without status.message" % what)
        if reasons is not None:
            expect(hs.get("x-writ-reasons", "") == reasons,
                   "%s: x-writ-reasons is %r, expected %r" % (what, hs.get("x-writ-reasons"), reasons))
        if message is not None:
            expect(message in resp.status.message,
                   "%s: status.message %r does not say %r" % (what, resp.status.message, message))
            expect(message in hs.get("x-writ-deny-reason", ""),
                   "%s: x-writ-deny-reason %r does not say %r" % (what, hs.get("x-writ-deny-reason"), message))
        print("ok: %s: deny (%s)" % (what, resp.status.message if message else "reasons %s" % hs.get("x-writ-reasons")))
        return resp, rid

    def logged(self, rid, timeout=5.0):
        """The decision-log line of the request with x-request-id `rid`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(self.log):
                with open(self.log) as f:
                    for line in f:
                        if rid in line:
                            return json.loads(line)
            time.sleep(0.05)
        raise Failure("no decision-log line for request %s within %.0f s" % (rid, timeout))

    def expect_decided_on(self, what, rid, resource, extra=None):
        line = self.logged(rid)
        expect(line.get("endpoint") == "ext_authz", "%s: logged endpoint %r" % (what, line.get("endpoint")))
        got = (line.get("request") or {}).get("resource")
        expect(got == {"type": "Path", "id": resource}, "%s: decided on resource %r, expected Path::%r"
               % (what, got, resource))
        for path, want in (extra or {}).items():
            v = line["request"]
            for k in path.split("."):
                v = v.get(k) if isinstance(v, dict) else None
            expect(v == want, "%s: logged request.%s is %r, expected %r" % (what, path, v, want))
        print("ok: %s: the decision log says it was decided on Path::%r" % (what, resource))
        return line


def run(h):
    """Every section runs; a failed one is reported and the rest go on."""
    sections = []

    def section(title):
        def register(fn):
            sections.append((title, fn))
            return fn
        return register

    @section('health')
    def _():
        for service in ("", "envoy.service.auth.v3.Authorization"):
            deadline = time.time() + (10 if service == "" else 1)   # the server is up once "" is SERVING
            while True:
                try:
                    st = h.health_rpc(health.HealthCheckRequest(service=service), timeout=5).status
                except grpc.RpcError as e:
                    st = "error %s" % e.code()
                if st == health.HealthCheckResponse.SERVING or time.time() > deadline:
                    break
                time.sleep(0.1)
            expect(st == health.HealthCheckResponse.SERVING, "health of %r is %r, not SERVING" % (service, st))
            print("ok: grpc.health.v1.Health/Check(%r): SERVING" % service)

    @section('allow and deny with a SPIFFE peer principal')
    def _():
        h.expect_allow("SPIFFE peer GET /api/public/x", reasons="policy0", version=1)
        h.expect_deny("SPIFFE peer GET /admin (forbid)", reasons="policy1", path="/admin")
        h.expect_deny("another workload GET /api/public/x (no permit)", reasons="", principal=WEB)
        h.expect_deny("SPIFFE peer POST /api/public/x (no permit for POST)", reasons="", method="POST")
        _, rid = h.expect_allow("query split off", path="/api/public/x?limit=10&a=b")
        line = h.expect_decided_on("query split off", rid, "/api/public/x", {
            "principal": {"type": "Workload", "id": API}, "action": {"type": "Action", "id": "GET"},
            "context.path": "/api/public/x", "context.query": "limit=10&a=b", "context.method": "GET",
            "context.host": "shop.example", "context.spiffe": {"__extn": {"fn": "spiffe", "arg": API}}})
        expect(line.get("decision") == "allow", "logged decision %r" % line.get("decision"))

    @section('principals')
    def _():
        h.expect_deny("no source.principal", message="no principal", principal=None)
        h.expect_deny("empty source.principal", message="no principal", principal="")
        h.expect_deny("non-SPIFFE principal", message="is not a SPIFFE ID", principal="payments-api")
        h.expect_deny("principal with a non-spiffe scheme", message="is not a SPIFFE ID",
                      principal="https://prod.acme.io/ns/payments/sa/api")

    @section('paths')
    def _():
        _, rid = h.expect_allow("/api//public/./x", reasons="policy0", path="/api//public/./x")
        h.expect_decided_on("/api//public/./x", rid, "/api/public/x")
        _, rid = h.expect_allow("/api/public/a/../x", path="/api/public/a/../x")
        h.expect_decided_on("/api/public/a/../x", rid, "/api/public/x")
        # %2e%2e is decoded once and then is a dot segment (README "Paths"), so the
        # forbid on /admin holds however the path spells it.
        _, rid = h.expect_deny("/api/public/%2e%2e/%2E%2E/admin", reasons="policy1", path="/api/public/%2e%2e/%2E%2E/admin")
        h.expect_decided_on("/api/public/%2e%2e/%2E%2E/admin", rid, "/admin")
        for path, says in [("/api/public/..;/admin", "dot segment with parameters"),
                           ("/api/public/%2e%2e;/admin", "dot segment with parameters"),
                           ("/api/public/%2e%2e%3b/admin", "dot segment with parameters"),
                           ("/api/public/x;jsessionid=1", "a `;`"),
                           ("/api/public/%252e%252e/admin", "percent-encoded twice"),
                           ("/api/public/..%2fadmin", "encoded slash"),
                           ("/api/public/..%5cadmin", "encoded backslash"),
                           ("/api/public/%zz", "malformed percent-escape"),
                           ("/../admin", "climbs above the root"),
                           ("api/public/x", "")]:
            h.expect_deny("ambiguous path %s" % path, message=says or None, path=path)

    @section('forged forwarding headers are ignored')
    def _():
        _, rid = h.expect_deny("http.path /secret, forged x-forwarded-uri /api/public/x", reasons="", path="/secret",
                               headers={"x-forwarded-uri": "/api/public/x", "x-original-uri": "/api/public/x"})
        h.expect_decided_on("forged x-forwarded-uri", rid, "/secret")
        _, rid = h.expect_allow("http.path /api/public/x, forged x-forwarded-uri /admin and x-forwarded-method DELETE",
                                reasons="policy0",
                                headers={"x-forwarded-uri": "/admin", "x-forwarded-method": "DELETE"})
        h.expect_decided_on("forged x-forwarded-uri /admin", rid, "/api/public/x",
                            {"action": {"type": "Action", "id": "GET"}})
        _, rid = h.expect_deny("peer web, forged x-forwarded-client-cert of the payments API", reasons="", principal=WEB,
                               headers={"x-forwarded-client-cert": "Hash=0f;URI=" + API})
        h.expect_decided_on("forged XFCC", rid, "/api/public/x", {"principal": {"type": "Workload", "id": WEB}})
        h.expect_allow("peer payments API, forged XFCC of another workload (header_map)", reasons="policy0",
                       header_map=[("x-forwarded-client-cert", "Hash=0f;URI=spiffe://evil.example/x"),
                                   ("x-forwarded-uri", "/admin"), ("x-forwarded-host", "evil.example")])

    @section('configured context headers, from headers or header_map')
    def _():
        h.expect_allow("x-env: ok (headers map)", headers={"x-env": "ok"})
        h.expect_deny("x-env: blocked (headers map)", reasons="policy4", headers={"x-env": "ok, blocked"})
        h.expect_deny("x-env: blocked (header_map)", reasons="policy4", header_map=[("x-env", "blocked")])
        _, rid = h.expect_deny("x-env: two header_map entries", reasons="policy4",
                               header_map=[("x-env", "ok"), ("x-env", "blocked")])
        h.expect_decided_on("x-env list", rid, "/api/public/x")

    @section('bounds')
    def _():
        # At most 16 KiB of headers, each line name + value + HEADER_LINE_OVERHEAD;
        # request() adds x-request-id to the two given here.
        rid_len = len("x-request-id") + len("e2e-%d-%d" % (os.getpid(), h.ids + 1))
        pad = 16 * 1024 - rid_len - len("x-pad") - 2 * HEADER_LINE_OVERHEAD
        h.expect_allow("headers totalling exactly 16 KiB", header_map=[("x-pad", "p" * pad)])
        rid_len = len("x-request-id") + len("e2e-%d-%d" % (os.getpid(), h.ids + 1))
        pad = 16 * 1024 - rid_len - len("x-pad") - 2 * HEADER_LINE_OVERHEAD + 1
        h.expect_deny("headers totalling 16 KiB + 1 byte", message="header", header_map=[("x-pad", "p" * pad)])
        h.expect_deny("a 20 KiB header (headers map)", message="header", headers={"x-big": "b" * 20000})
        h.expect_allow("a 900 KiB body (message under 1 MiB)", body=b"x" * (900 * 1024))
        try:
            r, _ = h.request(body=b"x" * (1024 * 1024 + 1024))
            h.check_rpc(r, timeout=10)
            raise Failure("a CheckRequest over 1 MiB was answered, expected RESOURCE_EXHAUSTED")
        except grpc.RpcError as e:
            expect(e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED,
                   "a CheckRequest over 1 MiB failed with %s, expected RESOURCE_EXHAUSTED" % e.code())
        print("ok: a CheckRequest over 1 MiB: RPC failed with RESOURCE_EXHAUSTED")
        h.expect_allow("the server still answers after the oversized message")

    @section("context extensions and the peer's address")
    def _():
        ext64 = {"k%02d" % i: "v" for i in range(63)}
        ext64["tenant"] = "a"
        _, rid = h.expect_allow("POST /api/tenant with extensions.tenant == \"a\"", reasons="policy2", method="POST",
                                path="/api/tenant", extensions={"tenant": "a", "route": "orders"})
        h.expect_decided_on("extensions", rid, "/api/tenant", {"context.extensions": {"tenant": "a", "route": "orders"}})
        h.expect_deny("POST /api/tenant with extensions.tenant == \"b\"", reasons="", method="POST", path="/api/tenant",
                      extensions={"tenant": "b"})
        h.expect_deny("POST /api/tenant without extensions", reasons="", method="POST", path="/api/tenant")
        h.expect_allow("64 context extensions", reasons="policy2", method="POST", path="/api/tenant", extensions=ext64)
        ext65 = dict(ext64, k63="v")
        h.expect_deny("65 context extensions", message="context extensions", method="POST", path="/api/tenant",
                      extensions=ext65)
        _, rid = h.expect_allow("PUT /api/internal from 10.1.2.3", reasons="policy3", method="PUT",
                                path="/api/internal", address="10.1.2.3")
        h.expect_decided_on("source_address", rid, "/api/internal",
                            {"context.source_address": {"__extn": {"fn": "ip", "arg": "10.1.2.3/32"}}})
        h.expect_deny("PUT /api/internal from 192.168.1.1", reasons="", method="PUT", path="/api/internal",
                      address="192.168.1.1")
        h.expect_deny("PUT /api/internal without a source address", reasons="", method="PUT", path="/api/internal")

    @section('reload while calls keep coming')
    def _():
        h.expect_allow("GET /reload/x before the reload", version=1, path="/reload/x")
        results, errors, stop = [], [], threading.Event()

        def caller():
            while not stop.is_set():
                r, _ = h.request(path="/reload/x")
                try:
                    resp = h.check_rpc(r, timeout=10)
                    hs = Harness.headers_of(resp)
                    results.append((time.time(), resp.status.code, hs.get("x-writ-decision"),
                                    hs.get("x-writ-policy-version")))
                except (grpc.RpcError, Failure) as e:
                    errors.append(repr(e))

        threads = [threading.Thread(target=caller) for _ in range(2)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        rewritten = time.time()
        with open(h.reload_file + ".new", "w") as f:
            f.write(RELOAD_DENY)
        os.replace(h.reload_file + ".new", h.reload_file)
        switched = None
        while time.time() < rewritten + 8:
            if any(t >= rewritten and code == 7 for t, code, _, _ in results):
                switched = time.time()
                break
            time.sleep(0.05)
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join()
        expect(not errors, "calls failed during the reload: %s" % errors[:3])
        expect(switched, "the decision did not switch within 8 s of rewriting the policy file")
        bad = [r for r in results if (r[1], r[2]) not in ((0, "allow"), (7, "deny"))]
        expect(not bad, "torn answers during the reload: %r" % bad[:3])
        before = [r for r in results if r[1] == 0]
        after = [r for r in results if r[1] == 7]
        expect(all(r[3] == "1" for r in before), "an allow under a version other than 1: %r" % before[:3])
        expect(all(r[3] == "2" for r in after), "a deny under a version other than 2: %r" % after[:3])
        first_deny = min(r[0] for r in after)
        # An allow answered under version 1 may be recorded just after another
        # thread's first deny; none may come later than that.
        late = [r for r in before if r[0] > first_deny + 0.5]
        expect(not late, "allowed again %d times after the switch: %r" % (len(late), late[:3]))
        print("ok: reload on file change during %d calls from 2 threads: no call failed, allow (v1) -> deny (v2) "
              "%.1f s after the rewrite" % (len(results), switched - rewritten))
        h.checked += len(results)
        h.allows += len(before)
        with open(h.reload_file, "w") as f:
            f.write(RELOAD_ALLOW + "// back, by SIGHUP\n")
        h.server.send_signal(signal.SIGHUP)
        deadline = time.time() + 8
        while True:
            resp, _ = h.check(path="/reload/x")
            if resp.status.code == 0 or time.time() > deadline:
                break
            time.sleep(0.05)
        expect(resp.status.code == 0, "GET /reload/x still denied 8 s after SIGHUP")
        ver = Harness.headers_of(resp)["x-writ-policy-version"]
        # 3, or 4 if the file poller saw the rewrite besides the SIGHUP.
        expect(ver in ("3", "4"), "after SIGHUP the policy version is %s, expected 3 (or 4)" % ver)
        print("ok: SIGHUP: GET /reload/x allowed again under version %s" % ver)

    @section('metrics and the decision log')
    def _():
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % h.http_port, timeout=5) as r:
            metrics = r.read().decode()
        counts = {}
        for m in re.finditer(r'^writ_decisions_total\{([^}]*)\} ([0-9.e+]+)$', metrics, re.M):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            if labels.get("endpoint") == "ext_authz":
                counts[labels.get("decision")] = float(m.group(2))
        expect(counts.get("allow") == h.allows, "metrics: ext_authz allows %r, the client received %d (metrics: %r)"
               % (counts.get("allow"), h.allows, counts))
        expect(counts.get("deny", 0) > 0, "metrics: no ext_authz denies counted (%r)" % counts)
        expect(sum(counts.values()) <= h.checked, "metrics: more ext_authz decisions (%r) than calls (%d)"
               % (counts, h.checked))
        print("ok: /metrics: writ_decisions_total{endpoint=\"ext_authz\"} allow %d (as received), deny %d"
              % (counts["allow"], counts["deny"]))
        with open(h.log) as f:
            lines = [json.loads(l) for l in f if l.strip()]
        ext = [l for l in lines if l.get("endpoint") == "ext_authz"]
        expect(len(ext) == len(lines), "decision-log lines from other endpoints: %r"
               % {l.get("endpoint") for l in lines})
        expect(any(l["decision"] == "deny" and l.get("errors") for l in ext), "no logged deny with an error")
        print("ok: decision log: %d lines, all with \"endpoint\":\"ext_authz\"" % len(ext))

    failures = []
    for title, fn in sections:
        try:
            fn()
        except Failure as e:
            print("FAIL: %s: %s" % (title, e))
            failures.append("%s: %s" % (title, e))
    return failures


def start_extra(h, name, args):
    """Another writ serve (for one section); returns (process, its gRPC Check)."""
    err = os.path.join(h.tmp, "stderr-" + name)
    with open(err, "w") as f:
        proc = subprocess.Popen([h.writ, "serve", "--listen", "127.0.0.1:0", "--grpc-listen", "127.0.0.1:0"] + args,
                                stdout=subprocess.DEVNULL, stderr=f)
    port, deadline = None, time.time() + 20
    while port is None and time.time() < deadline:
        if proc.poll() is not None:
            raise Failure("writ serve (%s) exited with %s:\n%s" % (name, proc.returncode, open(err).read()))
        m = re.search(r"ext_authz \(gRPC\) listening on .*\(port (\d+)\)", open(err).read())
        port = int(m.group(1)) if m else None
        time.sleep(0.05)
    if port is None:
        stop_extra(proc)
        raise Failure("writ serve (%s) printed no ext_authz listening line within 20 s:\n%s" % (name, open(err).read()))
    ch = grpc.insecure_channel("127.0.0.1:%d" % port)
    return proc, ch


def stop_extra(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_configured(h):
    """A config that names a header for the path: over gRPC it is read then
    (the forward_auth keys apply to both transports), and http.path counts
    only when the header is absent."""
    config = os.path.join(h.tmp, "configured.yaml")
    with open(config, "w") as f:
        f.write("forward_auth:\n  resource:\n    headers: [x-original-uri]\n")
    proc, ch = start_extra(h, "configured", ["--policies", os.path.join(h.policies, "ext_authz.cedar"),
                                             "--config", config])
    try:
        check = ch.unary_unary(CHECK, request_serializer=ea.CheckRequest.SerializeToString,
                               response_deserializer=ea.CheckResponse.FromString)
        r, _ = h.request(path="/secret", headers={"x-original-uri": "/api/public/x"})
        resp = check(r, timeout=10)
        expect(resp.status.code == 0, "resource.headers [x-original-uri], http.path /secret, x-original-uri "
               "/api/public/x: expected allow, got status %d %r" % (resp.status.code, resp.status.message))
        r, _ = h.request(path="/secret")
        resp = check(r, timeout=10)
        expect(resp.status.code == 7, "resource.headers [x-original-uri] absent, http.path /secret: expected deny, "
               "got status %d" % resp.status.code)
        r, _ = h.request(path="/api/public/x", headers={"x-forwarded-uri": "/api/public/x"})
        resp = check(r, timeout=10)
        expect(resp.status.code == 0, "resource.headers [x-original-uri] absent, http.path /api/public/x: "
               "expected allow, got status %d %r" % (resp.status.code, resp.status.message))
        print("ok: a config naming x-original-uri: read over gRPC when present (allow), http.path otherwise")
    finally:
        ch.close()
        stop_extra(proc)


def run_not_ready(h):
    """A replica with no policy set (--bundle from a URL nobody answers, no
    cache): Check is UNAVAILABLE with a 503 and the health service is not
    SERVING."""
    proc, ch = start_extra(h, "not-ready", ["--bundle", "http://127.0.0.1:9/none.tar.gz", "--bundle-allow-unsigned",
                                            "--bundle-cache", os.path.join(h.tmp, "cache"), "--bundle-poll", "60s"])
    try:
        check = ch.unary_unary(CHECK, request_serializer=ea.CheckRequest.SerializeToString,
                               response_deserializer=ea.CheckResponse.FromString)
        r, _ = h.request()
        resp = check(r, timeout=10)
        expect(resp.status.code == 14 and resp.WhichOneof("http_response") == "denied_response"
               and resp.denied_response.status.code == http_status.ServiceUnavailable,
               "expected status 14 UNAVAILABLE and a 503, got status %d %r, %s %d"
               % (resp.status.code, resp.status.message, resp.WhichOneof("http_response"),
                  resp.denied_response.status.code))
        hs = Harness.headers_of(resp)
        expect(hs.get("x-writ-decision") == "deny", "x-writ-decision is %r" % hs.get("x-writ-decision"))
        print("ok: no policy set loaded: status 14 UNAVAILABLE, denied_response 503 (%s)" % resp.status.message)
        hc = ch.unary_unary(HEALTH, request_serializer=health.HealthCheckRequest.SerializeToString,
                            response_deserializer=health.HealthCheckResponse.FromString)
        for service in ("", "envoy.service.auth.v3.Authorization"):
            try:
                st = hc(health.HealthCheckRequest(service=service), timeout=5).status
            except grpc.RpcError as e:
                st = "error %s" % e.code()
            expect(st == health.HealthCheckResponse.NOT_SERVING,
                   "health of %r is %r, expected NOT_SERVING" % (service, st))
        print("ok: no policy set loaded: health NOT_SERVING")
    finally:
        ch.close()
        stop_extra(proc)


def main():
    if len(sys.argv) != 3:
        print("usage: ext_authz_e2e.py PATH/TO/writ SOURCE_DIR", file=sys.stderr)
        return 2
    h = Harness(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
    started = time.time()
    try:
        h.generate_protos()
        h.start()
        failures = run(h)
        for title, fn in (("configured headers", run_configured), ("no policy set", run_not_ready)):
            try:
                fn(h)
            except Failure as e:
                print("FAIL: %s: %s" % (title, e))
                failures.append("%s: %s" % (title, e))
        if failures:
            raise Failure("%d section(s) failed:\n  " % len(failures) + "\n  ".join(failures))
        print("PASS: %d Check calls in %.1f s" % (h.checked, time.time() - started))
        return 0
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        if h.err:
            with open(h.err) as f:
                print("--- writ serve's stderr:\n" + f.read(), file=sys.stderr)
        return 1
    finally:
        h.stop()
        shutil.rmtree(h.tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
