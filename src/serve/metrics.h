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

namespace writ::serve {

enum class Endpoint : std::uint8_t { kAuthorize, kBatch, kForwardAuth };
inline constexpr std::size_t kEndpoints = 3;

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
  std::array<std::array<std::atomic<std::uint64_t>, 2>, kEndpoints> decisions_{};
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets_{};   // per bucket, not cumulative
  std::atomic<std::uint64_t> latency_sum_ns_{0};
  std::array<std::atomic<std::uint64_t>, kRefusals> refusals_{};
  std::atomic<std::uint64_t> reloads_{0};
  std::atomic<std::uint64_t> reload_failures_{0};
  std::atomic<std::uint64_t> policy_version_{0};
  std::atomic<std::int64_t> connections_{0};
};

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_METRICS_H_
