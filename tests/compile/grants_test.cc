// Tests of run-time grants (writ/grants.h, Engine::AddGrant): a grant decides
// exactly as the same link made statically, in the same reason order; every
// refusal of AddGrant; windows; removal by link id, task and expiry; and
// grants issued and revoked while other threads decide (run under TSan in CI).
#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/compile/random_links.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/json.h"
#include "writ/policy_set.h"

namespace writ {
namespace {

using ::testing::HasSubstr;

std::string Show(const Decision& d) {
  std::string s = absl::StrCat(d.allowed ? "allow" : "deny", " [", absl::StrJoin(d.reasons, ","), "]");
  for (const PolicyError& e : d.errors) absl::StrAppend(&s, " {", e.policy_id, ": ", e.message, "}");
  if (!d.breakglass.empty()) absl::StrAppend(&s, " breakglass[", absl::StrJoin(d.breakglass, ","), "]");
  return s;
}

Entities MustEntities(std::string_view json) {
  std::vector<Issue> issues;
  absl::StatusOr<Entities> es = EntitiesFromJson(json, "entities.json", &issues);
  EXPECT_TRUE(es.ok()) << RenderIssues(issues);
  return es.ok() ? *std::move(es) : Entities();
}

PolicySet MustParse(std::string_view text) {
  PolicySet set;
  std::vector<Issue> issues;
  EXPECT_TRUE(set.Add(text, "p.cedar", &issues).ok()) << RenderIssues(issues);
  return set;
}

std::unique_ptr<Engine> MustCompile(const PolicySet& set, Entities es = {}, DecideOptions options = {}) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Compile(set, std::move(es), options);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

Request Req(EntityUid p, EntityUid a, EntityUid r, Value context = Value::MakeRecord({})) {
  Request req;
  req.principal = std::move(p);
  req.action = std::move(a);
  req.resource = std::move(r);
  req.context = std::move(context);
  return req;
}

Grant G(std::string template_id, std::string link_id, std::optional<EntityUid> principal,
        std::optional<EntityUid> resource = std::nullopt) {
  Grant g;
  g.link = {std::move(template_id), std::move(link_id), std::move(principal), std::move(resource)};
  return g;
}

constexpr char kEntities[] = R"([
  {"uid": {"type": "W", "id": "ci"}, "attrs": {"level": 3}, "parents": [{"type": "T", "id": "build"}]},
  {"uid": {"type": "W", "id": "bot"}, "attrs": {"level": 1}, "parents": []},
  {"uid": {"type": "T", "id": "build"}, "attrs": {}, "parents": []},
  {"uid": {"type": "B", "id": "logs"}, "attrs": {"open": true}, "parents": [{"type": "F", "id": "ops"}]},
  {"uid": {"type": "B", "id": "secret"}, "attrs": {}, "parents": [{"type": "F", "id": "x"}]}
])";

// A set's links made as grants on an engine compiled without them decide as
// the engine compiled with them: decisions, reasons (in order) and errors.
TEST(GrantTest, RandomGrantsDecideAsTheStaticLinksTheyStandFor) {
  const Entities es = MustEntities(kEntities);
  const Entities overlay = MustEntities(R"([
    {"uid": {"type": "W", "id": "ghost"}, "attrs": {"level": 5}, "parents": [{"type": "T", "id": "build"}]},
    {"uid": {"type": "B", "id": "nope"}, "attrs": {}, "parents": [{"type": "F", "id": "ops"}]}
  ])");
  Entities merged = es;
  for (const auto& [uid, e] : overlay) ASSERT_TRUE(merged.Add(e).ok());
  const std::vector<EntityUid> ps = {{"W", "ci"}, {"W", "bot"}, {"W", "ghost"}, {"T", "build"}};
  const std::vector<EntityUid> as = {{"Action", "read"}, {"Action", "write"}, {"Action", "list"}};
  const std::vector<EntityUid> rs = {{"B", "logs"}, {"B", "secret"}, {"F", "ops"}, {"B", "nope"}};
  int by_grant = 0, decisions = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    testing_gen::RandomLinked c = testing_gen::GenerateLinked(seed);
    std::unique_ptr<Engine> linked = MustCompile(c.linked, es);
    std::unique_ptr<Engine> granted = MustCompile(MustParse(c.text), es);
    ASSERT_NE(linked, nullptr);
    ASSERT_NE(granted, nullptr);
    for (const TemplateLink& link : c.links) {
      Grant g;
      g.link = link;
      ASSERT_TRUE(granted->AddGrant(g).ok()) << link.link_id;
    }
    EXPECT_EQ(granted->grant_count(), c.links.size());
    std::mt19937_64 rng(seed * 7919);
    for (int i = 0; i < 12; ++i) {
      Value context =
          rng() % 3 == 0 ? Value::MakeRecord({}) : Value::MakeRecord({{"flag", Value::Bool(rng() % 2 == 0)}});
      const Request r = Req(ps[rng() % ps.size()], as[rng() % as.size()], rs[rng() % rs.size()], context);
      const Decision want = linked->Decide(r);
      ASSERT_EQ(Show(granted->Decide(r)), Show(want)) << "seed " << seed << "\n" << c.text;
      // With per-request entities: the layered hierarchy.
      Decision layered_want, layered_got;
      linked->Decide(r, overlay, &layered_want);
      ASSERT_EQ(Show(layered_want), Show(Authorize(c.linked, merged, r))) << "seed " << seed;
      granted->Decide(r, overlay, &layered_got);
      ASSERT_EQ(Show(layered_got), Show(layered_want))
          << "seed " << seed << " (per-request entities)\n" << c.text << r.principal.ToString() << " "
          << r.action.ToString() << " " << r.resource.ToString() << " " << r.context.ToString();
      for (const std::string& id : want.reasons) by_grant += id.rfind("link", 0) == 0 ? 1 : 0;
      ++decisions;
    }
  }
  EXPECT_GT(by_grant, decisions / 10);
}


TEST(GrantTest, RemovedGrantsDecideAsTheRemainingLinks) {
  const Entities es = MustEntities(kEntities);
  const std::vector<EntityUid> ps = {{"W", "ci"}, {"W", "bot"}, {"T", "build"}};
  const std::vector<EntityUid> rs = {{"B", "logs"}, {"B", "secret"}, {"F", "ops"}};
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    testing_gen::RandomLinked c = testing_gen::GenerateLinked(seed);
    std::unique_ptr<Engine> granted = MustCompile(MustParse(c.text), es);
    for (const TemplateLink& link : c.links) ASSERT_TRUE(granted->AddGrant(Grant{link, {}, {}, {}, {}, {}}).ok());
    // Every other grant revoked; the rest are the links of `kept`.
    PolicySet kept = MustParse(c.text);
    for (std::size_t i = 0; i < c.links.size(); ++i) {
      if (i % 2 == 0) {
        absl::StatusOr<Grant> removed = granted->RemoveGrant(c.links[i].link_id);
        ASSERT_TRUE(removed.ok());
        EXPECT_EQ(removed->link, c.links[i]);
      } else {
        ASSERT_TRUE(kept.Link(c.links[i]).ok());
      }
    }
    std::unique_ptr<Engine> want = MustCompile(kept, es);
    for (const EntityUid& p : ps) {
      for (const EntityUid& r : rs) {
        const Request req = Req(p, {"Action", "read"}, r, Value::MakeRecord({{"flag", Value::Bool(true)}}));
        ASSERT_EQ(Show(granted->Decide(req)), Show(want->Decide(req))) << "seed " << seed;
      }
    }
  }
}

constexpr char kTemplates[] = R"(
  @id("deploy")
  permit(principal == ?principal, action == Action::"deploy", resource in ?resource);
  @breakglass("incident") @expires("2099-12-31T23:59:59Z")
  permit(principal in ?principal, action == Action::"read", resource);
  forbid(principal, action, resource == ?resource) unless { context has approved };
  permit(principal == W::"ci", action == Action::"read", resource == B::"logs");
)";

TEST(GrantTest, AGrantAllowsUntilRevokedAndIsNamedInReasons) {
  std::unique_ptr<Engine> engine = MustCompile(MustParse(kTemplates), MustEntities(kEntities));
  const Request deploy = Req({"W", "bot"}, {"Action", "deploy"}, {"B", "logs"});
  EXPECT_EQ(Show(engine->Decide(deploy)), "deny []");
  ASSERT_TRUE(engine->AddGrant(G("deploy", "g1", EntityUid{"W", "bot"}, EntityUid{"F", "ops"})).ok());
  EXPECT_EQ(Show(engine->Decide(deploy)), "allow [g1]");
  // The template's scope holds: another principal, another folder.
  EXPECT_EQ(Show(engine->Decide(Req({"W", "ci"}, {"Action", "deploy"}, {"B", "logs"}))), "deny []");
  EXPECT_EQ(Show(engine->Decide(Req({"W", "bot"}, {"Action", "deploy"}, {"B", "secret"}))), "deny []");
  // Break-glass templates make break-glass grants; a grant to a group holds
  // for its members; reasons: static policies first, then grants in issue order.
  ASSERT_TRUE(engine->AddGrant(G("policy1", "g2", EntityUid{"T", "build"})).ok());
  EXPECT_EQ(Show(engine->Decide(Req({"W", "ci"}, {"Action", "read"}, {"B", "logs"}))),
            "allow [policy3,g2] breakglass[g2]");
  // A forbid template linked at run time denies.
  ASSERT_TRUE(engine->AddGrant(G("policy2", "lock", std::nullopt, EntityUid{"B", "logs"})).ok());
  EXPECT_EQ(Show(engine->Decide(deploy)), "deny [lock]");
  EXPECT_EQ(engine->grant_count(), 3u);
  EXPECT_THAT(engine->Dump(), HasSubstr("templates (3 grants live):\n"
                                        "  policy0: permit, principal == ?principal, action == Action::\"deploy\", "
                                        "resource in ?resource\n"));
  ASSERT_TRUE(engine->RemoveGrant("lock").ok());
  EXPECT_EQ(Show(engine->Decide(deploy)), "allow [g1]");
  ASSERT_TRUE(engine->RemoveGrant("g1").ok());
  EXPECT_EQ(Show(engine->Decide(deploy)), "deny []");
  EXPECT_EQ(engine->RemoveGrant("g1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(engine->grant_count(), 1u);
}

TEST(GrantTest, RefusalsChangeNothing) {
  DecideOptions options;
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  options.clock = [now] { return now; };
  options.grant_limits.max_grants = 2;
  std::unique_ptr<Engine> engine = MustCompile(MustParse(kTemplates), {}, options);
  auto refused = [&](const Grant& g) {
    absl::Status s = engine->AddGrant(g);
    EXPECT_FALSE(s.ok());
    return std::string(s.message());
  };
  EXPECT_EQ(refused(G("nope", "x", EntityUid{"W", "a"})), "failed to find a template with id `nope`");
  EXPECT_THAT(refused(G("policy3", "x", EntityUid{"W", "a"})),
              HasSubstr("expected a template, but a static policy was provided"));
  EXPECT_EQ(refused(G("deploy", "x", EntityUid{"W", "a"})),
            "the following slots were not provided as arguments: ?resource");
  EXPECT_THAT(refused(G("policy1", "x", EntityUid{"W", "a"}, EntityUid{"B", "b"})),
              HasSubstr("did not exist in the template: ?resource"));
  for (const char* taken : {"policy0", "policy3", "deploy"}) {
    if (std::string(taken) == "deploy") continue;   // an @id names a template; ids are policyN
    EXPECT_THAT(refused(G("policy1", taken, EntityUid{"W", "a"})), HasSubstr("conflicts with an existing policy id"));
  }
  EXPECT_EQ(refused(G("policy1", "", EntityUid{"W", "a"})), "a grant needs a link id");
  Grant long_owner = G("policy1", "x", EntityUid{"W", "a"});
  long_owner.owner = std::string(kMaxGrantFieldBytes + 1, 'o');
  EXPECT_THAT(refused(long_owner), HasSubstr("owner is 1025 bytes"));
  Grant empty = G("policy1", "x", EntityUid{"W", "a"});
  empty.not_before = now + absl::Hours(2);
  empty.expires = now + absl::Hours(1);
  EXPECT_THAT(refused(empty), HasSubstr("window is empty"));
  Grant over = G("policy1", "x", EntityUid{"W", "a"});
  over.expires = now;
  EXPECT_THAT(refused(over), HasSubstr("already expired"));
  // Two live at most; a taken grant id is refused too.
  ASSERT_TRUE(engine->AddGrant(G("policy1", "a", EntityUid{"W", "a"})).ok());
  EXPECT_THAT(refused(G("policy1", "a", EntityUid{"W", "b"})), HasSubstr("conflicts with an existing policy id"));
  ASSERT_TRUE(engine->AddGrant(G("policy1", "b", EntityUid{"W", "b"})).ok());
  absl::Status full = engine->AddGrant(G("policy1", "c", EntityUid{"W", "c"}));
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
  EXPECT_EQ(engine->grant_count(), 2u);
  // An engine without templates takes no grants.
  std::unique_ptr<Engine> plain = MustCompile(MustParse("permit(principal, action, resource);"));
  EXPECT_THAT(std::string(plain->AddGrant(G("policy0", "x", EntityUid{"W", "a"})).message()),
              HasSubstr("has no templates"));
}

TEST(GrantTest, MaxWindowRefusesLongAndOpenEndedGrants) {
  DecideOptions options;
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  options.clock = [now] { return now; };
  options.grant_limits.max_window = absl::Hours(1);
  std::unique_ptr<Engine> engine = MustCompile(MustParse(kTemplates), {}, options);
  Grant g = G("policy1", "x", EntityUid{"W", "a"});
  EXPECT_THAT(std::string(engine->AddGrant(g).message()), HasSubstr("has no expires; grants here last at most 1h"));
  g.expires = now + absl::Minutes(61);
  EXPECT_THAT(std::string(engine->AddGrant(g).message()), HasSubstr("window is 1h1m long"));
  // Measured from not_before when it is later than now.
  g.not_before = now + absl::Minutes(30);
  g.expires = now + absl::Minutes(90);
  EXPECT_TRUE(engine->AddGrant(g).ok());
}

TEST(GrantTest, WindowsAreDecidedAtTheRequestTime) {
  std::unique_ptr<Engine> engine = MustCompile(MustParse(R"(
    @expires("2030-01-01T00:00:00Z")
    permit(principal == ?principal, action, resource);
  )"));
  const absl::Time t0 = absl::FromUnixSeconds(1'900'000'000);   // 2030-03: past the template's @expires
  Grant g = G("policy0", "g", EntityUid{"W", "a"});
  g.not_before = absl::FromUnixSeconds(1'800'000'000);
  g.expires = absl::FromUnixSeconds(1'850'000'000);
  ASSERT_TRUE(engine->AddGrant(g).ok());
  auto at = [&](std::int64_t unix) {
    Request r = Req({"W", "a"}, {"Action", "x"}, {"B", "y"});
    r.now = absl::FromUnixSeconds(unix);
    return engine->Decide(r).allowed;
  };
  EXPECT_FALSE(at(1'799'999'999));
  EXPECT_TRUE(at(1'800'000'000));
  EXPECT_TRUE(at(1'849'999'999));
  EXPECT_FALSE(at(1'850'000'000));   // expires: stops matching
  (void)t0;
  // The template's own window bounds its grants.
  Grant late = G("policy0", "late", EntityUid{"W", "b"});
  late.expires = absl::FromUnixSeconds(1'950'000'000);
  late.not_before = absl::FromUnixSeconds(1'850'000'000);
  ASSERT_TRUE(engine->AddGrant(late).ok());
  Request r = Req({"W", "b"}, {"Action", "x"}, {"B", "y"});
  r.now = absl::FromUnixSeconds(1'900'000'000);
  EXPECT_FALSE(engine->Decide(r).allowed);
}

TEST(GrantTest, TasksAndExpiryRemoveGrantsInIssueOrder) {
  std::unique_ptr<Engine> engine = MustCompile(MustParse(kTemplates));
  const absl::Time now = absl::Now();
  for (int i = 0; i < 6; ++i) {
    Grant g = G("policy1", absl::StrCat("g", i), EntityUid{"W", absl::StrCat("w", i)});
    g.task = i % 2 == 0 ? "CHG-1" : "CHG-2";
    g.owner = "alice";
    g.reason = "deploy";
    if (i >= 4) g.expires = now + absl::Seconds(i);
    ASSERT_TRUE(engine->AddGrant(g).ok());
  }
  std::vector<Grant> listed = engine->grants();
  ASSERT_EQ(listed.size(), 6u);
  EXPECT_EQ(listed[3].link.link_id, "g3");
  EXPECT_EQ(listed[3].task, "CHG-2");
  std::vector<Grant> closed = engine->RemoveTask("CHG-1");
  ASSERT_EQ(closed.size(), 3u);
  EXPECT_EQ(closed[0].link.link_id, "g0");
  EXPECT_EQ(closed[2].link.link_id, "g4");
  EXPECT_TRUE(engine->RemoveTask("CHG-1").empty());
  EXPECT_TRUE(engine->RemoveTask("").empty());
  EXPECT_FALSE(engine->Decide(Req({"W", "w0"}, {"Action", "read"}, {"B", "x"})).allowed);
  EXPECT_TRUE(engine->Decide(Req({"W", "w1"}, {"Action", "read"}, {"B", "x"})).allowed);
  std::vector<Grant> expired = engine->RemoveExpiredGrants(now + absl::Seconds(10));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].link.link_id, "g5");
  EXPECT_EQ(engine->grant_count(), 2u);
}

TEST(GrantTest, ManyGrantsGrowTheIndexesAndKeepIssueOrder) {
  std::unique_ptr<Engine> engine = MustCompile(MustParse(R"(
    permit(principal in ?principal, action, resource);
    permit(principal, action, resource in ?resource);
  )"));
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE(engine->AddGrant(G("policy0", absl::StrCat("p", i), EntityUid{"W", absl::StrCat(i % 1000)})).ok());
    ASSERT_TRUE(engine->AddGrant(G("policy1", absl::StrCat("r", i), std::nullopt,
                                   EntityUid{"B", absl::StrCat(i % 1000)})).ok());
  }
  const Decision d = engine->Decide(Req({"W", "7"}, {"Action", "x"}, {"B", "7"}));
  EXPECT_EQ(absl::StrJoin(d.reasons, ","), "p7,r7,p1007,r1007,p2007,r2007,p3007,r3007,p4007,r4007");
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(engine->RemoveGrant(absl::StrCat("p", i)).ok());
  EXPECT_EQ(absl::StrJoin(engine->Decide(Req({"W", "7"}, {"Action", "x"}, {"B", "7"})).reasons, ","),
            "r7,r1007,r2007,r3007,r4007");
}

// Grants issued and revoked while other threads decide: every decision is
// one the grants could give at some moment (allowed by exactly the grant of
// its principal, or denied with no reasons), never torn; run under TSan.
TEST(GrantTest, ConcurrentIssueAndRevokeWhileOthersDecide) {
  std::unique_ptr<Engine> engine = MustCompile(MustParse(R"(
    permit(principal == ?principal, action == Action::"call", resource) when { context.ok };
    permit(principal == W::"static", action, resource);
  )"));
  constexpr int kPrincipals = 64;
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::atomic<std::int64_t> allowed{0}, decided{0};
  std::vector<std::thread> deciders;
  for (int t = 0; t < 3; ++t) {
    deciders.emplace_back([&, t] {
      std::mt19937 rng(t);
      Decision d;
      const Value ok = Value::MakeRecord({{"ok", Value::Bool(true)}});
      while (!stop.load(std::memory_order_relaxed)) {
        const int i = static_cast<int>(rng() % kPrincipals);
        engine->Decide(Req({"W", absl::StrCat("w", i)}, {"Action", "call"}, {"R", "x"}, ok), &d);
        const bool fine = d.allowed ? d.reasons.size() == 1 && d.reasons[0] == absl::StrCat("g", i)
                                    : d.reasons.empty() && d.errors.empty();
        if (!fine) bad.fetch_add(1);
        allowed.fetch_add(d.allowed ? 1 : 0);
        decided.fetch_add(1);
        engine->Decide(Req({"W", "static"}, {"Action", "call"}, {"R", "x"}, ok), &d);
        if (!d.allowed) bad.fetch_add(1);
      }
    });
  }
  std::mt19937 rng(99);
  std::vector<bool> live(kPrincipals, false);
  for (int round = 0; round < 20000; ++round) {
    const int i = static_cast<int>(rng() % kPrincipals);
    const std::string id = absl::StrCat("g", i);
    if (live[i]) {
      ASSERT_TRUE(engine->RemoveGrant(id).ok());
    } else {
      ASSERT_TRUE(engine->AddGrant(G("policy0", id, EntityUid{"W", absl::StrCat("w", i)})).ok());
    }
    live[i] = !live[i];
    if (round % 1000 == 0) std::this_thread::yield();
  }
  stop = true;
  for (std::thread& t : deciders) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(decided.load(), 0);
  EXPECT_GT(allowed.load(), 0);
  EXPECT_LT(allowed.load(), decided.load());
}

}  // namespace
}  // namespace writ
