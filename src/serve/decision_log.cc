// serve: the decision log — each decision written as one bounded JSON line
// straight from the request and decision (no JSON library, no re-parsing),
// then queued for the writer thread that appends lines to the file.
#include "src/serve/decision_log.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/ext/extensions.h"
#include "src/json/decision_json.h"
#include "src/serve/limits.h"

namespace writ::serve {

using internal::AppendJsonString;

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

namespace {

// Appends `v` in Cedar's JSON form (as ValueToJson writes it), giving up
// (false) once `out` grows past `limit` bytes: a value never costs more
// than the room left for it. Values nest at most kMaxJsonDepth deep (they
// were read from JSON or headers), which bounds the recursion.
bool AppendValue(std::string* out, const Value& v, std::size_t limit) {
  auto room = [&] { return out->size() < limit ? limit - out->size() : 0; };
  switch (v.kind()) {
    case Value::Kind::kBool:
      out->append(v.as_bool() ? "true" : "false");
      break;
    case Value::Kind::kLong:
      absl::StrAppend(out, v.as_long());
      break;
    case Value::Kind::kString:
      if (!AppendJsonString(out, v.as_string(), room())) return false;
      break;
    case Value::Kind::kEntity:
      out->append("{\"__entity\":{\"type\":");
      if (!AppendJsonString(out, v.as_entity().type, room())) return false;
      out->append(",\"id\":");
      if (!AppendJsonString(out, v.as_entity().id, room())) return false;
      out->append("}}");
      break;
    case Value::Kind::kSet: {
      out->push_back('[');
      bool first = true;
      for (const Value& e : v.as_set()) {
        if (!first) out->push_back(',');
        first = false;
        if (!AppendValue(out, e, limit)) return false;
      }
      out->push_back(']');
      break;
    }
    case Value::Kind::kRecord: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, e] : v.as_record()) {
        if (!first) out->push_back(',');
        first = false;
        if (!AppendJsonString(out, k, room())) return false;
        out->push_back(':');
        if (!AppendValue(out, e, limit)) return false;
      }
      out->push_back('}');
      break;
    }
    case Value::Kind::kIp:
    case Value::Kind::kDecimal:
    case Value::Kind::kDatetime:
    case Value::Kind::kDuration:
    case Value::Kind::kSpiffe:
      out->append("{\"__extn\":{\"fn\":\"");
      out->append(internal::ExtConstructorName(v.kind()));
      out->append("\",\"arg\":");
      if (!AppendJsonString(out, internal::ExtConstructorArg(v), room())) return false;
      out->append("}}");
      break;
  }
  return out->size() <= limit;
}

void AppendUid(std::string* out, const EntityUid& uid) {
  out->append("{\"type\":");
  AppendJsonString(out, uid.type, kMaxLogStringBytes);
  out->append(",\"id\":");
  AppendJsonString(out, uid.id, kMaxLogStringBytes);
  out->push_back('}');
}

// The context, key by key while the keys fit in kMaxLogContextBytes; then
// how many keys there were. A non-record context (not one a request has)
// is written as a value, within the same bound.
void AppendContext(std::string* out, const Value& context) {
  out->append("\"context\":");
  const std::size_t limit = out->size() + kMaxLogContextBytes;
  if (!context.is(Value::Kind::kRecord)) {
    const std::size_t mark = out->size();
    if (!AppendValue(out, context, limit)) {
      out->resize(mark);
      out->append("null,\"context_truncated\":true");
    }
    return;
  }
  const Value::Record& record = context.as_record();
  out->push_back('{');
  bool truncated = false;
  bool first = true;
  for (const auto& [k, v] : record) {
    const std::size_t mark = out->size();
    if (!first) out->push_back(',');
    bool fits = AppendJsonString(out, k, kMaxLogContextBytes);
    if (fits) {
      out->push_back(':');
      fits = AppendValue(out, v, limit);
    }
    if (!fits) {
      out->resize(mark);   // this key and the rest are left out
      truncated = true;
      break;
    }
    first = false;
  }
  out->push_back('}');
  if (truncated) absl::StrAppend(out, ",\"context_truncated\":true,\"context_keys\":", record.size());
}

}  // namespace

std::string DecisionLogLine(std::string_view endpoint, const Request* request, const Decision& d,
                            std::uint64_t version, std::uint64_t bundle_revision, std::uint64_t nanos,
                            absl::Time now) {
  std::string out;
  out.reserve(512);
  out.append("{\"time\":\"");
  out.append(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", now, absl::UTCTimeZone()));
  out.append("\",\"endpoint\":");
  AppendJsonString(&out, endpoint, kMaxLogStringBytes);
  out.append(",\"request\":");
  if (request != nullptr) {
    out.append("{\"principal\":");
    AppendUid(&out, request->principal);
    out.append(",\"action\":");
    AppendUid(&out, request->action);
    out.append(",\"resource\":");
    AppendUid(&out, request->resource);
    if (!request->chain.empty()) {   // at most kMaxChainLength identities
      out.append(",\"chain\":[");
      for (std::size_t i = 0; i < request->chain.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendUid(&out, request->chain[i]);
      }
      out.push_back(']');
    }
    out.push_back(',');
    AppendContext(&out, request->context);
    out.push_back('}');
  } else {
    out.append("null");
  }
  out.push_back(',');
  internal::AppendDecisionMembers(&out, d, /*every_member=*/true, kMaxLogStringBytes);
  absl::StrAppend(&out, ",\"policy_version\":", version);
  if (bundle_revision != 0) absl::StrAppend(&out, ",\"bundle_revision\":", bundle_revision);
  absl::StrAppend(&out, ",\"latency_us\":", absl::StrFormat("%.3f", static_cast<double>(nanos) / 1000.0), "}");
  return out;
}

}  // namespace writ::serve
