// Tests for src/fmt: the layout rules (golden strings), comments, idempotence
// and errors. Every golden output is also checked to format to itself and to
// parse into the same policies as its input.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fmt/ast_canon.h"
#include "writ/format.h"
#include "writ/limits.h"

namespace writ::internal {
namespace {

using ::testing::HasSubstr;
using testing_helpers::CanonPolicies;

// Formats `text`, checking on the way that the result parses into the same
// policies and formats to itself.
std::string Fmt(std::string_view text, const FormatOptions& options = {}) {
  std::vector<Issue> issues;
  absl::StatusOr<std::string> out = FormatPolicies(text, "t.cedar", &issues, options);
  if (!out.ok()) {
    ADD_FAILURE() << out.status() << "\n" << RenderIssues(issues);
    return "";
  }
  EXPECT_EQ(CanonPolicies(*out), CanonPolicies(text)) << *out;
  absl::StatusOr<std::string> again = FormatPolicies(*out, "t.cedar", nullptr, options);
  EXPECT_TRUE(again.ok()) << again.status();
  if (again.ok()) {
    EXPECT_EQ(*again, *out) << "not idempotent";
  }
  return *out;
}

// --- rule 1: policies and the text as a whole ----------------------------------

TEST(FormatTest, EmptyAndBlankTextFormatToNothing) {
  EXPECT_EQ(Fmt(""), "");
  EXPECT_EQ(Fmt(" \n\t\r\n  \n"), "");
}

TEST(FormatTest, PoliciesAreSeparatedByOneEmptyLine) {
  EXPECT_EQ(Fmt("permit(principal,action,resource);forbid(principal,action,resource);\n\n\n\n"
                "permit(principal,action,resource);"),
            "permit (principal, action, resource);\n\n"
            "forbid (principal, action, resource);\n\n"
            "permit (principal, action, resource);\n");
}

TEST(FormatTest, CrLfAndUnicodeWhitespaceBecomeNewlinesAndSpaces) {
  EXPECT_EQ(Fmt("permit(\r\n  principal,\xC2\xA0\x61\x63tion,\r\n resource\r\n)\r\n;\r\n"),
            "permit (principal, action, resource);\n");
}

// --- rule 2: annotations --------------------------------------------------------

TEST(FormatTest, AnnotationsGoOnePerLine) {
  EXPECT_EQ(Fmt(R"(@id("p0") @owner("team")   @breakglass permit(principal,action,resource);)"),
            "@id(\"p0\")\n@owner(\"team\")\n@breakglass\npermit (principal, action, resource);\n");
}

// --- rule 3: the head -----------------------------------------------------------

TEST(FormatTest, ShortHeadStaysOnOneLine) {
  EXPECT_EQ(Fmt(R"(permit(principal==User::"alice",action==Action::"view",resource);)"),
            "permit (principal == User::\"alice\", action == Action::\"view\", resource);\n");
}

TEST(FormatTest, LongHeadPutsEachScopeElementOnItsLine) {
  EXPECT_EQ(Fmt(R"(permit(principal == User::"alice", action == Action::"view", resource == Photo::"VacationPhoto94.jpg");)"),
            "permit (\n"
            "  principal == User::\"alice\",\n"
            "  action == Action::\"view\",\n"
            "  resource == Photo::\"VacationPhoto94.jpg\"\n"
            ");\n");
}

TEST(FormatTest, LongActionListBreaksOneEntityPerLine) {
  EXPECT_EQ(Fmt(R"(permit(principal, action in [Action::"listAlbums", Action::"listPhotos", Action::"view", Action::"edit"], resource);)"),
            "permit (\n"
            "  principal,\n"
            "  action in [\n"
            "    Action::\"listAlbums\",\n"
            "    Action::\"listPhotos\",\n"
            "    Action::\"view\",\n"
            "    Action::\"edit\"\n"
            "  ],\n"
            "  resource\n"
            ");\n");
}

TEST(FormatTest, ScopeForms) {
  EXPECT_EQ(Fmt(R"(permit(principal is User in Group::"g",action in [],resource is Ns::Photo);)"),
            "permit (principal is User in Group::\"g\", action in [], resource is Ns::Photo);\n");
  EXPECT_EQ(Fmt(R"(permit(principal in ?principal,action,resource==?resource);)"),
            "permit (principal in ?principal, action, resource == ?resource);\n");
  // Parentheses in the scope are kept; the trailing comma goes.
  EXPECT_EQ(Fmt(R"(permit(principal==(User::"a"),action in ([Action::"a",(Action::"b")]),resource,);)"),
            "permit (\n"
            "  principal == (User::\"a\"),\n"
            "  action in ([Action::\"a\", (Action::\"b\")]),\n"
            "  resource\n"
            ");\n");
}

// --- rule 4: conditions -----------------------------------------------------------

TEST(FormatTest, ShortConditionStaysOnOneLine) {
  EXPECT_EQ(Fmt("permit(principal,action,resource) when{context.ok}unless{context.blocked};"),
            "permit (principal, action, resource)\n"
            "when { context.ok }\n"
            "unless { context.blocked };\n");
}

TEST(FormatTest, LongConditionBreaksInsideItsBraces) {
  EXPECT_EQ(Fmt("forbid(principal,action,resource) when { context has credential && (context.credential.revoked || "
                "context.credential.expires <= context.now) };"),
            "forbid (principal, action, resource)\n"
            "when {\n"
            "  context has credential &&\n"
            "  (context.credential.revoked || context.credential.expires <= context.now)\n"
            "};\n");
}

// --- rules 5 and 6: operators -------------------------------------------------------

TEST(FormatTest, OperatorsAreSpacedUnaryOnesAreNot) {
  EXPECT_EQ(Fmt("permit(principal,action,resource)when{1+2*3-4==- context.y&&!context.b||!!context.d&&-1<=--2};"),
            "permit (principal, action, resource)\n"
            "when { 1 + 2 * 3 - 4 == -context.y && !context.b || !!context.d && -1 <= --2 };\n");
  EXPECT_EQ(Fmt(R"(permit(principal,action,resource)when{principal is User in Group::"g"&&context has a.b&&context has "x y"&&context.s like "a*\*b"&&principal in resource.owners};)"),
            "permit (principal, action, resource)\n"
            "when {\n"
            "  principal is User in Group::\"g\" &&\n"
            "  context has a.b &&\n"
            "  context has \"x y\" &&\n"
            "  context.s like \"a*\\*b\" &&\n"
            "  principal in resource.owners\n"
            "};\n");
}

TEST(FormatTest, LongOrChainOfAndChainsBreaksOutermostFirst) {
  EXPECT_EQ(Fmt("permit(principal,action,resource)when{(principal.department == \"engineering\" && principal.level >= 5) "
                "|| principal.isAdmin || resource.public && context.readOnly};"),
            "permit (principal, action, resource)\n"
            "when {\n"
            "  (principal.department == \"engineering\" && principal.level >= 5) ||\n"
            "  principal.isAdmin ||\n"
            "  resource.public && context.readOnly\n"
            "};\n");
}

TEST(FormatTest, LongComparisonBreaksAfterItsOperator) {
  EXPECT_EQ(Fmt("permit(principal,action,resource)when{principal.organization.department.team.name == "
                "\"the-quite-long-name-of-a-team-and-more\"};"),
            "permit (principal, action, resource)\n"
            "when {\n"
            "  principal.organization.department.team.name ==\n"
            "    \"the-quite-long-name-of-a-team-and-more\"\n"
            "};\n");
}

// --- rule 7: sets, records, calls, parentheses ----------------------------------------

TEST(FormatTest, ShortCollectionsStayOnOneLine) {
  EXPECT_EQ(Fmt(R"(permit(principal,action,resource)when{[1,2,[],{}]==[ ]&&{a:1,"b c":[true,false,]}=={ }&&ip( "10.0.0.1" ).isInRange(ip("10.0.0.0/8"))};)"),
            "permit (principal, action, resource)\n"
            "when {\n"
            "  [1, 2, [], {}] == [] &&\n"
            "  { a: 1, \"b c\": [true, false] } == {} &&\n"
            "  ip(\"10.0.0.1\").isInRange(ip(\"10.0.0.0/8\"))\n"
            "};\n");
}

TEST(FormatTest, LongCollectionsPutOneElementPerLine) {
  EXPECT_EQ(Fmt("permit(principal,action,resource)when{context.config == {organization: principal.owner.organization, "
                "serviceline: principal.serviceline, tags: [\"alpha\", \"beta\", \"gamma\", \"delta\", \"epsilon\", "
                "\"zeta\", \"eta\"]}};"),
            "permit (principal, action, resource)\n"
            "when {\n"
            "  context.config == {\n"
            "    organization: principal.owner.organization,\n"
            "    serviceline: principal.serviceline,\n"
            "    tags: [\"alpha\", \"beta\", \"gamma\", \"delta\", \"epsilon\", \"zeta\", \"eta\"]\n"
            "  }\n"
            "};\n");
}

TEST(FormatTest, ParenthesesAreKept) {
  EXPECT_EQ(Fmt("permit(principal,action,resource)when{((1 + (2)) * 3) == (((9)))};"),
            "permit (principal, action, resource)\nwhen { ((1 + (2)) * 3) == (((9))) };\n");
}

// --- rule 8: if-then-else ------------------------------------------------------------

TEST(FormatTest, IfThenElse) {
  EXPECT_EQ(Fmt("permit(principal,action,resource)when{if context.a then 1 else 2};"),
            "permit (principal, action, resource)\nwhen { if context.a then 1 else 2 };\n");
  EXPECT_EQ(Fmt("permit(principal,action,resource)when{if principal.department == \"engineering\" then "
                "resource.owner == principal else context.override.enabled};"),
            "permit (principal, action, resource)\n"
            "when {\n"
            "  if principal.department == \"engineering\"\n"
            "  then resource.owner == principal\n"
            "  else context.override.enabled\n"
            "};\n");
}

// --- rule 9: tokens are copied as written ------------------------------------------------

TEST(FormatTest, LiteralsAreCopiedByteForByte) {
  const std::string policy =
      R"(permit(principal==User::"\u{1F600} \x41\t\"q\"",action,resource)when{context.s=="caf\u{e9}\n"&&)"
      R"(context.t like "\**" && context.n == 007 && context["key with \"quotes\""] == -9223372036854775808 && )"
      R"(context.d == decimal("1.50") && "ünïcödé" == context.u && datetime("2024-01-01").offset(duration("1h")) == context.w};)";
  const std::string out = Fmt(policy);
  for (std::string_view literal :
       {R"("\u{1F600} \x41\t\"q\"")", R"("caf\u{e9}\n")", R"("\**")", "007", R"(["key with \"quotes\""])",
        "-9223372036854775808", R"(decimal("1.50"))", R"("ünïcödé")", R"(duration("1h"))"}) {
    EXPECT_THAT(out, HasSubstr(literal));
  }
}

TEST(FormatTest, MultiLineStringLiteralsAreKept) {
  EXPECT_EQ(Fmt("permit(principal,action,resource)when{context.s == \"line one\n\n  line two\"};"),
            "permit (principal, action, resource)\nwhen { context.s == \"line one\n\n  line two\" };\n");
}

TEST(FormatTest, TagsIndexingAndMethods) {
  EXPECT_EQ(Fmt(R"(permit(principal,action,resource)when{principal.hasTag("t")&&principal.getTag("t")==resource["a"]["b"].c&&context.xs.containsAll([1])&&!context.ys.isEmpty()};)"),
            "permit (principal, action, resource)\n"
            "when {\n"
            "  principal.hasTag(\"t\") &&\n"
            "  principal.getTag(\"t\") == resource[\"a\"][\"b\"].c &&\n"
            "  context.xs.containsAll([1]) &&\n"
            "  !context.ys.isEmpty()\n"
            "};\n");
}

// --- rule 10: comments ---------------------------------------------------------------

TEST(FormatTest, CommentsAbovePoliciesStayAbove) {
  EXPECT_EQ(Fmt("// header\n\n// about p0\n//   more\npermit(principal,action,resource);\n"
                "// about p1\n\n\npermit(principal,action,resource); // end of p1\n"),
            "// header\n\n"
            "// about p0\n"
            "//   more\n"
            "permit (principal, action, resource);\n\n"
            "// about p1\n\n"
            "permit (principal, action, resource); // end of p1\n");
}

TEST(FormatTest, CommentsAtTheEndAreKept) {
  EXPECT_EQ(Fmt("permit(principal,action,resource);\n// the end\n\n// really"),
            "permit (principal, action, resource);\n// the end\n\n// really\n");
  EXPECT_EQ(Fmt("permit(principal,action,resource);\n\n\n// after a gap"),
            "permit (principal, action, resource);\n\n// after a gap\n");
  EXPECT_EQ(Fmt("// only a comment"), "// only a comment\n");
  EXPECT_EQ(Fmt("\n\n// one\n\n\n\n// two   \t\n"), "// one\n\n// two\n");
}

TEST(FormatTest, TrailingCommentsStayAtTheEndOfTheirLine) {
  EXPECT_EQ(Fmt("permit(\n  principal, // who\n  action,    // what\n  resource   // on what\n);"),
            "permit (\n"
            "  principal, // who\n"
            "  action, // what\n"
            "  resource // on what\n"
            ");\n");
}

TEST(FormatTest, CommentsInsideConditions) {
  EXPECT_EQ(Fmt("permit(principal,action,resource) when {\n"
                "  // why\n"
                "  context.a && // first\n"
                "  context.b\n"
                "};"),
            "permit (principal, action, resource)\n"
            "when {\n"
            "  // why\n"
            "  context.a && // first\n"
            "  context.b\n"
            "};\n");
  // A leading comment alone does not break the expression under it.
  EXPECT_EQ(Fmt("permit(principal,action,resource) when {\n  // why\n  context.a && context.b };"),
            "permit (principal, action, resource)\n"
            "when {\n"
            "  // why\n"
            "  context.a && context.b\n"
            "};\n");
  EXPECT_EQ(Fmt("permit(principal,action,resource) when { // why\n context.a };"),
            "permit (principal, action, resource)\n"
            "when { // why\n"
            "  context.a\n"
            "};\n");
}

TEST(FormatTest, CommentsBeforeCommasAndSemicolonsMoveAfterThem) {
  EXPECT_EQ(Fmt("permit(principal // p\n, action, resource) // r\n;"),
            "permit (\n"
            "  principal, // p\n"
            "  action,\n"
            "  resource\n"
            "); // r\n");
  // The comment of a dropped trailing comma stays with the element before it.
  EXPECT_EQ(Fmt("permit(principal,action,resource)when{[1, 2, // two\n]};"),
            "permit (principal, action, resource)\n"
            "when {\n"
            "  [\n"
            "    1,\n"
            "    2 // two\n"
            "  ]\n"
            "};\n");
}

TEST(FormatTest, CommentsInsideEntityUidsAndAnnotations) {
  EXPECT_EQ(Fmt("@a // one\n// two\n@b(\"x\") permit(principal, action, resource == a // 1\n// 2\n::\n// 3\n\"\");"),
            "@a // one\n"
            "// two\n"
            "@b(\"x\")\n"
            "permit (\n"
            "  principal,\n"
            "  action,\n"
            "  resource == a // 1\n"
            "  // 2\n"
            "  ::\n"
            "  // 3\n"
            "  \"\"\n"
            ");\n");
}

TEST(FormatTest, CommentEndsAtCarriageReturnAsTheLexerSays) {
  // A lone `\r` ends a comment: `permit` after it is code.
  EXPECT_EQ(Fmt("// c\rpermit(principal,action,resource);"), "// c\npermit (principal, action, resource);\n");
}

// --- rule 11: width and indentation ------------------------------------------------------

TEST(FormatTest, OptionsChangeWidthAndIndentation) {
  EXPECT_EQ(Fmt("permit(principal,action,resource)when{context.a && context.b};", FormatOptions{30, 4}),
            "permit (\n"
            "    principal,\n"
            "    action,\n"
            "    resource\n"
            ")\n"
            "when {\n"
            "    context.a && context.b\n"
            "};\n");
}

TEST(FormatTest, OptionsOutOfRangeAreRejected) {
  for (const FormatOptions& o : {FormatOptions{19, 2}, FormatOptions{1001, 2}, FormatOptions{80, -1},
                                 FormatOptions{80, 9}}) {
    absl::StatusOr<std::string> out = FormatPolicies("", "t.cedar", nullptr, o);
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(FormatTest, DeepNestingWithinTheLimitFormats) {
  const int depth = kMaxExpressionDepth - 2;
  const std::string text = absl::StrCat("permit(principal,action,resource)when{", std::string(depth, '('), "1",
                                        std::string(depth, ')'), " == 1};");
  // Every group breaks (the indentation leaves no room): still the same
  // policy, and formatting it again changes nothing (checked by Fmt).
  const std::string out = Fmt(text);
  EXPECT_EQ(std::count(out.begin(), out.end(), '('), depth + 1);
  EXPECT_THAT(out, HasSubstr(absl::StrCat("\n", std::string(2 * depth + 2, ' '), "1\n")));
}

TEST(FormatTest, LongChainsFormat) {
  std::string expr = "context.a0";
  for (int i = 1; i < 1000; ++i) absl::StrAppend(&expr, " || context.a", i);
  const std::string out = Fmt(absl::StrCat("permit(principal,action,resource)when{", expr, "};"));
  EXPECT_THAT(out, HasSubstr("\n  context.a998 ||\n  context.a999\n};\n"));
}

// --- errors ------------------------------------------------------------------------

TEST(FormatTest, TextThatDoesNotParseIsNotFormatted) {
  std::vector<Issue> issues;
  absl::StatusOr<std::string> out =
      FormatPolicies("permit(principal, action, resource);\npermit(principal, action, ) when { true };\n",
                     "bad.cedar", &issues);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("bad.cedar:2:27: unexpected `)`"));
  ASSERT_TRUE(HasErrors(issues));
  EXPECT_EQ(RenderIssues(issues),
            "bad.cedar:2:27: error: unexpected `)`, expected `resource`\n"
            "  permit(principal, action, ) when { true };\n"
            "                            ^\n");
}

TEST(FormatTest, EveryIssueIsReported) {
  std::vector<Issue> issues;
  absl::StatusOr<std::string> out = FormatPolicies(
      "permit(principal, action, resource) when { 1 +* 2 };\nforbid(principal, action, resource) when { \"open",
      "bad.cedar", &issues);
  EXPECT_FALSE(out.ok());
  ASSERT_EQ(issues.size(), 2u) << RenderIssues(issues);
  EXPECT_EQ(issues[0].line, 1u);
  EXPECT_EQ(issues[1].line, 2u);
  EXPECT_THAT(issues[1].message, HasSubstr("unterminated string"));
}

TEST(FormatTest, InvalidUtf8IsAnIssue) {
  std::vector<Issue> issues;
  absl::StatusOr<std::string> out = FormatPolicies("// \xff\npermit(principal,action,resource);", "u.cedar", &issues);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].message, "invalid UTF-8");
}

TEST(FormatTest, IssuesMayBeNull) {
  absl::StatusOr<std::string> out = FormatPolicies("permit(", "t.cedar", nullptr);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace writ::internal
