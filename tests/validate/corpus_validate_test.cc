// Tests for src/validate over Cedar's conformance corpus: for every test (the
// generated ones unpacked into WRIT_CORPUS_DIR, and the hand-written ones
// under WRIT_CONFORMANCE_DIR/tests), writ's verdict — no validation errors —
// equals the test's `shouldValidate`, which Cedar's own validator (strict
// mode, Cedar 4.10) gave.
//
// Since cedar#2545 (after the corpus was generated) a scope that no action's
// appliesTo admits is a warning, and writ follows current Cedar by default.
// The tests where that is the corpus's only reason to reject are listed in
// testdata/corpus_validate_cedar2545.txt; for each one the test checks that
// this is so (with ValidateOptions::action_application_error writ agrees with
// the corpus, and its only errors are invalid-action-application; by default
// it has no error and warns invalid-action-application). A listed test that
// writ agrees with by default fails: the list cannot go stale. Tests listed
// in testdata/corpus_validate_skip.txt are skipped, each for the reason given
// there.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "writ/policy_set.h"
#include "writ/schema.h"
#include "writ/validate.h"

namespace writ {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The names in testdata/`file`, one a line, `#` starting a comment.
std::set<std::string> NameList(const char* file) {
  std::set<std::string> out;
  std::istringstream in(Slurp(fs::path(WRIT_TESTDATA_DIR) / file));
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    line.erase(std::remove_if(line.begin(), line.end(), [](unsigned char c) { return std::isspace(c); }), line.end());
    if (!line.empty()) out.insert(line);
  }
  return out;
}

struct Lists {
  std::set<std::string> skip;
  std::set<std::string> cedar2545;   // differ only by cedar#2545, each checked
};

struct Outcome {
  int agree = 0;
  int total = 0;
  int skipped = 0;
  int cedar2545 = 0;   // listed, and checked to differ only by cedar#2545
  std::set<std::string> listed_seen;
  std::vector<std::string> disagreements;
};

std::string Findings(const ValidationResult& r) {
  std::string out;
  for (const ValidationFinding& f : r.findings) absl::StrAppend(&out, "\n  [", f.code, "] ", RenderIssue(f.issue));
  return out;
}

// Runs the test described by `json_path`; paths in it are relative to `root`.
void RunOne(const fs::path& json_path, const fs::path& root, const Lists& lists, Outcome* out) {
  const std::string name = json_path.filename().string();
  if (lists.skip.count(name)) {
    ++out->skipped;
    return;
  }
  nlohmann::json t = nlohmann::json::parse(Slurp(json_path), nullptr, /*allow_exceptions=*/false);
  if (!t.is_object() || !t.contains("shouldValidate")) return;
  ++out->total;
  const bool expected = t["shouldValidate"].get<bool>();
  const std::string policies_path = (root / t["policies"].get<std::string>()).string();
  const std::string schema_path = (root / t["schema"].get<std::string>()).string();
  std::vector<Issue> issues;
  absl::StatusOr<Schema> schema = Schema::Parse(Slurp(schema_path), schema_path, &issues);
  if (!schema.ok()) {
    out->disagreements.push_back(absl::StrCat(name, ": the schema does not load: ", RenderIssues(issues)));
    return;
  }
  PolicySet set;
  ParseOptions options;
  options.strict = true;
  if (!set.Add(Slurp(policies_path), policies_path, &issues, options).ok()) {
    out->disagreements.push_back(absl::StrCat(name, ": the policies do not parse: ", RenderIssues(issues)));
    return;
  }
  const ValidationResult r = Validate(*schema, set, ValidateOptions{.strict = true});
  const bool valid = !r.HasErrors();
  if (lists.cedar2545.count(name)) {
    out->listed_seen.insert(name);
    if (valid == expected) {
      out->disagreements.push_back(absl::StrCat(
          name, ": listed in corpus_validate_cedar2545.txt, but writ agrees with the corpus: remove it from the list"));
      return;
    }
    const ValidationResult old = Validate(*schema, set, ValidateOptions{.strict = true, .action_application_error = true});
    bool only_scope = !expected && valid && old.HasErrors();
    bool warned = false;
    for (const ValidationFinding& f : old.findings) {
      if (f.issue.severity == Severity::kError && f.code != "invalid-action-application") only_scope = false;
    }
    for (const ValidationFinding& f : r.findings) {
      if (f.code == "invalid-action-application" && f.issue.severity == Severity::kWarning) warned = true;
    }
    if (!only_scope || !warned) {
      out->disagreements.push_back(absl::StrCat(name, ": listed as differing only by cedar#2545, but it does not",
                                                "\n with action_application_error:", Findings(old),
                                                "\n by default:", Findings(r)));
      return;
    }
    ++out->cedar2545;
    return;
  }
  if (valid == expected) {
    ++out->agree;
    return;
  }
  out->disagreements.push_back(absl::StrCat(name, ": Cedar says ", expected ? "valid" : "invalid", ", writ says ",
                                            valid ? "valid" : "invalid", Findings(r)));
}

std::vector<fs::path> TestFiles(const fs::path& dir, bool recursive) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  auto add = [&](const fs::directory_entry& e) {
    const std::string n = e.path().filename().string();
    if (e.is_regular_file() && e.path().extension() == ".json" && n.find(".entities.") == std::string::npos) {
      out.push_back(e.path());
    }
  };
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) add(e);
  } else {
    for (const auto& e : fs::directory_iterator(dir)) add(e);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Report(const char* what, const Outcome& o) {
  std::cout << what << ": " << o.agree << "/" << o.total << " agree; " << o.cedar2545
            << " differ only by cedar#2545, each checked (" << o.skipped << " skipped)\n";
  std::size_t shown = 0;
  for (const std::string& d : o.disagreements) {
    if (++shown > 40) break;
    ADD_FAILURE() << d;
  }
  EXPECT_EQ(o.agree + o.cedar2545, o.total) << o.disagreements.size() << " disagreements";
}

TEST(CorpusValidate, GeneratedTestsAgreeWithCedar) {
  const char* dir = std::getenv("WRIT_CORPUS_DIR");
  ASSERT_NE(dir, nullptr) << "WRIT_CORPUS_DIR is not set (run through ctest)";
  const fs::path corpus(dir);
  const std::vector<fs::path> files = TestFiles(corpus, false);
  ASSERT_GT(files.size(), 7000u) << "the corpus is not unpacked at " << corpus;
  const Lists lists{NameList("corpus_validate_skip.txt"), NameList("corpus_validate_cedar2545.txt")};
  Outcome o;
  for (const fs::path& f : files) RunOne(f, corpus.parent_path(), lists, &o);
  for (const std::string& n : lists.cedar2545) {
    if (!o.listed_seen.count(n)) ADD_FAILURE() << n << ": listed in corpus_validate_cedar2545.txt but not in the corpus";
  }
  Report("generated corpus", o);
}

TEST(CorpusValidate, HandwrittenTestsAgreeWithCedar) {
  const fs::path root(WRIT_CONFORMANCE_DIR);
  const std::vector<fs::path> files = TestFiles(root / "tests", true);
  ASSERT_EQ(files.size(), 22u) << "the hand-written tests are not at " << root;
  Outcome o;
  for (const fs::path& f : files) RunOne(f, root, Lists{}, &o);
  Report("hand-written tests", o);
}

}  // namespace
}  // namespace writ
