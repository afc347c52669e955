// serve: the decision service — one decision, whatever the transport that
// asked (HTTP JSON, HTTP forward-auth, gRPC ext_authz). The current policy
// snapshot is taken once; the transport's input is read or mapped into a
// Request under it (its schema); the request is decided; the decision is
// counted and logged once. Transports only translate their input into a
// Mapper and render the Outcome.
//
// Example (a transport's handler):
//   thread_local Outcome outcome;
//   service.Decide(Endpoint::kForwardAuth, [&](const Snapshot&, bool*) {
//     return MapGatewayRequest(config, gateway_request);
//   }, start, &outcome);
//   reply.status = outcome.decision.allowed ? 200 : 403;
#ifndef WRIT_SRC_SERVE_DECISION_SERVICE_H_
#define WRIT_SRC_SERVE_DECISION_SERVICE_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "src/serve/decision_log.h"
#include "src/serve/metrics.h"
#include "src/serve/policy_store.h"
#include "writ/authorize.h"
#include "writ/request.h"

namespace writ::serve {

// A decision as every transport renders it.
struct Outcome {
  enum class Kind : std::uint8_t {
    kDecided,         // the policies decided (allow or deny)
    kNotReady,        // no policy set is loaded yet: deny
    kUnmapped,        // the input could not be read or mapped into a request: deny
    kNonconforming,   // read, but not what the schema says: deny, never decided on misread data
    kRefused,         // refused before it was read (too large, a bad message, overload): deny
  };
  Kind kind = Kind::kNotReady;
  // For every kind but kDecided, a deny whose one error (policy "") says why.
  Decision decision;
  std::uint64_t policy_version = 0;    // 0: no policy set loaded
  std::uint64_t bundle_revision = 0;   // 0: not from a bundle

  // Why a deny was given without deciding; "" for kDecided.
  std::string_view reason() const;
};

// A transport's reading of its input into a request, under `snapshot` (read
// JSON through its schema). On error the status message is the reason for
// the deny; `*nonconforming` is set when the input was well-formed but did
// not conform to the schema.
using Mapper = absl::FunctionRef<absl::StatusOr<Request>(const Snapshot& snapshot, bool* nonconforming)>;

class DecisionService {
 public:
  // `log` may be null (no decision log). All must outlive the service.
  DecisionService(const PolicyHolder* holder, Metrics* metrics, DecisionLog* log);

  // One decision of `endpoint`: the current snapshot (none loaded: kNotReady,
  // counted as Refusal::kNotReady), `map` under it (an error: kUnmapped,
  // counted as Refusal::kMalformed, or kNonconforming), the decision, then
  // metrics (every outcome but kNotReady is a decision of `endpoint`, timed
  // from `start`) and one decision-log line. `out` is overwritten; callers
  // keep one per thread so that its vectors keep their capacity.
  void Decide(Endpoint endpoint, Mapper map, std::chrono::steady_clock::time_point start, Outcome* out) const;
  // As Decide, under `snapshot` (which may be null: kNotReady): for
  // decisions that must share one policy version, as a batch's do.
  void DecideUnder(const PolicyHolder::Ref& snapshot, Endpoint endpoint, Mapper map,
                   std::chrono::steady_clock::time_point start, Outcome* out) const;

  // As Decide and DecideUnder, for a transport whose input is the request's
  // JSON text (`map` reads it): with no schema and no decision log (whose
  // line records the context), the text is decided straight from the text
  // (writ::DecideJson's fast path, which never builds the context), and
  // read by `map` only when that path gives way. The same outcome either
  // way.
  void DecideJson(Endpoint endpoint, std::string_view json, Mapper map, std::chrono::steady_clock::time_point start,
                  Outcome* out) const;
  void DecideJsonUnder(const PolicyHolder::Ref& snapshot, Endpoint endpoint, std::string_view json, Mapper map,
                       std::chrono::steady_clock::time_point start, Outcome* out) const;

  // A request refused before it could be read (kRefused): counted as `why`,
  // logged under `transport` ("http", "grpc"), a deny saying `reason`.
  void Refuse(std::string_view transport, Refusal why, std::string_view reason, Outcome* out) const;

  Metrics* metrics() const { return metrics_; }
  DecisionLog* log() const { return log_; }
  const PolicyHolder* holder() const { return holder_; }

 private:
  const PolicyHolder* holder_;
  Metrics* metrics_;
  DecisionLog* log_;
};

// The decision as the headers a gateway passes on (forward-auth's reply,
// ext_authz's): X-Writ-Decision (allow|deny), then X-Writ-Reasons,
// X-Writ-Errors, X-Writ-Breakglass, X-Writ-Revoked when they say something,
// and X-Writ-Deny-Reason for a deny no policy gave (nothing permits, or why
// it was not decided). Printable ASCII only (other bytes become `?`), each
// value at most kMaxReasonHeaderBytes (then "...").
inline constexpr std::size_t kMaxReasonHeaderBytes = 1024;
std::vector<std::pair<std::string, std::string>> DecisionHeaders(const Outcome& outcome);

// The HTTP endpoints' decision JSON: DecisionToJson's members, then
// "policy_version".
std::string DecisionBody(const Outcome& outcome);

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_DECISION_SERVICE_H_
