// Tests for src/fmt over Cedar's conformance corpus: every policy file (the
// 7,809 generated ones, the hand-written ones, writ's own policies/) formats,
// parses into the same policies as before (compared on the ASTs), and
// formats to itself a second time — at the default width, at a narrow one
// that breaks every group it can, and with comments put between its tokens.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/parse/lexer.h"
#include "tests/fmt/ast_canon.h"
#include "writ/format.h"

namespace writ::internal {
namespace {

namespace fs = std::filesystem;
using testing_helpers::CanonPolicies;

std::vector<fs::path> CedarFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".cedar") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `text` with a comment after every token: on the token's line (`// tN`), on
// lines of their own (`// lN`, sometimes after an empty line), or none, in
// turn. The comments are numbered in text order.
std::string WithComments(std::string_view text, int* count) {
  std::string out;
  std::vector<Span> ignored;
  std::uint32_t pos = 0;
  for (int i = 0;; ++i) {
    const Token t = LexToken(text, SkipTrivia(text, pos, &ignored));
    if (t.kind == Token::Kind::kEnd) break;
    out += t.text;
    switch (i % 4) {
      case 0: absl::StrAppend(&out, " // c", (*count)++, "\n"); break;
      case 1: absl::StrAppend(&out, "\n// c", (*count)++, "\n"); break;
      case 2:
        absl::StrAppend(&out, "\n\n// c", *count, "\n// c", *count + 1, "\n\n");
        *count += 2;
        break;
      default: out += " "; break;
    }
    pos = t.span.end;
  }
  return out;
}

// The comments `// c0` ... `// c<count-1>` appear in `text`, in order.
bool CommentsInOrder(const std::string& text, int count) {
  std::size_t at = 0;
  for (int i = 0; i < count; ++i) {
    const std::string c = absl::StrCat("// c", i, "\n");
    at = text.find(c, at);
    if (at == std::string::npos) return false;
    at += c.size();
  }
  return true;
}

// Under the sanitizers (CI's ASan and TSan runs, some 40 times slower), the
// variants beyond the default width run on every 4th file; the plain build
// runs everything on every file.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr std::size_t kVariantStride = 4;
#else
constexpr std::size_t kVariantStride = 1;
#endif

class CorpusFormatTest : public ::testing::Test {
 protected:
  // Formats `text` (whose policies print as `before`) and checks the three
  // properties; returns a description of the first that fails, or "". The
  // formatted text is left in `formatted`.
  static std::string Check(const std::string& text, const std::string& before, const FormatOptions& options,
                           std::string* formatted = nullptr) {
    std::vector<Issue> issues;
    absl::StatusOr<std::string> once = FormatPolicies(text, "corpus.cedar", &issues, options);
    if (before.starts_with("error:")) {
      return !once.ok() && once.status().code() == absl::StatusCode::kInvalidArgument && HasErrors(issues)
                 ? ""
                 : "text that does not parse was formatted";
    }
    if (!once.ok()) return absl::StrCat("does not format: ", once.status().ToString());
    if (const std::string after = CanonPolicies(*once); after != before) {
      return absl::StrCat("parses differently after formatting:\n", *once, "\n--- before:\n", before,
                          "\n--- after:\n", after);
    }
    absl::StatusOr<std::string> twice = FormatPolicies(*once, "corpus.cedar", nullptr, options);
    if (!twice.ok()) return absl::StrCat("formatted text does not format: ", twice.status().ToString());
    if (*twice != *once) return absl::StrCat("not idempotent:\n", *once, "\n--- then:\n", *twice);
    if (formatted != nullptr) *formatted = *std::move(once);
    return "";
  }

  static void RunOver(const std::vector<fs::path>& files) {
    int failures = 0;
    for (std::size_t n = 0; n < files.size(); ++n) {
      const fs::path& f = files[n];
      const std::string text = Slurp(f);
      const std::string before = CanonPolicies(text);
      const bool all = n % kVariantStride == 0;
      for (const FormatOptions& options : {FormatOptions{}, FormatOptions{20, 4}}) {
        if (options.line_width != FormatOptions{}.line_width && !all) continue;
        const std::string problem = Check(text, before, options);
        if (!problem.empty() && ++failures <= 10) {
          ADD_FAILURE() << f << " (width " << options.line_width << "): " << problem;
        }
      }
      if (!all) continue;
      int count = 0;
      const std::string commented = WithComments(text, &count);
      std::string out;
      std::string problem = Check(commented, before, FormatOptions{}, &out);
      if (problem.empty() && !before.starts_with("error:") && !CommentsInOrder(out, count)) {
        problem = absl::StrCat("comments lost or reordered:\n", out);
      }
      if (!problem.empty() && ++failures <= 10) ADD_FAILURE() << f << " (with comments): " << problem;
    }
    EXPECT_EQ(failures, 0) << "files failing";
  }
};

TEST_F(CorpusFormatTest, GeneratedCorpus) {
  const char* dir = std::getenv("WRIT_CORPUS_DIR");
  ASSERT_NE(dir, nullptr) << "WRIT_CORPUS_DIR is not set (ctest sets it)";
  const std::vector<fs::path> files = CedarFiles(dir);
  ASSERT_GE(files.size(), 7000u) << "Cedar's conformance corpus not found at " << dir
                                 << " (build the conformance_corpus_data target; set -DWRIT_CONFORMANCE_DIR)";
  RunOver(files);
}

TEST_F(CorpusFormatTest, HandwrittenTestsAndSampleData) {
  std::vector<fs::path> files = CedarFiles(fs::path(WRIT_CONFORMANCE_DIR) / "tests");
  ASSERT_GE(files.size(), 20u) << "Cedar's hand-written tests not found under " << WRIT_CONFORMANCE_DIR;
  for (const fs::path& f : CedarFiles(fs::path(WRIT_CONFORMANCE_DIR) / "sample-data")) files.push_back(f);
  RunOver(files);
}

TEST_F(CorpusFormatTest, BundledPolicies) {
  const std::vector<fs::path> files = CedarFiles(fs::path(WRIT_SOURCE_DIR) / "policies");
  ASSERT_FALSE(files.empty());
  RunOver(files);
  // `writ fmt --check policies/` passes: they are formatted already.
  for (const fs::path& f : files) {
    const std::string text = Slurp(f);
    absl::StatusOr<std::string> out = FormatPolicies(text, f.string(), nullptr);
    ASSERT_TRUE(out.ok()) << f << ": " << out.status();
    EXPECT_EQ(*out, text) << f << " is not formatted: run `writ fmt " << f.string() << "`";
  }
}

}  // namespace
}  // namespace writ::internal
