-- wrk script: GET /v1/forward-auth as nginx auth_request sends it (an allowed
-- request under bench/serve/forward_auth.cedar).
-- wrk -t2 -c32 -d15s --latency -s bench/serve/forward_auth.lua http://127.0.0.1:8181/v1/forward-auth
wrk.method = "GET"
wrk.headers["X-Forwarded-Client-Cert"] = "Hash=0f;URI=spiffe://prod.acme.io/ns/payments/sa/api"
wrk.headers["X-Forwarded-Method"] = "GET"
wrk.headers["X-Forwarded-Uri"] = "/api/v1/orders//42/./items?limit=10"
wrk.headers["X-Forwarded-Host"] = "shop.example"
