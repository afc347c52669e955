// Tests for identity chains in JSON (writ/json.h): a request's `chain` read
// in every form `principal` takes, its mistakes located, its bound and its
// schema validation; and `denied_by` in decision JSON.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/json/decision_json.h"
#include "writ/json.h"
#include "writ/limits.h"
#include "writ/schema.h"

namespace writ {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Issue FirstError(const std::vector<Issue>& issues) {
  for (const Issue& i : issues) {
    if (i.severity == Severity::kError) return i;
  }
  return Issue{Severity::kNote, "", 0, 0, 0, "(no error)", "", ""};
}

// A request with `members` spliced in after the resource.
std::string Req(const std::string& members) {
  return absl::StrCat(R"({"principal": "Tool::\"t\"", "action": "Action::\"read\"", "resource": "Doc::\"d\"")",
                      members, "}");
}

// The first error reading `json`, which must not read.
Issue ReadError(const std::string& json, const JsonOptions& options = {}) {
  std::vector<Issue> issues;
  absl::StatusOr<Request> r = RequestFromJson(json, "r.json", &issues, options);
  EXPECT_FALSE(r.ok()) << json;
  return FirstError(issues);
}

TEST(ChainJsonTest, ReadsEveryFormPrincipalTakes) {
  std::vector<Issue> issues;
  absl::StatusOr<Request> r = RequestFromJson(
      Req(R"(, "chain": [{"type": "Agent", "id": "a"}, {"__entity": {"type": "User", "id": "alice"}},
                         "Org::\"acme\""])"),
      "r.json", &issues);
  ASSERT_TRUE(r.ok()) << RenderIssues(issues);
  EXPECT_THAT(r->chain, ElementsAre(EntityUid{"Agent", "a"}, EntityUid{"User", "alice"}, EntityUid{"Org", "acme"}));
  EXPECT_EQ(r->principal, (EntityUid{"Tool", "t"}));
  // No chain, or an empty one: none.
  r = RequestFromJson(Req(""), "r.json", &issues);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->chain.empty());
  r = RequestFromJson(Req(R"(, "chain": [])"), "r.json", &issues);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->chain.empty());
  // A context without `chain_position` is the caller's as it is.
  r = RequestFromJson(Req(R"(, "chain": ["User::\"u\""], "context": {"task": "t-1"})"), "r.json", &issues);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->context.as_record().size(), 1u);
}

TEST(ChainJsonTest, MistakesAreLocated) {
  // Not an array.
  Issue i = ReadError(Req(R"(, "chain": "User::\"u\"")"));
  EXPECT_THAT(i.message, HasSubstr("`chain` must be an array of entity references, not string"));
  EXPECT_EQ(i.line, 1u);
  EXPECT_EQ(i.column, 95u);
  // An element that is not an entity reference: located at the element.
  i = ReadError(Req(R"(,
  "chain": ["User::\"u\"", 7])"));
  EXPECT_THAT(i.message, HasSubstr("expected an entity reference, but got `7`"));
  EXPECT_EQ(i.line, 2u);
  EXPECT_EQ(i.column, 28u);
  i = ReadError(Req(R"(,
  "chain": ["alice"])"));
  EXPECT_THAT(i.message, HasSubstr("`alice` is not an entity reference"));
  EXPECT_EQ(i.column, 13u);
  i = ReadError(Req(R"(,
  "chain": [{"type": "User"}])"));
  EXPECT_EQ(i.line, 2u);
  // A chained request's context leaves `chain_position` to the chain: the
  // error is at the attribute.
  i = ReadError(Req(R"(,
  "chain": ["User::\"u\""], "context": {"a": 1, "chain_position": 0})"));
  EXPECT_THAT(i.message, HasSubstr("the context has `chain_position`, which a request with a `chain` gives"));
  EXPECT_EQ(i.line, 2u);
  EXPECT_EQ(i.column, 49u);
  // ... but without a chain the attribute is the caller's.
  std::vector<Issue> issues;
  EXPECT_TRUE(RequestFromJson(Req(R"(, "context": {"chain_position": 0})"), "r.json", &issues).ok());
  EXPECT_TRUE(RequestFromJson(Req(R"(, "chain": [], "context": {"chain_position": 0})"), "r.json", &issues).ok());
  // Strict mode: Cedar has no chains.
  JsonOptions strict;
  strict.strict = true;
  i = ReadError(Req(R"(, "chain": ["User::\"u\""])"), strict);
  EXPECT_THAT(i.message, HasSubstr("`chain` (the identities the principal acts for) is a writ extension"));
  // A misspelt field is still unknown, and the hint names `chain`.
  i = ReadError(Req(R"(, "chains": [])"));
  EXPECT_THAT(i.message, HasSubstr("unknown request field `chains`"));
  EXPECT_THAT(i.hint, HasSubstr("`chain`"));
}

TEST(ChainJsonTest, TheBoundIsChecked) {
  std::vector<std::string> uids;
  for (std::size_t k = 0; k < kMaxChainLength; ++k) uids.push_back(absl::StrCat(R"("Agent::\")", k, R"(\"")"));
  std::vector<Issue> issues;
  absl::StatusOr<Request> r =
      RequestFromJson(Req(absl::StrCat(R"(, "chain": [)", absl::StrJoin(uids, ", "), "]")), "r.json", &issues);
  ASSERT_TRUE(r.ok()) << RenderIssues(issues);
  EXPECT_EQ(r->chain.size(), kMaxChainLength);
  uids.push_back(R"("Agent::\"one-too-many\"")");
  Issue i = ReadError(Req(absl::StrCat(R"(, "chain": [)", absl::StrJoin(uids, ", "), "]")));
  EXPECT_EQ(i.message, absl::StrCat("`chain` has ", kMaxChainLength + 1, " identities; at most ", kMaxChainLength,
                                    " are allowed"));
  EXPECT_EQ(i.column, 95u);
}

TEST(ChainJsonTest, ThroughASchemaEachIdentityIsValidatedAsAPrincipal) {
  std::vector<Issue> issues;
  absl::StatusOr<Schema> schema = Schema::Parse(R"(
    entity User; entity Agent; entity Tool; entity Doc;
    action read appliesTo { principal: [User, Agent, Tool], resource: Doc, context: { task?: String } };
    action call appliesTo { principal: [Tool], resource: Doc };
  )", "s.cedarschema", &issues);
  ASSERT_TRUE(schema.ok()) << RenderIssues(issues);
  JsonOptions options;
  options.schema = &*schema;
  absl::StatusOr<Request> r =
      RequestFromJson(Req(R"(, "chain": ["Agent::\"a\"", "User::\"u\""], "context": {"task": "t"})"), "r.json",
                      &issues, options);
  ASSERT_TRUE(r.ok()) << RenderIssues(issues);
  EXPECT_EQ(r->chain.size(), 2u);
  // An undeclared type, and a type the action does not apply to: each at
  // its element.
  Issue i = ReadError(Req(R"(,
  "chain": ["Agent::\"a\"", "Robot::\"r\""])"), options);
  EXPECT_THAT(i.message, HasSubstr("in `chain`: principal `Robot::\"r\"` has type `Robot`, which is not declared"));
  EXPECT_EQ(i.line, 2u);
  EXPECT_EQ(i.column, 29u);
  i = ReadError(R"({"principal": "Tool::\"t\"", "action": "Action::\"call\"", "resource": "Doc::\"d\"",
  "chain": ["User::\"u\""]})",
                options);
  EXPECT_THAT(i.message, HasSubstr("in `chain`: principal type `User` is not valid for action `Action::\"call\"`"));
  EXPECT_EQ(i.line, 2u);
  EXPECT_EQ(i.column, 13u);
  // Without request validation the chain is read as written.
  options.validate_request = false;
  EXPECT_TRUE(RequestFromJson(Req(R"(, "chain": ["Robot::\"r\""])"), "r.json", &issues, options).ok());
  // The chain_position rule holds through a schema too.
  options.validate_request = true;
  i = ReadError(Req(R"(, "chain": ["User::\"u\""], "context": {"chain_position": 1})"), options);
  EXPECT_THAT(i.message, HasSubstr("`chain_position`"));
}

TEST(ChainJsonTest, DecisionJsonNamesTheIdentityDenied) {
  Decision d;
  d.reasons = {"policy4"};
  d.denied_by = EntityUid{"User", "alice"};
  EXPECT_EQ(DecisionToJson(d), R"({"decision":"deny","reasons":["policy4"],"errors":[],"denied_by":"User::\"alice\""})");
  d.revoked = true;
  d.reasons.clear();
  EXPECT_EQ(DecisionToJson(d), R"({"decision":"deny","reasons":[],"errors":[],"revoked":true,"denied_by":"User::\"alice\""})");
  // Unset: left out, except where every member is written (logs).
  Decision allowed;
  allowed.allowed = true;
  EXPECT_EQ(DecisionToJson(allowed), R"({"decision":"allow","reasons":[],"errors":[]})");
  std::string every;
  internal::AppendDecisionMembers(&every, allowed, /*every_member=*/true);
  EXPECT_EQ(every, R"("decision":"allow","reasons":[],"errors":[],"breakglass":[],"revoked":false,"denied_by":null)");
  // An id that needs escaping, cut like any other string.
  d.revoked = false;
  d.denied_by = EntityUid{"Agent", "a\"b"};
  EXPECT_THAT(DecisionToJson(d), HasSubstr(R"("denied_by":"Agent::\"a\\\"b\"")"));
}

}  // namespace
}  // namespace writ
