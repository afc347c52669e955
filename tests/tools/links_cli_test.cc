// The writ command with --template-linked (the Cedar CLI's links file), end
// to end: check, authorize, compile --dump and bench read it; a malformed
// link is refused at its place in the file.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/cli.h"

namespace writ {
namespace {

using ::testing::HasSubstr;
using testing_support::CliResult;

constexpr char kPolicies[] = R"(permit(principal == ?principal, action == Action::"read", resource in ?resource);
forbid(principal, action, resource == Bucket::"secret");
permit(principal is Workload in ?principal, action, resource) when { context.ok };
)";
constexpr char kLinks[] = R"([
  {"template_id": "policy0", "link_id": "grant-17", "args": {"?principal": "Workload::\"ci\"", "?resource": "Bucket::\"logs\""}},
  {"template_id": "policy2", "link_id": "team", "args": {"?principal": "Team::\"a\""}}
])";
constexpr char kEntities[] = R"([
  {"uid": {"type": "Workload", "id": "ci"}, "attrs": {}, "parents": [{"type": "Team", "id": "a"}]},
  {"uid": {"type": "Bucket", "id": "logs"}, "attrs": {}, "parents": []}
])";
constexpr char kRequests[] =
    R"({"principal": {"type": "Workload", "id": "ci"}, "action": {"type": "Action", "id": "read"}, "resource": {"type": "Bucket", "id": "logs"}, "context": {"ok": true}}
{"principal": {"type": "Workload", "id": "ci"}, "action": {"type": "Action", "id": "read"}, "resource": {"type": "Bucket", "id": "logs"}, "context": {}}
{"principal": {"type": "Workload", "id": "ci"}, "action": {"type": "Action", "id": "read"}, "resource": {"type": "Bucket", "id": "secret"}, "context": {"ok": true}}
)";

class LinksCliTest : public testing_support::CliTestBase {
 protected:
  void SetUp() override {
    CliTestBase::SetUp();
    Write("p.cedar", kPolicies);
    Write("links.json", kLinks);
    Write("e.json", kEntities);
    Write("r.jsonl", kRequests);
  }
  std::string Files(const std::string& links = "links.json") {
    return "--policies " + (dir_ / "p.cedar").string() + " --entities " + (dir_ / "e.json").string() +
           " --template-linked " + (dir_ / links).string();
  }
};

TEST_F(LinksCliTest, AuthorizeReportsLinksByTheirIds) {
  CliResult r = Run("authorize --strict " + Files() + " --requests " + (dir_ / "r.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"decision\":\"allow\",\"reasons\":[\"grant-17\",\"team\"],\"errors\":[]}\n"
            "{\"decision\":\"allow\",\"reasons\":[\"grant-17\"],\"errors\":[{\"policy\":\"team\",\"message\":\"record "
            "does not have the attribute `ok`\"}]}\n"
            "{\"decision\":\"deny\",\"reasons\":[\"policy1\"],\"errors\":[]}\n");
}

TEST_F(LinksCliTest, WithoutTheLinksTheTemplatesDecideNothing) {
  CliResult r = Run("authorize --policies " + (dir_ / "p.cedar").string() + " --entities " +
                    (dir_ / "e.json").string() + " --requests " + (dir_ / "r.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("{\"decision\":\"deny\",\"reasons\":[],\"errors\":[]}\n"));
}

TEST_F(LinksCliTest, CompileDumpsAndBenchRuns) {
  CliResult r = Run("compile --dump " + Files());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("principal == Workload::\"ci\""));
  EXPECT_THAT(r.out, HasSubstr("grant-17: permit (link of policy0), resource in Bucket::\"logs\""));
  r = Run("bench --seconds 0.05 " + Files() + " --requests " + (dir_ / "r.jsonl").string() + " --decisions " +
          (dir_ / "d.txt").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing_support::Slurp(dir_ / "d.txt"), "allow\nallow\ndeny\n");
}

TEST_F(LinksCliTest, MalformedLinksAreRefusedWhereTheyAre) {
  Write("bad.json", R"([
  {"template_id": "policy1", "link_id": "x", "args": {}},
  {"template_id": "policy0", "link_id": "policy2", "args": {"?principal": "Workload::\"ci\"", "?resource": "Bucket::\"logs\""}}
])");
  const std::string bad = (dir_ / "bad.json").string();
  CliResult r = Run("check --policies " + (dir_ / "p.cedar").string() + " --template-linked " + bad);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(bad + ":2:19: error: cannot link `x`: expected a template, but a static policy was provided"));
  EXPECT_THAT(r.err, HasSubstr(bad + ":3:41: error: cannot link `policy2`: template-linked policy id `policy2` "
                                     "conflicts with an existing policy id"));
  r = Run("authorize " + Files("bad.json") + " --requests " + (dir_ / "r.jsonl").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(bad + ":2:19: error: cannot link `x`"));
  EXPECT_EQ(r.out, "");
  // The good links check clean.
  r = Run("check --policies " + (dir_ / "p.cedar").string() + " --template-linked " + (dir_ / "links.json").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "5 policies, 0 errors\n");
}

}  // namespace
}  // namespace writ
