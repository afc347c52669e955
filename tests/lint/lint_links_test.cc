// Tests of lint over templates and links (src/lint/lint.cc): links are not
// linted themselves (their template is), and with links_complete a template
// no link uses is reported (template-unlinked).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/lint.h"
#include "writ/policy_set.h"

namespace writ {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kText[] = R"(@owner("a") permit(principal == ?principal, action, resource in ?resource) when { true };
@owner("a") permit(principal in ?principal, action == Action::"read", resource) when { true };
)";

std::vector<std::string> Findings(const PolicySet& set, bool links_complete) {
  LintOptions options;
  options.now = absl::FromUnixSeconds(0);
  options.links_complete = links_complete;
  absl::StatusOr<std::vector<Issue>> found = Lint(set, options);
  EXPECT_TRUE(found.ok());
  std::vector<std::string> out;
  if (found.ok()) {
    for (const Issue& i : *found) out.push_back(absl::StrCat(i.line, ":", i.column, " ", i.message));
  }
  return out;
}

TEST(LintLinksTest, AnUnlinkedTemplateOnlyWhenTheLinksAreComplete) {
  PolicySet set;
  ASSERT_TRUE(set.Add(kText, "p.cedar", nullptr).ok());
  ASSERT_TRUE(set.Link({"policy1", "g", EntityUid{"T", "a"}, std::nullopt}).ok());
  EXPECT_THAT(Findings(set, false), IsEmpty());
  EXPECT_THAT(Findings(set, true), ElementsAre("1:13 [template-unlinked] policy0 is a template no link uses"));
}

TEST(LintLinksTest, LinksAreNotLintedThemselves) {
  PolicySet set;
  ASSERT_TRUE(set.Add(kText, "p.cedar", nullptr).ok());
  // Two links alike would be duplicates, and each lacks what its template lacks.
  ASSERT_TRUE(set.Link({"policy0", "g1", EntityUid{"W", "a"}, EntityUid{"B", "x"}}).ok());
  ASSERT_TRUE(set.Link({"policy0", "g2", EntityUid{"W", "a"}, EntityUid{"B", "x"}}).ok());
  ASSERT_TRUE(set.Link({"policy1", "g3", EntityUid{"T", "a"}, std::nullopt}).ok());
  EXPECT_THAT(Findings(set, true), IsEmpty());
  Issue issue;
  issue.message = "[template-unlinked] x";
  EXPECT_EQ(LintRule(issue), kLintTemplateUnlinked);
}

}  // namespace
}  // namespace writ
