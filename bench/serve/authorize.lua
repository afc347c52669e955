-- wrk script: POST /v1/authorize with the example request (policies/example).
-- wrk -t2 -c32 -d15s --latency -s bench/serve/authorize.lua http://127.0.0.1:8181/v1/authorize
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"principal":{"type":"Workload","id":"spiffe://prod.acme.io/ns/payments/sa/api"},"action":{"type":"Action","id":"write"},"resource":{"type":"Bucket","id":"ledger-2026"},"context":{"environment":"prod","now":1795000000,"credential":{"id":"cred-7f3a","revoked":false,"expires":1795003600}}}]]
