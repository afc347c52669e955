// serve: the decision service — snapshot, mapping, decision, metrics and
// the decision log for one request, the same for every transport.
#include "src/serve/decision_service.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "src/json/decision_json.h"
#include "src/json/plain_request.h"
#include "writ/load.h"

namespace writ::serve {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t NanosSince(Clock::time_point start) {
  const auto d = Clock::now() - start;
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

// A deny, without deciding, for `reason`.
void DenyFor(Outcome::Kind kind, std::string_view reason, Outcome* out) {
  out->kind = kind;
  out->decision = DenyWithError(std::string(reason));
}

// A header-safe rendering: printable ASCII only, bounded.
std::string HeaderSafe(std::string_view s) {
  std::string out;
  out.reserve(std::min(s.size(), kMaxReasonHeaderBytes));
  for (char ch : s) {
    if (out.size() >= kMaxReasonHeaderBytes) {
      out += "...";
      break;
    }
    const unsigned char c = static_cast<unsigned char>(ch);
    out.push_back(c >= 0x20 && c < 0x7F ? ch : '?');
  }
  return out;
}

}  // namespace

std::string_view Outcome::reason() const {
  if (kind == Kind::kDecided || decision.errors.empty()) return {};
  return decision.errors.front().message;
}

std::string DecisionBody(const Outcome& outcome) {
  std::string json = "{";
  internal::AppendDecisionMembers(&json, outcome.decision);
  absl::StrAppend(&json, ",\"policy_version\":", outcome.policy_version, "}");
  return json;
}

std::vector<std::pair<std::string, std::string>> DecisionHeaders(const Outcome& outcome) {
  const Decision& d = outcome.decision;
  std::vector<std::pair<std::string, std::string>> h;
  h.push_back({"X-Writ-Decision", d.allowed ? "allow" : "deny"});
  if (outcome.kind != Outcome::Kind::kDecided) {
    h.push_back({"X-Writ-Deny-Reason", HeaderSafe(outcome.reason())});
    return h;
  }
  if (!d.reasons.empty()) h.push_back({"X-Writ-Reasons", HeaderSafe(absl::StrJoin(d.reasons, ","))});
  if (!d.errors.empty()) {
    std::vector<std::string> errors;
    for (const PolicyError& e : d.errors) errors.push_back(absl::StrCat(e.policy_id, ": ", e.message));
    h.push_back({"X-Writ-Errors", HeaderSafe(absl::StrJoin(errors, "; "))});
  }
  if (!d.breakglass.empty()) h.push_back({"X-Writ-Breakglass", HeaderSafe(absl::StrJoin(d.breakglass, ","))});
  if (d.revoked) h.push_back({"X-Writ-Revoked", "true"});
  if (!d.allowed && d.reasons.empty() && !d.revoked) h.push_back({"X-Writ-Deny-Reason", "no policy permits the request"});
  return h;
}

DecisionService::DecisionService(const PolicyHolder* holder, Metrics* metrics, DecisionLog* log)
    : holder_(holder), metrics_(metrics), log_(log) {}

void DecisionService::Decide(Endpoint endpoint, Mapper map, Clock::time_point start, Outcome* out) const {
  DecideUnder(holder_->Current(), endpoint, map, start, out);
}

void DecisionService::DecideUnder(const PolicyHolder::Ref& snap, Endpoint endpoint, Mapper map,
                                  Clock::time_point start, Outcome* out) const {
  out->policy_version = snap ? snap->version : 0;
  out->bundle_revision = snap ? snap->bundle_revision : 0;
  if (!snap) {
    metrics_->RecordRefusal(Refusal::kNotReady);
    DenyFor(Outcome::Kind::kNotReady, "no policy set is loaded yet", out);
    if (log_ != nullptr) {
      log_->Push(DecisionLogLine(EndpointName(endpoint), nullptr, out->decision, 0, 0, NanosSince(start), absl::Now()));
    }
    return;
  }
  bool nonconforming = false;
  absl::StatusOr<Request> request = map(*snap, &nonconforming);
  if (request.ok()) {
    out->kind = Outcome::Kind::kDecided;
    snap->engine->Decide(*request, &out->decision);
  } else if (nonconforming) {
    // Well-formed but not what the schema says: denied with the reason,
    // never decided on misread data.
    DenyFor(Outcome::Kind::kNonconforming,
            absl::StrCat("request does not conform to the schema: ", request.status().message()), out);
  } else {
    metrics_->RecordRefusal(Refusal::kMalformed);
    DenyFor(Outcome::Kind::kUnmapped, std::string(request.status().message()), out);
  }
  const std::uint64_t nanos = NanosSince(start);
  metrics_->RecordDecision(endpoint, out->decision.allowed, nanos);
  if (log_ != nullptr) {
    log_->Push(DecisionLogLine(EndpointName(endpoint), request.ok() ? &*request : nullptr, out->decision,
                               out->policy_version, out->bundle_revision, nanos, absl::Now()));
  }
}

void DecisionService::DecideJson(Endpoint endpoint, std::string_view json, Mapper map, Clock::time_point start,
                                 Outcome* out) const {
  DecideJsonUnder(holder_->Current(), endpoint, json, map, start, out);
}

void DecisionService::DecideJsonUnder(const PolicyHolder::Ref& snap, Endpoint endpoint, std::string_view json,
                                      Mapper map, Clock::time_point start, Outcome* out) const {
  if (snap && !snap->schema && log_ == nullptr && internal::DecidePlainJson(*snap->engine, json, &out->decision)) {
    out->policy_version = snap->version;
    out->bundle_revision = snap->bundle_revision;
    out->kind = Outcome::Kind::kDecided;
    metrics_->RecordDecision(endpoint, out->decision.allowed, NanosSince(start));
    return;
  }
  DecideUnder(snap, endpoint, map, start, out);
}

void DecisionService::Refuse(std::string_view transport, Refusal why, std::string_view reason, Outcome* out) const {
  metrics_->RecordRefusal(why);
  PolicyHolder::Ref snap = holder_->Current();
  out->policy_version = snap ? snap->version : 0;
  out->bundle_revision = snap ? snap->bundle_revision : 0;
  DenyFor(Outcome::Kind::kRefused, reason, out);
  if (log_ != nullptr) {
    log_->Push(DecisionLogLine(transport, nullptr, out->decision, out->policy_version, out->bundle_revision, 0,
                               absl::Now()));
  }
}

}  // namespace writ::serve
