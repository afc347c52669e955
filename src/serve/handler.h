// serve: what `writ serve` answers — routing and the endpoints, on an HTTP
// request already read (no HTTP library types here; server.cc reads and
// writes the bytes). Every path that is not an allow decision is a deny:
// malformed, oversized, not ready and internal errors included.
//
//   POST /v1/authorize          a request (the `writ authorize` JSON form) -> its decision
//   POST /v1/authorize/batch    an array of requests -> an array of decisions
//   *    /v1/forward-auth[/...] forward-auth: 200 allow, 403 deny, reasons in X-Writ-* headers
//   GET  /healthz /readyz /metrics
#ifndef WRIT_SRC_SERVE_HANDLER_H_
#define WRIT_SRC_SERVE_HANDLER_H_

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/serve/decision_log.h"
#include "src/serve/decision_service.h"
#include "src/serve/forward_auth.h"
#include "src/serve/metrics.h"
#include "src/serve/policy_store.h"

namespace writ::serve {

struct HttpRequest {
  std::string_view method;
  std::string_view target;
  std::vector<HeaderLine> headers;
  std::string_view body;
};

struct HttpReply {
  int status = 500;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class Handler {
 public:
  // `log` may be null (no decision log). All must outlive the handler.
  Handler(ForwardAuthConfig forward_auth, const PolicyHolder* holder, Metrics* metrics, DecisionLog* log);

  // Answers one request; `start` is when it was read (for the latency).
  // Never throws: an exception inside becomes a 500 deny.
  HttpReply Handle(const HttpRequest& request, std::chrono::steady_clock::time_point start) const;

  // The deny sent when a request cannot be read at all (too large, bad
  // HTTP, overload): `status` with the reason. Counted as `why`.
  HttpReply Refuse(Refusal why, int status, std::string_view reason) const;

  Metrics* metrics() const { return metrics_; }

  // Whether answering `request` may take long: a batch, or a body over
  // kInlineBodyBytes (limits.h). The server decides such requests on its
  // deciding threads, never on the HTTP thread that read them.
  static bool MayTakeLong(const HttpRequest& request);

 private:
  HttpReply HandleUnsafe(const HttpRequest& request, std::chrono::steady_clock::time_point start) const;
  HttpReply Authorize(const HttpRequest& request, std::chrono::steady_clock::time_point start) const;
  HttpReply Batch(const HttpRequest& request, std::chrono::steady_clock::time_point start) const;
  HttpReply ForwardAuth(const HttpRequest& request, std::string_view fallback_uri,
                        std::chrono::steady_clock::time_point start) const;
  HttpReply Ready() const;

  const ForwardAuthConfig forward_auth_;
  const PolicyHolder* holder_;
  Metrics* metrics_;
  DecisionLog* log_;
  DecisionService service_;
};

// The top-level elements of a JSON array, as text, without parsing them
// (nor recursing: strings and brackets are tracked with a counter). An
// error when `json` is not one array, or holds more than `max_elements`.
absl::StatusOr<std::vector<std::string_view>> SplitJsonArray(std::string_view json, std::size_t max_elements);

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_HANDLER_H_
