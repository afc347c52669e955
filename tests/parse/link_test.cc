// Tests of PolicySet::Link (src/parse/policy_set.cc): Cedar's rules for
// linking a template — which ids it accepts, each refusal with Cedar's
// message and the part of the link at fault, and how links sit among ids.
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/policy_set.h"

namespace writ {
namespace {

using ::testing::HasSubstr;

constexpr char kText[] = R"(
permit(principal == ?principal, action, resource in ?resource);
forbid(principal, action, resource);
permit(principal is W in ?principal, action, resource);
permit(principal, action, resource == ?resource);
)";

PolicySet Parsed() {
  PolicySet set;
  std::vector<Issue> issues;
  EXPECT_TRUE(set.Add(kText, "p.cedar", &issues).ok());
  return set;
}

TemplateLink Make(std::string tmpl, std::string id, std::optional<EntityUid> p, std::optional<EntityUid> r) {
  return TemplateLink{std::move(tmpl), std::move(id), std::move(p), std::move(r)};
}

const EntityUid kAlice{"W", "alice"};
const EntityUid kLogs{"B", "logs"};

TEST(LinkTest, LinksEveryFormAndReportsThemInPolicies) {
  PolicySet set = Parsed();
  ASSERT_TRUE(set.Link(Make("policy0", "grant-1", kAlice, kLogs)).ok());
  ASSERT_TRUE(set.Link(Make("policy2", "grant-2", EntityUid{"Team", "a"}, std::nullopt)).ok());
  ASSERT_TRUE(set.Link(Make("policy3", "grant-3", std::nullopt, kLogs)).ok());
  const std::vector<PolicyInfo> infos = set.policies();
  ASSERT_EQ(infos.size(), 7u);
  EXPECT_EQ(infos[4].id, "grant-1");
  EXPECT_EQ(infos[4].template_id, "policy0");
  EXPECT_FALSE(infos[4].is_template);
  EXPECT_EQ(infos[4].line, infos[0].line);   // located at its template
  EXPECT_TRUE(infos[0].is_template);
  EXPECT_EQ(infos[0].template_id, "");
  ASSERT_EQ(set.links().size(), 3u);
  EXPECT_EQ(set.links()[1].link_id, "grant-2");
  EXPECT_EQ(set.links()[1].principal, (EntityUid{"Team", "a"}));
}

TEST(LinkTest, NoSuchTemplate) {
  PolicySet set = Parsed();
  LinkPart part = LinkPart::kArgs;
  absl::Status s = set.Link(Make("policy9", "x", kAlice, kLogs), &part);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "failed to find a template with id `policy9`");
  EXPECT_EQ(part, LinkPart::kTemplateId);
  EXPECT_EQ(set.size(), 4u);
}

TEST(LinkTest, StaticPolicyAndLinkAreNotTemplates) {
  PolicySet set = Parsed();
  LinkPart part = LinkPart::kArgs;
  absl::Status s = set.Link(Make("policy1", "x", std::nullopt, std::nullopt), &part);
  EXPECT_THAT(s.message(), HasSubstr("expected a template, but a static policy was provided"));
  EXPECT_EQ(part, LinkPart::kTemplateId);
  ASSERT_TRUE(set.Link(Make("policy3", "l", std::nullopt, kLogs)).ok());
  s = set.Link(Make("l", "y", std::nullopt, kLogs), &part);
  EXPECT_THAT(s.message(), HasSubstr("expected a template, but a static policy was provided"));
}

TEST(LinkTest, MissingAndExtraSlotsInCedarsWords) {
  PolicySet set = Parsed();
  LinkPart part = LinkPart::kTemplateId;
  absl::Status s = set.Link(Make("policy0", "x", kAlice, std::nullopt), &part);
  EXPECT_EQ(s.message(), "the following slots were not provided as arguments: ?resource");
  EXPECT_EQ(part, LinkPart::kArgs);
  s = set.Link(Make("policy0", "x", std::nullopt, std::nullopt));
  EXPECT_EQ(s.message(), "the following slots were not provided as arguments: ?principal,?resource");
  s = set.Link(Make("policy2", "x", kAlice, kLogs));
  EXPECT_EQ(s.message(),
            "the following slots were provided as arguments, but did not exist in the template: ?resource");
  s = set.Link(Make("policy3", "x", kAlice, std::nullopt));
  EXPECT_EQ(s.message(),
            "the following slots were not provided as arguments: ?resource. The following slots were provided "
            "as arguments, but did not exist in the template: ?principal");
  EXPECT_EQ(set.size(), 4u);
}

TEST(LinkTest, IdsCollideWithPoliciesTemplatesAndLinks) {
  PolicySet set = Parsed();
  for (const char* taken : {"policy1", "policy0"}) {
    LinkPart part = LinkPart::kArgs;
    absl::Status s = set.Link(Make("policy3", taken, std::nullopt, kLogs), &part);
    EXPECT_EQ(s.message(), absl::StrCat("template-linked policy id `", taken, "` conflicts with an existing policy id"));
    EXPECT_EQ(part, LinkPart::kLinkId);
  }
  ASSERT_TRUE(set.Link(Make("policy3", "g", std::nullopt, kLogs)).ok());
  // The same id again, even with the same template and values.
  EXPECT_FALSE(set.Link(Make("policy3", "g", std::nullopt, kLogs)).ok());
  EXPECT_EQ(set.size(), 5u);
}

TEST(LinkTest, PoliciesAddedLaterCountOnAndMayNotTakeALinksId) {
  PolicySet set = Parsed();
  ASSERT_TRUE(set.Link(Make("policy3", "policy5", std::nullopt, kLogs)).ok());
  std::vector<Issue> issues;
  ASSERT_TRUE(set.Add("permit(principal, action, resource);", "b.cedar", &issues).ok());
  EXPECT_EQ(set.policies().back().id, "policy4");
  absl::Status s = set.Add("permit(principal, action, resource);", "c.cedar", &issues);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(issues.back().message, HasSubstr("`policy5`"));
  EXPECT_EQ(issues.back().file, "c.cedar");
}

TEST(LinkTest, ATemplateIsAlsoNamedByItsIdAnnotation) {
  // The Cedar CLI renames a template by its @id: a links file written for it
  // names the template so.
  PolicySet set;
  ASSERT_TRUE(set.Add("@id(\"read-grant\") permit(principal == ?principal, action, resource);\n"
                      "@id(\"static\") permit(principal, action, resource);",
                      "p.cedar", nullptr)
                  .ok());
  ASSERT_TRUE(set.Link(Make("read-grant", "g1", kAlice, std::nullopt)).ok());
  ASSERT_TRUE(set.Link(Make("policy0", "g2", kAlice, std::nullopt)).ok());
  EXPECT_EQ(set.policies()[2].template_id, "policy0");
  EXPECT_EQ(set.Link(Make("static", "g3", std::nullopt, std::nullopt)).message(),
            "failed to find a template with id `static`");
}

TEST(LinkTest, CopiesAreIndependent) {
  PolicySet set = Parsed();
  PolicySet copy = set;
  ASSERT_TRUE(set.Link(Make("policy3", "g", std::nullopt, kLogs)).ok());
  EXPECT_EQ(set.size(), 5u);
  EXPECT_EQ(copy.size(), 4u);
  EXPECT_TRUE(copy.links().empty());
  ASSERT_TRUE(copy.Link(Make("policy3", "g", std::nullopt, kAlice)).ok());
  EXPECT_EQ(set.links()[0].resource, kLogs);
}

}  // namespace
}  // namespace writ
