// Tests for src/compile: the compiled engine decides exactly as the reference
// authorizer — on hand-picked policies covering the scope index, on
// per-request entities and batches, and from several threads. Random policies
// are in random_differential_test.cc; Cedar's corpus is held to the same
// agreement by `writ conformance` (tests/tools).
#include "writ/engine.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/authorize.h"
#include "writ/json.h"
#include "writ/policy_set.h"
#include "writ/revocation.h"

namespace writ {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

EntityUid Uid(std::string type, std::string id) { return {std::move(type), std::move(id)}; }

std::string Show(const Decision& d) {
  std::string s = absl::StrCat(d.allowed ? "allow" : "deny", " [", absl::StrJoin(d.reasons, ","), "]");
  for (const PolicyError& e : d.errors) absl::StrAppend(&s, " {", e.policy_id, ": ", e.message, "}");
  if (!d.breakglass.empty()) absl::StrAppend(&s, " breakglass[", absl::StrJoin(d.breakglass, ","), "]");
  if (d.revoked) s += " revoked";
  return s;
}

PolicySet Policies(std::string_view text) {
  PolicySet set;
  std::vector<Issue> issues;
  EXPECT_TRUE(set.Add(text, "test.cedar", &issues).ok()) << RenderIssues(issues);
  return set;
}

Entities EntitiesJson(std::string_view json) {
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

std::unique_ptr<const Engine> MustCompile(const PolicySet& set, Entities entities) {
  absl::StatusOr<std::unique_ptr<const Engine>> e = Engine::Compile(set, std::move(entities));
  EXPECT_TRUE(e.ok()) << e.status();
  return e.ok() ? *std::move(e) : nullptr;
}

// A workload inventory: two workloads in a namespace in a trust domain, an
// action group, buckets in a group.
constexpr std::string_view kEntities = R"([
  {"uid": {"type": "Workload", "id": "spiffe://acme/ns/pay/sa/api"}, "attrs": {"team": "pay", "tier": 1},
   "parents": [{"type": "Namespace", "id": "pay"}], "tags": {"pager": "on"}},
  {"uid": {"type": "Workload", "id": "spiffe://acme/ns/pay/sa/batch"}, "attrs": {"team": "pay", "tier": 3},
   "parents": [{"type": "Namespace", "id": "pay"}]},
  {"uid": {"type": "Namespace", "id": "pay"}, "attrs": {}, "parents": [{"type": "TrustDomain", "id": "acme"}]},
  {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": [{"type": "Action", "id": "readOnly"}]},
  {"uid": {"type": "Action", "id": "list"}, "attrs": {}, "parents": [{"type": "Action", "id": "readOnly"}]},
  {"uid": {"type": "Bucket", "id": "ledger"}, "attrs": {"owner": {"__entity": {"type": "Workload", "id": "spiffe://acme/ns/pay/sa/api"}}},
   "parents": [{"type": "Group", "id": "finance"}]}
])";

constexpr std::string_view kPolicies = R"(
  permit(principal == Workload::"spiffe://acme/ns/pay/sa/api", action == Action::"read", resource == Bucket::"ledger");
  permit(principal in Namespace::"pay", action in Action::"readOnly", resource in Group::"finance")
    when { context.env == "prod" && principal.tier < 3 };
  permit(principal in TrustDomain::"acme", action in [Action::"write", Action::"list"], resource is Bucket in Group::"finance")
    when { resource.owner == principal };
  permit(principal is Workload, action, resource) when { principal.getTag("pager") == "on" };
  forbid(principal, action, resource) when { context has revoked && context.revoked };
  permit(principal is Workload in Namespace::"pay", action == Action::"read", resource) unless { principal.tier + 1 > 2 };
  forbid(principal, action == Action::"delete", resource) when { principal.missing };
)";

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    policies_ = Policies(kPolicies);
    entities_ = EntitiesJson(kEntities);
    engine_ = MustCompile(policies_, entities_);
    ASSERT_NE(engine_, nullptr);
  }

  // Decides with both engines; they must agree in every respect.
  Decision Both(const Request& r) {
    const Decision compiled = engine_->Decide(r);
    EXPECT_EQ(Show(compiled), Show(Authorize(policies_, entities_, r)));
    return compiled;
  }

  PolicySet policies_;
  Entities entities_;
  std::unique_ptr<const Engine> engine_;
};

const EntityUid kApi = Uid("Workload", "spiffe://acme/ns/pay/sa/api");
const EntityUid kBatch = Uid("Workload", "spiffe://acme/ns/pay/sa/batch");
const EntityUid kLedger = Uid("Bucket", "ledger");

TEST_F(EngineTest, ScopeIndexFindsEveryKindOfScope) {
  const Value prod = Value::MakeRecord({{"env", Value::String("prod")}});
  // ==, in (two levels), `in` an action group, `is`, `is .. in`.
  Decision d = Both(Req(kApi, Uid("Action", "read"), kLedger, prod));
  EXPECT_TRUE(d.allowed);
  EXPECT_THAT(d.reasons, ElementsAre("policy0", "policy1", "policy3", "policy5"));
  EXPECT_THAT(d.errors, IsEmpty());
  // `in [..]` on the action, and the resource residual `is Bucket in`.
  d = Both(Req(kApi, Uid("Action", "list"), kLedger, prod));
  EXPECT_THAT(d.reasons, ElementsAre("policy1", "policy2", "policy3"));
  // batch has no pager tag: policy3 errors, and tier 3 fails policy1 and policy5.
  d = Both(Req(kBatch, Uid("Action", "read"), kLedger, prod));
  EXPECT_FALSE(d.allowed);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].policy_id, "policy3");
  EXPECT_THAT(d.errors[0].message, HasSubstr("does not have the tag `pager`"));
}

TEST_F(EngineTest, ForbidOverridesAndErrorsAreReported) {
  const Value revoked = Value::MakeRecord({{"env", Value::String("prod")}, {"revoked", Value::Bool(true)}});
  Decision d = Both(Req(kApi, Uid("Action", "read"), kLedger, revoked));
  EXPECT_FALSE(d.allowed);
  EXPECT_THAT(d.reasons, ElementsAre("policy4"));
  // `principal.missing`: an error, reported, and the forbid is skipped.
  d = Both(Req(kApi, Uid("Action", "delete"), kLedger));
  EXPECT_TRUE(d.allowed);
  EXPECT_THAT(d.reasons, ElementsAre("policy3"));
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].policy_id, "policy6");
}

TEST_F(EngineTest, UnknownEntitiesMatchOnlyOpenScopes) {
  // Not in the store, of a known type, and of an unknown type.
  Both(Req(Uid("Workload", "spiffe://other/sa/x"), Uid("Action", "read"), kLedger));
  Both(Req(Uid("Robot", "r2"), Uid("Action", "nothing"), Uid("Thing", "t")));
  Both(Req(kApi, Uid("Action", "read"), Uid("Bucket", "unknown")));
}

TEST_F(EngineTest, RequestEntitiesAreLayeredOverTheStore) {
  // The request moves batch to a new namespace outside the trust domain and
  // gives it a pager: the layered view decides, as the reference does on
  // the merged store.
  Entities overlay = EntitiesJson(R"([
    {"uid": {"type": "Workload", "id": "spiffe://acme/ns/pay/sa/batch"}, "attrs": {"team": "x", "tier": 1},
     "parents": [{"type": "Namespace", "id": "lab"}], "tags": {"pager": "on"}},
    {"uid": {"type": "Namespace", "id": "lab"}, "attrs": {}, "parents": []}
  ])");
  Entities merged = overlay;
  for (const auto& [uid, e] : entities_) {
    if (overlay.Find(uid) == nullptr) {
      ASSERT_TRUE(merged.Add(e).ok());
    }
  }
  const Value prod = Value::MakeRecord({{"env", Value::String("prod")}});
  const std::vector<Request> requests = {Req(kBatch, Uid("Action", "read"), kLedger, prod),
                                         Req(kBatch, Uid("Action", "list"), kLedger, prod),
                                         Req(kApi, Uid("Action", "read"), kLedger, prod)};
  std::vector<Decision> batch;
  engine_->DecideBatch(requests, overlay, &batch);
  ASSERT_EQ(batch.size(), requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    Decision one;
    engine_->Decide(requests[i], overlay, &one);
    const std::string reference = Show(Authorize(policies_, merged, requests[i]));
    EXPECT_EQ(Show(one), reference) << i;
    EXPECT_EQ(Show(batch[i]), reference) << i;
  }
  // batch left the namespace: policy1 and policy5 no longer apply; its new pager allows.
  EXPECT_THAT(batch[0].reasons, ElementsAre("policy3"));
}

// A per-request principal the store does not have, whose parent the store
// has: policies on that parent apply to it. The engine once probed no index
// run at all for a principal unknown to the store, so `principal in
// Namespace::"pay"` (a permit here; a forbid elsewhere) was missed.
TEST_F(EngineTest, RequestEntitiesUnknownToTheStoreInheritItsGroups) {
  const EntityUid fresh = Uid("Workload", "spiffe://acme/ns/pay/sa/new");
  Entities overlay = EntitiesJson(R"([
    {"uid": {"type": "Workload", "id": "spiffe://acme/ns/pay/sa/new"}, "attrs": {"team": "pay", "tier": 1},
     "parents": [{"type": "Namespace", "id": "pay"}]}
  ])");
  Entities merged = entities_;
  ASSERT_TRUE(merged.Add(*overlay.Find(fresh)).ok());
  const Request r = Req(fresh, Uid("Action", "read"), kLedger, Value::MakeRecord({{"env", Value::String("prod")}}));
  Decision d;
  engine_->Decide(r, overlay, &d);
  EXPECT_EQ(Show(d), Show(Authorize(policies_, merged, r)));
  EXPECT_THAT(d.reasons, ElementsAre("policy1", "policy5"));
  Decision forbidden;
  MustCompile(Policies(R"(
    permit(principal, action, resource);
    forbid(principal in Namespace::"pay", action, resource);
  )"), entities_)->Decide(r, overlay, &forbidden);
  EXPECT_EQ(Show(forbidden), "deny [policy1]");
}

TEST_F(EngineTest, DecisionStorageIsReused) {
  Decision d;
  const Value prod = Value::MakeRecord({{"env", Value::String("prod")}});
  engine_->Decide(Req(kApi, Uid("Action", "read"), kLedger, prod), &d);
  EXPECT_EQ(d.reasons.size(), 4u);
  engine_->Decide(Req(kBatch, Uid("Action", "write"), kLedger), &d);
  EXPECT_EQ(Show(d), Show(Authorize(policies_, entities_, Req(kBatch, Uid("Action", "write"), kLedger))));
}

TEST_F(EngineTest, DumpShowsTheIndexAndLoweredConditions) {
  const std::string dump = engine_->Dump();
  EXPECT_THAT(dump, HasSubstr("engine: 7 policies, 6 entities"));
  EXPECT_THAT(dump, HasSubstr("  principal == Workload::\"spiffe://acme/ns/pay/sa/api\"\n"
                              "    action == Action::\"read\" -> policy0\n"));
  EXPECT_THAT(dump, HasSubstr("    action in Action::\"list\" -> policy2\n"));
  EXPECT_THAT(dump, HasSubstr("  policy2: permit, resource is Bucket in Group::\"finance\"\n"
                              "    when (== (. resource \"owner\") principal)\n"));
  EXPECT_THAT(dump, HasSubstr("  policy5: permit, principal is Workload, resource any\n"
                              "    when (! (> (+ (. principal \"tier\") 1) 2))\n"));
}

TEST(EngineCompileTest, ConstantsAreFoldedErrorsIncluded) {
  PolicySet set = Policies(R"(
    permit(principal, action, resource) when { ip("10.0.0.1").isInRange(ip("10.0.0.0/8")) && context.x };
    permit(principal, action, resource) when { [1, 2 + 3].contains(5) && decimal("1.5") == context.d };
    permit(principal, action, resource) when { context.y || ip("bad") };
    permit(principal, action, resource) when { context.x && 9223372036854775807 + 1 == 0 };
  )");
  std::unique_ptr<const Engine> engine = MustCompile(set, Entities());
  const std::string dump = engine->Dump();
  EXPECT_THAT(dump, HasSubstr("when (&& true (. context \"x\"))"));
  EXPECT_THAT(dump, HasSubstr("when (&& true (== decimal(\"1.5000\") (. context \"d\")))"));
  EXPECT_THAT(dump, HasSubstr("(|| (. context \"y\") (error \""));
  // The folded errors are raised only when reached, with the reference's words.
  for (bool x : {false, true}) {
    const Request r = Req(Uid("U", "u"), Uid("Action", "a"), Uid("R", "r"),
                          Value::MakeRecord({{"x", Value::Bool(x)}, {"y", Value::Bool(x)},
                                             {"d", Value::Long(1)}}));
    EXPECT_EQ(Show(engine->Decide(r)), Show(Authorize(set, Entities(), r)));
  }
}

TEST(EngineCompileTest, EqualConditionsShareNodesAndConstants) {
  // A thousand policies with the same two conditions lower to the nodes of one.
  std::string text;
  for (int i = 0; i < 1000; ++i) {
    absl::StrAppend(&text, "permit(principal == U::\"u", i, "\", action, resource) when { context.env == \"prod\" }",
                    " unless { context.cred.expires < context.now };\n");
  }
  PolicySet set = Policies(text);
  std::unique_ptr<const Engine> engine = MustCompile(set, Entities());
  const std::string dump = engine->Dump();
  EXPECT_EQ(dump.substr(0, dump.find('\n')),
            "engine: 1000 policies, 0 entities, 1000 entity symbols, 1 types, 10 nodes, 1 constants, 0 scratch slots");
  const Request r = Req(Uid("U", "u7"), Uid("Action", "a"), Uid("R", "r"),
                        Value::MakeRecord({{"env", Value::String("prod")},
                                           {"now", Value::Long(5)},
                                           {"cred", Value::MakeRecord({{"expires", Value::Long(9)}})}}));
  EXPECT_EQ(Show(engine->Decide(r)), "allow [policy7]");
}

TEST(EngineCompileTest, AVariableReadTwiceInOneConditionIsOneNode) {
  // `resource` as an operand and as the object of `resource.refs`: the shared
  // variable node must not be dropped when the attribute read replaces it.
  PolicySet set = Policies(R"(permit(principal, action, resource) when { resource in resource.refs };)");
  Entities es = EntitiesJson(R"([{"uid": {"type": "R", "id": "r"}, "parents": [],
                                  "attrs": {"refs": [{"__entity": {"type": "R", "id": "r"}}]}}])");
  std::unique_ptr<const Engine> engine = MustCompile(set, es);
  const Request r = Req(Uid("U", "u"), Uid("Action", "a"), Uid("R", "r"));
  EXPECT_EQ(Show(engine->Decide(r)), "allow [policy0]");
  EXPECT_EQ(Show(engine->Decide(r)), Show(Authorize(set, es, r)));
}

TEST(EngineCompileTest, TemplatesAreSkippedAndEmptyActionListsMatchNothing) {
  PolicySet set = Policies(R"(
    permit(principal == ?principal, action, resource);
    permit(principal, action in [], resource);
    permit(principal, action in [Action::"a", Action::"a"], resource);
  )");
  std::unique_ptr<const Engine> engine = MustCompile(set, Entities());
  EXPECT_EQ(engine->policy_count(), 2u);
  const Decision d = engine->Decide(Req(Uid("U", "u"), Uid("Action", "a"), Uid("R", "r")));
  EXPECT_THAT(d.reasons, ElementsAre("policy2"));   // listed twice, decided once
}

// Cedar rejects an entity hierarchy with a cycle ("input graph has a
// cycle"), so the engine does not decide with one: the JSON reader refuses it
// (tests/json/schema_json_test.cc) and so does Compile for a store built by
// hand. (The reference evaluator's walks still terminate on one:
// tests/eval/evaluator_test.cc.)
TEST(EngineCompileTest, HierarchyCyclesAreRejected) {
  PolicySet set = Policies(R"(permit(principal in G::"a", action, resource);)");
  Entities es;
  ASSERT_TRUE(es.Add({Uid("G", "a"), {}, {Uid("G", "b")}, {}}).ok());
  ASSERT_TRUE(es.Add({Uid("G", "b"), {}, {Uid("G", "a")}, {}}).ok());
  ASSERT_TRUE(es.Add({Uid("U", "u"), {}, {Uid("G", "b")}, {}}).ok());
  absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set, es);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(engine.status().message()),
              HasSubstr("cycle: `G::\"a\"` in `G::\"b\"` in `G::\"a\"`"));
  std::vector<Issue> issues;
  EXPECT_FALSE(EntitiesFromJson(R"([
    {"uid": {"type": "G", "id": "a"}, "attrs": {}, "parents": [{"type": "G", "id": "b"}]},
    {"uid": {"type": "G", "id": "b"}, "attrs": {}, "parents": [{"type": "G", "id": "a"}]}
  ])", "entities.json", &issues).ok());
}

// Many threads share one engine; every decision equals the reference's.
TEST_F(EngineTest, ConcurrentDecisionsAgree) {
  const Value prod = Value::MakeRecord({{"env", Value::String("prod")}});
  const std::vector<Request> requests = {Req(kApi, Uid("Action", "read"), kLedger, prod),
                                         Req(kBatch, Uid("Action", "read"), kLedger, prod),
                                         Req(kApi, Uid("Action", "delete"), kLedger)};
  std::vector<std::string> want;
  for (const Request& r : requests) want.push_back(Show(Authorize(policies_, entities_, r)));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Decision d;
      for (int i = 0; i < 2000; ++i) {
        const std::size_t k = static_cast<std::size_t>(i + t) % requests.size();
        engine_->Decide(requests[k], &d);
        if (Show(d) != want[k]) ++mismatches[t];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(mismatches, ElementsAre(0, 0, 0, 0));
}

// Revocations land while four threads decide (run under TSan in CI): every
// decision is either the unrevoked or the revoked one, and once Revoke has
// returned, the next decision on every thread is revoked.
TEST_F(EngineTest, ConcurrentRevocationTakesEffectOnTheNextDecision) {
  auto revoked = std::make_shared<RevocationList>();
  DecideOptions options;
  options.revoked = revoked;
  absl::StatusOr<std::unique_ptr<const Engine>> compiled = Engine::Compile(policies_, entities_, options);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  const std::unique_ptr<const Engine> engine = *std::move(compiled);
  const Value prod = Value::MakeRecord({{"env", Value::String("prod")}});
  const Request request = Req(kApi, Uid("Action", "read"), kLedger, prod);
  const std::string allowed = Show(Authorize(policies_, entities_, request));
  std::atomic<int> phase{0};   // 0: deciding, 1: revoked (every thread must see it), 2: stop
  std::atomic<int> bad{0}, seen_revoked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Decision d;
      bool counted = false;
      while (phase.load() != 2) {
        const int before = phase.load();
        engine->Decide(request, &d);
        if (before == 1 && !d.revoked) ++bad;   // revoked before this decision began
        if (!d.revoked && Show(d) != allowed) ++bad;
        if (d.revoked && (d.allowed || !d.reasons.empty())) ++bad;
        if (before == 1 && !counted) {
          counted = true;
          ++seen_revoked;
        }
      }
    });
  }
  // Flip the namespace (an ancestor of the principal) a few hundred times.
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(revoked->Revoke(Uid("Namespace", "pay")).ok());
    revoked->Restore(Uid("Namespace", "pay"));
  }
  ASSERT_TRUE(revoked->Revoke(Uid("Namespace", "pay")).ok());
  phase = 1;
  while (seen_revoked.load() < 4) std::this_thread::yield();
  phase = 2;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace writ
