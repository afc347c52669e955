// Tests for identity chains (Request::chain, src/eval/chain.h): a chained
// request is allowed only when every identity is, the first denied is named
// in Decision::denied_by with its own decision, and the reference authorizer
// and the compiled engine (each of its entry points) agree.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/json.h"
#include "writ/limits.h"
#include "writ/policy_set.h"
#include "writ/revocation.h"

namespace writ {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Show(const Decision& d) {
  std::string s = absl::StrCat(d.allowed ? "allow" : "deny", " [", absl::StrJoin(d.reasons, ","), "]");
  for (const PolicyError& e : d.errors) absl::StrAppend(&s, " {", e.policy_id, ": ", e.message, "}");
  if (!d.breakglass.empty()) absl::StrAppend(&s, " breakglass[", absl::StrJoin(d.breakglass, ","), "]");
  if (d.revoked) s += " revoked";
  if (d.denied_by) absl::StrAppend(&s, " by ", d.denied_by->ToString());
  return s;
}

// `Type::"id"` (no escapes) as a uid.
EntityUid Uid(std::string_view text) {
  const std::size_t sep = text.find("::\"");
  EXPECT_NE(sep, std::string_view::npos) << text;
  EXPECT_EQ(text.back(), '"') << text;
  return EntityUid{std::string(text.substr(0, sep)), std::string(text.substr(sep + 3, text.size() - sep - 4))};
}

Request Chained(std::string_view principal, std::vector<std::string_view> chain, std::string_view action,
                std::string_view resource, Value::Record context = {}) {
  Request r;
  r.principal = Uid(principal);
  for (std::string_view c : chain) r.chain.push_back(Uid(c));
  r.action = Uid(action);
  r.resource = Uid(resource);
  r.context = Value::MakeRecord(std::move(context));
  return r;
}

// Users may do anything in folders they own; the assistant agent may read
// and write; tools may only read. Alice may not delete.
constexpr std::string_view kPolicies = R"(
  permit(principal == User::"alice", action, resource in Folder::"alice");           // policy0
  permit(principal == User::"admin", action, resource)
    unless { action == Action::"purge" };                                             // policy1
  permit(principal is Agent, action in [Action::"read", Action::"write"], resource);  // policy2
  permit(principal is Tool, action == Action::"read", resource);                      // policy3
  forbid(principal == User::"alice", action == Action::"delete", resource);           // policy4
  permit(principal == Tool::"janitor", action == Action::"delete", resource);         // policy5
  permit(principal == Agent::"cleaner", action == Action::"delete", resource);        // policy6
  // Positions are visible to policies: an agent may purge only when it acts
  // for someone (it is not the one making the call).
  permit(principal is Agent, action == Action::"purge", resource)
    when { context has chain_position && context.chain_position >= 1 };               // policy7
  permit(principal is Tool, action == Action::"purge", resource);                     // policy8
  permit(principal == User::"admin", action == Action::"purge", resource)
    when { context.chain_position == 2 };                                             // policy9
)";

constexpr std::string_view kEntities = R"([
  {"uid": {"type": "Folder", "id": "alice"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Doc", "id": "notes"}, "attrs": {}, "parents": [{"type": "Folder", "id": "alice"}]},
  {"uid": {"type": "Doc", "id": "payroll"}, "attrs": {}, "parents": []}
])";

class Both {
 public:
  explicit Both(DecideOptions options = {}) : options_(std::move(options)) {
    std::vector<Issue> issues;
    EXPECT_TRUE(set_.Add(kPolicies, "p.cedar", &issues).ok()) << RenderIssues(issues);
    absl::StatusOr<Entities> es = EntitiesFromJson(kEntities, "e.json", &issues);
    EXPECT_TRUE(es.ok()) << RenderIssues(issues);
    entities_ = *std::move(es);
    absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set_, entities_, options_);
    EXPECT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
  }

  // The decision, after checking that the reference authorizer and every
  // entry point of the engine agree (the engine's into a reused Decision
  // that held a chained denial before).
  std::string Decide(const Request& r) {
    const std::string reference = Show(Authorize(set_, entities_, r, options_));
    EXPECT_EQ(Show(engine_->Decide(r)), reference);
    Decision reused;
    reused.denied_by = EntityUid{"Stale", "x"};
    reused.reasons = {"stale"};
    engine_->Decide(r, &reused);
    EXPECT_EQ(Show(reused), reference);
    reused.denied_by = EntityUid{"Stale", "x"};
    engine_->Decide(r, Entities{}, &reused);
    EXPECT_EQ(Show(reused), reference);
    std::vector<Decision> batch(2);
    batch[0].denied_by = EntityUid{"Stale", "x"};
    engine_->DecideBatch({r, r}, Entities{}, &batch);
    EXPECT_EQ(Show(batch[0]), reference);
    EXPECT_EQ(Show(batch[1]), reference);
    return reference;
  }

 private:
  DecideOptions options_;
  PolicySet set_;
  Entities entities_;
  std::unique_ptr<const Engine> engine_;
};

TEST(ChainTest, AllowedWhenEveryIdentityIsAndTheDecisionIsThePrincipals) {
  Both both;
  // The tool reads alice's notes for the assistant acting for alice.
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"search")", {R"(Agent::"assistant")", R"(User::"alice")"},
                                R"(Action::"read")", R"(Doc::"notes")")),
            "allow [policy3]");
  // The agent itself writes for alice.
  EXPECT_EQ(both.Decide(Chained(R"(Agent::"assistant")", {R"(User::"alice")"}, R"(Action::"write")",
                                R"(Doc::"notes")")),
            "allow [policy2]");
  // An empty chain is no chain.
  EXPECT_EQ(both.Decide(Chained(R"(Agent::"assistant")", {}, R"(Action::"write")", R"(Doc::"payroll")")),
            "allow [policy2]");
}

TEST(ChainTest, DeniedByThePrincipal) {
  Both both;
  // Tools only read, whoever they act for.
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"search")", {R"(Agent::"assistant")", R"(User::"alice")"},
                                R"(Action::"write")", R"(Doc::"notes")")),
            R"(deny [] by Tool::"search")");
}

TEST(ChainTest, DeniedByAChainMemberWithItsReasons) {
  Both both;
  // Alice may not read payroll (not in her folder): the tool and the agent
  // may, so the denial is hers, with no determining policy.
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"search")", {R"(Agent::"assistant")", R"(User::"alice")"},
                                R"(Action::"read")", R"(Doc::"payroll")")),
            R"(deny [] by User::"alice")");
  // The janitor tool may delete and the cleaner agent too, but alice is
  // forbidden: the forbid is the reason.
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"janitor")", {R"(Agent::"cleaner")", R"(User::"alice")"},
                                R"(Action::"delete")", R"(Doc::"notes")")),
            R"(deny [policy4] by User::"alice")");
  // The middle of the chain: the assistant may not delete; alice is not
  // reached (the first identity denied is named).
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"janitor")", {R"(Agent::"assistant")", R"(User::"alice")"},
                                R"(Action::"delete")", R"(Doc::"notes")")),
            R"(deny [] by Agent::"assistant")");
}

TEST(ChainTest, AMemberWithMoreReachDoesNotWidenTheOthers) {
  Both both;
  // The admin may do anything; acting for the admin does not let a tool
  // write, nor an agent delete.
  EXPECT_EQ(both.Decide(Chained(R"(User::"admin")", {}, R"(Action::"write")", R"(Doc::"payroll")")),
            "allow [policy1]");
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"search")", {R"(User::"admin")"}, R"(Action::"write")",
                                R"(Doc::"payroll")")),
            R"(deny [] by Tool::"search")");
  EXPECT_EQ(both.Decide(Chained(R"(Agent::"assistant")", {R"(User::"admin")"}, R"(Action::"delete")",
                                R"(Doc::"payroll")")),
            R"(deny [] by Agent::"assistant")");
  // Nor does a powerful principal widen what its chain may do.
  EXPECT_EQ(both.Decide(Chained(R"(User::"admin")", {R"(Tool::"search")"}, R"(Action::"write")",
                                R"(Doc::"payroll")")),
            R"(deny [] by Tool::"search")");
}

TEST(ChainTest, EachIdentitySeesItsPosition) {
  Both both;
  // policy7 lets an agent purge only at position 1 or more; policy9 lets the
  // admin purge only at position 2.
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"t")", {R"(Agent::"a")", R"(User::"admin")"}, R"(Action::"purge")",
                                R"(Doc::"payroll")")),
            "allow [policy8]");
  EXPECT_EQ(both.Decide(Chained(R"(Agent::"a")", {R"(User::"admin")"}, R"(Action::"purge")",
                                R"(Doc::"payroll")")),
            R"(deny [] by Agent::"a")");
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"t")", {R"(User::"admin")"}, R"(Action::"purge")",
                                R"(Doc::"payroll")")),
            R"(deny [] by User::"admin")");
  // Without a chain no position is added: policy9's condition errors (and
  // is skipped) rather than seeing 0.
  const std::string alone =
      both.Decide(Chained(R"(User::"admin")", {}, R"(Action::"purge")", R"(Doc::"payroll")"));
  EXPECT_THAT(alone, HasSubstr("deny [] {policy9: "));
  EXPECT_THAT(alone, Not(HasSubstr(" by ")));
}

TEST(ChainTest, ARevokedMemberIsDeniedAsRevoked) {
  auto revoked = std::make_shared<RevocationList>();
  ASSERT_TRUE(revoked->Revoke({"Agent", "assistant"}).ok());
  DecideOptions options;
  options.revoked = revoked;
  Both both(options);
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"search")", {R"(Agent::"assistant")", R"(User::"alice")"},
                                R"(Action::"read")", R"(Doc::"notes")")),
            R"(deny [] revoked by Agent::"assistant")");
  // A revoked principal is named too.
  EXPECT_EQ(both.Decide(Chained(R"(Agent::"assistant")", {R"(User::"alice")"}, R"(Action::"read")",
                                R"(Doc::"notes")")),
            R"(deny [] revoked by Agent::"assistant")");
  // Without the revoked agent, the same tool and user are allowed.
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"search")", {R"(Agent::"other")", R"(User::"alice")"},
                                R"(Action::"read")", R"(Doc::"notes")")),
            "allow [policy3]");
}

TEST(ChainTest, AContextHoldingChainPositionIsDenied) {
  Both both;
  Value::Record context;
  context.emplace("chain_position", Value::Long(0));
  const std::string d = both.Decide(Chained(R"(Tool::"search")", {R"(User::"alice")"}, R"(Action::"read")",
                                            R"(Doc::"notes")", context));
  EXPECT_THAT(d, HasSubstr("deny [] {: the request has a chain, and its context already has `chain_position`"));
  EXPECT_THAT(d, Not(HasSubstr(" by ")));
  // Without a chain the attribute is the caller's own.
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"search")", {}, R"(Action::"read")", R"(Doc::"notes")", context)),
            "allow [policy3]");
}

TEST(ChainTest, AChainPastTheBoundIsDenied) {
  Both both;
  std::vector<std::string_view> longest(kMaxChainLength, R"(Agent::"a")");
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"t")", longest, R"(Action::"read")", R"(Doc::"payroll")")),
            "allow [policy3]");
  longest.push_back(R"(Agent::"a")");
  EXPECT_EQ(both.Decide(Chained(R"(Tool::"t")", longest, R"(Action::"read")", R"(Doc::"payroll")")),
            absl::StrCat("deny [] {: the request's chain has ", kMaxChainLength + 1, " identities; at most ",
                         kMaxChainLength, " are allowed}"));
}

TEST(ChainTest, EveryIdentityIsDecidedAtOneTime) {
  // A clock that moves on each read: every identity must see the same time,
  // so the window below either holds for all or for none.
  int reads = 0;
  DecideOptions options;
  options.clock = [&reads] { return absl::FromUnixSeconds(100 + reads++); };
  std::vector<Issue> issues;
  PolicySet set;
  ASSERT_TRUE(set.Add(R"(@expires("1970-01-01T00:01:41Z") permit(principal, action, resource);)", "p.cedar",
                      &issues).ok());
  absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set, Entities{}, options);
  ASSERT_TRUE(engine.ok());
  const Request r = Chained(R"(Tool::"t")", {R"(Agent::"a")", R"(User::"u")"}, R"(Action::"read")", R"(Doc::"d")");
  EXPECT_EQ(Show(Authorize(set, Entities{}, r, options)), "allow [policy0]");
  EXPECT_EQ(reads, 1);
  // The clock now reads 101 for every identity.
  EXPECT_EQ(Show((*engine)->Decide(r)), R"(deny [] by Tool::"t")");
  EXPECT_EQ(reads, 2);
}

TEST(ChainTest, ABatchMixesChainedAndUnchainedRequests) {
  std::vector<Issue> issues;
  PolicySet set;
  ASSERT_TRUE(set.Add(kPolicies, "p.cedar", &issues).ok());
  absl::StatusOr<Entities> es = EntitiesFromJson(kEntities, "e.json", &issues);
  ASSERT_TRUE(es.ok());
  absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set, *es, {});
  ASSERT_TRUE(engine.ok());
  const std::vector<Request> requests = {
      Chained(R"(Tool::"search")", {R"(User::"alice")"}, R"(Action::"read")", R"(Doc::"payroll")"),
      Chained(R"(Tool::"search")", {}, R"(Action::"read")", R"(Doc::"payroll")"),
      Chained(R"(Tool::"search")", {R"(User::"alice")"}, R"(Action::"read")", R"(Doc::"notes")"),
  };
  std::vector<Decision> out;
  (*engine)->DecideBatch(requests, Entities{}, &out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(Show(out[0]), R"(deny [] by User::"alice")");
  EXPECT_EQ(Show(out[1]), "allow [policy3]");
  EXPECT_EQ(Show(out[2]), "allow [policy3]");
  // Decided again into the same vector, in another order: nothing stale.
  (*engine)->DecideBatch({requests[1], requests[0], requests[1]}, Entities{}, &out);
  EXPECT_EQ(Show(out[0]), "allow [policy3]");
  EXPECT_EQ(Show(out[1]), R"(deny [] by User::"alice")");
  EXPECT_EQ(Show(out[2]), "allow [policy3]");
}

}  // namespace
}  // namespace writ
