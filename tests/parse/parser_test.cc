// Tests for src/parse: every construct of Cedar's grammar, its desugarings,
// every class of error with its location, the bounds, and Cedar's corpus.
#include "src/parse/parser.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/limits.h"

namespace writ::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

struct Parsed {
  std::vector<Policy> policies;
  std::vector<Issue> issues;
};

Parsed Parse(std::string_view text) {
  Parsed p;
  SourceFile file("t.cedar", text);
  p.policies = ParsePolicies(file, ParseOptions{}, &p.issues);
  return p;
}

ExprPtr Expr1(std::string_view text, std::vector<Issue>* issues = nullptr) {
  std::vector<Issue> local;
  SourceFile file("e", text);
  return ParseExpression(file, ParseOptions{}, issues != nullptr ? issues : &local);
}

// The first error's "line:col: message".
std::string FirstError(std::string_view text) {
  Parsed p = Parse(text);
  if (p.issues.empty()) return "no error";
  const Issue& i = p.issues.front();
  return absl::StrCat(i.line, ":", i.column, ": ", i.message);
}

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
