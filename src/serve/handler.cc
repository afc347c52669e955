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

std::string Json(const OrderedJson& j) { return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace); }

// The deny for an outcome that was not decided: `status`, the decision
// body (or "deny" for forward-auth's text) and the reason in a header.
HttpReply DenyReply(const Outcome& outcome, int status) {
  HttpReply reply;
  reply.status = status;
  reply.body = DecisionBody(outcome);
  reply.headers = DecisionHeaders(outcome);
  return reply;
}

// Reads a request's JSON through the snapshot's schema (the Mapper of the
// JSON endpoints); `source` names it in the reason.
absl::StatusOr<Request> ReadJsonRequest(std::string_view json, std::string_view source, const Snapshot& snap,
                                        bool* nonconforming) {
  std::vector<Issue> issues;
  absl::StatusOr<Request> parsed = ReadRequest(json, source, &issues, SchemaOptions(snap), nonconforming);
  if (parsed.ok()) return parsed;
  const std::string first = FirstError(issues, parsed.status());
  return absl::InvalidArgumentError(*nonconforming ? first : absl::StrCat("malformed request: ", first));
}

// Forward-auth's reply: 200 allow or 403 deny, the decision in headers.
HttpReply GatewayReply(const Outcome& outcome) {
  HttpReply r;
  r.content_type = "text/plain";
  const Decision& d = outcome.decision;
  if (outcome.kind == Outcome::Kind::kNotReady) {
    r = DenyReply(outcome, 503);
    r.content_type = "text/plain";
    r.body = "deny\n";
    return r;
  }
  r.headers.push_back({"X-Writ-Policy-Version", absl::StrCat(outcome.policy_version)});
  r.status = d.allowed ? 200 : 403;
  r.body = d.allowed ? "allow\n" : "deny\n";
  for (auto& [name, value] : DecisionHeaders(outcome)) r.headers.push_back({std::move(name), std::move(value)});
  return r;
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
    : forward_auth_(std::move(forward_auth)), holder_(holder), metrics_(metrics), log_(log),
      service_(holder, metrics, log) {}

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
  Outcome outcome;
  service_.Refuse("http", why, reason, &outcome);
  return DenyReply(outcome, status);
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
  thread_local Outcome outcome;
  service_.DecideJson(Endpoint::kAuthorize, request.body, [&](const Snapshot& snap, bool* nonconforming) {
    return ReadJsonRequest(request.body, "request", snap, nonconforming);
  }, start, &outcome);
  switch (outcome.kind) {
    case Outcome::Kind::kNotReady:
      return DenyReply(outcome, 503);
    case Outcome::Kind::kUnmapped:
      return DenyReply(outcome, 400);
    case Outcome::Kind::kRefused:
    case Outcome::Kind::kDecided:
    case Outcome::Kind::kNonconforming:
      break;
  }
  HttpReply r;
  r.status = 200;
  r.body = DecisionBody(outcome);
  return r;
}

HttpReply Handler::Batch(const HttpRequest& request, Clock::time_point start) const {
  // One snapshot for the whole batch: every answer from the same version.
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
  Outcome outcome;
  for (std::size_t i = 0; i < elements->size(); ++i) {
    const std::string source = absl::StrCat("batch[", i, "]");
    service_.DecideJsonUnder(snap, Endpoint::kBatch, (*elements)[i], [&](const Snapshot& s, bool* nonconforming) {
      return ReadJsonRequest((*elements)[i], source, s, nonconforming);
    }, start, &outcome);
    if (i > 0) r.body += ',';
    r.body += DecisionBody(outcome);
  }
  r.body += ']';
  return r;
}

HttpReply Handler::ForwardAuth(const HttpRequest& request, std::string_view fallback_uri,
                               Clock::time_point start) const {
  thread_local Outcome outcome;
  service_.Decide(Endpoint::kForwardAuth, [&](const Snapshot&, bool*) {
    return MapForwardAuth(forward_auth_, request.method, fallback_uri, request.headers);
  }, start, &outcome);
  return GatewayReply(outcome);
}

}  // namespace writ::serve
