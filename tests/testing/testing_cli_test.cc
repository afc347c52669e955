// `writ test` end to end: the output of a failing suite and a broken one is
// pinned by golden files (testdata/*.out for standard output, *.err for the
// located suite mistakes), and the exit codes, --filter, --junit,
// --format json and --coverage-min.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Result {
  int exit_code;
  std::string out, err;
};

// Runs `writ ARGS` in the test data folder, so that paths print relative.
Result RunWrit(const std::string& args) {
  const fs::path tmp = fs::temp_directory_path() / ("writ_testing_cli_" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  const std::string cmd = "cd " WRIT_TESTDATA_DIR " && " WRIT_CLI_PATH " " + args + " >" + (tmp / "out").string() +
                          " 2>" + (tmp / "err").string();
  const int status = std::system(cmd.c_str());
  Result r{WEXITSTATUS(status), Slurp(tmp / "out"), Slurp(tmp / "err")};
  fs::remove_all(tmp);
  return r;
}

const fs::path kData = WRIT_TESTDATA_DIR;

TEST(WritTestCliTest, FailuresAndSuiteMistakesReadAsPinned) {
  Result r = RunWrit("test -v --coverage failing broken");
  EXPECT_EQ(r.exit_code, 2);   // a suite with errors
  EXPECT_EQ(r.out, Slurp(kData / "failing_and_broken.verbose.out"));
  EXPECT_EQ(r.err, Slurp(kData / "failing_and_broken.verbose.err"));
}

TEST(WritTestCliTest, AWrongExpectationFailsWithExitOne) {
  Result r = RunWrit("test failing");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("failing/suite.test.yaml:12: the author thought reads in staging were allowed: "
                               "expected allow, got deny (no policy determined it; errors: none)\n"));
  EXPECT_THAT(r.out, HasSubstr("\n2 passed, 3 failed\n"));
  EXPECT_EQ(r.err, "");
}

TEST(WritTestCliTest, FilterJUnitJsonAndCoverageMin) {
  Result r = RunWrit("test failing --filter 'reads in prod'");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "1 passed, 0 failed\n");

  r = RunWrit("test failing --filter 'no such case'");
  EXPECT_EQ(r.exit_code, 1);   // nothing tested is not a pass
  EXPECT_THAT(r.err, HasSubstr("no case matches --filter"));

  const fs::path junit = fs::temp_directory_path() / ("writ_junit_" + std::to_string(::getpid()) + ".xml");
  r = RunWrit("test failing --junit " + junit.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(Slurp(junit), HasSubstr("<testsuite name=\"failing\" file=\"failing/suite.test.yaml\" tests=\"5\" "
                                      "failures=\"3\" errors=\"0\">"));
  fs::remove(junit);

  r = RunWrit("test failing --format json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("\"failed\":3,\"passed\":2"));

  r = RunWrit("test failing --filter 'reads in prod' --coverage-min 50");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("below --coverage-min 50"));
  r = RunWrit("test failing --coverage-min 101");
  EXPECT_EQ(r.exit_code, 2);
}

// The bundled policies (the example and the starter packs) carry suites that
// pass with every policy covered: what `writ test --coverage policies/`
// checks in CI.
TEST(WritTestCliTest, TheBundledPoliciesPassWithFullCoverage) {
  const std::string policies = std::string(WRIT_SOURCE_DIR) + "/policies";
  Result r = RunWrit("test --coverage --coverage-min 100 " + policies);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(" 0 failed\n"));
  EXPECT_THAT(r.out, HasSubstr("(100.0%)"));
}

}  // namespace
