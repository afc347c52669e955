// Fuzzing: the test-suite YAML reader (src/testing, writ/testing.h). Any
// input is read as a suite placed in the example pack's folder (so that the
// files a suite names, `policies.cedar`, `entities.json`, resolve), and a
// suite that loads is run, with coverage, and its report rendered in every
// form.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "writ/testing.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  std::vector<writ::TestSuite> suites;
  suites.push_back(writ::ParseTestSuite(yaml, WRIT_SOURCE_DIR "/policies/example/fuzz.test.yaml"));
  (void)writ::RenderIssues(suites.back().issues);
  // A few hundred bytes can expand to kMaxTestCasesPerSuite (100,000) cases
  // (principal, action and resource lists of 46, or aliases of one list):
  // within the documented bound, 150 MB to run and render in a plain build,
  // past libFuzzer's RSS limit under ASan with three renderings. The reader
  // above is fuzzed at its full bounds; only suites of at most this many
  // cases are run.
  constexpr std::size_t kMaxCasesRun = 2'000;
  if (suites.back().cases.size() > kMaxCasesRun) return 0;
  writ::TestOptions options;
  options.coverage = true;
  absl::StatusOr<writ::TestReport> report = writ::RunTests(suites, options);
  if (!report.ok()) return 0;
  (void)writ::RenderTestResults(*report, true);
  (void)writ::TestReportToJson(*report);
  (void)writ::TestReportToJUnit(*report);
  for (const writ::TestSuiteResult& suite : report->suites) {
    for (const writ::TestCaseResult& c : suite.cases) (void)writ::TestFailureLine(c);
  }
  return 0;
}
