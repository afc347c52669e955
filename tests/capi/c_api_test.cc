// Tests for the C ABI (writ/c_api.h): decisions both ways, reasons and
// policy errors, rendered issues with file:line:col, NULL arguments, bounds,
// flags, lifecycle time, revocation (also while other threads decide), and
// that every returned string is freed (the ASan build checks for leaks).
#include "writ/c_api.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Owners for what the API returns.
struct StringFree {
  void operator()(char* s) const { writ_string_free(s); }
};
struct EngineFree {
  void operator()(writ_engine* e) const { writ_engine_free(e); }
};
struct DecisionFree {
  void operator()(writ_decision* d) const { writ_decision_free(d); }
};
using String = std::unique_ptr<char, StringFree>;
using EnginePtr = std::unique_ptr<writ_engine, EngineFree>;
using DecisionPtr = std::unique_ptr<writ_decision, DecisionFree>;

std::string Take(char* s) {
  String owned(s);
  return s == nullptr ? std::string("<null>") : std::string(s);
}

std::string ReadExample(const std::string& name) {
  std::ifstream in(std::string(WRIT_SOURCE_DIR) + "/policies/example/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr const char* kApi = "Workload::\"spiffe://prod.acme.io/ns/payments/sa/api\"";
constexpr const char* kFrontend = "Workload::\"spiffe://prod.acme.io/ns/web/sa/frontend\"";

class CApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char* error = nullptr;
    engine_.reset(writ_engine_new(ReadExample("policies.cedar").c_str(),
                                  ReadExample("entities.json").c_str(), &error));
    ASSERT_NE(engine_, nullptr) << Take(error);
    EXPECT_EQ(error, nullptr);
  }

  // Decides with plain strings; fails the test when the call fails.
  DecisionPtr Decide(const char* principal, const char* action, const char* resource,
                     const char* context, const char* now = nullptr) {
    writ_decision* d = nullptr;
    char* error = nullptr;
    int rc = writ_decide(engine_.get(), principal, action, resource, context, now, &d, &error);
    EXPECT_EQ(rc, WRIT_OK) << Take(error);
    EXPECT_EQ(error, nullptr);
    return DecisionPtr(d);
  }

  std::string DecideJson(const std::string& request) {
    char* json = nullptr;
    char* error = nullptr;
    int rc = writ_decide_json(engine_.get(), request.c_str(), &json, &error);
    EXPECT_EQ(rc, WRIT_OK) << Take(error);
    return Take(json);
  }

  EnginePtr engine_;
};

TEST(CApiBasicsTest, VersionAndStatusNames) {
  EXPECT_STREQ(writ_version(), WRIT_TEST_VERSION);
  EXPECT_STREQ(writ_status_string(WRIT_OK), "ok");
  EXPECT_STREQ(writ_status_string(WRIT_INVALID_ARGUMENT), "invalid argument");
  EXPECT_STREQ(writ_status_string(WRIT_INVALID_INPUT), "invalid input");
  EXPECT_STREQ(writ_status_string(WRIT_TOO_LARGE), "input too large");
  EXPECT_STREQ(writ_status_string(WRIT_NO_MEMORY), "out of memory");
  EXPECT_STREQ(writ_status_string(WRIT_INTERNAL), "internal error");
  EXPECT_STREQ(writ_status_string(-1), "unknown status");
  EXPECT_STREQ(writ_status_string(99), "unknown status");
}

TEST_F(CApiTest, CountsPoliciesAndEntities) {
  EXPECT_EQ(writ_engine_policy_count(engine_.get()), 4u);
  EXPECT_EQ(writ_engine_entity_count(engine_.get()), 15u);
  EXPECT_EQ(writ_engine_warnings(engine_.get()), nullptr);
}

TEST_F(CApiTest, DecidesTheExampleRequestFromJson) {
  EXPECT_EQ(DecideJson(ReadExample("request.json")),
            R"({"decision":"allow","reasons":["policy0"],"errors":[]})");
}

// policies/example/requests.jsonl: every line is decided, except the one
// written malformed on purpose, which is an error located in that line.
TEST_F(CApiTest, DecidesEveryExampleLine) {
  std::istringstream lines(ReadExample("requests.jsonl"));
  std::string line;
  int decided = 0;
  int unreadable = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    char* json = nullptr;
    char* error = nullptr;
    int rc = writ_decide_json(engine_.get(), line.c_str(), &json, &error);
    if (rc == WRIT_OK) {
      EXPECT_THAT(Take(json), StartsWith(R"({"decision":")")) << line;
      EXPECT_EQ(error, nullptr);
      ++decided;
    } else {
      EXPECT_EQ(rc, WRIT_INVALID_INPUT);
      EXPECT_EQ(json, nullptr);
      EXPECT_THAT(Take(error), StartsWith("request:1:")) << line;
      ++unreadable;
    }
  }
  EXPECT_GE(decided, 5);
  EXPECT_EQ(unreadable, 1);
}

TEST_F(CApiTest, AllowsWithReasons) {
  DecisionPtr d = Decide(kApi, "Action::\"read\"", "Bucket::\"ledger\"",
                         R"({"environment": "prod", "now": 1795000000})");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(writ_decision_allowed(d.get()), 1);
  EXPECT_EQ(writ_decision_revoked(d.get()), 0);
  ASSERT_EQ(writ_decision_reason_count(d.get()), 1u);
  EXPECT_STREQ(writ_decision_reason(d.get(), 0), "policy0");
  EXPECT_EQ(writ_decision_reason(d.get(), 1), nullptr);
  EXPECT_EQ(writ_decision_error_count(d.get()), 0u);
  EXPECT_EQ(writ_decision_breakglass_count(d.get()), 0u);
  EXPECT_EQ(Take(writ_decision_to_json(d.get())),
            R"({"decision":"allow","reasons":["policy0"],"errors":[]})");
}

TEST_F(CApiTest, DeniesByForbidWithItsReason) {
  DecisionPtr d = Decide(kApi, "Action::\"write\"", "Bucket::\"ledger\"",
                         R"({"environment": "prod", "now": 1795000000,
                             "credential": {"id": "c2", "revoked": true, "expires": 1795003600}})");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(writ_decision_allowed(d.get()), 0);
  ASSERT_EQ(writ_decision_reason_count(d.get()), 1u);
  EXPECT_STREQ(writ_decision_reason(d.get(), 0), "policy3");
}

TEST_F(CApiTest, DeniesByDefaultWithoutReasons) {
  DecisionPtr d = Decide(kFrontend, "Action::\"read\"", "Bucket::\"ledger\"",
                         R"({"environment": "prod", "now": 1795000000})");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(writ_decision_allowed(d.get()), 0);
  EXPECT_EQ(writ_decision_reason_count(d.get()), 0u);
  // A credential without `revoked`: policy3 reads it and errors.
  d = Decide(kApi, "Action::\"read\"", "Bucket::\"ledger\"", R"({"credential": {"id": "c3"}})");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(writ_decision_allowed(d.get()), 0);
  ASSERT_EQ(writ_decision_error_count(d.get()), 1u);
  EXPECT_STREQ(writ_decision_error_policy(d.get(), 0), "policy3");
  EXPECT_THAT(writ_decision_error_message(d.get(), 0), HasSubstr("revoked"));
  EXPECT_EQ(writ_decision_error_policy(d.get(), 1), nullptr);
  EXPECT_EQ(writ_decision_error_message(d.get(), 1), nullptr);
  // The same as JSON, with the error listed.
  EXPECT_THAT(Take(writ_decision_to_json(d.get())),
              StartsWith(R"({"decision":"deny","reasons":[],"errors":[{"policy":"policy3","message":")"));
}

TEST_F(CApiTest, PlainStringsAndJsonAgree) {
  DecisionPtr d = Decide(kApi, "Action::\"write\"", "Bucket::\"ledger-2026\"",
                         R"({"environment": "prod", "now": 1795000000})");
  std::string json = DecideJson(
      R"({"principal": "Workload::\"spiffe://prod.acme.io/ns/payments/sa/api\"",
          "action": {"type": "Action", "id": "write"},
          "resource": {"__entity": {"type": "Bucket", "id": "ledger-2026"}},
          "context": {"environment": "prod", "now": 1795000000}})");
  EXPECT_EQ(Take(writ_decision_to_json(d.get())), json);
}

TEST(CApiErrorsTest, PolicyParseErrorsAreRenderedWithLocations) {
  char* error = nullptr;
  writ_engine* engine = writ_engine_new(
      "permit(principal, action, resource);\npermit(principal, action, ) when { true };\n", nullptr,
      &error);
  EXPECT_EQ(engine, nullptr);
  std::string text = Take(error);
  EXPECT_THAT(text, HasSubstr("policies:2:27: error: "));
  EXPECT_THAT(text, HasSubstr("\n  permit(principal, action, ) when { true };\n"
                              "                            ^"));

  writ_engine* out = reinterpret_cast<writ_engine*>(&error);   // must be reset to NULL
  EXPECT_EQ(writ_engine_new_ex("permit(principal, action, resource) when { ip(\"1.2.3.4\").isInRnge(ip(\"1.0.0.0/8\")) };",
                               "app.cedar", nullptr, nullptr, 0, &out, &error),
            WRIT_INVALID_INPUT);
  EXPECT_EQ(out, nullptr);
  text = Take(error);
  EXPECT_THAT(text, HasSubstr("app.cedar:1:"));
  EXPECT_THAT(text, HasSubstr("isInRnge"));
  EXPECT_THAT(text, HasSubstr("note: did you mean `isInRange`?"));
}

TEST(CApiErrorsTest, EntityErrorsAreRenderedWithLocations) {
  char* error = nullptr;
  writ_engine* out = nullptr;
  EXPECT_EQ(writ_engine_new_ex("permit(principal, action, resource);", nullptr,
                               "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {}}\n]",
                               "inventory.json", 0, &out, &error),
            WRIT_INVALID_INPUT);
  EXPECT_EQ(out, nullptr);
  EXPECT_THAT(Take(error), HasSubstr("inventory.json:2:3: error: entity `User::\"a\"` is missing `parents`"));

  EXPECT_EQ(writ_engine_new("permit(principal, action, resource);", "[{", &error), nullptr);
  EXPECT_THAT(Take(error), HasSubstr("entities:1:"));
  EXPECT_EQ(writ_engine_new("permit(principal, action, resource);", "{}", &error), nullptr);
  EXPECT_THAT(Take(error), HasSubstr("entities:1:1: error: entities must be a JSON array"));
}

TEST(CApiErrorsTest, WarningsAreKeptOnTheEngine) {
  char* error = nullptr;
  EnginePtr engine(writ_engine_new(
      "permit(principal, action, resource);",
      R"([{"uid": {"type": "User", "id": "a"}, "attrs": {}, "parents": [], "color": 1}])", &error));
  ASSERT_NE(engine, nullptr) << Take(error);
  EXPECT_EQ(error, nullptr);
  ASSERT_NE(writ_engine_warnings(engine.get()), nullptr);
  EXPECT_THAT(writ_engine_warnings(engine.get()),
              HasSubstr("entities:1:67: warning: unknown entity field `color` is ignored"));
}

TEST_F(CApiTest, BadRequestJsonIsAnErrorAndNoDecision) {
  struct Case {
    const char* request;
    const char* expected;
  };
  const Case cases[] = {
      {"", "request:1:1: error: "},
      {"{\"principal\": ", "request:1:"},
      {"[]", "request:1:1: error: a request must be a JSON object"},
      {R"({"principal": "User::\"a\"", "action": "Action::\"a\"", "resource": "R::\"r\"", "extra": 1})",
       "request:1:81: error: unknown request field `extra`"},
      {R"({"principal": "alice", "action": "Action::\"a\"", "resource": "R::\"r\""})",
       "request:1:15: error: `alice` is not an entity reference"},
      {R"({"action": "Action::\"a\"", "resource": "R::\"r\""})", "error: request is missing `principal`"},
      {R"({"principal": "User::\"a\"", "action": "Action::\"a\"", "resource": "R::\"r\"", "now": "soon"})",
       "error: `now` must be an RFC 3339 time"},
      {"{\"principal\": \"\xff\"}", "request:1:"},
  };
  for (const Case& c : cases) {
    char* json = reinterpret_cast<char*>(this);   // must be reset to NULL
    char* error = nullptr;
    EXPECT_EQ(writ_decide_json(engine_.get(), c.request, &json, &error), WRIT_INVALID_INPUT) << c.request;
    EXPECT_EQ(json, nullptr);
    EXPECT_THAT(Take(error), HasSubstr(c.expected)) << c.request;
  }
}

TEST_F(CApiTest, BadPlainStringsAreErrors) {
  struct Case {
    const char* principal;
    const char* context;
    const char* now;
    const char* expected;
  };
  const Case cases[] = {
      {"alice", nullptr, nullptr, "principal: error: `alice` is not an entity uid"},
      {"User::alice", nullptr, nullptr, "principal: error: `User::alice` is not an entity uid"},
      {"User::\"a\" trailing", nullptr, nullptr, "is not an entity uid"},
      {"User::\"\xc3\"", nullptr, nullptr, "principal: error: invalid UTF-8 at byte 7"},
      {kApi, "[1, 2]", nullptr, "context: error: the context must be a JSON object (a record), not set"},
      {kApi, "{\"a\": ", nullptr, "context:1:"},
      {kApi, "{\"a\": null}", nullptr, "context:1:7: error: found a `null`"},
      {kApi, nullptr, "yesterday", "now: error: `yesterday` is not an RFC 3339 time"},
      {kApi, nullptr, "2026-11-22T12:00:00", "is not an RFC 3339 time"},
      {kApi, nullptr, "\xff", "now: error: invalid UTF-8"},
  };
  for (const Case& c : cases) {
    writ_decision* d = reinterpret_cast<writ_decision*>(this);   // must be reset to NULL
    char* error = nullptr;
    EXPECT_EQ(writ_decide(engine_.get(), c.principal, "Action::\"read\"", "Bucket::\"ledger\"",
                          c.context, c.now, &d, &error),
              WRIT_INVALID_INPUT)
        << c.expected;
    EXPECT_EQ(d, nullptr);
    EXPECT_THAT(Take(error), HasSubstr(c.expected));
  }
  // The action and resource are checked the same way, and named.
  writ_decision* d = nullptr;
  char* error = nullptr;
  EXPECT_EQ(writ_decide(engine_.get(), kApi, "read", "Bucket::\"ledger\"", nullptr, nullptr, &d, &error),
            WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), StartsWith("action: error: `read` is not an entity uid\n  note: write Type::\"id\""));
  EXPECT_EQ(writ_decide(engine_.get(), kApi, "Action::\"read\"", "", nullptr, nullptr, &d, &error),
            WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), StartsWith("resource: error: `` is not an entity uid"));
  // A long bad uid is shown shortened.
  std::string long_uid(1000, 'x');
  EXPECT_EQ(writ_decide(engine_.get(), long_uid.c_str(), "Action::\"read\"", "Bucket::\"ledger\"",
                        nullptr, nullptr, &d, &error),
            WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), HasSubstr("`" + std::string(80, 'x') + "...` is not an entity uid"));
  // Uids take Cedar's escapes and namespaces, as in policies.
  DecisionPtr ok = Decide("Ns::User::\"a\\\"b\"", "Action::\"read\"", "Bucket::\"ledger\"", "");
  ASSERT_NE(ok, nullptr);
}

TEST_F(CApiTest, NullArgumentsAreErrorsNotCrashes) {
  char* error = nullptr;
  char* json = nullptr;
  writ_decision* d = nullptr;
  int revoked = 7;
  writ_engine* e = engine_.get();

  EXPECT_EQ(writ_engine_new(nullptr, nullptr, &error), nullptr);
  EXPECT_EQ(Take(error), "error: writ_engine_new: `policies` is NULL\n");
  EXPECT_EQ(writ_engine_new(nullptr, nullptr, nullptr), nullptr);   // no text wanted
  EXPECT_EQ(writ_engine_new_ex("", nullptr, nullptr, nullptr, 0, nullptr, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("`engine_out` is NULL"));

  EXPECT_EQ(writ_decide_json(nullptr, "{}", &json, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("writ_decide_json: `engine` is NULL"));
  EXPECT_EQ(writ_decide_json(e, nullptr, &json, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("`request_json` is NULL"));
  EXPECT_EQ(writ_decide_json(e, "{}", nullptr, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("`decision_json_out` is NULL"));
  EXPECT_EQ(writ_decide_json(e, "{}", nullptr, nullptr), WRIT_INVALID_ARGUMENT);
  EXPECT_EQ(json, nullptr);

  const char* a = "Action::\"read\"";
  EXPECT_EQ(writ_decide(nullptr, kApi, a, a, nullptr, nullptr, &d, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("writ_decide: `engine` is NULL"));
  EXPECT_EQ(writ_decide(e, nullptr, a, a, nullptr, nullptr, &d, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("`principal` is NULL"));
  EXPECT_EQ(writ_decide(e, kApi, nullptr, a, nullptr, nullptr, &d, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("`action` is NULL"));
  EXPECT_EQ(writ_decide(e, kApi, a, nullptr, nullptr, nullptr, &d, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("`resource` is NULL"));
  EXPECT_EQ(writ_decide(e, kApi, a, a, nullptr, nullptr, nullptr, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("`decision_out` is NULL"));
  EXPECT_EQ(d, nullptr);

  EXPECT_EQ(writ_revoke(nullptr, kApi, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("writ_revoke: `engine` is NULL"));
  EXPECT_EQ(writ_revoke(e, nullptr, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("writ_revoke: `uid` is NULL"));
  EXPECT_EQ(writ_restore(nullptr, kApi, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("writ_restore: `engine` is NULL"));
  EXPECT_EQ(writ_restore(e, nullptr, nullptr), WRIT_INVALID_ARGUMENT);
  EXPECT_EQ(writ_is_revoked(e, kApi, nullptr, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_THAT(Take(error), HasSubstr("`revoked_out` is NULL"));
  EXPECT_EQ(writ_is_revoked(nullptr, kApi, &revoked, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_EQ(revoked, 0);
  EXPECT_THAT(Take(error), HasSubstr("`engine` is NULL"));
  EXPECT_EQ(writ_is_revoked(e, nullptr, &revoked, nullptr), WRIT_INVALID_ARGUMENT);

  // Accessors and frees take NULL.
  EXPECT_EQ(writ_engine_policy_count(nullptr), 0u);
  EXPECT_EQ(writ_engine_entity_count(nullptr), 0u);
  EXPECT_EQ(writ_engine_warnings(nullptr), nullptr);
  EXPECT_EQ(writ_decision_allowed(nullptr), 0);
  EXPECT_EQ(writ_decision_revoked(nullptr), 0);
  EXPECT_EQ(writ_decision_reason_count(nullptr), 0u);
  EXPECT_EQ(writ_decision_reason(nullptr, 0), nullptr);
  EXPECT_EQ(writ_decision_error_count(nullptr), 0u);
  EXPECT_EQ(writ_decision_error_policy(nullptr, 0), nullptr);
  EXPECT_EQ(writ_decision_error_message(nullptr, 0), nullptr);
  EXPECT_EQ(writ_decision_breakglass_count(nullptr), 0u);
  EXPECT_EQ(writ_decision_breakglass(nullptr, 0), nullptr);
  EXPECT_EQ(writ_decision_to_json(nullptr), nullptr);
  writ_decision_free(nullptr);
  writ_engine_free(nullptr);
  writ_string_free(nullptr);
}

TEST(CApiErrorsTest, EmptyInputs) {
  char* error = nullptr;
  EnginePtr engine(writ_engine_new("", "", &error));   // no policies, no entities: denies all
  ASSERT_NE(engine, nullptr) << Take(error);
  EXPECT_EQ(writ_engine_policy_count(engine.get()), 0u);
  writ_decision* d = nullptr;
  ASSERT_EQ(writ_decide(engine.get(), kApi, "Action::\"a\"", "R::\"r\"", "", "", &d, &error), WRIT_OK);
  EXPECT_EQ(writ_decision_allowed(d), 0);
  writ_decision_free(d);
}

TEST(CApiErrorsTest, FlagsAreChecked) {
  char* error = nullptr;
  writ_engine* engine = nullptr;
  EXPECT_EQ(writ_engine_new_ex("", nullptr, nullptr, nullptr, 4u, &engine, &error), WRIT_INVALID_ARGUMENT);
  EXPECT_EQ(Take(error), "error: writ_engine_new_ex: unknown flags 0x4\n");
  EXPECT_EQ(engine, nullptr);

  // WRIT_STRICT: writ's extensions are errors, in policies and in JSON.
  const char* spiffe_policy =
      "permit(principal, action, resource) when { spiffe(\"spiffe://acme.io/a\").trustDomain() == \"acme.io\" };";
  EXPECT_EQ(writ_engine_new_ex(spiffe_policy, nullptr, nullptr, nullptr, WRIT_STRICT, &engine, &error),
            WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), HasSubstr("policies:1:"));
  ASSERT_EQ(writ_engine_new_ex(spiffe_policy, nullptr, nullptr, nullptr, 0, &engine, &error), WRIT_OK)
      << Take(error);
  EnginePtr extended(engine);
  writ_decision* d = nullptr;
  ASSERT_EQ(writ_decide(extended.get(), kApi, "Action::\"a\"", "R::\"r\"", nullptr, nullptr, &d, &error),
            WRIT_OK);
  EXPECT_EQ(writ_decision_allowed(d), 1);
  writ_decision_free(d);

  ASSERT_EQ(writ_engine_new_ex("permit(principal, action, resource);", nullptr, nullptr, nullptr,
                               WRIT_STRICT, &engine, &error),
            WRIT_OK);
  EnginePtr strict(engine);
  EXPECT_EQ(writ_decide(strict.get(), kApi, "Action::\"a\"", "R::\"r\"",
                        R"({"id": {"__extn": {"fn": "spiffe", "arg": "spiffe://acme.io/a"}}})", nullptr, &d,
                        &error),
            WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), HasSubstr("extension function `spiffe` does not exist"));
}

TEST(CApiErrorsTest, FailClosedMakesAnErroringForbidDeny) {
  const char* policies =
      "permit(principal, action, resource);\n"
      "forbid(principal, action, resource) when { context.risk > 5 };\n";
  char* error = nullptr;
  writ_engine* raw = nullptr;
  ASSERT_EQ(writ_engine_new_ex(policies, nullptr, nullptr, nullptr, 0, &raw, &error), WRIT_OK);
  EnginePtr open(raw);
  ASSERT_EQ(writ_engine_new_ex(policies, nullptr, nullptr, nullptr, WRIT_FAIL_CLOSED, &raw, &error), WRIT_OK);
  EnginePtr closed(raw);

  writ_decision* d = nullptr;
  ASSERT_EQ(writ_decide(open.get(), kApi, "Action::\"a\"", "R::\"r\"", "{}", nullptr, &d, &error), WRIT_OK);
  EXPECT_EQ(writ_decision_allowed(d), 1);   // Cedar: the erroring forbid is skipped
  EXPECT_EQ(writ_decision_error_count(d), 1u);
  writ_decision_free(d);
  ASSERT_EQ(writ_decide(closed.get(), kApi, "Action::\"a\"", "R::\"r\"", "{}", nullptr, &d, &error), WRIT_OK);
  EXPECT_EQ(writ_decision_allowed(d), 0);
  ASSERT_EQ(writ_decision_reason_count(d), 1u);
  EXPECT_STREQ(writ_decision_reason(d, 0), "policy1");
  ASSERT_EQ(writ_decision_error_count(d), 1u);
  EXPECT_STREQ(writ_decision_error_policy(d, 0), "policy1");
  writ_decision_free(d);
}

TEST(CApiLifecycleTest, RequestTimeAndBreakGlass) {
  const char* policies =
      "@breakglass(\"INC-7\")\n"
      "@expires(\"2026-12-01T00:00:00Z\")\n"
      "permit(principal, action == Action::\"fix\", resource);\n";
  char* error = nullptr;
  EnginePtr engine(writ_engine_new(policies, nullptr, &error));
  ASSERT_NE(engine, nullptr) << Take(error);

  writ_decision* d = nullptr;
  ASSERT_EQ(writ_decide(engine.get(), kApi, "Action::\"fix\"", "R::\"r\"", nullptr, "2026-11-30T23:59:59Z",
                        &d, &error),
            WRIT_OK);
  EXPECT_EQ(writ_decision_allowed(d), 1);
  ASSERT_EQ(writ_decision_breakglass_count(d), 1u);
  EXPECT_STREQ(writ_decision_breakglass(d, 0), "policy0");
  EXPECT_EQ(writ_decision_breakglass(d, 1), nullptr);
  EXPECT_EQ(Take(writ_decision_to_json(d)),
            R"({"decision":"allow","reasons":["policy0"],"errors":[],"breakglass":["policy0"]})");
  writ_decision_free(d);

  ASSERT_EQ(writ_decide(engine.get(), kApi, "Action::\"fix\"", "R::\"r\"", nullptr, "2026-12-01T00:00:00Z",
                        &d, &error),
            WRIT_OK);
  EXPECT_EQ(writ_decision_allowed(d), 0);   // expired at exactly @expires
  writ_decision_free(d);
  ASSERT_EQ(writ_decide(engine.get(), kApi, "Action::\"fix\"", "R::\"r\"", nullptr, "2026-12-01T01:00:00+02:00",
                        &d, &error),
            WRIT_OK);
  EXPECT_EQ(writ_decision_allowed(d), 1);   // 2026-11-30T23:00Z
  writ_decision_free(d);

  char* json = nullptr;
  ASSERT_EQ(writ_decide_json(engine.get(),
                             R"({"principal": "W::\"a\"", "action": "Action::\"fix\"", "resource": "R::\"r\"",
                                 "now": "2026-12-02T00:00:00Z"})",
                             &json, &error),
            WRIT_OK);
  EXPECT_EQ(Take(json), R"({"decision":"deny","reasons":[],"errors":[]})");
}

TEST_F(CApiTest, RevokeAndRestore) {
  const char* context = R"({"environment": "prod", "now": 1795000000})";
  char* error = nullptr;
  int revoked = -1;
  ASSERT_EQ(writ_is_revoked(engine_.get(), kApi, &revoked, &error), WRIT_OK);
  EXPECT_EQ(revoked, 0);

  // Revoking an ancestor (the namespace) revokes its workloads.
  ASSERT_EQ(writ_revoke(engine_.get(), "Namespace::\"payments\"", &error), WRIT_OK) << Take(error);
  EXPECT_EQ(error, nullptr);
  DecisionPtr d = Decide(kApi, "Action::\"read\"", "Bucket::\"ledger\"", context);
  EXPECT_EQ(writ_decision_allowed(d.get()), 0);
  EXPECT_EQ(writ_decision_revoked(d.get()), 1);
  EXPECT_EQ(writ_decision_reason_count(d.get()), 0u);
  EXPECT_EQ(Take(writ_decision_to_json(d.get())),
            R"({"decision":"deny","reasons":[],"errors":[],"revoked":true})");
  EXPECT_EQ(DecideJson(R"({"principal": "Workload::\"spiffe://prod.acme.io/ns/payments/sa/api\"",
                           "action": "Action::\"read\"", "resource": "Bucket::\"ledger\"",
                           "context": {"environment": "prod"}})"),
            R"({"decision":"deny","reasons":[],"errors":[],"revoked":true})");
  ASSERT_EQ(writ_is_revoked(engine_.get(), "Namespace::\"payments\"", &revoked, &error), WRIT_OK);
  EXPECT_EQ(revoked, 1);
  EXPECT_EQ(writ_revoke(engine_.get(), "Namespace::\"payments\"", &error), WRIT_OK);   // again: no change

  ASSERT_EQ(writ_restore(engine_.get(), "Namespace::\"payments\"", &error), WRIT_OK);
  EXPECT_EQ(writ_restore(engine_.get(), "Namespace::\"payments\"", &error), WRIT_OK);   // not revoked: fine
  d = Decide(kApi, "Action::\"read\"", "Bucket::\"ledger\"", context);
  EXPECT_EQ(writ_decision_allowed(d.get()), 1);

  // The credential in the context is checked too.
  ASSERT_EQ(writ_revoke(engine_.get(), "Credential::\"key-42\"", &error), WRIT_OK);
  d = Decide(kApi, "Action::\"read\"", "Bucket::\"ledger\"",
             R"({"environment": "prod", "credential": {"__entity": {"type": "Credential", "id": "key-42"}}})");
  EXPECT_EQ(writ_decision_revoked(d.get()), 1);

  // Bad uids are errors, and change nothing.
  EXPECT_EQ(writ_revoke(engine_.get(), "payments", &error), WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), StartsWith("uid: error: `payments` is not an entity uid"));
  EXPECT_EQ(writ_restore(engine_.get(), "", &error), WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), StartsWith("uid: error: "));
  EXPECT_EQ(writ_is_revoked(engine_.get(), "x", &revoked, &error), WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), StartsWith("uid: error: "));
}

TEST(CApiEngineTest, EachEngineHasItsOwnRevocationList) {
  char* error = nullptr;
  EnginePtr a(writ_engine_new("permit(principal, action, resource);", nullptr, &error));
  EnginePtr b(writ_engine_new("permit(principal, action, resource);", nullptr, &error));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(writ_revoke(a.get(), kApi, &error), WRIT_OK);
  writ_decision* d = nullptr;
  ASSERT_EQ(writ_decide(a.get(), kApi, "Action::\"a\"", "R::\"r\"", nullptr, nullptr, &d, &error), WRIT_OK);
  EXPECT_EQ(writ_decision_allowed(d), 0);
  writ_decision_free(d);
  ASSERT_EQ(writ_decide(b.get(), kApi, "Action::\"a\"", "R::\"r\"", nullptr, nullptr, &d, &error), WRIT_OK);
  EXPECT_EQ(writ_decision_allowed(d), 1);
  writ_decision_free(d);
}

// Under TSan (scripts/dev.sh runs *Concurrent* there): deciders on several
// threads while the main thread revokes and restores; once writ_revoke has
// returned, every thread's next decision is revoked.
TEST(CApiEngineTest, ConcurrentRevokeWhileDeciding) {
  char* error = nullptr;
  EnginePtr engine(writ_engine_new("permit(principal, action, resource);", nullptr, &error));
  ASSERT_NE(engine, nullptr) << Take(error);
  constexpr int kThreads = 3;
  std::atomic<int> phase{0};   // 0: churn, 1: revoked for good, 2: stop
  std::atomic<int> failures{0};
  std::atomic<int> seen_revoked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      bool counted = false;
      while (phase.load() != 2) {
        const int p = phase.load();
        writ_decision* d = nullptr;
        char* err = nullptr;
        const bool json = t % 2 == 0;
        int revoked = 0;
        if (json) {
          char* out = nullptr;
          if (writ_decide_json(engine.get(),
                               R"({"principal": "W::\"a\"", "action": "Action::\"a\"", "resource": "R::\"r\""})",
                               &out, &err) != WRIT_OK) {
            ++failures;
          } else {
            revoked = std::strstr(out, "\"revoked\":true") != nullptr ? 1 : 0;
          }
          writ_string_free(out);
        } else if (writ_decide(engine.get(), "W::\"a\"", "Action::\"a\"", "R::\"r\"", nullptr, nullptr, &d,
                               &err) != WRIT_OK) {
          ++failures;
        } else {
          revoked = writ_decision_revoked(d);
          if (revoked == writ_decision_allowed(d)) ++failures;   // exactly one of them
        }
        writ_decision_free(d);
        writ_string_free(err);
        if (p == 1) {
          if (!revoked) ++failures;   // revoked before this decision started
          if (!counted) {
            counted = true;
            ++seen_revoked;
          }
        }
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(writ_revoke(engine.get(), "W::\"a\"", nullptr), WRIT_OK);
    ASSERT_EQ(writ_restore(engine.get(), "W::\"a\"", nullptr), WRIT_OK);
  }
  ASSERT_EQ(writ_revoke(engine.get(), "W::\"a\"", nullptr), WRIT_OK);
  phase.store(1);
  while (seen_revoked.load() < kThreads) std::this_thread::yield();
  phase.store(2);
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(CApiBoundsTest, InputsPastTheirBoundsAreRefused) {
  char* error = nullptr;
  writ_engine* raw = nullptr;
  // Policy text: WRIT_MAX_POLICY_TEXT_BYTES; the same string serves as a uid
  // past WRIT_MAX_UID_BYTES.
  std::string big(WRIT_MAX_POLICY_TEXT_BYTES + 1, ' ');
  EXPECT_EQ(writ_engine_new_ex(big.c_str(), "big.cedar", nullptr, nullptr, 0, &raw, &error), WRIT_TOO_LARGE);
  EXPECT_EQ(raw, nullptr);
  EXPECT_EQ(Take(error), "big.cedar: error: larger than the limit of 67108864 bytes\n");
  EnginePtr engine(writ_engine_new("permit(principal, action, resource);", nullptr, &error));
  ASSERT_NE(engine, nullptr) << Take(error);

  writ_decision* d = nullptr;
  EXPECT_EQ(writ_decide(engine.get(), big.c_str(), "Action::\"a\"", "R::\"r\"", nullptr, nullptr, &d, &error),
            WRIT_TOO_LARGE);
  EXPECT_EQ(Take(error), "principal: error: larger than the limit of 67108864 bytes\n");
  EXPECT_EQ(writ_revoke(engine.get(), big.c_str(), &error), WRIT_TOO_LARGE);
  EXPECT_EQ(Take(error), "uid: error: larger than the limit of 67108864 bytes\n");

  // Names and times.
  std::string name(WRIT_MAX_NAME_BYTES + 1, 'n');
  EXPECT_EQ(writ_engine_new_ex("", name.c_str(), nullptr, nullptr, 0, &raw, &error), WRIT_TOO_LARGE);
  EXPECT_EQ(Take(error), "policies_name: error: larger than the limit of 4096 bytes\n");
  EXPECT_EQ(writ_engine_new_ex("", nullptr, nullptr, name.c_str(), 0, &raw, &error), WRIT_TOO_LARGE);
  EXPECT_EQ(Take(error), "entities_name: error: larger than the limit of 4096 bytes\n");
  name.pop_back();   // at the bound: accepted (bounds are inclusive)
  ASSERT_EQ(writ_engine_new_ex("permit(principal, action, ) ;", name.c_str(), nullptr, nullptr, 0, &raw, &error),
            WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), StartsWith(name + ":1:"));
  std::string now(WRIT_MAX_TIME_BYTES + 1, '1');
  EXPECT_EQ(writ_decide(engine.get(), kApi, "Action::\"a\"", "R::\"r\"", nullptr, now.c_str(), &d, &error),
            WRIT_TOO_LARGE);
  EXPECT_EQ(Take(error), "now: error: larger than the limit of 64 bytes\n");
  now.pop_back();   // at the bound: read (and not a time)
  EXPECT_EQ(writ_decide(engine.get(), kApi, "Action::\"a\"", "R::\"r\"", nullptr, now.c_str(), &d, &error),
            WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), HasSubstr("is not an RFC 3339 time"));

  // JSON nesting: 128 deep at most.
  std::string deep = std::string(200, '[') + std::string(200, ']');
  EXPECT_EQ(writ_decide(engine.get(), kApi, "Action::\"a\"", "R::\"r\"",
                        ("{\"a\": " + deep + "}").c_str(), nullptr, &d, &error),
            WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), HasSubstr("context:1:"));
  EXPECT_EQ(d, nullptr);
}

TEST(CApiBoundsTest, JsonPastItsBoundIsRefused) {
  char* error = nullptr;
  EnginePtr engine(writ_engine_new("", nullptr, &error));
  ASSERT_NE(engine, nullptr);
  std::string big(WRIT_MAX_JSON_BYTES + 1, ' ');
  char* json = nullptr;
  EXPECT_EQ(writ_decide_json(engine.get(), big.c_str(), &json, &error), WRIT_TOO_LARGE);
  EXPECT_EQ(Take(error), "request: error: larger than the limit of 268435456 bytes\n");
  writ_decision* d = nullptr;
  EXPECT_EQ(writ_decide(engine.get(), kApi, "Action::\"a\"", "R::\"r\"", big.c_str(), nullptr, &d, &error),
            WRIT_TOO_LARGE);
  EXPECT_EQ(Take(error), "context: error: larger than the limit of 268435456 bytes\n");
  EXPECT_EQ(writ_engine_new("", big.c_str(), &error), nullptr);
  EXPECT_EQ(Take(error), "entities: error: larger than the limit of 268435456 bytes\n");
}

}  // namespace

namespace {

// writ_engine_new_sources: several named sources, a schema requests are
// read through, revoked uids; each failure rendered with its location.
TEST(CApiSourcesTest, SchemaEntitiesAndRevocationsFromSources) {
  const char* schema =
      "entity Workload { env: String }; entity Bucket;\n"
      "action read appliesTo { principal: Workload, resource: Bucket, context: { ip: ipaddr } };\n";
  const char* entities = R"([{"uid": {"type": "Workload", "id": "api"}, "attrs": {"env": "prod"}, "parents": []}])";
  std::vector<writ_source> sources = {
      {WRIT_SOURCE_SCHEMA, "nhi.cedarschema", schema, WRIT_NUL_TERMINATED},
      {WRIT_SOURCE_POLICIES, "a.cedar", "permit(principal, action, resource) when { principal.env == \"prod\" };",
       WRIT_NUL_TERMINATED},
      {WRIT_SOURCE_POLICIES, "b.cedar", "forbid(principal, action, resource) when { context.ip.isLoopback() };",
       WRIT_NUL_TERMINATED},
      {WRIT_SOURCE_ENTITIES, "e.json", entities, std::strlen(entities)},
      {WRIT_SOURCE_REVOKED, nullptr, "Workload::\"gone\"\n", WRIT_NUL_TERMINATED}};
  writ_engine* engine = nullptr;
  char* error = nullptr;
  ASSERT_EQ(writ_engine_new_sources(sources.data(), sources.size(), 0, &engine, &error), WRIT_OK) << Take(error);
  std::unique_ptr<writ_engine, decltype(&writ_engine_free)> owned(engine, writ_engine_free);
  EXPECT_EQ(writ_engine_policy_count(engine), 2u);
  char* json = nullptr;
  // "10.0.0.1" is read as an ipaddr (the schema types it).
  ASSERT_EQ(writ_decide_json(engine,
                             R"({"principal": "Workload::\"api\"", "action": "Action::\"read\"", "resource": "Bucket::\"b\"", "context": {"ip": "10.0.0.1"}})",
                             &json, &error),
            WRIT_OK)
      << Take(error);
  EXPECT_EQ(Take(json), "{\"decision\":\"allow\",\"reasons\":[\"policy0\"],\"errors\":[]}");
  // Well-formed but not conforming: a deny with the reason, not a failure.
  ASSERT_EQ(writ_decide_json(engine,
                             R"({"principal": "Workload::\"api\"", "action": "Action::\"read\"", "resource": "Bucket::\"b\"", "context": {"ip": 7}})",
                             &json, &error),
            WRIT_OK)
      << Take(error);
  const std::string denied = Take(json);
  EXPECT_THAT(denied, ::testing::StartsWith("{\"decision\":\"deny\",\"reasons\":[],\"errors\":[{\"policy\":\"\",\"message\":\"request does not conform to the schema: request:1:"));
  // Malformed JSON stays a failure.
  EXPECT_EQ(writ_decide_json(engine, "{", &json, &error), WRIT_INVALID_INPUT);
  Take(error);
  // writ_decide: the context is typed by the schema too.
  writ_decision* d = nullptr;
  ASSERT_EQ(writ_decide(engine, "Workload::\"api\"", "Action::\"read\"", "Bucket::\"b\"", R"({"ip": "127.0.0.1"})", nullptr,
                        &d, &error),
            WRIT_OK)
      << Take(error);
  EXPECT_EQ(writ_decision_allowed(d), 0);
  EXPECT_EQ(writ_decision_reason_count(d), 1u);   // the forbid on loopback
  writ_decision_free(d);
  int revoked = 0;
  ASSERT_EQ(writ_is_revoked(engine, "Workload::\"gone\"", &revoked, &error), WRIT_OK);
  EXPECT_EQ(revoked, 1);
}

TEST(CApiSourcesTest, EveryBadSourceIsReportedAndNothingIsMade) {
  std::vector<writ_source> sources = {
      {WRIT_SOURCE_SCHEMA, "s.cedarschema", "entity A {", WRIT_NUL_TERMINATED},
      {WRIT_SOURCE_POLICIES, nullptr, "permit(principal, action, resource);", WRIT_NUL_TERMINATED}};
  writ_engine* engine = nullptr;
  char* error = nullptr;
  EXPECT_EQ(writ_engine_new_sources(sources.data(), sources.size(), 0, &engine, &error), WRIT_INVALID_INPUT);
  EXPECT_EQ(engine, nullptr);
  EXPECT_THAT(Take(error), ::testing::HasSubstr("s.cedarschema:1:"));
  sources = {{WRIT_SOURCE_ENTITIES, "a.json", R"([{"uid": {"type": "R", "id": "a"}, "attrs": {}, "parents": []}])", WRIT_NUL_TERMINATED},
             {WRIT_SOURCE_ENTITIES, "b.json", R"([{"uid": {"type": "R", "id": "a"}, "attrs": {}, "parents": []}])", WRIT_NUL_TERMINATED}};
  EXPECT_EQ(writ_engine_new_sources(sources.data(), sources.size(), 0, &engine, &error), WRIT_INVALID_INPUT);
  EXPECT_THAT(Take(error), ::testing::HasSubstr("b.json:1:10: error: entity R::\"a\" is also defined in an earlier entity document"));
  sources = {{42, nullptr, "", 0}};
  EXPECT_EQ(writ_engine_new_sources(sources.data(), sources.size(), 0, &engine, &error), WRIT_INVALID_ARGUMENT);
  Take(error);
  sources = {{WRIT_SOURCE_SCHEMA, nullptr, "x", WRIT_MAX_SCHEMA_BYTES + 1}};
  EXPECT_EQ(writ_engine_new_sources(sources.data(), sources.size(), 0, &engine, &error), WRIT_TOO_LARGE);
  Take(error);
  EXPECT_EQ(writ_engine_new_sources(nullptr, 1, 0, &engine, &error), WRIT_INVALID_ARGUMENT);
  Take(error);
  // No sources at all: an empty set, which denies everything.
  ASSERT_EQ(writ_engine_new_sources(nullptr, 0, 0, &engine, &error), WRIT_OK);
  writ_engine_free(engine);
}

}  // namespace
