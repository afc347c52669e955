// writ CLI: `compile` (compile, report its cost, optionally dump the compiled
// form) and `bench` (time decisions of the compiled engine on a request file,
// the way bench/peers times Cedar's engine on the same file: deciding a
// request already prepared, building it from a service's values and deciding,
// and reading its JSON text and deciding). Both load through the one loader
// (writ/load.h).
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
#include <unordered_set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
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

// A request as a service holds it before it asks writ: its own strings and
// numbers. Building the `Request` from it (uids from strings, the context
// record from its fields) is part of what the service pays per decision.
// Extension values (ipaddr, decimal, ...) are kept as built values: a service
// would construct them too, but the requests of the benchmark sets have none.
struct NativeValue {
  Value::Kind kind = Value::Kind::kBool;
  bool b = false;
  std::int64_t l = 0;
  std::string s;                     // a string, or an entity's type
  std::string id;                    // an entity's id
  std::vector<std::string> names;    // a record's attribute names
  std::vector<NativeValue> values;   // a record's values, or a set's elements
  Value extension;                   // ipaddr, decimal, datetime, duration, spiffe
};

struct NativeUid {
  std::string type, id;
};

struct NativeRequest {
  NativeUid principal, action, resource;
  NativeValue context;
  std::optional<absl::Time> now;
  std::vector<NativeUid> chain;
};

NativeValue ToNative(const Value& v) {
  NativeValue n;
  n.kind = v.kind();
  switch (v.kind()) {
    case Value::Kind::kBool:
      n.b = v.as_bool();
      break;
    case Value::Kind::kLong:
      n.l = v.as_long();
      break;
    case Value::Kind::kString:
      n.s = v.as_string();
      break;
    case Value::Kind::kEntity:
      n.s = v.as_entity().type;
      n.id = v.as_entity().id;
      break;
    case Value::Kind::kSet:
      for (const Value& e : v.as_set()) n.values.push_back(ToNative(e));
      break;
    case Value::Kind::kRecord:
      for (const auto& [name, field] : v.as_record()) {
        n.names.push_back(name);
        n.values.push_back(ToNative(field));
      }
      break;
    case Value::Kind::kIp:
    case Value::Kind::kDecimal:
    case Value::Kind::kDatetime:
    case Value::Kind::kDuration:
    case Value::Kind::kSpiffe:
      n.extension = v;
      break;
  }
  return n;
}

Value Build(const NativeValue& n) {
  switch (n.kind) {
    case Value::Kind::kBool:
      return Value::Bool(n.b);
    case Value::Kind::kLong:
      return Value::Long(n.l);
    case Value::Kind::kString:
      return Value::String(n.s);
    case Value::Kind::kEntity:
      return Value::Entity(EntityUid{n.s, n.id});
    case Value::Kind::kSet: {
      std::vector<Value> elements;
      elements.reserve(n.values.size());
      for (const NativeValue& e : n.values) elements.push_back(Build(e));
      return Value::MakeSet(std::move(elements));
    }
    case Value::Kind::kRecord: {
      Value::Record fields;
      for (std::size_t i = 0; i < n.names.size(); ++i) fields.emplace(n.names[i], Build(n.values[i]));
      return Value::MakeRecord(std::move(fields));
    }
    case Value::Kind::kIp:
    case Value::Kind::kDecimal:
    case Value::Kind::kDatetime:
    case Value::Kind::kDuration:
    case Value::Kind::kSpiffe:
      return n.extension;
  }
  return Value();
}

NativeUid ToNative(const EntityUid& uid) { return {uid.type, uid.id}; }

NativeRequest ToNative(const Request& r) {
  NativeRequest n{ToNative(r.principal), ToNative(r.action), ToNative(r.resource), ToNative(r.context), r.now, {}};
  for (const EntityUid& uid : r.chain) n.chain.push_back(ToNative(uid));
  return n;
}

// What a service does per call: the `Request` from its own values.
Request Build(const NativeRequest& n) {
  Request r;
  r.principal = EntityUid{n.principal.type, n.principal.id};
  r.action = EntityUid{n.action.type, n.action.id};
  r.resource = EntityUid{n.resource.type, n.resource.id};
  r.context = Build(n.context);
  r.now = n.now;
  r.chain.reserve(n.chain.size());
  for (const NativeUid& uid : n.chain) r.chain.push_back(EntityUid{uid.type, uid.id});
  return r;
}

// The requests of a file in each form the benchmark times.
struct Requests {
  std::vector<Request> built;          // read before timing
  std::vector<NativeRequest> native;   // the same, as a service's values
  std::vector<std::string> text;       // each request's line of JSON
  std::size_t distinct = 0;            // distinct requests among them
};

// Reads every request line (the loader's JSON-lines reader, as `authorize`
// does); a line that does not read is an input error (a benchmark that
// skipped requests would measure something else). Blank lines are skipped.
bool ReadRequests(const std::string& path, const JsonOptions& options, Requests* requests, std::ostream& err) {
  bool ok = true;
  absl::Status read = ReadRequestLinesFile(path, options, [&](RequestLine line) {
    if (line.blank) return true;
    if (!line.request) {
      const Issue& i = line.issue;
      err << i.file << ":" << i.line << ":" << (i.column == 0 ? 1 : i.column) << ": error: " << i.message << "\n";
      ok = false;
      return false;
    }
    requests->built.push_back(*std::move(line.request));
    return true;
  });
  if (!read.ok()) {
    err << "error: " << read.message() << "\n";
    return false;
  }
  if (!ok) return false;
  if (requests->built.empty()) {
    err << "error: " << path << ": no requests\n";
    return false;
  }
  // The lines again, as text, split as ReadRequestLines splits them (the
  // lines it read, so none is over its bound).
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    requests->text.push_back(line);
  }
  if (requests->text.size() != requests->built.size()) {
    err << "error: " << path << ": changed while it was read\n";
    return false;
  }
  std::unordered_set<std::string> seen;
  for (const Request& r : requests->built) {
    requests->native.push_back(ToNative(r));
    std::string key = absl::StrCat(r.principal.ToString(), " ", r.action.ToString(), " ", r.resource.ToString(),
                                   " ", r.context.ToString(), " ", r.now ? absl::FormatTime(*r.now) : "-");
    for (const EntityUid& uid : r.chain) absl::StrAppend(&key, " ", uid.ToString());
    seen.insert(std::move(key));
  }
  requests->distinct = seen.size();
  return true;
}

// Decisions are timed in batches: the clock is read once per kBatch calls
// and each batch's time divided by kBatch is one sample, so the figures
// carry no clock reads per call (a pair costs about 26 ns on the CI
// machine). p50 and p99 are over batches, not single calls.
constexpr int kBatch = 64;

struct Figure {
  double decisions_per_sec = 0;
  std::uint64_t p50_ns = 0, p99_ns = 0, calls = 0;
};

// Runs `op(i, &decision)` (one decision of request i) on `threads` threads,
// each looping over the requests in order from its own offset: about a
// second of warm-up, then `seconds` timed.
template <typename Op>
Figure Measure(std::size_t n, int threads, double seconds, const Op& op) {
  std::vector<Histogram> histograms(static_cast<std::size_t>(threads));
  auto run = [&](std::size_t t, Clock::time_point until, bool record) {
    Decision d;
    Histogram local;
    std::size_t i = (t * n) / static_cast<std::size_t>(threads);
    Clock::time_point start = Clock::now();
    while (true) {
      for (int k = 0; k < kBatch; ++k) {
        op(i, &d);
        if (++i == n) i = 0;
      }
      const Clock::time_point end = Clock::now();
      if (record) local.Add(static_cast<std::uint64_t>(((end - start).count() + kBatch / 2) / kBatch));
      if (end >= until) break;
      start = end;
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
  Figure f;
  f.calls = all.total() * kBatch;
  f.decisions_per_sec = static_cast<double>(f.calls) / elapsed;
  f.p50_ns = all.Quantile(0.5);
  f.p99_ns = all.Quantile(0.99);
  return f;
}

std::string FigureJson(std::string_view what, const Figure& f) {
  return absl::StrFormat("{\"what\":\"%s\",\"decisions_per_sec\":%.0f,\"p50_ns\":%d,\"p99_ns\":%d,\"calls\":%d}",
                         what, f.decisions_per_sec, f.p50_ns, f.p99_ns, f.calls);
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
  bool want_build = true, want_json = true;
  if (auto f = args.One("figures")) {
    want_build = want_json = false;
    for (absl::string_view name : absl::StrSplit(*f, ',')) {
      if (name == "decide") continue;   // always measured: it is the top-level figure
      if (name == "build") {
        want_build = true;
      } else if (name == "json") {
        want_json = true;
      } else {
        err << "error: --figures takes a list of decide, build and json (e.g. decide,json)\n";
        return kExitUsage;
      }
    }
  }
  Loaded l;
  if (!LoadAndCompile(args, &l, err)) return kExitUsage;
  Requests requests;
  const std::string path = *args.One("requests");
  JsonOptions json = JsonOptionsOf(args);
  json.schema = l.schema ? &*l.schema : nullptr;
  if (!ReadRequests(path, json, &requests, err)) return kExitUsage;
  const Engine& engine = *l.engine;
  const std::size_t n = requests.built.size();

  if (auto decisions_path = args.One("decisions")) {
    std::ofstream decisions(*decisions_path, std::ios::binary | std::ios::trunc);
    Decision d;
    for (const Request& r : requests.built) {
      engine.Decide(r, &d);
      decisions << (d.allowed ? "allow\n" : "deny\n");
    }
    if (!decisions.flush()) {
      err << "error: " << *decisions_path << ": cannot write\n";
      return kExitUsage;
    }
  }

  // Prepared once, before timing (each borrows from its built Request, which
  // stays put from here on). A request with a chain cannot be prepared: the
  // decide figure decides those as built Requests, and says how many.
  std::vector<PreparedRequest> prepared(n);
  std::vector<char> is_prepared(n, 0);
  std::size_t prepared_count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (engine.Prepare(requests.built[i], &prepared[i]).ok()) {
      is_prepared[i] = 1;
      ++prepared_count;
    }
  }

  // The three paths, each one decision of request i.
  auto decide = [&](std::size_t i, Decision* d) {
    if (is_prepared[i]) {
      engine.Decide(prepared[i], d);
    } else {
      engine.Decide(requests.built[i], d);
    }
  };
  // A service's path: Decide(const Request&) prepares the request internally.
  auto build_decide = [&](std::size_t i, Decision* d) { engine.Decide(Build(requests.native[i]), d); };
  // The gateway's path: the request's JSON text decided as `writ serve`
  // decides it (DecideJson).
  auto json_decide = [&](std::size_t i, Decision* d) {
    std::vector<Issue> issues;
    if (!DecideJson(engine, requests.text[i], path, &issues, d, json).ok()) d->allowed = false;
  };
  // All three must decide every request alike, or they would time different work.
  {
    Decision a, b, c;
    for (std::size_t i = 0; i < n; ++i) {
      decide(i, &a);
      build_decide(i, &b);
      json_decide(i, &c);
      if (a.allowed != b.allowed || a.allowed != c.allowed) {
        err << "error: " << path << ": request " << i + 1
            << " is decided differently when built from its values or read from its text\n";
        return kExitProblems;
      }
    }
  }

  const Figure decided = Measure(n, threads, seconds, decide);
  std::string what = "Engine::Decide on a PreparedRequest prepared before timing";
  if (prepared_count < n) {
    absl::StrAppend(&what, " (", n - prepared_count, " with a chain: on the Request built before timing)");
  }
  std::string figures = absl::StrCat("\"decide\":", FigureJson(what, decided));
  if (want_build) {
    absl::StrAppend(&figures, ",\"build_decide\":",
                    FigureJson("the Request built from the service's strings and values, then prepared and decided",
                               Measure(n, threads, seconds, build_decide)));
  }
  if (want_json) {
    absl::StrAppend(&figures, ",\"json_decide\":",
                    FigureJson("the request's JSON text decided as writ serve decides it (DecideJson)",
                               Measure(n, threads, seconds, json_decide)));
  }
  const std::size_t policies = std::max<std::size_t>(1, engine.policy_count());
  // The top-level decisions_per_sec, p50_ns, p99_ns and calls are the decide
  // figure's, as before there were three (bench/peers/run.sh reads them).
  out << absl::StrFormat(
      "{\"load_ms\":%.1f,\"compile_ms\":%.1f,\"decisions_per_sec\":%.0f,\"p50_ns\":%d,\"p99_ns\":%d,"
      "\"rss_mb\":%.1f,\"calls\":%d,\"threads\":%d,\"policies\":%d,\"compile_bytes_per_policy\":%.0f,"
      "\"requests\":%d,\"distinct_requests\":%d,\"prepared_requests\":%d,\"batch\":%d,%s}\n",
      l.load_ms, l.compile_ms, decided.decisions_per_sec, decided.p50_ns, decided.p99_ns, RssMb(), decided.calls,
      threads, engine.policy_count(), l.compile_heap_bytes / static_cast<double>(policies), n, requests.distinct,
      prepared_count, kBatch, figures);
  return kExitOk;
}

}  // namespace writ::cli
