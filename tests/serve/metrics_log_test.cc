// Tests of the metrics text and of the decision log's bounded queue.
#include <atomic>
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
#include "src/serve/decision_log.h"
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

}  // namespace
}  // namespace writ::serve
