// Tests for src/lint/ast_equal: structural equality and hashing of
// conditions and scopes — spelling, spacing and comments do not matter;
// operators, names and literals do.
#include "src/lint/ast_equal.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/ast/policy_set_data.h"
#include "writ/policy_set.h"

namespace writ::internal {
namespace {

// Parses `a` and `b` (one policy each) into one set.
PolicySet Parse(const std::string& a, const std::string& b) {
  PolicySet set;
  std::vector<Issue> issues;
  EXPECT_TRUE(set.Add(absl::StrCat(a, "\n", b), "t.cedar", &issues).ok()) << RenderIssues(issues);
  EXPECT_EQ(set.size(), 2u);
  return set;
}

// Whether the two policies' conditions are the same, checking that equal
// conditions hash alike.
bool SameConds(const std::string& a, const std::string& b) {
  PolicySet set = Parse(a, b);
  const auto& policies = PolicySetData::Of(set).policies;
  if (policies.size() != 2) return false;
  const bool same = SameConditions(policies[0]->conditions, policies[1]->conditions);
  if (same) {
    EXPECT_EQ(HashConditions(policies[0]->conditions), HashConditions(policies[1]->conditions));
  }
  return same;
}

bool SameScopes(const std::string& a, const std::string& b) {
  PolicySet set = Parse(a, b);
  const auto& policies = PolicySetData::Of(set).policies;
  if (policies.size() != 2) return false;
  const bool same = SameScope(policies[0]->principal, policies[1]->principal);
  if (same) {
    EXPECT_EQ(HashScope(policies[0]->principal), HashScope(policies[1]->principal));
  }
  return same;
}

std::string When(const std::string& cond) { return absl::StrCat("permit(principal, action, resource) when { ", cond, " };"); }

TEST(AstEqualTest, IgnoresSpellingSpacingCommentsAndPlace) {
  EXPECT_TRUE(SameConds(When("context.a == 1"), "permit(principal,action,resource)\nwhen{context . a==1 // c\n};"));
  EXPECT_TRUE(SameConds(When("context.a == 1"), When("context[\"a\"] == 1")));
  EXPECT_TRUE(SameConds(When("principal has a.b"), When("principal has a && principal.a has b")));
  EXPECT_TRUE(SameConds(When("(((true)))"), When("true")));
  EXPECT_TRUE(SameConds(When("-1 < context.n"), When("-1 < context.n")));
  EXPECT_TRUE(SameConds(When("context.s like \"a*b\""), When("context.s like \"a*b\"")));
  EXPECT_TRUE(SameConds(When("{a: 1, b: [2, \"x\"]} == context.r"), When("{a: 1, b: [2, \"x\"]} == context.r")));
  EXPECT_TRUE(SameConds(When("ip(\"10.0.0.1\").isInRange(ip(\"10.0.0.0/8\"))"),
                        When("ip(\"10.0.0.1\").isInRange(ip(\"10.0.0.0/8\"))")));
  EXPECT_TRUE(SameConds(When("context.s.matches(\"^a+$\")"), When("context.s.matches(\"^a+$\")")));
  EXPECT_TRUE(SameConds(When("if context.a then 1 else 2"), When("if context.a then 1 else 2")));
  EXPECT_TRUE(SameConds("permit(principal, action, resource);", "forbid(principal, action, resource);"));
}

TEST(AstEqualTest, OperatorsNamesAndLiteralsMatter) {
  EXPECT_FALSE(SameConds(When("context.a == 1"), When("context.a == 2")));
  EXPECT_FALSE(SameConds(When("context.a == 1"), When("context.a != 1")));
  EXPECT_FALSE(SameConds(When("context.a == 1"), When("context.b == 1")));
  EXPECT_FALSE(SameConds(When("context.a == 1"), When("principal.a == 1")));
  EXPECT_FALSE(SameConds(When("context.a == 1"), When("context.a == \"1\"")));
  EXPECT_FALSE(SameConds(When("context.a == 1"), When("1 == context.a")));
  EXPECT_FALSE(SameConds(When("context.a && context.b"), When("context.a || context.b")));
  EXPECT_FALSE(SameConds(When("!context.a"), When("context.a")));
  EXPECT_FALSE(SameConds(When("principal has a"), When("principal has b")));
  EXPECT_FALSE(SameConds(When("context.s like \"a*\""), When("context.s like \"a\\*\"")));
  EXPECT_FALSE(SameConds(When("context.s like \"a*\""), When("context.s like \"a*b\"")));
  EXPECT_FALSE(SameConds(When("principal is User"), When("principal is Group")));
  EXPECT_FALSE(SameConds(When("principal == User::\"a\""), When("principal == User::\"b\"")));
  EXPECT_FALSE(SameConds(When("principal == User::\"a\""), When("principal == Group::\"a\"")));
  EXPECT_FALSE(SameConds(When("{a: 1} == context.r"), When("{b: 1} == context.r")));
  EXPECT_FALSE(SameConds(When("[1, 2] == context.r"), When("[1, 2, 3] == context.r")));
  EXPECT_FALSE(SameConds(When("ip(\"10.0.0.1\").isIpv4()"), When("ip(\"10.0.0.1\").isIpv6()")));
  EXPECT_FALSE(SameConds(When("context.s.matches(\"^a+$\")"), When("context.s.matches(\"^a*$\")")));
  EXPECT_FALSE(SameConds(When("if context.a then 1 else 2"), When("if context.a then 2 else 1")));
  EXPECT_FALSE(SameConds(When("true"), "permit(principal, action, resource) unless { true };"));
  EXPECT_FALSE(SameConds(When("true"), "permit(principal, action, resource) when { true } when { true };"));
  EXPECT_FALSE(SameConds(When("true"), "permit(principal, action, resource);"));
  EXPECT_FALSE(SameConds("permit(principal, action, resource) when { context.a } when { context.b };",
                         "permit(principal, action, resource) when { context.b } when { context.a };"));
}

TEST(AstEqualTest, Scopes) {
  EXPECT_TRUE(SameScopes("permit(principal, action, resource);", "permit(principal, action, resource);"));
  EXPECT_TRUE(SameScopes("permit(principal == User::\"a\", action, resource);",
                         "permit(principal==User::\"a\", action, resource);"));
  EXPECT_TRUE(SameScopes("permit(principal is A::User in A::Group::\"g\", action, resource);",
                         "permit(principal is A::User in A::Group::\"g\", action, resource);"));
  EXPECT_FALSE(SameScopes("permit(principal == User::\"a\", action, resource);",
                          "permit(principal in User::\"a\", action, resource);"));
  EXPECT_FALSE(SameScopes("permit(principal == User::\"a\", action, resource);",
                          "permit(principal == User::\"b\", action, resource);"));
  EXPECT_FALSE(SameScopes("permit(principal is User, action, resource);",
                          "permit(principal is Group, action, resource);"));
  EXPECT_FALSE(SameScopes("permit(principal is User, action, resource);",
                          "permit(principal is User in Group::\"g\", action, resource);"));
  EXPECT_FALSE(SameScopes("permit(principal, action, resource);",
                          "permit(principal is User, action, resource);"));
}

}  // namespace
}  // namespace writ::internal
