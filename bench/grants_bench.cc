// Google Benchmark programs for run-time grants (writ/grants.h, issue 16):
//   BM_GrantDecide/static/N   Engine::Decide with N static policies, each a
//                             principal's narrow permit (`principal ==
//                             Workload::"wI", action == Action::"call",
//                             resource in Bucket::"bK"` with a condition)
//   BM_GrantDecide/grants/N   the same N permits as grants of one template,
//                             issued at run time: the ratio of the two is
//                             what a grant costs a decision
//   BM_GrantChurn/N/D         AddGrant + RemoveGrant with N live grants while
//                             D other threads decide at full rate; items/s
//                             counts changes (one add or one remove)
// 10,000 distinct requests, cycled; about half allowed.
// Run: build-release/bench/writ_grants_bench (see bench/RESULTS.md).
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "writ/writ.h"

namespace writ::bench {
namespace {

constexpr int kRequests = 10000;
constexpr int kBuckets = 100;
constexpr int kNamespaces = 100;
constexpr char kTemplate[] =
    "permit(principal == ?principal, action == Action::\"call\", resource in ?resource)\n"
    "  when { context.env == \"prod\" };\n";

EntityUid Workload(int i) { return {"Workload", absl::StrCat("spiffe://acme.io/ns/", i % kNamespaces, "/sa/w", i)}; }
EntityUid Bucket(int i) { return {"Bucket", absl::StrCat("b", i % kBuckets)}; }

struct Setup {
  std::unique_ptr<Engine> engine;
  std::vector<Request> requests;
};

// N workloads (each in a namespace), buckets in folders; workload i may call
// on bucket i % kBuckets, as a static policy or as a grant.
std::unique_ptr<Setup> Make(int n, bool grants) {
  Entities entities;
  for (int i = 0; i < n; ++i) {
    Entity e;
    e.uid = Workload(i);
    e.parents = {{"Namespace", absl::StrCat("ns", i % kNamespaces)}};
    if (!entities.Add(std::move(e)).ok()) return nullptr;
  }
  for (int b = 0; b < kBuckets; ++b) {
    Entity e;
    e.uid = Bucket(b);
    e.parents = {{"Folder", absl::StrCat("f", b % 10)}};
    if (!entities.Add(std::move(e)).ok()) return nullptr;
  }
  std::string text = kTemplate;
  if (!grants) {
    for (int i = 0; i < n; ++i) {
      absl::StrAppend(&text, "permit(principal == ", Workload(i).ToString(), ", action == Action::\"call\", ",
                      "resource in ", Bucket(i).ToString(), ") when { context.env == \"prod\" };\n");
    }
  }
  PolicySet set;
  if (!set.Add(text, "grants.cedar", nullptr).ok()) return nullptr;
  auto s = std::make_unique<Setup>();
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Compile(set, std::move(entities));
  if (!engine.ok()) return nullptr;
  s->engine = *std::move(engine);
  if (grants) {
    for (int i = 0; i < n; ++i) {
      Grant g;
      g.link = {"policy0", absl::StrCat("grant-", i), Workload(i), Bucket(i)};
      if (!s->engine->AddGrant(g).ok()) return nullptr;
    }
  }
  std::mt19937_64 rng(42);
  const Value prod = Value::MakeRecord({{"env", Value::String("prod")}});
  for (int k = 0; k < kRequests; ++k) {
    const int i = static_cast<int>(rng() % static_cast<std::uint64_t>(n));
    Request r;
    r.principal = Workload(i);
    r.action = {"Action", "call"};
    r.resource = Bucket(rng() % 2 == 0 ? i : i + 1);   // half on the granted bucket
    r.context = prod;
    s->requests.push_back(std::move(r));
  }
  return s;
}

const Setup* Get(int n, bool grants) {
  static auto* cache = new std::map<std::pair<int, bool>, std::unique_ptr<Setup>>();
  auto key = std::pair(n, grants);
  auto it = cache->find(key);
  if (it == cache->end()) it = cache->emplace(key, Make(n, grants)).first;
  return it->second.get();
}

void Decide(benchmark::State& state, bool grants) {
  const Setup* s = Get(static_cast<int>(state.range(0)), grants);
  if (s == nullptr) {
    state.SkipWithError("the set does not build");
    return;
  }
  Decision d;
  std::size_t i = 0;
  std::int64_t allowed = 0;
  for (auto _ : state) {
    s->engine->Decide(s->requests[i], &d);
    allowed += d.allowed;
    if (++i == s->requests.size()) i = 0;
  }
  state.counters["allow_ratio"] = static_cast<double>(allowed) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
}

void BM_GrantDecideStatic(benchmark::State& state) { Decide(state, false); }
void BM_GrantDecideGrants(benchmark::State& state) { Decide(state, true); }
BENCHMARK(BM_GrantDecideStatic)->Name("BM_GrantDecide/static")->Arg(1000)->Arg(100000);
BENCHMARK(BM_GrantDecideGrants)->Name("BM_GrantDecide/grants")->Arg(1000)->Arg(100000);

// Issue and revoke while `deciders` threads decide: each iteration revokes
// the oldest churned grant and issues a new one (the live count stays N).
void BM_GrantChurn(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int deciders = static_cast<int>(state.range(1));
  std::unique_ptr<Setup> s = Make(n, true);   // its own: the grants change
  if (s == nullptr) {
    state.SkipWithError("the set does not build");
    return;
  }
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> decided{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < deciders; ++t) {
    threads.emplace_back([&, t] {
      Decision d;
      std::size_t i = static_cast<std::size_t>(t) * 997;
      std::int64_t count = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        s->engine->Decide(s->requests[i], &d);
        if (++i == s->requests.size()) i = 0;
        ++count;
      }
      decided.fetch_add(count);
    });
  }
  std::int64_t next = 0, oldest = 0;
  for (auto _ : state) {
    if (!s->engine->RemoveGrant(absl::StrCat(oldest < n ? "grant-" : "churn-", oldest < n ? oldest : oldest - n)).ok()) {
      state.SkipWithError("remove failed");
      break;
    }
    ++oldest;
    Grant g;
    g.link = {"policy0", absl::StrCat("churn-", next), Workload(static_cast<int>(next % n)), Bucket(0)};
    ++next;
    if (!s->engine->AddGrant(g).ok()) {
      state.SkipWithError("add failed");
      break;
    }
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  state.SetItemsProcessed(2 * state.iterations());   // changes per second
  state.counters["decisions_meanwhile"] = static_cast<double>(decided.load());
}
BENCHMARK(BM_GrantChurn)
    ->Name("BM_GrantChurn")
    ->Args({100000, 0})->Args({100000, 1})
    ->UseRealTime();

}  // namespace
}  // namespace writ::bench

BENCHMARK_MAIN();
