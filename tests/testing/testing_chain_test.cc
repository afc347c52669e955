// Identity chains in policy test suites (writ/testing.h): a case's `chain:`
// and `denied_by:`, their mistakes located, a chained case decided as the
// reference authorizer decides it, mismatches that name the identity denied,
// coverage counted for every identity's decision, and the JSON report.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "writ/limits.h"
#include "writ/testing.h"

namespace writ {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A tool reads and deletes; an agent reads and writes; a user may do
// anything while active; an agent deletes only through a tool (when it is
// not the principal of a chained request).
constexpr char kPolicies[] = R"(permit(principal is Tool, action in [Action::"read", Action::"delete"], resource);
permit(principal is Agent, action in [Action::"read", Action::"write"], resource);
permit(principal is User, action, resource) when { principal.active };
permit(principal is Agent, action == Action::"delete", resource) when { context.chain_position > 0 };
)";

constexpr char kEntities[] = R"([
  {"uid": {"type": "User", "id": "alice"}, "attrs": {"active": true}, "parents": []},
  {"uid": {"type": "User", "id": "dave"}, "attrs": {"active": false}, "parents": []}
])";

class TestingChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("writ_testing_chain_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "p.cedar") << kPolicies;
    std::ofstream(dir_ / "e.json") << kEntities;
  }
  void TearDown() override { fs::remove_all(dir_); }

  TestSuite Suite(const std::string& cases) {
    return ParseTestSuite("policies: [p.cedar]\nentities: e.json\ncases:\n" + cases,
                          (dir_ / "s.test.yaml").string());
  }
  static TestReport Run(const std::vector<TestSuite>& suites, const TestOptions& options = {}) {
    absl::StatusOr<TestReport> r = RunTests(suites, options);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : TestReport{};
  }
  static std::string Messages(const std::vector<Issue>& issues) {
    std::string out;
    for (const Issue& i : issues) out += std::to_string(i.line) + ":" + std::to_string(i.column) + " " + i.message + "\n";
    return out;
  }

  fs::path dir_;
};

TEST_F(TestingChainTest, ChainedCasesPassAndNameTheIdentityDenied) {
  TestSuite s = Suite(R"(  - name: the tool reads for the agent for alice
    principal: Tool::"t"
    chain: [Agent::"a", User::"alice"]
    action: Action::"read"
    resource: Doc::"d"
    expect: allow
    reasons: [policy0]
    denied_by: none
  - name: the tool may not write
    principal: Tool::"t"
    chain: Agent::"a"
    action: Action::"write"
    resource: Doc::"d"
    expect: deny
    denied_by: Tool::"t"
  - name: a user who left
    principal: Agent::"a"
    chain: [User::"dave"]
    action: Action::"write"
    resource: Doc::"d"
    expect: deny
    reasons: []
    denied_by: User::"dave"
  - name: the agent deletes through a tool
    principal: Tool::"t"
    chain: [Agent::"a", User::"alice"]
    action: Action::"delete"
    resource: Doc::"d"
    expect: allow
    reasons: [policy0]
  - name: but not itself
    principal: Agent::"a"
    chain: [User::"alice"]
    action: Action::"delete"
    resource: Doc::"d"
    expect: deny
    denied_by: Agent::"a"
)");
  EXPECT_THAT(s.issues, IsEmpty()) << Messages(s.issues);
  ASSERT_EQ(s.cases.size(), 5u);
  EXPECT_THAT(s.cases[0].request.chain, ElementsAre(EntityUid{"Agent", "a"}, EntityUid{"User", "alice"}));
  EXPECT_THAT(s.cases[1].request.chain, ElementsAre(EntityUid{"Agent", "a"}));
  ASSERT_TRUE(s.cases[0].expect.denied_by.has_value());
  EXPECT_FALSE(s.cases[0].expect.denied_by->has_value());
  TestOptions options;
  options.coverage = true;
  TestReport r = Run({s}, options);
  for (const TestCaseResult& c : r.suites[0].cases) EXPECT_TRUE(c.passed) << TestFailureLine(c);
  EXPECT_EQ(r.passed, 5u);
  // Coverage counts each identity's decision: policy2 (users) determined
  // alice's decisions and was false for dave, and policy3 determined the
  // agent's at position 1, though no case's final reasons name either.
  ASSERT_TRUE(r.coverage.has_value());
  ASSERT_EQ(r.coverage->policies.size(), 4u);
  EXPECT_TRUE(r.coverage->policies[2].determining);
  EXPECT_TRUE(r.coverage->policies[2].condition_false);
  EXPECT_TRUE(r.coverage->policies[3].determining);
  EXPECT_TRUE(r.coverage->policies[3].condition_false);
  // The JSON report has denied_by, expected and decided.
  const nlohmann::json j = nlohmann::json::parse(TestReportToJson(r));
  EXPECT_EQ(j["suites"][0]["cases"][0]["expected"]["denied_by"], "none");
  EXPECT_EQ(j["suites"][0]["cases"][0]["result"]["denied_by"], nullptr);
  EXPECT_EQ(j["suites"][0]["cases"][2]["expected"]["denied_by"], "User::\"dave\"");
  EXPECT_EQ(j["suites"][0]["cases"][2]["result"]["denied_by"], "User::\"dave\"");
  EXPECT_EQ(j["suites"][0]["cases"][3]["expected"]["denied_by"], nullptr);
}

TEST_F(TestingChainTest, MismatchesSayWhoDenied) {
  TestSuite s = Suite(R"(  - name: wrong identity
    principal: Tool::"t"
    chain: [Agent::"a", User::"dave"]
    action: Action::"read"
    resource: Doc::"d"
    expect: deny
    denied_by: Agent::"a"
  - name: expected none
    principal: Tool::"t"
    chain: [User::"dave"]
    action: Action::"read"
    resource: Doc::"d"
    expect: deny
    denied_by: none
  - name: expected allow
    principal: Tool::"t"
    chain: [User::"dave"]
    action: Action::"read"
    resource: Doc::"d"
    expect: allow
)");
  EXPECT_THAT(s.issues, IsEmpty()) << Messages(s.issues);
  TestReport r = Run({s});
  ASSERT_EQ(r.failed, 3u);
  EXPECT_EQ(r.suites[0].cases[0].mismatch,
            "deny as expected, but expected denied by Agent::\"a\", got denied by User::\"dave\" "
            "(denied by User::\"dave\": no policy determined it; errors: none)");
  EXPECT_EQ(r.suites[0].cases[1].mismatch,
            "deny as expected, but expected no chain identity denied, got denied by User::\"dave\" "
            "(denied by User::\"dave\": no policy determined it; errors: none)");
  EXPECT_EQ(r.suites[0].cases[2].mismatch,
            "expected allow, got deny (denied by User::\"dave\": no policy determined it; errors: none)");
}

TEST_F(TestingChainTest, MistakesAreLocated) {
  std::string long_chain = "[";
  for (std::size_t i = 0; i <= kMaxChainLength; ++i) long_chain += (i ? ", " : "") + std::string("Agent::\"a\"");
  long_chain += "]";
  TestSuite s = Suite(R"(  - principal: Tool::"t"
    chain: [Agent::"a", alice]
    action: Action::"read"
    resource: Doc::"d"
    expect: allow
  - principal: Tool::"t"
    chain: )" + long_chain + R"(
    action: Action::"read"
    resource: Doc::"d"
    expect: allow
  - principal: Tool::"t"
    chain: [Agent::"a"]
    action: Action::"read"
    resource: Doc::"d"
    context: {chain_position: 3}
    expect: allow
  - principal: Tool::"t"
    action: Action::"read"
    resource: Doc::"d"
    expect: allow
    denied_by: bob
  - principal: Tool::"t"
    chain: {a: 1}
    action: Action::"read"
    resource: Doc::"d"
    expect: allow
)");
  const std::string m = Messages(s.issues);
  EXPECT_THAT(m, HasSubstr("5:25 `alice` is not an entity reference"));
  EXPECT_THAT(m, HasSubstr("10:12 `chain` has 17 identities; at most 16 are allowed"));
  EXPECT_THAT(m, HasSubstr("15:12 the case has a `chain`, and its context already has `chain_position`"));
  EXPECT_THAT(m, HasSubstr("24:16 `bob` is not an entity reference"));
  EXPECT_THAT(m, HasSubstr("26:12 `chain` must be an entity Type::\"id\" or a list of them"));
  EXPECT_TRUE(s.cases.empty());
}

TEST_F(TestingChainTest, ThroughASchemaEachIdentityMustConform) {
  std::ofstream(dir_ / "s.cedarschema") << R"(
    entity User = { active: Bool }; entity Agent; entity Tool; entity Doc;
    action read, write, delete appliesTo { principal: [Tool, Agent, User], resource: Doc };
    action call appliesTo { principal: [Tool], resource: Doc };
  )";
  TestSuite s = ParseTestSuite(R"(policies: [p.cedar]
entities: e.json
schema: s.cedarschema
cases:
  - name: conforms
    principal: Tool::"t"
    chain: [Agent::"a", User::"alice"]
    action: Action::"read"
    resource: Doc::"d"
    expect: allow
  - name: a user cannot call
    principal: Tool::"t"
    chain: [User::"alice"]
    action: Action::"call"
    resource: Doc::"d"
    expect: deny
)",
                               (dir_ / "s.test.yaml").string());
  EXPECT_THAT(Messages(s.issues),
              HasSubstr("a user cannot call: the request does not conform to the schema: in `chain`: principal type "
                        "`User` is not valid for action `Action::\"call\"`"));
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_THAT(s.cases[0].request.chain, ElementsAre(EntityUid{"Agent", "a"}, EntityUid{"User", "alice"}));
  TestReport r = Run({s});
  EXPECT_EQ(r.passed, 1u);
}

}  // namespace
}  // namespace writ
