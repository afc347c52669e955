// Google Benchmark programs for the compiled engine (issue: decision tree):
//   BM_Decide/workload/N     one Engine::Decide on a built request, N permit
//                            policies of the workload-identity set (+1 forbid),
//                            on 1 and 2 threads
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
#include "writ/writ.h"

namespace writ::bench {
namespace {

// A generated dataset, parsed once.
struct Loaded {
  PolicySet policies;
  Entities entities;
  std::vector<Request> requests;
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
constexpr int kRequests = 2000;

// Datasets by name, generated on first use and kept for the whole run.
const Loaded* Get(const std::string& name, int n) {
  static std::map<std::pair<std::string, int>, std::unique_ptr<Loaded>>* cache =
      new std::map<std::pair<std::string, int>, std::unique_ptr<Loaded>>();
  auto key = std::pair(name, n);
  auto it = cache->find(key);
  if (it != cache->end()) return it->second.get();
  if (name == "workload-spiffe") {
    return cache->emplace(key, LoadWithSpiffe(MakeWorkloadDataset(n, kRequests, kSeed))).first->second.get();
  }
  if (name == "workload-ext") {
    return cache->emplace(key, LoadWithExtensions(MakeWorkloadDataset(n, kRequests, kSeed))).first->second.get();
  }
  Dataset d = name == "workload" ? MakeWorkloadDataset(n, kRequests, kSeed)
              : name == "gdrive" ? MakeGdrive(n, kSeed)
              : name == "github" ? MakeGithub(n, kSeed)
                                 : MakeTinytodo(n, kSeed);
  return cache->emplace(key, Load(d)).first->second.get();
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
    Entities entities = l->entities;
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
