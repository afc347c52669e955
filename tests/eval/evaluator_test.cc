// Tests for src/eval: the reference evaluator's meaning of every operator,
// and the authorizer's combination of policy results.
#include "src/eval/evaluator.h"

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/parse/parser.h"
#include "writ/authorize.h"
#include "writ/policy_set.h"

namespace writ::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

EntityUid Uid(std::string type, std::string id) { return {std::move(type), std::move(id)}; }

// alice in team in org; bob alone; a doc with attributes and tags; an
// action group hierarchy.
Entities TestEntities() {
  Entities es;
  Entity alice{Uid("User", "alice"), {}, {Uid("Team", "eng")}, {}};
  alice.attrs.emplace("age", Value::Long(40));
  alice.attrs.emplace("profile", Value::MakeRecord({{"level", Value::Long(3)},
                                                    {"tags", Value::MakeSet({Value::String("a")})}}));
  alice.tags.emplace("clearance", Value::String("secret"));
  EXPECT_TRUE(es.Add(std::move(alice)).ok());
  EXPECT_TRUE(es.Add({Uid("Team", "eng"), {}, {Uid("Org", "acme")}, {}}).ok());
  EXPECT_TRUE(es.Add({Uid("Org", "acme"), {}, {}, {}}).ok());
  EXPECT_TRUE(es.Add({Uid("User", "bob"), {}, {}, {}}).ok());
  EXPECT_TRUE(es.Add({Uid("Action", "read"), {}, {Uid("Action", "readOnly")}, {}}).ok());
  EXPECT_TRUE(es.Add({Uid("Action", "readOnly"), {}, {}, {}}).ok());
  return es;
}

Request TestRequest() {
  Request r;
  r.principal = Uid("User", "alice");
  r.action = Uid("Action", "read");
  r.resource = Uid("Doc", "d1");
  r.context = Value::MakeRecord({{"ip", Value::String("10.0.0.1")}, {"n", Value::Long(5)}});
  return r;
}

class EvaluatorTest : public ::testing::Test {
 protected:
  absl::StatusOr<Value> Eval(std::string_view text) {
    SourceFile file("expr", text);
    std::vector<Issue> issues;
    ExprPtr e = ParseExpression(file, ParseOptions{}, &issues);
    if (e == nullptr) return absl::InvalidArgumentError(RenderIssues(issues));
    Evaluator ev(request_, entities_);
    return ev.Eval(*e);
  }
  Value True() { return Value::Bool(true); }
  Value False() { return Value::Bool(false); }
  std::string ErrorOf(std::string_view text) {
    auto v = Eval(text);
    EXPECT_FALSE(v.ok()) << text << " gave " << v->ToString();
    return v.ok() ? "" : std::string(v.status().message());
  }

  Entities entities_ = TestEntities();
  Request request_ = TestRequest();
};

TEST_F(EvaluatorTest, Literals) {
  EXPECT_EQ(*Eval("42"), Value::Long(42));
  EXPECT_EQ(*Eval("-9223372036854775808"), Value::Long(INT64_MIN));
  EXPECT_EQ(*Eval(R"("a\tb")"), Value::String("a\tb"));
  EXPECT_EQ(*Eval(R"(User::"alice")"), Value::Entity(Uid("User", "alice")));
  EXPECT_EQ(*Eval("[1, 1, 2]"), Value::MakeSet({Value::Long(1), Value::Long(2)}));
}

TEST_F(EvaluatorTest, Variables) {
  EXPECT_EQ(*Eval("principal"), Value::Entity(Uid("User", "alice")));
  EXPECT_EQ(*Eval("context.n"), Value::Long(5));
  EXPECT_EQ(*Eval("action"), Value::Entity(Uid("Action", "read")));
}

TEST_F(EvaluatorTest, ArithmeticOverflowIsAnError) {
  EXPECT_EQ(*Eval("1 + 2 * 3 - 4"), Value::Long(3));
  EXPECT_THAT(ErrorOf("9223372036854775807 + 1"), HasSubstr("overflow"));
  EXPECT_THAT(ErrorOf("-9223372036854775807 - 2"), HasSubstr("overflow"));
  EXPECT_THAT(ErrorOf("4611686018427387904 * 2"), HasSubstr("overflow"));
  EXPECT_THAT(ErrorOf("-(-9223372036854775807 - 1)"), HasSubstr("overflow"));
  EXPECT_THAT(ErrorOf("1 + \"a\""), HasSubstr("type error"));
}

TEST_F(EvaluatorTest, Comparisons) {
  EXPECT_EQ(*Eval("1 < 2"), True());
  EXPECT_EQ(*Eval("2 <= 2"), True());
  EXPECT_EQ(*Eval("1 > 2"), False());
  EXPECT_EQ(*Eval("2 >= 3"), False());
  EXPECT_THAT(ErrorOf(R"("a" < "b")"), HasSubstr("type error"));
  EXPECT_THAT(ErrorOf("1 < true"), HasSubstr("type error"));
}

TEST_F(EvaluatorTest, EqualityAcrossKindsIsFalseNotError) {
  EXPECT_EQ(*Eval(R"(1 == "1")"), False());
  EXPECT_EQ(*Eval("[1, 2] == [2, 1]"), True());
  EXPECT_EQ(*Eval(R"({a: 1, b: [true]} == {b: [true], a: 1})"), True());
  EXPECT_EQ(*Eval("1 != 2"), True());
}

TEST_F(EvaluatorTest, AndOrShortCircuitSkipErrors) {
  EXPECT_EQ(*Eval("false && (1 + true)"), False());
  EXPECT_EQ(*Eval("true || (1 + true)"), True());
  EXPECT_THAT(ErrorOf("true && 1"), HasSubstr("expected bool"));
  EXPECT_THAT(ErrorOf("1 && false"), HasSubstr("expected bool"));
  EXPECT_THAT(ErrorOf("false || 3"), HasSubstr("expected bool"));
}

TEST_F(EvaluatorTest, IfThenElse) {
  EXPECT_EQ(*Eval("if 1 < 2 then \"y\" else 1 + true"), Value::String("y"));
  EXPECT_THAT(ErrorOf("if 1 then 2 else 3"), HasSubstr("expected bool"));
}

TEST_F(EvaluatorTest, InIsTransitiveAndReflexive) {
  EXPECT_EQ(*Eval(R"(principal in Org::"acme")"), True());
  EXPECT_EQ(*Eval(R"(principal in User::"alice")"), True());
  EXPECT_EQ(*Eval(R"(principal in [Team::"x", Team::"eng"])"), True());
  EXPECT_EQ(*Eval(R"(User::"bob" in Org::"acme")"), False());
  // An entity that is not in the store is only `in` itself.
  EXPECT_EQ(*Eval(R"(User::"ghost" in User::"ghost")"), True());
  EXPECT_EQ(*Eval(R"(User::"ghost" in Org::"acme")"), False());
  EXPECT_THAT(ErrorOf(R"(principal in [Org::"acme", 1])"), HasSubstr("type error"));
  EXPECT_THAT(ErrorOf(R"(1 in Org::"acme")"), HasSubstr("type error"));
  EXPECT_THAT(ErrorOf(R"(principal in "acme")"), HasSubstr("type error"));
}

TEST_F(EvaluatorTest, HierarchyCyclesTerminate) {
  ASSERT_TRUE(entities_.Add({Uid("G", "a"), {}, {Uid("G", "b")}, {}}).ok());
  ASSERT_TRUE(entities_.Add({Uid("G", "b"), {}, {Uid("G", "a")}, {}}).ok());
  EXPECT_EQ(*Eval(R"(G::"a" in G::"b")"), True());
  EXPECT_EQ(*Eval(R"(G::"a" in G::"c")"), False());
}

TEST_F(EvaluatorTest, AttributesAndHas) {
  EXPECT_EQ(*Eval("principal.age"), Value::Long(40));
  EXPECT_EQ(*Eval(R"(principal["age"])"), Value::Long(40));
  EXPECT_EQ(*Eval("principal.profile.level"), Value::Long(3));
  EXPECT_EQ(*Eval("principal has age"), True());
  EXPECT_EQ(*Eval("principal has nope"), False());
  EXPECT_EQ(*Eval("principal has profile.level"), True());
  EXPECT_EQ(*Eval("principal has profile.nope"), False());
  EXPECT_EQ(*Eval(R"(User::"ghost" has age)"), False());
  EXPECT_THAT(ErrorOf("principal.nope"), HasSubstr("does not have the attribute"));
  EXPECT_THAT(ErrorOf(R"(User::"ghost".age)"), HasSubstr("does not exist"));
  EXPECT_THAT(ErrorOf("context.missing"), HasSubstr("does not have the attribute"));
  // A close name is suggested; a far one is not.
  EXPECT_EQ(ErrorOf("principal.ag"), "entity User::\"alice\" does not have the attribute `ag`; did you mean `age`?");
  EXPECT_EQ(ErrorOf("context.ipp"), "record does not have the attribute `ipp`; did you mean `ip`?");
  EXPECT_EQ(ErrorOf("context.environment"), "record does not have the attribute `environment`");
  EXPECT_THAT(ErrorOf("1 has a"), HasSubstr("type error"));
  EXPECT_THAT(ErrorOf("(1).a"), HasSubstr("type error"));
}

TEST_F(EvaluatorTest, Tags) {
  EXPECT_EQ(*Eval(R"(principal.hasTag("clearance"))"), True());
  EXPECT_EQ(*Eval(R"(principal.hasTag("age"))"), False());
  EXPECT_EQ(*Eval(R"(User::"ghost".hasTag("x"))"), False());
  EXPECT_EQ(*Eval(R"(principal.getTag("clearance"))"), Value::String("secret"));
  EXPECT_THAT(ErrorOf(R"(principal.getTag("age"))"), HasSubstr("does not have the tag"));
  EXPECT_THAT(ErrorOf(R"(User::"ghost".getTag("x"))"), HasSubstr("does not exist"));
  EXPECT_THAT(ErrorOf(R"(principal.getTag(1))"), HasSubstr("type error"));
}

TEST_F(EvaluatorTest, Like) {
  EXPECT_EQ(*Eval(R"("10.0.0.1" like "10.*")"), True());
  EXPECT_EQ(*Eval(R"("abc" like "a*c")"), True());
  EXPECT_EQ(*Eval(R"("abcbc" like "*bc")"), True());
  EXPECT_EQ(*Eval(R"("ab" like "a*b*")"), True());
  EXPECT_EQ(*Eval(R"("" like "*")"), True());
  EXPECT_EQ(*Eval(R"("" like "")"), True());
  EXPECT_EQ(*Eval(R"("a" like "")"), False());
  EXPECT_EQ(*Eval(R"("a*b" like "a\*b")"), True());
  EXPECT_EQ(*Eval(R"("axb" like "a\*b")"), False());
  EXPECT_EQ(*Eval(R"("aaa" like "*a*a*a*")"), True());
  EXPECT_EQ(*Eval(R"("aa" like "*a*a*a*")"), False());
  EXPECT_EQ(*Eval(R"("héllo" like "h*o")"), True());
  EXPECT_EQ(*Eval(R"("héllo" like "h?llo")"), False());
  EXPECT_THAT(ErrorOf(R"(1 like "*")"), HasSubstr("type error"));
}

TEST_F(EvaluatorTest, Is) {
  EXPECT_EQ(*Eval("principal is User"), True());
  EXPECT_EQ(*Eval("principal is Team"), False());
  EXPECT_EQ(*Eval(R"(principal is User in Org::"acme")"), True());
  EXPECT_THAT(ErrorOf("1 is User"), HasSubstr("type error"));
}

TEST_F(EvaluatorTest, SetOperations) {
  EXPECT_EQ(*Eval("[1, 2].contains(2)"), True());
  EXPECT_EQ(*Eval("[[1], [2]].contains([1])"), True());
  EXPECT_EQ(*Eval("[1, 2, 3].containsAll([1, 3])"), True());
  EXPECT_EQ(*Eval("[1, 2].containsAll([])"), True());
  EXPECT_EQ(*Eval("[1, 2].containsAny([3, 2])"), True());
  EXPECT_EQ(*Eval("[1, 2].containsAny([])"), False());
  EXPECT_EQ(*Eval("[].isEmpty()"), True());
  EXPECT_THAT(ErrorOf("1.contains(1)"), HasSubstr("type error"));
  EXPECT_THAT(ErrorOf("[1].containsAll(1)"), HasSubstr("type error"));
  EXPECT_THAT(ErrorOf("{a: 1}.isEmpty()"), HasSubstr("type error"));
}

TEST_F(EvaluatorTest, ErrorsInsideSetsAndRecordsPropagate) {
  EXPECT_THAT(ErrorOf("[1, 1 + true]"), HasSubstr("type error"));
  EXPECT_THAT(ErrorOf("{a: principal.nope}"), HasSubstr("attribute"));
}

// --- the authorizer ---------------------------------------------------------

Decision Decide(std::string_view policies, const Entities& es, const Request& r) {
  PolicySet set;
  std::vector<Issue> issues;
  absl::Status s = set.Add(policies, "test.cedar", &issues);
  EXPECT_TRUE(s.ok()) << RenderIssues(issues);
  return Authorize(set, es, r);
}

TEST(AuthorizeTest, DefaultDeny) {
  Decision d = Decide("", TestEntities(), TestRequest());
  EXPECT_FALSE(d.allowed);
  EXPECT_THAT(d.reasons, IsEmpty());
}

TEST(AuthorizeTest, PermitsAreReasons) {
  Decision d = Decide(R"(
    permit(principal in Org::"acme", action in Action::"readOnly", resource);
    permit(principal == User::"bob", action, resource);
    permit(principal, action == Action::"read", resource is Doc) when { context.n > 1 };
  )", TestEntities(), TestRequest());
  EXPECT_TRUE(d.allowed);
  EXPECT_THAT(d.reasons, ElementsAre("policy0", "policy2"));
}

TEST(AuthorizeTest, ForbidOverridesPermit) {
  Decision d = Decide(R"(
    permit(principal, action, resource);
    forbid(principal is User, action in [Action::"write", Action::"read"], resource)
      unless { context.ip like "192.168.*" };
  )", TestEntities(), TestRequest());
  EXPECT_FALSE(d.allowed);
  EXPECT_THAT(d.reasons, ElementsAre("policy1"));
}

TEST(AuthorizeTest, ErroringPoliciesAreSkippedAndReported) {
  Decision d = Decide(R"(
    forbid(principal, action, resource) when { principal.nope == 1 };
    permit(principal, action, resource) when { context.n + 1 == 6 };
    permit(principal, action, resource) when { 1 };
  )", TestEntities(), TestRequest());
  EXPECT_TRUE(d.allowed);
  EXPECT_THAT(d.reasons, ElementsAre("policy1"));
  ASSERT_EQ(d.errors.size(), 2u);
  EXPECT_EQ(d.errors[0].policy_id, "policy0");
  EXPECT_THAT(d.errors[0].message, HasSubstr("nope"));
  EXPECT_EQ(d.errors[1].policy_id, "policy2");
}

TEST(AuthorizeTest, ScopeFailureSkipsConditions) {
  // The condition would error, but the scope does not match: no error.
  Decision d = Decide(R"(
    permit(principal == User::"bob", action, resource) when { 1 + true };
  )", TestEntities(), TestRequest());
  EXPECT_FALSE(d.allowed);
  EXPECT_THAT(d.errors, IsEmpty());
}

TEST(AuthorizeTest, WhenAndUnlessCombine) {
  Decision d = Decide(R"(
    permit(principal, action, resource) when { true } unless { false } when { context.n == 5 };
    permit(principal, action, resource) when { true } unless { true };
  )", TestEntities(), TestRequest());
  EXPECT_THAT(d.reasons, ElementsAre("policy0"));
}

TEST(AuthorizeTest, TemplatesAreNotEvaluated) {
  Decision d = Decide("permit(principal == ?principal, action, resource);", TestEntities(),
                      TestRequest());
  EXPECT_FALSE(d.allowed);
  EXPECT_THAT(d.errors, IsEmpty());
}

TEST(AuthorizeTest, IdsContinueAcrossSources) {
  PolicySet set;
  ASSERT_TRUE(set.Add("permit(principal, action, resource);", "a", nullptr).ok());
  ASSERT_TRUE(set.Add("forbid(principal, action, resource) when { false };\n"
                      "permit(principal, action, resource);", "b", nullptr).ok());
  auto infos = set.policies();
  ASSERT_EQ(infos.size(), 3u);
  EXPECT_EQ(infos[2].id, "policy2");
  EXPECT_EQ(infos[2].file, "b");
  EXPECT_EQ(infos[2].line, 2u);
  Decision d = Authorize(set, TestEntities(), TestRequest());
  EXPECT_THAT(d.reasons, ElementsAre("policy0", "policy2"));
}

TEST(AuthorizeTest, FailedAddLeavesTheSetUnchanged) {
  PolicySet set;
  ASSERT_TRUE(set.Add("permit(principal, action, resource);", "a", nullptr).ok());
  std::vector<Issue> issues;
  EXPECT_FALSE(set.Add("permit(principal, action, resource);\npermit(", "b", &issues).ok());
  EXPECT_TRUE(HasErrors(issues));
  EXPECT_EQ(set.size(), 1u);
}

TEST(AuthorizeTest, ConcurrentDecisionsAgree) {
  PolicySet set;
  ASSERT_TRUE(set.Add(R"(permit(principal in Org::"acme", action, resource) when { context.n == 5 };)",
                      "a", nullptr).ok());
  const Entities es = TestEntities();
  const Request r = TestRequest();
  std::vector<std::thread> threads;
  std::atomic<int> allowed{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) allowed += Authorize(set, es, r).allowed ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 800);
}

}  // namespace
}  // namespace writ::internal
