// The C ABI over identity chains: a request's "chain" read by
// writ_decide_json (any form principal takes), "denied_by" in its decision,
// and a malformed or over-long chain refused with a located error.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/c_api.h"

namespace {

using ::testing::HasSubstr;

constexpr char kPolicies[] = R"(permit(principal is Tool, action == Action::"read", resource);
permit(principal is Agent, action, resource);
permit(principal == User::"alice", action, resource);
)";

class CApiChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char* error = nullptr;
    engine_ = writ_engine_new(kPolicies, "[]", &error);
    ASSERT_NE(engine_, nullptr) << (error ? error : "");
  }
  void TearDown() override { writ_engine_free(engine_); }

  // The decision JSON, or "status N: error".
  std::string Decide(const std::string& request) {
    char* decision = nullptr;
    char* error = nullptr;
    const int status = writ_decide_json(engine_, request.c_str(), &decision, &error);
    std::string out = status == WRIT_OK ? std::string(decision)
                                        : "status " + std::to_string(status) + ": " + (error ? error : "");
    writ_string_free(decision);
    writ_string_free(error);
    return out;
  }

  writ_engine* engine_ = nullptr;
};

TEST_F(CApiChainTest, DecidesChainedRequests) {
  EXPECT_EQ(Decide(R"({"principal": "Tool::\"t\"", "chain": [{"type": "Agent", "id": "a"}, "User::\"alice\""],
                       "action": "Action::\"read\"", "resource": "Doc::\"d\""})"),
            R"({"decision":"allow","reasons":["policy0"],"errors":[]})");
  EXPECT_EQ(Decide(R"({"principal": "Tool::\"t\"", "chain": ["Agent::\"a\"", {"__entity": {"type": "User", "id": "bob"}}],
                       "action": "Action::\"read\"", "resource": "Doc::\"d\""})"),
            R"({"decision":"deny","reasons":[],"errors":[],"denied_by":"User::\"bob\""})");
  EXPECT_EQ(Decide(R"({"principal": "Tool::\"t\"", "chain": ["Agent::\"a\"", "User::\"alice\""],
                       "action": "Action::\"write\"", "resource": "Doc::\"d\""})"),
            R"({"decision":"deny","reasons":[],"errors":[],"denied_by":"Tool::\"t\""})");
}

TEST_F(CApiChainTest, RefusesAMalformedChain) {
  std::string d = Decide(R"({"principal": "Tool::\"t\"", "chain": ["Agent::\"a\"", 3],
                             "action": "Action::\"read\"", "resource": "Doc::\"d\""})");
  EXPECT_THAT(d, HasSubstr("status 2: request:1:"));
  EXPECT_THAT(d, HasSubstr("expected an entity reference, but got `3`"));
  std::string chain;
  for (int i = 0; i < 17; ++i) chain += std::string(i == 0 ? "" : ",") + R"("Agent::\"a\"")";
  d = Decide(R"({"principal": "Tool::\"t\"", "chain": [)" + chain +
             R"(], "action": "Action::\"read\"", "resource": "Doc::\"d\""})");
  EXPECT_THAT(d, HasSubstr("`chain` has 17 identities; at most 16 are allowed"));
}

}  // namespace
