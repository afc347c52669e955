// Tests for src/compile: the differential test — the compiled engine and the
// reference authorizer decide seeded random policies, entities and requests
// (random_gen.h: every operator and extension function, errors included)
// identically: decision, reasons, erroring policies and their messages, and
// for chained requests the identity denied; each request also decided as a
// prepared request (Engine::Prepare, Decide(const PreparedRequest&)) and
// from its JSON text (DecideJson, whose fast path reads it straight into a
// prepared request without building the context).
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "src/json/plain_request.h"
#include "tests/compile/random_gen.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/json.h"
#include "writ/policy_set.h"
#include "writ/revocation.h"

namespace writ {
namespace {

std::string Show(const Decision& d) {
  std::string s = absl::StrCat(d.allowed ? "allow" : "deny", " [", absl::StrJoin(d.reasons, ","), "]");
  for (const PolicyError& e : d.errors) absl::StrAppend(&s, " {", e.policy_id, ": ", e.message, "}");
  if (!d.breakglass.empty()) absl::StrAppend(&s, " breakglass[", absl::StrJoin(d.breakglass, ","), "]");
  if (d.revoked) s += " revoked";
  if (d.denied_by) absl::StrAppend(&s, " by ", d.denied_by->ToString());
  return s;
}

// `r` as JSON text: its uids as `Type::"id"` strings or, with `objects`, as
// {"type","id"}; its time as `now`.
std::string RequestJson(const Request& r, bool objects) {
  auto uid = [&](const EntityUid& u) {
    if (!objects) return ValueToJson(Value::String(u.ToString()));
    return absl::StrCat("{\"type\":", ValueToJson(Value::String(u.type)), ",\"id\":", ValueToJson(Value::String(u.id)),
                        "}");
  };
  std::string s = absl::StrCat("{\"principal\":", uid(r.principal), ",\"action\":", uid(r.action),
                               ",\"resource\":", uid(r.resource), ",\"context\":", ValueToJson(r.context));
  if (r.now) {
    absl::StrAppend(&s, ",\"now\":\"", absl::FormatTime(absl::RFC3339_full, *r.now, absl::UTCTimeZone()), "\"");
  }
  return s + "}";
}

std::optional<Value> PlainOrNot(const Value& v);

// `v` without what the plain JSON form cannot hold (entities, extension
// values), so that DecideJson's fast path reads it.
Value PlainOnly(const Value& v) {
  if (v.is(Value::Kind::kRecord)) {
    Value::Record kept;
    for (const auto& [k, x] : v.as_record()) {
      if (std::optional<Value> p = PlainOrNot(x)) kept.emplace(k, *std::move(p));
    }
    return Value::MakeRecord(std::move(kept));
  }
  return v;
}
std::optional<Value> PlainOrNot(const Value& v) {
  if (v.is(Value::Kind::kBool) || v.is(Value::Kind::kLong) || v.is(Value::Kind::kString)) return v;
  if (v.is(Value::Kind::kRecord)) return PlainOnly(v);
  if (v.is(Value::Kind::kSet)) {
    for (const Value& x : v.as_set()) {
      if (!PlainOrNot(x)) return std::nullopt;
    }
    return v;
  }
  return std::nullopt;
}

// DecideJson's decision of `r`'s text; counts in *lean the texts its fast
// path decided.
std::string ShowJson(const Engine& engine, const Request& r, bool objects, std::uint64_t* lean) {
  const std::string text = RequestJson(r, objects);
  Decision d;
  *lean += internal::DecidePlainJson(engine, text, &d) ? 1 : 0;
  std::vector<Issue> issues;
  if (absl::Status s = DecideJson(engine, text, "r.json", &issues, &d); !s.ok()) {
    return absl::StrCat("not read: ", s.message(), "\n", RenderIssues(issues), text);
  }
  return Show(d);
}

// The differential test: seeded random policies, entities and requests. The
// seed range is fixed so that a failure reproduces; WRIT_RANDOM_SEEDS widens
// it for longer runs.
TEST(EngineDifferentialTest, RandomPoliciesAgreeWithTheReference) {
  const char* env = std::getenv("WRIT_RANDOM_SEEDS");
  const std::uint64_t seeds = env != nullptr ? std::strtoull(env, nullptr, 10) : 3000;
  std::uint64_t requests = 0, allowed = 0, errors = 0, lean = 0;
  PreparedRequest prepared;
  Decision got_prepared;
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
      // The prepared path, with one PreparedRequest reused across requests
      // and engines.
      ASSERT_TRUE((*engine)->Prepare(r, &prepared).ok());
      (*engine)->Decide(prepared, &got_prepared);
      ASSERT_EQ(Show(got_prepared), Show(want)) << "prepared; seed " << seed << "\npolicies:\n" << c.policies
                                                << "\nrequest: " << r.principal.ToString() << " "
                                                << r.action.ToString() << " " << r.resource.ToString() << " "
                                                << r.context.ToString();
      ASSERT_EQ(ShowJson(**engine, r, seed % 2 == 0, &lean), Show(want))
          << "JSON; seed " << seed << "\npolicies:\n" << c.policies << "\nrequest: " << RequestJson(r, seed % 2 == 0);
      // And with a context the fast path reads (missing attributes err).
      Request plain = r;
      plain.context = PlainOnly(r.context);
      ASSERT_EQ(ShowJson(**engine, plain, seed % 2 == 0, &lean), Show(Authorize(set, c.entities, plain)))
          << "JSON; seed " << seed << "\npolicies:\n" << c.policies << "\nrequest: " << RequestJson(plain, seed % 2 == 0);
      ++requests;
      allowed += want.allowed;
      errors += !want.errors.empty();
    }
  }
  std::cout << requests << " requests: " << allowed << " allowed, " << errors << " with errors; " << lean
            << " decided from JSON without building the context\n";
  EXPECT_GT(lean, requests / 4);
  // The generator must keep producing every kind of outcome, or the test
  // would agree vacuously.
  EXPECT_GT(allowed, requests / 10);
  EXPECT_LT(allowed, requests * 9 / 10);
  EXPECT_GT(errors, requests / 50);
}

// The same cases with writ's workload extensions layered on: lifecycle
// windows and break-glass annotations on some policies, request times around
// their bounds (on the request or from the clock), revoked principals,
// ancestors and credentials, and fail-closed forbids.
TEST(EngineDifferentialTest, WorkloadExtensionsAgreeWithTheReference) {
  const absl::Time base = absl::FromUnixSeconds(1'800'000'000);
  const absl::Time times[] = {base - absl::Hours(1), base, base + absl::Nanoseconds(1), base + absl::Hours(1)};
  auto rfc3339 = [](absl::Time t) { return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone()); };
  std::uint64_t requests = 0, revoked = 0, breakglass = 0, errored = 0, spiffe_sets = 0, matches_sets = 0, lean = 0;
  testing_gen::RandomGenOptions gen;
  gen.writ_extensions = true;   // spiffe() values and .matches in the conditions, too
  PreparedRequest prepared;
  Decision got_prepared;
  for (std::uint64_t seed = 1; seed <= 1000; ++seed) {
    testing_gen::RandomCase c = testing_gen::GenerateRandomCase(seed, gen);
    spiffe_sets += absl::StrContains(c.policies, "spiffe(");
    matches_sets += absl::StrContains(c.policies, ".matches(");
    // Annotate every policy by its position: a window [not_before, expires)
    // on some, break-glass (with an expiry) on others.
    std::string text;
    int k = 0;
    for (absl::string_view line : absl::StrSplit(c.policies, '\n')) {
      if (absl::StartsWith(line, "permit(") || absl::StartsWith(line, "forbid(")) {
        switch ((seed + k++) % 4) {
          case 0: absl::StrAppend(&text, "@not_before(\"", rfc3339(base), "\")\n"); break;
          case 1: absl::StrAppend(&text, "@expires(\"", rfc3339(base), "\")\n"); break;
          case 2: absl::StrAppend(&text, "@breakglass(\"INC-", seed, "\") @expires(\"", rfc3339(base + absl::Hours(1)), "\")\n"); break;
          default: break;
        }
      }
      absl::StrAppend(&text, line, "\n");
    }
    PolicySet set;
    std::vector<Issue> issues;
    ASSERT_TRUE(set.Add(text, "random.cedar", &issues).ok()) << "seed " << seed << "\n" << RenderIssues(issues);
    auto list = std::make_shared<RevocationList>();
    DecideOptions options;
    options.fail_closed = seed % 2 == 0;
    options.revoked = list;
    std::size_t clock_index = 0;
    options.clock = [&] { return times[clock_index % 4]; };
    absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set, c.entities, options);
    ASSERT_TRUE(engine.ok()) << engine.status();
    for (std::size_t i = 0; i < c.requests.size(); ++i) {
      Request r = c.requests[i];
      clock_index = i + seed;
      if (i % 3 == 0) r.now = times[(i / 3) % 4];
      // Revoke something about one request in four: the principal, or an
      // entity of the store that may be one of its ancestors.
      if (i % 4 == 1) {
        ASSERT_TRUE(list->Revoke(r.principal).ok());
      }
      if (i % 4 == 2 && c.entities.size() > 0) {
        auto it = c.entities.begin();
        std::advance(it, static_cast<long>((seed + i) % c.entities.size()));
        ASSERT_TRUE(list->Revoke(it->first).ok());
      }
      const Decision got = (*engine)->Decide(r);
      const Decision want = Authorize(set, c.entities, r, options);
      ASSERT_EQ(Show(got), Show(want)) << "seed " << seed << "\npolicies:\n" << text << "\nrequest: "
                                       << r.principal.ToString() << " " << r.action.ToString() << " "
                                       << r.resource.ToString() << " " << r.context.ToString();
      ASSERT_TRUE((*engine)->Prepare(r, &prepared).ok());
      (*engine)->Decide(prepared, &got_prepared);
      ASSERT_EQ(Show(got_prepared), Show(want)) << "prepared; seed " << seed << "\npolicies:\n" << text
                                                << "\nrequest: " << r.principal.ToString() << " "
                                                << r.action.ToString() << " " << r.resource.ToString() << " "
                                                << r.context.ToString();
      ASSERT_EQ(ShowJson(**engine, r, seed % 2 == 0, &lean), Show(want))
          << "JSON; seed " << seed << "\npolicies:\n" << text << "\nrequest: " << RequestJson(r, seed % 2 == 0);
      Request plain = r;
      plain.context = PlainOnly(r.context);
      ASSERT_EQ(ShowJson(**engine, plain, seed % 2 == 0, &lean), Show(Authorize(set, c.entities, plain, options)))
          << "JSON; seed " << seed << "\npolicies:\n" << text << "\nrequest: " << RequestJson(plain, seed % 2 == 0);
      for (const EntityUid& uid : list->List()) list->Restore(uid);
      ++requests;
      revoked += want.revoked;
      breakglass += !want.breakglass.empty();
      errored += !want.errors.empty();
    }
  }
  std::cout << requests << " requests: " << revoked << " revoked, " << breakglass << " by break-glass, " << errored
            << " with errors; spiffe() in " << spiffe_sets << " and .matches in " << matches_sets << " of 1000 sets; "
            << lean << " decided from JSON without building the context\n";
  EXPECT_GT(lean, requests / 10);
  EXPECT_GT(spiffe_sets, 500u);
  EXPECT_GT(matches_sets, 300u);
  EXPECT_GT(revoked, requests / 10);
  EXPECT_GT(breakglass, requests / 50);
}

// Identity chains: the same random requests, each given a chain of one to
// three other principals of its case (so that identities differ in reach),
// some of them revoked, some with a request time and the writ extensions'
// policies; decided one by one and as a batch, the engine and the reference
// must agree on the decision and on the identity denied.
TEST(EngineDifferentialTest, ChainedRequestsAgreeWithTheReference) {
  const absl::Time base = absl::FromUnixSeconds(1'800'000'000);
  std::uint64_t requests = 0, allowed = 0, by_principal = 0, by_member = 0, revoked = 0;
  testing_gen::RandomGenOptions gen;
  gen.writ_extensions = true;
  for (std::uint64_t seed = 1; seed <= 1000; ++seed) {
    testing_gen::RandomCase c = testing_gen::GenerateRandomCase(seed, gen);
    PolicySet set;
    std::vector<Issue> issues;
    ASSERT_TRUE(set.Add(c.policies, "random.cedar", &issues).ok()) << "seed " << seed << "\n" << RenderIssues(issues);
    auto list = std::make_shared<RevocationList>();
    DecideOptions options;
    options.fail_closed = seed % 2 == 0;
    options.revoked = list;
    options.clock = [&] { return base; };
    absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set, c.entities, options);
    ASSERT_TRUE(engine.ok()) << engine.status();
    // One revoked principal per case, on the chains it appears in.
    if (seed % 3 == 0 && !c.requests.empty()) {
      ASSERT_TRUE(list->Revoke(c.requests[seed % c.requests.size()].principal).ok());
    }
    std::vector<Request> chained;
    for (std::size_t i = 0; i < c.requests.size(); ++i) {
      Request r = c.requests[i];
      const std::size_t length = 1 + (seed + i) % 3;
      for (std::size_t k = 1; k <= length; ++k) r.chain.push_back(c.requests[(i + k * 5) % c.requests.size()].principal);
      if (i % 4 == 0) r.now = base;
      chained.push_back(r);
      const Decision got = (*engine)->Decide(r);
      const Decision want = Authorize(set, c.entities, r, options);
      ASSERT_EQ(Show(got), Show(want)) << "seed " << seed << "\npolicies:\n" << c.policies << "\nrequest: "
                                       << r.principal.ToString() << " " << r.action.ToString() << " "
                                       << r.resource.ToString() << " " << r.context.ToString() << " chain "
                                       << r.chain.size();
      // A chained request is not prepared: Decide(const Request&) decides it.
      PreparedRequest prepared;
      ASSERT_EQ((*engine)->Prepare(r, &prepared).code(), absl::StatusCode::kInvalidArgument);
      ++requests;
      allowed += want.allowed;
      revoked += want.revoked;
      if (want.denied_by) ++(*want.denied_by == r.principal ? by_principal : by_member);
    }
    std::vector<Decision> batch;
    (*engine)->DecideBatch(chained, Entities{}, &batch);
    ASSERT_EQ(batch.size(), chained.size());
    for (std::size_t i = 0; i < chained.size(); ++i) {
      ASSERT_EQ(Show(batch[i]), Show(Authorize(set, c.entities, chained[i], options))) << "seed " << seed << " #" << i;
    }
  }
  std::cout << requests << " chained requests: " << allowed << " allowed, " << by_principal << " denied by the principal, "
            << by_member << " by a chain member, " << revoked << " as revoked\n";
  // Every kind of outcome, or the test would agree vacuously.
  EXPECT_GT(allowed, requests / 50);
  EXPECT_GT(by_principal, requests / 10);
  EXPECT_GT(by_member, requests / 50);
  EXPECT_GT(revoked, requests / 100);
}

}  // namespace
}  // namespace writ
