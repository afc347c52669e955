// Tests of template-linked policies in both evaluators: the compiled engine
// (src/compile) and the reference authorizer (src/eval) decide a linked set
// alike, reporting links by their link ids, and exactly as the static
// policies the links stand for (each template written out with its slots
// filled) — on hand-picked cases and on random templates, links and requests.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/json.h"
#include "writ/policy_set.h"
#include "tests/compile/random_links.h"

namespace writ {
namespace {

using ::testing::ElementsAre;

std::string Show(const Decision& d) {
  std::string s = absl::StrCat(d.allowed ? "allow" : "deny", " [", absl::StrJoin(d.reasons, ","), "]");
  for (const PolicyError& e : d.errors) absl::StrAppend(&s, " {", e.policy_id, ": ", e.message, "}");
  return s;
}

Entities MustEntities(std::string_view json) {
  std::vector<Issue> issues;
  absl::StatusOr<Entities> es = EntitiesFromJson(json, "entities.json", &issues);
  EXPECT_TRUE(es.ok()) << RenderIssues(issues);
  return es.ok() ? *std::move(es) : Entities();
}

Request Req(EntityUid p, EntityUid a, EntityUid r, Value context = Value::MakeRecord({})) {
  Request req;
  req.principal = std::move(p);
  req.action = std::move(a);
  req.resource = std::move(r);
  req.context = std::move(context);
  return req;
}

// Both evaluators' decision, which must be the same.
std::string DecideBoth(const PolicySet& set, const Entities& entities, const Request& r) {
  absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set, entities);
  EXPECT_TRUE(engine.ok()) << engine.status();
  if (!engine.ok()) return "";
  const std::string want = Show(Authorize(set, entities, r));
  EXPECT_EQ(Show((*engine)->Decide(r)), want);
  return want;
}

constexpr char kEntities[] = R"([
  {"uid": {"type": "W", "id": "ci"}, "attrs": {"level": 3}, "parents": [{"type": "T", "id": "build"}]},
  {"uid": {"type": "W", "id": "bot"}, "attrs": {}, "parents": []},
  {"uid": {"type": "B", "id": "logs"}, "attrs": {}, "parents": [{"type": "F", "id": "ops"}]}
])";

TEST(LinkedPolicyTest, ReasonsAndErrorsNameTheLink) {
  PolicySet set;
  ASSERT_TRUE(set.Add(R"(
    permit(principal == ?principal, action == Action::"read", resource in ?resource);
    permit(principal is W in ?principal, action, resource) when { principal.level > 2 };
    forbid(principal, action, resource == ?resource) unless { context has ok };
  )", "p.cedar", nullptr).ok());
  ASSERT_TRUE(set.Link({"policy0", "grant-17", EntityUid{"W", "ci"}, EntityUid{"F", "ops"}}).ok());
  ASSERT_TRUE(set.Link({"policy1", "team", EntityUid{"T", "build"}, std::nullopt}).ok());
  ASSERT_TRUE(set.Link({"policy1", "bots", EntityUid{"W", "bot"}, std::nullopt}).ok());
  ASSERT_TRUE(set.Link({"policy2", "lock", std::nullopt, EntityUid{"B", "secret"}}).ok());
  const Entities es = MustEntities(kEntities);
  const Value ok = Value::MakeRecord({{"ok", Value::Bool(true)}});
  EXPECT_EQ(DecideBoth(set, es, Req({"W", "ci"}, {"Action", "read"}, {"B", "logs"}, ok)), "allow [grant-17,team]");
  EXPECT_EQ(DecideBoth(set, es, Req({"W", "ci"}, {"Action", "write"}, {"B", "logs"}, ok)), "allow [team]");
  EXPECT_EQ(DecideBoth(set, es, Req({"W", "bot"}, {"Action", "read"}, {"B", "logs"}, ok)),
            "deny [] {bots: entity W::\"bot\" does not have the attribute `level`}");
  EXPECT_EQ(DecideBoth(set, es, Req({"W", "ci"}, {"Action", "read"}, {"B", "secret"})), "deny [lock]");
  EXPECT_EQ(DecideBoth(set, es, Req({"W", "ci"}, {"Action", "read"}, {"B", "secret"}, ok)), "allow [team]");
  // Without links the templates decide nothing.
  PolicySet bare;
  ASSERT_TRUE(bare.Add("permit(principal == ?principal, action, resource);", "p.cedar", nullptr).ok());
  EXPECT_EQ(DecideBoth(bare, es, Req({"W", "ci"}, {"Action", "read"}, {"B", "logs"})), "deny []");
}

TEST(LinkedPolicyTest, EngineCountsAndDumpsLinks) {
  PolicySet set;
  ASSERT_TRUE(set.Add("permit(principal in ?principal, action, resource);", "p.cedar", nullptr).ok());
  ASSERT_TRUE(set.Link({"policy0", "a", EntityUid{"T", "build"}, std::nullopt}).ok());
  ASSERT_TRUE(set.Link({"policy0", "b", EntityUid{"T", "test"}, std::nullopt}).ok());
  absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set);
  ASSERT_TRUE(engine.ok());
  EXPECT_EQ((*engine)->policy_count(), 2u);
  EXPECT_THAT((*engine)->Dump(), testing::HasSubstr("principal in T::\"test\""));
}

// ---- Random templates and links, against the static policies they stand for ----

TEST(LinkedPolicyTest, RandomLinksDecideAsTheStaticPoliciesTheyStandFor) {
  const Entities es = MustEntities(R"([
    {"uid": {"type": "W", "id": "ci"}, "attrs": {"level": 3}, "parents": [{"type": "T", "id": "build"}]},
    {"uid": {"type": "W", "id": "bot"}, "attrs": {"level": 1}, "parents": []},
    {"uid": {"type": "T", "id": "build"}, "attrs": {}, "parents": []},
    {"uid": {"type": "B", "id": "logs"}, "attrs": {"open": true}, "parents": [{"type": "F", "id": "ops"}]},
    {"uid": {"type": "B", "id": "secret"}, "attrs": {}, "parents": [{"type": "F", "id": "x"}]}
  ])");
  const std::vector<EntityUid> ps = {{"W", "ci"}, {"W", "bot"}, {"W", "ghost"}, {"T", "build"}};
  const std::vector<EntityUid> as = {{"Action", "read"}, {"Action", "write"}, {"Action", "list"}};
  const std::vector<EntityUid> rs = {{"B", "logs"}, {"B", "secret"}, {"F", "ops"}, {"B", "nope"}};
  int allowed = 0, errored = 0, decisions = 0, by_link = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    testing_gen::RandomLinked c = testing_gen::GenerateLinked(seed);
    absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(c.linked, es);
    ASSERT_TRUE(engine.ok());
    std::mt19937_64 rng(seed * 7919);
    for (int i = 0; i < 12; ++i) {
      Value context = rng() % 3 == 0 ? Value::MakeRecord({}) : Value::MakeRecord({{"flag", Value::Bool(rng() % 2 == 0)}});
      const Request r = Req(ps[rng() % ps.size()], as[rng() % as.size()], rs[rng() % rs.size()], context);
      const Decision ref = Authorize(c.linked, es, r);
      const Decision compiled = (*engine)->Decide(r);
      Decision expanded = Authorize(c.expanded, es, r);
      // The expanded set's ids, named as in the linked set.
      auto rename = [&](const std::string& id) { return c.names[std::stoul(id.substr(6))]; };
      for (std::string& id : expanded.reasons) id = rename(id);
      for (PolicyError& e : expanded.errors) e.policy_id = rename(e.policy_id);
      std::sort(expanded.reasons.begin(), expanded.reasons.end());
      std::sort(expanded.errors.begin(), expanded.errors.end(),
                [](const PolicyError& a, const PolicyError& b) { return a.policy_id < b.policy_id; });
      Decision sorted = ref;
      std::sort(sorted.reasons.begin(), sorted.reasons.end());
      std::sort(sorted.errors.begin(), sorted.errors.end(),
                [](const PolicyError& a, const PolicyError& b) { return a.policy_id < b.policy_id; });
      ASSERT_EQ(Show(compiled), Show(ref)) << "seed " << seed;
      ASSERT_EQ(Show(sorted), Show(expanded)) << "seed " << seed;
      allowed += ref.allowed ? 1 : 0;
      errored += ref.errors.empty() ? 0 : 1;
      for (const std::string& id : ref.reasons) by_link += id.rfind("link", 0) == 0 ? 1 : 0;
      ++decisions;
    }
  }
  // The cases are worth something: both outcomes and errors occur.
  EXPECT_GT(allowed, decisions / 10);
  EXPECT_LT(allowed, decisions * 9 / 10);
  EXPECT_GT(errored, decisions / 50);
  EXPECT_GT(by_link, decisions / 10);
}

}  // namespace
}  // namespace writ
