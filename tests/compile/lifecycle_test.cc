// Tests for writ's workload extensions in decisions — lifecycle windows,
// break-glass, fail-closed forbids and revocation — each decided by the
// compiled engine and by the reference authorizer, which must agree.
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
#include "writ/policy_set.h"
#include "writ/revocation.h"

namespace writ {
namespace {

using ::testing::HasSubstr;

std::string Show(const Decision& d) {
  std::string s = absl::StrCat(d.allowed ? "allow" : "deny", " [", absl::StrJoin(d.reasons, ","), "]");
  for (const PolicyError& e : d.errors) absl::StrAppend(&s, " {", e.policy_id, ": ", e.message, "}");
  if (!d.breakglass.empty()) absl::StrAppend(&s, " breakglass[", absl::StrJoin(d.breakglass, ","), "]");
  if (d.revoked) s += " revoked";
  return s;
}

absl::Time At(const std::string& rfc3339) {
  absl::Time t;
  std::string why;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &why)) << why;
  return t;
}

class Both {
 public:
  Both(std::string_view policies, std::string_view entities_json, DecideOptions options = {})
      : options_(std::move(options)) {
    std::vector<Issue> issues;
    EXPECT_TRUE(set_.Add(policies, "p.cedar", &issues).ok()) << RenderIssues(issues);
    absl::StatusOr<Entities> es = EntitiesFromJson(entities_json, "e.json", &issues);
    EXPECT_TRUE(es.ok()) << RenderIssues(issues);
    entities_ = *std::move(es);
    absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set_, entities_, options_);
    EXPECT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
  }

  // The decision, after checking the two engines agree.
  std::string Decide(std::string_view request_json) {
    std::vector<Issue> issues;
    absl::StatusOr<Request> r = RequestFromJson(request_json, "r.json", &issues);
    EXPECT_TRUE(r.ok()) << RenderIssues(issues);
    const std::string compiled = Show(engine_->Decide(*r));
    EXPECT_EQ(compiled, Show(Authorize(set_, entities_, *r, options_))) << request_json;
    return compiled;
  }

 private:
  PolicySet set_;
  Entities entities_;
  DecideOptions options_;
  std::unique_ptr<const Engine> engine_;
};

std::string Req(const std::string& now, const std::string& context = "{}") {
  std::string r = absl::StrCat(R"({"principal": "W::\"api\"", "action": "Action::\"read\"", "resource": "B::\"b\"", )",
                               R"("context": )", context);
  if (!now.empty()) absl::StrAppend(&r, R"(, "now": ")", now, R"(")");
  return r + "}";
}

constexpr std::string_view kWindowed = R"(
  @not_before("2026-11-01T00:00:00Z")
  @expires("2026-12-01T00:00:00Z")
  permit(principal, action, resource);
)";

TEST(LifecycleTest, APolicyAppliesFromNotBeforeUntilJustBeforeExpires) {
  Both both(kWindowed, "[]");
  EXPECT_EQ(both.Decide(Req("2026-10-31T23:59:59.999Z")), "deny []");
  EXPECT_EQ(both.Decide(Req("2026-11-01T00:00:00Z")), "allow [policy0]");   // not_before is inclusive
  EXPECT_EQ(both.Decide(Req("2026-11-30T23:59:59.999999Z")), "allow [policy0]");
  EXPECT_EQ(both.Decide(Req("2026-12-01T00:00:00Z")), "deny []");           // exactly at expires: expired
  EXPECT_EQ(both.Decide(Req("2026-12-01T01:00:00+01:00")), "deny []");      // the same instant
}

TEST(LifecycleTest, RequestsWithoutNowUseTheInjectedClock) {
  DecideOptions options;
  absl::Time now = At("2026-11-15T00:00:00Z");
  options.clock = [&now] { return now; };
  Both both(kWindowed, "[]", options);
  EXPECT_EQ(both.Decide(Req("")), "allow [policy0]");
  now = At("2026-12-01T00:00:00Z");
  EXPECT_EQ(both.Decide(Req("")), "deny []");
  // A request's own time wins over the clock.
  EXPECT_EQ(both.Decide(Req("2026-11-02T00:00:00Z")), "allow [policy0]");
}

TEST(LifecycleTest, BreakGlassDecisionsSayWhichPoliciesMadeThem) {
  Both both(R"(
    permit(principal, action, resource) when { context.tier == 1 };
    @breakglass("INC-1234")
    @expires("2026-12-01T00:00:00Z")
    permit(principal, action, resource) when { context.emergency };
  )",
            "[]");
  EXPECT_EQ(both.Decide(Req("2026-11-22T00:00:00Z", R"({"tier": 1, "emergency": true})")),
            "allow [policy0,policy1] breakglass[policy1]");
  EXPECT_EQ(both.Decide(Req("2026-11-22T00:00:00Z", R"({"tier": 2, "emergency": false})")), "deny []");
  EXPECT_EQ(both.Decide(Req("2026-12-02T00:00:00Z", R"({"tier": 2, "emergency": true})")), "deny []");
}

constexpr std::string_view kErroringForbid = R"(
  permit(principal, action, resource);
  forbid(principal, action, resource) when { context.risk > 5 };
)";

TEST(LifecycleTest, FailClosedTurnsAnErroringForbidIntoADeny) {
  // Cedar's rule: the erroring forbid is skipped.
  Both cedar(kErroringForbid, "[]");
  EXPECT_EQ(cedar.Decide(Req("", "{}")),
            "allow [policy0] {policy1: record does not have the attribute `risk`}");
  DecideOptions options;
  options.fail_closed = true;
  Both closed(kErroringForbid, "[]", options);
  EXPECT_EQ(closed.Decide(Req("", "{}")), "deny [policy1] {policy1: record does not have the attribute `risk`}");
  EXPECT_EQ(closed.Decide(Req("", R"({"risk": 1})")), "allow [policy0]");
}

constexpr std::string_view kInventory = R"([
  {"uid": {"type": "W", "id": "api"}, "attrs": {}, "parents": [{"type": "NS", "id": "pay"}]},
  {"uid": {"type": "NS", "id": "pay"}, "attrs": {}, "parents": [{"type": "TD", "id": "acme"}]}
])";

TEST(RevocationTest, ThePrincipalItsAncestorsAndItsCredentialAreChecked) {
  auto revoked = std::make_shared<RevocationList>();
  DecideOptions options;
  options.revoked = revoked;
  Both both("permit(principal, action, resource);", kInventory, options);
  const std::string with_credential =
      Req("", R"({"credential": {"__entity": {"type": "Credential", "id": "key-1"}}})");
  EXPECT_EQ(both.Decide(with_credential), "allow [policy0]");
  for (const EntityUid& uid : {EntityUid{"W", "api"}, EntityUid{"NS", "pay"}, EntityUid{"TD", "acme"},
                               EntityUid{"Credential", "key-1"}}) {
    ASSERT_TRUE(revoked->Revoke(uid).ok());
    EXPECT_EQ(both.Decide(with_credential), "deny [] revoked") << uid.ToString();
    EXPECT_TRUE(revoked->Restore(uid));
    EXPECT_EQ(both.Decide(with_credential), "allow [policy0]") << uid.ToString();
  }
  // Another workload's revocation, or a credential given as a record, does not count.
  ASSERT_TRUE(revoked->Revoke({"W", "other"}).ok());
  EXPECT_EQ(both.Decide(Req("", R"({"credential": {"id": "key-1"}})")), "allow [policy0]");
}

TEST(RevocationTest, RevocationComesBeforeEveryPolicy) {
  auto revoked = std::make_shared<RevocationList>();
  ASSERT_TRUE(revoked->Revoke({"W", "api"}).ok());
  DecideOptions options;
  options.revoked = revoked;
  options.fail_closed = true;
  Both both("permit(principal, action, resource); forbid(principal, action, resource) when { context.x };",
            kInventory, options);
  EXPECT_EQ(both.Decide(Req("")), "deny [] revoked");   // no errors: no policy was evaluated
}

TEST(RevocationTest, DecisionJsonSaysRevokedAndBreakGlass) {
  Decision d;
  d.revoked = true;
  EXPECT_EQ(DecisionToJson(d), R"({"decision":"deny","reasons":[],"errors":[],"revoked":true})");
  d = Decision();
  d.allowed = true;
  d.reasons = {"policy1"};
  d.breakglass = {"policy1"};
  EXPECT_EQ(DecisionToJson(d), R"({"decision":"allow","reasons":["policy1"],"errors":[],"breakglass":["policy1"]})");
}

}  // namespace
}  // namespace writ
