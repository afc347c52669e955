// The entity hierarchy's depth bound (kMaxHierarchyDepth, writ/limits.h) and
// the compiled engine's ancestor closures (src/compile: built parents first
// from their parents' closures) held to the store's own walk (issue 14,
// defect 6: a chain of 4,000 took seconds to compile).
#include <cstddef>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/entities.h"
#include "writ/json.h"
#include "writ/limits.h"
#include "writ/policy_set.h"

namespace writ {
namespace {

using ::testing::HasSubstr;

EntityUid G(std::size_t i) { return {"G", absl::StrCat(i)}; }

// G::"0" in G::"1" in ... in G::"n-1" (and G::"n-1" in `top` when given).
Entities Chain(std::size_t n, const EntityUid* top = nullptr) {
  Entities es;
  for (std::size_t i = 0; i < n; ++i) {
    Entity e;
    e.uid = G(i);
    if (i + 1 < n) e.parents.push_back(G(i + 1));
    if (i + 1 == n && top != nullptr) e.parents.push_back(*top);
    EXPECT_TRUE(es.Add(std::move(e)).ok());
  }
  return es;
}

PolicySet Policies(std::string_view text) {
  PolicySet set;
  std::vector<Issue> issues;
  EXPECT_TRUE(set.Add(text, "test.cedar", &issues).ok()) << RenderIssues(issues);
  return set;
}

Request Req(EntityUid p, EntityUid r) {
  Request req;
  req.principal = std::move(p);
  req.action = {"Action", "a"};
  req.resource = std::move(r);
  return req;
}

TEST(HierarchyTest, DepthIsBoundedInParentLinks) {
  // kMaxHierarchyDepth + 1 entities: the bottom is kMaxHierarchyDepth links deep.
  EXPECT_EQ(Chain(kMaxHierarchyDepth + 1).FindTooDeep(kMaxHierarchyDepth), nullptr);
  const Entities deep = Chain(kMaxHierarchyDepth + 2);
  const EntityUid* too_deep = deep.FindTooDeep(kMaxHierarchyDepth);
  ASSERT_NE(too_deep, nullptr);
  EXPECT_EQ(*too_deep, G(0));
  // A parent outside the store is one more link.
  const EntityUid outside{"Org", "root"};
  EXPECT_EQ(Chain(kMaxHierarchyDepth, &outside).FindTooDeep(kMaxHierarchyDepth), nullptr);
  EXPECT_NE(Chain(kMaxHierarchyDepth + 1, &outside).FindTooDeep(kMaxHierarchyDepth), nullptr);
  // Depth is the longest chain, not the first one found: a shortcut to the top
  // does not hide the long way round.
  Entities both = Chain(kMaxHierarchyDepth + 2);
  ASSERT_TRUE(both.Add(Entity{.uid = {"W", "w"}, .attrs = {}, .parents = {G(kMaxHierarchyDepth + 1), G(0)}, .tags = {}}).ok());
  EXPECT_NE(both.FindTooDeep(kMaxHierarchyDepth), nullptr);
  EXPECT_EQ(Entities().FindTooDeep(0), nullptr);
}

// A chain as long as the bound compiles (in milliseconds: bench/RESULTS.md)
// and decides `in` along it; one link more is refused, naming the entity.
TEST(HierarchyTest, TheEngineTakesAChainAtTheBoundAndRefusesALongerOne) {
  const std::size_t n = kMaxHierarchyDepth + 1;
  const PolicySet set = Policies(absl::StrCat(R"(permit(principal in G::")", n - 1, R"(", action, resource);
forbid(principal, action, resource) when { principal in G::"500" && resource in G::"900" };)"));
  absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set, Chain(n));
  ASSERT_TRUE(engine.ok()) << engine.status();
  const Entities store = Chain(n);
  for (std::size_t p : {std::size_t{0}, std::size_t{499}, std::size_t{500}, n - 1}) {
    for (std::size_t r : {std::size_t{0}, std::size_t{900}, n - 1}) {
      const Decision d = (*engine)->Decide(Req(G(p), G(r)));
      EXPECT_EQ(d.allowed, Authorize(set, store, Req(G(p), G(r))).allowed) << p << " " << r;
      EXPECT_EQ(d.allowed, !(p <= 500 && r <= 900)) << p << " " << r;
    }
  }
  absl::StatusOr<std::unique_ptr<const Engine>> deeper = Engine::Compile(set, Chain(n + 1));
  ASSERT_FALSE(deeper.ok());
  EXPECT_THAT(deeper.status().message(),
              HasSubstr(absl::StrCat("the entity hierarchy is too deep: `G::\"0\"` has a chain of more than ",
                                     kMaxHierarchyDepth, " parents")));
}

// Entities with several parents (closures merged) and parents outside the
// store: every `principal in resource` the engine decides is the store's own
// walk (Entities::IsDescendantOf) and the reference authorizer's.
TEST(HierarchyTest, MergedClosuresMatchTheWalk) {
  std::mt19937 rng(14);
  const std::size_t n = 300;
  Entities store;
  for (std::size_t i = 0; i < n; ++i) {
    Entity e;
    e.uid = G(i);
    const std::size_t parents = rng() % 4;
    for (std::size_t k = 0; k < parents && i + 1 < n; ++k) {
      e.parents.push_back(G(i + 1 + rng() % std::min<std::size_t>(n - i - 1, 20)));   // duplicates allowed
    }
    if (rng() % 10 == 0) e.parents.push_back({"Org", absl::StrCat(rng() % 3)});
    ASSERT_TRUE(store.Add(std::move(e)).ok());
  }
  const PolicySet set = Policies("permit(principal, action, resource) when { principal in resource };");
  absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set, store);
  ASSERT_TRUE(engine.ok()) << engine.status();
  std::size_t allowed = 0;
  for (std::size_t p = 0; p < n; p += 3) {
    for (std::size_t r = 0; r < n; r += 2) {
      const bool want = p == r || store.IsDescendantOf(G(p), G(r));
      EXPECT_EQ((*engine)->Decide(Req(G(p), G(r))).allowed, want) << p << " in " << r;
      EXPECT_EQ(Authorize(set, store, Req(G(p), G(r))).allowed, want) << p << " in " << r;
      allowed += want;
    }
    for (std::size_t o = 0; o < 3; ++o) {
      const EntityUid org{"Org", absl::StrCat(o)};
      EXPECT_EQ((*engine)->Decide(Req(G(p), org)).allowed, store.IsDescendantOf(G(p), org)) << p;
    }
  }
  EXPECT_GT(allowed, 100u);   // the hierarchy is not trivially flat
}

// Reading entities refuses a chain past the bound, located at the entity.
TEST(HierarchyTest, EntitiesFromJsonLocatesTheTooDeepEntity) {
  auto json = [](std::size_t n) {
    std::string s = "[";
    for (std::size_t i = 0; i < n; ++i) {
      absl::StrAppend(&s, i == 0 ? "" : ",\n", R"({"uid": {"type": "G", "id": ")", i, R"("}, "attrs": {}, "parents": [)",
                      i + 1 < n ? absl::StrCat(R"({"type": "G", "id": ")", i + 1, R"("})") : "", "]}");
    }
    return s + "]";
  };
  std::vector<Issue> issues;
  absl::StatusOr<Entities> ok = EntitiesFromJson(json(kMaxHierarchyDepth + 1), "chain.json", &issues);
  ASSERT_TRUE(ok.ok()) << RenderIssues(issues);
  EXPECT_EQ(ok->size(), kMaxHierarchyDepth + 1);
  issues.clear();
  EXPECT_FALSE(EntitiesFromJson(json(kMaxHierarchyDepth + 2), "chain.json", &issues).ok());
  ASSERT_FALSE(issues.empty());
  EXPECT_THAT(issues[0].message, HasSubstr("the entity hierarchy is too deep: `G::\"0\"` has a chain of more than"));
  EXPECT_EQ(issues[0].line, 1u);
  EXPECT_EQ(issues[0].column, 10u);
}

}  // namespace
}  // namespace writ
