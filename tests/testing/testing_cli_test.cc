// `writ test` end to end: the output of a failing suite and a broken one is
// pinned by golden files (testdata/*.out for standard output, *.err for the
// located suite mistakes), and the exit codes, --filter, --junit,
// --format json and --coverage-min.
#include <unistd.h>

#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/cli.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::writ::testing_support::CliResult;
using ::writ::testing_support::CliTestBase;
using ::writ::testing_support::Slurp;

// `writ ARGS` runs in the test data folder, so that paths print relative.
class WritTestCliTest : public CliTestBase {
 protected:
  WritTestCliTest() : CliTestBase(WRIT_TESTDATA_DIR) {}
};

const fs::path kData = WRIT_TESTDATA_DIR;

TEST_F(WritTestCliTest, FailuresAndSuiteMistakesReadAsPinned) {
  CliResult r = Run("test -v --coverage failing broken");
  EXPECT_EQ(r.exit_code, 2);   // a suite with errors
  EXPECT_EQ(r.out, Slurp(kData / "failing_and_broken.verbose.out"));
  EXPECT_EQ(r.err, Slurp(kData / "failing_and_broken.verbose.err"));
}

TEST_F(WritTestCliTest, AWrongExpectationFailsWithExitOne) {
  CliResult r = Run("test failing");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("failing/suite.test.yaml:12: the author thought reads in staging were allowed: "
                               "expected allow, got deny (no policy determined it; errors: none)\n"));
  EXPECT_THAT(r.out, HasSubstr("\n2 passed, 3 failed\n"));
  EXPECT_EQ(r.err, "");
}

TEST_F(WritTestCliTest, FilterJUnitJsonAndCoverageMin) {
  CliResult r = Run("test failing --filter 'reads in prod'");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "1 passed, 0 failed\n");

  r = Run("test failing --filter 'no such case'");
  EXPECT_EQ(r.exit_code, 1);   // nothing tested is not a pass
  EXPECT_THAT(r.err, HasSubstr("no case matches --filter"));

  const fs::path junit = fs::temp_directory_path() / ("writ_junit_" + std::to_string(::getpid()) + ".xml");
  r = Run("test failing --junit " + junit.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(Slurp(junit), HasSubstr("<testsuite name=\"failing\" file=\"failing/suite.test.yaml\" tests=\"5\" "
                                      "failures=\"3\" errors=\"0\">"));
  fs::remove(junit);

  r = Run("test failing --format json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("\"failed\":3,\"passed\":2"));

  r = Run("test failing --filter 'reads in prod' --coverage-min 50");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("below --coverage-min 50"));
  r = Run("test failing --coverage-min 101");
  EXPECT_EQ(r.exit_code, 2);
}

// The bundled policies (the example and the starter packs) carry suites that
// pass with every policy covered: what `writ test --coverage policies/`
// checks in CI.
TEST_F(WritTestCliTest, TheBundledPoliciesPassWithFullCoverage) {
  const std::string policies = std::string(WRIT_SOURCE_DIR) + "/policies";
  CliResult r = Run("test --coverage --coverage-min 100 " + policies);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(" 0 failed\n"));
  EXPECT_THAT(r.out, HasSubstr("(100.0%)"));
}

}  // namespace
