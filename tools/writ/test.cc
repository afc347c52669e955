// writ CLI: `test` — runs policy test suites (*.test.yaml, writ/testing.h)
// and reports like `go test`: failing cases, coverage, `N passed, M failed`.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "tools/writ/cli.h"
#include "writ/testing.h"

namespace writ::cli {

int RunTest(const Args& args, std::ostream& out, std::ostream& err) {
  // `-v` is the short form of --verbose (the flag parser knows only `--`
  // flags, so it arrives as a positional argument).
  bool verbose = args.Has("verbose");
  std::vector<std::string> paths;
  for (const std::string& a : args.positional) {
    if (a == "-v") {
      verbose = true;
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) paths.push_back(".");
  const std::string format = args.One("format").value_or("text");
  if (format != "text" && format != "json") {
    err << "writ test: --format is `text` or `json`, not `" << format << "`\n";
    return kExitUsage;
  }
  const bool json = format == "json";
  std::optional<double> coverage_min;
  if (std::optional<std::string> min = args.One("coverage-min")) {
    double p = 0;
    if (!absl::SimpleAtod(*min, &p) || !(p >= 0 && p <= 100)) {
      err << "writ test: --coverage-min is a percentage from 0 to 100, not `" << *min << "`\n";
      return kExitUsage;
    }
    coverage_min = p;
  }

  std::vector<Issue> issues;
  const std::vector<std::string> files = FindTestSuites(paths, &issues);
  bool input_errors = HasErrors(issues);
  if (files.empty() && !input_errors) {
    std::string where;
    for (const std::string& p : paths) where += (where.empty() ? "" : ", ") + p;
    issues.push_back({Severity::kError, "", 0, 0, 0, "no *.test.yaml suites found under " + where, "", ""});
    input_errors = true;
  }
  std::vector<TestSuite> suites;
  suites.reserve(files.size());
  for (const std::string& f : files) suites.push_back(LoadTestSuite(f));

  TestOptions options;
  options.filter = args.One("filter").value_or("");
  options.coverage = args.Has("coverage") || coverage_min.has_value();
  absl::StatusOr<TestReport> report = RunTests(suites, options);
  if (!report.ok()) {
    err << "writ test: " << report.status().message() << "\n";
    return kExitUsage;
  }
  if (report->suites_with_errors > 0) input_errors = true;
  const bool nothing_matched = !options.filter.empty() && report->passed + report->failed == 0 && !files.empty();

  if (json) {
    // Issues outside any suite (a path that does not exist) are reported as
    // a suite of their own, so that the document holds every problem.
    if (!issues.empty()) {
      TestSuiteResult paths_result;
      paths_result.name = "(paths)";
      paths_result.issues = issues;
      report->suites.insert(report->suites.begin(), std::move(paths_result));
    }
    out << TestReportToJson(*report);
  } else {
    err << RenderIssues(issues);
    for (const TestSuiteResult& s : report->suites) err << RenderIssues(s.issues);
    if (nothing_matched) err << "writ test: no case matches --filter `" << options.filter << "`\n";
    out << RenderTestResults(*report, verbose);
  }

  if (std::optional<std::string> junit = args.One("junit")) {
    std::ofstream f(*junit, std::ios::binary | std::ios::trunc);
    f << TestReportToJUnit(*report);
    f.close();
    if (!f) {
      err << "error: " << *junit << ": cannot write the JUnit report: " << std::strerror(errno) << "\n";
      return kExitUsage;
    }
  }
  bool below = false;
  if (coverage_min && report->coverage &&
      100.0 * static_cast<double>(report->coverage->covered) <
          *coverage_min * static_cast<double>(report->coverage->policies.size())) {
    below = true;
    if (!json) {
      err << absl::StrFormat("writ test: coverage %.1f%% is below --coverage-min %g\n", report->coverage->percent,
                             *coverage_min);
    }
  }
  if (input_errors) return kExitUsage;
  // A filter that selects nothing fails: a CI job whose filter went stale
  // must not pass having tested nothing.
  return report->failed > 0 || below || nothing_matched ? kExitProblems : kExitOk;
}

}  // namespace writ::cli
