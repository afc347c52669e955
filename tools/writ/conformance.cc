// writ CLI: `conformance` — runs Cedar's JSON integration tests (the format
// of cedar-policy/cedar-integration-tests) against the compiled engine, and
// holds it to the reference authorizer: every decision, reason and error
// message of the two must be equal, or the request fails.
//
// As Cedar's harness (cedar-testing's integration_testing.rs) does, each
// test's entities and request contexts are read through the test's schema
// (its `schema` file), and a request whose `validateRequest` is true (the
// default) is validated against it. Tests load through the one loader
// (writ/load.h), as `writ authorize --schema` loads its inputs. A test
// without a schema (`schema` absent or "") is read schemaless (`--verbose`
// says so).
//
// Skip list format: one entry per line, `FILE.json` (the whole test) or
// `FILE.json: request description`, FILE relative to DIR. Lines starting with
// `#` are comments; every group of entries must be preceded by a comment that
// states the cause. A listed request that passes is reported as a failure so
// that the list never outlives its reasons.
#include <algorithm>
#include <filesystem>
#include <map>
#include <ostream>
#include <optional>
#include <set>
#include <sstream>
#include <vector>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "tools/writ/cli.h"
#include "writ/json.h"
#include "writ/limits.h"
#include "writ/load.h"

namespace writ::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

struct SkipList {
  std::set<std::string> files;                           // whole tests
  std::set<std::pair<std::string, std::string>> requests;  // (file, description)
};

absl::StatusOr<SkipList> LoadSkipList(const std::string& path) {
  SkipList skips;
  if (path.empty()) return skips;
  absl::StatusOr<std::string> text = ReadFile(path, 64u << 20);
  if (!text.ok()) return text.status();
  std::istringstream in(*text);
  std::string line;
  bool commented = false;
  for (int n = 1; std::getline(in, line); ++n) {
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (l.empty()) {
      commented = false;
      continue;
    }
    if (l.front() == '#') {
      commented = true;
      continue;
    }
    if (!commented) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", n, ": skip entry without a comment stating its cause"));
    }
    const std::size_t json_end = l.find(".json");
    if (json_end == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": expected `FILE.json[: description]`"));
    }
    std::string file(l.substr(0, json_end + 5));
    absl::string_view rest = absl::StripAsciiWhitespace(l.substr(json_end + 5));
    if (rest.empty()) {
      skips.files.insert(file);
    } else if (absl::ConsumePrefix(&rest, ":")) {
      skips.requests.emplace(file, std::string(absl::StripAsciiWhitespace(rest)));
    } else {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": expected `FILE.json[: description]`"));
    }
  }
  return skips;
}

std::set<std::string> StringSet(const Json& j) {
  std::set<std::string> out;
  if (!j.is_array()) return out;
  for (const Json& e : j) {
    if (e.is_string()) out.insert(e.get<std::string>());
    // Some versions of the format give errors as {"policyId": ..., ...}.
    if (e.is_object() && e.contains("policyId") && e["policyId"].is_string()) {
      out.insert(e["policyId"].get<std::string>());
    }
  }
  return out;
}

std::string Show(bool allowed, const std::set<std::string>& reasons, const std::set<std::string>& errors) {
  return absl::StrCat(allowed ? "allow" : "deny", " reasons [", absl::StrJoin(reasons, ","),
                      "] errors [", absl::StrJoin(errors, ","), "]");
}

// Empty when the two decisions are equal in every respect, messages included.
std::string DescribeDifference(const Decision& compiled, const Decision& reference) {
  auto show = [](const Decision& d) {
    std::string s = absl::StrCat(d.allowed ? "allow" : "deny", " [", absl::StrJoin(d.reasons, ","), "]");
    for (const PolicyError& e : d.errors) absl::StrAppend(&s, " ", e.policy_id, ": ", e.message, ";");
    return s;
  };
  const std::string c = show(compiled), r = show(reference);
  return c == r ? std::string() : absl::StrCat("compiled ", c, " vs reference ", r);
}

struct Counts {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

// Runs one test file; prints a line per failing request.
void RunTest(const fs::path& dir, const std::string& rel, const Json& test, const SkipList& skips,
             bool verbose, Counts* counts, std::ostream& out) {
  const bool skip_file = skips.files.count(rel) > 0;
  std::string load_error;
  std::optional<LoadedSet> set;
  // `schema` may be absent or "": the test is then read schemaless.
  const bool has_schema = test.contains("schema") && test["schema"].is_string() &&
                          !test["schema"].get<std::string>().empty();
  if (!test["policies"].is_string() || !test["entities"].is_string() ||
      (test.contains("schema") && !test["schema"].is_string())) {
    load_error = "`policies`, `entities` and `schema` must be file names";
  } else {
    // The one loader: the schema first, then the policies and the entities
    // read through it (with its actions), as `writ authorize --schema` reads them.
    FileSet files;
    files.policies = {(dir / test["policies"].get<std::string>()).string()};
    files.entities = {(dir / test["entities"].get<std::string>()).string()};
    if (has_schema) files.schema = (dir / test["schema"].get<std::string>()).string();
    std::vector<Issue> issues;
    absl::StatusOr<LoadedSet> loaded = LoadFiles(files, LoadOptions(), &issues);
    if (loaded.ok()) {
      set = *std::move(loaded);
    } else {
      load_error = RenderIssues(issues);
      if (load_error.empty()) load_error = std::string(loaded.status().message());
    }
  }
  if (verbose && !has_schema) out << "note " << rel << ": no schema; read schemaless\n";
  std::unique_ptr<const Engine> engine;
  if (load_error.empty()) {
    absl::StatusOr<std::unique_ptr<const Engine>> compiled = Engine::Compile(set->policies, set->entities);
    if (compiled.ok()) {
      engine = *std::move(compiled);
    } else {
      load_error = absl::StrCat("does not compile: ", compiled.status().message());
    }
  }
  for (const Json& r : test["requests"]) {
    const std::string desc = r.value("description", std::string("(no description)"));
    const bool skip = skip_file || skips.requests.count({rel, desc}) > 0;
    std::string failure;
    if (!load_error.empty()) {
      failure = absl::StrCat("test does not load: ", load_error);
    } else {
      std::vector<Issue> request_issues;
      JsonOptions request_json;
      request_json.validate_request = !r.contains("validateRequest") || r["validateRequest"] != false;
      absl::StatusOr<Request> request =
          ReadRequest(r.dump(), rel, &request_issues, set->JsonOptionsFor(request_json));
      if (!request.ok()) {
        failure = absl::StrCat("request does not load: ", request.status().message());
      } else {
        const Decision d = engine->Decide(*request);
        const Decision reference = Authorize(set->policies, set->entities, *request);
        std::set<std::string> reasons(d.reasons.begin(), d.reasons.end());
        std::set<std::string> errors;
        for (const PolicyError& e : d.errors) errors.insert(e.policy_id);
        const bool want_allow = absl::AsciiStrToLower(r.value("decision", std::string())) == "allow";
        const std::set<std::string> want_reasons = StringSet(r.value("reason", Json::array()));
        const std::set<std::string> want_errors = StringSet(r.value("errors", Json::array()));
        if (d.allowed != want_allow || reasons != want_reasons || errors != want_errors) {
          failure = absl::StrCat("expected ", Show(want_allow, want_reasons, want_errors), ", got ",
                                 Show(d.allowed, reasons, errors));
          for (const PolicyError& e : d.errors) absl::StrAppend(&failure, "\n    ", e.policy_id, ": ", e.message);
        } else if (std::string diff = DescribeDifference(d, reference); !diff.empty()) {
          failure = absl::StrCat("the compiled engine disagrees with the reference evaluator: ", diff);
        }
      }
    }
    if (skip) {
      if (failure.empty()) {
        ++counts->failed;
        out << "FAIL " << rel << ": " << desc << ": listed in the skip list but passes; remove it\n";
      } else {
        ++counts->skipped;
      }
    } else if (failure.empty()) {
      ++counts->passed;
      if (verbose) out << "ok   " << rel << ": " << desc << "\n";
    } else {
      ++counts->failed;
      out << "FAIL " << rel << ": " << desc << ": " << failure << "\n";
    }
  }
}

}  // namespace

int RunConformance(const Args& args, std::ostream& out, std::ostream& err) {
  const fs::path dir = args.positional.front();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    err << "error: " << dir.string() << ": not a directory (is the Cedar conformance corpus there?)\n";
    return kExitUsage;
  }
  absl::StatusOr<SkipList> skips = LoadSkipList(args.One("skip-list").value_or(""));
  if (!skips.ok()) {
    err << "error: " << skips.status().message() << "\n";
    return kExitUsage;
  }
  // Test files in a stable order: every *.json that is not an entity file.
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_regular_file() && name.ends_with(".json") && !name.ends_with(".entities.json")) {
      files.push_back(fs::relative(it->path(), dir).string());
    }
  }
  std::sort(files.begin(), files.end());
  Counts counts;
  int tests = 0;
  for (const std::string& rel : files) {
    absl::StatusOr<std::string> text = ReadFile((dir / rel).string(), kMaxJsonBytes);
    if (!text.ok()) {
      err << "error: " << text.status().message() << "\n";
      ++counts.failed;
      continue;
    }
    Json test = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
    // Not a test (entity or schema data kept beside the tests).
    if (!test.is_object() || !test.contains("requests") || !test["requests"].is_array()) continue;
    ++tests;
    RunTest(dir, rel, test, *skips, args.Has("verbose"), &counts, out);
  }
  if (tests == 0) {
    err << "error: no Cedar integration tests found under " << dir.string() << "\n";
    return kExitUsage;
  }
  out << counts.passed << " passed, " << counts.failed << " failed";
  if (counts.skipped > 0 || args.Has("skip-list")) out << ", " << counts.skipped << " skipped";
  out << "\n";
  return counts.failed == 0 ? kExitOk : kExitProblems;
}

}  // namespace writ::cli
