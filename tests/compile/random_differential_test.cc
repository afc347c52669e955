// Tests for src/compile: the differential test — the compiled engine and the
// reference authorizer decide seeded random policies, entities and requests
// (random_gen.h: every operator and extension function, errors included)
// identically: decision, reasons, erroring policies and their messages.
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/compile/random_gen.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/policy_set.h"

namespace writ {
namespace {

std::string Show(const Decision& d) {
  std::string s = absl::StrCat(d.allowed ? "allow" : "deny", " [", absl::StrJoin(d.reasons, ","), "]");
  for (const PolicyError& e : d.errors) absl::StrAppend(&s, " {", e.policy_id, ": ", e.message, "}");
  return s;
}

// The differential test: seeded random policies, entities and requests. The
// seed range is fixed so that a failure reproduces; WRIT_RANDOM_SEEDS widens
// it for longer runs.
TEST(EngineDifferentialTest, RandomPoliciesAgreeWithTheReference) {
  const char* env = std::getenv("WRIT_RANDOM_SEEDS");
  const std::uint64_t seeds = env != nullptr ? std::strtoull(env, nullptr, 10) : 3000;
  std::uint64_t requests = 0, allowed = 0, errors = 0;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    testing_gen::RandomCase c = testing_gen::GenerateRandomCase(seed);
    PolicySet set;
    std::vector<Issue> issues;
    ASSERT_TRUE(set.Add(c.policies, "random.cedar", &issues).ok()) << "seed " << seed << "\n"
                                                                      << RenderIssues(issues);
    absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set, c.entities);
    ASSERT_TRUE(engine.ok()) << engine.status();
    for (const Request& r : c.requests) {
      const Decision got = (*engine)->Decide(r);
      const Decision want = Authorize(set, c.entities, r);
      ASSERT_EQ(Show(got), Show(want)) << "seed " << seed << "\npolicies:\n" << c.policies
                                       << "\nrequest: " << r.principal.ToString() << " "
                                       << r.action.ToString() << " " << r.resource.ToString() << " "
                                       << r.context.ToString();
      ++requests;
      allowed += want.allowed;
      errors += !want.errors.empty();
    }
  }
  std::cout << requests << " requests: " << allowed << " allowed, " << errors << " with errors\n";
  // The generator must keep producing every kind of outcome, or the test
  // would agree vacuously.
  EXPECT_GT(allowed, requests / 10);
  EXPECT_LT(allowed, requests * 9 / 10);
  EXPECT_GT(errors, requests / 50);
}

}  // namespace
}  // namespace writ
