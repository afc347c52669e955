// Tests of template links in the loader (src/load/links.cc): the Cedar CLI's
// --template-linked file through AddTemplateLinks and Load, every mistake
// located in the JSON.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/load.h"

namespace writ {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kPolicies[] = R"(permit(principal == ?principal, action, resource in ?resource);
forbid(principal, action, resource == B::"secret");
permit(principal is W in ?principal, action, resource);
)";

// "line:col message" of each issue.
std::vector<std::string> Located(const std::vector<Issue>& issues) {
  std::vector<std::string> out;
  for (const Issue& i : issues) out.push_back(absl::StrCat(i.line, ":", i.column, " ", i.message));
  return out;
}

std::vector<Issue> LinkErrors(const std::string& json) {
  PolicySet set;
  EXPECT_TRUE(set.Add(kPolicies, "p.cedar", nullptr).ok());
  std::vector<Issue> issues;
  absl::Status s = AddTemplateLinks(json, "links.json", &set, &issues);
  EXPECT_EQ(s.ok(), issues.empty());
  for (const Issue& i : issues) EXPECT_EQ(i.file, "links.json");
  return issues;
}

TEST(LinksLoadTest, LoadsLinksAfterEveryPolicySource) {
  // The links source comes first, yet names templates of both policy files.
  std::vector<Source> sources = {
      {SourceKind::kTemplateLinks, "links.json",
       R"([{"template_id": "policy0", "link_id": "grant-17", "args": {"?principal": "W::\"ci\"", "?resource": "B::\"logs\""}},
           {"template_id": "policy3", "link_id": "later", "args": {"?resource": "B :: \"x\""}}])"},
      {SourceKind::kPolicies, "p.cedar", kPolicies},
      {SourceKind::kPolicies, "q.cedar", "permit(principal, action, resource == ?resource);"}};
  std::vector<Issue> issues;
  absl::StatusOr<LoadedSet> set = Load(sources, {}, &issues);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_THAT(issues, IsEmpty());
  const std::vector<TemplateLink> links = set->policies.links();
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].principal, (EntityUid{"W", "ci"}));
  EXPECT_EQ(links[1].resource, (EntityUid{"B", "x"}));
  EXPECT_EQ(set->policies.size(), 6u);
}

TEST(LinksLoadTest, EmptyFileHasNoLinksButBlankIsNotJson) {
  EXPECT_THAT(LinkErrors(""), IsEmpty());
  EXPECT_THAT(LinkErrors("[]"), IsEmpty());
  EXPECT_FALSE(LinkErrors("  \n").empty());
}

TEST(LinksLoadTest, EveryLinkErrorIsLocated) {
  const std::string json = R"([
{"template_id": "policy9", "link_id": "a", "args": {}},
{"template_id": "policy1", "link_id": "b", "args": {}},
{"template_id": "policy0", "link_id": "c", "args": {"?principal": "W::\"ci\""}},
{"template_id": "policy2", "link_id": "policy1", "args": {"?principal": "T::\"a\""}},
{"template_id": "policy2", "link_id": "d", "args": {"?principal": "T::\"a\"", "?resource": "B::\"x\""}},
{"template_id": "policy2", "link_id": "e", "args": {"?other": "T::\"a\""}},
{"template_id": "policy2", "link_id": "f", "args": {"?principal": "not a uid"}},
{"template_id": "policy2", "link_id": "g", "args": {"?principal": 7}},
{"template_id": "policy2", "link_id": "h", "args": {"?principal": "T::\"a\""}, "expires": "x"},
{"template_id": "policy2", "link_id": "ok", "args": {"?principal": "T::\"a\""}},
{"template_id": "policy2", "link_id": "ok", "args": {"?principal": "T::\"b\""}},
{"link_id": "i", "args": {}},
{"template_id": 1, "link_id": "j", "args": []},
3
])";
  EXPECT_THAT(
      Located(LinkErrors(json)),
      ElementsAre("2:17 cannot link `a`: failed to find a template with id `policy9`",
                  "3:17 cannot link `b`: expected a template, but a static policy was provided: `policy1` has no slots",
                  "4:52 cannot link `c`: the following slots were not provided as arguments: ?resource",
                  "5:39 cannot link `policy1`: template-linked policy id `policy1` conflicts with an existing policy id",
                  "6:52 cannot link `d`: the following slots were provided as arguments, but did not exist in the "
                  "template: ?resource",
                  "7:53 invalid slot `?other`",
                  "8:67 `not a uid` is not an entity uid",
                  "9:67 the value of `?principal` is an entity uid string, not number",
                  "10:80 unknown field `expires` in a link",
                  "12:39 cannot link `ok`: template-linked policy id `ok` conflicts with an existing policy id",
                  "13:1 missing field `template_id`",
                  "14:17 `template_id` is a string, not number",
                  "14:44 `args` is an object of slots, not array",
                  "15:1 a link is a JSON object, not number"));
}

TEST(LinksLoadTest, NotAnArray) {
  EXPECT_THAT(Located(LinkErrors(R"({"template_id": "policy0"})")),
              ElementsAre("1:1 template links are a JSON array of links, not object"));
  EXPECT_THAT(Located(LinkErrors("[")), testing::SizeIs(1));
}

TEST(LinksLoadTest, NoLinkErrorsWhenThePoliciesDoNotLoad) {
  std::vector<Source> sources = {
      {SourceKind::kPolicies, "p.cedar", "permit(principal, action, resource"},
      {SourceKind::kTemplateLinks, "links.json", R"([{"template_id": "policy0", "link_id": "x", "args": {}}])"}};
  std::vector<Issue> issues;
  EXPECT_FALSE(Load(sources, {}, &issues).ok());
  for (const Issue& i : issues) EXPECT_EQ(i.file, "p.cedar");
}

TEST(LinksLoadTest, ReadFileSetReadsTheLinksFile) {
  FileSet files;
  files.template_links = "/nonexistent/links.json";
  std::vector<Source> sources;
  std::vector<Issue> issues;
  EXPECT_FALSE(ReadFileSet(files, &sources, &issues));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_THAT(issues[0].message, HasSubstr("/nonexistent/links.json"));
  EXPECT_EQ(SourceKindName(SourceKind::kTemplateLinks), "template links");
  EXPECT_EQ(MaxSourceBytes(SourceKind::kTemplateLinks), kMaxJsonBytes);
}

}  // namespace
}  // namespace writ
