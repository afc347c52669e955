// writ CLI: `compile` (compile, report its cost, optionally dump the compiled
// form) and `bench` (time decisions of the compiled engine on a request file,
// the way bench/peers times Cedar's engine on the same file). Both load
// through the one loader (writ/load.h).
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/writ/cli.h"

namespace writ::cli {
namespace {

using Clock = std::chrono::steady_clock;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Resident set size of this process in MiB (Linux: VmRSS in /proc/self/status).
double RssMb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      double kb = 0;
      fields >> kb;
      return kb / 1024.0;
    }
  }
  return 0;
}

struct Loaded {
  std::optional<Schema> schema;   // requests are read through it
  std::unique_ptr<const Engine> engine;
  double load_ms = 0, compile_ms = 0;
  double compile_heap_bytes = 0;   // heap the compiled engine added
};

// Loads (the one loader: policies, entities, --schema, --revoked) and
// compiles, timing each step; false (with the reason on `err`) when an
// input does not load.
bool LoadAndCompile(const Args& args, Loaded* l, std::ostream& err) {
  const Clock::time_point load_start = Clock::now();
  std::optional<DecideOptions> options = LoadDecideOptions(args, err);
  if (!options) return false;
  std::optional<LoadedSet> set = LoadInputs(args, err);
  if (!set) return false;
  l->schema = set->schema;
  l->load_ms = MillisSince(load_start);
  // The entity store is moved into the engine, so the heap in use grows by
  // what compiling adds: symbols, index, lowered conditions.
  const std::size_t heap_before = mallinfo2().uordblks;
  const Clock::time_point compile_start = Clock::now();
  l->engine = CompileOrReport(*std::move(set), *options, err);
  if (l->engine == nullptr) return false;
  l->compile_ms = MillisSince(compile_start);
  l->compile_heap_bytes = static_cast<double>(mallinfo2().uordblks) - static_cast<double>(heap_before);
  return true;
}

// Latencies in nanoseconds: exact below kExact, then the samples themselves.
class Histogram {
 public:
  static constexpr std::uint64_t kExact = 100'000;
  Histogram() : counts_(kExact, 0) {}
  void Add(std::uint64_t ns) {
    if (ns < kExact) {
      ++counts_[ns];
    } else {
      slow_.push_back(ns);
    }
    ++total_;
  }
  void Merge(const Histogram& o) {
    for (std::uint64_t i = 0; i < kExact; ++i) counts_[i] += o.counts_[i];
    slow_.insert(slow_.end(), o.slow_.begin(), o.slow_.end());
    total_ += o.total_;
  }
  std::uint64_t total() const { return total_; }
  // The q-quantile (0 < q < 1), nearest-rank.
  std::uint64_t Quantile(double q) {
    if (total_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_ - 1));
    std::uint64_t seen = 0;
    for (std::uint64_t i = 0; i < kExact; ++i) {
      seen += counts_[i];
      if (seen > rank) return i;
    }
    std::sort(slow_.begin(), slow_.end());
    return slow_[rank - (total_ - slow_.size())];
  }

 private:
  std::vector<std::uint64_t> counts_;
  std::vector<std::uint64_t> slow_;
  std::uint64_t total_ = 0;
};

// Reads every request line (the loader's JSON-lines reader, as `authorize`
// does); a line that does not read is an input error (a benchmark that
// skipped requests would measure something else). Blank lines are skipped.
bool ReadRequests(const std::string& path, const JsonOptions& options, std::vector<Request>* requests,
                  std::ostream& err) {
  bool ok = true;
  absl::Status read = ReadRequestLinesFile(path, options, [&](RequestLine line) {
    if (line.blank) return true;
    if (!line.request) {
      const Issue& i = line.issue;
      err << i.file << ":" << i.line << ":" << (i.column == 0 ? 1 : i.column) << ": error: " << i.message << "\n";
      ok = false;
      return false;
    }
    requests->push_back(*std::move(line.request));
    return true;
  });
  if (!read.ok()) {
    err << "error: " << read.message() << "\n";
    return false;
  }
  if (!ok) return false;
  if (requests->empty()) {
    err << "error: " << path << ": no requests\n";
    return false;
  }
  return true;
}

}  // namespace

int RunCompile(const Args& args, std::ostream& out, std::ostream& err) {
  Loaded l;
  if (!LoadAndCompile(args, &l, err)) return kExitUsage;
  if (args.Has("dump")) out << l.engine->Dump();
  err << absl::StrFormat("%d policies and %d entities: loaded in %.1f ms, compiled in %.1f ms\n",
                         l.engine->policy_count(), l.engine->entity_count(), l.load_ms, l.compile_ms);
  return kExitOk;
}

int RunBench(const Args& args, std::ostream& out, std::ostream& err) {
  if (!args.Has("requests")) {
    err << "error: --requests FILE.jsonl is required\n";
    return kExitUsage;
  }
  double seconds = 5;
  int threads = 1;
  if (auto s = args.One("seconds"); s && (!absl::SimpleAtod(*s, &seconds) || seconds <= 0 || seconds > 3600)) {
    err << "error: --seconds takes a number of seconds in (0, 3600]\n";
    return kExitUsage;
  }
  if (auto t = args.One("threads"); t && (!absl::SimpleAtoi(*t, &threads) || threads < 1 || threads > 256)) {
    err << "error: --threads takes a number from 1 to 256\n";
    return kExitUsage;
  }
  Loaded l;
  if (!LoadAndCompile(args, &l, err)) return kExitUsage;
  std::vector<Request> requests;
  JsonOptions json = JsonOptionsOf(args);
  json.schema = l.schema ? &*l.schema : nullptr;
  if (!ReadRequests(*args.One("requests"), json, &requests, err)) return kExitUsage;
  const Engine& engine = *l.engine;

  if (auto path = args.One("decisions")) {
    std::ofstream decisions(*path, std::ios::binary | std::ios::trunc);
    Decision d;
    for (const Request& r : requests) {
      engine.Decide(r, &d);
      decisions << (d.allowed ? "allow\n" : "deny\n");
    }
    if (!decisions.flush()) {
      err << "error: " << *path << ": cannot write\n";
      return kExitUsage;
    }
  }

  // Every thread loops over the requests in file order (each from its own
  // offset), timing each call; about a second of warm-up first.
  std::vector<Histogram> histograms(static_cast<std::size_t>(threads));
  // Each thread fills its own histogram, merged after the run (no sharing).
  auto run = [&](std::size_t t, Clock::time_point until, bool record) {
    Decision d;
    Histogram local;
    std::size_t i = (t * requests.size()) / static_cast<std::size_t>(threads);
    while (true) {
      for (int k = 0; k < 64; ++k) {
        const Clock::time_point start = Clock::now();
        engine.Decide(requests[i], &d);
        const Clock::time_point end = Clock::now();
        if (record) local.Add(static_cast<std::uint64_t>((end - start).count()));
        if (++i == requests.size()) i = 0;
      }
      if (Clock::now() >= until) break;
    }
    if (record) histograms[t] = std::move(local);
  };
  auto run_all = [&](double secs, bool record) {
    const Clock::time_point until =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(secs));
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < histograms.size(); ++t) pool.emplace_back(run, t, until, record);
    for (std::thread& th : pool) th.join();
  };
  run_all(std::min(1.0, seconds), false);
  const Clock::time_point start = Clock::now();
  run_all(seconds, true);
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  Histogram all;
  for (const Histogram& h : histograms) all.Merge(h);
  const std::size_t policies = std::max<std::size_t>(1, engine.policy_count());
  out << absl::StrFormat(
      "{\"load_ms\":%.1f,\"compile_ms\":%.1f,\"decisions_per_sec\":%.0f,\"p50_ns\":%d,\"p99_ns\":%d,"
      "\"rss_mb\":%.1f,\"calls\":%d,\"threads\":%d,\"policies\":%d,\"compile_bytes_per_policy\":%.0f}\n",
      l.load_ms, l.compile_ms, static_cast<double>(all.total()) / elapsed, all.Quantile(0.5),
      all.Quantile(0.99), RssMb(), all.total(), threads, engine.policy_count(),
      l.compile_heap_bytes / static_cast<double>(policies));
  return kExitOk;
}

}  // namespace writ::cli
