// Tests for src/validate over Cedar's conformance corpus: for every test (the
// generated ones unpacked into WRIT_CORPUS_DIR, and the hand-written ones
// under WRIT_CONFORMANCE_DIR/tests), writ's verdict — no validation errors —
// equals the test's `shouldValidate`, which Cedar's own validator (strict
// mode) gave. Tests listed in testdata/corpus_validate_skip.txt are skipped,
// each for the reason given there.
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

std::set<std::string> SkipList() {
  std::set<std::string> out;
  std::istringstream in(Slurp(fs::path(WRIT_TESTDATA_DIR) / "corpus_validate_skip.txt"));
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    line.erase(std::remove_if(line.begin(), line.end(), [](unsigned char c) { return std::isspace(c); }), line.end());
    if (!line.empty()) out.insert(line);
  }
  return out;
}

struct Outcome {
  int agree = 0;
  int total = 0;
  int skipped = 0;
  std::vector<std::string> disagreements;
};

// Runs the test described by `json_path`; paths in it are relative to `root`.
void RunOne(const fs::path& json_path, const fs::path& root, const std::set<std::string>& skip, Outcome* out) {
  const std::string name = json_path.filename().string();
  if (skip.count(name)) {
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
  if (valid == expected) {
    ++out->agree;
    return;
  }
  std::string why = absl::StrCat(name, ": Cedar says ", expected ? "valid" : "invalid", ", writ says ",
                                 valid ? "valid" : "invalid");
  for (const ValidationFinding& f : r.findings) absl::StrAppend(&why, "\n  [", f.code, "] ", RenderIssue(f.issue));
  out->disagreements.push_back(why);
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
  std::cout << what << ": " << o.agree << "/" << o.total << " agree (" << o.skipped << " skipped)\n";
  std::size_t shown = 0;
  for (const std::string& d : o.disagreements) {
    if (++shown > 40) break;
    ADD_FAILURE() << d;
  }
  EXPECT_EQ(o.agree, o.total) << o.disagreements.size() << " disagreements";
}

TEST(CorpusValidate, GeneratedTestsAgreeWithCedar) {
  const char* dir = std::getenv("WRIT_CORPUS_DIR");
  ASSERT_NE(dir, nullptr) << "WRIT_CORPUS_DIR is not set (run through ctest)";
  const fs::path corpus(dir);
  const std::vector<fs::path> files = TestFiles(corpus, false);
  ASSERT_GT(files.size(), 7000u) << "the corpus is not unpacked at " << corpus;
  const std::set<std::string> skip = SkipList();
  Outcome o;
  for (const fs::path& f : files) RunOne(f, corpus.parent_path(), skip, &o);
  Report("generated corpus", o);
}

TEST(CorpusValidate, HandwrittenTestsAgreeWithCedar) {
  const fs::path root(WRIT_CONFORMANCE_DIR);
  const std::vector<fs::path> files = TestFiles(root / "tests", true);
  ASSERT_EQ(files.size(), 22u) << "the hand-written tests are not at " << root;
  Outcome o;
  for (const fs::path& f : files) RunOne(f, root, {}, &o);
  Report("hand-written tests", o);
}

}  // namespace
}  // namespace writ
