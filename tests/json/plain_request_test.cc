// Tests for src/json/plain_request: the fast path of RequestFromJson must
// make exactly the Request the general reader makes whenever it accepts a
// text, and must decline everything the general reader explains.
#include "src/json/plain_request.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/base/utf8.h"
#include "writ/json.h"

namespace writ::internal {
namespace {

namespace fs = std::filesystem;

std::string Show(const Request& r) {
  std::string s = absl::StrCat(r.principal.ToString(), " ", r.action.ToString(), " ", r.resource.ToString(), " ",
                               r.context.ToString());
  if (r.now) absl::StrAppend(&s, " now");
  for (const EntityUid& c : r.chain) absl::StrAppend(&s, " chain ", c.ToString());
  return s;
}

// Whether the fast path took `text`; when it did, the general reader must
// read the same Request (and no mistake) from it.
bool Agree(const std::string& text) {
  if (FindInvalidUtf8(text)) return false;
  std::optional<Request> fast = ReadPlainRequest(text);
  if (!fast) return false;
  std::vector<Issue> issues;
  absl::StatusOr<Request> tree = RequestFromJsonTree(text, "r.json", &issues, JsonOptions{});
  EXPECT_TRUE(tree.ok()) << text << "\n" << tree.status();
  EXPECT_TRUE(issues.empty()) << text << "\n" << RenderIssues(issues);
  if (tree.ok()) {
    EXPECT_EQ(Show(*fast), Show(*tree)) << text;
    EXPECT_TRUE(fast->context == tree->context) << text;
  }
  return true;
}

constexpr const char* kPlain[] = {
    R"({"principal":"Workload::\"spiffe://prod.acme.io/ns/ns23/sa/svc73\"","action":"Action::\"deploy\"","resource":"Bucket::\"bucket-157\"","context":{"environment":"prod","now":1795000000,"credential":{"id":"cred-0","expires":1795003600,"revoked":false}}})",
    R"({"principal": {"type": "User", "id": "alice"}, "action": {"id": "view", "type": "Action"},
        "resource": "Photo::\"a.jpg\"", "context": {"tags": ["b", "a", "b"], "n": -9223372036854775808,
        "deep": {"x": {"y": {"z": [1, [2, 3], {}]}}}, "": true, "q": "\"\\u00e9\n"}})",
    R"(  {"resource": "A::B::\"r\"", "action": "Action::\"a\"", "principal": "A::\"\\\"quoted\\\"\""}  )",
    R"({"principal":"User::\"a\"","action":"Action::\"a\"","resource":"R::\"r\"","context":{}})",
    R"({"principal":"User :: \"a\"","action":"Action::\"a\"","resource":"R::\"r\""})",
    R"({"principal":{"type":"Ns::User","id":""},"action":"Action::\"a\"","resource":"R::\"r\"","context":{"a":[]}})",
};

constexpr const char* kDeclined[] = {
    R"({"principal":"User::\"a\"","action":"Action::\"a\"","resource":"R::\"r\"","now":"2026-01-01T00:00:00Z"})",
    R"({"principal":"User::\"a\"","action":"Action::\"a\"","resource":"R::\"r\"","chain":["User::\"b\""]})",
    R"({"principal":"User::\"a\"","action":"Action::\"a\"","resource":"R::\"r\"","context":{"ip":{"__extn":{"fn":"ip","arg":"10.0.0.1"}}}})",
    R"({"principal":"User::\"a\"","action":"Action::\"a\"","resource":"R::\"r\"","context":{"e":{"__entity":{"type":"U","id":"x"}}}})",
    R"({"principal":"User::\"a\"","action":"Action::\"a\"","resource":"R::\"r\"","context":{"x":null}})",
    R"({"principal":"User::\"a\"","action":"Action::\"a\"","resource":"R::\"r\"","context":{"x":1.5}})",
    R"({"principal":"User::\"a\"","action":"Action::\"a\"","resource":"R::\"r\"","context":{"x":1,"x":2}})",
    R"({"principal":"User::\"a\"","principal":"User::\"b\"","action":"Action::\"a\"","resource":"R::\"r\""})",
    R"({"principal":"User::\"a\"","action":"Action::\"a\"","resource":"R::\"r\"","context":[]})",
    R"({"principal":"User::\"a\"","action":"Action::\"a\""})",
    R"({"principal":{"type":"User ","id":"a"},"action":"Action::\"a\"","resource":"R::\"r\""})",
    R"({"principal":{"type":"User","id":"a","x":1},"action":"Action::\"a\"","resource":"R::\"r\""})",
    R"({"principal":"if::\"a\"","action":"Action::\"a\"","resource":"R::\"r\""})",
    R"({"principal":"User::\"a\"","action":"Action::\"a\"","resource":"R::\"r\""} x)",
    R"({"principal":"User::\"a\"","action":"Action::\"a\"","resource":"R::\"r\"","context":{"a":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}})",
};

TEST(ReadPlainRequest, TakesThePlainFormAndDeclinesTheRest) {
  for (const char* text : kPlain) EXPECT_TRUE(Agree(text)) << text;
  for (const char* text : kDeclined) EXPECT_FALSE(ReadPlainRequest(text).has_value()) << text;
}

// Each plain request damaged one byte at a time (and cut short): whenever
// the fast path still accepts, the general reader agrees.
TEST(ReadPlainRequest, AgreesOnDamagedRequests) {
  int accepted = 0, tried = 0;
  for (const std::string text : kPlain) {
    for (std::size_t at = 0; at < text.size(); ++at) {
      for (const char c : {'"', '\\', '{', '}', '[', ',', ':', '_', '1', '-', ' ', 'e', '\0', '\x80'}) {
        std::string damaged = text;
        damaged[at] = c;
        ++tried;
        accepted += Agree(damaged) ? 1 : 0;
      }
      accepted += Agree(text.substr(0, at)) ? 1 : 0;
    }
  }
  EXPECT_GT(accepted, tried / 10);   // the damage is often in an id or a value
}

// Every request of Cedar's own tests (the hand-written integration tests
// and, when ctest gives its folder, the generated corpus), without the
// expectation fields: the two paths agree, and the fast path takes most.
TEST(ReadPlainRequest, AgreesOnCedarsRequests) {
  std::vector<fs::path> roots = {fs::path(WRIT_CONFORMANCE_DIR) / "tests"};
  if (const char* corpus = std::getenv("WRIT_CORPUS_DIR"); corpus != nullptr && fs::is_directory(corpus)) {
    roots.emplace_back(corpus);
  }
  int requests = 0, plain = 0;
  for (const fs::path& root : roots) {
    if (!fs::is_directory(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.path().extension() != ".json" || e.path().string().ends_with(".entities.json")) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream s;
      s << in.rdbuf();
      const nlohmann::json test = nlohmann::json::parse(s.str(), nullptr, /*allow_exceptions=*/false);
      if (!test.is_object() || !test.contains("requests") || !test["requests"].is_array()) continue;
      for (nlohmann::json r : test["requests"]) {
        if (!r.is_object()) continue;
        for (const char* k : {"description", "decision", "reason", "errors", "validateRequest"}) r.erase(k);
        ++requests;
        plain += Agree(r.dump()) ? 1 : 0;
      }
    }
  }
  ASSERT_GT(requests, 0);
  EXPECT_GE(plain * 2, requests) << plain << " of " << requests << " requests took the fast path";
}

}  // namespace
}  // namespace writ::internal
