// Tests for src/parse: writ's workload language extensions as the parser sees
// them — `spiffe(...)` and its methods, `.matches(...)` — with located issues
// for malformed literals, invalid and non-literal patterns, and strict mode,
// where each of them is unknown as it is to Cedar.
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/base/strings.h"
#include "src/parse/parser.h"
#include "tests/parse/parse_helpers.h"
#include "writ/policy_set.h"

namespace writ::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using testing_helpers::Expr1;
using testing_helpers::Parse;
using testing_helpers::Parsed;

ParseOptions Strict() {
  ParseOptions o;
  o.strict = true;
  return o;
}

Parsed ParseWith(std::string_view text, const ParseOptions& options) {
  Parsed p;
  SourceFile file("t.cedar", text);
  p.policies = ParsePolicies(file, options, &p.issues);
  return p;
}

// A policy whose condition is `cond`, on line 2 after a comment line.
std::string In(std::string_view cond) {
  return absl::StrCat("// workload policies\npermit(principal, action, resource) when { ", Av(cond), " };\n");
}
// The column of `needle` in the condition line of In(cond), 1-based.
std::uint32_t Col(std::string_view cond, std::string_view needle) {
  const std::string line = absl::StrCat("permit(principal, action, resource) when { ", Av(cond), " };");
  return static_cast<std::uint32_t>(line.find(needle) + 1);
}

// The single issue of parsing In(cond).
Issue OnlyIssue(std::string_view cond, const ParseOptions& options = {}) {
  Parsed p = ParseWith(In(cond), options);
  EXPECT_THAT(p.issues, SizeIs(1)) << RenderIssues(p.issues);
  return p.issues.empty() ? Issue{} : p.issues[0];
}

TEST(WorkloadExtParseTest, ValidUsesParse) {
  for (std::string_view cond : {
           R"(spiffe("spiffe://prod.acme.io/ns/pay/sa/api").trustDomain() == "prod.acme.io")",
           R"(context.id.path() == "/ns/a")",
           R"(context.id.isInTrustDomain("prod.acme.io"))",
           R"(context.id.pathMatches("/ns/*/sa/**"))",
           R"(context.id == spiffe("SPIFFE://Prod.acme.io"))",
           R"(spiffe(context.raw).isInTrustDomain(context.td))",      // checked when evaluated
           R"(context.id.pathMatches(context.pattern))",
           R"(context.host.matches("[a-z]+\\.example\\.com"))",
           R"("abc".matches(""))",
           R"(principal.name.matches(("a|b")))",                     // a parenthesised literal is a literal
           R"(spiffe("spiffe://td:80", "x") == spiffe("spiffe://td"))",   // arity: an evaluation error, as in Cedar
       }) {
    Parsed p = Parse(In(cond));
    EXPECT_THAT(p.issues, IsEmpty()) << cond << "\n" << RenderIssues(p.issues);
  }
}

TEST(WorkloadExtParseTest, MatchesIsItsOwnNodeWithItsCompiledPattern) {
  ExprPtr e = Expr1(R"(context.host.matches("a+b"))");
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->kind, Expr::Kind::kMatches);
  EXPECT_EQ(e->name, "a+b");
  ASSERT_NE(e->regex, nullptr);
  EXPECT_TRUE(e->regex->FullMatch("aab"));
  ASSERT_THAT(e->args, SizeIs(1));
  EXPECT_EQ(e->args[0]->kind, Expr::Kind::kGetAttr);
  // Escapes are Cedar's, then the pattern is RE2's: "\\d" is the two characters \d.
  ExprPtr d = Expr1(R"("7".matches("\\d"))");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "\\d");
  EXPECT_TRUE(d->regex->FullMatch("7"));
  // `has` with a path copies its left side, compiled pattern included.
  ExprPtr h = Expr1(R"((if "a".matches("a") then context else {}) has x.y)");
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(h->kind, Expr::Kind::kAnd);
  EXPECT_NE(h->args[0]->args[0]->args[0]->regex, nullptr);            // the copy, in `has x`
  EXPECT_NE(h->args[1]->args[0]->args[0]->args[0]->regex, nullptr);   // the original, in `.x has y`
}

TEST(WorkloadExtParseTest, MalformedSpiffeLiteralIsLocated) {
  const std::string cond = R"(principal.id == spiffe("spiffe://prod.acme.io:8443/ns/a"))";
  const Issue i = OnlyIssue(cond);
  EXPECT_EQ(i.line, 2u);
  EXPECT_EQ(i.column, Col(cond, "\"spiffe://prod"));
  EXPECT_EQ(i.length, std::string_view(R"("spiffe://prod.acme.io:8443/ns/a")").size());
  EXPECT_EQ(i.message, "invalid SPIFFE ID \"spiffe://prod.acme.io:8443/ns/a\": the trust domain has a port (`:`)");
  EXPECT_EQ(i.hint, "a SPIFFE ID is written spiffe://trust.domain/path/segments");
  EXPECT_EQ(i.file, "t.cedar");
}

TEST(WorkloadExtParseTest, EachSpiffeRuleIsACompileIssue) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"http://td/a", "it does not start with `spiffe://`"},
      {"spiffe://", "the trust domain is empty"},
      {"spiffe://u@td", "the trust domain has user info (`@`)"},
      {"spiffe://td:1", "the trust domain has a port (`:`)"},
      {"spiffe://t%64", "the trust domain is percent-encoded (`%`)"},
      {"spiffe://t d", "the trust domain has the character ` `"},
      {"spiffe://td/a b", "the path has the character ` `"},
      {"spiffe://td//a", "the path has an empty segment (`//`)"},
      {"spiffe://td/./a", "the path has a `.` segment"},
      {"spiffe://td/a/..", "the path has a `..` segment"},
      {"spiffe://td/a/", "the path ends with `/`"},
      {"spiffe://td/a?b", "it has a query (`?`)"},
  };
  for (const auto& [id, reason] : cases) {
    const std::string cond = absl::StrCat("spiffe(\"", Av(id), "\").path() == \"\"");
    const Issue i = OnlyIssue(cond);
    EXPECT_EQ(i.column, Col(cond, "\"")) << id;
    EXPECT_THAT(i.message, HasSubstr(reason)) << id;
  }
  const std::string long_td = absl::StrCat("spiffe(\"spiffe://", std::string(256, 'a'), "\") == context.id");
  EXPECT_THAT(OnlyIssue(long_td).message, HasSubstr("the trust domain is 256 bytes long, more than 255"));
  const std::string long_id = absl::StrCat("spiffe(\"spiffe://td/", std::string(2040, 'a'), "\") == context.id");
  EXPECT_THAT(OnlyIssue(long_id).message, HasSubstr("it is 2052 bytes long, more than 2048"));
}

TEST(WorkloadExtParseTest, MalformedTrustDomainLiteralIsLocated) {
  const std::string cond = R"(context.id.isInTrustDomain("spiffe://prod.acme.io"))";
  const Issue i = OnlyIssue(cond);
  EXPECT_EQ(i.column, Col(cond, "\"spiffe://"));
  EXPECT_EQ(i.message,
            "invalid trust domain \"spiffe://prod.acme.io\": the trust domain has a port (`:`) "
            "(give the name alone, without `spiffe://`)");
  EXPECT_THAT(OnlyIssue(R"(context.id.isInTrustDomain(""))").message, HasSubstr("the trust domain is empty"));
}

TEST(WorkloadExtParseTest, InvalidPathPatternLiteralIsLocated) {
  const std::string cond = R"(context.id.pathMatches("/ns/sa-*/x"))";
  const Issue i = OnlyIssue(cond);
  EXPECT_EQ(i.column, Col(cond, "\"/ns"));
  EXPECT_EQ(i.message,
            "invalid path pattern \"/ns/sa-*/x\": `*` and `**` stand for whole segments: a segment is `*`, `**` "
            "or literal text");
  EXPECT_THAT(i.hint, HasSubstr("\"/ns/*/sa/**\""));
  EXPECT_THAT(OnlyIssue(R"(context.id.pathMatches("ns/a"))").message, HasSubstr("it does not start with `/`"));
  EXPECT_THAT(OnlyIssue(R"(context.id.pathMatches("/a/"))").message, HasSubstr("it ends with `/`"));
}

TEST(WorkloadExtParseTest, InvalidRegexIsLocated) {
  const std::string cond = R"(context.host.matches("([a-z]+"))";
  const Issue i = OnlyIssue(cond);
  EXPECT_EQ(i.line, 2u);
  EXPECT_EQ(i.column, Col(cond, "\"(["));
  EXPECT_EQ(i.message, "invalid regular expression: missing ): ([a-z]+");
  EXPECT_THAT(i.hint, HasSubstr("RE2"));
  EXPECT_THAT(OnlyIssue(R"(context.host.matches("\\pL{1000}"))").message,
              HasSubstr("regular expression too large"));
}

TEST(WorkloadExtParseTest, PatternMustBeAStringLiteral) {
  for (std::string_view pattern : {"context.re", R"(if true then "a" else "b")", "1", "[\"a\"]"}) {
    const std::string cond = absl::StrCat("context.host.matches(", Av(pattern), ")");
    const Issue i = OnlyIssue(cond);
    EXPECT_EQ(i.message, "the pattern of matches must be a string literal") << pattern;
    EXPECT_EQ(i.column, Col(cond, pattern)) << pattern;
  }
  EXPECT_THAT(OnlyIssue(R"(context.host.matches())").message, HasSubstr("`matches` takes 1 argument, 0 given"));
  EXPECT_THAT(OnlyIssue(R"(context.host.matches("a", "b"))").message,
              HasSubstr("`matches` takes 1 argument, 2 given"));
  EXPECT_THAT(OnlyIssue(R"(matches(context.host, "a"))").hint, HasSubstr("is a method"));
}

TEST(WorkloadExtParseTest, NamesAreSuggested) {
  EXPECT_EQ(OnlyIssue(R"(context.id.trustDomian())").hint, "did you mean `trustDomain`?");
  EXPECT_EQ(OnlyIssue(R"(context.s.matchs("a"))").hint, "did you mean `matches`?");
  EXPECT_EQ(OnlyIssue(R"(spiffee("spiffe://td"))").hint, "did you mean `spiffe`?");
  EXPECT_THAT(OnlyIssue(R"(trustDomain(context.id))").hint, HasSubstr("is a method"));
}

TEST(WorkloadExtParseTest, StrictModeKnowsOnlyCedar) {
  const ParseOptions strict = Strict();
  struct Case {
    std::string_view cond, needle, message;
  };
  const Case cases[] = {
      {R"(spiffe("spiffe://td/a") == context.id)", "spiffe", "`spiffe` is not a function"},
      {R"(context.id.trustDomain() == "td")", "trustDomain", "`trustDomain` is not a method"},
      {R"(context.id.path() == "/a")", "path", "`path` is not a method"},
      {R"(context.id.isInTrustDomain("td"))", "isInTrustDomain", "`isInTrustDomain` is not a method"},
      {R"(context.id.pathMatches("/a/**"))", "pathMatches", "`pathMatches` is not a method"},
      {R"(context.host.matches("a+"))", "matches", "`matches` is not a method"},
      // Even where extended mode would report a malformed literal.
      {R"(spiffe("spiffe://td:80") == context.id)", "spiffe", "`spiffe` is not a function"},
      {R"(context.host.matches("("))", "matches", "`matches` is not a method"},
  };
  for (const Case& c : cases) {
    const Issue i = OnlyIssue(c.cond, strict);
    EXPECT_EQ(i.message, c.message) << c.cond;
    EXPECT_EQ(i.line, 2u);
    EXPECT_EQ(i.column, Col(c.cond, c.needle)) << c.cond;
    EXPECT_EQ(i.hint, absl::StrCat("`", Av(c.needle), "` is a writ extension, not Cedar: check without strict mode to use it"));
  }
  // Suggestions stay within Cedar.
  EXPECT_EQ(OnlyIssue(R"(context.id.trustDomian())", strict).hint, "");
  EXPECT_EQ(OnlyIssue(R"(ip("1.2.3.4").isIpv5())", strict).hint, "did you mean `isIpv4`?");
  // Cedar itself parses as before.
  Parsed p = ParseWith(In(R"(ip("10.0.0.1").isInRange(ip("10.0.0.0/8")) && context.path == "/a")"), strict);
  EXPECT_THAT(p.issues, IsEmpty()) << RenderIssues(p.issues);
  // Attributes named like the methods are attributes in both modes.
  p = ParseWith(In(R"(context.path == "/a" && context has matches && context.spiffe == 1)"), strict);
  EXPECT_THAT(p.issues, IsEmpty()) << RenderIssues(p.issues);
}

TEST(WorkloadExtParseTest, StrictModeThroughThePolicySet) {
  PolicySet set;
  std::vector<Issue> issues;
  const std::string text = In(R"(context.host.matches("a+"))");
  EXPECT_FALSE(set.Add(text, "strict.cedar", &issues, Strict()).ok());
  ASSERT_THAT(issues, SizeIs(1));
  EXPECT_EQ(IssueLocation(issues[0]), absl::StrCat("strict.cedar:2:", Col(R"(context.host.matches("a+"))", "matches")));
  EXPECT_EQ(set.size(), 0u);
  issues.clear();
  EXPECT_TRUE(set.Add(text, "extended.cedar", &issues).ok()) << RenderIssues(issues);
  EXPECT_EQ(set.size(), 1u);
}

TEST(WorkloadExtParseTest, StrictExpressions) {
  std::vector<Issue> issues;
  SourceFile file("e", R"("a".matches("a"))");
  EXPECT_EQ(ParseExpression(file, Strict(), &issues), nullptr);
  ASSERT_THAT(issues, SizeIs(1));
  EXPECT_EQ(issues[0].message, "`matches` is not a method");
}

}  // namespace
}  // namespace writ::internal
