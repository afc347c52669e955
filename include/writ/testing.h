// writ/testing.h — policy test suites (`writ test`): YAML files that pin the
// decisions a policy set must make, run against writ's reference authorizer,
// with per-policy coverage.
//
// A suite (`*.test.yaml`):
//
//   name: payments service              # optional; default: the file's path
//   schema: payments.cedarschema        # optional: a Cedar schema (either form); the
//                                       #   entities and every case's request are read
//                                       #   through it, and a request that does not
//                                       #   conform is an error at its case
//   policies: [payments.cedar]          # files or folders (every *.cedar below),
//                                       #   relative to the suite; ids policy0, ...
//                                       #   count on across them in this order
//   template_links: links.json          # optional: links of the templates, the Cedar
//                                       #   CLI's --template-linked file (writ/load.h)
//   entities: entities.json             # optional: Cedar entity JSON (or a list)
//   now: "2026-11-22T12:00:00Z"         # optional: request time (RFC 3339)
//   revoked: [Credential::"key-42"]     # optional: revoked uids, or a file of them
//   fail_closed: false                  # optional: an erroring forbid denies
//   cases:
//     - name: api reads the ledger      # optional; default: "case N"
//       principal: Workload::"api"      # Type::"id"; a list expands the case
//       action: [Action::"read", Action::"list"]   # one case per value
//       resource: Bucket::"ledger"
//       chain: [Agent::"a", User::"u"]  # optional: the identities the principal acts
//                                       #   for, nearest first (Request::chain)
//       context: {environment: prod}    # optional
//       now: "2026-11-23T00:00:00Z"     # optional: overrides the suite's
//       entities: extra.json            # optional: layered over the suite's
//       expect: allow                   # allow | deny
//       reasons: [policy0]              # optional: exactly these determining policies
//       errors: []                      # optional: exactly these erroring policies
//       breakglass: []                  # optional: exactly these break-glass policies
//       revoked: false                  # optional: denied as revoked, or not
//       denied_by: User::"u"            # optional: the chain identity denied
//                                       #   (Decision::denied_by); none: no identity was
//
// Context values map to Cedar as follows: quoted scalars are strings; plain
// scalars are `true`/`false` (also True, TRUE, False, FALSE) booleans,
// integers (decimal, 0x hex, 0o octal; within 64 bits) Longs, and strings
// otherwise — except that YAML's null (`~`, `null`, nothing) and floats
// (`1.5`, `.inf`) are errors, since Cedar has neither. `!!str` forces a
// string. Lists are sets, maps are records; `{__entity: {type: T, id: I}}`
// is an entity and `{__extn: {fn: ip, arg: "10.0.0.1"}}` an extension value,
// as in Cedar's JSON. Unknown fields anywhere are errors.
//
// The files a suite names are loaded by the one loader (writ/load.h), and
// folders walked with its walker. Every mistake in a suite is an Issue
// located at file:line:col. A mistake in
// the suite's own fields (a missing policy file, entities that do not load)
// stops its cases from running; a mistake in one case drops only that case.
// Other suites are not affected.
//
// Example:
//   std::vector<writ::Issue> issues;
//   std::vector<writ::TestSuite> suites;
//   for (const std::string& f : writ::FindTestSuites({"policies/"}, &issues)) {
//     suites.push_back(writ::LoadTestSuite(f));
//   }
//   absl::StatusOr<writ::TestReport> report = writ::RunTests(suites, {});
//   std::cout << writ::RenderTestResults(*report, /*verbose=*/false);
#ifndef WRIT_TESTING_H_
#define WRIT_TESTING_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "writ/authorize.h"
#include "writ/entities.h"
#include "writ/issue.h"
#include "writ/policy_set.h"
#include "writ/request.h"
#include "writ/schema.h"

namespace writ {

// Bounds on a suite; past one, a located error. Policy and entity files have
// their own bounds (writ/limits.h); context values nest at most
// kMaxJsonDepth deep.
inline constexpr std::size_t kMaxTestSuiteBytes = 16u << 20;
// Cases of one suite, after list expansion.
inline constexpr std::size_t kMaxTestCasesPerSuite = 100'000;
// YAML nodes read from one suite, an alias counted each time it is used.
inline constexpr std::size_t kMaxTestSuiteNodes = 1'000'000;
// Errors reported per suite before reading stops.
inline constexpr std::size_t kMaxTestSuiteErrors = 100;

// What a case expects. Unset optionals are not checked.
struct TestExpectation {
  bool allow = false;
  // Policy ids; compared as sets (order does not matter).
  std::optional<std::vector<std::string>> reasons;
  std::optional<std::vector<std::string>> errors;
  std::optional<std::vector<std::string>> breakglass;
  std::optional<bool> revoked;
  // Decision::denied_by: set, the identity denied; an unset inner optional
  // (`denied_by: none`), no identity denied.
  std::optional<std::optional<EntityUid>> denied_by;
};

// One request to decide and what it must come to. A case whose principal,
// action or resource is a list becomes one TestCase per combination.
struct TestCase {
  // The case's name, then the values of its expanded lists:
  // `staging cannot delete [action=Action::"write"]`.
  std::string name;
  std::string file;            // the suite file
  std::uint32_t line = 0;      // where the case starts (1-based)
  std::uint32_t column = 0;
  Request request;             // `now` is the case's, else the suite's, else unset (the clock)
  // The case's own entities, layered over the suite's (an entity here
  // replaces the suite's entity with the same uid); null when none.
  std::shared_ptr<const Entities> entities;
  TestExpectation expect;
};

struct TestSuite {
  std::string file;            // the path the suite was read from
  std::string name;            // `name:`, else `file`
  PolicySet policies;
  Entities entities;
  // `schema:`, when given (it loaded: a schema that does not load is an
  // error and no case runs).
  std::optional<Schema> schema;
  // The suite's revocation list and fail_closed; `clock` is left unset.
  DecideOptions options;
  std::optional<absl::Time> now;
  std::vector<TestCase> cases;
  // Every mistake found reading the suite (and the policy and entity files
  // it names), warnings included.
  std::vector<Issue> issues;
  // Whether the suite's own fields loaded; when false no case runs.
  bool loaded = false;
};

// The suite files under `paths`: a file is taken as it is; a folder is
// searched recursively for `*.test.yaml` (hidden folders skipped), sorted.
// A path that does not exist is an issue.
std::vector<std::string> FindTestSuites(absl::Span<const std::string> paths, std::vector<Issue>* issues);

// Reads the suite at `path`, and the policy and entity files it names
// (relative to its folder). Never fails: mistakes are in `issues`.
TestSuite LoadTestSuite(const std::string& path);
// The same for suite text already in memory; `path` names it in issues and
// is where relative file names are resolved from.
TestSuite ParseTestSuite(std::string_view yaml, const std::string& path);

struct TestOptions {
  // RE2 pattern; only cases whose `SUITE/CASE` (suite name, `/`, case name
  // with its expansion) it matches, anywhere, are run.
  std::string filter;
  // Record per-policy coverage.
  bool coverage = false;
};

struct TestCaseResult {
  std::string suite;           // the suite's name
  std::string name;
  std::string file;
  std::uint32_t line = 0;
  TestExpectation expect;
  Decision decision;
  bool passed = false;
  // For a failing case, what differed and what was decided, e.g.
  // `expected deny, got allow (determined by policy0; errors: none)`.
  std::string mismatch;
};

struct TestSuiteResult {
  std::string file;
  std::string name;
  std::vector<Issue> issues;
  bool loaded = false;
  std::vector<TestCaseResult> cases;   // the cases run, in order
};

// One policy's coverage over every case run. A policy is covered when some
// case made it determining (among the decision's reasons) and, if it has
// a when/unless condition, some case also found its scope matching and its
// condition false. Policies are identified by their location, so a policy
// file shared by several suites is counted once; templates are left out.
struct PolicyCoverage {
  std::string id;              // as the first suite that loaded it numbered it
  Effect effect = Effect::kPermit;
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  bool has_condition = false;
  bool determining = false;
  bool condition_true = false;   // scope matched and the condition held
  bool condition_false = false;  // scope matched and the condition did not hold
  bool errored = false;          // scope matched and the condition's evaluation failed
  bool covered() const { return determining && (!has_condition || condition_false); }
};

struct TestCoverage {
  std::vector<PolicyCoverage> policies;   // by file, then position
  std::size_t covered = 0;
  // 100 × covered / policies.size(), rounded down to one decimal; 100 when
  // there are no policies.
  double percent = 100;
};

struct TestReport {
  std::vector<TestSuiteResult> suites;
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::size_t suites_with_errors = 0;     // suites with at least one error issue
  std::optional<TestCoverage> coverage;   // with TestOptions::coverage
};

// Runs every case of every loaded suite. InvalidArgument when the filter is
// not a valid RE2 pattern.
absl::StatusOr<TestReport> RunTests(absl::Span<const TestSuite> suites, const TestOptions& options);

// `FILE:LINE: NAME: MISMATCH`, the line `writ test` prints for a failing case.
std::string TestFailureLine(const TestCaseResult& result);

// The text report: a line per failing case (with `verbose`, `PASS`/`FAIL`
// and a line per case), the coverage when recorded (uncovered policies with
// their locations; with `verbose`, every policy), and last
// `N passed, M failed` (`, K suites with errors` when there are). Suite
// issues are not included (render them with RenderIssues).
std::string RenderTestResults(const TestReport& report, bool verbose);
// One JSON document: suites (issues, cases with expectations, decisions and
// mismatches), the counts and the coverage.
std::string TestReportToJson(const TestReport& report);
// JUnit XML for CI systems: a <testsuite> per suite, a <testcase> per case
// with a <failure> when it failed, and a <testcase> with an <error> for a
// suite with errors.
std::string TestReportToJUnit(const TestReport& report);

}  // namespace writ

#endif  // WRIT_TESTING_H_
