// Tests for src/compile: prepared requests (Engine::Prepare, Engine::Decide
// on a PreparedRequest) — the slots of the context attributes the policies
// read, decisions equal to Decide(const Request&) and to the reference
// authorizer, reuse of one PreparedRequest, and the requests it refuses.
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/grants.h"
#include "writ/json.h"
#include "writ/policy_set.h"

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

PolicySet Policies(std::string_view text) {
  PolicySet set;
  std::vector<Issue> issues;
  EXPECT_TRUE(set.Add(text, "p.cedar", &issues).ok()) << RenderIssues(issues);
  return set;
}

std::unique_ptr<Engine> Compile(const PolicySet& set, const Entities& entities = {}) {
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Compile(set, entities);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

Request MakeRequest(std::string_view json) {
  std::vector<Issue> issues;
  absl::StatusOr<Request> r = RequestFromJson(json, "r.json", &issues);
  EXPECT_TRUE(r.ok()) << RenderIssues(issues);
  return r.ok() ? *std::move(r) : Request{};
}

Entities MakeEntities(std::string_view json) {
  std::vector<Issue> issues;
  absl::StatusOr<Entities> e = EntitiesFromJson(json, "e.json", &issues);
  EXPECT_TRUE(e.ok()) << RenderIssues(issues);
  return e.ok() ? *std::move(e) : Entities{};
}

// Decides `r` prepared (into `prepared`), from the Request, and with the
// reference authorizer; the three must agree. Returns the decision.
Decision DecideAllWays(const Engine& engine, const PolicySet& set, const Entities& entities, const Request& r,
                       PreparedRequest* prepared) {
  Decision got;
  EXPECT_TRUE(engine.Prepare(r, prepared).ok());
  engine.Decide(*prepared, &got);
  const Decision want = Authorize(set, entities, r);
  EXPECT_EQ(Show(got), Show(want)) << "prepared";
  EXPECT_EQ(Show(engine.Decide(r)), Show(want)) << "request";
  return got;
}

constexpr char kEntities[] = R"([
  {"uid": {"type": "User", "id": "alice"}, "attrs": {"dept": "eng"},
   "parents": [{"type": "Group", "id": "staff"}]},
  {"uid": {"type": "Doc", "id": "d1"}, "attrs": {"owner": {"__entity": {"type": "User", "id": "alice"}}},
   "parents": []}
])";

TEST(PreparedRequestTest, SlotsForTheContextAttributesRead) {
  const PolicySet set = Policies(R"(
    permit(principal in Group::"staff", action == Action::"read", resource)
      when { context.env == "prod" && context.level < 3 };
    permit(principal, action, resource) when { context has mfa && context.mfa };
    forbid(principal, action, resource) when { context.env == "blocked" && principal.dept == "ops" };
  )");
  const Entities entities = MakeEntities(kEntities);
  std::unique_ptr<Engine> engine = Compile(set, entities);
  ASSERT_NE(engine, nullptr);
  PreparedRequest prepared;
  EXPECT_EQ(prepared.slot_count(), 0u);
  EXPECT_EQ(prepared.request(), nullptr);
  const Request r = MakeRequest(R"({"principal": "User::\"alice\"", "action": "Action::\"read\"",
      "resource": "Doc::\"d1\"", "context": {"env": "prod", "level": 2, "unread": "x", "zzz": 1}})");
  ASSERT_TRUE(engine->Prepare(r, &prepared).ok());
  // env, level, mfa (`has` and `.` share one): three slots; principal.dept
  // is an entity attribute, not a slot, and unread attributes have none.
  EXPECT_EQ(prepared.slot_count(), 3u);
  EXPECT_EQ(prepared.request(), &r);
  Decision d = DecideAllWays(*engine, set, entities, r, &prepared);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reasons, std::vector<std::string>{"policy0"});

  const Request mfa = MakeRequest(R"({"principal": "User::\"bob\"", "action": "Action::\"write\"",
      "resource": "Doc::\"d1\"", "context": {"mfa": true, "env": "dev", "level": 9}})");
  d = DecideAllWays(*engine, set, entities, mfa, &prepared);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reasons, std::vector<std::string>{"policy1"});

  // Policies that read no context attribute: no slots.
  const PolicySet plain = Policies(R"(permit(principal == User::"alice", action, resource);)");
  std::unique_ptr<Engine> plain_engine = Compile(plain, entities);
  ASSERT_TRUE(plain_engine->Prepare(r, &prepared).ok());
  EXPECT_EQ(prepared.slot_count(), 0u);
  EXPECT_TRUE(DecideAllWays(*plain_engine, plain, entities, r, &prepared).allowed);
}

// Paths into the context (`context.a.b`) have slots of their own; every way
// such a read can fail (a missing record or attribute, a value that is not a
// record, an entity whose attributes are in the store) decides as the
// reference does.
TEST(PreparedRequestTest, ContextPathsHaveSlots) {
  const PolicySet set = Policies(R"(
    permit(principal, action == Action::"read", resource) when { context.cred.expires > context.now };
    permit(principal, action == Action::"write", resource) when { context.cred has expires && context.cred.ok };
    permit(principal, action == Action::"list", resource) when { context.owner.dept == "eng" };
    permit(principal, action == Action::"tag", resource) when { context.a.b.c == 1 && context.a has b };
  )");
  const Entities entities = MakeEntities(kEntities);
  std::unique_ptr<Engine> engine = Compile(set, entities);
  ASSERT_NE(engine, nullptr);
  PreparedRequest prepared;
  const std::string actions[] = {"read", "write", "list", "tag"};
  const std::string contexts[] = {
      R"({"cred": {"expires": 10, "ok": true}, "now": 5})",
      R"({"cred": {"expires": 1, "ok": false}, "now": 5})",
      R"({"cred": {"ok": true}, "now": 5})",                      // no cred.expires
      R"({"now": 5})",                                            // no cred
      R"({"cred": 7, "now": 5})",                                 // cred is not a record
      R"({"cred": {"expires": "10"}, "now": 5})",                 // a string compared with <
      R"({"owner": {"__entity": {"type": "User", "id": "alice"}}})",   // an entity: the store's attributes
      R"({"owner": {"__entity": {"type": "User", "id": "nobody"}}})",
      R"({"owner": {"dept": "eng"}})",
      R"({"a": {"b": {"c": 1}}})",
      R"({"a": {"b": {"c": "1"}}})",
      R"({"a": {"b": 3}})",
      R"({"a": {}})",
  };
  for (const std::string& action : actions) {
    for (const std::string& context : contexts) {
      SCOPED_TRACE(absl::StrCat(action, " ", context));
      const Request r = MakeRequest(absl::StrCat(R"({"principal": "User::\"alice\"", "action": "Action::\")", action,
                                                 R"(\"", "resource": "Doc::\"d1\"", "context": )", context, "}"));
      DecideAllWays(*engine, set, entities, r, &prepared);
      // cred, cred.expires, now, cred.ok, owner, owner.dept, a, a.b, a.b.c
      EXPECT_EQ(prepared.slot_count(), 9u);
    }
  }
  const Request ok = MakeRequest(R"({"principal": "User::\"alice\"", "action": "Action::\"read\"",
      "resource": "Doc::\"d1\"", "context": {"cred": {"expires": 10}, "now": 5}})");
  EXPECT_TRUE(DecideAllWays(*engine, set, entities, ok, &prepared).allowed);
}

// Comparisons of context slots and constants are made on the slots' words
// when both sides are longs, booleans or short strings; every other pairing
// (long strings, mixed kinds, `<` on strings, values that are not scalars)
// decides as the reference does, errors included.
TEST(PreparedRequestTest, ScalarComparisonsAgreeWithTheReference) {
  const PolicySet set = Policies(R"(
    @id("eq-short") permit(principal, action, resource) when { context.s == "staging" };
    @id("ne-short") permit(principal, action, resource) when { context.s != "abc" };
    @id("eq-long") permit(principal, action, resource) when { context.s == "staging-eu" };
    @id("eq-slots") permit(principal, action, resource) when { context.s == context.t };
    @id("lt") permit(principal, action, resource) when { context.n < context.m };
    @id("ge-const") permit(principal, action, resource) when { 3 >= context.n };
    @id("bool") permit(principal, action, resource) when { context.flag == true };
    @id("bool-slots") permit(principal, action, resource) when { context.flag != context.other };
    @id("mixed") permit(principal, action, resource) when { context.n == "3" };
    @id("lt-string") forbid(principal, action, resource) when { context.s < "z" };
    @id("set") permit(principal, action, resource) when { context.set == [1, 2] };
  )");
  std::unique_ptr<Engine> engine = Compile(set);
  ASSERT_NE(engine, nullptr);
  PreparedRequest prepared;
  const std::string contexts[] = {
      R"({"s": "staging", "t": "staging", "n": 1, "m": 2, "flag": true, "other": false, "set": [2, 1]})",
      R"({"s": "abc", "t": "abd", "n": 3, "m": 3, "flag": false, "other": false, "set": [1]})",
      R"({"s": "staging-eu", "t": "staging-eu", "n": -9223372036854775808, "m": 9223372036854775807})",
      R"({"s": "", "t": "", "n": 4, "m": 3, "flag": "true", "other": 1})",
      R"({"s": "a\u0000", "t": "a", "n": "3", "m": "4"})",
      R"({"s": 1, "t": true, "flag": 1, "other": true})",
      R"({"s": "1234567", "t": "12345678"})",
      R"({})",
  };
  for (const std::string& context : contexts) {
    SCOPED_TRACE(context);
    const Request r = MakeRequest(absl::StrCat(
        R"({"principal": "User::\"alice\"", "action": "Action::\"read\"", "resource": "Doc::\"d1\"", "context": )",
        context, "}"));
    DecideAllWays(*engine, set, {}, r, &prepared);
  }
}

// A copy of a prepared request decides as the original; a moved-from one is
// no longer prepared. Slots past the inline ones are copied too.
TEST(PreparedRequestTest, CopiesAndMoves) {
  std::string conditions;
  for (int i = 0; i < 9; ++i) absl::StrAppend(&conditions, i == 0 ? "" : " && ", "context.a", i, " == ", i);
  const PolicySet set = Policies(absl::StrCat("permit(principal, action, resource) when { ", conditions, " };"));
  std::unique_ptr<Engine> engine = Compile(set);
  std::string context;
  for (int i = 0; i < 9; ++i) absl::StrAppend(&context, i == 0 ? "" : ", ", "\"a", i, "\": ", i);
  const Request r = MakeRequest(absl::StrCat(
      R"({"principal": "User::\"alice\"", "action": "Action::\"read\"", "resource": "Doc::\"d1\"", "context": {)",
      context, "}}"));
  PreparedRequest prepared;
  ASSERT_TRUE(engine->Prepare(r, &prepared).ok());
  ASSERT_GT(prepared.slot_count(), PreparedRequest::kInlineSlots);
  PreparedRequest copy = prepared;
  Decision d;
  engine->Decide(copy, &d);
  EXPECT_TRUE(d.allowed) << Show(d);
  PreparedRequest small;
  copy = small;   // over a spilled one: its slots now inline
  engine->Decide(copy, &d);
  EXPECT_FALSE(d.allowed);
  copy = prepared;
  PreparedRequest moved = std::move(copy);
  engine->Decide(moved, &d);
  EXPECT_TRUE(d.allowed) << Show(d);
  engine->Decide(copy, &d);   // NOLINT(bugprone-use-after-move): moved-from is defined as unprepared
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(Show(d), "deny [] {: the request was not prepared (Engine::Prepare)}");
}

TEST(PreparedRequestTest, AMissingContextAttributeErrsAsTheReferenceDoes) {
  const PolicySet set = Policies(R"(
    permit(principal, action, resource) when { context.level < 3 };
    permit(principal, action, resource) when { context has level };
    permit(principal, action, resource) when { context.ok };
  )");
  std::unique_ptr<Engine> engine = Compile(set);
  const Request r = MakeRequest(R"({"principal": "User::\"alice\"", "action": "Action::\"read\"",
      "resource": "Doc::\"d1\"", "context": {"other": 1, "ok": false}})");
  PreparedRequest prepared;
  const Decision d = DecideAllWays(*engine, set, {}, r, &prepared);
  EXPECT_FALSE(d.allowed);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].policy_id, "policy0");
  EXPECT_NE(d.errors[0].message.find("level"), std::string::npos) << d.errors[0].message;

  // A context that is not a record (Request promises one; a caller may still
  // set another value): every read errs, as in the reference.
  Request odd = r;
  odd.context = Value::Long(1);
  const Decision e = DecideAllWays(*engine, set, {}, odd, &prepared);
  EXPECT_EQ(e.errors.size(), 3u);
}

TEST(PreparedRequestTest, UnknownUidsDecideAsTheReferenceDoes) {
  const PolicySet set = Policies(R"(
    permit(principal in Group::"staff", action, resource);
    permit(principal is Robot, action, resource is Doc) when { resource.owner == principal };
    permit(principal, action, resource) when { principal.dept == "eng" };
    permit(principal, action == Action::"read", resource) when { principal has dept };
  )");
  const Entities entities = MakeEntities(kEntities);
  std::unique_ptr<Engine> engine = Compile(set, entities);
  PreparedRequest prepared;
  for (const char* json : {
           R"({"principal": "User::\"nobody\"", "action": "Action::\"read\"", "resource": "Doc::\"d1\""})",
           R"({"principal": "Robot::\"r2\"", "action": "Action::\"read\"", "resource": "Doc::\"d1\""})",
           R"({"principal": "Robot::\"r2\"", "action": "Action::\"new\"", "resource": "Doc::\"nope\""})",
           R"({"principal": "Alien::\"x\"", "action": "Verb::\"y\"", "resource": "Thing::\"z\""})",
           R"({"principal": "User::\"alice\"", "action": "Action::\"write\"", "resource": "Doc::\"d1\""})",
       }) {
    SCOPED_TRACE(json);
    DecideAllWays(*engine, set, entities, MakeRequest(json), &prepared);
  }
}

TEST(PreparedRequestTest, OnePreparedRequestIsReusedAcrossShapesAndEngines) {
  // One engine reads more context attributes than fit inline, one fewer.
  std::string many = "permit(principal, action, resource) when { true";
  for (int i = 0; i < 12; ++i) absl::StrAppend(&many, " && context.a", i, " == ", i);
  many += " };\nforbid(principal, action, resource) when { context has stop };";
  const PolicySet big_set = Policies(many);
  const PolicySet small_set = Policies(R"(permit(principal, action, resource) when { context.a1 == 1 };)");
  std::unique_ptr<Engine> big = Compile(big_set);
  std::unique_ptr<Engine> small = Compile(small_set);
  auto request = [](int attrs, bool stop) {
    Request r;
    r.principal = {"User", "alice"};
    r.action = {"Action", "read"};
    r.resource = {"Doc", "d1"};
    Value::Record context;
    for (int i = 0; i < attrs; ++i) context.emplace(absl::StrCat("a", i), Value::Long(i));
    if (stop) context.emplace("stop", Value::Bool(true));
    for (int i = 0; i < 40; ++i) context.emplace(absl::StrCat("pad", i), Value::Long(i));   // a large context
    r.context = Value::MakeRecord(std::move(context));
    return r;
  };
  PreparedRequest prepared;
  const std::vector<Request> requests = {request(12, false), request(3, false), request(0, false),
                                         request(12, true), request(2, false)};
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < requests.size(); ++i) {
      SCOPED_TRACE(absl::StrCat("round ", round, ", request ", i));
      const Decision b = DecideAllWays(*big, big_set, {}, requests[i], &prepared);
      EXPECT_EQ(prepared.slot_count(), 13u);
      EXPECT_EQ(b.allowed, i == 0);
      const Decision s = DecideAllWays(*small, small_set, {}, requests[i], &prepared);
      EXPECT_EQ(prepared.slot_count(), 1u);
      EXPECT_EQ(s.allowed, i != 2);
    }
  }
  // A copy borrows from the same request and decides the same.
  ASSERT_TRUE(big->Prepare(requests[0], &prepared).ok());
  const PreparedRequest copy = prepared;
  ASSERT_TRUE(big->Prepare(requests[2], &prepared).ok());
  Decision d;
  big->Decide(copy, &d);
  EXPECT_TRUE(d.allowed);
  big->Decide(prepared, &d);
  EXPECT_FALSE(d.allowed);
}

TEST(PreparedRequestTest, AnotherEnginesOrAnUnpreparedRequestIsDeniedWithAnError) {
  const PolicySet set = Policies(R"(permit(principal, action, resource) when { context.x == 1 };)");
  std::unique_ptr<Engine> a = Compile(set);
  std::unique_ptr<Engine> b = Compile(set);
  const Request r = MakeRequest(R"({"principal": "User::\"alice\"", "action": "Action::\"read\"",
      "resource": "Doc::\"d1\"", "context": {"x": 1}})");
  Decision d;
  d.allowed = true;
  d.reasons = {"stale"};

  PreparedRequest never;
  a->Decide(never, &d);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.reasons.empty());
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].policy_id, "");
  EXPECT_EQ(d.errors[0].message, "the request was not prepared (Engine::Prepare)");

  PreparedRequest prepared;
  ASSERT_TRUE(a->Prepare(r, &prepared).ok());
  a->Decide(prepared, &d);
  EXPECT_TRUE(d.allowed);
  EXPECT_TRUE(d.errors.empty());
  b->Decide(prepared, &d);   // the same policies, but another engine's symbols
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.reasons.empty());
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].message, "the request was prepared by another engine");

  // An engine destroyed and another compiled (perhaps at the same address)
  // does not take the old engine's prepared requests.
  a.reset();
  std::unique_ptr<Engine> c = Compile(set);
  c->Decide(prepared, &d);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.errors.size(), 1u);
}

TEST(PreparedRequestTest, AChainedRequestIsRefused) {
  const PolicySet set = Policies(R"(permit(principal, action, resource);)");
  std::unique_ptr<Engine> engine = Compile(set);
  Request r = MakeRequest(R"({"principal": "Tool::\"t\"", "action": "Action::\"read\"", "resource": "Doc::\"d1\""})");
  PreparedRequest prepared;
  ASSERT_TRUE(engine->Prepare(r, &prepared).ok());
  r.chain.push_back({"User", "alice"});
  const absl::Status s = engine->Prepare(r, &prepared);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("chain"), absl::string_view::npos);
  // `prepared` is left unprepared, not half of the old request.
  Decision d;
  engine->Decide(prepared, &d);
  EXPECT_FALSE(d.allowed);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].message, "the request was not prepared (Engine::Prepare)");
  // The Request path still decides the chain.
  EXPECT_TRUE(engine->Decide(r).allowed);
}

TEST(PreparedRequestTest, GrantsApplyToPreparedRequests) {
  const PolicySet set = Policies(R"(
    @id("on-call") permit(principal == ?principal, action == Action::"read", resource in ?resource)
      when { context.ticket != "" };
  )");
  const Entities entities = MakeEntities(kEntities);
  std::unique_ptr<Engine> engine = Compile(set, entities);
  const Request r = MakeRequest(R"({"principal": "User::\"alice\"", "action": "Action::\"read\"",
      "resource": "Doc::\"d1\"", "context": {"ticket": "INC-1"}})");
  PreparedRequest prepared;
  ASSERT_TRUE(engine->Prepare(r, &prepared).ok());
  Decision d;
  engine->Decide(prepared, &d);
  EXPECT_FALSE(d.allowed);
  Grant g;
  g.link.template_id = "on-call";
  g.link.link_id = "g1";
  g.link.principal = EntityUid{"User", "alice"};
  g.link.resource = EntityUid{"Doc", "d1"};
  ASSERT_TRUE(engine->AddGrant(g).ok());
  engine->Decide(prepared, &d);   // prepared before the grant: grants are read when deciding
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reasons, std::vector<std::string>{"g1"});
  EXPECT_EQ(Show(d), Show(engine->Decide(r)));
}

// Past its budget the engine keeps no candidate table, and deciding probes
// the index as it does with per-request entities: 2,000 members of a group,
// each a principal class, times 41 action classes are more table entries
// than 16 per row and per entity.
TEST(PreparedRequestTest, PastTheCandidateBudgetTheIndexIsProbed) {
  std::string actions;
  for (int i = 0; i < 40; ++i) absl::StrAppend(&actions, i == 0 ? "" : ", ", "Action::\"a", i, "\"");
  const PolicySet set = Policies(absl::StrCat(R"(
    permit(principal in Group::"g", action in [)", actions, R"(], resource) when { context.ok };
    permit(principal is User, action == Action::"a3", resource == Doc::"d");
    forbid(principal == User::"u7", action, resource);
    permit(principal, action in Action::"all", resource) when { context has ok };
  )"));
  std::string json = R"([{"uid": {"type": "Group", "id": "g"}, "attrs": {}, "parents": []})";
  for (int i = 0; i < 40; ++i) {
    absl::StrAppend(&json, R"(, {"uid": {"type": "Action", "id": "a)", i,
                    R"("}, "attrs": {}, "parents": [{"type": "Action", "id": "all"}]})");
  }
  for (int i = 0; i < 2000; ++i) {
    absl::StrAppend(&json, R"(, {"uid": {"type": "User", "id": "u)", i,
                    R"("}, "attrs": {}, "parents": [{"type": "Group", "id": "g"}]})");
  }
  json += "]";
  const Entities entities = MakeEntities(json);
  std::unique_ptr<Engine> engine = Compile(set, entities);
  ASSERT_NE(engine, nullptr);
  EXPECT_NE(engine->Dump().find("\ncandidates: over budget"), std::string::npos);
  PreparedRequest prepared;
  for (const char* principal : {"u7", "u8", "nobody"}) {
    for (const char* action : {"a3", "a39", "all", "other"}) {
      for (const char* ok : {"true", "false"}) {
        const Request r = MakeRequest(absl::StrCat(R"({"principal": "User::\")", principal,
                                                   R"(\"", "action": "Action::\")", action,
                                                   R"(\"", "resource": "Doc::\"d\"", "context": {"ok": )", ok, "}}"));
        SCOPED_TRACE(absl::StrCat(principal, " ", action, " ", ok));
        DecideAllWays(*engine, set, entities, r, &prepared);
      }
    }
  }
  // The same policies with a few members fit the table.
  std::unique_ptr<Engine> small = Compile(set, MakeEntities(R"([{"uid": {"type": "User", "id": "u7"}, "attrs": {},
      "parents": [{"type": "Group", "id": "g"}]}])"));
  EXPECT_EQ(small->Dump().find("\ncandidates: over budget"), std::string::npos);
}

TEST(PreparedRequestTest, SizeOfATypicalWorkloadRequest) {
  if constexpr (sizeof(void*) == 8) {
    static_assert(sizeof(PreparedRequest) <= 128);
  }
  // A workload policy set: a few context attributes read, all inline.
  const PolicySet set = Policies(R"(
    permit(principal in Namespace::"payments", action == Action::"read", resource in Group::"ledgers")
      when { context.environment == "prod" && context.now < context.credential_expires_at &&
             !context.credential_revoked };
    forbid(principal, action, resource) when { context has break_glass && !context.break_glass };
  )");
  std::unique_ptr<Engine> engine = Compile(set);
  const Request r = MakeRequest(R"({"principal": "Workload::\"spiffe://acme.io/ns/payments/sa/api\"",
      "action": "Action::\"read\"", "resource": "Bucket::\"b\"",
      "context": {"environment": "prod", "now": 1, "credential_expires_at": 2, "credential_revoked": false}})");
  PreparedRequest prepared;
  ASSERT_TRUE(engine->Prepare(r, &prepared).ok());
  EXPECT_EQ(prepared.slot_count(), 5u);
  EXPECT_LE(prepared.slot_count(), PreparedRequest::kInlineSlots);
}

// The bundled examples (policies/*/): every request of each, prepared and
// decided, agrees with Decide(const Request&) and the reference.
TEST(PreparedRequestTest, BundledExamplesAgree) {
  namespace fs = std::filesystem;
  auto read = [](const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  int folders = 0, requests = 0, malformed = 0;
  for (const fs::directory_entry& dir : fs::directory_iterator(fs::path(WRIT_SOURCE_DIR) / "policies")) {
    const fs::path policies = dir.path() / "policies.cedar", jsonl = dir.path() / "requests.jsonl";
    if (!fs::exists(policies) || !fs::exists(jsonl)) continue;
    SCOPED_TRACE(dir.path().string());
    const PolicySet set = Policies(read(policies));
    const Entities entities =
        fs::exists(dir.path() / "entities.json") ? MakeEntities(read(dir.path() / "entities.json")) : Entities{};
    std::unique_ptr<Engine> engine = Compile(set, entities);
    ASSERT_NE(engine, nullptr);
    PreparedRequest prepared;
    for (absl::string_view line : absl::StrSplit(read(jsonl), '\n', absl::SkipWhitespace())) {
      std::vector<Issue> issues;
      absl::StatusOr<Request> r = RequestFromJson(std::string(line), "requests.jsonl", &issues);
      // policies/example's last line is malformed on purpose (its README).
      if (!r.ok() && dir.path().filename() == "example" && ++malformed == 1) continue;
      ASSERT_TRUE(r.ok()) << RenderIssues(issues);
      if (!r->chain.empty()) {
        EXPECT_FALSE(engine->Prepare(*r, &prepared).ok());
        continue;
      }
      SCOPED_TRACE(std::string(line));
      DecideAllWays(*engine, set, entities, *r, &prepared);
      ++requests;
    }
    ++folders;
  }
  EXPECT_EQ(malformed, 1);
  EXPECT_GE(folders, 5);
  EXPECT_GE(requests, 20);
}

}  // namespace
}  // namespace writ
