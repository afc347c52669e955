// The C ABI with template links (WRIT_SOURCE_TEMPLATE_LINKS): links made by
// writ_engine_new_sources decide and are reported by their link ids; a
// malformed link fails the engine with its location. And run-time grants:
// writ_grant, writ_revoke_grant, writ_close_task, writ_grants_json.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/c_api.h"

namespace {

std::string Take(char* s) {
  std::string out = s != nullptr ? s : "";
  writ_string_free(s);
  return out;
}

TEST(CApiLinksTest, LinksFromASource) {
  std::vector<writ_source> sources = {
      {WRIT_SOURCE_TEMPLATE_LINKS, "links.json",
       R"([{"template_id": "policy0", "link_id": "grant-17", "args": {"?principal": "Workload::\"ci\""}}])",
       WRIT_NUL_TERMINATED},
      {WRIT_SOURCE_POLICIES, "p.cedar", "permit(principal == ?principal, action, resource);", WRIT_NUL_TERMINATED}};
  writ_engine* engine = nullptr;
  char* error = nullptr;
  ASSERT_EQ(writ_engine_new_sources(sources.data(), sources.size(), 0, &engine, &error), WRIT_OK) << Take(error);
  std::unique_ptr<writ_engine, decltype(&writ_engine_free)> owned(engine, writ_engine_free);
  EXPECT_EQ(writ_engine_policy_count(engine), 1u);
  char* json = nullptr;
  ASSERT_EQ(writ_decide_json(engine,
                             R"({"principal": "Workload::\"ci\"", "action": "Action::\"read\"", "resource": "B::\"b\"", "context": {}})",
                             &json, &error),
            WRIT_OK)
      << Take(error);
  EXPECT_EQ(Take(json), "{\"decision\":\"allow\",\"reasons\":[\"grant-17\"],\"errors\":[]}");
}

TEST(CApiLinksTest, AMalformedLinkFailsWithItsLocation) {
  std::vector<writ_source> sources = {
      {WRIT_SOURCE_POLICIES, "p.cedar", "permit(principal == ?principal, action, resource);", WRIT_NUL_TERMINATED},
      {WRIT_SOURCE_TEMPLATE_LINKS, nullptr, R"([{"template_id": "policy0", "link_id": "g", "args": {}}])",
       WRIT_NUL_TERMINATED}};
  writ_engine* engine = nullptr;
  char* error = nullptr;
  EXPECT_NE(writ_engine_new_sources(sources.data(), sources.size(), 0, &engine, &error), WRIT_OK);
  EXPECT_EQ(engine, nullptr);
  EXPECT_THAT(Take(error), ::testing::HasSubstr(
                               "links:1:53: error: cannot link `g`: the following slots were not provided as "
                               "arguments: ?principal"));
}

std::string Decide(writ_engine* engine, const char* principal) {
  const std::string request = std::string(R"({"principal": ")") + principal +
                              R"(", "action": "Action::\"read\"", "resource": "B::\"b\"", "context": {}})";
  char* json = nullptr;
  char* error = nullptr;
  if (writ_decide_json(engine, request.c_str(), &json, &error) != WRIT_OK) return "failed: " + Take(error);
  return Take(json);
}

TEST(CApiLinksTest, GrantsAtRunTime) {
  char* error = nullptr;
  writ_engine* engine = writ_engine_new("permit(principal == ?principal, action, resource);", nullptr, &error);
  ASSERT_NE(engine, nullptr) << Take(error);
  std::unique_ptr<writ_engine, decltype(&writ_engine_free)> owned(engine, writ_engine_free);
  const char* ci = R"(Workload::\"ci\")";
  EXPECT_THAT(Decide(engine, ci), ::testing::HasSubstr("\"deny\""));
  ASSERT_EQ(writ_grant(engine,
                       R"({"template_id": "policy0", "link_id": "g1", "args": {"?principal": "Workload::\"ci\""},
                           "task": "CHG-1", "owner": "alice"})",
                       &error),
            WRIT_OK)
      << Take(error);
  EXPECT_EQ(error, nullptr);
  EXPECT_EQ(Decide(engine, ci), "{\"decision\":\"allow\",\"reasons\":[\"g1\"],\"errors\":[]}");
  EXPECT_THAT(Take(writ_grants_json(engine)), ::testing::HasSubstr("\"link_id\":\"g1\""));
  // A taken id, a grant that does not read (located), an unknown template.
  EXPECT_EQ(writ_grant(engine, R"({"template_id": "policy0", "link_id": "g1", "args": {"?principal": "W::\"x\""}})",
                       &error),
            WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), ::testing::HasSubstr("conflicts with an existing policy id"));
  EXPECT_EQ(writ_grant(engine, R"({"template_id": "policy0", "link_id": 7})", &error), WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), ::testing::HasSubstr("grant:1:"));
  EXPECT_EQ(writ_grant(engine, R"({"template_id": "nope", "link_id": "g2", "args": {"?principal": "W::\"x\""}})",
                       &error),
            WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), ::testing::HasSubstr("failed to find a template with id `nope`"));
  size_t removed = 9;
  EXPECT_EQ(writ_close_task(engine, "CHG-1", &removed, &error), WRIT_OK) << Take(error);
  EXPECT_EQ(removed, 1u);
  EXPECT_THAT(Decide(engine, ci), ::testing::HasSubstr("\"deny\""));
  EXPECT_EQ(writ_close_task(engine, "CHG-1", &removed, &error), WRIT_NOT_FOUND);
  EXPECT_EQ(removed, 0u);
  Take(error);
  EXPECT_EQ(writ_revoke_grant(engine, "g1", &error), WRIT_NOT_FOUND);
  EXPECT_STREQ(writ_status_string(WRIT_NOT_FOUND), "not found");
  Take(error);
  EXPECT_EQ(writ_grant(nullptr, "{}", &error), WRIT_INVALID_ARGUMENT);
  Take(error);
  EXPECT_EQ(writ_grants_json(nullptr), nullptr);
}

}  // namespace
