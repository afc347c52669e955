// The C ABI over identity chains: a request's "chain" read by
// writ_decide_json (any form principal takes), "denied_by" in its decision,
// and a malformed or over-long chain refused with a located error; the same
// through writ_decide_chain and writ_decision_denied_by, through a schema.
#include <string>
#include <vector>

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

  // writ_decide_chain's decision as `allow`/`deny`, then ` by UID` when an
  // identity was denied; or "status N: error". It must match
  // writ_decision_to_json's.
  std::string DecideChain(std::vector<const char*> chain, const char* action = "Action::\"read\"",
                          const char* context = nullptr, writ_engine* engine = nullptr) {
    writ_decision* d = nullptr;
    char* error = nullptr;
    const int status = writ_decide_chain(engine ? engine : engine_, "Tool::\"t\"", chain.data(), chain.size(), action,
                                         "Doc::\"d\"", context, nullptr, &d, &error);
    std::string out;
    if (status != WRIT_OK) {
      out = "status " + std::to_string(status) + ": " + (error ? error : "");
    } else {
      out = writ_decision_allowed(d) ? "allow" : "deny";
      if (const char* by = writ_decision_denied_by(d)) out += std::string(" by ") + by;
      char* json = writ_decision_to_json(d);
      EXPECT_EQ(std::string(json).find("\"denied_by\":") != std::string::npos, writ_decision_denied_by(d) != nullptr);
      writ_string_free(json);
    }
    writ_decision_free(d);
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

TEST_F(CApiChainTest, WritDecideChainNamesTheIdentityDenied) {
  EXPECT_EQ(DecideChain({"Agent::\"a\"", "User::\"alice\""}), "allow");
  EXPECT_EQ(DecideChain({"Agent::\"a\"", "User::\"bob\""}), "deny by User::\"bob\"");
  EXPECT_EQ(DecideChain({"Agent::\"a\""}, "Action::\"write\""), "deny by Tool::\"t\"");
  EXPECT_EQ(DecideChain({}), "allow");   // no chain: writ_decide
  // The same as through JSON.
  EXPECT_EQ(Decide(R"({"principal": "Tool::\"t\"", "chain": ["Agent::\"a\"", "User::\"bob\""],
                       "action": "Action::\"read\"", "resource": "Doc::\"d\""})"),
            R"({"decision":"deny","reasons":[],"errors":[],"denied_by":"User::\"bob\""})");
  // writ_decide's decisions name no identity; NULL decisions neither.
  writ_decision* d = nullptr;
  ASSERT_EQ(writ_decide(engine_, "User::\"bob\"", "Action::\"read\"", "Doc::\"d\"", nullptr, nullptr, &d, nullptr),
            WRIT_OK);
  EXPECT_EQ(writ_decision_allowed(d), 0);
  EXPECT_EQ(writ_decision_denied_by(d), nullptr);
  writ_decision_free(d);
  EXPECT_EQ(writ_decision_denied_by(nullptr), nullptr);
}

TEST_F(CApiChainTest, WritDecideChainRefusesWhatIsWrong) {
  EXPECT_THAT(DecideChain({"Agent::\"a\"", "bob"}), HasSubstr("status 2: chain[1]"));
  EXPECT_THAT(DecideChain({"Agent::\"a\"", nullptr}), HasSubstr("status 1: error: writ_decide_chain: `chain[1]` is NULL"));
  std::vector<const char*> longest(WRIT_MAX_CHAIN_LENGTH, "Agent::\"a\"");
  EXPECT_EQ(DecideChain(longest), "allow");
  longest.push_back("Agent::\"a\"");
  EXPECT_THAT(DecideChain(longest), HasSubstr("status 3: chain: error: 17 identities; at most 16 are allowed"));
  EXPECT_THAT(DecideChain({"Agent::\"a\""}, "Action::\"read\"", R"({"chain_position": 1})"),
              HasSubstr("status 2: context: error: the context has `chain_position`"));
  writ_decision* d = nullptr;
  char* error = nullptr;
  EXPECT_EQ(writ_decide_chain(engine_, "Tool::\"t\"", nullptr, 1, "Action::\"read\"", "Doc::\"d\"", nullptr, nullptr,
                              &d, &error),
            WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(std::string(error), HasSubstr("`chain` is NULL"));
  writ_string_free(error);
  // A strict engine takes no chain.
  writ_engine* strict = nullptr;
  ASSERT_EQ(writ_engine_new_ex(kPolicies, "p.cedar", "[]", "e.json", WRIT_STRICT, &strict, nullptr), WRIT_OK);
  EXPECT_THAT(DecideChain({"Agent::\"a\""}, "Action::\"read\"", nullptr, strict), HasSubstr("writ extension"));
  writ_engine_free(strict);
}

TEST(CApiChainSchemaTest, EachIdentityIsReadThroughTheSchema) {
  const char* schema =
      "entity User; entity Agent; entity Tool; entity Doc;\n"
      "action read appliesTo { principal: [User, Agent, Tool], resource: Doc };\n"
      "action call appliesTo { principal: [Tool], resource: Doc };\n";
  std::vector<writ_source> sources = {{WRIT_SOURCE_SCHEMA, "s.cedarschema", schema, WRIT_NUL_TERMINATED},
                                      {WRIT_SOURCE_POLICIES, "p.cedar", kPolicies, WRIT_NUL_TERMINATED}};
  writ_engine* engine = nullptr;
  char* error = nullptr;
  ASSERT_EQ(writ_engine_new_sources(sources.data(), sources.size(), 0, &engine, &error), WRIT_OK) << error;
  const char* chain[] = {"Agent::\"a\"", "User::\"bob\""};
  writ_decision* d = nullptr;
  ASSERT_EQ(writ_decide_chain(engine, "Tool::\"t\"", chain, 2, "Action::\"read\"", "Doc::\"d\"", nullptr, nullptr, &d,
                              nullptr),
            WRIT_OK);
  EXPECT_STREQ(writ_decision_denied_by(d), "User::\"bob\"");   // the chain survived the schema's reading
  writ_decision_free(d);
  // A user may not call: the chain does not conform, and is denied saying so.
  ASSERT_EQ(writ_decide_chain(engine, "Tool::\"t\"", chain + 1, 1, "Action::\"call\"", "Doc::\"d\"", nullptr, nullptr,
                              &d, nullptr),
            WRIT_OK);
  EXPECT_EQ(writ_decision_allowed(d), 0);
  ASSERT_EQ(writ_decision_error_count(d), 1u);
  EXPECT_THAT(std::string(writ_decision_error_message(d, 0)),
              HasSubstr("in `chain`: principal type `User` is not valid for action `Action::\"call\"`"));
  writ_decision_free(d);
  writ_engine_free(engine);
}

}  // namespace
