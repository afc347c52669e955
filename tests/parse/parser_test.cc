// Tests for src/parse: every construct of Cedar's grammar, its desugarings,
// every class of error with its location, the bounds, and Cedar's corpus.
#include "src/parse/parser.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/parse/parse_helpers.h"
#include "writ/limits.h"

namespace writ::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

using testing_helpers::Expr1;
using testing_helpers::FirstError;
using testing_helpers::Parse;
using testing_helpers::Parsed;

TEST(ParserTest, ScopeForms) {
  Parsed p = Parse(R"(
    permit(principal, action, resource);
    forbid(principal == User::"a", action == Action::"r", resource in Folder::"f");
    permit(principal is User, action in [Action::"a", Ns::Action::"b"], resource is Doc in Folder::"f");
    permit(principal in Group::"g", action in Action::"grp", resource == Doc::"d");
  )");
  ASSERT_THAT(p.issues, SizeIs(0)) << RenderIssues(p.issues);
  ASSERT_THAT(p.policies, SizeIs(4));
  EXPECT_EQ(p.policies[0].principal.kind, ScopeConstraint::Kind::kAny);
  EXPECT_EQ(p.policies[1].effect, Effect::kForbid);
  EXPECT_EQ(p.policies[1].principal.kind, ScopeConstraint::Kind::kEq);
  EXPECT_EQ(*p.policies[1].principal.entity, (EntityUid{"User", "a"}));
  EXPECT_EQ(p.policies[1].resource.kind, ScopeConstraint::Kind::kIn);
  EXPECT_EQ(p.policies[2].principal.kind, ScopeConstraint::Kind::kIs);
  EXPECT_EQ(p.policies[2].principal.entity_type, "User");
  EXPECT_EQ(p.policies[2].action.kind, ActionConstraint::Kind::kInList);
  EXPECT_EQ(p.policies[2].action.entities[1], (EntityUid{"Ns::Action", "b"}));
  EXPECT_EQ(p.policies[2].resource.kind, ScopeConstraint::Kind::kIsIn);
  EXPECT_EQ(p.policies[3].action.kind, ActionConstraint::Kind::kIn);
}

TEST(ParserTest, AnnotationsConditionsAndTemplates) {
  Parsed p = Parse(R"(@id("x") @advice
    permit(principal == ?principal, action, resource in ?resource)
    when { true } unless { false };)");
  ASSERT_THAT(p.issues, SizeIs(0)) << RenderIssues(p.issues);
  const Policy& pol = p.policies[0];
  ASSERT_THAT(pol.annotations, SizeIs(2));
  EXPECT_EQ(*pol.annotations[0].value, "x");
  EXPECT_FALSE(pol.annotations[1].value.has_value());
  EXPECT_TRUE(pol.is_template);
  EXPECT_EQ(*pol.principal.slot, SlotKind::kPrincipal);
  ASSERT_THAT(pol.conditions, SizeIs(2));
  EXPECT_FALSE(pol.conditions[1].is_when);
}

TEST(ParserTest, PrecedenceAndAssociativity) {
  ExprPtr e = Expr1("1 + 2 * 3 - 4 < 5 || false && true");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, Expr::Kind::kOr);
  EXPECT_EQ(e->args[1]->kind, Expr::Kind::kAnd);
  const Expr& lt = *e->args[0];
  EXPECT_EQ(lt.binary_op, BinaryOp::kLt);
  const Expr& sub = *lt.args[0];   // (1 + 2*3) - 4
  EXPECT_EQ(sub.binary_op, BinaryOp::kSub);
  EXPECT_EQ(sub.args[0]->binary_op, BinaryOp::kAdd);
  EXPECT_EQ(sub.args[0]->args[1]->binary_op, BinaryOp::kMul);
}

TEST(ParserTest, LiteralsAndEscapes) {
  EXPECT_EQ(Expr1("-9223372036854775808")->literal, Value::Long(INT64_MIN));
  EXPECT_EQ(Expr1(R"("a\n\t\\\"\0\u{1F600}\x41")")->literal, Value::String(std::string("a\n\t\\\"\0😀A", 11)));
  EXPECT_EQ(Expr1(R"(A::B::"x\"y")")->literal, Value::Entity({"A::B", "x\"y"}));
  ExprPtr neg = Expr1("--5");
  EXPECT_EQ(neg->kind, Expr::Kind::kUnary);
  EXPECT_EQ(neg->args[0]->literal, Value::Long(-5));
}

TEST(ParserTest, DesugarsHasPathsAndIsIn) {
  ExprPtr has = Expr1("principal has a.b.c");
  // (e has a && e.a has b) && e.a.b has c
  ASSERT_EQ(has->kind, Expr::Kind::kAnd);
  EXPECT_EQ(has->args[1]->kind, Expr::Kind::kHasAttr);
  EXPECT_EQ(has->args[1]->name, "c");
  EXPECT_EQ(has->args[1]->args[0]->kind, Expr::Kind::kGetAttr);
  EXPECT_EQ(has->args[1]->args[0]->name, "b");
  ExprPtr is_in = Expr1(R"(resource is Doc in Folder::"f")");
  ASSERT_EQ(is_in->kind, Expr::Kind::kAnd);
  EXPECT_EQ(is_in->args[0]->kind, Expr::Kind::kIs);
  EXPECT_EQ(is_in->args[1]->binary_op, BinaryOp::kIn);
  EXPECT_EQ(Expr1(R"(context["a b"])")->name, "a b");
  EXPECT_EQ(Expr1(R"(context has "a b")")->kind, Expr::Kind::kHasAttr);
}

TEST(ParserTest, LikePatterns) {
  ExprPtr e = Expr1(R"("x" like "a*b\*c**")");
  ASSERT_NE(e, nullptr);
  ASSERT_THAT(e->pattern, SizeIs(4));
  EXPECT_EQ(e->pattern[0].literal, "a");
  EXPECT_TRUE(e->pattern[1].wildcard);
  EXPECT_EQ(e->pattern[2].literal, "b*c");
  EXPECT_TRUE(e->pattern[3].wildcard);   // `**` is one wildcard
}

TEST(ParserTest, MethodsAndExtensionCalls) {
  EXPECT_EQ(Expr1("[1].contains(1)")->binary_op, BinaryOp::kContains);
  EXPECT_EQ(Expr1("[1].isEmpty()")->unary_op, UnaryOp::kIsEmpty);
  ExprPtr e = Expr1(R"(ip("10.0.0.1").isInRange(ip("10.0.0.0/8")))");
  ASSERT_EQ(e->kind, Expr::Kind::kExtCall);
  EXPECT_EQ(e->name, "isInRange");
  EXPECT_THAT(e->args, SizeIs(2));
  // Cedar checks extension arity when evaluating, not when parsing.
  EXPECT_NE(Expr1(R"(decimal("1.0", "2.0"))"), nullptr);
  EXPECT_EQ(Expr1(R"({a: 1, "b c": [2, 3,],})")->keys, (std::vector<std::string>{"a", "b c"}));
}

TEST(ParserTest, SyntaxErrorsHaveLocations) {
  EXPECT_EQ(FirstError("permit(principal, action, ) when { true };"),
            "1:27: unexpected `)`, expected `resource`");
  EXPECT_EQ(FirstError("permit(principal, action, resource) when { 1 + };"),
            "1:48: unexpected `}`, expected an expression");
  EXPECT_EQ(FirstError("permit(principal, action, resource)"), "1:36: unexpected end of input, expected `when`, `unless` or `;`");
  EXPECT_EQ(FirstError("allow(principal, action, resource);"), "1:1: unexpected `allow`, expected `permit` or `forbid`");
  EXPECT_EQ(FirstError("permit(principal, action, resource) when { };"),
            "1:44: empty condition: write an expression between the braces");
  EXPECT_EQ(FirstError("permit(principal, action, resource) when { \"abc };"), "1:44: unterminated string literal");
}

TEST(ParserTest, EveryErrorIsReported) {
  Parsed p = Parse("permit(principal, action, resource) when { 1 + };\n"
                   "permit(principal, action, resource);\n"
                   "forbid(principal, action, resource) when { ) };\n"
                   "permit(principal, action, resource) when { x };\n");
  ASSERT_THAT(p.issues, SizeIs(3)) << RenderIssues(p.issues);
  EXPECT_EQ(p.issues[0].line, 1u);
  EXPECT_EQ(p.issues[1].line, 3u);
  EXPECT_EQ(p.issues[2].line, 4u);
  EXPECT_THAT(p.issues[2].message, HasSubstr("unknown variable `x`"));
}

TEST(ParserTest, SemanticErrors) {
  EXPECT_THAT(FirstError(R"(permit(principal, action, resource) when { foo("x") };)"), HasSubstr("`foo` is not a function"));
  Parsed p = Parse(R"(permit(principal, action, resource) when { ip("1.2.3.4").isInRnge(ip("1.0.0.0/8")) };)");
  ASSERT_THAT(p.issues, SizeIs(1));
  EXPECT_THAT(p.issues[0].message, HasSubstr("`isInRnge` is not a method"));
  EXPECT_EQ(p.issues[0].hint, "did you mean `isInRange`?");
  EXPECT_THAT(FirstError(R"(permit(principal, action, resource) when { isIpv4(ip("1.2.3.4")) };)"),
              HasSubstr("`isIpv4` is not a function"));
  EXPECT_THAT(FirstError("permit(principal, action, resource) when { [1].contains() };"), HasSubstr("takes 1 argument"));
  EXPECT_THAT(FirstError("@a(\"1\") @a(\"2\") permit(principal, action, resource);"), HasSubstr("duplicate annotation"));
  EXPECT_THAT(FirstError("permit(principal, action, resource) when { {a: 1, a: 2} };"), HasSubstr("duplicate key `a`"));
  EXPECT_THAT(FirstError("permit(principal, action, resource) when { 9223372036854775808 };"), HasSubstr("out of range"));
  EXPECT_THAT(FirstError(R"(permit(principal, action, resource) when { "\q" };)"), HasSubstr("invalid escape `\\q`"));
  EXPECT_THAT(FirstError(R"(permit(principal, action, resource) when { "\*" };)"), HasSubstr("invalid escape"));
  EXPECT_THAT(FirstError("permit(principal, action, resource) when { 1 < 2 < 3 };"), HasSubstr("do not chain"));
  EXPECT_THAT(FirstError("permit(principal, action, resource) when { 1 = 2 };"), HasSubstr("unexpected `=`"));
  EXPECT_THAT(FirstError("permit(principal, action, resource) when { 4 / 2 };"), HasSubstr("not an operator"));
  EXPECT_THAT(FirstError("permit(principal, action, resource) when { !!!!!true };"), HasSubstr("too many `!`"));
  EXPECT_THAT(FirstError(R"(permit(principal in [User::"a"], action, resource);)"), HasSubstr("only `action`"));
  EXPECT_THAT(FirstError(R"(permit(principal, action == User::"a", resource);)"), HasSubstr("expected an action entity"));
  EXPECT_THAT(FirstError(R"(permit(principal, action, resource) when { if::"x" };)"), HasSubstr("unexpected `::`"));
  EXPECT_THAT(FirstError("permit(principal, action, resource) when { ?other };"), HasSubstr("unknown slot"));
}

// Regression: the lexer classified bytes with x3::space/alpha, which assert
// (Debug) or read <cctype> out of range (release) on bytes above 0x7f.
TEST(ParserTest, NonAsciiOutsideStringsIsALocatedError) {
  EXPECT_THAT(FirstError("permit(principal, action, resource) when { context.na" "\xc3\xaf" "ve };"),
              HasSubstr("1:54: unexpected"));
  EXPECT_THAT(FirstError("\xe2\x9c\x93"), HasSubstr("1:1: unexpected"));
  // Unicode whitespace (here U+00A0, U+2003, U+3000) separates tokens, as
  // in Cedar, whose lexer skips the regex `\s`.
  EXPECT_EQ(FirstError("permit(principal," "\xc2\xa0" "action," "\xe2\x80\x83" "resource)" "\xe3\x80\x80" ";"),
            "no error");
  EXPECT_THAT(FirstError("permit(principal," "\xe2\x80\x8b" "action, resource);"), HasSubstr("1:18: unexpected"));
}

TEST(ParserTest, InvalidUtf8IsLocated) {
  EXPECT_EQ(FirstError("permit(principal, action, resource)\nwhen { \"\xff\" };"), "2:9: invalid UTF-8");
}

TEST(ParserTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep = "permit(principal, action, resource) when { " + std::string(100000, '(') + "true" +
                     std::string(100000, ')') + " };";
  EXPECT_THAT(FirstError(deep), HasSubstr("nested too deeply"));
  std::string sets = "permit(principal, action, resource) when { " + std::string(100000, '[') + " };";
  EXPECT_THAT(FirstError(sets), HasSubstr("nested too deeply"));
  std::string ifs = "permit(principal, action, resource) when { ";
  for (int i = 0; i < 100000; ++i) ifs += "if true then ";
  EXPECT_THAT(FirstError(ifs), HasSubstr("nested too deeply"));
}

TEST(ParserTest, NestingWithinTheLimitParses) {
  const int n = kMaxExpressionDepth - 2;
  std::string ok = std::string(n, '(') + "1" + std::string(n, ')');
  EXPECT_NE(Expr1(ok), nullptr);
}

TEST(ParserTest, LongOperatorChainsAreBounded) {
  std::string chain = "permit(principal, action, resource) when { 1";
  for (int i = 0; i < 100000; ++i) chain += " + 1";
  chain += " == 1 };";
  EXPECT_THAT(FirstError(chain), HasSubstr("expression too large"));
  std::string fine = "1";
  for (int i = 0; i < 500; ++i) fine += " || false";
  EXPECT_NE(Expr1(fine), nullptr);
}

TEST(ParserTest, SlotsOnlyInTheScope) {
  EXPECT_EQ(FirstError("permit(principal == ?principal, action, resource) when { principal == ?principal };"),
            "1:71: slot `?principal` is not allowed in a condition");
  EXPECT_EQ(FirstError("permit(principal, action, resource) unless { ?resource };"),
            "1:46: slot `?resource` is not allowed in a condition");
  // A policy after one with an error is still checked from a clean state.
  Parsed p = Parse("permit(principal, action, resource) when { ?resource };\n"
                   "permit(principal, action, resource in ?resource);");
  ASSERT_THAT(p.issues, SizeIs(1));
  EXPECT_EQ(p.issues[0].line, 1u);
  EXPECT_THAT(FirstError("permit(principal == ?resource, action, resource);"), HasSubstr("unexpected slot"));
  EXPECT_THAT(FirstError("permit(principal, action == ?principal, resource);"), HasSubstr("expected a name"));
}

TEST(ParserTest, VariablesIfAndUnary) {
  EXPECT_EQ(Expr1("principal")->var, Var::kPrincipal);
  EXPECT_EQ(Expr1("action")->var, Var::kAction);
  EXPECT_EQ(Expr1("resource")->var, Var::kResource);
  EXPECT_EQ(Expr1("context")->var, Var::kContext);
  ExprPtr e = Expr1("if principal has a then 1 else context.b");
  ASSERT_EQ(e->kind, Expr::Kind::kIf);
  ASSERT_THAT(e->args, SizeIs(3));
  EXPECT_EQ(e->args[0]->kind, Expr::Kind::kHasAttr);
  EXPECT_EQ(e->args[1]->literal, Value::Long(1));
  EXPECT_EQ(e->args[2]->kind, Expr::Kind::kGetAttr);
  ExprPtr nn = Expr1("!!true");
  ASSERT_EQ(nn->kind, Expr::Kind::kUnary);
  EXPECT_EQ(nn->unary_op, UnaryOp::kNot);
  EXPECT_EQ(nn->args[0]->unary_op, UnaryOp::kNot);
  EXPECT_EQ(nn->args[0]->args[0]->literal, Value::Bool(true));
  ExprPtr neg = Expr1("-context.n");
  ASSERT_EQ(neg->kind, Expr::Kind::kUnary);
  EXPECT_EQ(neg->unary_op, UnaryOp::kNeg);
  EXPECT_EQ(Expr1("- 7")->literal, Value::Long(-7));
  EXPECT_EQ(Expr1("-(7)")->unary_op, UnaryOp::kNeg);
  ExprPtr neg_attr = Expr1("-7.a");   // -(7.a), not (-7).a
  ASSERT_EQ(neg_attr->kind, Expr::Kind::kUnary);
  EXPECT_EQ(neg_attr->args[0]->kind, Expr::Kind::kGetAttr);
  EXPECT_EQ(Expr1("9223372036854775807")->literal, Value::Long(INT64_MAX));
  EXPECT_NE(Expr1("----1"), nullptr);
  EXPECT_EQ(Expr1("-----1"), nullptr);
  EXPECT_EQ(Expr1("!-1"), nullptr);
  EXPECT_EQ(Expr1("-9223372036854775809"), nullptr);
}

TEST(ParserTest, MoreOperators) {
  const std::pair<const char*, BinaryOp> cases[] = {
      {"1 == 2", BinaryOp::kEq}, {"1 != 2", BinaryOp::kNe}, {"1 < 2", BinaryOp::kLt},
      {"1 <= 2", BinaryOp::kLe}, {"1 > 2", BinaryOp::kGt},  {"1 >= 2", BinaryOp::kGe},
      {"principal in resource", BinaryOp::kIn}, {"1 - 2", BinaryOp::kSub}, {"1 * 2", BinaryOp::kMul},
      {"[1].containsAll([1])", BinaryOp::kContainsAll}, {"[1].containsAny([1])", BinaryOp::kContainsAny},
      {"principal.getTag(\"t\")", BinaryOp::kGetTag}, {"principal.hasTag(\"t\")", BinaryOp::kHasTag}};
  for (const auto& [text, op] : cases) {
    ExprPtr e = Expr1(text);
    ASSERT_NE(e, nullptr) << text;
    EXPECT_EQ(e->kind, Expr::Kind::kBinary) << text;
    EXPECT_EQ(e->binary_op, op) << text;
    EXPECT_THAT(e->args, SizeIs(2)) << text;
  }
  ExprPtr is = Expr1("principal is Ns::User");
  ASSERT_EQ(is->kind, Expr::Kind::kIs);
  EXPECT_EQ(is->name, "Ns::User");
  ExprPtr ext = Expr1(R"(decimal("1.5").lessThan(decimal("2.0")))");
  ASSERT_EQ(ext->kind, Expr::Kind::kExtCall);
  EXPECT_EQ(ext->args[0]->kind, Expr::Kind::kExtCall);
  EXPECT_EQ(ext->args[0]->name, "decimal");
}

TEST(ParserTest, ListsRecordsAndTrailingCommas) {
  EXPECT_THAT(Expr1("[]")->args, SizeIs(0));
  EXPECT_EQ(Expr1("{}")->kind, Expr::Kind::kRecord);
  EXPECT_THAT(Expr1("[1, 2,]")->args, SizeIs(2));
  EXPECT_EQ(Expr1("[1,,]"), nullptr);
  EXPECT_EQ(Expr1("{permit: 1, principal: 2}")->keys, (std::vector<std::string>{"permit", "principal"}));
  Parsed p = Parse(R"(permit(principal, action in [Action::"a",], resource);
                      permit(principal, action in [], resource);)");
  ASSERT_THAT(p.issues, SizeIs(0)) << RenderIssues(p.issues);
  EXPECT_THAT(p.policies[0].action.entities, SizeIs(1));
  EXPECT_EQ(p.policies[1].action.kind, ActionConstraint::Kind::kInList);
  EXPECT_THAT(p.policies[1].action.entities, SizeIs(0));
}

TEST(ParserTest, ReservedWords) {
  // As in Cedar: reserved words are not attribute names unless quoted.
  EXPECT_EQ(Expr1("context.when")->name, "when");
  EXPECT_EQ(Expr1(R"(context["if"])")->name, "if");
  EXPECT_EQ(Expr1(R"({"in": 1})")->keys, (std::vector<std::string>{"in"}));
  for (const char* bad : {"context.if", "context.in", "{if: 1}", "{true: 1}", "principal has true",
                          "principal has a.if", "principal has if.a", "principal has a.__cedar",
                          R"(__cedar::X::"a")"}) {
    std::vector<Issue> issues;
    EXPECT_EQ(Expr1(bad, &issues), nullptr) << bad;
    ASSERT_THAT(issues, SizeIs(1)) << bad;
    EXPECT_THAT(issues[0].message, HasSubstr("reserved")) << bad;
  }
  EXPECT_THAT(FirstError("permit(principal, action, resource) when { then };"), HasSubstr("unexpected `then`"));
  EXPECT_THAT(FirstError(R"(permit(principal, action, resource) when { Ns::in::"x" };)"), HasSubstr("reserved word"));
  EXPECT_THAT(FirstError(R"(permit(principal is like, action, resource);)"), HasSubstr("reserved word"));
  // permit, forbid, when, unless are not reserved.
  EXPECT_EQ(Expr1(R"(when::"x")")->literal, Value::Entity({"when", "x"}));
}

TEST(ParserTest, EscapeErrors) {
  EXPECT_EQ(Expr1(R"("\r\'")")->literal, Value::String("\r'"));
  EXPECT_EQ(Expr1(R"("\u{41}\u{10FFFF}")")->literal, Value::String("A\xF4\x8F\xBF\xBF"));
  for (const char* bad : {R"("\u{}")", R"("\u{1234567}")", R"("\u{110000}")", R"("\u{D800}")", R"("\u41")",
                          R"("\x80")", R"("\xZ1")"}) {
    std::vector<Issue> issues;
    EXPECT_EQ(Expr1(bad, &issues), nullptr) << bad;
    ASSERT_THAT(issues, SizeIs(1)) << bad;
    EXPECT_THAT(issues[0].message, HasSubstr("invalid escape")) << bad;
    EXPECT_EQ(issues[0].column, 1u);
  }
  ExprPtr like = Expr1(R"(context.s like "\"*\\")");
  ASSERT_THAT(like->pattern, SizeIs(3));
  EXPECT_EQ(like->pattern[0].literal, "\"");
  EXPECT_EQ(like->pattern[2].literal, "\\");
}

TEST(ParserTest, SpansAreByteOffsets) {
  ExprPtr e = Expr1("  1 + 23");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->span.begin, 2u);
  EXPECT_EQ(e->span.end, 8u);
  EXPECT_EQ(e->args[1]->span.begin, 6u);
  EXPECT_EQ(e->args[1]->span.end, 8u);
  ExprPtr call = Expr1(R"(ip("1.2.3.4").isIpv4())");
  EXPECT_EQ(call->span.begin, 0u);
  EXPECT_EQ(call->span.end, 22u);
  Parsed p = Parse("// c\n@a(\"b\") forbid(principal == U::\"x\", action, resource) when { true };");
  ASSERT_THAT(p.issues, SizeIs(0)) << RenderIssues(p.issues);
  const Policy& pol = p.policies[0];
  EXPECT_EQ(pol.span.begin, 5u);
  EXPECT_EQ(pol.span.end, 73u);
  EXPECT_EQ(pol.effect_span.begin, 13u);
  EXPECT_EQ(pol.effect_span.end, 19u);
  EXPECT_EQ(pol.principal.span.begin, 20u);
  EXPECT_EQ(pol.principal.span.end, 39u);
  EXPECT_EQ(pol.annotations[0].span.begin, 5u);
  EXPECT_EQ(pol.annotations[0].key_span.begin, 6u);
  EXPECT_EQ(pol.conditions[0].expr->span.begin, 66u);
  EXPECT_EQ(pol.conditions[0].expr->span.end, 70u);
}

TEST(ParserTest, ErrorsOnSeveralLinesInOrder) {
  Parsed p = Parse("permit(principal, action, resource)\n"
                   "  when { 1 = 2 };\n"
                   "permit(principal, action, resource) when { context.x / 2 };\n"
                   "\n"
                   "forbid(principal, action, resource) when { é };\n"
                   "permit(principal, action, resource) when { \"\\q\" };\n"
                   "permit(principal, action, resource) when { 99999999999999999999 };\n");
  ASSERT_THAT(p.issues, SizeIs(5)) << RenderIssues(p.issues);
  EXPECT_EQ(absl::StrCat(p.issues[0].line, ":", p.issues[0].column, ": ", p.issues[0].message), "2:12: unexpected `=`");
  EXPECT_EQ(p.issues[0].hint, "use `==` to compare");
  EXPECT_EQ(absl::StrCat(p.issues[1].line, ":", p.issues[1].column), "3:54");
  EXPECT_EQ(absl::StrCat(p.issues[2].line, ":", p.issues[2].column, ": ", p.issues[2].message),
            "5:44: unexpected `é`, expected an expression");
  EXPECT_EQ(absl::StrCat(p.issues[3].line, ":", p.issues[3].column), "6:44");
  EXPECT_EQ(absl::StrCat(p.issues[4].line, ":", p.issues[4].column), "7:44");
  EXPECT_THAT(p.issues[4].message, HasSubstr("out of range"));
}

TEST(ParserTest, MethodStyleErrors) {
  Parsed p = Parse(R"(permit(principal, action, resource) when { "1.2.3.4".ip() };)");
  ASSERT_THAT(p.issues, SizeIs(1));
  EXPECT_THAT(p.issues[0].hint, HasSubstr("is a function"));
  EXPECT_EQ(p.issues[0].column, 54u);
  Parsed q = Parse(R"(permit(principal, action, resource) when { principal.contain(1) };)");
  ASSERT_THAT(q.issues, SizeIs(1));
  EXPECT_EQ(q.issues[0].hint, "did you mean `contains`?");
  EXPECT_THAT(FirstError(R"(permit(principal, action, resource) when { dcimal("1.0") };)"), HasSubstr("not a function"));
  EXPECT_THAT(FirstError("permit(principal, action, resource) when { [].isEmpty(1) };"), HasSubstr("takes 0 arguments"));
}

TEST(ParserTest, PreScanRejectsDeepBracketsOnce) {
  // `{` is level 1, so the 128th `(` is the 129th level: column 43 + 128.
  std::string deep = "permit(principal, action, resource) when { " + std::string(100000, '(') + "true" +
                     std::string(100000, ')') + " };\npermit(principal, action, resource) when { x };";
  Parsed p = Parse(deep);
  ASSERT_THAT(p.issues, SizeIs(2)) << p.issues[0].message;
  EXPECT_EQ(absl::StrCat(p.issues[0].line, ":", p.issues[0].column, ": ", p.issues[0].message),
            "1:171: brackets nested too deeply: more than 128 levels");
  EXPECT_EQ(p.issues[1].line, 2u);
  // Brackets inside strings and comments do not count.
  std::string quoted = "permit(principal, action, resource) when { \"" + std::string(500, '(') +
                       "\" == \"\\\"" + std::string(500, '[') + "\" }; // " + std::string(500, '{') + "\n";
  Parsed q = Parse(quoted);
  EXPECT_THAT(q.issues, SizeIs(0)) << RenderIssues(q.issues);
  std::vector<Issue> issues;
  EXPECT_EQ(Expr1(std::string(100000, '[') + std::string(100000, ']'), &issues), nullptr);
  ASSERT_THAT(issues, SizeIs(1));
  EXPECT_EQ(issues[0].column, 129u);
}

TEST(ParserTest, TextTooLarge) {
  std::string big(kMaxPolicyTextBytes + 1, ' ');
  EXPECT_THAT(FirstError(big), HasSubstr("more than the limit"));
}

TEST(ParserTest, EntityUidsAndTypeNames) {
  EXPECT_EQ(*ParseEntityUid(R"(Ns::User::"a\"b")"), (EntityUid{"Ns::User", "a\"b"}));
  EXPECT_EQ(*ParseEntityUid(R"( User :: "x" )"), (EntityUid{"User", "x"}));
  EXPECT_FALSE(ParseEntityUid(R"(User::"x" extra)").has_value());
  EXPECT_FALSE(ParseEntityUid(R"("x")").has_value());
  EXPECT_FALSE(ParseEntityUid(R"(if::"x")").has_value());
  EXPECT_EQ(*ParseEntityTypeName("A::B"), "A::B");
  EXPECT_FALSE(ParseEntityTypeName("9A").has_value());
  EXPECT_FALSE(ParseEntityTypeName("A::").has_value());
}

// ParseEntityUid reads `Name::"id"` (and ParseEntityTypeName `A::B`)
// without the lexer when it can; that path must agree with the parser on
// every input. A leading space always
// takes the parser (which skips it), so each text is read both ways.
TEST(ParserTest, EntityUidFastPathAgreesWithTheParser) {
  const std::string texts[] = {
      R"(User::"alice")", R"(A::B::"x")", R"(A::"x"::"y")", R"(A::"")", "A::\"\r\"", "A::\"\n\"", R"(A::"a\\b")",
      R"(_::"x")", R"(9A::"x")", R"(A::B)", R"(A:::"x")", R"(A::if::"x")", R"(if::"x")", R"(__cedar::"x")",
      R"(A::__cedar::"x")", R"(A::"x)", "A::\"\xc3\xa9\"", R"(A::"*")", R"(A::"x" )", R"(A ::"x")", R"(A::"x"//c)",
      R"(Workload::"spiffe://prod.acme.io/ns/ns23/sa/svc73")", R"(A::"x"")", R"(A::"\u{1F600}")", "A::",
      R"(true::"x")", R"(A::B::C::D::"x")", R"(A::"a"b")", R"(ABC)", R"(::"x")", R"(A::"x\")",
  };
  int fast = 0;
  for (const std::string& text : texts) {
    for (std::size_t at = 0; at <= text.size(); ++at) {
      for (const char c : {'\0', ':', '"', '\\', 'x', ' ', '\r', '9'}) {
        std::string mutated = text;
        if (at < mutated.size()) {
          mutated[at] = c;
        } else {
          mutated += c;
        }
        for (const std::string& t : {text, mutated}) {
          const std::optional<EntityUid> direct = ParseEntityUid(t);
          const std::optional<EntityUid> parsed = ParseEntityUid(" " + t);
          EXPECT_EQ(direct, parsed) << "[" << t << "]";
          fast += direct.has_value();
          // And the type name alone (the part before the first `::"`).
          const std::string type = t.substr(0, t.find("::\""));
          EXPECT_EQ(ParseEntityTypeName(type), ParseEntityTypeName(" " + type)) << "[" << type << "]";
        }
      }
    }
  }
  EXPECT_GT(fast, 100);
}

// Every prefix and single-byte corruption of real policies parses or fails
// with located issues; nothing crashes or throws.
TEST(ParserTest, DamagedPoliciesFailCleanly) {
  const std::filesystem::path dir = std::string(WRIT_CONFORMANCE_DIR) + "/tests";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "Cedar's integration tests not found at " << dir;
  int cases = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".cedar") continue;
    std::ifstream in(entry.path());
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    for (std::size_t cut = 0; cut < text.size(); cut += 3) {
      std::string damaged = text.substr(0, cut);
      if (cut % 2 == 0) damaged += text.substr(std::min(text.size(), cut + 1));   // drop one byte
      for (const char c : {'(', '"', '\xff'}) {
        std::string mutated = damaged;
        if (!mutated.empty()) mutated[cut % mutated.size()] = c;
        Parsed p = Parse(mutated);
        for (const Issue& i : p.issues) EXPECT_GT(i.line, 0u) << mutated;
        ++cases;
      }
    }
  }
  EXPECT_GT(cases, 1000);
}

// Every policy file of Cedar's integration tests parses.
void ParseAll(const std::filesystem::path& dir, bool recursive, int* files) {
  auto check = [&](const std::filesystem::path& p) {
    if (p.extension() != ".cedar") return;
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    Parsed parsed = Parse(text.str());
    EXPECT_THAT(parsed.issues, SizeIs(0)) << p << "\n" << RenderIssues(parsed.issues);
    ++*files;
  };
  if (recursive) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) check(e.path());
  } else {
    for (const auto& e : std::filesystem::directory_iterator(dir)) check(e.path());
  }
}

TEST(ParserTest, ParsesCedarsHandwrittenTests) {
  const std::filesystem::path dir = std::string(WRIT_CONFORMANCE_DIR) + "/tests";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "Cedar's integration tests not found at " << dir;
  int files = 0;
  ParseAll(dir, true, &files);
  EXPECT_GT(files, 20);
}

TEST(ParserTest, ParsesCedarsCorpus) {
  const char* dir = std::getenv("WRIT_CORPUS_DIR");
  if (dir == nullptr || !std::filesystem::exists(dir)) {
    GTEST_SKIP() << "Cedar's corpus is not unpacked (WRIT_CORPUS_DIR unset or missing)";
  }
  int files = 0;
  ParseAll(dir, false, &files);
  EXPECT_EQ(files, 7809);
}

}  // namespace
}  // namespace writ::internal
