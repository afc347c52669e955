// Tests for src/ext: writ's workload extensions — the `spiffe` type (every
// SPIFFE-ID rule, accepted and rejected, one test each), its methods and
// path patterns, its printed and JSON forms; and the `.matches` regular
// expressions (src/ext/regex.h).
// GCC 12 with -fsanitize=address reports the moves of writ::Value's variant
// (which holds a std::string) as maybe-uninitialized: a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/ext/ext_internal.h"
#include "src/ext/extensions.h"
#include "src/ext/regex.h"
#include "writ/limits.h"

namespace writ::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

absl::StatusOr<Value> Call(std::string_view name, std::vector<Value> args) {
  const ExtFunction* fn = FindExtFunction(name);
  if (fn == nullptr) return absl::NotFoundError(std::string(name));
  return CallExtFunction(*fn, args);
}
Value S(std::string_view s) { return Value::String(std::string(s)); }

// spiffe("..."): the value, or the failing call's message.
absl::StatusOr<Value> Spiffe(std::string_view text) { return Call("spiffe", {S(text)}); }
bool Accepts(std::string_view text) { return Spiffe(text).ok(); }
// The reason a text is refused, without the evaluation-error prefix.
std::string Reason(std::string_view text) {
  absl::StatusOr<Value> v = Spiffe(text);
  EXPECT_FALSE(v.ok()) << text << " was accepted";
  if (v.ok()) return "";
  const std::string message(v.status().message());
  const std::string prefix = "error while evaluating `spiffe` extension function: invalid SPIFFE ID ";
  EXPECT_THAT(message, StartsWith(prefix));
  const std::size_t colon = message.find(": ", prefix.size());
  return colon == std::string::npos ? message : message.substr(colon + 2);
}
Value Id(std::string_view text) {
  absl::StatusOr<Value> v = Spiffe(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status();
  return v.ok() ? *v : Value();
}
Value Apply(std::string_view name, std::vector<Value> args) {
  absl::StatusOr<Value> v = Call(name, std::move(args));
  EXPECT_TRUE(v.ok()) << name << ": " << v.status();
  return v.ok() ? *v : Value();
}
std::string Error(std::string_view name, std::vector<Value> args) {
  absl::StatusOr<Value> v = Call(name, std::move(args));
  EXPECT_FALSE(v.ok()) << name << " returned " << (v.ok() ? v->ToString() : "");
  return v.ok() ? "" : std::string(v.status().message());
}
bool PathMatches(std::string_view id, std::string_view pattern) {
  const Value r = Apply("pathMatches", {Id(id), S(pattern)});
  return r.is(Value::Kind::kBool) && r.as_bool();
}

// ---------------------------------------------------------------------------
// The SPIFFE-ID rules

TEST(SpiffeIdTest, AcceptsIdsWithAndWithoutPaths) {
  const Value td_only = Id("spiffe://example.org");
  EXPECT_EQ(td_only.as_spiffe().trust_domain, "example.org");
  EXPECT_EQ(td_only.as_spiffe().path, "");
  const Value workload = Id("spiffe://prod.acme.io/ns/payments/sa/api");
  EXPECT_EQ(workload.as_spiffe().trust_domain, "prod.acme.io");
  EXPECT_EQ(workload.as_spiffe().path, "/ns/payments/sa/api");
}

TEST(SpiffeIdTest, SchemeIsCaseInsensitiveAndRequired) {
  EXPECT_TRUE(Accepts("SPIFFE://example.org/a"));
  EXPECT_TRUE(Accepts("SpIfFe://example.org/a"));
  for (std::string_view bad : {"", "example.org/a", "spiffe:/example.org", "spiffe//example.org", "spiffe:example.org",
                               "http://example.org/a", "spiffes://example.org", " spiffe://example.org", "spiffe"}) {
    EXPECT_EQ(Reason(bad), "it does not start with `spiffe://`") << bad;
  }
}

TEST(SpiffeIdTest, TrustDomainIsCaseInsensitiveAndLowercased) {
  const Value v = Id("spiffe://Prod.ACME.io/Ns/A");
  EXPECT_EQ(v.as_spiffe().trust_domain, "prod.acme.io");
  EXPECT_EQ(v.as_spiffe().path, "/Ns/A");   // the path keeps its case
}

TEST(SpiffeIdTest, TrustDomainCharacters) {
  // Every allowed character: letters, digits, `.`, `-`, `_`.
  EXPECT_TRUE(Accepts("spiffe://abcdefghijklmnopqrstuvwxyz0123456789.-_"));
  EXPECT_TRUE(Accepts("spiffe://ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
  EXPECT_TRUE(Accepts("spiffe://-._"));
  EXPECT_EQ(Reason("spiffe://exa mple.org/a"),
            "the trust domain has the character ` `; it may have only letters, digits, `.`, `-` and `_`");
  EXPECT_EQ(Reason("spiffe://ex+ample.org"),
            "the trust domain has the character `+`; it may have only letters, digits, `.`, `-` and `_`");
  EXPECT_EQ(Reason("spiffe://\xc3\xa9t\xc3\xa9.org"),
            "the trust domain has the character `\xc3\xa9`; it may have only letters, digits, `.`, `-` and `_`");
  EXPECT_EQ(Reason("spiffe://a\tb"),
            "the trust domain has the character `\\u{9}`; it may have only letters, digits, `.`, `-` and `_`");
  EXPECT_EQ(Reason("spiffe://[v6]/a"),
            "the trust domain has the character `[`; it may have only letters, digits, `.`, `-` and `_`");
  EXPECT_EQ(Reason("spiffe://a\\b"),
            "the trust domain has the character `\\`; it may have only letters, digits, `.`, `-` and `_`");
}

TEST(SpiffeIdTest, TrustDomainIsNotEmpty) {
  EXPECT_EQ(Reason("spiffe://"), "the trust domain is empty");
  EXPECT_EQ(Reason("spiffe:///ns/a"), "the trust domain is empty");
}

TEST(SpiffeIdTest, TrustDomainHasNoPort) {
  EXPECT_EQ(Reason("spiffe://example.org:8443/a"), "the trust domain has a port (`:`)");
  EXPECT_EQ(Reason("spiffe://example.org:"), "the trust domain has a port (`:`)");
  EXPECT_EQ(Reason("spiffe://[::1]:80"), "the trust domain has a port (`:`)");
}

TEST(SpiffeIdTest, TrustDomainHasNoUserInfo) {
  EXPECT_EQ(Reason("spiffe://user@example.org/a"), "the trust domain has user info (`@`)");
  EXPECT_EQ(Reason("spiffe://user:secret@example.org/a"), "the trust domain has user info (`@`)");
  EXPECT_EQ(Reason("spiffe://@example.org"), "the trust domain has user info (`@`)");
}

TEST(SpiffeIdTest, NoPercentEncoding) {
  EXPECT_EQ(Reason("spiffe://example%2Eorg/a"), "the trust domain is percent-encoded (`%`)");
  EXPECT_EQ(Reason("spiffe://example.org/a%20b"), "the path is percent-encoded (`%`)");
  EXPECT_EQ(Reason("spiffe://example.org/%2e%2e"), "the path is percent-encoded (`%`)");
}

TEST(SpiffeIdTest, NoQueryOrFragment) {
  EXPECT_EQ(Reason("spiffe://example.org/a?b=c"), "it has a query (`?`)");
  EXPECT_EQ(Reason("spiffe://example.org?x"), "it has a query (`?`)");
  EXPECT_EQ(Reason("spiffe://example.org/a#frag"), "it has a fragment (`#`)");
}

TEST(SpiffeIdTest, TrustDomainOf255BytesIsTheMost) {
  const std::string td255(kMaxTrustDomainBytes, 'a');
  EXPECT_TRUE(Accepts(absl::StrCat("spiffe://", td255)));
  EXPECT_TRUE(Accepts(absl::StrCat("spiffe://", td255, "/ns/a")));
  const std::string td256 = td255 + "b";
  EXPECT_EQ(Reason(absl::StrCat("spiffe://", td256)), "the trust domain is 256 bytes long, more than 255");
  EXPECT_EQ(Reason(absl::StrCat("spiffe://", td256, "/ns/a")), "the trust domain is 256 bytes long, more than 255");
}

TEST(SpiffeIdTest, PathCharacters) {
  EXPECT_TRUE(Accepts("spiffe://td/abcdefghijklmnopqrstuvwxyz/ABCDEFGHIJKLMNOPQRSTUVWXYZ/0123456789/.-_"));
  EXPECT_TRUE(Accepts("spiffe://td/.hidden/a..b/..."));   // dots are only special as whole segments
  const std::string rest = "; path segments may have only letters, digits, `.`, `-` and `_`";
  EXPECT_EQ(Reason("spiffe://td/a b"), "the path has the character ` `" + rest);
  EXPECT_EQ(Reason("spiffe://td/a*"), "the path has the character `*`" + rest);
  EXPECT_EQ(Reason("spiffe://td/a:b"), "the path has the character `:`" + rest);
  EXPECT_EQ(Reason("spiffe://td/a@b"), "the path has the character `@`" + rest);
  EXPECT_EQ(Reason("spiffe://td/caf\xc3\xa9"), "the path has the character `\xc3\xa9`" + rest);
  EXPECT_EQ(Reason("spiffe://td/a\\b"), "the path has the character `\\`" + rest);
  EXPECT_EQ(Reason(std::string_view("spiffe://td/a\0b", 15)), "the path has the character `\\u{0}`" + rest);
}

TEST(SpiffeIdTest, NoEmptySegment) {
  EXPECT_EQ(Reason("spiffe://td//a"), "the path has an empty segment (`//`)");
  EXPECT_EQ(Reason("spiffe://td/a//b"), "the path has an empty segment (`//`)");
}

TEST(SpiffeIdTest, NoDotSegments) {
  EXPECT_EQ(Reason("spiffe://td/./a"), "the path has a `.` segment");
  EXPECT_EQ(Reason("spiffe://td/a/."), "the path has a `.` segment");
  EXPECT_EQ(Reason("spiffe://td/../a"), "the path has a `..` segment");
  EXPECT_EQ(Reason("spiffe://td/a/.."), "the path has a `..` segment");
}

TEST(SpiffeIdTest, NoTrailingSlash) {
  EXPECT_EQ(Reason("spiffe://td/"), "the path ends with `/`");
  EXPECT_EQ(Reason("spiffe://td/a/"), "the path ends with `/`");
}

TEST(SpiffeIdTest, IdOf2048BytesIsTheMost) {
  // "spiffe://td" is 11 bytes; the path takes the rest in 8-byte segments and one to fit.
  std::string id = "spiffe://td";
  while (id.size() + 8 <= kMaxSpiffeIdBytes) id += "/segment";
  id += '/';
  id.append(kMaxSpiffeIdBytes - id.size(), 'x');   // (not "/" + std::string(...): GCC 12 -O3 -Wrestrict false positive)
  ASSERT_EQ(id.size(), 2048u);
  EXPECT_TRUE(Accepts(id));
  EXPECT_EQ(Reason(id + "y"), "it is 2049 bytes long, more than 2048");
  // The message shows the start of a long ID, not all of it.
  EXPECT_THAT(std::string(Spiffe(id + "y").status().message()),
              HasSubstr("invalid SPIFFE ID \"spiffe://td/segment/segment"));
  EXPECT_LT(Spiffe(id + "y").status().message().size(), 300u);
}

TEST(SpiffeIdTest, ErrorMessagesAreEvaluationErrorsWithTheId) {
  EXPECT_EQ(Spiffe("spiffe://td:1/a").status().message(),
            "error while evaluating `spiffe` extension function: invalid SPIFFE ID \"spiffe://td:1/a\": "
            "the trust domain has a port (`:`)");
  EXPECT_EQ(Spiffe("spiffe://td/\"q\"").status().message(),
            "error while evaluating `spiffe` extension function: invalid SPIFFE ID \"spiffe://td/\\\"q\\\"\": "
            "the path has the character `\"`; path segments may have only letters, digits, `.`, `-` and `_`");
  EXPECT_EQ(Error("spiffe", {Value::Long(1)}), "type error: expected string, got long");
  EXPECT_EQ(Error("spiffe", {}), "wrong number of arguments provided to extension function `spiffe`: expected 1, got 0");
}

TEST(SpiffeIdTest, PublicParseAgrees) {
  std::optional<SpiffeId> id = SpiffeId::Parse("SPIFFE://Example.ORG/a/B");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->trust_domain, "example.org");
  EXPECT_EQ(id->path, "/a/B");
  EXPECT_EQ(id->ToString(), "spiffe://example.org/a/B");
  EXPECT_FALSE(SpiffeId::Parse("spiffe://td/").has_value());
}

// ---------------------------------------------------------------------------
// Equality, printing, JSON form

TEST(SpiffeValueTest, EqualityIsOnTheCanonicalForm) {
  EXPECT_EQ(Id("SPIFFE://EXAMPLE.org/a"), Id("spiffe://example.org/a"));
  EXPECT_FALSE(Id("spiffe://example.org/A") == Id("spiffe://example.org/a"));   // paths are case-sensitive
  EXPECT_FALSE(Id("spiffe://example.org") == Id("spiffe://example.org/a"));
  EXPECT_FALSE(Id("spiffe://a.org/x") == Id("spiffe://b.org/x"));
  EXPECT_FALSE(Id("spiffe://example.org/a") == S("spiffe://example.org/a"));   // not a string
  // Sets dedupe on the canonical form.
  EXPECT_EQ(Value::MakeSet({Id("spiffe://TD/a"), Id("spiffe://td/a")}).as_set().size(), 1u);
}

TEST(SpiffeValueTest, PrintsCanonically) {
  const Value v = Id("Spiffe://Prod.Acme.IO/ns/A");
  EXPECT_EQ(v.ToString(), "spiffe(\"spiffe://prod.acme.io/ns/A\")");
  EXPECT_EQ(Value::KindName(v.kind()), "spiffe");
  EXPECT_EQ(ExtConstructorName(Value::Kind::kSpiffe), "spiffe");
  EXPECT_EQ(ExtConstructorArg(v), "spiffe://prod.acme.io/ns/A");
  // The printed argument reads back as the same value.
  EXPECT_EQ(Id(ExtConstructorArg(v)), v);
}

// ---------------------------------------------------------------------------
// Methods

TEST(SpiffeMethodTest, TrustDomainAndPath) {
  EXPECT_EQ(Apply("trustDomain", {Id("spiffe://Prod.Acme.io/ns/a")}), S("prod.acme.io"));
  EXPECT_EQ(Apply("path", {Id("spiffe://prod.acme.io/ns/a")}), S("/ns/a"));
  EXPECT_EQ(Apply("path", {Id("spiffe://prod.acme.io")}), S(""));
  EXPECT_EQ(Error("trustDomain", {S("spiffe://td")}), "type error: expected spiffe, got string");
  EXPECT_EQ(Error("path", {Value::Entity({"Workload", "spiffe://td/a"})}),
            "type error: expected spiffe, got (entity of type `Workload`)");
  EXPECT_EQ(Error("path", {Id("spiffe://td/a"), S("x")}),
            "wrong number of arguments provided to extension function `path`: expected 1, got 2");
}

TEST(SpiffeMethodTest, IsInTrustDomainComparesCaseInsensitively) {
  const Value id = Id("spiffe://prod.acme.io/ns/a");
  EXPECT_EQ(Apply("isInTrustDomain", {id, S("prod.acme.io")}), Value::Bool(true));
  EXPECT_EQ(Apply("isInTrustDomain", {id, S("PROD.Acme.IO")}), Value::Bool(true));
  EXPECT_EQ(Apply("isInTrustDomain", {id, S("acme.io")}), Value::Bool(false));   // no suffix matching
  EXPECT_EQ(Apply("isInTrustDomain", {id, S("prod.acme.io.evil")}), Value::Bool(false));
  EXPECT_EQ(Apply("isInTrustDomain", {Id("spiffe://prod.acme.io"), S("prod.acme.io")}), Value::Bool(true));
}

TEST(SpiffeMethodTest, IsInTrustDomainRejectsMalformedNames) {
  const Value id = Id("spiffe://td/a");
  const std::string prefix = "error while evaluating `isInTrustDomain` extension function: invalid trust domain ";
  EXPECT_EQ(Error("isInTrustDomain", {id, S("")}), prefix + "\"\": the trust domain is empty");
  EXPECT_EQ(Error("isInTrustDomain", {id, S("td:80")}), prefix + "\"td:80\": the trust domain has a port (`:`)");
  EXPECT_EQ(Error("isInTrustDomain", {id, S("spiffe://td")}),
            prefix + "\"spiffe://td\": the trust domain has a port (`:`) (give the name alone, without `spiffe://`)");
  EXPECT_EQ(Error("isInTrustDomain", {id, S("u@td")}), prefix + "\"u@td\": the trust domain has user info (`@`)");
  EXPECT_EQ(Error("isInTrustDomain", {id, S("t%64")}), prefix + "\"t%64\": the trust domain is percent-encoded (`%`)");
  EXPECT_EQ(Error("isInTrustDomain", {id, S("td/a")}),
            prefix + "\"td/a\": the trust domain has the character `/`; it may have only letters, digits, `.`, `-` and `_`");
  EXPECT_THAT(Error("isInTrustDomain", {id, S(std::string(256, 'a'))}),
              ::testing::EndsWith("...: the trust domain is 256 bytes long, more than 255"));
  EXPECT_EQ(Error("isInTrustDomain", {id, Value::Long(1)}), "type error: expected string, got long");
  EXPECT_EQ(Error("isInTrustDomain", {S("spiffe://td"), S("td")}), "type error: expected spiffe, got string");
}

TEST(SpiffeMethodTest, PathMatchesOneSegmentStar) {
  EXPECT_TRUE(PathMatches("spiffe://td/ns/prod/sa/api", "/ns/*/sa/api"));
  EXPECT_TRUE(PathMatches("spiffe://td/a", "/*"));
  EXPECT_FALSE(PathMatches("spiffe://td", "/*"));          // exactly one: not none
  EXPECT_FALSE(PathMatches("spiffe://td/a/b", "/*"));      // exactly one: not two
  EXPECT_FALSE(PathMatches("spiffe://td/ns/sa/api", "/ns/*/sa/api"));
  EXPECT_TRUE(PathMatches("spiffe://td/a/b", "/*/*"));
  EXPECT_FALSE(PathMatches("spiffe://td/a/b/c", "/*/*"));
}

TEST(SpiffeMethodTest, PathMatchesAnySegmentsDoubleStar) {
  EXPECT_TRUE(PathMatches("spiffe://td", "/**"));          // none
  EXPECT_TRUE(PathMatches("spiffe://td/a", "/**"));
  EXPECT_TRUE(PathMatches("spiffe://td/a/b/c", "/**"));
  EXPECT_TRUE(PathMatches("spiffe://td/ns/prod/sa", "/ns/*/sa/**"));
  EXPECT_TRUE(PathMatches("spiffe://td/ns/prod/sa/api", "/ns/*/sa/**"));
  EXPECT_TRUE(PathMatches("spiffe://td/ns/prod/sa/api/v2/x", "/ns/*/sa/**"));
  EXPECT_FALSE(PathMatches("spiffe://td/ns/prod", "/ns/*/sa/**"));
  EXPECT_TRUE(PathMatches("spiffe://td/a/b", "/a/**/b"));
  EXPECT_TRUE(PathMatches("spiffe://td/a/x/b", "/a/**/b"));
  EXPECT_TRUE(PathMatches("spiffe://td/a/x/y/b", "/a/**/b"));
  EXPECT_TRUE(PathMatches("spiffe://td/a/b/b", "/a/**/b"));   // backtracks past the first `b`
  EXPECT_FALSE(PathMatches("spiffe://td/a/b/c", "/a/**/b"));
  EXPECT_TRUE(PathMatches("spiffe://td/b", "/**/b/**"));
  EXPECT_TRUE(PathMatches("spiffe://td/x/b/y/z", "/**/b/**"));
  EXPECT_FALSE(PathMatches("spiffe://td/x/y", "/**/b/**"));
  EXPECT_TRUE(PathMatches("spiffe://td/a/b", "/a/**/**/b"));   // consecutive `**`
  EXPECT_TRUE(PathMatches("spiffe://td/a/x/b", "/**/*/**"));   // at least one
  EXPECT_FALSE(PathMatches("spiffe://td", "/**/*/**"));
  EXPECT_TRUE(PathMatches("spiffe://td/a/b/c", "/**/*/c"));
  EXPECT_FALSE(PathMatches("spiffe://td/c", "/**/*/c"));
}

TEST(SpiffeMethodTest, PathMatchesLiteralSegmentsExactly) {
  EXPECT_TRUE(PathMatches("spiffe://td/ns/a", "/ns/a"));
  EXPECT_FALSE(PathMatches("spiffe://td/ns/A", "/ns/a"));     // case-sensitive, as paths are
  EXPECT_FALSE(PathMatches("spiffe://td/ns/ab", "/ns/a"));    // whole segments, not prefixes
  EXPECT_FALSE(PathMatches("spiffe://td/ns/a/b", "/ns/a"));
  EXPECT_FALSE(PathMatches("spiffe://td", "/ns"));
}

TEST(SpiffeMethodTest, PathMatchesIsLinearEnough) {
  // Many `**` against a long path that does not match: bounded work.
  std::string id = "spiffe://td";
  for (int i = 0; i < 500; ++i) id += "/a";
  std::string pattern;
  for (int i = 0; i < 400; ++i) pattern += "/**/a";
  pattern += "/b";
  EXPECT_FALSE(PathMatches(id, pattern));
  EXPECT_TRUE(PathMatches(id + "/b", pattern));
}

TEST(SpiffeMethodTest, PathPatternsAreValidated) {
  const Value id = Id("spiffe://td/a");
  const auto reason = [&](std::string_view pattern) {
    const std::string m = Error("pathMatches", {id, S(pattern)});
    const std::string prefix = "error while evaluating `pathMatches` extension function: invalid path pattern ";
    EXPECT_THAT(m, StartsWith(prefix));
    const std::size_t colon = m.find(": ", prefix.size());
    return colon == std::string::npos ? m : m.substr(colon + 2);
  };
  EXPECT_EQ(reason(""), "it does not start with `/`");
  EXPECT_EQ(reason("ns/*"), "it does not start with `/`");
  EXPECT_EQ(reason("/"), "it ends with `/`");
  EXPECT_EQ(reason("/ns/"), "it ends with `/`");
  EXPECT_EQ(reason("//ns"), "it has an empty segment (`//`)");
  EXPECT_EQ(reason("/./a"), "it has a `.` segment, which no path has");
  EXPECT_EQ(reason("/a/.."), "it has a `..` segment, which no path has");
  const std::string whole = "`*` and `**` stand for whole segments: a segment is `*`, `**` or literal text";
  EXPECT_EQ(reason("/sa-*"), whole);
  EXPECT_EQ(reason("/*a"), whole);
  EXPECT_EQ(reason("/***"), whole);
  EXPECT_EQ(reason("/a b"), "it has the character ` `; segments may have only letters, digits, `.`, `-` and `_`");
  EXPECT_EQ(reason("/a?"), "it has the character `?`; segments may have only letters, digits, `.`, `-` and `_`");
  EXPECT_EQ(reason("/" + std::string(kMaxSpiffeIdBytes, 'a')), "it is 2049 bytes long, more than 2048");
  EXPECT_TRUE(PathMatches("spiffe://td/" + std::string(kMaxSpiffeIdBytes - 12, 'a'),
                          "/" + std::string(kMaxSpiffeIdBytes - 12, 'a')));
  EXPECT_EQ(Error("pathMatches", {id, Value::Bool(true)}), "type error: expected string, got bool");
}

TEST(SpiffeLiteralTest, CheckLiteralArgumentChecksWritsFunctionsOnly) {
  const ExtFunction& spiffe = *FindExtFunction("spiffe");
  const ExtFunction& in_td = *FindExtFunction("isInTrustDomain");
  const ExtFunction& matches = *FindExtFunction("pathMatches");
  EXPECT_TRUE(CheckLiteralArgument(spiffe, 0, S("spiffe://td/a")).ok());
  EXPECT_EQ(CheckLiteralArgument(spiffe, 0, S("spiffe://td/")).message(),
            "invalid SPIFFE ID \"spiffe://td/\": the path ends with `/`");
  EXPECT_TRUE(CheckLiteralArgument(spiffe, 0, Value::Long(1)).ok());   // a type error, when evaluated
  EXPECT_TRUE(CheckLiteralArgument(in_td, 1, S("td")).ok());
  EXPECT_FALSE(CheckLiteralArgument(in_td, 1, S("td:1")).ok());
  EXPECT_TRUE(CheckLiteralArgument(in_td, 0, S("td:1")).ok());        // the receiver is not a name
  EXPECT_TRUE(CheckLiteralArgument(matches, 1, S("/a/**")).ok());
  EXPECT_FALSE(CheckLiteralArgument(matches, 1, S("/a/")).ok());
  // Cedar's functions check their literals when evaluated, as Cedar does.
  EXPECT_TRUE(CheckLiteralArgument(*FindExtFunction("ip"), 0, S("not an ip")).ok());
  EXPECT_FALSE(LiteralArgumentHint(spiffe).empty());
}

// ---------------------------------------------------------------------------
// `.matches` regular expressions

std::shared_ptr<const Regex> Re(std::string_view pattern) {
  absl::StatusOr<std::shared_ptr<const Regex>> re = Regex::Compile(pattern);
  EXPECT_TRUE(re.ok()) << pattern << ": " << re.status();
  return re.ok() ? *re : nullptr;
}

TEST(RegexTest, MatchesTheWholeString) {
  auto re = Re("[a-z]+\\.example\\.com");
  EXPECT_TRUE(re->FullMatch("api.example.com"));
  EXPECT_FALSE(re->FullMatch("api.example.com.evil"));   // anchored at the end
  EXPECT_FALSE(re->FullMatch("x.api.example.com!"));
  EXPECT_FALSE(re->FullMatch("API.example.com"));
  EXPECT_FALSE(Re("b")->FullMatch("abc"));                 // anchored at the start
  EXPECT_TRUE(Re("a|ab")->FullMatch("ab"));                 // full match, not the leftmost alternative
  EXPECT_TRUE(Re("")->FullMatch(""));
  EXPECT_FALSE(Re("")->FullMatch("a"));
  EXPECT_EQ(re->pattern(), "[a-z]+\\.example\\.com");
}

TEST(RegexTest, IsUtf8AndTakesAnyBytes) {
  EXPECT_TRUE(Re(".")->FullMatch("\xc3\xa9"));               // one character, two bytes
  EXPECT_TRUE(Re("\\p{Greek}+")->FullMatch("\xce\xb1\xce\xb2"));
  EXPECT_TRUE(Re("a\\x00b")->FullMatch(std::string_view("a\0b", 3)));
  EXPECT_TRUE(Re("(?i)spiffe://.*")->FullMatch("SPIFFE://td/a"));
}

TEST(RegexTest, InvalidPatternsSayWhy) {
  EXPECT_EQ(std::string(Regex::Compile("(a").status().message()), "invalid regular expression: missing ): (a");
  EXPECT_EQ(std::string(Regex::Compile("a**").status().message()),
            "invalid regular expression: bad repetition operator: **");
  EXPECT_EQ(std::string(Regex::Compile("(?<n>a)").status().message()),
            "invalid regular expression: invalid perl operator: (?<");
  // Backreferences are not RE2 (they would not run in linear time).
  EXPECT_THAT(Regex::Compile("(a)\\1").status().message(), HasSubstr("invalid escape sequence"));
  EXPECT_EQ(std::string(Regex::Compile("a{1001}").status().message()),
            "invalid regular expression: invalid repetition size: {1001}");
}

TEST(RegexTest, MemoryIsBounded) {
  // Within RE2's repetition limit, but far past the memory budget.
  absl::StatusOr<std::shared_ptr<const Regex>> re = Regex::Compile("\\pL{1000}");
  ASSERT_FALSE(re.ok());
  EXPECT_EQ(std::string(re.status().message()), absl::StrCat("regular expression too large: compiled, it needs more than ",
                                                kMaxRegexMemoryBytes, " bytes"));
  EXPECT_TRUE(Regex::Compile("[a-z0-9-]{1,63}(\\.[a-z0-9-]{1,63}){0,10}").ok());
}

}  // namespace
}  // namespace writ::internal
