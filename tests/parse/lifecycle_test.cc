// Tests for src/parse/lifecycle: the lifecycle annotations read when a policy
// set is built, and each mistake located at its annotation.
#include "src/parse/lifecycle.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/parse/parser.h"
#include "writ/policy_set.h"

namespace writ::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Read {
  Policy policy;
  std::vector<std::string> issues;   // "line:col: message"
};

Read ReadOne(std::string_view text, bool strict = false) {
  SourceFile file("t.cedar", text);
  std::vector<Issue> issues;
  ParseOptions options;
  options.strict = strict;
  std::vector<Policy> parsed = ParsePolicies(file, options, &issues);
  EXPECT_EQ(parsed.size(), 1u);
  Read r;
  if (!parsed.empty()) {
    r.policy = std::move(parsed[0]);
    ReadLifecycle(file, options, &r.policy, &issues);
  }
  for (const Issue& i : issues) r.issues.push_back(absl::StrCat(i.line, ":", i.column, ": ", i.message));
  return r;
}

TEST(LifecycleTest, ReadsTheWindowAndBreakGlass) {
  Read r = ReadOne(R"(@owner("payments") @not_before("2026-11-01T00:00:00Z")
@expires("2026-12-01T01:00:00+01:00") @breakglass("INC-1")
permit(principal, action, resource);)");
  EXPECT_THAT(r.issues, ElementsAre());
  EXPECT_EQ(r.policy.not_before, absl::FromUnixSeconds(1793491200));
  EXPECT_EQ(r.policy.expires, absl::FromUnixSeconds(1796083200));
  EXPECT_TRUE(r.policy.breakglass);
  // Other annotations are Cedar's, untouched.
  r = ReadOne(R"(@id("x") @reason permit(principal, action, resource);)");
  EXPECT_THAT(r.issues, ElementsAre());
  EXPECT_FALSE(r.policy.expires.has_value());
}

TEST(LifecycleTest, MistakesAreLocatedAtTheirAnnotation) {
  // A time's mistake is located at its string.
  EXPECT_THAT(ReadOne(R"(@expires("2026-12-01") permit(principal, action, resource);)").issues,
              ElementsAre("1:10: `@expires` is not an RFC 3339 time: \"2026-12-01\": a date alone is not a time: "
                          "write YYYY-MM-DDThh:mm:ss, an optional fraction, then Z or an offset such as +02:00"));
  EXPECT_THAT(ReadOne("@owner(\"a\")\n  @not_before(\"tomorrow\") permit(principal, action, resource);").issues,
              ElementsAre(HasSubstr("2:15: `@not_before` is not an RFC 3339 time: \"tomorrow\"")));
  EXPECT_THAT(ReadOne(R"(@owner permit(principal, action, resource);)").issues,
              ElementsAre("1:1: `@owner` needs a value"));
  EXPECT_THAT(ReadOne(R"(@breakglass("INC-1") permit(principal, action, resource);)").issues,
              ElementsAre("1:1: a break-glass policy must say when it ends"));
  EXPECT_THAT(ReadOne(R"(@expires("2026-11-01T00:00:00Z") @not_before("2026-11-01T00:00:00Z")
                         permit(principal, action, resource);)")
                  .issues,
              ElementsAre(HasSubstr("1:34: the policy can never apply")));
}

// RFC 3339 years have four digits (0000-9999): a fifth digit or a sign is
// refused where it is written (issue 14, defect 4), and the range's ends
// are accepted.
TEST(LifecycleTest, YearsOutsideRfc3339AreRefused) {
  EXPECT_THAT(ReadOne(R"(@expires("99999-01-01T00:00:00Z") permit(principal, action, resource);)").issues,
              ElementsAre("1:10: `@expires` is not an RFC 3339 time: \"99999-01-01T00:00:00Z\": the year has more "
                          "than four digits: RFC 3339 years are 0000 to 9999"));
  EXPECT_THAT(ReadOne("@owner(\"a\")\n@not_before( \"-0001-01-01T00:00:00Z\")\npermit(principal, action, resource);")
                  .issues,
              ElementsAre(HasSubstr("2:14: `@not_before` is not an RFC 3339 time: \"-0001-01-01T00:00:00Z\": the "
                                    "year has a sign")));
  Read r = ReadOne(R"(@not_before("0000-01-01T00:00:00Z") @expires("9999-12-31T23:59:59Z")
permit(principal, action, resource);)");
  EXPECT_THAT(r.issues, ElementsAre());
  ASSERT_TRUE(r.policy.expires.has_value());
  EXPECT_EQ(absl::ToCivilYear(*r.policy.expires, absl::UTCTimeZone()).year(), 9999);
}

// Cedar accepts every annotation and gives none a meaning; strict mode is
// exactly Cedar, so the lifecycle keys are plain annotations there, even
// malformed ones, and a strict policy set never expires a policy.
TEST(LifecycleTest, StrictModeAcceptsLifecycleAnnotationsWithoutMeaning) {
  Read p = ReadOne(R"(@owner("a") @expires("2020-12-01T00:00:00Z") @not_before("tomorrow") @breakglass
                        permit(principal, action, resource);)",
                     /*strict=*/true);
  EXPECT_THAT(p.issues, ElementsAre());
  EXPECT_FALSE(p.policy.expires.has_value());
  EXPECT_FALSE(p.policy.not_before.has_value());
  EXPECT_FALSE(p.policy.breakglass);
}

TEST(LifecycleTest, PolicySetAddReportsThem) {
  PolicySet set;
  std::vector<Issue> issues;
  EXPECT_FALSE(set.Add(R"(@breakglass("INC-1") permit(principal, action, resource);)", "p.cedar", &issues).ok());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(RenderIssues(issues),
            "p.cedar:1:1: error: a break-glass policy must say when it ends\n"
            "  @breakglass(\"INC-1\") permit(principal, action, resource);\n"
            "  ^~~~~~~~~~~~~~~~~~~~\n"
            "  note: add @expires(\"2026-12-31T23:59:59Z\")\n");
  EXPECT_EQ(set.size(), 0u);
}

}  // namespace
}  // namespace writ::internal
