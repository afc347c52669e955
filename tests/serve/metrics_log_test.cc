// Tests of the metrics text, of the decision log's bounded queue and of
// its lines (bounded however large the request).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/json.h"
#include "nlohmann/json.hpp"
#include "src/serve/decision_log.h"
#include "src/serve/limits.h"
#include "src/serve/metrics.h"

namespace writ::serve {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, RendersPrometheusText) {
  Metrics m;
  m.RecordDecision(Endpoint::kAuthorize, true, 3'000);        // 3 us
  m.RecordDecision(Endpoint::kAuthorize, false, 700'000);     // 0.7 ms
  m.RecordDecision(Endpoint::kForwardAuth, false, 2'000'000'000);   // 2 s: +Inf
  m.RecordRefusal(Refusal::kTooLarge);
  m.RecordReload(true);
  m.RecordReload(true);
  m.RecordReload(false);
  m.SetPolicyVersion(2);
  const std::string text = m.Render(5, 7);
  EXPECT_THAT(text, HasSubstr("writ_decisions_total{endpoint=\"authorize\",decision=\"allow\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("writ_decisions_total{endpoint=\"authorize\",decision=\"deny\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("writ_decisions_total{endpoint=\"forward_auth\",decision=\"deny\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("writ_decisions_total{endpoint=\"batch\",decision=\"allow\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("writ_refusals_total{reason=\"too_large\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("writ_decision_duration_seconds_bucket{le=\"1e-05\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("writ_decision_duration_seconds_bucket{le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("writ_decision_duration_seconds_bucket{le=\"0.001\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("writ_decision_duration_seconds_bucket{le=\"1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("writ_decision_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("writ_decision_duration_seconds_count 3\n"));
  EXPECT_THAT(text, HasSubstr("writ_decision_duration_seconds_sum 2.000703000\n"));
  EXPECT_THAT(text, HasSubstr("writ_policy_version 2\n"));
  EXPECT_THAT(text, HasSubstr("writ_policy_reloads_total 2\n"));
  EXPECT_THAT(text, HasSubstr("writ_policy_reload_failures_total 1\n"));
  EXPECT_THAT(text, HasSubstr("writ_decision_log_lines_total 5\n"));
  EXPECT_THAT(text, HasSubstr("writ_decision_log_dropped_total 7\n"));
  // Every sample line belongs to a declared metric family.
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (line[0] == '#') continue;
    const std::string name(line.substr(0, line.find_first_of("{ ")));
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (absl::EndsWith(family, suffix) && text.find("# TYPE " + family + " ") == std::string::npos) {
        family.resize(family.size() - std::string(suffix).size());
      }
    }
    EXPECT_THAT(text, HasSubstr("# TYPE " + family + " ")) << line;
  }
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          absl::StrCat("writ_serve_", name, "_", ::testing::UnitTest::GetInstance()->random_seed(), "_",
                       static_cast<long>(::getpid())))
      .string();
}

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(LineQueue, IsBoundedAndFifo) {
  LineQueue q(3);   // rounded up to 4
  EXPECT_EQ(q.capacity(), 4u);
  for (int i = 0; i < 4; ++i) {
    std::string s = absl::StrCat("line", i);
    EXPECT_TRUE(q.TryPush(&s));
  }
  std::string extra = "extra";
  EXPECT_FALSE(q.TryPush(&extra));
  EXPECT_EQ(extra, "extra");   // not moved from when refused
  std::string out;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(q.TryPop(&out));
    EXPECT_EQ(out, absl::StrCat("line", i));
  }
  EXPECT_FALSE(q.TryPop(&out));
}

TEST(DecisionLog, DropsAndCountsWhenFullWithoutBlocking) {
  const std::string path = TempPath("drop");
  {
    absl::StatusOr<std::unique_ptr<DecisionLog>> log = DecisionLog::Open(path, 4);
    ASSERT_TRUE(log.ok()) << log.status();
    // The writer is not started: the queue fills, then every push drops.
    int accepted = 0;
    for (int i = 0; i < 10; ++i) accepted += (*log)->Push(absl::StrCat("{\"n\":", i, "}")) ? 1 : 0;
    EXPECT_EQ(accepted, 4);
    EXPECT_EQ((*log)->dropped(), 6u);
    (*log)->Start();
    (*log)->Stop();
    EXPECT_EQ((*log)->written(), 4u);
  }
  EXPECT_THAT(Lines(path), ::testing::ElementsAre("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}"));
  std::filesystem::remove(path);
}

TEST(DecisionLog, ConcurrentProducersLoseNothingThatWasAccepted) {
  const std::string path = TempPath("concurrent");
  std::atomic<std::uint64_t> accepted{0};
  std::uint64_t dropped = 0;
  {
    absl::StatusOr<std::unique_ptr<DecisionLog>> log = DecisionLog::Open(path, 256);
    ASSERT_TRUE(log.ok()) << log.status();
    (*log)->Start();
    std::vector<std::thread> producers;
    for (int t = 0; t < 4; ++t) {
      producers.emplace_back([&, t] {
        for (int i = 0; i < 5000; ++i) {
          if ((*log)->Push(absl::StrCat("{\"t\":", t, ",\"i\":", i, "}"))) accepted.fetch_add(1);
        }
      });
    }
    for (std::thread& p : producers) p.join();
    (*log)->Stop();
    dropped = (*log)->dropped();
    EXPECT_EQ((*log)->written(), accepted.load());
  }
  EXPECT_EQ(accepted.load() + dropped, 20000u);
  EXPECT_EQ(Lines(path).size(), accepted.load());
  std::filesystem::remove(path);
}

TEST(DecisionLog, ReportsAnUnwritablePath) {
  absl::StatusOr<std::unique_ptr<DecisionLog>> log = DecisionLog::Open("/nonexistent-dir/x/decisions.log", 4);
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(log.status().message(), HasSubstr("/nonexistent-dir/x/decisions.log"));
}

Request RequestWithContext(Value::Record context) {
  Request r;
  r.principal = {"User", "alice"};
  r.action = {"Action", "view"};
  r.resource = {"Doc", "d1"};
  r.context = Value::MakeRecord(std::move(context));
  return r;
}

// A context that fits is logged whole, in Cedar's JSON form (as
// ValueToJson writes it), with the rest of the line.
TEST(DecisionLogLine, LogsASmallContextWhole) {
  Value::Record inner;
  inner["deep"] = Value::MakeSet({Value::Long(2), Value::Long(1)});
  Value::Record context;
  context["b"] = Value::Bool(true);
  context["e"] = Value::Entity({"Team", "t\"1"});
  context["n"] = Value::Long(-7);
  context["r"] = Value::MakeRecord(std::move(inner));
  context["s"] = Value::String("tab\there \xC3\xA9");
  const Request request = RequestWithContext(context);
  Decision d;
  d.allowed = true;
  d.reasons = {"policy0"};
  d.errors = {{"policy1", "boom"}};
  const std::string line = DecisionLogLine("authorize", &request, d, 3, 0, 1500, absl::FromUnixSeconds(0));
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["time"], "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(j["endpoint"], "authorize");
  EXPECT_EQ(j["request"]["principal"], nlohmann::json::parse(R"({"type":"User","id":"alice"})"));
  EXPECT_EQ(j["request"]["context"], nlohmann::json::parse(ValueToJson(request.context)));
  EXPECT_FALSE(j["request"].contains("context_truncated"));
  EXPECT_EQ(j["decision"], "allow");
  EXPECT_EQ(j["reasons"], nlohmann::json::array({"policy0"}));
  EXPECT_EQ(j["errors"], nlohmann::json::parse(R"([{"policy":"policy1","message":"boom"}])"));
  EXPECT_EQ(j["policy_version"], 3);
  EXPECT_FALSE(j.contains("bundle_revision"));
  EXPECT_EQ(j["latency_us"], 1.5);
  const std::string bundled = DecisionLogLine("batch", nullptr, d, 3, 9, 0, absl::Now());
  EXPECT_EQ(nlohmann::json::parse(bundled)["bundle_revision"], 9);
  EXPECT_TRUE(nlohmann::json::parse(bundled)["request"].is_null());
}

// Issue 14, defect 5: the line for a 40,000-key context was built by
// re-parsing and re-serialising it (quadratic, seconds). Now it is cut at
// kMaxLogContextBytes, says so, and costs time linear in what it writes.
TEST(DecisionLogLine, AHugeContextIsCutAndMarked) {
  Value::Record context;
  for (int i = 0; i < 40000; ++i) context.emplace(absl::StrCat("key", i), Value::Long(i));
  const Request request = RequestWithContext(std::move(context));
  Decision d;
  const auto start = std::chrono::steady_clock::now();
  const std::string line = DecisionLogLine("authorize", &request, d, 1, 0, 0, absl::Now());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_LT(line.size(), kMaxLogContextBytes + 1024);
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["request"]["context_truncated"], true);
  EXPECT_EQ(j["request"]["context_keys"], 40000);
  EXPECT_GT(j["request"]["context"].size(), 100u);
  EXPECT_LT(j["request"]["context"].size(), 40000u);
  EXPECT_EQ(j["request"]["context"]["key0"], 0);
  EXPECT_EQ(j["decision"], "deny");

  // One huge value: left out whole, never half-written.
  Value::Record one;
  one["a"] = Value::Long(1);
  one["big"] = Value::String(std::string(1u << 20, 'x'));
  const Request big = RequestWithContext(std::move(one));
  j = nlohmann::json::parse(DecisionLogLine("authorize", &big, d, 1, 0, 0, absl::Now()));
  EXPECT_EQ(j["request"]["context"], nlohmann::json::parse(R"({"a":1})"));
  EXPECT_EQ(j["request"]["context_keys"], 2);
}

// Ids, reasons and messages are cut at kMaxLogStringBytes; control
// characters are escaped and invalid UTF-8 becomes U+FFFD: the line is
// always one valid JSON line.
TEST(DecisionLogLine, StringsAreEscapedAndCut) {
  Request request = RequestWithContext({});
  request.principal.id = std::string(5000, 'p');
  request.resource.id = "a\"b\\c\nd\x01\xFF\xC3";
  Decision d;
  d.errors = {{"p", std::string(3000, 'm')}};
  const std::string line = DecisionLogLine("authorize", &request, d, 1, 0, 0, absl::Now());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["request"]["principal"]["id"], std::string(kMaxLogStringBytes, 'p') + "...");
  EXPECT_EQ(j["request"]["resource"]["id"], "a\"b\\c\nd\x01\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(j["errors"][0]["message"], std::string(kMaxLogStringBytes, 'm') + "...");
}

}  // namespace
}  // namespace writ::serve
