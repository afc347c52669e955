// Rendered diagnostics are pinned by golden files: for each policy file in
// testdata/diagnostics, `writ check` must print exactly NAME.err (text:
// file:line:col, the source line, a caret under the span, a note) and, with
// --format json, exactly NAME.json. To regenerate the goldens after a
// deliberate change: WRIT_UPDATE_GOLDENS=1 ctest -R Diagnostics, then review
// the diff.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/cli.h"

namespace {

namespace fs = std::filesystem;
using ::writ::testing_support::CliResult;
using ::writ::testing_support::CliTestBase;
using ::writ::testing_support::Slurp;

const fs::path kDir = fs::path(WRIT_TESTDATA_DIR) / "diagnostics";

// `writ check ARGS` run in the diagnostics folder (so paths print relative):
// exit code, standard output, standard error.
class CheckTest : public CliTestBase {
 protected:
  CheckTest() : CliTestBase(kDir) {}
  CliResult Check(const std::string& args) { return Run("check " + args); }
};

void ExpectGolden(const std::string& got, const fs::path& golden) {
  if (std::getenv("WRIT_UPDATE_GOLDENS") != nullptr) std::ofstream(golden, std::ios::binary) << got;
  EXPECT_EQ(got, Slurp(golden)) << "golden: " << golden;
}

class DiagnosticsTest : public CheckTest, public ::testing::WithParamInterface<std::string> {};
class DiagnosticsCleanTest : public CheckTest {};

TEST_P(DiagnosticsTest, RenderedAsPinned) {
  const std::string name = GetParam();
  CliResult text = Check("--policies " + name + ".cedar");
  EXPECT_EQ(text.exit_code, 1);
  ExpectGolden(text.err, kDir / (name + ".err"));

  CliResult json = Check("--format json --policies " + name + ".cedar");
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_EQ(json.err, "");
  ASSERT_TRUE(nlohmann::json::accept(json.out)) << json.out;
  ExpectGolden(json.out, kDir / (name + ".json"));
}

INSTANTIATE_TEST_SUITE_P(Files, DiagnosticsTest, ::testing::Values("syntax", "extensions", "lifecycle"));

TEST_F(DiagnosticsCleanTest, NoIssuesIsAnEmptyArray) {
  CliResult r = Check("--format json --policies ok.cedar");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "[]\n");
  r = Check("--format yaml --policies ok.cedar");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
