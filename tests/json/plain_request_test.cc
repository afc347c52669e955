// Tests for src/json/plain_request: the fast path of RequestFromJson must
// make exactly the Request the general reader makes whenever it accepts a
// text, and must decline everything the general reader explains.
#include "src/json/plain_request.h"

#include <sys/mman.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/base/utf8.h"
#include "writ/engine.h"
#include "writ/json.h"
#include "writ/limits.h"
#include "writ/policy_set.h"
#include "writ/revocation.h"

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

// DecideJson: its fast path (DecidePlainJson: the text straight into a
// prepared request, the context never built) must decide every text as
// RequestFromJson and Engine::Decide do, and give way to them whenever a
// policy needs the context itself.
constexpr const char* kContextPolicies = R"(
permit(principal, action == Action::"paths", resource) when { context.credential.expires > context.now && context.env == "prod" };
permit(principal, action == Action::"whole", resource) when { context == {"env": "prod"} };
permit(principal, action == Action::"record", resource) when { context.credential == {"expires": 5} };
permit(principal, action == Action::"has", resource) when { context.credential has expires && context has env };
permit(principal, action == Action::"error", resource) when { context.missing == 1 };
permit(principal, action == Action::"long", resource) when { context.env == "production-east" && context.tags.contains("x") };
permit(principal, action == Action::"deep", resource) when { context.a.b.c == 1 || context.a.b has d };
permit(principal in Group::"g", action == Action::"entity", resource) when { principal.level > 2 };
forbid(principal, action, resource) when { context has credential && context.credential has revoked && context.credential.revoked };
)";

std::string ShowDecision(const Decision& d) {
  std::string s = absl::StrCat(d.allowed ? "allow" : "deny", " [", absl::StrJoin(d.reasons, ","), "]");
  for (const PolicyError& e : d.errors) absl::StrAppend(&s, " {", e.policy_id, ": ", e.message, "}");
  if (d.revoked) s += " revoked";
  return s;
}

// DecideJson against RequestFromJson + Decide on `text`: the same decision,
// or the same failure and issues. Returns whether the fast path decided it.
bool DecidesAlike(const Engine& engine, const std::string& text) {
  std::vector<Issue> want_issues, got_issues;
  std::string want;
  absl::StatusOr<Request> r = RequestFromJson(text, "r.json", &want_issues);
  if (r.ok()) {
    want = ShowDecision(engine.Decide(*r));
  } else {
    want = absl::StrCat("not read: ", r.status().message(), "\n", RenderIssues(want_issues));
  }
  Decision d;
  absl::Status s = DecideJson(engine, text, "r.json", &got_issues, &d);
  const std::string got = s.ok() ? ShowDecision(d) : absl::StrCat("not read: ", s.message(), "\n", RenderIssues(got_issues));
  EXPECT_EQ(got, want) << text;
  Decision lean;
  return DecidePlainJson(engine, text, &lean);
}

std::string ContextRequest(absl::string_view principal, absl::string_view action, absl::string_view context) {
  return absl::StrCat(R"({"principal":")", principal, R"(","action":"Action::\")", action,
                      R"(\"","resource":"R::\"r\"","context":)", context, "}");
}

std::unique_ptr<Engine> ContextEngine(std::shared_ptr<RevocationList> revoked = nullptr) {
  PolicySet set;
  std::vector<Issue> issues;
  EXPECT_TRUE(set.Add(kContextPolicies, "p.cedar", &issues).ok()) << RenderIssues(issues);
  absl::StatusOr<Entities> entities = EntitiesFromJson(
      R"([{"uid":{"type":"User","id":"a"},"attrs":{"level":3},"parents":[{"type":"Group","id":"g"}]},
          {"uid":{"type":"Group","id":"g"},"attrs":{},"parents":[]}])",
      "e.json", &issues);
  EXPECT_TRUE(entities.ok()) << RenderIssues(issues);
  DecideOptions options;
  options.revoked = std::move(revoked);
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Compile(set, *std::move(entities), options);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return *std::move(engine);
}

// Contexts that each policy reads in full, in part, wrongly or not at all.
const std::vector<std::string>& ContextRequests() {
  static const auto* texts = [] {
    auto* t = new std::vector<std::string>;
    const char* contexts[] = {
        R"({"env":"prod","now":10,"credential":{"id":"c-1","expires":20,"revoked":false}})",
        R"({"env":"prod","now":30,"credential":{"expires":20}})",
        R"({"env":"prod","credential":{"expires":5}})",
        R"({"env":"prod"})",
        R"({})",
        R"({"env":"production-east","tags":["x","y"],"credential":"c-1"})",
        R"({"env":7,"now":"10","credential":{"expires":"20","revoked":true}})",
        R"({"a":{"b":{"c":1}},"other":[1,{"k":"v"},[true]],"credential":{"revoked":1}})",
        R"({"a":{"b":{"d":null}}})",
        R"({"a":{"b":{"c":1,"c":2}}})",
        R"({"a":{"b":[1]},"now":1.5})",
        R"({"__extn":{"fn":"ip","arg":"10.0.0.1"}})",
        R"({"env":"prod","x":{"__entity":{"type":"User","id":"a"}}})",
    };
    for (const char* action : {"paths", "whole", "record", "has", "error", "long", "deep", "entity"}) {
      for (const char* context : contexts) {
        for (const char* principal : {R"(User::\"a\")", R"(User::\"unknown\")"}) {
          t->push_back(ContextRequest(principal, action, context));
        }
      }
    }
    return t;
  }();
  return *texts;
}

TEST(DecideJson, DecidesAsTheRequestIsDecided) {
  std::unique_ptr<Engine> engine = ContextEngine();
  int lean = 0;
  for (const std::string& text : ContextRequests()) lean += DecidesAlike(*engine, text) ? 1 : 0;
  EXPECT_GT(lean, static_cast<int>(ContextRequests().size()) / 5);   // 5 of the 13 contexts are declined
  // What needs the context itself is decided again from the Request.
  Decision d;
  EXPECT_FALSE(DecidePlainJson(*engine, ContextRequest(R"(User::\"a\")", "whole", R"({"env":"prod"})"), &d));
  EXPECT_FALSE(DecidePlainJson(
      *engine, ContextRequest(R"(User::\"a\")", "record", R"({"credential":{"expires":5}})"), &d));
  EXPECT_FALSE(DecidePlainJson(*engine, ContextRequest(R"(User::\"a\")", "error", R"({"env":"prod"})"), &d));
  EXPECT_TRUE(DecidePlainJson(
      *engine, ContextRequest(R"(User::\"a\")", "paths", R"({"env":"prod","now":1,"credential":{"expires":2}})"), &d));
  EXPECT_TRUE(d.allowed);
}

// A revocation list is read against the context's credential, which the
// fast path does not build: it gives way once the list holds anything.
TEST(DecideJson, GivesWayToARevocationList) {
  auto list = std::make_shared<RevocationList>();
  std::unique_ptr<Engine> engine = ContextEngine(list);
  const std::string text =
      ContextRequest(R"(User::\"a\")", "paths", R"({"env":"prod","now":1,"credential":{"expires":2}})");
  Decision d;
  EXPECT_TRUE(DecidePlainJson(*engine, text, &d));
  ASSERT_TRUE(list->Revoke(EntityUid{"User", "a"}).ok());
  EXPECT_FALSE(DecidePlainJson(*engine, text, &d));
  for (const std::string& t : ContextRequests()) DecidesAlike(*engine, t);
}

// Past each bound the fast path gives way, and the answer is the full
// reader's: a text over kMaxJsonBytes is refused without a byte of it read,
// a context object of more than 64 members, an escaped key and nesting past
// kMaxPlainRequestDepth are read in full.
TEST(DecideJson, PastItsBoundsGivesTheFullReadersAnswer) {
  std::unique_ptr<Engine> engine = ContextEngine();
  const std::size_t size = kMaxJsonBytes + 1;
  void* p = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  std::vector<Issue> issues;
  Decision d;
  absl::Status s = DecideJson(*engine, std::string_view(static_cast<const char*>(p), size), "big.json", &issues, &d);
  munmap(p, size);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("larger than the limit"), std::string_view::npos) << s;

  std::string wide = R"({"env":"prod","now":1,"credential":{"expires":2})";
  for (int k = 0; k < 64; ++k) absl::StrAppend(&wide, ",\"k", k, "\":", k);
  wide += "}";
  std::string deep = "1";
  for (int k = 0; k <= kMaxPlainRequestDepth; ++k) deep = absl::StrCat(R"({"d":)", deep, "}");
  for (const std::string& context : {wide, std::string(R"({"env":"prod","now":1,"credential":{"expires":2},"\u0078":1})"),
                                     absl::StrCat(R"({"env":"prod","now":1,"credential":{"expires":2},"x":)", deep, "}")}) {
    const std::string text = ContextRequest(R"(User::\"a\")", "paths", context);
    EXPECT_FALSE(DecidePlainJson(*engine, text, &d)) << text;
    DecidesAlike(*engine, text);
    EXPECT_TRUE(engine->Decide(*RequestFromJson(text, "r.json", nullptr)).allowed) << text;
  }
}

// Every one of those texts damaged one byte at a time, and cut short.
TEST(DecideJson, DecidesDamagedTextsAsTheRequestIsDecided) {
  std::unique_ptr<Engine> engine = ContextEngine();
  for (std::size_t k = 0; k < ContextRequests().size(); k += 3) {
    const std::string& text = ContextRequests()[k];
    for (std::size_t at = 0; at < text.size(); ++at) {
      for (const char c : {'"', '\\', '{', '}', '[', ',', ':', '_', '1', ' ', '\x80'}) {
        std::string damaged = text;
        damaged[at] = c;
        DecidesAlike(*engine, damaged);
      }
      DecidesAlike(*engine, text.substr(0, at));
    }
  }
}

}  // namespace
}  // namespace writ::internal
