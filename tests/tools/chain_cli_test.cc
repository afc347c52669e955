// `writ authorize` over identity chains, end to end: the ai-agents pack's
// requests (the last three chained) decide as its README says, a single
// chained request names the identity denied, and a malformed chain is
// refused at its place (one request) or denied with the reason (a line).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/cli.h"

namespace writ {
namespace {

using ::testing::HasSubstr;
using testing_support::CliResult;

class ChainCliTest : public testing_support::CliTestBase {
 protected:
  static std::string Pack() {
    const std::string p = std::string(WRIT_SOURCE_DIR) + "/policies/";
    return "--schema " + p + "schema/nhi.cedarschema --fail-closed --policies " + p +
           "ai-agents/policies.cedar --entities " + p + "ai-agents/entities.json";
  }
};

TEST_F(ChainCliTest, ThePacksRequestsDecideAsItsReadmeSays) {
  CliResult r = Run("authorize " + Pack() + " --requests " + WRIT_SOURCE_DIR + "/policies/ai-agents/requests.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"decision\":\"allow\",\"reasons\":[\"policy0\"],\"errors\":[]}\n"
            "{\"decision\":\"deny\",\"reasons\":[],\"errors\":[]}\n"
            "{\"decision\":\"deny\",\"reasons\":[],\"errors\":[]}\n"
            "{\"decision\":\"deny\",\"reasons\":[\"policy2\"],\"errors\":[]}\n"
            "{\"decision\":\"deny\",\"reasons\":[\"policy3\"],\"errors\":[]}\n"
            "{\"decision\":\"allow\",\"reasons\":[\"policy1\"],\"errors\":[]}\n"
            "{\"decision\":\"allow\",\"reasons\":[\"policy6\"],\"errors\":[]}\n"
            "{\"decision\":\"deny\",\"reasons\":[],\"errors\":[],\"denied_by\":\"Tool::\\\"ticket-search\\\"\"}\n"
            "{\"decision\":\"deny\",\"reasons\":[],\"errors\":[],\"denied_by\":\"User::\\\"carol\\\"\"}\n");
}

TEST_F(ChainCliTest, OneRequestAndItsMistakes) {
  Write("r.json", R"({"principal": "Tool::\"ticket-search\"", "chain": ["Agent::\"support-copilot\"", "User::\"carol\""],
  "action": "Action::\"read\"", "resource": "Document::\"ticket-123\"",
  "context": {"on_behalf_of": {"__entity": {"type": "User", "id": "bob"}}}})");
  CliResult r = Run("authorize " + Pack() + " --request " + (dir_ / "r.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"decision\":\"deny\",\"reasons\":[],\"errors\":[],\"denied_by\":\"User::\\\"carol\\\"\"}\n");
  // A chain element that is not an entity: refused, located.
  Write("bad.json", R"({"principal": "Tool::\"ticket-search\"", "chain": ["Agent::\"support-copilot\"", "carol"],
  "action": "Action::\"read\"", "resource": "Document::\"ticket-123\""})");
  r = Run("authorize " + Pack() + " --request " + (dir_ / "bad.json").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.json:1:82: error: `carol` is not an entity reference"));
  // A chain identity the schema does not allow as a principal of the
  // action: well-formed, so denied with the reason.
  Write("nc.json", R"({"principal": "Tool::\"ticket-search\"", "chain": ["Bucket::\"b\""],
  "action": "Action::\"read\"", "resource": "Document::\"ticket-123\""})");
  r = Run("authorize " + Pack() + " --request " + (dir_ / "nc.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"decision\":\"deny\""));
  EXPECT_THAT(r.out, HasSubstr("in `chain`: principal type `Bucket` is not valid for action"));
  // Strict mode: chains are writ's.
  r = Run("authorize --strict --policies " + std::string(WRIT_SOURCE_DIR) + "/policies/ai-agents/policies.cedar" +
          " --request " + (dir_ / "r.json").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("`chain` (the identities the principal acts for) is a writ extension"));
}

}  // namespace
}  // namespace writ
