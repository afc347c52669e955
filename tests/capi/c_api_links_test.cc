// The C ABI with template links (WRIT_SOURCE_TEMPLATE_LINKS): links made by
// writ_engine_new_sources decide and are reported by their link ids; a
// malformed link fails the engine with its location.
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

}  // namespace
