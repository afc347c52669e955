// Rendered diagnostics are pinned by golden files: for each policy file in
// testdata/diagnostics, `writ check` must print exactly NAME.err (text:
// file:line:col, the source line, a caret under the span, a note) and, with
// --format json, exactly NAME.json. To regenerate the goldens after a
// deliberate change: WRIT_UPDATE_GOLDENS=1 ctest -R Diagnostics, then review
// the diff.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(WRIT_TESTDATA_DIR) / "diagnostics";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `writ ARGS` run in the diagnostics folder (so paths print relative):
// exit code, standard output, standard error.
struct Result {
  int exit_code;
  std::string out, err;
};
Result Check(const std::string& args) {
  const fs::path tmp = fs::temp_directory_path() / ("writ_diagnostics_" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  const std::string cmd = "cd " + kDir.string() + " && " WRIT_CLI_PATH " check " + args + " >" +
                          (tmp / "out").string() + " 2>" + (tmp / "err").string();
  const int status = std::system(cmd.c_str());
  Result r{WEXITSTATUS(status), Slurp(tmp / "out"), Slurp(tmp / "err")};
  fs::remove_all(tmp);
  return r;
}

void ExpectGolden(const std::string& got, const fs::path& golden) {
  if (std::getenv("WRIT_UPDATE_GOLDENS") != nullptr) std::ofstream(golden, std::ios::binary) << got;
  EXPECT_EQ(got, Slurp(golden)) << "golden: " << golden;
}

class DiagnosticsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DiagnosticsTest, RenderedAsPinned) {
  const std::string name = GetParam();
  Result text = Check("--policies " + name + ".cedar");
  EXPECT_EQ(text.exit_code, 1);
  ExpectGolden(text.err, kDir / (name + ".err"));

  Result json = Check("--format json --policies " + name + ".cedar");
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_EQ(json.err, "");
  ASSERT_TRUE(nlohmann::json::accept(json.out)) << json.out;
  ExpectGolden(json.out, kDir / (name + ".json"));
}

INSTANTIATE_TEST_SUITE_P(Files, DiagnosticsTest, ::testing::Values("syntax", "extensions", "lifecycle"));

TEST(DiagnosticsCleanTest, NoIssuesIsAnEmptyArray) {
  Result r = Check("--format json --policies ok.cedar");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "[]\n");
  r = Check("--format yaml --policies ok.cedar");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
