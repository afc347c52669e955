// serve: the decision log's queue and writer thread.
#include "src/serve/decision_log.h"

#include <cerrno>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace writ::serve {

namespace {
std::size_t RoundUp(std::size_t capacity) {
  std::size_t n = 2;
  while (n < capacity) n <<= 1;
  return n;
}
}  // namespace

LineQueue::LineQueue(std::size_t capacity) : cells_(RoundUp(capacity)), mask_(cells_.size() - 1) {
  for (std::size_t i = 0; i < cells_.size(); ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
}

bool LineQueue::TryPush(std::string* line) {
  std::size_t pos = enqueue_.load(std::memory_order_relaxed);
  while (true) {
    Cell& cell = cells_[pos & mask_];
    const std::size_t seq = cell.sequence.load(std::memory_order_acquire);
    const auto diff = static_cast<std::ptrdiff_t>(seq) - static_cast<std::ptrdiff_t>(pos);
    if (diff == 0) {
      if (enqueue_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        cell.line = std::move(*line);
        cell.sequence.store(pos + 1, std::memory_order_release);
        return true;
      }
    } else if (diff < 0) {
      return false;   // full
    } else {
      pos = enqueue_.load(std::memory_order_relaxed);
    }
  }
}

bool LineQueue::TryPop(std::string* line) {
  std::size_t pos = dequeue_.load(std::memory_order_relaxed);
  while (true) {
    Cell& cell = cells_[pos & mask_];
    const std::size_t seq = cell.sequence.load(std::memory_order_acquire);
    const auto diff = static_cast<std::ptrdiff_t>(seq) - static_cast<std::ptrdiff_t>(pos + 1);
    if (diff == 0) {
      if (dequeue_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
        *line = std::move(cell.line);
        cell.line.clear();
        cell.sequence.store(pos + mask_ + 1, std::memory_order_release);
        return true;
      }
    } else if (diff < 0) {
      return false;   // empty
    } else {
      pos = dequeue_.load(std::memory_order_relaxed);
    }
  }
}

absl::StatusOr<std::unique_ptr<DecisionLog>> DecisionLog::Open(const std::string& path, std::size_t capacity) {
  if (path == "-") return std::unique_ptr<DecisionLog>(new DecisionLog(stdout, false, capacity));
  std::FILE* f = std::fopen(path.c_str(), "ae");
  if (f == nullptr) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open the decision log: ", std::strerror(errno)));
  }
  return std::unique_ptr<DecisionLog>(new DecisionLog(f, true, capacity));
}

DecisionLog::DecisionLog(std::FILE* file, bool owned, std::size_t capacity)
    : file_(file), owned_(owned), queue_(capacity) {}

DecisionLog::~DecisionLog() {
  Stop();
  // Lines queued after the writer stopped (or without one): written now.
  std::string line;
  while (queue_.TryPop(&line)) {
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), file_);
    written_.fetch_add(1, std::memory_order_relaxed);
  }
  std::fflush(file_);
  if (owned_) std::fclose(file_);
}

void DecisionLog::Start() {
  if (writer_.joinable()) return;
  writer_ = std::thread([this] { Run(); });
}

bool DecisionLog::Push(std::string line) {
  if (queue_.TryPush(&line)) return true;
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void DecisionLog::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void DecisionLog::Run() {
  std::string line;
  std::string batch;
  while (true) {
    batch.clear();
    std::uint64_t n = 0;
    while (n < 4096 && queue_.TryPop(&line)) {
      batch += line;
      batch += '\n';
      ++n;
    }
    if (n > 0) {
      std::fwrite(batch.data(), 1, batch.size(), file_);
      std::fflush(file_);
      written_.fetch_add(n, std::memory_order_relaxed);
      continue;
    }
    // Empty: producers never signal (that would cost them a syscall), so
    // the writer polls every few milliseconds.
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_) {
      lock.unlock();
      while (queue_.TryPop(&line)) {
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), file_);
        written_.fetch_add(1, std::memory_order_relaxed);
      }
      std::fflush(file_);
      return;
    }
    cv_.wait_for(lock, std::chrono::milliseconds(5));
  }
}

}  // namespace writ::serve
