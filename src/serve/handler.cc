// serve: the endpoints of `writ serve` — decisions as JSON, forward-auth as
// status codes and headers, health, readiness and metrics; every decision
// counted, timed and (with a decision log) logged as one JSON line.
#include "src/serve/handler.h"

#include <algorithm>
#include <exception>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "src/base/strings.h"
#include "src/serve/limits.h"
#include "writ/json.h"
#include "writ/load.h"

namespace writ::serve {
namespace {

using internal::Av;
using Clock = std::chrono::steady_clock;
using OrderedJson = nlohmann::ordered_json;

constexpr std::string_view kForwardAuthPrefix = "/v1/forward-auth";
// Bytes of one X-Writ-* header value; longer values end in "...".
constexpr std::size_t kMaxReasonHeaderBytes = 1024;

std::uint64_t NanosSince(Clock::time_point start) {
  const auto d = Clock::now() - start;
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

// The decision JSON with the version it was made under.
std::string DecisionBody(const Decision& d, std::uint64_t version) {
  std::string json = DecisionToJson(d);
  json.pop_back();   // '}'
  absl::StrAppend(&json, ",\"policy_version\":", version, "}");
  return json;
}

// Requests are read through the snapshot's schema, when it has one.
JsonOptions SchemaOptions(const Snapshot& snap) {
  JsonOptions options;
  options.schema = snap.schema ? &*snap.schema : nullptr;
  return options;
}

// The first error issue as "source:line:col: message".
std::string FirstError(const std::vector<Issue>& issues, const absl::Status& status) {
  for (const Issue& i : issues) {
    if (i.severity == Severity::kError) return absl::StrCat(IssueLocation(i), ": ", i.message);
  }
  return std::string(status.message());
}

// A header-safe rendering: printable ASCII only, bounded.
std::string HeaderSafe(absl::string_view s) {
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

std::string Json(const OrderedJson& j) { return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace); }

// One decision-log line, bounded (DecisionLogLine, decision_log.h).
std::string LogLine(std::string_view endpoint, const Request* request, const Decision& d, std::uint64_t version,
                    std::uint64_t nanos, std::uint64_t bundle_revision) {
  return DecisionLogLine(endpoint, request, d, version, bundle_revision, nanos, absl::Now());
}

}  // namespace

absl::StatusOr<std::vector<std::string_view>> SplitJsonArray(std::string_view json, std::size_t max_elements) {
  auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::size_t i = 0;
  const std::size_t n = json.size();
  while (i < n && is_ws(json[i])) ++i;
  if (i >= n || json[i] != '[') return absl::InvalidArgumentError("the batch is not a JSON array");
  ++i;
  std::vector<std::string_view> out;
  while (i < n && is_ws(json[i])) ++i;
  if (i < n && json[i] == ']') {
    ++i;
  } else {
    while (true) {
      const std::size_t start = i;
      std::size_t depth = 0;
      bool in_string = false;
      for (; i < n; ++i) {
        const char c = json[i];
        if (in_string) {
          if (c == '\\') {
            ++i;
          } else if (c == '"') {
            in_string = false;
          }
        } else if (c == '"') {
          in_string = true;
        } else if (c == '[' || c == '{') {
          ++depth;
        } else if (c == ']' || c == '}') {
          if (depth == 0) break;
          --depth;
        } else if (c == ',' && depth == 0) {
          break;
        }
      }
      if (i >= n) return absl::InvalidArgumentError("the batch array is not closed");
      std::string_view element = json.substr(start, i - start);
      while (!element.empty() && is_ws(element.back())) element.remove_suffix(1);
      while (!element.empty() && is_ws(element.front())) element.remove_prefix(1);
      if (element.empty()) return absl::InvalidArgumentError(absl::StrCat("batch element ", out.size(), " is empty"));
      if (out.size() >= max_elements) {
        return absl::ResourceExhaustedError(absl::StrCat("the batch holds more than ", max_elements, " requests"));
      }
      out.push_back(element);
      if (json[i] == ']') {
        ++i;
        break;
      }
      if (json[i] != ',') return absl::InvalidArgumentError("the batch array is malformed");
      ++i;
    }
  }
  while (i < n && is_ws(json[i])) ++i;
  if (i != n) return absl::InvalidArgumentError("text after the batch array");
  return out;
}

bool Handler::MayTakeLong(const HttpRequest& request) {
  if (request.body.size() > kInlineBodyBytes) return true;
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  return path == "/v1/authorize/batch";
}

Handler::Handler(ForwardAuthConfig forward_auth, const PolicyHolder* holder, Metrics* metrics, DecisionLog* log)
    : forward_auth_(std::move(forward_auth)), holder_(holder), metrics_(metrics), log_(log) {}

HttpReply Handler::Handle(const HttpRequest& request, Clock::time_point start) const {
  try {
    return HandleUnsafe(request, start);
  } catch (const std::exception& e) {
    return Refuse(Refusal::kInternal, 500, absl::StrCat("internal error: ", e.what()));
  } catch (...) {
    return Refuse(Refusal::kInternal, 500, "internal error");
  }
}

HttpReply Handler::Refuse(Refusal why, int status, std::string_view reason) const {
  metrics_->RecordRefusal(why);
  HttpReply reply;
  reply.status = status;
  PolicyHolder::Ref snap = holder_->Current();
  const std::uint64_t version = snap ? snap->version : 0;
  reply.body = DecisionBody(DenyWithError(std::string(reason)), version);
  reply.headers.push_back({"X-Writ-Decision", "deny"});
  reply.headers.push_back({"X-Writ-Deny-Reason", HeaderSafe(Av(reason))});
  if (log_ != nullptr) {
    log_->Push(LogLine("http", nullptr, DenyWithError(std::string(reason)), version, 0, snap ? snap->bundle_revision : 0));
  }
  return reply;
}

HttpReply Handler::HandleUnsafe(const HttpRequest& request, Clock::time_point start) const {
  std::string_view path = request.target.substr(0, request.target.find('?'));
  if (path == kForwardAuthPrefix ||
      (absl::StartsWith(Av(request.target), Av(kForwardAuthPrefix)) &&
       (request.target[kForwardAuthPrefix.size()] == '/' || request.target[kForwardAuthPrefix.size()] == '?'))) {
    std::string_view rest = request.target.substr(kForwardAuthPrefix.size());
    return ForwardAuth(request, absl::StartsWith(Av(rest), "/") ? rest : std::string_view(), start);
  }
  auto method_not_allowed = [&](std::string_view allow) {
    HttpReply r;
    r.status = 405;
    r.body = absl::StrCat("{\"error\":\"method not allowed; use ", Av(allow), "\"}");
    r.headers.push_back({"Allow", std::string(allow)});
    return r;
  };
  if (path == "/v1/authorize") {
    if (request.method != "POST") return method_not_allowed("POST");
    return Authorize(request, start);
  }
  if (path == "/v1/authorize/batch") {
    if (request.method != "POST") return method_not_allowed("POST");
    return Batch(request, start);
  }
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    if (request.method != "GET" && request.method != "HEAD") return method_not_allowed("GET, HEAD");
    if (path == "/readyz") return Ready();
    HttpReply r;
    r.status = 200;
    if (path == "/healthz") {
      r.content_type = "text/plain";
      r.body = "ok\n";
    } else {
      r.content_type = "text/plain; version=0.0.4";
      r.body = metrics_->Render(log_ ? log_->written() : 0, log_ ? log_->dropped() : 0);
    }
    return r;
  }
  HttpReply r;
  r.status = 404;
  r.body = "{\"error\":\"not found\"}";
  return r;
}

HttpReply Handler::Ready() const {
  HttpReply r;
  PolicyHolder::Ref snap = holder_->Current();
  if (!snap) {
    r.status = 503;
    r.body = "{\"ready\":false}";
    return r;
  }
  r.status = 200;
  OrderedJson j = {{"ready", true},
                   {"policy_version", snap->version},
                   {"bundle_revision", snap->bundle_revision},
                   {"digest", snap->digest},
                   {"policies", snap->engine->policy_count()},
                   {"entities", snap->engine->entity_count()},
                   {"loaded_at", absl::FormatTime(absl::RFC3339_sec, snap->loaded_at, absl::UTCTimeZone())}};
  r.body = Json(j);
  return r;
}

HttpReply Handler::Authorize(const HttpRequest& request, Clock::time_point start) const {
  PolicyHolder::Ref snap = holder_->Current();
  if (!snap) return Refuse(Refusal::kNotReady, 503, "no policy set is loaded yet");
  std::vector<Issue> issues;
  bool nonconforming = false;
  absl::StatusOr<Request> parsed = ReadRequest(request.body, "request", &issues, SchemaOptions(*snap), &nonconforming);
  if (!parsed.ok() && !nonconforming) {
    return Refuse(Refusal::kMalformed, 400, absl::StrCat("malformed request: ", FirstError(issues, parsed.status())));
  }
  thread_local Decision d;
  if (parsed.ok()) {
    snap->engine->Decide(*parsed, &d);
  } else {
    // Well-formed but not what the schema says: denied with the reason,
    // never decided on misread data.
    d = DenyWithError(absl::StrCat("request does not conform to the schema: ", FirstError(issues, parsed.status())));
  }
  const std::uint64_t nanos = NanosSince(start);
  metrics_->RecordDecision(Endpoint::kAuthorize, d.allowed, nanos);
  if (log_ != nullptr) log_->Push(LogLine("authorize", parsed.ok() ? &*parsed : nullptr, d, snap->version, nanos, snap->bundle_revision));
  HttpReply r;
  r.status = 200;
  r.body = DecisionBody(d, snap->version);
  return r;
}

HttpReply Handler::Batch(const HttpRequest& request, Clock::time_point start) const {
  PolicyHolder::Ref snap = holder_->Current();
  if (!snap) return Refuse(Refusal::kNotReady, 503, "no policy set is loaded yet");
  absl::StatusOr<std::vector<std::string_view>> elements = SplitJsonArray(request.body, kMaxBatchRequests);
  if (!elements.ok()) {
    const bool too_many = absl::IsResourceExhausted(elements.status());
    return Refuse(too_many ? Refusal::kTooLarge : Refusal::kMalformed, too_many ? 413 : 400,
                  absl::StrCat("malformed batch: ", elements.status().message()));
  }
  HttpReply r;
  r.status = 200;
  r.body = "[";
  Decision d;
  for (std::size_t i = 0; i < elements->size(); ++i) {
    const std::string source = absl::StrCat("batch[", i, "]");
    std::vector<Issue> issues;
    bool nonconforming = false;
    absl::StatusOr<Request> parsed = ReadRequest((*elements)[i], source, &issues, SchemaOptions(*snap), &nonconforming);
    if (parsed.ok()) {
      snap->engine->Decide(*parsed, &d);
    } else if (nonconforming) {
      d = DenyWithError(absl::StrCat("request does not conform to the schema: ", FirstError(issues, parsed.status())));
    } else {
      d = DenyWithError(absl::StrCat("malformed request: ", FirstError(issues, parsed.status())));
      metrics_->RecordRefusal(Refusal::kMalformed);
    }
    const std::uint64_t nanos = NanosSince(start);
    metrics_->RecordDecision(Endpoint::kBatch, d.allowed, nanos);
    if (log_ != nullptr) log_->Push(LogLine("batch", parsed.ok() ? &*parsed : nullptr, d, snap->version, nanos, snap->bundle_revision));
    if (i > 0) r.body += ',';
    r.body += DecisionBody(d, snap->version);
  }
  r.body += ']';
  return r;
}

HttpReply Handler::ForwardAuth(const HttpRequest& request, std::string_view fallback_uri,
                               Clock::time_point start) const {
  PolicyHolder::Ref snap = holder_->Current();
  HttpReply r;
  r.content_type = "text/plain";
  if (!snap) {
    HttpReply refused = Refuse(Refusal::kNotReady, 503, "no policy set is loaded yet");
    refused.content_type = "text/plain";
    refused.body = "deny\n";
    return refused;
  }
  r.headers.push_back({"X-Writ-Policy-Version", absl::StrCat(snap->version)});
  absl::StatusOr<Request> mapped = MapForwardAuth(forward_auth_, request.method, fallback_uri, request.headers);
  if (!mapped.ok()) {
    metrics_->RecordRefusal(Refusal::kMalformed);
    const std::uint64_t nanos = NanosSince(start);
    metrics_->RecordDecision(Endpoint::kForwardAuth, false, nanos);
    Decision d = DenyWithError(std::string(mapped.status().message()));
    if (log_ != nullptr) log_->Push(LogLine("forward_auth", nullptr, d, snap->version, nanos, snap->bundle_revision));
    r.status = 403;
    r.body = "deny\n";
    r.headers.push_back({"X-Writ-Decision", "deny"});
    r.headers.push_back({"X-Writ-Deny-Reason", HeaderSafe(mapped.status().message())});
    return r;
  }
  thread_local Decision d;
  snap->engine->Decide(*mapped, &d);
  const std::uint64_t nanos = NanosSince(start);
  metrics_->RecordDecision(Endpoint::kForwardAuth, d.allowed, nanos);
  if (log_ != nullptr) log_->Push(LogLine("forward_auth", &*mapped, d, snap->version, nanos, snap->bundle_revision));
  r.status = d.allowed ? 200 : 403;
  r.body = d.allowed ? "allow\n" : "deny\n";
  r.headers.push_back({"X-Writ-Decision", d.allowed ? "allow" : "deny"});
  if (!d.reasons.empty()) r.headers.push_back({"X-Writ-Reasons", HeaderSafe(absl::StrJoin(d.reasons, ","))});
  if (!d.errors.empty()) {
    std::vector<std::string> errors;
    for (const PolicyError& e : d.errors) errors.push_back(absl::StrCat(e.policy_id, ": ", e.message));
    r.headers.push_back({"X-Writ-Errors", HeaderSafe(absl::StrJoin(errors, "; "))});
  }
  if (!d.breakglass.empty()) r.headers.push_back({"X-Writ-Breakglass", HeaderSafe(absl::StrJoin(d.breakglass, ","))});
  if (d.revoked) r.headers.push_back({"X-Writ-Revoked", "true"});
  if (!d.allowed && d.reasons.empty() && !d.revoked) {
    r.headers.push_back({"X-Writ-Deny-Reason", "no policy permits the request"});
  }
  return r;
}

}  // namespace writ::serve
