// writ CLI: `fmt` — canonical formatting of policy files (writ/format.h), in
// place, to stdout, or as a check that lists the files that would change.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <ostream>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "src/json/issue_json.h"
#include "tools/writ/cli.h"
#include "writ/format.h"

namespace writ::cli {
namespace {

namespace fs = std::filesystem;

constexpr char kStdin[] = "-";

// The files named by `args`: files as given, directories searched
// recursively for `*.cedar` (sorted, so that the output is stable), `-` for
// standard input. A name that is neither is reported and counts as an error.
std::vector<std::string> CollectFiles(const std::vector<std::string>& args, std::vector<Issue>* errors) {
  std::vector<std::string> files;
  for (const std::string& a : args) {
    std::error_code ec;
    if (a == kStdin) {
      files.push_back(a);
    } else if (fs::is_directory(a, ec)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(a, fs::directory_options::skip_permission_denied, ec);
      for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().extension() == ".cedar" && it->is_regular_file(ec)) found.push_back(it->path().string());
      }
      if (ec) {
        errors->push_back(
            {Severity::kError, a, 0, 0, 0, absl::StrCat("cannot read directory: ", ec.message()), "", ""});
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(a, ec)) {
      files.push_back(a);
    } else {
      errors->push_back({Severity::kError, a, 0, 0, 0, "no such file or directory", "", ""});
    }
  }
  return files;
}

// Replaces `path`'s contents with `text` atomically: a temporary file in the
// same directory, with the same permissions, renamed over it. A symbolic
// link is followed (the file it names is rewritten).
absl::Status WriteAtomically(const std::string& path, const std::string& text) {
  std::error_code ec;
  fs::path target = fs::is_symlink(path, ec) ? fs::canonical(path, ec) : fs::path(path);
  if (ec) return absl::InternalError(absl::StrCat(path, ": ", ec.message()));
  std::string temp = target.string() + ".writ-fmt-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    return absl::InternalError(absl::StrCat(path, ": cannot create a temporary file: ", std::strerror(errno)));
  }
  auto fail = [&](const char* what) {
    const int saved = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return absl::InternalError(absl::StrCat(path, ": ", what, ": ", std::strerror(saved)));
  };
  struct stat st;
  if (::stat(target.c_str(), &st) == 0 && ::fchmod(fd, st.st_mode & 07777) != 0) return fail("cannot set permissions");
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot write");
  if (::close(fd) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return absl::InternalError(absl::StrCat(path, ": cannot write: ", std::strerror(saved)));
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return absl::InternalError(absl::StrCat(path, ": cannot replace the file: ", std::strerror(saved)));
  }
  return absl::OkStatus();
}

}  // namespace

int RunFmt(const Args& args, std::ostream& out, std::ostream& err) {
  const bool check = args.Has("check");
  const bool to_stdout = args.Has("stdout");
  const std::string format = args.One("format").value_or("text");
  if (format != "text" && format != "json") {
    err << "writ fmt: --format is `text` or `json`, not `" << format << "`\n";
    return kExitUsage;
  }
  const bool json = format == "json";
  const bool reads_stdin = std::count(args.positional.begin(), args.positional.end(), kStdin) > 0;
  if (json && !check && (to_stdout || reads_stdin)) {
    err << "writ fmt: --format json reports on the files; it cannot be combined with formatted text on "
           "stdout (--stdout or `-`) unless with --check\n";
    return kExitUsage;
  }
  if (std::count(args.positional.begin(), args.positional.end(), kStdin) > 1) {
    err << "writ fmt: `-` (standard input) given more than once\n";
    return kExitUsage;
  }

  std::vector<Issue> issues;
  std::vector<std::string> changed;
  bool input_errors = false;
  const std::vector<std::string> files = CollectFiles(args.positional, &issues);
  if (!issues.empty()) input_errors = true;
  if (!json) err << RenderIssues(issues);
  for (const std::string& path : files) {
    std::string text;
    if (path == kStdin) {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      if (text.size() > kMaxPolicyTextBytes) {
        text.clear();
        issues.push_back({Severity::kError, "<stdin>", 0, 0, 0,
                          absl::StrCat("input is more than the limit of ", kMaxPolicyTextBytes, " bytes"), "", ""});
        if (!json) err << RenderIssue(issues.back());
        input_errors = true;
        continue;
      }
    } else {
      absl::StatusOr<std::string> read = ReadFile(path, kMaxPolicyTextBytes);
      if (!read.ok()) {
        issues.push_back({Severity::kError, path, 0, 0, 0, std::string(read.status().message()), "", ""});
        if (!json) err << "error: " << read.status().message() << "\n";
        input_errors = true;
        continue;
      }
      text = *std::move(read);
    }
    const std::string name = path == kStdin ? "<stdin>" : path;
    std::vector<Issue> file_issues;
    absl::StatusOr<std::string> formatted = FormatPolicies(text, name, &file_issues);
    if (!formatted.ok()) {
      if (file_issues.empty()) {
        file_issues.push_back({Severity::kError, name, 0, 0, 0, std::string(formatted.status().message()), "", ""});
      }
      if (!json) err << RenderIssues(file_issues);
      issues.insert(issues.end(), file_issues.begin(), file_issues.end());
      input_errors = true;
      continue;
    }
    const bool differs = *formatted != text;
    if (check) {
      if (differs) {
        changed.push_back(path);
        if (!json) out << path << "\n";
      }
    } else if (to_stdout || path == kStdin) {
      out << *formatted;
    } else if (differs) {
      if (absl::Status s = WriteAtomically(path, *formatted); !s.ok()) {
        issues.push_back({Severity::kError, path, 0, 0, 0, std::string(s.message()), "", ""});
        if (!json) err << "error: " << s.message() << "\n";
        input_errors = true;
        continue;
      }
      changed.push_back(path);
    }
  }
  if (json) {
    nlohmann::json report = {{"files", files.size()}, {"changed", changed}, {"issues", nlohmann::json::array()}};
    for (const Issue& i : issues) report["issues"].push_back(internal::IssueJsonValue(i));
    out << report.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  if (input_errors) return kExitUsage;
  return check && !changed.empty() ? kExitProblems : kExitOk;
}

}  // namespace writ::cli
