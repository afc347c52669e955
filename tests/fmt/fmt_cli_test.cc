// Tests for `writ fmt`, run as a user runs it: in place, --check, --stdout,
// `-`, directories, --format json, and the exit codes.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace {

using ::testing::HasSubstr;

namespace fs = std::filesystem;

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr char kUnformatted[] = "// payments\npermit(principal in Namespace::\"payments\",action,resource)"
                                "when{context.environment==\"prod\"};";
constexpr char kFormatted[] =
    "// payments\n"
    "permit (principal in Namespace::\"payments\", action, resource)\n"
    "when { context.environment == \"prod\" };\n";

class FmtCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("writ_fmt_cli_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  Result Run(const std::string& args, const std::string& stdin_path = "/dev/null") {
    const std::string cmd = std::string(WRIT_CLI_PATH) + " " + args + " <" + stdin_path + " >" +
                            (dir_ / "out").string() + " 2>" + (dir_ / "err").string();
    const int status = std::system(cmd.c_str());
    return {WEXITSTATUS(status), Slurp(dir_ / "out"), Slurp(dir_ / "err")};
  }

  fs::path dir_;
};

TEST_F(FmtCliTest, RewritesFilesInPlaceSilently) {
  const fs::path p = Write("a.cedar", kUnformatted);
  ::chmod(p.c_str(), 0640);
  Result r = Run("fmt " + p.string());
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
  Result r = Run("fmt --check " + a.string() + " " + b.string());
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
  Result r = Run("fmt --check " + (dir_ / "d").string());
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
  Result r = Run("fmt --stdout " + p.string());
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
  Result r = Run("fmt " + p.string() + " " + good.string());
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
  Result r = Run("fmt --check --format json " + a.string() + " " + b.string());
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
  Result r = Run("help fmt");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--check"));
}

TEST_F(FmtCliTest, BundledPoliciesAreFormatted) {
  Result r = Run("fmt --check " + std::string(WRIT_SOURCE_DIR) + "/policies");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
