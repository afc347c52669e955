// Helpers for the tests that run the writ command as a user runs it: `writ
// ARGS` through the shell, then its exit code, standard output and standard
// error. The test target names the binary in WRIT_CLI_PATH.
#ifndef WRIT_TESTS_SUPPORT_CLI_H_
#define WRIT_TESTS_SUPPORT_CLI_H_

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "gtest/gtest.h"

#ifndef WRIT_CLI_PATH
#error "tests/support/cli.h needs WRIT_CLI_PATH, the path of the writ binary"
#endif

namespace writ::testing_support {

struct CliResult {
  int exit_code;
  std::string out;
  std::string err;
};

// The file's bytes ("" if it cannot be read).
inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `writ ARGS` in the folder cwd (the current one if empty), reading
// stdin_path; standard output and error are kept in scratch/out and scratch/err.
inline CliResult RunCli(const std::string& args, const std::filesystem::path& scratch,
                        const std::filesystem::path& cwd = {}, const std::string& stdin_path = "/dev/null") {
  std::string cmd = WRIT_CLI_PATH " " + args + " <" + stdin_path + " >" + (scratch / "out").string() + " 2>" +
                    (scratch / "err").string();
  if (!cwd.empty()) cmd = "cd " + cwd.string() + " && " + cmd;
  const int status = std::system(cmd.c_str());
  return {WEXITSTATUS(status), Slurp(scratch / "out"), Slurp(scratch / "err")};
}

// A fixture with a fresh folder for each test, dir_ (removed after it): Write
// puts files there and Run keeps writ's output there. Given cwd, writ runs in
// that folder, so that the paths it prints are relative.
class CliTestBase : public ::testing::Test {
 protected:
  explicit CliTestBase(std::filesystem::path cwd = {}) : cwd_(std::move(cwd)) {}

  void SetUp() override {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name =
        std::string("writ_") + test->test_suite_name() + "_" + std::to_string(::getpid()) + "_" + test->name();
    std::replace(name.begin(), name.end(), '/', '_');   // parameterized: Files/Suite, Test/0
    dir_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path Write(const std::string& name, const std::string& text) {
    const std::filesystem::path p = dir_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  CliResult Run(const std::string& args, const std::string& stdin_path = "/dev/null") {
    return RunCli(args, dir_, cwd_, stdin_path);
  }

  std::filesystem::path dir_;

 private:
  std::filesystem::path cwd_;
};

}  // namespace writ::testing_support

#endif  // WRIT_TESTS_SUPPORT_CLI_H_
