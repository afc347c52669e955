// Tests of `template_links:` in test suites (src/testing/suite.cc): a suite's
// templates linked by the Cedar CLI's links file, reasons naming the links,
// and a malformed link reported as a suite error.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/testing.h"

namespace writ {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class TestingLinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("writ_testing_links_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Write("p.cedar", "permit(principal == ?principal, action, resource in ?resource);\n");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  TestSuite Suite() {
    return ParseTestSuite(R"(policies: [p.cedar]
template_links: links.json
cases:
  - principal: Workload::"ci"
    action: Action::"read"
    resource: Bucket::"logs"
    expect: allow
    reasons: [grant-17]
  - principal: Workload::"other"
    action: Action::"read"
    resource: Bucket::"logs"
    expect: deny
)", (dir_ / "s.test.yaml").string());
  }
  fs::path dir_;
};

TEST_F(TestingLinksTest, ASuiteLinksItsTemplates) {
  Write("links.json", R"([{"template_id": "policy0", "link_id": "grant-17",
    "args": {"?principal": "Workload::\"ci\"", "?resource": "Bucket::\"logs\""}}])");
  TestSuite s = Suite();
  ASSERT_THAT(s.issues, IsEmpty());
  absl::StatusOr<TestReport> r = RunTests({s}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->passed, 2u);
  EXPECT_EQ(r->failed, 0u);
}

TEST_F(TestingLinksTest, EachLinkHasItsOwnCoverage) {
  Write("links.json", R"([{"template_id": "policy0", "link_id": "grant-17",
    "args": {"?principal": "Workload::\"ci\"", "?resource": "Bucket::\"logs\""}},
    {"template_id": "policy0", "link_id": "grant-18",
    "args": {"?principal": "Workload::\"cd\"", "?resource": "Bucket::\"logs\""}}])");
  TestSuite s = Suite();
  ASSERT_THAT(s.issues, IsEmpty());
  TestOptions options;
  options.coverage = true;
  absl::StatusOr<TestReport> r = RunTests({s}, options);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->coverage.has_value());
  std::vector<std::string> seen;
  for (const PolicyCoverage& p : r->coverage->policies) {
    seen.push_back(p.id + (p.covered() ? " covered" : " not covered") + " at " + std::to_string(p.line));
  }
  EXPECT_THAT(seen, ::testing::ElementsAre("grant-17 covered at 1", "grant-18 not covered at 1"));
}

TEST_F(TestingLinksTest, AMalformedLinkIsASuiteError) {
  Write("links.json", R"([{"template_id": "policy7", "link_id": "grant-17", "args": {}}])");
  TestSuite s = Suite();
  ASSERT_FALSE(s.issues.empty());
  std::string all;
  for (const Issue& i : s.issues) all += i.file + ":" + std::to_string(i.line) + " " + i.message + "\n";
  EXPECT_THAT(all, HasSubstr("s.test.yaml:2 the template links in"));
  EXPECT_THAT(all, HasSubstr("links.json:1 cannot link `grant-17`: failed to find a template with id `policy7`"));
}

}  // namespace
}  // namespace writ
