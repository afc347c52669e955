// Tests for src/parse: the corners where Cedar's parser accepts or rejects
// something surprising (checked against Cedar 4.x's grammar.lalrpop,
// cst_to_ast.rs and its string escapes), so that writ accepts exactly the
// same texts.
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/parse/parser.h"
#include "tests/parse/parse_helpers.h"

namespace writ::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

using testing_helpers::Expr1;
using testing_helpers::FirstError;
using testing_helpers::Parse;
using testing_helpers::Parsed;

struct Case {
  const char* text;
  bool ok;
};

// Policies: whether Cedar accepts each one.
TEST(CedarAgreementTest, Policies) {
  const Case cases[] = {
      // A trailing comma after the scope is allowed; a fourth element is not.
      {"permit(principal, action, resource,);", true},
      {"permit(principal, action, resource, context);", false},
      {"permit(principal, action, resource,,);", false},
      {"permit(principal, action);", false},
      {"permit();", false},
      // Scope entities may be parenthesized, lists too, and list elements.
      {R"(permit(principal == (User::"a"), action, resource);)", true},
      {R"(permit(principal in ((Group::"g")), action, resource);)", true},
      {R"(permit(principal is User in (Group::"g"), action, resource);)", true},
      {R"(permit(principal == (?principal), action, resource in (?resource));)", true},
      {R"(permit(principal, action == (Action::"a"), resource);)", true},
      {R"(permit(principal, action in (Action::"a"), resource);)", true},
      {R"(permit(principal, action in ([Action::"a", (Action::"b")]), resource);)", true},
      {R"(permit(principal, action in (([Action::"a"])), resource);)", true},
      {R"(permit(principal == (User::"a", action, resource);)", false},
      {R"(permit(principal == User::"a"), action, resource);)", false},
      {R"(permit(principal, action == [Action::"a"], resource);)", false},
      {R"(permit(principal in [User::"a"], action, resource);)", false},
      {R"(permit(principal == "a", action, resource);)", false},
      {R"(permit(principal == User, action, resource);)", false},
      {R"(permit(principal in Group::"g" is User, action, resource);)", false},
      {R"(permit(principal is User == User::"a", action, resource);)", false},
      {R"(permit(principal, action is Action, resource);)", false},
      {R"(permit(principal: User, action, resource);)", false},
      {R"(permit(principal < User::"a", action, resource);)", false},
      {R"(permit(principal, action == Action::"a" || action == Action::"b", resource);)", false},
      {R"(permit(action, principal, resource);)", false},
      {R"(permit(principal, action == Foo::"a", resource);)", false},
      {R"(permit(principal, action == Ns::Action::"a", resource);)", true},
      {R"(permit(principal, action in [], resource);)", true},
      // Conditions and annotations.
      {"permit(principal, action, resource) when { true } unless { false } when { 1 < 2 };", true},
      {"permit(principal, action, resource) advice { true };", false},
      {"permit(principal, action, resource) when { };", false},
      {R"(@if("a") @true @__cedar("b") @permit permit(principal, action, resource);)", true},
      {R"(@a("1") @a("2") permit(principal, action, resource);)", false},
      {R"(@a(1) permit(principal, action, resource);)", false},
      {R"(allow(principal, action, resource);)", false},
      {"", true},
      {"// only a comment", true},
      {"permit(principal, action, resource) when { principal == ?principal };", false},
  };
  for (const Case& c : cases) {
    Parsed p = Parse(c.text);
    EXPECT_EQ(!HasErrors(p.issues), c.ok) << c.text << "\n" << RenderIssues(p.issues);
  }
}

// Expressions: whether Cedar accepts each one.
TEST(CedarAgreementTest, Expressions) {
  const Case cases[] = {
      {"1.foo", true},                      // any expression has attributes
      {R"("s".foo)", true},
      {R"("s"["a b"])", true},
      {R"([1, 2].foo["x"])", true},
      {"true.foo", true},
      {"context[1]", false},                // index must be a string literal
      {R"(context[("a")])", false},
      {"foo.bar", false},                   // a bare name has no fields
      {"Ns::foo", false},
      {"principal(1)", false},              // variables cannot be called
      {"(1)(2)", false},
      {R"(ip("1.2.3.4")(1))", false},
      {"contains([1], 1)", false},          // a method called as a function
      {R"(ip("1.2.3.4").decimal())", false},   // a function called as a method
      {R"(Ns::ip("1.2.3.4"))", false},      // extension functions are unqualified
      {R"(decimal("1.0", "2.0"))", true},   // arity: checked when evaluating, as in Cedar
      {R"(ip("1.2.3.4").isIpv4(1))", true},
      {"[].contains(1, 2)", false},         // builtin methods: arity at parse time
      {"[].isEmpty(1)", false},
      {"principal.getTag()", false},
      {"{principal: 1, context: 2, permit: 3, when: 4}", true},
      {"{if: 1}", false},
      {"{true: 1}", false},
      {"{__cedar: 1}", false},
      {"{a::b: 1}", false},
      {"{(\"a\"): 1}", false},
      {"{a: 1,}", true},
      {"{,}", false},
      {"[1,]", true},
      {"[,]", false},
      {"context has principal", true},
      {"context has a.b.c", true},
      {R"(context has "a b")", true},
      {R"(context has "a".b)", false},
      {"context has a.if", false},
      {"context has a.1", false},
      {"context has a.(b)", false},
      {"context has a::b", false},
      {"context has a + 1", false},
      {"context has a < 1", false},
      {"1 < 2 < 3", false},
      {"1 == 2 == 3", false},
      {"1 = 2", false},
      {"1 in [1] in [2]", false},
      {"(1 < 2) == true", true},
      {"1 / 2", false},
      {"1 % 2", false},
      {"!!!!true", true},
      {"!!!!!true", false},
      {"----1", true},
      {"-----1", false},
      {"!-1", false},
      {"-!1", false},
      {"- - 9223372036854775808", true},
      {"-9223372036854775808", true},
      {"9223372036854775808", false},
      {"-9223372036854775809", false},
      {"18446744073709551616", false},
      {R"(context like "a*b")", true},
      {R"(context like ("a"))", false},
      {"context like 1", false},
      {"principal is User", true},
      {R"(principal is Ns::User in Group::"g")", true},
      {R"(principal is User::"a")", false},
      {R"(principal is "User")", false},
      {"principal is if", false},
      {"principal is __cedar::X", false},
      {R"(__cedar::X::"a")", false},
      {R"(A::__cedar::"a")", false},
      {R"(when::unless::"a")", true},
      {R"(principal::"a")", true},
      {"if true then 1 else 2", true},
      {"if true then 1", false},
      {"?principal", true},
      {"?other", false},
      {"x", false},
      {"then", false},
  };
  for (const Case& c : cases) {
    std::vector<Issue> issues;
    ExprPtr e = Expr1(c.text, &issues);
    EXPECT_EQ(e != nullptr, c.ok) << c.text << "\n" << RenderIssues(issues);
    EXPECT_EQ(HasErrors(issues), !c.ok) << c.text;
  }
}

// Strings follow Rust's escapes, which Cedar uses.
TEST(CedarAgreementTest, StringEscapes) {
  std::vector<Issue> issues;
  EXPECT_EQ(Expr1(R"("\u{1_F6_00}")", &issues)->literal, Value::String("\xF0\x9F\x98\x80"));
  EXPECT_EQ(Expr1(R"("\u{00_41}\x7f")", &issues)->literal, Value::String("A\x7f"));
  EXPECT_EQ(Expr1("\"line\nbreak\"", &issues)->literal, Value::String("line\nbreak"));
  EXPECT_THAT(issues, SizeIs(0));
  const char* bad[] = {R"("\u{_41}")", R"("\u{1_2_3_4_5_6_7}")", R"("\u{41")", "\"a\rb\"", "\"crlf\r\n\"",
                       R"("\a")", R"("\x8")", R"("\
")"};
  for (const char* text : bad) {
    std::vector<Issue> errors;
    EXPECT_EQ(Expr1(text, &errors), nullptr) << text;
    EXPECT_THAT(errors, SizeIs(1)) << text;
  }
  std::vector<Issue> errors;
  Expr1("\"\\\xC3\xA9\"", &errors);   // `\é`: the message shows the whole character
  ASSERT_THAT(errors, SizeIs(1));
  EXPECT_EQ(errors[0].message, "invalid escape `\\\xC3\xA9`");
  EXPECT_EQ(FirstError("permit(principal, action, resource) when { \"a\rb\" };"),
            "1:44: bare carriage return in a string literal: write it as `\\r`");
  // Annotation values and entity ids are unescaped too.
  Parsed p = Parse(R"(@doc("a\tb") permit(principal == User::"\u{e9}", action, resource);)");
  ASSERT_THAT(p.issues, SizeIs(0)) << RenderIssues(p.issues);
  EXPECT_EQ(*p.policies[0].annotations[0].value, "a\tb");
  EXPECT_EQ(p.policies[0].principal.entity->id, "\xC3\xA9");
}

TEST(CedarAgreementTest, ScopeInParenthesesKeepsItsMeaning) {
  Parsed p = Parse(R"(permit(principal in (Group::"g"), action in ([Action::"a", (Action::"b")]),
                            resource == (?resource),);)");
  ASSERT_THAT(p.issues, SizeIs(0)) << RenderIssues(p.issues);
  const Policy& pol = p.policies[0];
  EXPECT_EQ(pol.principal.kind, ScopeConstraint::Kind::kIn);
  EXPECT_EQ(*pol.principal.entity, (EntityUid{"Group", "g"}));
  EXPECT_EQ(pol.action.kind, ActionConstraint::Kind::kInList);
  EXPECT_EQ(pol.action.entities, (std::vector<EntityUid>{{"Action", "a"}, {"Action", "b"}}));
  EXPECT_EQ(pol.resource.kind, ScopeConstraint::Kind::kEq);
  EXPECT_EQ(*pol.resource.slot, SlotKind::kResource);
  EXPECT_TRUE(pol.is_template);
  EXPECT_EQ(FirstError(R"(permit(principal == (User::"a", action, resource);)"),
            "1:31: unexpected `,`, expected `)`");
}

TEST(CedarAgreementTest, HintsForMisusedMethodsAndFunctions) {
  Parsed p = Parse("permit(principal, action, resource) when { contains([1], 1) };");
  ASSERT_THAT(p.issues, SizeIs(1));
  EXPECT_EQ(p.issues[0].message, "`contains` is not a function");
  EXPECT_EQ(p.issues[0].hint, "`contains` is a method: call it as `value.contains(...)`");
  EXPECT_EQ(p.issues[0].column, 44u);
}

// Duplicate checks stay linear: a record with 100,000 keys and a policy
// with 30,000 annotations parse quickly (quadratic checks would take long).
TEST(CedarAgreementTest, LargeRecordsAndAnnotationListsAreLinear) {
  std::string record = "permit(principal, action, resource) when { {";
  for (int i = 0; i < 100000; ++i) absl::StrAppend(&record, "k", i, ": ", i, ", ");
  record += "} has k7 };";
  Parsed p = Parse(record);
  ASSERT_THAT(p.issues, SizeIs(0));
  EXPECT_THAT(p.policies[0].conditions[0].expr->args[0]->keys, SizeIs(100000));
  std::string annotated;
  for (int i = 0; i < 30000; ++i) absl::StrAppend(&annotated, "@a", i, "(\"v\") ");
  annotated += "permit(principal, action, resource);";
  Parsed q = Parse(annotated);
  ASSERT_THAT(q.issues, SizeIs(0));
  EXPECT_THAT(q.policies[0].annotations, SizeIs(30000));
  EXPECT_THAT(FirstError("permit(principal, action, resource) when { {a: 1, b: 2, \"a\": 3} };"),
              HasSubstr("1:57: duplicate key `a`"));
}

// Each policy nested too deeply is one error, and the policies after it
// parse from a clean state however many came before.
TEST(CedarAgreementTest, ManyTooDeepPoliciesDoNotPoisonTheRest) {
  std::string text;
  for (int i = 0; i < 140; ++i) {
    text += "permit(principal, action, resource) when { " + std::string(130, '(') + "1" + std::string(130, ')') +
            " };\n";
  }
  text += "permit(principal, action, resource) when { (1 == 1) };\n";
  Parsed p = Parse(text);
  ASSERT_THAT(p.issues, SizeIs(140));
  EXPECT_EQ(p.issues.back().line, 140u);
  EXPECT_THAT(p.policies, SizeIs(1));
}

// `e has a.b.c` repeats `e` (as `e has a && e.a has b && e.a.b has c`):
// a large `e` with a long path is refused rather than copied many times.
TEST(CedarAgreementTest, NestedHasCopiesAreBounded) {
  std::string big = "[";
  for (int i = 0; i < 20000; ++i) absl::StrAppend(&big, i, ",");
  big += "]";
  std::string path = "a";
  for (int i = 0; i < 100; ++i) path += ".a";
  std::vector<Issue> issues;
  EXPECT_EQ(Expr1(big + " has " + path, &issues), nullptr);
  ASSERT_THAT(issues, SizeIs(1));
  EXPECT_THAT(issues[0].message, HasSubstr("expression too large"));
  issues.clear();
  ExprPtr e = Expr1(big + " has a.b", &issues);
  ASSERT_NE(e, nullptr) << RenderIssues(issues);
  EXPECT_EQ(e->kind, Expr::Kind::kAnd);
  EXPECT_THAT(e->args[0]->args[0]->args, SizeIs(20000));
  EXPECT_EQ(e->args[1]->args[0]->kind, Expr::Kind::kGetAttr);
}

}  // namespace
}  // namespace writ::internal
