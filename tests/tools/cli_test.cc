// Tests for tools/writ: the writ command run as a user runs it.
#include <filesystem>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/cli.h"

namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::writ::testing_support::CliResult;
using ::writ::testing_support::CliTestBase;

namespace fs = std::filesystem;

class CliTest : public CliTestBase {};

constexpr char kPolicies[] = R"(// workloads in the payments namespace may read
permit(principal in Namespace::"payments", action == Action::"read", resource)
  when { context.environment == "prod" };
forbid(principal, action, resource) when { context.revoked };
)";

constexpr char kEntities[] = R"([
  {"uid": {"type": "Workload", "id": "api"}, "attrs": {}, "parents": [{"type": "Namespace", "id": "payments"}]},
  {"uid": {"type": "Namespace", "id": "payments"}, "attrs": {}, "parents": []}
])";

TEST_F(CliTest, HelpAndUsage) {
  CliResult r = Run("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("writ authorize"));
  r = Run("help authorize");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--requests"));
  r = Run("check --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("usage: writ check"));
  EXPECT_EQ(Run("").exit_code, 2);
  r = Run("frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command `frobnicate`"));
  r = Run("check --polices x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown flag --polices for `writ check`; did you mean `--policies`?"));
  r = Run("check p.cedar");   // the file without its flag
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unexpected argument `p.cedar` for `writ check`; files are given after a flag, "
                               "as in `writ check --policies p.cedar`"));
  r = Run("check");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--policies is required"));
}

TEST_F(CliTest, CheckAcceptsGoodPolicies) {
  CliResult r = Run("check --policies " + Write("p.cedar", kPolicies).string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "2 policies, 0 errors\n");
}

TEST_F(CliTest, CheckReportsEveryErrorWithItsLocation) {
  fs::path p = Write("bad.cedar",
                     "permit(principal, action, resource) when { 1 + };\n"
                     "permit(principal, action, resource);\n"
                     "forbid(principal, action, resource) when { ) };\n");
  CliResult r = Run("check --policies " + p.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(p.string() + ":1:"));
  EXPECT_THAT(r.err, HasSubstr(p.string() + ":3:"));
  EXPECT_THAT(r.err, HasSubstr("^"));
  EXPECT_THAT(r.out, HasSubstr("errors"));
}

TEST_F(CliTest, CheckNamesAMissingFile) {
  CliResult r = Run("check --policies " + (dir_ / "nope.cedar").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nope.cedar: cannot open file"));
}

TEST_F(CliTest, AuthorizeOneRequest) {
  fs::path p = Write("p.cedar", kPolicies), e = Write("e.json", kEntities);
  fs::path q = Write("q.json", R"({"principal": "Workload::\"api\"", "action": {"type": "Action", "id": "read"},
    "resource": {"__entity": {"type": "Bucket", "id": "ledger"}}, "context": {"environment": "prod", "revoked": false}})");
  CliResult r = Run("authorize --policies " + p.string() + " --entities " + e.string() + " --request " + q.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"decision\":\"allow\",\"reasons\":[\"policy0\"],\"errors\":[]}\n");
}

TEST_F(CliTest, AuthorizeJsonLinesDecidesEveryLineInOrder) {
  fs::path p = Write("p.cedar", kPolicies), e = Write("e.json", kEntities);
  fs::path q = Write("q.jsonl",
      R"({"principal": "Workload::\"api\"", "action": "Action::\"read\"", "resource": "Bucket::\"l\"", "context": {"environment": "prod", "revoked": false}})" "\n"
      R"({"principal": "Workload::\"api\"", "action": "Action::\"read\"", "resource": "Bucket::\"l\"", "context": {"environment": "prod", "revoked" )" "\n"
      R"({"principal": "Workload::\"api\"", "action": "Action::\"read\"", "resource": "Bucket::\"l\"", "context": {"environment": "prod"}})" "\n"
      R"({"principal": "Workload::\"api\"", "action": "Action::\"read\"", "resource": "Bucket::\"l\"", "context": {"environment": "dev", "revoked": true}})" "\n");
  CliResult r = Run("authorize --policies " + p.string() + " --entities " + e.string() + " --requests " + q.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string l1, l2, l3, l4, extra;
  std::getline(lines, l1);
  std::getline(lines, l2);
  std::getline(lines, l3);
  std::getline(lines, l4);
  EXPECT_FALSE(std::getline(lines, extra));
  EXPECT_EQ(l1, "{\"decision\":\"allow\",\"reasons\":[\"policy0\"],\"errors\":[]}");
  EXPECT_THAT(l2, StartsWith("{\"decision\":\"deny\",\"reasons\":[],\"errors\":[{\"policy\":\"\",\"message\":\""));
  EXPECT_THAT(l2, HasSubstr("q.jsonl:2"));
  // The forbid errors (no `revoked`), the permit still allows.
  EXPECT_THAT(l3, StartsWith("{\"decision\":\"allow\",\"reasons\":[\"policy0\"],\"errors\":[{\"policy\":\"policy1\""));
  EXPECT_EQ(l4, "{\"decision\":\"deny\",\"reasons\":[\"policy1\"],\"errors\":[]}");
}

TEST_F(CliTest, AuthorizeRefusesBadInputsClearly) {
  fs::path p = Write("p.cedar", kPolicies);
  CliResult r = Run("authorize --policies " + p.string() + " --request " + (dir_ / "none.json").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("none.json: cannot open file"));
  r = Run("authorize --policies " + p.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("exactly one of --request"));
  fs::path e = Write("e.json", "[{\"uid\": {\"type\": \"A\", \"id\": \"a\"}, \"attrs\": {}, \"attrs\": {}}]");
  fs::path q = Write("q.json", R"({"principal": "A::\"a\"", "action": "Action::\"x\"", "resource": "A::\"a\"", "context": {}})");
  r = Run("authorize --policies " + p.string() + " --entities " + e.string() + " --request " + q.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("e.json:1:"));
  EXPECT_EQ(r.out, "");
}

TEST_F(CliTest, AuthorizeTakesRequestTimeRevocationsAndFailClosed) {
  fs::path p = Write("p.cedar", R"(@expires("2026-12-01T00:00:00Z") @breakglass("INC-9")
permit(principal, action, resource);
forbid(principal, action, resource) when { context.risk > 5 };)");
  fs::path revoked = Write("revoked.txt", "# after INC-9\nW::\"gone\"\n");
  fs::path q = Write("q.jsonl", R"({"principal": "W::\"gone\"", "action": "A::\"r\"", "resource": "R::\"x\"", "context": {"risk": 1}}
{"principal": "W::\"api\"", "action": "A::\"r\"", "resource": "R::\"x\"", "context": {"risk": 1}}
{"principal": "W::\"api\"", "action": "A::\"r\"", "resource": "R::\"x\"", "context": {"risk": 1}, "now": "2026-12-01T00:00:00Z"}
{"principal": "W::\"api\"", "action": "A::\"r\"", "resource": "R::\"x\"", "context": {}}
)");
  CliResult r = Run("authorize --policies " + p.string() + " --requests " + q.string() + " --revoked " + revoked.string() +
                 " --now 2026-11-22T12:00:00Z --fail-closed");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"decision\":\"deny\",\"reasons\":[],\"errors\":[],\"revoked\":true}\n"
            "{\"decision\":\"allow\",\"reasons\":[\"policy0\"],\"errors\":[],\"breakglass\":[\"policy0\"]}\n"
            "{\"decision\":\"deny\",\"reasons\":[],\"errors\":[]}\n"
            "{\"decision\":\"deny\",\"reasons\":[\"policy1\"],\"errors\":[{\"policy\":\"policy1\",\"message\":"
            "\"record does not have the attribute `risk`\"}]}\n");
  r = Run("authorize --policies " + p.string() + " --requests " + q.string() + " --revoked " +
          Write("bad.txt", "W::gone\n").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.txt:1:1: error: `W::gone` is not an entity uid"));
  r = Run("authorize --policies " + p.string() + " --requests " + q.string() + " --now 2026-11-22");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--now must be an RFC 3339 time"));
}

// Years outside RFC 3339's four digits (issue 14, defect 4): refused in
// `@expires` / `@not_before` by check and lint (located at the string), in
// a request's `now` (located in the JSON) and in --now (named).
TEST_F(CliTest, YearsOutsideRfc3339AreRefusedEverywhere) {
  fs::path far = Write("far.cedar", "@owner(\"a\")\n@expires(\"99999-01-01T00:00:00Z\")\n"
                                    "permit(principal, action, resource);\n");
  fs::path before = Write("before.cedar", "@owner(\"a\") @not_before(\"-0001-01-01T00:00:00Z\")\n"
                                          "permit(principal, action, resource);\n");
  CliResult r = Run("check --policies " + far.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(far.string() + ":2:10: error: `@expires` is not an RFC 3339 time: "
                               "\"99999-01-01T00:00:00Z\": the year has more than four digits"));
  r = Run("check --policies " + before.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(before.string() + ":1:25: error: `@not_before` is not an RFC 3339 time: "
                               "\"-0001-01-01T00:00:00Z\": the year has a sign"));
  r = Run("lint --policies " + far.string() + " --now 2026-11-22T12:00:00Z");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(far.string() + ":2:10: error: `@expires` is not an RFC 3339 time"));

  fs::path p = Write("p.cedar", kPolicies);
  fs::path q = Write("q.json", R"({"principal": "Workload::\"api\"", "action": "Action::\"read\"",
 "resource": "Bucket::\"l\"", "now": "99999-01-01T00:00:00Z"})");
  r = Run("authorize --policies " + p.string() + " --request " + q.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(q.string() + ":2:38: error: `now` must be an RFC 3339 time: the year has more "
                               "than four digits"));
  for (const char* now : {"99999-01-01T00:00:00Z", "-0001-01-01T00:00:00Z"}) {
    r = Run("authorize --policies " + p.string() + " --request " + Write("ok.json", R"({"principal": "Workload::\"api\"",
      "action": "Action::\"read\"", "resource": "Bucket::\"l\""})").string() + " --now " + now);
    EXPECT_EQ(r.exit_code, 2) << now;
    EXPECT_THAT(r.err, HasSubstr(std::string("--now must be an RFC 3339 time such as 2026-11-22T12:00:00Z, not `") +
                                 now + "`: the year has"));
    r = Run(std::string("lint --policies ") + p.string() + " --now " + now);
    EXPECT_EQ(r.exit_code, 2) << now;
    EXPECT_THAT(r.err, HasSubstr("--now must be an RFC 3339 time"));
  }
}

TEST_F(CliTest, StrictKeepsToPureCedar) {
  fs::path ext = Write("ext.cedar", R"(@owner("payments")
permit(principal, action, resource)
  when { spiffe("spiffe://prod.acme.io/ns/payments").isInTrustDomain("prod.acme.io") && "x".matches("x") };)");
  CliResult r = Run("check --policies " + ext.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Run("check --strict --policies " + ext.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("ext.cedar:3:10: error: `spiffe` is not a function"));
  EXPECT_THAT(r.err, HasSubstr("note: `spiffe` is a writ extension, not Cedar"));
  // Annotations are Cedar: strict mode accepts every one and gives the
  // lifecycle keys no meaning, so an "expired" policy still allows there.
  fs::path expired = Write("expired.cedar", "@owner(\"payments\") @expires(\"2020-01-01T00:00:00Z\")\npermit(principal, action, resource);");
  r = Run("check --strict --policies " + expired.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  fs::path any = Write("any.json", R"({"principal": "W::\"api\"", "action": "Action::\"read\"", "resource": "R::\"x\""})");
  r = Run("authorize --strict --policies " + expired.string() + " --request " + any.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"decision\":\"allow\""));
  r = Run("authorize --policies " + expired.string() + " --request " + any.string());
  EXPECT_THAT(r.out, HasSubstr("\"decision\":\"deny\""));

  // Pure Cedar policies decide the same; the extension flags and fields are refused.
  fs::path p = Write("p.cedar", kPolicies);
  fs::path q = Write("q.json", R"({"principal": "W::\"api\"", "action": "Action::\"read\"", "resource": "R::\"x\"",
    "context": {"environment": "prod", "revoked": false}, "now": "2026-11-22T12:00:00Z"})");
  r = Run("authorize --strict --policies " + p.string() + " --request " + q.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("q.json:2:66: error: `now` (the request time) is a writ extension, not Cedar"));
  r = Run("authorize --strict --fail-closed --policies " + p.string() + " --request " + q.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--fail-closed is a writ extension; --strict keeps to pure Cedar"));
  fs::path e = Write("e.json", R"([{"uid": {"type": "W", "id": "api"}, "attrs": {"id": {"__extn": {"fn": "spiffe", "arg": "spiffe://a/b"}}}, "parents": []}])");
  r = Run("authorize --strict --policies " + p.string() + " --entities " + e.string() + " --request " + q.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("is a writ extension, not Cedar: read without strict mode to use it"));
}

TEST_F(CliTest, ConformanceCountsPassFailAndSkip) {
  const std::string data = std::string(WRIT_TESTDATA_DIR) + "/conformance";
  CliResult r = Run("conformance " + data + " --skip-list " + data + "/skip.txt");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("FAIL t/1.json: bob wrongly expected allow: expected allow"));
  EXPECT_THAT(r.out, HasSubstr("1 passed, 1 failed, 1 skipped\n"));
}

TEST_F(CliTest, ConformanceRejectsAnUncommentedSkipEntry) {
  const std::string data = std::string(WRIT_TESTDATA_DIR) + "/conformance";
  CliResult r = Run("conformance " + data + " --skip-list " + Write("s.txt", "t/1.json\n").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("without a comment"));
}

TEST_F(CliTest, ConformanceSaysWhenTheCorpusIsMissing) {
  CliResult r = Run("conformance " + (dir_ / "absent").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("not a directory"));
}

}  // namespace

// --schema: entities and requests are read through it; a request that does
// not conform is denied with the reason, one line at a time; a schema that
// does not load is exit 2, never a silently empty schema.
TEST_F(CliTest, AuthorizeReadsThroughTheSchema) {
  fs::path s = Write("s.cedarschema", R"(entity Workload { env: String };
entity Bucket;
action read appliesTo { principal: Workload, resource: Bucket, context: { ip: ipaddr } };
)");
  fs::path p = Write("p.cedar", R"(permit(principal, action == Action::"read", resource)
  when { principal.env == "prod" && context.ip.isInRange(ip("10.0.0.0/8")) };)");
  fs::path e = Write("e.json", R"([{"uid": {"type": "Workload", "id": "api"}, "attrs": {"env": "prod"}, "parents": []}])");
  fs::path q = Write("q.jsonl",
      R"({"principal": "Workload::\"api\"", "action": "Action::\"read\"", "resource": "Bucket::\"b\"", "context": {"ip": "10.1.2.3"}})" "\n"
      R"({"principal": "Workload::\"api\"", "action": "Action::\"read\"", "resource": "Bucket::\"b\"", "context": {"ip": 5}})" "\n"
      R"({"principal": "Bucket::\"b\"", "action": "Action::\"read\"", "resource": "Bucket::\"b\"", "context": {"ip": "10.1.2.3"}})" "\n");
  const std::string inputs = "--policies " + p.string() + " --entities " + e.string() + " --schema " + s.string();
  CliResult r = Run("authorize " + inputs + " --requests " + q.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string l1, l2, l3;
  std::getline(lines, l1);
  std::getline(lines, l2);
  std::getline(lines, l3);
  EXPECT_EQ(l1, "{\"decision\":\"allow\",\"reasons\":[\"policy0\"],\"errors\":[]}");   // "10.1.2.3" read as an ipaddr
  EXPECT_THAT(l2, StartsWith("{\"decision\":\"deny\",\"reasons\":[],\"errors\":[{\"policy\":\"\",\"message\":\"" + q.string() + ":2:"));
  EXPECT_THAT(l3, StartsWith("{\"decision\":\"deny\",\"reasons\":[],\"errors\":[{\"policy\":\"\",\"message\":\"" + q.string() + ":3:"));
  // One request: denied with the reason, exit 0 (it read; it does not conform).
  fs::path one = Write("one.json", R"({"principal": "Bucket::\"b\"", "action": "Action::\"read\"", "resource": "Bucket::\"b\"", "context": {"ip": "10.1.2.3"}})");
  r = Run("authorize " + inputs + " --request " + one.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("{\"decision\":\"deny\",\"reasons\":[],\"errors\":[{\"policy\":\"\",\"message\":\"" + one.string() + ":1:"));
  // bench refuses a request line that does not conform (nothing skipped).
  r = Run("bench " + inputs + " --requests " + q.string() + " --seconds 0.01");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(q.string() + ":2:"));
  // Entities that do not conform, and a schema that does not load.
  fs::path bad_e = Write("bad_e.json", R"([{"uid": {"type": "Workload", "id": "api"}, "attrs": {"env": 1}, "parents": []}])");
  r = Run("authorize --policies " + p.string() + " --entities " + bad_e.string() + " --schema " + s.string() +
          " --request " + one.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad_e.json:1:"));
  fs::path bad_s = Write("bad.cedarschema", "entity Workload {\n");
  for (const char* cmd : {"authorize", "compile", "lint"}) {
    r = Run(std::string(cmd) + " --policies " + p.string() + " --schema " + bad_s.string() +
            (std::string(cmd) == "authorize" ? " --request " + one.string() : ""));
    EXPECT_EQ(r.exit_code, 2) << cmd;
    EXPECT_THAT(r.err, HasSubstr("bad.cedarschema:2:")) << cmd;
  }
  // lint --schema: the validator's findings, with their codes.
  fs::path typo = Write("typo.cedar", R"(@owner("t") permit(principal, action == Action::"read", resource) when { principal.team == "x" };)");
  r = Run("lint --policies " + typo.string() + " --schema " + s.string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("[unknown-attribute] policy0"));
}

TEST_F(CliTest, PoliciesMayBeAFolder) {
  Write("pols/a.cedar", "permit(principal, action, resource);");
  Write("pols/b/c.cedar", "forbid(principal, action, resource) when { context.x };");
  fs::path q = Write("q.json", R"({"principal": "W::\"a\"", "action": "A::\"r\"", "resource": "R::\"x\"", "context": {"x": true}})");
  CliResult r = Run("authorize --policies " + (dir_ / "pols").string() + " --request " + q.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"decision\":\"deny\",\"reasons\":[\"policy1\"],\"errors\":[]}\n");
}
