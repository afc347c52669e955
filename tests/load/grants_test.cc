// Tests of the grants reader (src/load/grants.cc): the links format plus
// writ's grant fields, every mistake located in the JSON, strict mode, and
// the JSON form written back.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/load/link_json.h"
#include "writ/grants.h"
#include "writ/load.h"

namespace writ {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// "line:col message" of each issue.
std::vector<std::string> Located(const std::vector<Issue>& issues) {
  std::vector<std::string> out;
  for (const Issue& i : issues) out.push_back(absl::StrCat(i.line, ":", i.column, " ", i.message));
  return out;
}

std::vector<std::string> Errors(const std::string& json, bool strict = false) {
  std::vector<Issue> issues;
  absl::StatusOr<std::vector<Grant>> grants = ReadGrants(json, "grants.json", ParseOptions{strict}, &issues);
  EXPECT_FALSE(grants.ok());
  EXPECT_FALSE(issues.empty());
  for (const Issue& i : issues) EXPECT_EQ(i.file, "grants.json");
  return Located(issues);
}

absl::Time At(const char* text) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &t, &err)) << err;
  return t;
}

TEST(ReadGrantsTest, ReadsEveryField) {
  std::vector<Issue> issues;
  absl::StatusOr<std::vector<Grant>> grants = ReadGrants(
      R"([{"template_id": "deploy", "link_id": "grant-17", "args": {"?principal": "Workload::\"ci\"", "?resource": "Bucket::\"logs\""},
           "not_before": "2026-12-03T10:00:00Z", "expires": "2026-12-03T11:00:00.25+01:00",
           "owner": "alice", "reason": "CHG-1234 deploy", "task": "CHG-1234"},
          {"template_id": "deploy", "link_id": "grant-18", "args": {}}])",
      "grants.json", {}, &issues);
  ASSERT_TRUE(grants.ok()) << grants.status();
  EXPECT_THAT(issues, IsEmpty());
  ASSERT_EQ(grants->size(), 2u);
  const Grant& g = (*grants)[0];
  EXPECT_EQ(g.link.template_id, "deploy");
  EXPECT_EQ(g.link.link_id, "grant-17");
  EXPECT_EQ(g.link.principal, (EntityUid{"Workload", "ci"}));
  EXPECT_EQ(g.link.resource, (EntityUid{"Bucket", "logs"}));
  EXPECT_EQ(g.not_before, At("2026-12-03T10:00:00Z"));
  EXPECT_EQ(g.expires, At("2026-12-03T10:00:00.25Z"));
  EXPECT_EQ(g.owner, "alice");
  EXPECT_EQ(g.reason, "CHG-1234 deploy");
  EXPECT_EQ(g.task, "CHG-1234");
  const Grant& h = (*grants)[1];
  EXPECT_EQ(h.link.link_id, "grant-18");
  EXPECT_FALSE(h.link.principal.has_value());
  EXPECT_FALSE(h.not_before.has_value());
  EXPECT_FALSE(h.expires.has_value());
  EXPECT_EQ(h.task, "");
}

TEST(ReadGrantsTest, EmptyTextHoldsNoGrantsAndAnEmptyArrayNeither) {
  absl::StatusOr<std::vector<Grant>> none = ReadGrants("", "g.json", {}, nullptr);
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty());
  absl::StatusOr<std::vector<Grant>> empty = ReadGrants(" [ ] ", "g.json", {}, nullptr);
  ASSERT_TRUE(empty.ok());
  EXPECT_THAT(*empty, IsEmpty());
}

TEST(ReadGrantsTest, MistakesAreLocated) {
  EXPECT_THAT(Errors(R"({"template_id": "t"})"), ElementsAre("1:1 grants are a JSON array of grants, not object"));
  EXPECT_THAT(Errors("[1]"), ElementsAre("1:2 a grant is a JSON object, not number"));
  EXPECT_THAT(Errors(R"([{"template_id": "t", "link_id": "g", "args": {}, "colour": "red"}])"),
              ElementsAre("1:51 unknown field `colour` in a grant"));
  EXPECT_THAT(Errors(R"([{"link_id": "g", "args": {}}])"), ElementsAre("1:2 missing field `template_id`"));
  EXPECT_THAT(Errors(R"([{"template_id": "t", "link_id": "g", "args": {"?principal": "nope"}}])"),
              ElementsAre("1:62 `nope` is not an entity uid"));
  EXPECT_THAT(Errors(R"([{"template_id": "t", "link_id": "g", "args": {"?action": "A::\"x\""}}])"),
              ElementsAre("1:48 invalid slot `?action`"));
  EXPECT_THAT(Errors(R"([{"template_id": "t", "link_id": "g", "args": {}, "task": 7}])"),
              ElementsAre("1:59 `task` is a string, not number"));
  EXPECT_THAT(Errors(R"([{"template_id": "t", "link_id": "", "args": {}}])"),
              ElementsAre("1:34 a grant's `link_id` is empty"));
}

TEST(ReadGrantsTest, TimesAreRfc3339WithFourDigitYears) {
  EXPECT_THAT(Errors(R"([{"template_id": "t", "link_id": "g", "args": {},
  "expires": "99999-01-01T00:00:00Z"}])"),
              ElementsAre(HasSubstr("2:14 `99999-01-01T00:00:00Z` is not an RFC 3339 time")));
  EXPECT_THAT(Errors(R"([{"template_id": "t", "link_id": "g", "args": {}, "not_before": "tomorrow"}])"),
              ElementsAre(HasSubstr("1:65 `tomorrow` is not an RFC 3339 time")));
  EXPECT_THAT(Errors(R"([{"template_id": "t", "link_id": "g", "args": {}, "expires": 1700000000}])"),
              ElementsAre("1:62 `expires` is a string, not number"));
  EXPECT_THAT(Errors(R"([{"template_id": "t", "link_id": "g", "args": {},
  "not_before": "2026-12-03T11:00:00Z", "expires": "2026-12-03T11:00:00Z"}])"),
              ElementsAre("2:52 the grant's window is empty: `expires` is not after `not_before`"));
}

TEST(ReadGrantsTest, DuplicateLinkIdIsAnErrorAtTheSecond) {
  EXPECT_THAT(Errors(R"([{"template_id": "t", "link_id": "g1", "args": {}},
 {"template_id": "t", "link_id": "g1", "args": {}}])"),
              ElementsAre("2:34 duplicate link id `g1`: a grant at 1:34 has it"));
}

TEST(ReadGrantsTest, StrictModeReadsOnlyCedarsLinksFormat) {
  const std::string cedar = R"([{"template_id": "t", "link_id": "g", "args": {"?principal": "U::\"a\""}}])";
  absl::StatusOr<std::vector<Grant>> plain = ReadGrants(cedar, "g.json", ParseOptions{true}, nullptr);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->size(), 1u);
  for (const char* field : {"not_before", "expires", "owner", "reason", "task"}) {
    const std::string json =
        absl::StrCat(R"([{"template_id": "t", "link_id": "g", "args": {}, ")", field, R"(": "2026-12-03T11:00:00Z"}])");
    EXPECT_THAT(Errors(json, /*strict=*/true),
                ElementsAre(absl::StrCat("1:51 `", field,
                                         "` is a writ grant field: strict mode reads only Cedar's links format")))
        << field;
    // Extended mode reads the same text.
    EXPECT_TRUE(ReadGrants(json, "g.json", {}, nullptr).ok()) << field;
  }
}

TEST(ReadGrantsTest, FieldsAreBounded) {
  const std::string long_task(kMaxGrantFieldBytes + 1, 'x');
  EXPECT_THAT(Errors(absl::StrCat(R"([{"template_id": "t", "link_id": "g", "args": {}, "task": ")", long_task, "\"}]")),
              ElementsAre(absl::StrCat("1:59 `task` is longer than ", kMaxGrantFieldBytes, " bytes")));
}

TEST(ReadGrantsTest, JsonReadsBackToTheSameGrants) {
  Grant a;
  a.link = {"deploy", "grant \"17\"\n", EntityUid{"Workload", "ci/\"x\""}, EntityUid{"Bucket", "logs"}};
  a.not_before = absl::FromUnixSeconds(1'800'000'000);
  a.expires = absl::FromUnixNanos(1'800'003'600'123'456'789);
  a.owner = "alice";
  a.reason = "déploiement";
  a.task = "CHG-1";
  Grant b;
  b.link = {"other", "g2", std::nullopt, EntityUid{"B", ""}};
  const std::string json = GrantsToJson({a, b});
  std::vector<Issue> issues;
  absl::StatusOr<std::vector<Grant>> back = ReadGrants(json, "g.json", {}, &issues);
  ASSERT_TRUE(back.ok()) << json << "\n" << (issues.empty() ? "" : issues[0].message);
  ASSERT_EQ(back->size(), 2u);
  // The whole file again, byte for byte, and each field.
  EXPECT_EQ(GrantsToJson(*back), json);
  EXPECT_EQ((*back)[0].link.link_id, a.link.link_id);
  EXPECT_EQ((*back)[0].link.principal, a.link.principal);
  EXPECT_EQ((*back)[0].expires, a.expires);
  EXPECT_EQ((*back)[0].not_before, a.not_before);
  EXPECT_EQ((*back)[0].reason, a.reason);
  EXPECT_EQ((*back)[1].link.resource, b.link.resource);
  EXPECT_FALSE((*back)[1].expires.has_value());
  EXPECT_EQ(GrantToJson(b), R"({"template_id":"other","link_id":"g2","args":{"?resource":"B::\"\""}})");
  EXPECT_EQ(GrantsToJson({}), "[]\n");
}

TEST(ReadOneGrantTest, ReadsOneObjectLocated) {
  absl::StatusOr<Grant> g = internal::ReadOneGrant(R"({"template_id": "t", "link_id": "g", "args": {}, "task": "T"})",
                                                   "POST /v1/grants", {}, nullptr);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->task, "T");
  std::vector<Issue> issues;
  EXPECT_FALSE(internal::ReadOneGrant("[]", "POST /v1/grants", {}, &issues).ok());
  EXPECT_THAT(Located(issues), ElementsAre("1:1 a grant is a JSON object, not array"));
  issues.clear();
  EXPECT_FALSE(internal::ReadOneGrant("{\"template_id\": ", "POST /v1/grants", {}, &issues).ok());
  EXPECT_FALSE(issues.empty());
}

// The template links reader shares the link object's reading: its messages
// are unchanged.
TEST(ReadGrantsTest, LinksReaderKeepsItsMessages) {
  PolicySet set;
  ASSERT_TRUE(set.Add("permit(principal == ?principal, action, resource);", "p.cedar", nullptr).ok());
  std::vector<Issue> issues;
  EXPECT_FALSE(AddTemplateLinks(R"([{"template_id": "policy0", "link_id": "g", "args": {}, "task": "x"}])", "l.json",
                                &set, &issues)
                   .ok());
  EXPECT_THAT(Located(issues), ElementsAre("1:57 unknown field `task` in a link"));
}

}  // namespace
}  // namespace writ
