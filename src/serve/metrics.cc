// serve: metrics — counting and the Prometheus text exposition.
#include "src/serve/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "src/base/strings.h"

namespace writ::serve {
namespace {

constexpr const char* kRefusalNames[kRefusals] = {"malformed", "too_large", "timeout",
                                                  "overload",  "not_ready", "internal"};
constexpr const char* kBundleChannelNames[kBundleChannels] = {"policy", "revocations"};
// BundleFailure's names; the faults' are writ::BundleFaultName's.
constexpr const char* kBundleFailureNames[kBundleFailures] = {"fetch", "archive",   "bound", "manifest", "hash",
                                                              "signature", "load", "stale", "compile"};

}  // namespace

std::string_view EndpointName(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kAuthorize:
      return "authorize";
    case Endpoint::kBatch:
      return "batch";
    case Endpoint::kForwardAuth:
      return "forward_auth";
    case Endpoint::kExtAuthz:
      return "ext_authz";
  }
  return "unknown";
}

void Metrics::RecordDecision(Endpoint endpoint, bool allowed, std::uint64_t nanos) {
  decisions_[static_cast<std::size_t>(endpoint)][allowed ? 1 : 0].fetch_add(1, std::memory_order_relaxed);
  const double seconds = static_cast<double>(nanos) * 1e-9;
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  buckets_[b].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(nanos, std::memory_order_relaxed);
}

std::string Metrics::Render(std::uint64_t log_written, std::uint64_t log_dropped) const {
  std::string out;
  out +=
      "# HELP writ_decisions_total Decisions answered, by endpoint and outcome (a request that does not read or map is a deny here too).\n"
      "# TYPE writ_decisions_total counter\n";
  for (std::size_t e = 0; e < kEndpoints; ++e) {
    for (int a = 0; a < 2; ++a) {
      absl::StrAppend(&out, "writ_decisions_total{endpoint=\"", internal::Av(EndpointName(static_cast<Endpoint>(e))), "\",decision=\"",
                      a == 1 ? "allow" : "deny", "\"} ", decisions_[e][a].load(std::memory_order_relaxed), "\n");
    }
  }
  out +=
      "# HELP writ_refusals_total Requests denied without consulting the policies, by cause.\n"
      "# TYPE writ_refusals_total counter\n";
  for (std::size_t r = 0; r < kRefusals; ++r) {
    absl::StrAppend(&out, "writ_refusals_total{reason=\"", kRefusalNames[r], "\"} ",
                    refusals_[r].load(std::memory_order_relaxed), "\n");
  }
  out +=
      "# HELP writ_decision_duration_seconds Time from a request read to its decision.\n"
      "# TYPE writ_decision_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
    cumulative += buckets_[b].load(std::memory_order_relaxed);
    const std::string le = b < kBuckets.size() ? absl::StrFormat("%g", kBuckets[b]) : "+Inf";
    absl::StrAppend(&out, "writ_decision_duration_seconds_bucket{le=\"", le, "\"} ", cumulative, "\n");
  }
  absl::StrAppend(&out, "writ_decision_duration_seconds_sum ",
                  absl::StrFormat("%.9f", static_cast<double>(latency_sum_ns_.load(std::memory_order_relaxed)) * 1e-9),
                  "\n", "writ_decision_duration_seconds_count ", cumulative, "\n");
  absl::StrAppend(&out,
                  "# HELP writ_policy_version Version of the policy set deciding now (0: none loaded).\n"
                  "# TYPE writ_policy_version gauge\n"
                  "writ_policy_version ", policy_version_.load(std::memory_order_relaxed), "\n",
                  "# HELP writ_policy_reloads_total Policy reloads that succeeded.\n"
                  "# TYPE writ_policy_reloads_total counter\n"
                  "writ_policy_reloads_total ", reloads_.load(std::memory_order_relaxed), "\n",
                  "# HELP writ_policy_reload_failures_total Policy reloads that failed (the previous set kept serving).\n"
                  "# TYPE writ_policy_reload_failures_total counter\n"
                  "writ_policy_reload_failures_total ", reload_failures_.load(std::memory_order_relaxed), "\n");
  absl::StrAppend(&out,
                  "# HELP writ_decision_log_lines_total Decision log lines written.\n"
                  "# TYPE writ_decision_log_lines_total counter\n"
                  "writ_decision_log_lines_total ", log_written, "\n",
                  "# HELP writ_decision_log_dropped_total Decision log lines dropped because the queue was full.\n"
                  "# TYPE writ_decision_log_dropped_total counter\n"
                  "writ_decision_log_dropped_total ", log_dropped, "\n",
                  "# HELP writ_open_connections HTTP connections open now.\n"
                  "# TYPE writ_open_connections gauge\n"
                  "writ_open_connections ", connections_.load(std::memory_order_relaxed), "\n");
  absl::StrAppend(&out,
                  "# HELP writ_grants_live Run-time grants held now (--grants, the admin API).\n"
                  "# TYPE writ_grants_live gauge\n"
                  "writ_grants_live ", grants_live_.load(std::memory_order_relaxed), "\n",
                  "# HELP writ_grants_issued_total Grants issued over the admin API.\n"
                  "# TYPE writ_grants_issued_total counter\n"
                  "writ_grants_issued_total ", grants_issued_.load(std::memory_order_relaxed), "\n",
                  "# HELP writ_grants_expired_total Grants removed because their window was over.\n"
                  "# TYPE writ_grants_expired_total counter\n"
                  "writ_grants_expired_total ", grants_expired_.load(std::memory_order_relaxed), "\n",
                  "# HELP writ_grants_revoked_total Grants revoked over the admin API (one by one or by task).\n"
                  "# TYPE writ_grants_revoked_total counter\n"
                  "writ_grants_revoked_total ", grants_revoked_.load(std::memory_order_relaxed), "\n");
  RenderBundles(&out);
  return out;
}

void Metrics::RenderBundles(std::string* out) const {
  bool any = false;
  for (const BundleSeries& b : bundle_) any = any || b.enabled.load(std::memory_order_relaxed);
  if (!any) return;
  const double now = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  absl::StrAppend(out,
                  "# HELP writ_bundle_revision Revision of the bundle taken (0: none yet), by channel (policy: --bundle, revocations: --revoked-url).\n"
                  "# TYPE writ_bundle_revision gauge\n");
  for (std::size_t c = 0; c < kBundleChannels; ++c) {
    if (!bundle_[c].enabled.load(std::memory_order_relaxed)) continue;
    absl::StrAppend(out, "writ_bundle_revision{channel=\"", kBundleChannelNames[c], "\"} ",
                    bundle_[c].revision.load(std::memory_order_relaxed), "\n");
  }
  absl::StrAppend(out,
                  "# HELP writ_bundle_last_success_timestamp_seconds When a fetch last succeeded (a bundle taken or 304 Not Modified), unix seconds (0: never).\n"
                  "# TYPE writ_bundle_last_success_timestamp_seconds gauge\n");
  for (std::size_t c = 0; c < kBundleChannels; ++c) {
    if (!bundle_[c].enabled.load(std::memory_order_relaxed)) continue;
    absl::StrAppend(out, "writ_bundle_last_success_timestamp_seconds{channel=\"", kBundleChannelNames[c], "\"} ",
                    absl::StrFormat("%.3f", bundle_[c].last_success.load(std::memory_order_relaxed)), "\n");
  }
  absl::StrAppend(out,
                  "# HELP writ_bundle_last_success_age_seconds Seconds since a fetch last succeeded (+Inf: never).\n"
                  "# TYPE writ_bundle_last_success_age_seconds gauge\n");
  for (std::size_t c = 0; c < kBundleChannels; ++c) {
    if (!bundle_[c].enabled.load(std::memory_order_relaxed)) continue;
    const double last = bundle_[c].last_success.load(std::memory_order_relaxed);
    absl::StrAppend(out, "writ_bundle_last_success_age_seconds{channel=\"", kBundleChannelNames[c], "\"} ",
                    last == 0 ? std::string("+Inf") : absl::StrFormat("%.3f", now - last), "\n");
  }
  absl::StrAppend(out,
                  "# HELP writ_bundle_failures_total Bundles not taken, by channel and cause (fetch, or the check that refused it); the last good set kept deciding.\n"
                  "# TYPE writ_bundle_failures_total counter\n");
  for (std::size_t c = 0; c < kBundleChannels; ++c) {
    if (!bundle_[c].enabled.load(std::memory_order_relaxed)) continue;
    for (std::size_t f = 0; f < kBundleFailures; ++f) {
      absl::StrAppend(out, "writ_bundle_failures_total{channel=\"", kBundleChannelNames[c], "\",cause=\"",
                      kBundleFailureNames[f], "\"} ", bundle_[c].failures[f].load(std::memory_order_relaxed), "\n");
    }
  }
}

}  // namespace writ::serve
