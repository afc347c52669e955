// Tests for src/lint (writ/lint.h): every rule, its severity, location and
// boundaries, and near misses that must not be reported.
#include "writ/lint.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/policy_set.h"

namespace writ {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 6, 1, 0, 0, 0), absl::UTCTimeZone());

LintOptions Options() {
  LintOptions o;
  o.now = kNow;
  return o;
}

PolicySet Parse(const std::vector<std::string>& files) {
  PolicySet set;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::vector<Issue> issues;
    EXPECT_TRUE(set.Add(files[i], absl::StrCat("f", i, ".cedar"), &issues).ok()) << RenderIssues(issues);
  }
  return set;
}

std::vector<Issue> LintText(const std::string& text, const LintOptions& options = Options()) {
  absl::StatusOr<std::vector<Issue>> r = Lint(Parse({text}), options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : std::vector<Issue>();
}

// "LINE:COL code", one per finding of the rules in `codes` (all when empty).
std::vector<std::string> Found(const std::vector<Issue>& issues, std::vector<std::string_view> codes = {}) {
  std::vector<std::string> out;
  for (const Issue& i : issues) {
    bool wanted = codes.empty();
    for (std::string_view c : codes) wanted = wanted || LintRule(i) == c;
    if (wanted) out.push_back(absl::StrCat(i.line, ":", i.column, " ", std::string(LintRule(i))));
  }
  return out;
}

// Findings of the redundancy rules only, as "LINE:COL code".
std::vector<std::string> Redundant(const std::string& text) {
  return Found(LintText(text), {kLintDuplicate, kLintShadowed});
}

constexpr char kOwned[] = "@owner(\"t\")\n";

// ---- owner-missing ----

TEST(LintOwnerTest, MissingOwnerIsAWarningAtTheEffect) {
  const std::vector<Issue> issues = LintText("@id(\"x\")\nforbid(principal, action, resource);");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(LintRule(issues[0]), kLintOwnerMissing);
  EXPECT_EQ(issues[0].severity, Severity::kWarning);
  EXPECT_EQ(issues[0].file, "f0.cedar");
  EXPECT_EQ(issues[0].line, 2u);
  EXPECT_EQ(issues[0].column, 1u);
  EXPECT_EQ(issues[0].length, 6u);
  EXPECT_EQ(LintMessage(issues[0]), "policy0 has no `@owner`");
  EXPECT_THAT(issues[0].hint, HasSubstr("@owner("));
  EXPECT_THAT(RenderIssues(issues), HasSubstr("f0.cedar:2:1: warning: [owner-missing] policy0 has no `@owner`"));
}

TEST(LintOwnerTest, OwnedPolicyIsFine) {
  EXPECT_THAT(LintText("@owner(\"payments\") forbid(principal, action, resource);"), IsEmpty());
}

// ---- expired / expiring-soon ----

std::string Expiring(const char* when, bool breakglass = false) {
  return absl::StrCat(kOwned, breakglass ? "@breakglass(\"INC-1\")\n" : "", "@expires(\"", when,
                      "\")\nforbid(principal, action, resource);");
}

TEST(LintLifecycleTest, ExpiredIsAWarningAtTheAnnotation) {
  const std::vector<Issue> issues = LintText(Expiring("2026-05-01T00:00:00Z"));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(LintRule(issues[0]), kLintExpired);
  EXPECT_EQ(issues[0].severity, Severity::kWarning);
  EXPECT_EQ(issues[0].line, 2u);
  EXPECT_EQ(issues[0].column, 1u);
  EXPECT_EQ(LintMessage(issues[0]),
            "policy0 expired at 2026-05-01T00:00:00Z, 31 days ago: it no longer applies");
}

TEST(LintLifecycleTest, ExactlyAtExpiryIsExpired) {
  const std::vector<Issue> issues = LintText(Expiring("2026-06-01T00:00:00Z"));
  EXPECT_THAT(Found(issues), ElementsAre("2:1 expired"));
  EXPECT_EQ(LintMessage(issues[0]), "policy0 expired at 2026-06-01T00:00:00Z: it no longer applies");
  // The same instant in another zone.
  EXPECT_THAT(Found(LintText(Expiring("2026-05-31T20:00:00-04:00"))), ElementsAre("2:1 expired"));
}

TEST(LintLifecycleTest, ExpiringWithinTheWindow) {
  const std::vector<Issue> issues = LintText(Expiring("2026-06-01T00:00:01Z"));
  EXPECT_THAT(Found(issues), ElementsAre("2:1 expiring-soon"));
  EXPECT_EQ(issues[0].severity, Severity::kWarning);
  EXPECT_EQ(LintMessage(issues[0]), "policy0 expires at 2026-06-01T00:00:01Z, in 1 second");
  EXPECT_THAT(Found(LintText(Expiring("2026-06-04T06:00:00Z"))), ElementsAre("2:1 expiring-soon"));
  EXPECT_EQ(LintMessage(LintText(Expiring("2026-06-04T06:00:00Z"))[0]),
            "policy0 expires at 2026-06-04T06:00:00Z, in 3 days 6 hours");
}

TEST(LintLifecycleTest, ExactlyNDaysAheadIsExpiringSoonAndOneSecondMoreIsNot) {
  EXPECT_THAT(Found(LintText(Expiring("2026-06-15T00:00:00Z"))), ElementsAre("2:1 expiring-soon"));
  EXPECT_THAT(LintText(Expiring("2026-06-15T00:00:01Z")), IsEmpty());
  LintOptions o = Options();
  o.expiring_within_days = 30;
  EXPECT_THAT(Found(LintText(Expiring("2026-07-01T00:00:00Z"), o)), ElementsAre("2:1 expiring-soon"));
  EXPECT_THAT(LintText(Expiring("2026-07-01T00:00:01Z"), o), IsEmpty());
}

TEST(LintLifecycleTest, ZeroDaysReportsNoExpiringPolicyButStillExpiredOnes) {
  LintOptions o = Options();
  o.expiring_within_days = 0;
  EXPECT_THAT(LintText(Expiring("2026-06-01T00:00:01Z"), o), IsEmpty());
  EXPECT_THAT(Found(LintText(Expiring("2026-06-01T00:00:00Z"), o)), ElementsAre("2:1 expired"));
}

TEST(LintLifecycleTest, NoExpiryNoFinding) {
  EXPECT_THAT(LintText(absl::StrCat(kOwned, "@not_before(\"2020-01-01T00:00:00Z\")\n"
                                            "forbid(principal, action, resource);")),
              IsEmpty());
}

// ---- breakglass-too-long ----

TEST(LintBreakglassTest, ExpiringTooFarAheadIsAnError) {
  const std::vector<Issue> issues = LintText(Expiring("2026-06-08T00:00:01Z", true));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(LintRule(issues[0]), kLintBreakglassTooLong);
  EXPECT_EQ(issues[0].severity, Severity::kError);
  EXPECT_TRUE(HasErrors(issues));
  EXPECT_EQ(issues[0].line, 3u);   // at @expires
  EXPECT_EQ(LintMessage(issues[0]),
            "break-glass policy policy0 expires at 2026-06-08T00:00:01Z, in 7 days 1 second: more than 7 days "
            "ahead");
  EXPECT_THAT(issues[0].hint, HasSubstr("within 7 days"));
}

TEST(LintBreakglassTest, ExactlyTheLimitIsAllowedAndNotExpiringSoon) {
  EXPECT_THAT(LintText(Expiring("2026-06-08T00:00:00Z", true)), IsEmpty());
  EXPECT_THAT(LintText(Expiring("2026-06-01T01:00:00Z", true)), IsEmpty());
}

TEST(LintBreakglassTest, TheLimitIsAnOption) {
  LintOptions o = Options();
  o.breakglass_max_days = 30;
  EXPECT_THAT(LintText(Expiring("2026-07-01T00:00:00Z", true), o), IsEmpty());
  EXPECT_THAT(Found(LintText(Expiring("2026-07-01T00:00:01Z", true), o)), ElementsAre("3:1 breakglass-too-long"));
  o.breakglass_max_days = 0;
  EXPECT_THAT(Found(LintText(Expiring("2026-06-01T00:00:01Z", true), o)), ElementsAre("3:1 breakglass-too-long"));
}

TEST(LintBreakglassTest, ExpiredBreakglassIsExpired) {
  EXPECT_THAT(Found(LintText(Expiring("2026-05-01T00:00:00Z", true))), ElementsAre("3:1 expired"));
}

// ---- unconstrained-permit ----

TEST(LintUnconstrainedTest, PermitOnAnyPrincipalOrResourceWithoutCondition) {
  std::vector<Issue> issues = LintText(absl::StrCat(kOwned, "permit(principal, action, resource);"));
  EXPECT_THAT(Found(issues), ElementsAre("2:8 unconstrained-permit"));
  EXPECT_EQ(issues[0].severity, Severity::kWarning);
  EXPECT_EQ(LintMessage(issues[0]), "policy0 permits any principal on any resource, with no condition");

  issues = LintText(absl::StrCat(kOwned, "permit(principal == User::\"a\", action, resource);"));
  EXPECT_THAT(Found(issues), ElementsAre("2:40 unconstrained-permit"));
  EXPECT_EQ(LintMessage(issues[0]), "policy0 permits any resource, with no condition");

  issues = LintText(absl::StrCat(kOwned, "permit(principal, action == Action::\"r\", resource == Doc::\"d\");"));
  EXPECT_THAT(Found(issues), ElementsAre("2:8 unconstrained-permit"));
  EXPECT_EQ(LintMessage(issues[0]), "policy0 permits any principal, with no condition");
}

TEST(LintUnconstrainedTest, NearMisses) {
  // A condition, a forbid, or both scopes constrained (`is` counts).
  EXPECT_THAT(LintText(absl::StrCat(kOwned, "permit(principal, action, resource) when { context.ok };")), IsEmpty());
  EXPECT_THAT(LintText(absl::StrCat(kOwned, "permit(principal, action, resource) unless { context.bad };")),
              IsEmpty());
  EXPECT_THAT(LintText(absl::StrCat(kOwned, "forbid(principal, action, resource);")), IsEmpty());
  EXPECT_THAT(LintText(absl::StrCat(kOwned, "permit(principal is User, action, resource is Doc);")), IsEmpty());
  EXPECT_THAT(LintText(absl::StrCat(kOwned, "permit(principal in G::\"g\", action, resource in F::\"f\");")),
              IsEmpty());
}

// ---- duplicate ----

TEST(LintDuplicateTest, SamePolicyWrittenDifferentlyIsADuplicateOfTheFirst) {
  const std::vector<Issue> issues = LintText(
      "@owner(\"a\") permit(principal == User::\"a\", action == Action::\"read\", resource) when { context.ok };\n"
      "@owner(\"b\") @id(\"x\")\n"
      "permit (principal==User::\"a\", action==Action::\"read\", resource)\n"
      "  when { context[\"ok\"] }; // same\n"
      "@owner(\"c\") permit(principal == User::\"a\", action == Action::\"read\", resource) when { context.ok };\n");
  EXPECT_THAT(Found(issues), ElementsAre("3:1 duplicate", "5:13 duplicate"));
  EXPECT_EQ(issues[0].severity, Severity::kWarning);
  EXPECT_EQ(LintMessage(issues[0]), "policy1 duplicates policy0 (f0.cedar:1:13)");
  EXPECT_EQ(LintMessage(issues[1]), "policy2 duplicates policy0 (f0.cedar:1:13)");
}

TEST(LintDuplicateTest, AcrossFiles) {
  const char kPolicy[] = "@owner(\"a\") forbid(principal, action, resource) when { context.x > 3 };";
  absl::StatusOr<std::vector<Issue>> r = Lint(Parse({kPolicy, kPolicy}), Options());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].file, "f1.cedar");
  EXPECT_EQ(LintMessage((*r)[0]), "policy1 duplicates policy0 (f0.cedar:1:13)");
}

TEST(LintDuplicateTest, ActionListsAreSets) {
  EXPECT_THAT(Redundant("permit(principal in G::\"g\", action in [Action::\"a\", Action::\"b\"], resource);\n"
                        "permit(principal in G::\"g\", action in [Action::\"b\", Action::\"a\", Action::\"a\"], "
                        "resource);"),
              ElementsAre("2:1 duplicate"));
  EXPECT_THAT(Redundant("permit(principal in G::\"g\", action in Action::\"a\", resource);\n"
                        "permit(principal in G::\"g\", action in [Action::\"a\"], resource);"),
              ElementsAre("2:1 duplicate"));
  EXPECT_THAT(Redundant("permit(principal in G::\"g\", action in [], resource);\n"
                        "permit(principal in G::\"g\", action in [], resource);"),
              ElementsAre("2:1 duplicate"));
}

TEST(LintDuplicateTest, TemplatesCompareTheirSlots) {
  EXPECT_THAT(Redundant("permit(principal == ?principal, action, resource in ?resource);\n"
                        "permit(principal == ?principal, action, resource in ?resource);"),
              ElementsAre("2:1 duplicate"));
  EXPECT_THAT(Redundant("permit(principal == ?principal, action, resource in ?resource);\n"
                        "permit(principal in ?principal, action, resource in ?resource);"),
              ElementsAre("1:1 shadowed"));
}

TEST(LintDuplicateTest, SameLifecycleWindowIsADuplicateAndAnotherIsNot) {
  const std::string a = "@expires(\"2027-01-01T00:00:00Z\") forbid(principal, action, resource);\n";
  EXPECT_THAT(Redundant(a + a), ElementsAre("2:34 duplicate"));
  // A later expiry covers an earlier one: shadowed, not a duplicate.
  EXPECT_THAT(Redundant(a + "@expires(\"2027-06-01T00:00:00Z\") forbid(principal, action, resource);"),
              ElementsAre("1:34 shadowed"));
}

// ---- shadowed ----

TEST(LintShadowedTest, WiderScopeSameConditionShadowsTheNarrower) {
  const std::vector<Issue> issues =
      LintText("@owner(\"a\") permit(principal == User::\"a\", action == Action::\"r\", resource) when { context.ok };\n"
               "@owner(\"a\") permit(principal, action == Action::\"r\", resource) when { context.ok };\n");
  EXPECT_THAT(Found(issues), ElementsAre("1:13 shadowed"));
  EXPECT_EQ(issues[0].severity, Severity::kWarning);
  EXPECT_EQ(LintMessage(issues[0]),
            "policy0 is shadowed by policy1 (f0.cedar:2:13): policy1 applies wherever it does, with the same "
            "effect");
  // Either order.
  EXPECT_THAT(Redundant("permit(principal, action == Action::\"r\", resource) when { context.ok };\n"
                        "permit(principal == User::\"a\", action == Action::\"r\", resource) when { context.ok };"),
              ElementsAre("2:1 shadowed"));
}

TEST(LintShadowedTest, NoConditionShadowsAnyCondition) {
  EXPECT_THAT(Redundant("forbid(principal in G::\"g\", action, resource);\n"
                        "forbid(principal in G::\"g\", action, resource) when { context.a } unless { context.b };"),
              ElementsAre("2:1 shadowed"));
}

TEST(LintShadowedTest, PrincipalAndResourceScopes) {
  const auto shadowed = [](const std::string& wide, const std::string& narrow) {
    return Redundant(absl::StrCat("forbid(principal ", wide, ", action, resource ", wide, ");\n",
                                  "forbid(principal ", narrow, ", action, resource ", narrow, ");"));
  };
  EXPECT_THAT(shadowed("in User::\"a\"", "== User::\"a\""), ElementsAre("2:1 shadowed"));
  EXPECT_THAT(shadowed("is User", "== User::\"a\""), ElementsAre("2:1 shadowed"));
  EXPECT_THAT(shadowed("is User in User::\"a\"", "== User::\"a\""), ElementsAre("2:1 shadowed"));
  EXPECT_THAT(shadowed("is User", "is User in G::\"g\""), ElementsAre("2:1 shadowed"));
  EXPECT_THAT(shadowed("in G::\"g\"", "is User in G::\"g\""), ElementsAre("2:1 shadowed"));
  EXPECT_THAT(shadowed("is A::User", "== A::User::\"a\""), ElementsAre("2:1 shadowed"));
  // Only one of the two scopes wider is enough.
  EXPECT_THAT(Redundant("forbid(principal, action, resource == Doc::\"d\");\n"
                        "forbid(principal == User::\"a\", action, resource == Doc::\"d\");"),
              ElementsAre("2:1 shadowed"));
  // Near misses: no hierarchy is assumed; types must agree.
  EXPECT_THAT(shadowed("in G::\"g\"", "== User::\"a\""), IsEmpty());
  EXPECT_THAT(shadowed("in G::\"g\"", "in G::\"h\""), IsEmpty());
  EXPECT_THAT(shadowed("is Group", "== User::\"a\""), IsEmpty());
  EXPECT_THAT(shadowed("is Group in User::\"a\"", "== User::\"a\""), IsEmpty());
  // (Here the second is wider: the first is the one reported.)
  EXPECT_THAT(shadowed("is User in G::\"g\"", "in G::\"g\""), ElementsAre("1:1 shadowed"));
  EXPECT_THAT(shadowed("== User::\"a\"", "in User::\"a\""), ElementsAre("1:1 shadowed"));
  EXPECT_THAT(shadowed("is User", "in User::\"a\""), IsEmpty());
  // A narrower principal but a wider resource: neither covers the other.
  EXPECT_THAT(Redundant("forbid(principal == User::\"a\", action, resource);\n"
                        "forbid(principal, action, resource == Doc::\"d\");"),
              IsEmpty());
}

TEST(LintShadowedTest, ActionScopes) {
  const auto shadowed = [](const std::string& wide, const std::string& narrow) {
    return Redundant(absl::StrCat("forbid(principal, ", wide, ", resource);\nforbid(principal, ", narrow,
                                  ", resource);"));
  };
  EXPECT_THAT(shadowed("action", "action == Action::\"a\""), ElementsAre("2:1 shadowed"));
  EXPECT_THAT(shadowed("action", "action in [Action::\"a\", Action::\"b\"]"), ElementsAre("2:1 shadowed"));
  EXPECT_THAT(shadowed("action in [Action::\"a\", Action::\"b\"]", "action == Action::\"b\""),
              ElementsAre("2:1 shadowed"));
  EXPECT_THAT(shadowed("action in [Action::\"a\", Action::\"b\", Action::\"c\"]", "action in [Action::\"c\", Action::\"a\"]"),
              ElementsAre("2:1 shadowed"));
  EXPECT_THAT(shadowed("action in Action::\"a\"", "action == Action::\"a\""), ElementsAre("2:1 shadowed"));
  EXPECT_THAT(shadowed("action in [Action::\"a\"]", "action in []"), ElementsAre("2:1 shadowed"));
  // Near misses.
  EXPECT_THAT(shadowed("action == Action::\"a\"", "action == Action::\"b\""), IsEmpty());
  // (Here the second is wider: the first is the one reported.)
  EXPECT_THAT(shadowed("action == Action::\"a\"", "action in Action::\"a\""), ElementsAre("1:1 shadowed"));
  EXPECT_THAT(shadowed("action == Action::\"a\"", "action in [Action::\"a\", Action::\"b\"]"),
              ElementsAre("1:1 shadowed"));
  EXPECT_THAT(shadowed("action in [Action::\"a\", Action::\"b\"]", "action in [Action::\"a\", Action::\"c\"]"),
              IsEmpty());
  EXPECT_THAT(shadowed("action == Action::\"a\"", "action"), ElementsAre("1:1 shadowed"));
}

TEST(LintShadowedTest, LifecycleWindows) {
  // No window covers every window; a window does not cover none.
  EXPECT_THAT(Redundant("forbid(principal, action, resource);\n"
                        "@not_before(\"2026-01-01T00:00:00Z\") @expires(\"2027-01-01T00:00:00Z\")\n"
                        "forbid(principal, action, resource);"),
              ElementsAre("3:1 shadowed"));
  EXPECT_THAT(Redundant("@expires(\"2027-01-01T00:00:00Z\") forbid(principal, action, resource);\n"
                        "forbid(principal, action, resource);"),
              ElementsAre("1:34 shadowed"));   // the second, unbounded, is not
  EXPECT_THAT(Redundant("@not_before(\"2026-01-01T00:00:00Z\") forbid(principal, action, resource);\n"
                        "@not_before(\"2026-02-01T00:00:00Z\") forbid(principal, action, resource);"),
              ElementsAre("2:37 shadowed"));
  // Overlapping windows, neither containing the other.
  EXPECT_THAT(Redundant("@not_before(\"2026-01-01T00:00:00Z\") @expires(\"2026-03-01T00:00:00Z\")\n"
                        "forbid(principal, action, resource);\n"
                        "@not_before(\"2026-02-01T00:00:00Z\") @expires(\"2026-04-01T00:00:00Z\")\n"
                        "forbid(principal, action, resource);"),
              IsEmpty());
}

TEST(LintShadowedTest, NearMissesAreNotReported) {
  const std::string base = "permit(principal, action == Action::\"r\", resource) when { context.level > 2 };\n";
  // A different condition, effect, action, or break-glass flag.
  EXPECT_THAT(Redundant(base + "permit(principal == User::\"a\", action == Action::\"r\", resource) "
                               "when { context.level > 3 };"),
              IsEmpty());
  EXPECT_THAT(Redundant(base + "forbid(principal == User::\"a\", action == Action::\"r\", resource) "
                               "when { context.level > 2 };"),
              IsEmpty());
  EXPECT_THAT(Redundant(base + "permit(principal == User::\"a\", action == Action::\"w\", resource) "
                               "when { context.level > 2 };"),
              IsEmpty());
  EXPECT_THAT(Redundant(base + "permit(principal == User::\"a\", action == Action::\"r\", resource) "
                               "unless { context.level > 2 };"),
              IsEmpty());
  EXPECT_THAT(Redundant(base + "@breakglass(\"INC-1\") @expires(\"2026-06-02T00:00:00Z\")\n"
                               "permit(principal == User::\"a\", action == Action::\"r\", resource) "
                               "when { context.level > 2 };"),
              IsEmpty());
  // A wider scope with a condition does not cover a narrower one without.
  EXPECT_THAT(Redundant(base + "permit(principal == User::\"a\", action == Action::\"r\", resource);"), IsEmpty());
  // Extra conditions on the wider policy, or fewer but not none: not covered
  // (documented: no condition, or the same conditions).
  EXPECT_THAT(Redundant(base + "permit(principal == User::\"a\", action == Action::\"r\", resource) "
                               "when { context.level > 2 } when { context.ok };"),
              IsEmpty());
  // The same policies in a different effect are each other's duplicates only
  // within an effect.
  EXPECT_THAT(Redundant("permit(principal, action, resource);\nforbid(principal, action, resource);"), IsEmpty());
}

TEST(LintShadowedTest, NamesTheFirstCoveringPolicy) {
  const std::vector<Issue> issues =
      LintText("forbid(principal == User::\"a\", action, resource);\n"
               "forbid(principal is User, action, resource);\n"
               "forbid(principal, action, resource);\n");
  EXPECT_THAT(Found(issues, {kLintShadowed}), ElementsAre("1:1 shadowed", "2:1 shadowed"));
  EXPECT_THAT(LintMessage(issues[1]), HasSubstr("policy0 is shadowed by policy1 "));
  EXPECT_THAT(LintMessage(issues[3]), HasSubstr("policy1 is shadowed by policy2 "));
}

TEST(LintShadowedTest, ADuplicateIsReportedRatherThanShadowed) {
  EXPECT_THAT(Redundant("forbid(principal == User::\"a\", action, resource);\n"
                        "forbid(principal == User::\"a\", action, resource);\n"
                        "forbid(principal, action, resource);\n"),
              ElementsAre("1:1 shadowed", "2:1 duplicate"));
}

TEST(LintShadowedTest, ManyPoliciesStayFast) {
  // 20,000 policies sharing an action, each its own principal; one wide
  // policy shadows them all.
  std::string text = "forbid(principal, action == Action::\"r\", resource) when { context.x };\n";
  for (int i = 0; i < 20000; ++i) {
    absl::StrAppend(&text, "forbid(principal == User::\"u", i, "\", action == Action::\"r\", resource) "
                           "when { context.x };\n");
  }
  const std::vector<Issue> issues = LintText(text);
  std::size_t shadowed = 0;
  for (const Issue& i : issues) shadowed += LintRule(i) == kLintShadowed ? 1 : 0;
  EXPECT_EQ(shadowed, 20000u);
}

TEST(LintShadowedTest, ComparisonsPerPolicyAreBounded) {
  // Policies alike but for their expiry, each covered by every later one:
  // policy k is examined against policies 0..k-1 (none covers it) before
  // policy k+1, so past the bound its shadowing is not found.
  const std::size_t n = kMaxLintComparisons + 500;
  std::string text;
  const absl::Time start = kNow + absl::Hours(24 * 365);
  for (std::size_t i = 0; i < n; ++i) {
    absl::StrAppend(&text, "@expires(\"",
                    absl::FormatTime(absl::RFC3339_sec, start + absl::Minutes(static_cast<int64_t>(i)),
                                     absl::UTCTimeZone()),
                    "\") forbid(principal, action == Action::\"r\", resource);\n");
  }
  const std::vector<Issue> issues = LintText(text);
  std::size_t shadowed = 0;
  for (const Issue& i : issues) shadowed += LintRule(i) == kLintShadowed ? 1 : 0;
  EXPECT_EQ(shadowed, kMaxLintComparisons);
}

// ---- all rules together, options, and the message helpers ----

TEST(LintTest, FindingsComeInPolicyOrderThenRuleOrder) {
  const std::vector<Issue> issues =
      LintText("@expires(\"2026-06-02T00:00:00Z\") permit(principal, action, resource);\n"
               "@expires(\"2026-06-02T00:00:00Z\") permit(principal, action, resource);\n");
  EXPECT_THAT(Found(issues), ElementsAre("1:34 owner-missing", "1:1 expiring-soon", "1:41 unconstrained-permit",
                                         "2:34 owner-missing", "2:1 expiring-soon", "2:41 unconstrained-permit",
                                         "2:34 duplicate"));
}

TEST(LintTest, EmptySetHasNoFindings) {
  absl::StatusOr<std::vector<Issue>> r = Lint(PolicySet(), Options());
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(*r, IsEmpty());
}

TEST(LintTest, OptionsOutOfRangeAreRejected) {
  LintOptions o = Options();
  o.breakglass_max_days = -1;
  EXPECT_EQ(Lint(PolicySet(), o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Options();
  o.expiring_within_days = kMaxLintDays + 1;
  EXPECT_EQ(Lint(PolicySet(), o).status().code(), absl::StatusCode::kInvalidArgument);
  o.expiring_within_days = kMaxLintDays;
  o.breakglass_max_days = kMaxLintDays;
  EXPECT_TRUE(Lint(PolicySet(), o).ok());
}

TEST(LintTest, RuleAndMessageHelpers) {
  Issue i;
  i.message = "[owner-missing] policy0 has no `@owner`";
  EXPECT_EQ(LintRule(i), "owner-missing");
  EXPECT_EQ(LintMessage(i), "policy0 has no `@owner`");
  for (const char* m : {"plain message", "[] x", "[Not-A-Code] x", "[code]x", "[", ""}) {
    i.message = m;
    EXPECT_EQ(LintRule(i), "") << m;
    EXPECT_EQ(LintMessage(i), m);
  }
}

}  // namespace
}  // namespace writ
