// `writ bench` end to end: the three figures (decide, build + decide, JSON
// text -> decision) are printed, the request counts (all and distinct) are
// the file's, and a request line that does not read is refused at its place.
#include <fstream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/cli.h"

namespace writ {
namespace {

using ::testing::HasSubstr;
using testing_support::CliResult;

class BenchCliTest : public testing_support::CliTestBase {
 protected:
  std::string Inputs() {
    const auto p = Write("p.cedar",
                         "permit(principal in Namespace::\"payments\", action == Action::\"read\", resource)\n"
                         "  when { context.environment == \"prod\" && context.n < 5000 };\n"
                         "forbid(principal, action, resource) when { context.revoked };\n");
    const auto e = Write("e.json", R"([
  {"uid": {"type": "Workload", "id": "api"}, "attrs": {}, "parents": [{"type": "Namespace", "id": "payments"}]},
  {"uid": {"type": "Namespace", "id": "payments"}, "attrs": {}, "parents": []}
])");
    return absl::StrCat("--policies ", p.string(), " --entities ", e.string());
  }
  // `count` requests, request i with context.n = i % distinct (so `distinct` of them differ).
  std::string Requests(int count, int distinct) {
    std::string lines;
    for (int i = 0; i < count; ++i) {
      absl::StrAppend(&lines, R"({"principal": {"type": "Workload", "id": "api"}, "action": {"type": "Action", "id": "read"}, )",
                      R"("resource": {"type": "Bucket", "id": "b"}, "context": {"environment": ")",
                      i % 3 == 0 ? "dev" : "prod", R"(", "n": )", i % distinct, R"(, "revoked": )",
                      i % 7 == 0 ? "true" : "false", "}}\n");
    }
    return Write("r.jsonl", lines).string();
  }
};

TEST_F(BenchCliTest, PrintsThreeFiguresOverTenThousandDistinctRequests) {
  const std::string requests = Requests(10'000, 10'000);
  CliResult r = Run("bench " + Inputs() + " --requests " + requests + " --seconds 0.05");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["requests"], 10'000);
  EXPECT_EQ(out["distinct_requests"], 10'000);
  EXPECT_EQ(out["prepared_requests"], 10'000);
  EXPECT_EQ(out["batch"], 64);
  EXPECT_EQ(out["policies"], 2);
  EXPECT_THAT(out["decide"]["what"].get<std::string>(), HasSubstr("PreparedRequest"));
  for (const char* figure : {"decide", "build_decide", "json_decide"}) {
    ASSERT_TRUE(out.contains(figure)) << figure << " in " << r.out;
    const nlohmann::json& f = out[figure];
    EXPECT_FALSE(f["what"].get<std::string>().empty()) << figure;
    EXPECT_GT(f["decisions_per_sec"].get<double>(), 0) << figure;
    EXPECT_GT(f["calls"].get<long>(), 0) << figure;
    EXPECT_EQ(f["calls"].get<long>() % 64, 0) << figure << ": whole batches";
    EXPECT_LE(f["p50_ns"].get<long>(), f["p99_ns"].get<long>()) << figure;
  }
  // The top level keeps the decide figure (bench/peers/run.sh reads it).
  EXPECT_EQ(out["p50_ns"], out["decide"]["p50_ns"]);
  EXPECT_EQ(out["calls"], out["decide"]["calls"]);
  EXPECT_EQ(out["decisions_per_sec"], out["decide"]["decisions_per_sec"]);
}

TEST_F(BenchCliTest, CountsDistinctRequestsAndPicksFigures) {
  const std::string requests = Requests(300, 100);
  CliResult r = Run("bench " + Inputs() + " --requests " + requests + " --seconds 0.02 --threads 2 --figures json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["requests"], 300);
  // Request i is fixed by (i % 100, i % 3 == 0, i % 7 == 0): as many distinct as those.
  std::set<std::string> seen;
  for (int i = 0; i < 300; ++i) seen.insert(absl::StrCat(i % 100, i % 3 == 0, i % 7 == 0));
  EXPECT_EQ(out["distinct_requests"], seen.size());
  EXPECT_EQ(out["threads"], 2);
  EXPECT_TRUE(out.contains("decide"));
  EXPECT_TRUE(out.contains("json_decide"));
  EXPECT_FALSE(out.contains("build_decide"));
  r = Run("bench " + Inputs() + " --requests " + requests + " --seconds 0.02 --figures decide,yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--figures takes"));
}

TEST_F(BenchCliTest, RequestsWithAChainAreDecidedUnprepared) {
  const auto q = Write("chain.jsonl",
      R"({"principal": {"type": "Workload", "id": "api"}, "action": {"type": "Action", "id": "read"}, "resource": {"type": "Bucket", "id": "b"}, "context": {"environment": "prod", "n": 1, "revoked": false}})"
      "\n"
      R"({"principal": "Workload::\"api\"", "chain": ["Workload::\"api\""], "action": "Action::\"read\"", "resource": "Bucket::\"b\"", "context": {"environment": "prod", "n": 1, "revoked": false}})"
      "\n");
  CliResult r = Run("bench " + Inputs() + " --requests " + q.string() + " --seconds 0.01 --decisions " +
                    (dir_ / "d").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["requests"], 2);
  EXPECT_EQ(out["distinct_requests"], 2);
  EXPECT_EQ(out["prepared_requests"], 1);
  EXPECT_THAT(out["decide"]["what"].get<std::string>(), HasSubstr("1 with a chain"));
}

// Contexts of every kind of value are rebuilt from a service's values alike:
// the three paths decide every request the same (or bench exits 1).
TEST_F(BenchCliTest, EveryKindOfContextValueIsBuiltAlike) {
  const auto p = Write("kinds.cedar",
      "permit(principal, action, resource) when { context.tags.contains(\"a\") && context.owner == Workload::\"api\" "
      "&& context.src.isInRange(ip(\"10.0.0.0/8\")) && context.score.lessThan(decimal(\"2.5\")) "
      "&& context.meta.depth > 1 && context.flag };\n");
  std::string lines;
  for (int i = 0; i < 50; ++i) {
    absl::StrAppend(&lines, R"({"principal": "Workload::\"api\"", "action": "Action::\"read\"", "resource": "Bucket::\"b\"", )",
                    R"("context": {"tags": ["a", "b", )", i, R"(], "owner": {"__entity": {"type": "Workload", "id": "api"}}, )",
                    R"("src": {"__extn": {"fn": "ip", "arg": "10.1.2.)", i, R"("}}, "score": {"__extn": {"fn": "decimal", "arg": "1.)",
                    i % 10, R"("}}, "meta": {"depth": )", i % 3, R"(, "name": "m"}, "flag": )", i % 2 == 0 ? "true" : "false",
                    "}}\n");
  }
  const auto q = Write("kinds.jsonl", lines);
  CliResult r = Run("bench --policies " + p.string() + " --requests " + q.string() + " --seconds 0.01 --decisions " +
                    (dir_ / "d").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["requests"], 50);
  EXPECT_EQ(out["distinct_requests"], 50);
  std::ifstream d(dir_ / "d");
  std::string line;
  int allowed = 0;
  while (std::getline(d, line)) allowed += line == "allow";
  // depth > 1 (i % 3 == 2) and flag (i even): i % 6 == 2, 8 of 50.
  EXPECT_EQ(allowed, 8);
}

TEST_F(BenchCliTest, BadRequestLineIsAnErrorAtItsLine) {
  const auto q = Write("bad.jsonl",
      R"({"principal": {"type": "Workload", "id": "api"}, "action": {"type": "Action", "id": "read"}, "resource": {"type": "Bucket", "id": "b"}, "context": {}})"
      "\n\n"
      R"({"principal": {"type": "Workload", "id": "api"}, "action": 7, "resource": {"type": "Bucket", "id": "b"}, "context": {}})"
      "\n");
  CliResult r = Run("bench " + Inputs() + " --requests " + q.string() + " --seconds 0.01");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(q.string() + ":3:"));
  EXPECT_TRUE(r.out.empty()) << r.out;
  // An empty file, and a missing one.
  r = Run("bench " + Inputs() + " --requests " + Write("empty.jsonl", "\n").string() + " --seconds 0.01");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no requests"));
  r = Run("bench " + Inputs() + " --requests " + (dir_ / "nope.jsonl").string() + " --seconds 0.01");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nope.jsonl: cannot open file"));
}

}  // namespace
}  // namespace writ
