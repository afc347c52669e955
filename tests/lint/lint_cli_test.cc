// Tests for `writ lint`, run as a user runs it: human and JSON output, the
// day options, --warnings-as-errors, and the exit codes.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/cli.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::writ::testing_support::CliResult;
using ::writ::testing_support::CliTestBase;

constexpr char kNow[] = "--now 2026-06-01T00:00:00Z";

// Owned, unexpired, constrained: no finding.
constexpr char kClean[] =
    "@owner(\"payments\")\n"
    "permit(principal in Team::\"payments\", action == Action::\"read\", resource in Bucket::\"ledger\");\n";
// Two warnings: no owner (1:1), and a duplicate of kClean's policy.
constexpr char kWarnings[] =
    "permit(principal in Team::\"payments\", action == Action::\"read\", resource in Bucket::\"ledger\");\n";
// One error: break-glass expiring 10 days ahead.
constexpr char kBreakglass[] =
    "@owner(\"sre\")\n"
    "@breakglass(\"INC-42\")\n"
    "@expires(\"2026-06-11T00:00:00Z\")\n"
    "permit(principal == User::\"oncall\", action, resource in Bucket::\"ledger\");\n";

class LintCliTest : public CliTestBase {};

TEST_F(LintCliTest, CleanPoliciesExitZero) {
  const std::string p = Write("clean.cedar", kClean);
  CliResult r = Run("lint --policies " + p + " " + kNow);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1 policy, 0 errors, 0 warnings\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(LintCliTest, WarningsAreReportedWithLocationsAndExitZero) {
  const std::string a = Write("a.cedar", kClean);
  const std::string b = Write("b.cedar", kWarnings);
  CliResult r = Run("lint --policies " + a + " " + b + " " + kNow);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(b + ":1:1: warning: [owner-missing] policy1 has no `@owner`\n"
                                   "  permit(principal in Team::\"payments\""));
  EXPECT_THAT(r.out, HasSubstr(b + ":1:1: warning: [duplicate] policy1 duplicates policy0 (" + a + ":2:1)\n"));
  EXPECT_THAT(r.out, HasSubstr("  note: "));
  EXPECT_THAT(r.out, HasSubstr("2 policies, 0 errors, 2 warnings\n"));
}

TEST_F(LintCliTest, WarningsAsErrorsExitsOne) {
  const std::string b = Write("b.cedar", kWarnings);
  EXPECT_EQ(Run("lint --policies " + b + " " + kNow + " --warnings-as-errors").exit_code, 1);
  const std::string a = Write("a.cedar", kClean);
  EXPECT_EQ(Run("lint --policies " + a + " " + kNow + " --warnings-as-errors").exit_code, 0);
}

TEST_F(LintCliTest, ErrorsExitOneAndTheLimitIsAFlag) {
  const std::string p = Write("bg.cedar", kBreakglass);
  CliResult r = Run("lint --policies " + p + " " + kNow);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr(p + ":3:1: error: [breakglass-too-long] break-glass policy policy0 expires at "
                                   "2026-06-11T00:00:00Z, in 10 days: more than 7 days ahead\n"));
  EXPECT_THAT(r.out, HasSubstr("1 policy, 1 error, 0 warnings\n"));
  r = Run("lint --policies " + p + " " + kNow + " --breakglass-max-days 10");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "1 policy, 0 errors, 0 warnings\n");
}

TEST_F(LintCliTest, NowAndExpiringWithinDays) {
  const std::string p = Write("e.cedar",
                              "@owner(\"a\") @expires(\"2026-06-21T00:00:00Z\")\n"
                              "forbid(principal, action, resource);\n");
  EXPECT_EQ(Run("lint --policies " + p + " " + kNow).out, "1 policy, 0 errors, 0 warnings\n");
  CliResult r = Run("lint --policies " + p + " " + kNow + " --expiring-within-days 20");
  EXPECT_THAT(r.out, HasSubstr(":1:13: warning: [expiring-soon] policy0 expires at 2026-06-21T00:00:00Z, in 20 days"));
  r = Run("lint --policies " + p + " --now 2026-06-21T00:00:00Z");
  EXPECT_THAT(r.out, HasSubstr(":1:13: warning: [expired] policy0 expired at 2026-06-21T00:00:00Z: it no longer "
                               "applies"));
  EXPECT_EQ(r.exit_code, 0);
  // Without --now, the clock: this policy expired long ago.
  const std::string old = Write("old.cedar",
                                "@owner(\"a\") @expires(\"2001-01-01T00:00:00Z\")\n"
                                "forbid(principal, action, resource);\n");
  EXPECT_THAT(Run("lint --policies " + old).out, HasSubstr("[expired]"));
}

TEST_F(LintCliTest, JsonFormat) {
  const std::string a = Write("a.cedar", kClean);
  const std::string b = Write("b.cedar", std::string(kWarnings) + kBreakglass);
  CliResult r = Run("lint --format json --policies " + a + " " + b + " " + kNow);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << r.out;
  ASSERT_EQ(j.size(), 3u) << r.out;
  EXPECT_EQ(j[0], (nlohmann::json{{"file", b},
                                  {"line", 1},
                                  {"column", 1},
                                  {"length", 6},
                                  {"severity", "warning"},
                                  {"code", "owner-missing"},
                                  {"message", "policy1 has no `@owner`"},
                                  {"hint", j[0]["hint"]}}));
  EXPECT_TRUE(j[0]["hint"].is_string());
  EXPECT_FALSE(j[0]["hint"].get<std::string>().empty());
  EXPECT_EQ(j[1]["code"], "duplicate");
  EXPECT_EQ(j[2]["code"], "breakglass-too-long");
  EXPECT_EQ(j[2]["severity"], "error");
  EXPECT_EQ(j[2]["line"], 4);
  // Nothing found: an empty array.
  r = Run("lint --format json --policies " + a + " " + kNow);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(r.out, nullptr, false), nlohmann::json::array());
}

TEST_F(LintCliTest, JsonOfANameThatIsNotUtf8) {
  const std::string p = Write("bad\xff.cedar", kWarnings);
  CliResult r = Run("lint --format json --policies '" + p + "' " + kNow);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << r.out;
  ASSERT_EQ(j.size(), 1u);
  EXPECT_THAT(j[0]["file"].get<std::string>(), HasSubstr("bad\xef\xbf\xbd.cedar"));   // U+FFFD
}

TEST_F(LintCliTest, BadInputsAndFlagsExitTwo) {
  const std::string a = Write("a.cedar", kClean);
  const std::string bad = Write("bad.cedar", "permit(principal, action, );");
  CliResult r = Run("lint --policies " + bad + " " + kNow);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(bad + ":1:27: error:"));
  EXPECT_EQ(Run("lint --policies " + (dir_ / "missing.cedar").string()).exit_code, 2);
  EXPECT_EQ(Run("lint " + std::string(kNow)).exit_code, 2);   // --policies is required
  r = Run("lint --policies " + a + " --now yesterday");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--now must be an RFC 3339 time"));
  r = Run("lint --policies " + a + " --format xml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--format"));
  for (const char* days : {"-1", "36501", "7.5", "x", "99999999999"}) {
    r = Run("lint --policies " + a + " --breakglass-max-days=" + days);
    EXPECT_EQ(r.exit_code, 2) << days;
    EXPECT_THAT(r.err, HasSubstr("--breakglass-max-days must be a whole number of days from 0 to 36500")) << days;
    EXPECT_EQ(Run("lint --policies " + a + " --expiring-within-days=" + days).exit_code, 2) << days;
  }
  EXPECT_EQ(Run("lint --policies " + a + " --breakglass-max-days 0 --expiring-within-days 36500 " + kNow).exit_code,
            0);
}

TEST_F(LintCliTest, HelpListsTheRules) {
  CliResult r = Run("help lint");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* code : {"owner-missing", "expired", "expiring-soon", "breakglass-too-long", "unconstrained-permit",
                           "duplicate", "shadowed", "--warnings-as-errors"}) {
    EXPECT_THAT(r.out, HasSubstr(code));
  }
  EXPECT_THAT(Run("help").out, HasSubstr("writ lint --policies FILE..."));
  EXPECT_THAT(Run("help").out, Not(HasSubstr("writ lint FILE")));
}

}  // namespace
