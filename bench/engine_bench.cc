// Google Benchmark programs for the compiled engine (issue: decision tree;
// issue 15: what users pay). Every workload benchmark cycles 10,000 distinct
// requests (a working set well past L2, as a real mix is; 2,000 flattered the
// figure):
//   BM_Decide/workload/N     one Engine::Decide on a built request, N permit
//                            policies of the workload-identity set (+1 forbid),
//                            on 1 and 2 threads (Decide prepares it internally)
//   BM_DecidePrepared/workload/N  Engine::Decide on a PreparedRequest prepared
//                            beforehand, 1 and 2 threads
//   BM_BuildDecide/workload/N  the Request built from a service's own strings
//                            and numbers, then decided: what a service pays
//   BM_JsonDecide/workload/N the request's JSON text decided (writ::DecideJson,
//                            as `writ serve` decides it): what a gateway pays
//   BM_JsonReadDecide/workload/N  the text read into a Request (writ::ReadRequest),
//                            then decided: the path before DecideJson
//   BM_Decide/workload-ext/N the same with writ's extensions in play (lifecycle
//                            windows, the clock, a revocation list)
//   BM_Decide/workload-spiffe/N  the same with spiffe() methods and .matches in
//                            every condition
//   BM_Decide/<app>          the OOPSLA 2024 applications (gdrive, github, tinytodo)
//   BM_Reference/workload/N  the reference interpreter on the same requests,
//                            to show what the index saves as N grows
//   BM_Compile/workload/N    Engine::Compile, with heap bytes per policy
// Run: build-release/bench/writ_engine_bench (see bench/RESULTS.md).
#include <malloc.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/gen/dataset.h"
#include "bench/gen/oopsla.h"
#include "bench/gen/workload.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "benchmark/benchmark.h"
#include "writ/load.h"
#include "writ/writ.h"

namespace writ::bench {
namespace {

// A workload request as a service holds it: its own strings and numbers
// (the workload set's request shape, bench/gen/workload.cc).
struct WorkloadCall {
  std::string principal, action, bucket, environment, credential;
  std::int64_t now = 0, expires = 0;
  bool revoked = false;
};

// A generated dataset, parsed once.
struct Loaded {
  PolicySet policies;
  Entities entities;
  std::vector<Request> requests;
  std::vector<std::string> texts;            // each request's JSON line
  std::vector<PreparedRequest> prepared;     // requests[i] prepared (see PrepareAll)
  std::vector<WorkloadCall> calls;           // the workload sets only: requests[i] as a service holds it
  std::unique_ptr<const Engine> engine;
};

std::unique_ptr<Loaded> Load(const Dataset& d, const DecideOptions& options = {}) {
  auto l = std::make_unique<Loaded>();
  std::vector<Issue> issues;
  if (!l->policies.Add(d.policies, d.name + ".cedar", &issues).ok()) return nullptr;
  absl::StatusOr<Entities> es = EntitiesFromJson(d.entities_json, d.name + ".json", &issues);
  if (!es.ok()) return nullptr;
  l->entities = *std::move(es);
  for (const std::string& line : d.requests) {
    absl::StatusOr<Request> r = RequestFromJson(line, d.name + ".jsonl", &issues);
    if (!r.ok()) return nullptr;
    l->requests.push_back(*std::move(r));
    l->texts.push_back(line);
  }
  absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(l->policies, l->entities, options);
  if (!engine.ok()) return nullptr;
  l->engine = *std::move(engine);
  return l;
}

// The workload set with writ's extensions in play on every decision: each
// policy has a lifecycle window (which holds, so decisions are unchanged),
// the time is read from the system clock, and a revocation list of 1,000
// credentials (none of the requests') is checked against the principal and
// its ancestors.
std::unique_ptr<Loaded> LoadWithExtensions(Dataset d) {
  std::string policies;
  for (absl::string_view line : absl::StrSplit(d.policies, '\n')) {
    if (absl::StartsWith(line, "permit(") || absl::StartsWith(line, "forbid(")) {
      policies += "@not_before(\"2020-01-01T00:00:00Z\") @expires(\"2100-01-01T00:00:00Z\")\n";
    }
    absl::StrAppend(&policies, line, "\n");
  }
  d.policies = std::move(policies);
  auto revoked = std::make_shared<RevocationList>();
  for (int i = 0; i < 1000; ++i) {
    if (!revoked->Revoke({"Credential", absl::StrCat("revoked-", i)}).ok()) return nullptr;
  }
  DecideOptions options;
  options.revoked = std::move(revoked);
  return Load(d, options);
}

// The workload set with writ's language extensions in every condition: each
// `when` also asks that the request's workload (a spiffe value in the
// context, the principal's SPIFFE ID) is in the trust domain and matches a
// path pattern, and that the context's branch matches an RE2 pattern. Every
// request satisfies them, so decisions are those of the plain set.
std::unique_ptr<Loaded> LoadWithSpiffe(Dataset d) {
  d.policies = absl::StrReplaceAll(
      d.policies, {{"  when { ", "  when { context.workload.isInTrustDomain(\"prod.acme.io\") && "
                                  "context.workload.pathMatches(\"/ns/*/sa/**\") && "
                                  "context.branch.matches(\"release/[0-9]+\") && "}});
  std::unique_ptr<Loaded> l = Load(d);
  if (l == nullptr) return nullptr;
  for (Request& r : l->requests) {
    std::optional<SpiffeId> id = SpiffeId::Parse(r.principal.id);
    if (!id) return nullptr;
    Value::Record context = r.context.as_record();
    context.emplace("workload", Value::FromSpiffe(*std::move(id)));
    context.emplace("branch", Value::String("release/42"));
    r.context = Value::MakeRecord(std::move(context));
  }
  return l;
}

constexpr std::uint64_t kSeed = 42;
constexpr int kRequests = 10000;   // distinct: each carries its own credential id

// Prepares every request (after the loaders are done changing them: a
// PreparedRequest borrows from its Request) and, for the workload sets,
// keeps each as a service's values.
std::unique_ptr<Loaded> PrepareAll(std::unique_ptr<Loaded> l, bool workload) {
  if (l == nullptr) return nullptr;
  l->prepared.resize(l->requests.size());
  for (std::size_t i = 0; i < l->requests.size(); ++i) {
    if (!l->engine->Prepare(l->requests[i], &l->prepared[i]).ok()) return nullptr;
  }
  if (!workload) return l;
  for (const Request& r : l->requests) {
    const Value::Record& context = r.context.as_record();
    const Value::Record& credential = context.at("credential").as_record();
    l->calls.push_back({r.principal.id, r.action.id, r.resource.id, context.at("environment").as_string(),
                        credential.at("id").as_string(), context.at("now").as_long(),
                        credential.at("expires").as_long(), credential.at("revoked").as_bool()});
  }
  return l;
}

// Datasets by name, generated on first use and kept for the whole run.
const Loaded* Get(const std::string& name, int n) {
  static std::map<std::pair<std::string, int>, std::unique_ptr<Loaded>>* cache =
      new std::map<std::pair<std::string, int>, std::unique_ptr<Loaded>>();
  auto key = std::pair(name, n);
  auto it = cache->find(key);
  if (it != cache->end()) return it->second.get();
  std::unique_ptr<Loaded> l;
  if (name == "workload-spiffe") {
    l = LoadWithSpiffe(MakeWorkloadDataset(n, kRequests, kSeed));
  } else if (name == "workload-ext") {
    l = LoadWithExtensions(MakeWorkloadDataset(n, kRequests, kSeed));
  } else {
    l = Load(name == "workload" ? MakeWorkloadDataset(n, kRequests, kSeed)
             : name == "gdrive"  ? MakeGdrive(n, kSeed)
             : name == "github"  ? MakeGithub(n, kSeed)
                                 : MakeTinytodo(n, kSeed));
  }
  return cache->emplace(key, PrepareAll(std::move(l), name == "workload")).first->second.get();
}

void Decide(benchmark::State& state, const Loaded* l) {
  if (l == nullptr) {
    state.SkipWithError("dataset does not load");
    return;
  }
  Decision d;
  std::size_t i = (static_cast<std::size_t>(state.thread_index()) * l->requests.size()) / 2;
  std::int64_t allowed = 0;
  for (auto _ : state) {
    l->engine->Decide(l->requests[i], &d);
    allowed += d.allowed;
    if (++i == l->requests.size()) i = 0;
  }
  benchmark::DoNotOptimize(allowed);
  state.counters["allow_ratio"] = benchmark::Counter(
      static_cast<double>(allowed) / static_cast<double>(state.iterations()), benchmark::Counter::kAvgThreads);
  state.SetItemsProcessed(state.iterations());   // decisions per second, summed over threads
}

void BM_DecideWorkload(benchmark::State& state) { Decide(state, Get("workload", static_cast<int>(state.range(0)))); }
BENCHMARK(BM_DecideWorkload)
    ->Name("BM_Decide/workload")
    ->Arg(10)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000)
    ->Threads(1)->Threads(2)
    ->UseRealTime();

// The same requests prepared beforehand (Engine::Prepare): the decide-only figure.
void BM_DecidePreparedWorkload(benchmark::State& state) {
  const Loaded* l = Get("workload", static_cast<int>(state.range(0)));
  if (l == nullptr) {
    state.SkipWithError("dataset does not load");
    return;
  }
  Decision d;
  std::size_t i = (static_cast<std::size_t>(state.thread_index()) * l->prepared.size()) / 2;
  std::int64_t allowed = 0;
  for (auto _ : state) {
    l->engine->Decide(l->prepared[i], &d);
    allowed += d.allowed;
    if (++i == l->prepared.size()) i = 0;
  }
  benchmark::DoNotOptimize(allowed);
  state.counters["allow_ratio"] = benchmark::Counter(
      static_cast<double>(allowed) / static_cast<double>(state.iterations()), benchmark::Counter::kAvgThreads);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecidePreparedWorkload)
    ->Name("BM_DecidePrepared/workload")
    ->Arg(1000)->Arg(10000)->Arg(100000)
    ->Threads(1)->Threads(2)
    ->UseRealTime();

// A service's path: the Request built from its own values, then decided.
void BM_BuildDecideWorkload(benchmark::State& state) {
  const Loaded* l = Get("workload", static_cast<int>(state.range(0)));
  if (l == nullptr) {
    state.SkipWithError("dataset does not load");
    return;
  }
  Decision d;
  std::size_t i = (static_cast<std::size_t>(state.thread_index()) * l->calls.size()) / 2;
  std::int64_t allowed = 0;
  for (auto _ : state) {
    const WorkloadCall& c = l->calls[i];
    Request r;
    r.principal = EntityUid{"Workload", c.principal};
    r.action = EntityUid{"Action", c.action};
    r.resource = EntityUid{"Bucket", c.bucket};
    r.context = Value::MakeRecord({{"environment", Value::String(c.environment)},
                                   {"now", Value::Long(c.now)},
                                   {"credential", Value::MakeRecord({{"id", Value::String(c.credential)},
                                                                     {"expires", Value::Long(c.expires)},
                                                                     {"revoked", Value::Bool(c.revoked)}})}});
    l->engine->Decide(r, &d);
    allowed += d.allowed;
    if (++i == l->calls.size()) i = 0;
  }
  benchmark::DoNotOptimize(allowed);
  state.counters["allow_ratio"] = benchmark::Counter(
      static_cast<double>(allowed) / static_cast<double>(state.iterations()), benchmark::Counter::kAvgThreads);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BuildDecideWorkload)
    ->Name("BM_BuildDecide/workload")
    ->Arg(1000)->Arg(10000)->Arg(100000)
    ->Threads(1)->Threads(2)
    ->UseRealTime();

// A gateway's path: the request's JSON text decided as `writ serve` decides
// it (writ::DecideJson: straight into a prepared request); with `read`, read
// into a Request first (writ::ReadRequest, as `writ authorize` reads it),
// then decided, which is what DecideJson saves.
void JsonDecide(benchmark::State& state, bool read) {
  const Loaded* l = Get("workload", static_cast<int>(state.range(0)));
  if (l == nullptr) {
    state.SkipWithError("dataset does not load");
    return;
  }
  Decision d;
  std::size_t i = (static_cast<std::size_t>(state.thread_index()) * l->texts.size()) / 2;
  std::int64_t allowed = 0;
  for (auto _ : state) {
    std::vector<Issue> issues;
    absl::Status s;
    if (read) {
      absl::StatusOr<Request> r = ReadRequest(l->texts[i], "requests.jsonl", &issues, JsonOptions{});
      s = r.status();
      if (r.ok()) l->engine->Decide(*r, &d);
    } else {
      s = DecideJson(*l->engine, l->texts[i], "requests.jsonl", &issues, &d);
    }
    if (!s.ok()) {
      state.SkipWithError("a request does not read");
      return;
    }
    allowed += d.allowed;
    if (++i == l->texts.size()) i = 0;
  }
  benchmark::DoNotOptimize(allowed);
  state.counters["allow_ratio"] = benchmark::Counter(
      static_cast<double>(allowed) / static_cast<double>(state.iterations()), benchmark::Counter::kAvgThreads);
  state.SetItemsProcessed(state.iterations());
}
void BM_JsonDecideWorkload(benchmark::State& state) { JsonDecide(state, /*read=*/false); }
void BM_JsonReadDecideWorkload(benchmark::State& state) { JsonDecide(state, /*read=*/true); }
BENCHMARK(BM_JsonDecideWorkload)
    ->Name("BM_JsonDecide/workload")
    ->Arg(1000)->Arg(10000)->Arg(100000)
    ->Threads(1)->Threads(2)
    ->UseRealTime();
BENCHMARK(BM_JsonReadDecideWorkload)->Name("BM_JsonReadDecide/workload")->Arg(1000)->UseRealTime();

// The same requests with the workload extensions in play (LoadWithExtensions):
// its ratio to BM_Decide/workload is their cost.
void BM_DecideWorkloadExtensions(benchmark::State& state) {
  Decide(state, Get("workload-ext", static_cast<int>(state.range(0))));
}
BENCHMARK(BM_DecideWorkloadExtensions)
    ->Name("BM_Decide/workload-ext")
    ->Arg(1000)->Arg(100000)
    ->UseRealTime();

// The same requests with spiffe() methods and .matches in every condition
// (LoadWithSpiffe): its ratio to BM_Decide/workload is their cost.
void BM_DecideWorkloadSpiffe(benchmark::State& state) {
  Decide(state, Get("workload-spiffe", static_cast<int>(state.range(0))));
}
BENCHMARK(BM_DecideWorkloadSpiffe)
    ->Name("BM_Decide/workload-spiffe")
    ->Arg(1000)->Arg(100000)
    ->UseRealTime();

void BM_DecideApp(benchmark::State& state, const char* app) { Decide(state, Get(app, static_cast<int>(state.range(0)))); }
// The scale is entities of each main type; the paper swept 5 to 50 (see oopsla.h).
BENCHMARK_CAPTURE(BM_DecideApp, gdrive, "gdrive")->Name("BM_Decide/gdrive")->Arg(5)->Arg(50);
BENCHMARK_CAPTURE(BM_DecideApp, github, "github")->Name("BM_Decide/github")->Arg(5)->Arg(50);
BENCHMARK_CAPTURE(BM_DecideApp, tinytodo, "tinytodo")->Name("BM_Decide/tinytodo")->Arg(5)->Arg(50);

void BM_ReferenceWorkload(benchmark::State& state) {
  const Loaded* l = Get("workload", static_cast<int>(state.range(0)));
  if (l == nullptr) {
    state.SkipWithError("dataset does not load");
    return;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Authorize(l->policies, l->entities, l->requests[i]));
    if (++i == l->requests.size()) i = 0;
  }
}
BENCHMARK(BM_ReferenceWorkload)->Name("BM_Reference/workload")->Arg(10)->Arg(1000)->Arg(100000);

// Compile time and the heap the compiled engine adds, per policy: its index,
// lowered conditions and symbol tables (the entity store itself is copied
// before the measurement and moved in, so it is not counted).
void BM_CompileWorkload(benchmark::State& state) {
  const Loaded* l = Get("workload", static_cast<int>(state.range(0)));
  if (l == nullptr) {
    state.SkipWithError("dataset does not load");
    return;
  }
  double bytes = 0;
  for (auto _ : state) {
    // The copy of the entities (which Compile takes by value) is the
    // caller's cost, not Compile's: it is not timed.
    state.PauseTiming();
    Entities entities = l->entities;
    state.ResumeTiming();
    const std::size_t before = mallinfo2().uordblks;
    absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(l->policies, std::move(entities));
    bytes = static_cast<double>(mallinfo2().uordblks) - static_cast<double>(before);
    benchmark::DoNotOptimize(engine);
  }
  state.counters["bytes_per_policy"] = bytes / static_cast<double>(state.range(0));
}
BENCHMARK(BM_CompileWorkload)
    ->Name("BM_Compile/workload")
    ->Arg(1000)->Arg(10000)->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace
}  // namespace writ::bench

BENCHMARK_MAIN();
