// Tests for src/json/json_reader: the fast path (ReadPlainJson) against the
// thorough one (nlohmann's parser): whatever the fast path accepts, the
// thorough one accepts too, with the same tree to the byte span; whatever
// needs a message, the fast path declines.
#include "src/base/json_reader.h"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/base/source.h"
#include "src/base/utf8.h"
#include "writ/limits.h"

namespace writ::internal {
namespace {

namespace fs = std::filesystem;

// The first difference between two trees, or "" when they are the same.
std::string Diff(const JsonNode& a, const JsonNode& b, const std::string& at = "$") {
  auto span = [](Span s) { return absl::StrCat("[", s.begin, ",", s.end, ")"); };
  if (a.kind != b.kind) return at + ": kind " + std::string(JsonKindName(a.kind)) + " vs " + std::string(JsonKindName(b.kind));
  if (a.span.begin != b.span.begin || a.span.end != b.span.end) {
    return absl::StrCat(at, ": span ", span(a.span), " vs ", span(b.span));
  }
  if (a.boolean != b.boolean || a.integer != b.integer || a.string != b.string) return at + ": value";
  if (a.items.size() != b.items.size() || a.keys != b.keys) return at + ": members";
  for (std::size_t i = 0; i < a.key_spans.size(); ++i) {
    if (a.key_spans[i].begin != b.key_spans[i].begin || a.key_spans[i].end != b.key_spans[i].end) {
      return absl::StrCat(at, ".", a.keys[i], ": key span ", span(a.key_spans[i]), " vs ", span(b.key_spans[i]));
    }
  }
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    std::string d = Diff(a.items[i], b.items[i], absl::StrCat(at, "[", i, "]"));
    if (!d.empty()) return d;
  }
  return "";
}

// Holds the two paths to each other on `text`; returns whether the fast
// path accepted it.
bool Agree(std::string_view text, const std::string& name = "doc.json") {
  if (FindInvalidUtf8(text)) return false;   // both expect valid UTF-8: ReadJson checks it first
  std::optional<JsonNode> plain = ReadPlainJson(text);
  if (!plain) return false;
  SourceFile file(name, text);
  std::vector<Issue> issues;
  std::optional<JsonNode> thorough = ReadJsonThoroughly(file, &issues);
  EXPECT_TRUE(thorough.has_value()) << name << ": the fast path accepted what nlohmann rejects (" << text.size() << " bytes):\n"
                                    << absl::CHexEscape(std::string(text.substr(0, 300))) << "\n" << RenderIssues(issues);
  if (thorough) {
    EXPECT_EQ(Diff(*plain, *thorough), "") << name << ":\n" << text.substr(0, 300);
  }
  return true;
}

TEST(ReadPlainJson, AcceptsPlainDocumentsWithTheThoroughTree) {
  std::string wide = "{";
  for (int i = 0; i < 40; ++i) absl::StrAppend(&wide, i ? "," : "", "\"k", i, "\":", i);
  wide += "}";
  std::string deep = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  for (std::string_view doc : {
           std::string_view(R"({"principal":{"type":"Workload","id":"spiffe://prod.acme.io/ns/p/sa/api"},)"
                            R"("action":{"type":"Action","id":"write"},"resource":{"type":"Bucket","id":"l"},)"
                            R"("context":{"environment":"prod","now":1795000000,"ok":true,"no":false}})"),
           std::string_view(" \t\r\n[ 1 , -2 ,\n\"x\" , null , [ ] , { } , [[[]]] ] \n"),
           std::string_view("9223372036854775807"),
           std::string_view("-9223372036854775808"),
           std::string_view("[0,-1,10,true,false,null]"),
           std::string_view("\"caf\xC3\xA9 \xE2\x9C\x93\""),
           std::string_view(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})"),
           std::string_view(R"(["\"\\\/\b\f\n\r\t", "\u0041\u00e9\u2713\ud83d\ude00\u0000", "spiffe:\/\/td\/x"])"),
           std::string_view(R"({"\u0061":1, "b\n":2})"),
           std::string_view(wide),
           std::string_view(deep),
       }) {
    EXPECT_TRUE(Agree(doc)) << "declined: " << doc.substr(0, 80);
  }
}

TEST(ReadPlainJson, DeclinesWhatNeedsTheThoroughReader) {
  std::string wide_dup = "{";
  for (int i = 0; i < 40; ++i) absl::StrAppend(&wide_dup, "\"k", i, "\":", i, ",");
  wide_dup += "\"k25\":0}";
  std::string too_deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  for (std::string_view doc : {
           std::string_view(R"("\x")"), std::string_view(R"("\ud800")"), std::string_view(R"("\udc00")"),
           std::string_view(R"("\ud800\u0041")"), std::string_view(R"("\u12G4")"), std::string_view(R"("\u12")"),
           std::string_view(R"({"a":1,"\u0061":2})"), std::string_view("1.5"),
           std::string_view("1e3"), std::string_view("-0"), std::string_view("01"), std::string_view("-"),
           std::string_view("9223372036854775808"), std::string_view("-9223372036854775809"),
           std::string_view(R"({"a":1,"a":2})"), std::string_view(wide_dup), std::string_view(too_deep),
           std::string_view("\xEF\xBB\xBF{}"), std::string_view("[1,]"), std::string_view("{\"a\":1,}"),
           std::string_view(""), std::string_view("   "), std::string_view("tru"), std::string_view("nul"),
           std::string_view("\"a\tb\""), std::string_view("[1] x"), std::string_view("{\"a\" 1}"),
           std::string_view("[1 2]"), std::string_view("{1:2}"), std::string_view("\"open"), std::string_view("[")}) {
    EXPECT_FALSE(ReadPlainJson(doc).has_value()) << doc.substr(0, 80);
  }
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every JSON file of the bundled packs and of Cedar's corpus (when ctest
// gives its folder): the two paths agree, and the fast path takes most.
TEST(ReadPlainJson, AgreesOnEveryBundledAndCorpusFile) {
  std::vector<fs::path> roots = {fs::path(WRIT_SOURCE_DIR) / "policies"};
  if (const char* corpus = std::getenv("WRIT_CORPUS_DIR"); corpus != nullptr && fs::is_directory(corpus)) {
    roots.emplace_back(corpus);
  }
  int files = 0, plain = 0;
  for (const fs::path& root : roots) {
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.path().extension() != ".json") continue;
      const std::string text = Slurp(e.path());
      if (FindInvalidUtf8(text)) continue;
      ++files;
      plain += Agree(text, e.path().string()) ? 1 : 0;
    }
  }
  ASSERT_GT(files, 0);
  EXPECT_GE(plain * 10, files * 9) << plain << " of " << files << " files took the fast path";
}

// Random documents, plain and then damaged one byte at a time: whenever the
// fast path accepts, nlohmann accepts the same tree.
TEST(ReadPlainJson, AgreesOnRandomAndDamagedDocuments) {
  std::mt19937 rng(20261202);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> atoms = {"0",     "-1",   "42",    "9223372036854775807", "-9223372036854775808",
                                          "true",  "false", "null", "\"\"",                "\"id\"",
                                          "\"a b\"", "\"\xC3\xA9\"", "1.5", "\"q\\\"\"", "-0",
                                          "\"\\u0041\\n\\/\"", "\"\\ud83d\\ude00\"", "\"\\u0000\"", "\"\\ud83d\""};
  const std::vector<std::string> space = {"", "", " ", "\n", "\t ", "\r\n"};
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    const int kind = depth > 4 ? 2 : pick(3);
    if (kind == 2) return atoms[static_cast<std::size_t>(pick(static_cast<int>(atoms.size())))];
    const int n = pick(kind == 0 ? 20 : 5);
    std::string out = kind == 0 ? "{" : "[";
    for (int i = 0; i < n; ++i) {
      if (i) out += ",";
      out += space[static_cast<std::size_t>(pick(6))];
      if (kind == 0) absl::StrAppend(&out, "\"k", pick(n + 3), "\"", space[static_cast<std::size_t>(pick(6))], ":");
      out += gen(depth + 1) + space[static_cast<std::size_t>(pick(6))];
    }
    return out + (kind == 0 ? "}" : "]");
  };
  const std::string noise = "{}[],:\"\\-0123456789eE. \ntfnx";
  int accepted = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string doc = gen(0);
    accepted += Agree(doc) ? 1 : 0;
    for (int k = 0; k < 3 && !doc.empty(); ++k) {
      std::string damaged = doc;
      const auto at = static_cast<std::size_t>(pick(static_cast<int>(damaged.size())));
      switch (pick(3)) {
        case 0: damaged.erase(at, 1); break;
        case 1: damaged.insert(at, 1, noise[static_cast<std::size_t>(pick(static_cast<int>(noise.size())))]); break;
        default: damaged[at] = noise[static_cast<std::size_t>(pick(static_cast<int>(noise.size())))]; break;
      }
      Agree(damaged);
    }
  }
  EXPECT_GT(accepted, 500);   // the generator does exercise the fast path
}

}  // namespace
}  // namespace writ::internal
