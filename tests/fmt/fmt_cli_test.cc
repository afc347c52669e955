// Tests for `writ fmt`, run as a user runs it: in place, --check, --stdout,
// `-`, directories, --format json, and the exit codes.
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/cli.h"

namespace {

using ::testing::HasSubstr;
using ::writ::testing_support::CliResult;
using ::writ::testing_support::CliTestBase;
using ::writ::testing_support::Slurp;

namespace fs = std::filesystem;

constexpr char kUnformatted[] = "// payments\npermit(principal in Namespace::\"payments\",action,resource)"
                                "when{context.environment==\"prod\"};";
constexpr char kFormatted[] =
    "// payments\n"
    "permit (principal in Namespace::\"payments\", action, resource)\n"
    "when { context.environment == \"prod\" };\n";

class FmtCliTest : public CliTestBase {};

TEST_F(FmtCliTest, RewritesFilesInPlaceSilently) {
  const fs::path p = Write("a.cedar", kUnformatted);
  ::chmod(p.c_str(), 0640);
  CliResult r = Run("fmt " + p.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(Slurp(p), kFormatted);
  EXPECT_EQ(fs::status(p).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 3);   // a.cedar, out, err
}

TEST_F(FmtCliTest, CheckListsFilesThatWouldChangeAndChangesNothing) {
  const fs::path a = Write("a.cedar", kUnformatted);
  const fs::path b = Write("b.cedar", kFormatted);
  CliResult r = Run("fmt --check " + a.string() + " " + b.string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, a.string() + "\n");
  EXPECT_EQ(Slurp(a), kUnformatted);

  r = Run("fmt --check " + b.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(FmtCliTest, DirectoriesStandForTheirCedarFiles) {
  Write("d/z.cedar", kUnformatted);
  Write("d/sub/y.cedar", kUnformatted);
  Write("d/x.cedar", kFormatted);
  Write("d/notes.txt", "not policies");
  CliResult r = Run("fmt --check " + (dir_ / "d").string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, (dir_ / "d/sub/y.cedar").string() + "\n" + (dir_ / "d/z.cedar").string() + "\n");
  r = Run("fmt " + (dir_ / "d").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Slurp(dir_ / "d/sub/y.cedar"), kFormatted);
  EXPECT_EQ(Slurp(dir_ / "d/notes.txt"), "not policies");
  EXPECT_EQ(Run("fmt --check " + (dir_ / "d").string()).exit_code, 0);
}

TEST_F(FmtCliTest, StdoutAndStdin) {
  const fs::path p = Write("a.cedar", kUnformatted);
  CliResult r = Run("fmt --stdout " + p.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kFormatted);
  EXPECT_EQ(Slurp(p), kUnformatted);

  r = Run("fmt -", p.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kFormatted);

  r = Run("fmt --check -", p.string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, "-\n");
}

TEST_F(FmtCliTest, InvalidInputIsReportedAndLeftAlone) {
  const std::string bad = "permit(principal, action, resource);\npermit(principal, action, ) when { true };\n";
  const fs::path p = Write("bad.cedar", bad);
  const fs::path good = Write("good.cedar", kUnformatted);
  CliResult r = Run("fmt " + p.string() + " " + good.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(p.string() + ":2:27: error: unexpected `)`, expected `resource`\n"
                               "  permit(principal, action, ) when { true };\n"
                               "                            ^\n"));
  EXPECT_EQ(Slurp(p), bad);
  EXPECT_EQ(Slurp(good), kFormatted);   // the other files are still formatted

  r = Run("fmt --check " + (dir_ / "missing.cedar").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing.cedar"));
}

TEST_F(FmtCliTest, JsonReport) {
  const fs::path a = Write("a.cedar", kUnformatted);
  const fs::path b = Write("b.cedar", "permit(");
  CliResult r = Run("fmt --check --format json " + a.string() + " " + b.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "");
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["files"], 2);
  EXPECT_EQ(j["changed"], nlohmann::json::array({a.string()}));
  ASSERT_EQ(j["issues"].size(), 1u);
  EXPECT_EQ(j["issues"][0]["file"], b.string());
  EXPECT_EQ(j["issues"][0]["line"], 1);
  EXPECT_EQ(j["issues"][0]["column"], 8);
  EXPECT_EQ(j["issues"][0]["severity"], "error");

  EXPECT_EQ(Run("fmt --format yaml " + a.string()).exit_code, 2);
  EXPECT_EQ(Run("fmt --stdout --format json " + a.string()).exit_code, 2);
}

TEST_F(FmtCliTest, UsageAndHelp) {
  EXPECT_EQ(Run("fmt").exit_code, 2);
  CliResult r = Run("help fmt");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--check"));
}

TEST_F(FmtCliTest, BundledPoliciesAreFormatted) {
  CliResult r = Run("fmt --check " + std::string(WRIT_SOURCE_DIR) + "/policies");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
