// The policy test suites of writ/testing.h: reading (every mistake located,
// one suite's mistakes never hiding another's results), running, coverage
// and the three reports.
#include "writ/testing.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace writ {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kPolicies[] = R"(@breakglass("INC-1") @expires("2026-12-01T00:00:00Z")
permit(principal == Workload::"ops", action, resource);
permit(principal, action == Action::"read", resource) when { context.env == "prod" };
forbid(principal, action, resource) when { context.risk > 5 };
)";

class TestingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("writ_testing_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Write("p.cedar", kPolicies);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  // A suite over p.cedar with `cases`.
  TestSuite Suite(const std::string& cases, const std::string& header = "") {
    return ParseTestSuite("policies: [p.cedar]\nnow: \"2026-11-22T12:00:00Z\"\n" + header + "cases:\n" + cases,
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

constexpr char kReadsInProd[] = R"(  - name: reads in prod
    principal: Workload::"api"
    action: Action::"read"
    resource: Bucket::"b"
    context: {env: prod, risk: 1}
    expect: allow
    reasons: [policy1]
)";

TEST_F(TestingTest, APassingSuite) {
  TestSuite s = Suite(kReadsInProd);
  EXPECT_THAT(s.issues, IsEmpty()) << Messages(s.issues);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].line, 4u);
  TestReport r = Run({s});
  EXPECT_EQ(r.passed, 1u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(RenderTestResults(r, false), "1 passed, 0 failed\n");
}

TEST_F(TestingTest, AWrongExpectationSaysWhatWasDecidedAndWhy) {
  TestSuite s = Suite(R"(  - name: staging reads
    principal: Workload::"api"
    action: Action::"read"
    resource: Bucket::"b"
    context: {env: staging, risk: 1}
    expect: allow
)");
  TestReport r = Run({s});
  ASSERT_EQ(r.failed, 1u);
  const TestCaseResult& c = r.suites[0].cases[0];
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(TestFailureLine(c), (dir_ / "s.test.yaml").string() +
                                    ":4: staging reads: expected allow, got deny (no policy determined it; errors: none)");
  EXPECT_THAT(RenderTestResults(r, false), HasSubstr("0 passed, 1 failed\n"));
}

TEST_F(TestingTest, ReasonsErrorsBreakglassAndRevokedAreCheckedExactly) {
  TestSuite s = Suite(R"(  - name: ops
    principal: Workload::"ops"
    action: Action::"write"
    resource: Bucket::"b"
    context: {env: prod, risk: 1}
    expect: allow
    reasons: [policy0]
    breakglass: [policy0]
    errors: []
    revoked: false
  - name: ops, wrong break-glass
    principal: Workload::"ops"
    action: Action::"write"
    resource: Bucket::"b"
    context: {env: prod, risk: 1}
    expect: allow
    breakglass: []
  - name: an error expected
    principal: Workload::"api"
    action: Action::"read"
    resource: Bucket::"b"
    context: {env: prod}
    expect: allow
    errors: [policy2]
  - name: revoked
    principal: Credential::"key-42"
    action: Action::"read"
    resource: Bucket::"b"
    context: {env: prod, risk: 1}
    expect: deny
    revoked: true
  - name: not revoked after its window
    principal: Workload::"ops"
    action: Action::"write"
    resource: Bucket::"b"
    context: {env: prod, risk: 1}
    now: "2026-12-01T00:00:00Z"
    expect: deny
)",
                       "revoked: [Credential::\"key-42\"]\n");
  ASSERT_THAT(s.issues, IsEmpty()) << Messages(s.issues);
  TestReport r = Run({s});
  EXPECT_EQ(r.passed, 4u);
  ASSERT_EQ(r.failed, 1u);
  EXPECT_EQ(r.suites[0].cases[1].mismatch,
            "allow as expected, but expected breakglass [], got [policy0] (determined by policy0; break-glass: "
            "policy0; errors: none)");
}

TEST_F(TestingTest, AListExpandsIntoOneCasePerValue) {
  TestSuite s = Suite(R"(  - name: both
    principal: [Workload::"api", Workload::"web"]
    action: [Action::"read", Action::"list"]
    resource: Bucket::"b"
    context: {env: prod, risk: 1}
    expect: deny
)");
  ASSERT_EQ(s.cases.size(), 4u);
  EXPECT_EQ(s.cases[0].name, "both [principal=Workload::\"api\", action=Action::\"read\"]");
  TestReport r = Run({s});
  EXPECT_EQ(r.passed, 2u);   // the list actions are denied; the reads allowed
  EXPECT_EQ(r.failed, 2u);
}

TEST_F(TestingTest, MistakesAreLocatedAndDoNotHideOtherSuites) {
  TestSuite bad = ParseTestSuite(R"(policies: [p.cedar, missing.cedar]
colour: red
cases:
  - principal: Workload::api
    action: Action::"read"
    resource: Bucket::"b"
    expcet: allow
)",
                                 (dir_ / "bad.test.yaml").string());
  EXPECT_EQ(Messages(bad.issues),
            "2:1 unknown field `colour` in a suite\n"
            "1:21 policy file `" + (dir_ / "missing.cedar").string() + "` does not exist\n"
            "7:5 unknown field `expcet` in case 1\n"
            "4:16 `Workload::api` is not an entity reference\n"
            "4:5 case 1 has no `expect`\n");
  for (const Issue& i : bad.issues) EXPECT_EQ(i.file, (dir_ / "bad.test.yaml").string());
  TestSuite good = Suite(kReadsInProd);
  TestReport r = Run({bad, good});
  EXPECT_EQ(r.suites_with_errors, 1u);
  EXPECT_EQ(r.passed, 1u);
  EXPECT_FALSE(r.suites[0].loaded);
  EXPECT_TRUE(r.suites[1].loaded);
}

// yaml-cpp 0.7's LoadAll never returns on a `,` at the top level (it reports
// an empty document forever, collecting them until memory runs out: found by
// testsuite_fuzz). Such a suite, an empty one and a second document are
// each one located error, at once.
TEST_F(TestingTest, StrayCommasEmptySuitesAndSecondDocumentsAreErrors) {
  const std::string path = (dir_ / "s.test.yaml").string();
  EXPECT_EQ(Messages(ParseTestSuite(",", path).issues), "1:1 a suite file holds one YAML document; this is a second one\n");
  EXPECT_EQ(Messages(ParseTestSuite("# a comment\n,t# more\nname: x\n", path).issues),
            "2:1 a suite file holds one YAML document; this is a second one\n");
  EXPECT_EQ(Messages(ParseTestSuite("", path).issues), "0:0 the suite is empty; it needs at least `policies` and `cases`\n");
  EXPECT_EQ(Messages(ParseTestSuite("policies: [p.cedar]\n---\ncases: []\n", path).issues),
            "2:1 a suite file holds one YAML document; this is a second one\n");
}

TEST_F(TestingTest, OneBadCaseDropsOnlyThatCase) {
  TestSuite s = Suite(std::string(kReadsInProd) + R"(  - name: float
    principal: Workload::"api"
    action: Action::"read"
    resource: Bucket::"b"
    context: {risk: 1.5, who: ~, big: 99999999999999999999, quoted: "true", flag: true}
    expect: allow
)");
  EXPECT_EQ(Messages(s.issues), "15:21 `1.5` is a floating-point number, which Cedar does not have\n"
                                "15:31 Cedar has no null value\n"
                                "15:39 `99999999999999999999` is outside Cedar's 64-bit integers\n");
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(Run({s}).passed, 1u);
}

TEST_F(TestingTest, ContextValuesMapToCedar) {
  TestSuite s = Suite(R"(  - name: typed
    principal: Workload::"api"
    action: Action::"read"
    resource: Bucket::"b"
    context: {env: prod, risk: 0x5, quoted: "true", flag: True, tags: [a, b], rec: {x: 1},
              who: {__entity: {type: Workload, id: ops}}, ip: {__extn: {fn: ip, arg: "10.0.0.1"}}}
    expect: allow
)");
  ASSERT_THAT(s.issues, IsEmpty()) << Messages(s.issues);
  ASSERT_EQ(s.cases.size(), 1u);
  EXPECT_EQ(s.cases[0].request.context.ToString(),
            R"({"env": "prod", "flag": true, "ip": ip("10.0.0.1/32"), "quoted": "true", "rec": {"x": 1}, "risk": 5, )"
            R"("tags": ["a", "b"], "who": Workload::"ops"})");
}

TEST_F(TestingTest, CoverageSaysWhatNoCaseExercised) {
  TestOptions options;
  options.coverage = true;
  TestReport r = Run({Suite(kReadsInProd)}, options);
  ASSERT_TRUE(r.coverage.has_value());
  ASSERT_EQ(r.coverage->policies.size(), 3u);
  const PolicyCoverage& reads = r.coverage->policies[1];
  EXPECT_TRUE(reads.determining);
  EXPECT_TRUE(reads.condition_true);
  EXPECT_FALSE(reads.condition_false);
  EXPECT_FALSE(reads.covered());   // the condition was never seen false
  EXPECT_FALSE(r.coverage->policies[0].covered());
  EXPECT_EQ(r.coverage->covered, 0u);
  EXPECT_EQ(r.coverage->percent, 0);
  EXPECT_THAT(RenderTestResults(r, false), HasSubstr("coverage: 0 of 3 policies covered (0.0%)"));

  // A staging read makes the condition false; an ops write makes policy0
  // determining; a risky read makes the forbid determining.
  TestReport more = Run({Suite(std::string(kReadsInProd) + R"(  - principal: Workload::"api"
    action: Action::"read"
    resource: Bucket::"b"
    context: {env: staging, risk: 1}
    expect: deny
  - principal: Workload::"ops"
    action: Action::"write"
    resource: Bucket::"b"
    context: {env: prod, risk: 9}
    expect: deny
    reasons: [policy2]
  - principal: Workload::"ops"
    action: Action::"write"
    resource: Bucket::"b"
    context: {env: prod, risk: 1}
    expect: allow
)")},
                        options);
  EXPECT_EQ(more.failed, 0u);
  EXPECT_EQ(more.coverage->covered, 3u);
  EXPECT_EQ(more.coverage->percent, 100);
}

TEST_F(TestingTest, FilterRunsTheMatchingCases) {
  TestOptions options;
  options.filter = "prod$";
  TestSuite s = Suite(std::string(kReadsInProd) + R"(  - name: other
    principal: Workload::"api"
    action: Action::"read"
    resource: Bucket::"b"
    context: {env: staging, risk: 1}
    expect: allow
)");
  TestReport r = Run({s}, options);
  EXPECT_EQ(r.passed, 1u);
  EXPECT_EQ(r.failed, 0u);
  options.filter = "(";
  absl::StatusOr<TestReport> bad = RunTests({s}, options);
  EXPECT_FALSE(bad.ok());
}

TEST_F(TestingTest, JsonAndJUnitReports) {
  TestSuite s = Suite(std::string(kReadsInProd) + R"(  - name: a <failing> & "quoted" case
    principal: Workload::"api"
    action: Action::"read"
    resource: Bucket::"b"
    context: {env: staging, risk: 1}
    expect: allow
)");
  TestReport r = Run({s});
  nlohmann::json j = nlohmann::json::parse(TestReportToJson(r));
  EXPECT_EQ(j["passed"], 1);
  EXPECT_EQ(j["failed"], 1);
  EXPECT_EQ(j["suites"][0]["cases"][1]["passed"], false);
  EXPECT_EQ(j["suites"][0]["cases"][1]["result"]["decision"], "deny");
  const std::string xml = TestReportToJUnit(r);
  EXPECT_THAT(xml, HasSubstr("<testsuites name=\"writ test\" tests=\"2\" failures=\"1\" errors=\"0\">"));
  EXPECT_THAT(xml, HasSubstr("name=\"a &lt;failing&gt; &amp; &quot;quoted&quot; case\""));
  EXPECT_THAT(xml, HasSubstr("<failure message=\"expected allow, got deny"));
}

TEST_F(TestingTest, FindsSuitesRecursivelyAndSorted) {
  Write("b/x.test.yaml", "cases: []\n");
  Write("a/deep/y.test.yaml", "cases: []\n");
  Write("a/not-a-suite.yaml", "cases: []\n");
  Write(".hidden/z.test.yaml", "cases: []\n");
  std::vector<Issue> issues;
  std::vector<std::string> found = FindTestSuites({dir_.string(), (dir_ / "nope").string()}, &issues);
  EXPECT_THAT(found, ElementsAre((dir_ / "a/deep/y.test.yaml").string(), (dir_ / "b/x.test.yaml").string()));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_THAT(issues[0].message, HasSubstr("no such file or folder"));
}

}  // namespace
}  // namespace writ

namespace writ {
namespace {

// `schema:` — the suite's entities and every case's request are read through
// it: context values typed by the action's context, a request that does not
// conform an error at its case, a schema that does not load a suite error.
TEST(TestingSchemaTest, EntitiesAndRequestsAreReadThroughTheSchema) {
  const fs::path dir = fs::temp_directory_path() / ("writ_testing_schema_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) { std::ofstream(dir / name) << text; };
  write("s.cedarschema", "entity Workload { env: String }; entity Bucket;\n"
                         "action read appliesTo { principal: Workload, resource: Bucket, context: { ip: ipaddr } };\n");
  write("p.cedar", "permit(principal, action, resource) when { principal.env == \"prod\" && context.ip.isLoopback() };");
  write("e.json", R"([{"uid": {"type": "Workload", "id": "api"}, "attrs": {"env": "prod"}, "parents": []}])");
  const std::string head = "schema: s.cedarschema\npolicies: [p.cedar]\nentities: e.json\ncases:\n";
  TestSuite s = ParseTestSuite(head + R"(  - principal: Workload::"api"
    action: Action::"read"
    resource: Bucket::"b"
    context: {ip: "127.0.0.1"}
    expect: allow
  - name: wrong principal type
    principal: Bucket::"api"
    action: Action::"read"
    resource: Bucket::"b"
    context: {ip: "127.0.0.1"}
    expect: deny
)",
                               (dir / "s.test.yaml").string());
  ASSERT_TRUE(s.loaded) << RenderIssues(s.issues);
  ASSERT_TRUE(s.schema.has_value());
  ASSERT_EQ(s.issues.size(), 1u) << RenderIssues(s.issues);
  EXPECT_EQ(s.issues[0].line, 10u);   // the case
  EXPECT_THAT(s.issues[0].message, HasSubstr("wrong principal type: the request does not conform to the schema"));
  ASSERT_EQ(s.cases.size(), 1u);   // only the bad case is dropped
  absl::StatusOr<TestReport> r = RunTests({s}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->passed, 1u) << RenderTestResults(*r, true);

  write("bad.json", R"([{"uid": {"type": "Workload", "id": "api"}, "attrs": {"env": 1}, "parents": []}])");
  TestSuite bad = ParseTestSuite("schema: s.cedarschema\npolicies: [p.cedar]\nentities: bad.json\ncases: []\n",
                                 (dir / "b.test.yaml").string());
  EXPECT_FALSE(bad.loaded);
  EXPECT_THAT(RenderIssues(bad.issues), HasSubstr("the entities in `" + (dir / "bad.json").string() + "` do not load"));
  write("broken.cedarschema", "entity Workload {\n");
  bad = ParseTestSuite("schema: broken.cedarschema\npolicies: [p.cedar]\ncases: []\n", (dir / "c.test.yaml").string());
  EXPECT_FALSE(bad.loaded);
  EXPECT_THAT(RenderIssues(bad.issues), HasSubstr("broken.cedarschema:2:"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace writ
