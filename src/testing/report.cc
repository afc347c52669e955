// Testing: reports of a run — the text `writ test` prints, one JSON
// document, and JUnit XML for CI systems.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "src/json/issue_json.h"
#include "src/base/utf8.h"
#include "writ/testing.h"

namespace writ {
namespace {

const char* DecisionName(bool allow) { return allow ? "allow" : "deny"; }
const char* EffectName(Effect e) { return e == Effect::kPermit ? "permit" : "forbid"; }

// Why a policy is not covered: `never determining, condition never false`.
std::string Uncovered(const PolicyCoverage& p) {
  std::vector<std::string> why;
  if (!p.determining) why.push_back("never determining");
  if (p.has_condition && !p.condition_false) why.push_back("condition never false");
  return absl::StrJoin(why, ", ");
}

// What the cases showed of a policy: `determining, condition true, condition false`.
std::string Seen(const PolicyCoverage& p) {
  std::vector<std::string> seen;
  if (p.determining) seen.push_back("determining");
  if (p.has_condition) {
    if (p.condition_true) seen.push_back("condition true");
    if (p.condition_false) seen.push_back("condition false");
    if (p.errored) seen.push_back("condition errored");
  }
  std::string out = seen.empty() ? "nothing" : absl::StrJoin(seen, ", ");
  return p.has_condition ? out : absl::StrCat(out, " (no condition)");
}

std::string Summary(const TestReport& report) {
  std::string out = absl::StrCat(report.passed, " passed, ", report.failed, " failed");
  if (report.suites_with_errors > 0) {
    absl::StrAppend(&out, ", ", report.suites_with_errors,
                    report.suites_with_errors == 1 ? " suite with errors" : " suites with errors");
  }
  return out;
}

nlohmann::json IdsJson(const std::optional<std::vector<std::string>>& ids) {
  return ids ? nlohmann::json(*ids) : nlohmann::json(nullptr);
}

// Text for an XML attribute or element: the five special characters
// escaped; characters XML 1.0 cannot hold (controls other than tab, newline
// and carriage return) and invalid UTF-8 replaced by U+FFFD.
std::string Xml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const std::optional<std::size_t> bad = internal::FindInvalidUtf8(s);
    const std::string_view good = s.substr(0, bad.value_or(s.size()));
    for (char c : good) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        case '\t':
        case '\n':
        case '\r': out += c; break;
        default:
          if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
            out += "\xEF\xBF\xBD";
          } else {
            out += c;
          }
      }
    }
    if (!bad) break;
    out += "\xEF\xBF\xBD";
    s.remove_prefix(*bad + 1);
  }
  return out;
}

}  // namespace

std::string RenderTestResults(const TestReport& report, bool verbose) {
  std::string out;
  for (const TestSuiteResult& suite : report.suites) {
    for (const TestCaseResult& c : suite.cases) {
      if (c.passed) {
        if (verbose) absl::StrAppend(&out, "PASS ", c.file, ":", c.line, ": ", c.name, "\n");
      } else {
        absl::StrAppend(&out, verbose ? "FAIL " : "", TestFailureLine(c), "\n");
      }
    }
  }
  if (report.coverage) {
    const TestCoverage& cov = *report.coverage;
    absl::StrAppend(&out, "coverage: ", cov.covered, " of ", cov.policies.size(),
                    cov.policies.size() == 1 ? " policy" : " policies", " covered (",
                    absl::StrFormat("%.1f", cov.percent), "%)\n");
    for (const PolicyCoverage& p : cov.policies) {
      if (p.covered() && !verbose) continue;
      absl::StrAppend(&out, "  ", p.file, ":", p.line, ":", p.column, " ", p.id, " (", EffectName(p.effect),
                      "): ", p.covered() ? "covered" : absl::StrCat("not covered: ", Uncovered(p)),
                      verbose ? absl::StrCat("; seen: ", Seen(p)) : "", "\n");
    }
  }
  absl::StrAppend(&out, Summary(report), "\n");
  return out;
}

std::string TestReportToJson(const TestReport& report) {
  nlohmann::json suites = nlohmann::json::array();
  for (const TestSuiteResult& suite : report.suites) {
    nlohmann::json issues = nlohmann::json::array();
    for (const Issue& i : suite.issues) issues.push_back(internal::IssueJsonValue(i));
    nlohmann::json cases = nlohmann::json::array();
    for (const TestCaseResult& c : suite.cases) {
      nlohmann::json errors = nlohmann::json::array();
      for (const PolicyError& e : c.decision.errors) errors.push_back({{"policy", e.policy_id}, {"message", e.message}});
      nlohmann::json expected = {{"decision", DecisionName(c.expect.allow)},
                                 {"reasons", IdsJson(c.expect.reasons)},
                                 {"errors", IdsJson(c.expect.errors)},
                                 {"breakglass", IdsJson(c.expect.breakglass)},
                                 {"revoked", c.expect.revoked ? nlohmann::json(*c.expect.revoked) : nullptr},
                                 // null: not checked; "none": no chain identity denied
                                 {"denied_by", !c.expect.denied_by ? nlohmann::json(nullptr)
                                               : *c.expect.denied_by ? nlohmann::json((*c.expect.denied_by)->ToString())
                                                                     : nlohmann::json("none")}};
      nlohmann::json result = {{"decision", DecisionName(c.decision.allowed)},
                               {"reasons", c.decision.reasons},
                               {"errors", std::move(errors)},
                               {"breakglass", c.decision.breakglass},
                               {"revoked", c.decision.revoked},
                               {"denied_by", c.decision.denied_by ? nlohmann::json(c.decision.denied_by->ToString())
                                                                  : nlohmann::json(nullptr)}};
      nlohmann::json j = {{"name", c.name},
                          {"file", c.file},
                          {"line", c.line},
                          {"passed", c.passed},
                          {"expected", std::move(expected)},
                          {"result", std::move(result)}};
      if (!c.passed) j["message"] = TestFailureLine(c);
      cases.push_back(std::move(j));
    }
    suites.push_back({{"file", suite.file},
                      {"name", suite.name},
                      {"loaded", suite.loaded},
                      {"issues", std::move(issues)},
                      {"cases", std::move(cases)}});
  }
  nlohmann::json doc = {{"suites", std::move(suites)},
                        {"passed", report.passed},
                        {"failed", report.failed},
                        {"suites_with_errors", report.suites_with_errors}};
  if (report.coverage) {
    nlohmann::json policies = nlohmann::json::array();
    for (const PolicyCoverage& p : report.coverage->policies) {
      policies.push_back({{"id", p.id},
                          {"effect", EffectName(p.effect)},
                          {"file", p.file},
                          {"line", p.line},
                          {"column", p.column},
                          {"has_condition", p.has_condition},
                          {"determining", p.determining},
                          {"condition_true", p.condition_true},
                          {"condition_false", p.condition_false},
                          {"errored", p.errored},
                          {"covered", p.covered()}});
    }
    doc["coverage"] = {{"covered", report.coverage->covered},
                       {"total", report.coverage->policies.size()},
                       {"percent", report.coverage->percent},
                       {"policies", std::move(policies)}};
  }
  // Strings are valid UTF-8 (suites, policies and entities are checked when
  // read), but replace rather than throw should one not be.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string TestReportToJUnit(const TestReport& report) {
  std::string body;
  std::size_t tests = 0, failures = 0, errors = 0;
  for (const TestSuiteResult& suite : report.suites) {
    const bool broken = HasErrors(suite.issues);
    std::size_t suite_failures = 0;
    for (const TestCaseResult& c : suite.cases) suite_failures += c.passed ? 0 : 1;
    const std::size_t suite_tests = suite.cases.size() + (broken ? 1 : 0);
    tests += suite_tests;
    failures += suite_failures;
    errors += broken ? 1 : 0;
    absl::StrAppend(&body, "  <testsuite name=\"", Xml(suite.name), "\" file=\"", Xml(suite.file), "\" tests=\"",
                    suite_tests, "\" failures=\"", suite_failures, "\" errors=\"", broken ? 1 : 0, "\">\n");
    if (broken) {
      absl::StrAppend(&body, "    <testcase name=\"loading the suite\" classname=\"", Xml(suite.name),
                      "\" file=\"", Xml(suite.file), "\">\n      <error message=\"the suite has errors\" "
                      "type=\"suite\">",
                      Xml(RenderIssues(suite.issues)), "</error>\n    </testcase>\n");
    }
    for (const TestCaseResult& c : suite.cases) {
      absl::StrAppend(&body, "    <testcase name=\"", Xml(c.name), "\" classname=\"", Xml(suite.name),
                      "\" file=\"", Xml(c.file), "\" line=\"", c.line, "\"");
      if (c.passed) {
        body += "/>\n";
      } else {
        absl::StrAppend(&body, ">\n      <failure message=\"", Xml(c.mismatch), "\" type=\"mismatch\">",
                        Xml(TestFailureLine(c)), "</failure>\n    </testcase>\n");
      }
    }
    body += "  </testsuite>\n";
  }
  return absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"writ test\" tests=\"", tests,
                      "\" failures=\"", failures, "\" errors=\"", errors, "\">\n", body, "</testsuites>\n");
}

}  // namespace writ
