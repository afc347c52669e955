// serve: the metrics registry — relaxed atomics bumped on the request path,
// rendered in Prometheus' text exposition format (version 0.0.4) for
// GET /metrics. README.md ("writ serve", Metrics) lists every series.
#ifndef WRIT_SRC_SERVE_METRICS_H_
#define WRIT_SRC_SERVE_METRICS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace writ::serve {

// Where a decision was asked for: POST /v1/authorize, /v1/authorize/batch,
// /v1/forward-auth, and ext_authz's Check over gRPC.
enum class Endpoint : std::uint8_t { kAuthorize, kBatch, kForwardAuth, kExtAuthz };
inline constexpr std::size_t kEndpoints = 4;
// The name in metrics and decision logs: "authorize", "batch",
// "forward_auth", "ext_authz".
std::string_view EndpointName(Endpoint endpoint);

// Why a request was refused before any policy was consulted (each is a deny).
enum class Refusal : std::uint8_t {
  kMalformed,      // request does not read / forward-auth mapping failed
  kTooLarge,       // body or header past its limit
  kTimeout,        // slow client
  kOverload,       // too many connections
  kNotReady,       // no policy set loaded yet
  kInternal,       // an exception escaped a handler
};
inline constexpr std::size_t kRefusals = 6;

// Where a bundle comes from (`writ serve --bundle`, `--revoked-url`).
enum class BundleChannel : std::uint8_t { kPolicy, kRevocations };
inline constexpr std::size_t kBundleChannels = 2;
// Why a fetched bundle was not taken: the fetch itself, each
// writ::BundleFault (writ/bundle.h) but kNone, and compiling.
enum class BundleFailure : std::uint8_t {
  kFetch,       // unreachable, timed out, TLS, an HTTP status other than 200/304
  kArchive,
  kBound,
  kManifest,
  kHash,
  kSignature,
  kLoad,
  kStale,
  kCompile,
};
inline constexpr std::size_t kBundleFailures = 9;

class Metrics {
 public:
  // Upper bounds of the latency histogram's buckets, in seconds (+Inf last,
  // implicit).
  static constexpr std::array<double, 14> kBuckets = {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                                      0.0025,  0.005,    0.01,    0.025,  0.05,    0.1,    1.0};

  // One decision of `endpoint`, taking `nanos` from the request being read
  // to its decision.
  void RecordDecision(Endpoint endpoint, bool allowed, std::uint64_t nanos);
  void RecordRefusal(Refusal why) { refusals_[static_cast<std::size_t>(why)].fetch_add(1, std::memory_order_relaxed); }
  void RecordReload(bool ok) { (ok ? reloads_ : reload_failures_).fetch_add(1, std::memory_order_relaxed); }
  void SetPolicyVersion(std::uint64_t v) { policy_version_.store(v, std::memory_order_relaxed); }
  // Bundles: a channel's series are rendered once it is enabled.
  void EnableBundle(BundleChannel c) { bundle_[static_cast<std::size_t>(c)].enabled.store(true, std::memory_order_relaxed); }
  void RecordBundleFailure(BundleChannel c, BundleFailure why) {
    bundle_[static_cast<std::size_t>(c)].failures[static_cast<std::size_t>(why)].fetch_add(1, std::memory_order_relaxed);
  }
  // A fetch that succeeded (a bundle taken, or 304 Not Modified), at
  // `unix_seconds`.
  void RecordBundleSuccess(BundleChannel c, double unix_seconds) {
    bundle_[static_cast<std::size_t>(c)].last_success.store(unix_seconds, std::memory_order_relaxed);
  }
  void SetBundleRevision(BundleChannel c, std::uint64_t revision) {
    bundle_[static_cast<std::size_t>(c)].revision.store(revision, std::memory_order_relaxed);
  }
  std::uint64_t bundle_failures(BundleChannel c, BundleFailure why) const {
    return bundle_[static_cast<std::size_t>(c)].failures[static_cast<std::size_t>(why)].load(std::memory_order_relaxed);
  }
  std::uint64_t bundle_revision(BundleChannel c) const {
    return bundle_[static_cast<std::size_t>(c)].revision.load(std::memory_order_relaxed);
  }
  // Run-time grants (--grants, the admin API): live now, issued over the
  // admin API, removed as expired, revoked (one by one or by task).
  void SetGrantsLive(std::size_t n) { grants_live_.store(n, std::memory_order_relaxed); }
  void RecordGrantsIssued(std::size_t n) { grants_issued_.fetch_add(n, std::memory_order_relaxed); }
  void RecordGrantsExpired(std::size_t n) { grants_expired_.fetch_add(n, std::memory_order_relaxed); }
  void RecordGrantsRevoked(std::size_t n) { grants_revoked_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t grants_live() const { return grants_live_.load(std::memory_order_relaxed); }
  std::uint64_t grants_issued() const { return grants_issued_.load(std::memory_order_relaxed); }
  std::uint64_t grants_expired() const { return grants_expired_.load(std::memory_order_relaxed); }
  std::uint64_t grants_revoked() const { return grants_revoked_.load(std::memory_order_relaxed); }
  void ConnectionOpened() { connections_.fetch_add(1, std::memory_order_relaxed); }
  void ConnectionClosed() { connections_.fetch_sub(1, std::memory_order_relaxed); }

  std::uint64_t decisions(Endpoint e, bool allowed) const {
    return decisions_[static_cast<std::size_t>(e)][allowed ? 1 : 0].load(std::memory_order_relaxed);
  }
  std::uint64_t refusals(Refusal why) const {
    return refusals_[static_cast<std::size_t>(why)].load(std::memory_order_relaxed);
  }
  std::uint64_t reloads() const { return reloads_.load(std::memory_order_relaxed); }
  std::uint64_t reload_failures() const { return reload_failures_.load(std::memory_order_relaxed); }

  // The exposition text; the decision log's counters are passed in (they
  // live with the log).
  std::string Render(std::uint64_t log_written, std::uint64_t log_dropped) const;

 private:
  void RenderBundles(std::string* out) const;
  std::array<std::array<std::atomic<std::uint64_t>, 2>, kEndpoints> decisions_{};
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets_{};   // per bucket, not cumulative
  std::atomic<std::uint64_t> latency_sum_ns_{0};
  std::array<std::atomic<std::uint64_t>, kRefusals> refusals_{};
  std::atomic<std::uint64_t> reloads_{0};
  std::atomic<std::uint64_t> reload_failures_{0};
  std::atomic<std::uint64_t> policy_version_{0};
  std::atomic<std::int64_t> connections_{0};
  std::atomic<std::uint64_t> grants_live_{0};
  std::atomic<std::uint64_t> grants_issued_{0};
  std::atomic<std::uint64_t> grants_expired_{0};
  std::atomic<std::uint64_t> grants_revoked_{0};
  struct BundleSeries {
    std::atomic<bool> enabled{false};
    std::atomic<std::uint64_t> revision{0};
    std::atomic<double> last_success{0};   // unix seconds; 0: never
    std::array<std::atomic<std::uint64_t>, kBundleFailures> failures{};
  };
  std::array<BundleSeries, kBundleChannels> bundle_{};
};

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_METRICS_H_
