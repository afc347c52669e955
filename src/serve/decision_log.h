// serve: the decision log — JSON lines handed from deciding threads to one
// writer thread through a bounded lock-free queue. Push never blocks and
// never waits: when the queue is full the line is dropped and counted.
// DecisionLogLine writes one line in time linear in what it logs, and logs
// at most the bounds of src/serve/limits.h (kMaxLogContextBytes,
// kMaxLogStringBytes), so a huge request costs the log no more than a
// small one.
#ifndef WRIT_SRC_SERVE_DECISION_LOG_H_
#define WRIT_SRC_SERVE_DECISION_LOG_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "writ/authorize.h"
#include "writ/request.h"

namespace writ::serve {

// A bounded multi-producer queue of strings (Vyukov's array queue); the
// capacity is rounded up to a power of two. TryPush and TryPop never block.
class LineQueue {
 public:
  explicit LineQueue(std::size_t capacity);
  bool TryPush(std::string* line);   // moves from *line on success
  bool TryPop(std::string* line);
  std::size_t capacity() const { return cells_.size(); }

 private:
  struct Cell {
    std::atomic<std::size_t> sequence;
    std::string line;
  };
  std::vector<Cell> cells_;
  std::size_t mask_;
  alignas(64) std::atomic<std::size_t> enqueue_{0};
  alignas(64) std::atomic<std::size_t> dequeue_{0};
};

class DecisionLog {
 public:
  // Writes to `path` (appending), or to standard output for "-".
  static absl::StatusOr<std::unique_ptr<DecisionLog>> Open(const std::string& path,
                                                           std::size_t capacity);
  ~DecisionLog();   // writes what is queued, then closes
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;

  // Starts the writer thread (Open does not, so that tests can fill the
  // queue first).
  void Start();
  // Queues one line (without its newline); false when dropped.
  bool Push(std::string line);
  // Stops the writer after it has written every queued line.
  void Stop();

  std::uint64_t written() const { return written_.load(std::memory_order_relaxed); }
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  DecisionLog(std::FILE* file, bool owned, std::size_t capacity);
  void Run();

  std::FILE* file_;
  bool owned_;
  LineQueue queue_;
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::mutex mu_;                 // for stop_ and the writer's sleep only
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread writer_;
};

// One decision-log line (no newline): {"time","endpoint","request",
// "decision","reasons","errors","breakglass","revoked","policy_version",
// "bundle_revision" (only when not 0: the set came from a bundle),
// "latency_us"}; `request` is null when the request did not read. Written
// straight from the values (nothing is parsed), in time linear in the line.
// Bounded: the context is written key by key (in key order) while it fits
// in kMaxLogContextBytes; the keys left out are said by
// "context_truncated":true and "context_keys":N (all of the context's
// keys) next to it. Entity types and ids, reasons and error messages are
// cut at kMaxLogStringBytes, ending in "...". Invalid UTF-8 becomes U+FFFD.
std::string DecisionLogLine(std::string_view endpoint, const Request* request, const Decision& d,
                            std::uint64_t version, std::uint64_t bundle_revision, std::uint64_t nanos,
                            absl::Time now);

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_DECISION_LOG_H_
