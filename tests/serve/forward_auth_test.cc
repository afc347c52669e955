// Tests of forward-auth: the path canonicalisation rule, the XFCC reader and
// the mapping from a gateway's headers to a request.
#include "src/serve/forward_auth.h"

#include "src/serve/limits.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace writ::serve {
namespace {

using ::testing::HasSubstr;

std::string Path(std::string_view uri) {
  absl::StatusOr<CanonicalUri> c = CanonicalizeUri(uri);
  EXPECT_TRUE(c.ok()) << uri << ": " << c.status();
  return c.ok() ? c->path : "<error>";
}

std::string Error(std::string_view uri) {
  absl::StatusOr<CanonicalUri> c = CanonicalizeUri(uri);
  EXPECT_FALSE(c.ok()) << uri << " gave " << (c.ok() ? c->path : "");
  return c.ok() ? "" : std::string(c.status().message());
}

TEST(CanonicalizeUri, KeepsCanonicalPaths) {
  EXPECT_EQ(Path("/"), "/");
  EXPECT_EQ(Path("/api/v1/orders"), "/api/v1/orders");
  EXPECT_EQ(Path("/api/v1/orders/"), "/api/v1/orders/");
}

TEST(CanonicalizeUri, CollapsesRepeatedSlashes) {
  EXPECT_EQ(Path("//api///v1//orders"), "/api/v1/orders");
  EXPECT_EQ(Path("/api//"), "/api/");
  EXPECT_EQ(Path("//"), "/");
}

TEST(CanonicalizeUri, RemovesDotSegments) {
  EXPECT_EQ(Path("/a/./b"), "/a/b");
  EXPECT_EQ(Path("/a/b/../c"), "/a/c");
  EXPECT_EQ(Path("/a/b/.."), "/a/");
  EXPECT_EQ(Path("/a/."), "/a/");
  EXPECT_EQ(Path("/a/.."), "/");
  EXPECT_EQ(Path("/a/b/../../c/"), "/c/");
  EXPECT_EQ(Path("/a/..."), "/a/...");   // not a dot segment
  EXPECT_EQ(Path("/a/..b"), "/a/..b");
}

TEST(CanonicalizeUri, DecodesOnceBeforeDotSegments) {
  EXPECT_EQ(Path("/a%20b"), "/a b");
  EXPECT_EQ(Path("/caf%C3%A9"), "/caf\xC3\xA9");
  EXPECT_EQ(Path("/a/%2e%2E/b"), "/b");          // encoded dots are dots
  EXPECT_EQ(Path("/admin/%2e/x"), "/admin/x");
  EXPECT_EQ(Path("/%7Euser"), "/~user");
}

TEST(CanonicalizeUri, SplitsTheQueryAndKeepsItRaw) {
  absl::StatusOr<CanonicalUri> c = CanonicalizeUri("/a/../b?x=%2F&y=1");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->path, "/b");
  EXPECT_EQ(c->query, "x=%2F&y=1");
  EXPECT_EQ(CanonicalizeUri("/b?")->query, "");
}

TEST(CanonicalizeUri, RejectsEncodedSlashBackslashAndNul) {
  EXPECT_THAT(Error("/a%2Fb"), HasSubstr("encoded slash"));
  EXPECT_THAT(Error("/a%2fb"), HasSubstr("encoded slash"));
  EXPECT_THAT(Error("/a%5Cb"), HasSubstr("encoded backslash"));
  EXPECT_THAT(Error("/a%00b"), HasSubstr("NUL"));
  EXPECT_THAT(Error("/a%0Ab"), HasSubstr("control"));
  EXPECT_THAT(Error("/a%7F"), HasSubstr("control"));
}

TEST(CanonicalizeUri, RejectsDoubleEncodingAndMalformedEscapes) {
  EXPECT_THAT(Error("/a%252Fb"), HasSubstr("twice"));
  // The escape's own digits escaped (found by fuzz/forward_auth_fuzz): decodes
  // to %2e%2e, which a backend that decodes again reads as `..`.
  EXPECT_THAT(Error("/api/public/%25%32%65%25%32%65/admin"), HasSubstr("twice"));
  EXPECT_THAT(Error("/a/%25%32e"), HasSubstr("twice"));
  EXPECT_THAT(Error("/a/%252%65"), HasSubstr("twice"));
  EXPECT_THAT(Error("/a%2"), HasSubstr("malformed percent-escape"));
  EXPECT_THAT(Error("/a%zz"), HasSubstr("malformed percent-escape"));
  EXPECT_THAT(Error("/a%"), HasSubstr("malformed percent-escape"));
  EXPECT_EQ(Path("/100%25"), "/100%");   // a lone encoded % is fine
}

TEST(CanonicalizeUri, RejectsInvalidUtf8) {
  EXPECT_THAT(Error("/a%C3"), HasSubstr("UTF-8"));
  EXPECT_THAT(Error("/a%C0%AF"), HasSubstr("UTF-8"));   // overlong '/'
  EXPECT_THAT(Error("/a%ED%A0%80"), HasSubstr("UTF-8"));   // surrogate
  EXPECT_THAT(Error("/a\xFF"), HasSubstr("UTF-8"));
}

TEST(CanonicalizeUri, RejectsWhatIsNotOriginForm) {
  EXPECT_THAT(Error(""), HasSubstr("origin-form"));
  EXPECT_THAT(Error("a/b"), HasSubstr("origin-form"));
  EXPECT_THAT(Error("http://host/a"), HasSubstr("origin-form"));
  EXPECT_THAT(Error("/a#frag"), HasSubstr("fragment"));
  EXPECT_THAT(Error("/a\\b"), HasSubstr("backslash"));
  EXPECT_THAT(Error(std::string("/a\0b", 4)), HasSubstr("control"));
  EXPECT_THAT(Error("/a b"), HasSubstr("space"));
  EXPECT_THAT(Error("/a?b\nc"), HasSubstr("control"));
}

TEST(CanonicalizeUri, RejectsClimbingAboveTheRoot) {
  EXPECT_THAT(Error("/.."), HasSubstr("above the root"));
  EXPECT_THAT(Error("/a/../../etc/passwd"), HasSubstr("above the root"));
  EXPECT_THAT(Error("/%2e%2e/x"), HasSubstr("above the root"));
}

// Issue 14, defect 3: `/api/public/..;/admin` was `Path::"/api/public/..;/admin"`
// (under /api/public/) while Tomcat, Spring and Jetty, dropping `;params`,
// serve /admin. Every spelling of a dot segment with parameters is denied
// whatever the configuration says `;` is.
TEST(CanonicalizeUri, RejectsDotSegmentsWithParametersInEveryEncoding) {
  for (const PathParameters mode : {PathParameters::kReject, PathParameters::kData}) {
    for (const char* uri :
         {"/api/public/..;/admin", "/api/public/..;x/admin", "/api/public/..;", "/api/public/%2e%2e;/admin",
          "/api/public/..%3b/admin", "/api/public/..%3B/admin", "/api/public/%2E%2E%3B/admin",
          "/api/public/%2e.;/admin", "/api/public/.%2e;/admin", "/api/public/.;/admin", "/api/public/.;x/admin",
          "/api/public/%2e%3bx/admin", "/api/public/..;a=b;c/admin", "/..;/admin", "/a/..;/..;/admin",
          "/api/public/..;/admin?x=1"}) {
      absl::StatusOr<CanonicalUri> c = CanonicalizeUri(uri, mode);
      ASSERT_FALSE(c.ok()) << uri << " gave " << c->path;
      EXPECT_THAT(c.status().message(), HasSubstr("dot segment with parameters")) << uri;
    }
    // A segment that is only parameters becomes an empty one when they are dropped.
    for (const char* uri : {"/api/;x/../admin", "/api/%3Bx/admin", "/;/admin"}) {
      absl::StatusOr<CanonicalUri> c = CanonicalizeUri(uri, mode);
      ASSERT_FALSE(c.ok()) << uri << " gave " << c->path;
      EXPECT_THAT(c.status().message(), HasSubstr("only parameters")) << uri;
    }
  }
  // Backslashes (another separator to some backends) stay refused in both modes.
  EXPECT_FALSE(CanonicalizeUri("/api/public/..\\admin", PathParameters::kData).ok());
  EXPECT_FALSE(CanonicalizeUri("/api/public/..%5cadmin", PathParameters::kData).ok());
}

TEST(CanonicalizeUri, RejectsPathParametersByDefault) {
  EXPECT_THAT(Error("/api/public;x/admin"), HasSubstr("`;` (a path parameter"));
  EXPECT_THAT(Error("/a;jsessionid=1"), HasSubstr("offset 2"));
  EXPECT_THAT(Error("/a%3Bb"), HasSubstr("offset 2"));
  EXPECT_THAT(Error("/a%3bb"), HasSubstr("path parameter"));
  EXPECT_THAT(Error("/a/b;"), HasSubstr("path parameter"));
  // The default argument is kReject, and so is the configuration's default.
  EXPECT_FALSE(CanonicalizeUri("/a;b", PathParameters::kReject).ok());
  EXPECT_EQ(ForwardAuthConfig().path_parameters, PathParameters::kReject);
  // A `;` in the query is not a path parameter.
  absl::StatusOr<CanonicalUri> c = CanonicalizeUri("/a?x=1;y=2");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->query, "x=1;y=2");
}

TEST(CanonicalizeUri, PathParametersAsDataAreOrdinaryCharacters) {
  auto data = [](std::string_view uri) {
    absl::StatusOr<CanonicalUri> c = CanonicalizeUri(uri, PathParameters::kData);
    EXPECT_TRUE(c.ok()) << uri << ": " << c.status();
    return c.ok() ? c->path : "<error>";
  };
  EXPECT_EQ(data("/a;b/c"), "/a;b/c");
  EXPECT_EQ(data("/a%3Bb/c"), "/a;b/c");
  EXPECT_EQ(data("/a/b;v=1/../c"), "/a/c");
  EXPECT_EQ(data("/a/...;x"), "/a/...;x");   // not a dot segment
  EXPECT_EQ(data("/a/..x;y"), "/a/..x;y");
}

TEST(CanonicalizeUri, RejectsOverlongUris) {
  EXPECT_THAT(Error("/" + std::string(kMaxUriBytes, 'a')), HasSubstr("limit"));
}

TEST(XfccUris, ReadsEnvoysFormat) {
  auto uris = XfccUris(
      "By=spiffe://mesh/ns/gw;Hash=abc;Subject=\"CN=x, O=\\\"Acme\\\"\";URI=spiffe://prod.acme.io/ns/pay/sa/api");
  ASSERT_TRUE(uris.ok()) << uris.status();
  EXPECT_THAT(*uris, ::testing::ElementsAre("spiffe://prod.acme.io/ns/pay/sa/api"));
  // Two elements (comma outside quotes): two URIs.
  uris = XfccUris("URI=spiffe://a/x,URI=spiffe://b/y");
  ASSERT_TRUE(uris.ok());
  EXPECT_THAT(*uris, ::testing::ElementsAre("spiffe://a/x", "spiffe://b/y"));
  std::size_t elements = 0;
  uris = XfccUris("URI=spiffe://a/x;Hash=1, Hash=2", &elements);
  ASSERT_TRUE(uris.ok());
  EXPECT_EQ(elements, 2u);
  EXPECT_TRUE(XfccUris("Subject=\"a,b\";URI=spiffe://a/x", &elements).ok());
  EXPECT_EQ(elements, 1u);
  uris = XfccUris("uri=\"spiffe://a/x\"");
  ASSERT_TRUE(uris.ok());
  EXPECT_THAT(*uris, ::testing::ElementsAre("spiffe://a/x"));
  EXPECT_FALSE(XfccUris("URI=\"spiffe://a").ok());
  EXPECT_FALSE(XfccUris("nonsense").ok());
  EXPECT_FALSE(XfccUris("URI=\"a\"b").ok());
  EXPECT_TRUE(XfccUris("Hash=abc")->empty());
}

class MapForwardAuthTest : public ::testing::Test {
 protected:
  absl::StatusOr<Request> Map(std::vector<HeaderLine> headers, std::string_view method = "GET",
                              std::string_view fallback = "") {
    return MapForwardAuth(config_, method, fallback, headers);
  }
  ForwardAuthConfig config_;
};

const Value& Field(const Request& r, const std::string& name) {
  static const Value kMissing = Value::String("<missing>");
  auto it = r.context.as_record().find(name);
  return it == r.context.as_record().end() ? kMissing : it->second;
}

TEST_F(MapForwardAuthTest, MapsXfccMethodAndUri) {
  absl::StatusOr<Request> r = Map({{"X-Forwarded-Client-Cert", "Hash=1;URI=spiffe://Prod.Acme.io/ns/pay/sa/api"},
                                   {"X-Forwarded-Method", "DELETE"},
                                   {"X-Forwarded-Uri", "/orders//42/../43?force=1"},
                                   {"X-Forwarded-Host", "shop.example"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->principal, (EntityUid{"Workload", "spiffe://prod.acme.io/ns/pay/sa/api"}));
  EXPECT_EQ(r->action, (EntityUid{"Action", "DELETE"}));
  EXPECT_EQ(r->resource, (EntityUid{"Path", "/orders/43"}));
  EXPECT_EQ(Field(*r, "method"), Value::String("DELETE"));
  EXPECT_EQ(Field(*r, "path"), Value::String("/orders/43"));
  EXPECT_EQ(Field(*r, "query"), Value::String("force=1"));
  EXPECT_EQ(Field(*r, "host"), Value::String("shop.example"));
  ASSERT_TRUE(Field(*r, "spiffe").is(Value::Kind::kSpiffe));
  EXPECT_EQ(Field(*r, "spiffe").as_spiffe().trust_domain, "prod.acme.io");
}

TEST_F(MapForwardAuthTest, FallsBackToTheSubrequestsMethodAndPath) {
  absl::StatusOr<Request> r = Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}}, "PUT", "/x/y");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->action.id, "PUT");
  EXPECT_EQ(r->resource.id, "/x/y");
  // The second configured header is used when the first is absent.
  r = Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"X-Original-Method", "POST"},
           {"X-Original-URI", "/z"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->action.id, "POST");
  EXPECT_EQ(r->resource.id, "/z");
}

TEST_F(MapForwardAuthTest, DeniesWhatIsMissing) {
  EXPECT_THAT(Map({{"x-forwarded-uri", "/a"}}).status().message(), HasSubstr("no principal"));
  EXPECT_THAT(Map({{"x-forwarded-client-cert", "Hash=1"}, {"x-forwarded-uri", "/a"}}).status().message(),
              HasSubstr("has no URI"));
  EXPECT_THAT(Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}}).status().message(),
              HasSubstr("no original URI"));
}

TEST_F(MapForwardAuthTest, DeniesSeveralValuesWhereOneIsExpected) {
  EXPECT_THAT(Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"x-forwarded-client-cert", "URI=spiffe://td/b"},
                   {"x-forwarded-uri", "/a"}})
                  .status()
                  .message(),
              HasSubstr("2 values"));
  EXPECT_THAT(Map({{"x-forwarded-client-cert", "URI=spiffe://td/a,URI=spiffe://td/b"}, {"x-forwarded-uri", "/a"}})
                  .status()
                  .message(),
              HasSubstr("2 elements"));
  EXPECT_THAT(Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"x-forwarded-uri", "/a"},
                   {"X-Forwarded-URI", "/b"}})
                  .status()
                  .message(),
              HasSubstr("x-forwarded-uri has 2 values"));
  EXPECT_THAT(Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"x-forwarded-uri", "/a"},
                   {"x-forwarded-method", "GET"}, {"x-forwarded-method", "GET"}})
                  .status()
                  .message(),
              HasSubstr("x-forwarded-method has 2 values"));
}

TEST_F(MapForwardAuthTest, DeniesAmbiguousPathsAndValues) {
  EXPECT_THAT(Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"x-forwarded-uri", "/admin%2Fx"}})
                  .status()
                  .message(),
              HasSubstr("encoded slash"));
  EXPECT_THAT(Map({{"x-forwarded-client-cert", "URI=not-a-spiffe-id"}, {"x-forwarded-uri", "/a"}})
                  .status()
                  .message(),
              HasSubstr("not a SPIFFE ID"));
  EXPECT_THAT(Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"x-forwarded-uri", "/a"},
                   {"x-forwarded-method", "GE T"}})
                  .status()
                  .message(),
              HasSubstr("method"));
  config_.principal_extract = PrincipalExtract::kValue;
  config_.principal_spiffe = false;
  config_.principal_header = "x-user";
  EXPECT_THAT(Map({{"x-user", "al\xFFice"}, {"x-forwarded-uri", "/a"}}).status().message(), HasSubstr("UTF-8"));
  absl::StatusOr<Request> r = Map({{"x-user", "  alice "}, {"x-forwarded-uri", "/a"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->principal, (EntityUid{"Workload", "alice"}));
  EXPECT_EQ(Field(*r, "spiffe"), Value::String("<missing>"));
}

TEST_F(MapForwardAuthTest, ContextHeadersAreSetsMatchedValueByValue) {
  config_.context_headers = {"x-env", "x-absent"};
  absl::StatusOr<Request> r = Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"x-forwarded-uri", "/a"},
                                   {"X-Env", "prod"}, {"x-env", "canary"}});
  ASSERT_TRUE(r.ok()) << r.status();
  const Value& headers = Field(*r, "headers");
  ASSERT_TRUE(headers.is(Value::Kind::kRecord));
  ASSERT_EQ(headers.as_record().count("x-env"), 1u);
  EXPECT_EQ(headers.as_record().at("x-env"),
            Value::MakeSet({Value::String("prod"), Value::String("canary")}));
  EXPECT_EQ(headers.as_record().count("x-absent"), 0u);
  std::vector<HeaderLine> many = {{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"x-forwarded-uri", "/a"}};
  for (std::size_t i = 0; i <= kMaxHeaderValues; ++i) many.push_back({"x-env", "v"});
  EXPECT_THAT(Map(many).status().message(), HasSubstr("more than"));
}

// Issue 14, defect 1: with X-Forwarded-Uri and X-Original-URI both present
// the first was used, so a client's own X-Forwarded-Uri passed through by
// nginx beside the X-Original-URI nginx set chose what was authorized.
TEST_F(MapForwardAuthTest, DeniesAlternateHeadersThatDisagree) {
  const HeaderLine cert = {"x-forwarded-client-cert", "URI=spiffe://td/a"};
  // The URI, in either order, naming both headers.
  for (const std::vector<HeaderLine>& h :
       {std::vector<HeaderLine>{cert, {"X-Forwarded-Uri", "/api/orders"}, {"X-Original-URI", "/admin"}},
        std::vector<HeaderLine>{cert, {"X-Original-URI", "/admin"}, {"X-Forwarded-Uri", "/api/orders"}}}) {
    absl::StatusOr<Request> r = Map(h);
    ASSERT_FALSE(r.ok()) << r->resource.id;
    EXPECT_THAT(r.status().message(), HasSubstr("headers x-forwarded-uri and x-original-uri disagree"));
  }
  // Two spellings of one canonical path, and of one query, are compared as sent.
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a//b"}, {"x-original-uri", "/a/b"}}).status().message(),
              HasSubstr("disagree"));
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a?x=1"}, {"x-original-uri", "/a"}}).status().message(),
              HasSubstr("disagree"));
  // The method; methods are case-sensitive.
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-forwarded-method", "GET"}, {"x-original-method", "DELETE"}})
                  .status()
                  .message(),
              HasSubstr("headers x-forwarded-method and x-original-method disagree"));
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-forwarded-method", "GET"}, {"x-original-method", "get"}})
                  .status()
                  .message(),
              HasSubstr("disagree"));
  // The host.
  config_.host_headers = {"x-forwarded-host", "x-original-host"};
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-forwarded-host", "a.example"},
                   {"x-original-host", "b.example"}})
                  .status()
                  .message(),
              HasSubstr("headers x-forwarded-host and x-original-host disagree"));
  // A second line in the later alternate is still several values.
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-original-uri", "/a"}, {"x-original-uri", "/a"}})
                  .status()
                  .message(),
              HasSubstr("x-original-uri has 2 values"));
}

// A method-override header many backends obey (X-HTTP-Method-Override:
// DELETE on a POST) would let a client run a method other than the one
// authorized: one naming another method is ambiguity, whatever the case.
TEST_F(MapForwardAuthTest, DeniesAMethodOverrideThatDisagrees) {
  const HeaderLine cert = {"x-forwarded-client-cert", "URI=spiffe://td/a"};
  for (const char* name : {"X-HTTP-Method-Override", "x-http-method", "X-Method-Override"}) {
    absl::StatusOr<Request> r = Map({cert, {"x-forwarded-uri", "/a"}, {"x-forwarded-method", "POST"}, {name, "DELETE"}});
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_THAT(r.status().message(), HasSubstr("asks for method DELETE in place of POST")) << name;
  }
  // The subrequest's own method too, and a second line.
  EXPECT_FALSE(Map({cert, {"x-http-method-override", "PATCH"}}, "GET", "/a").ok());
  EXPECT_FALSE(Map({cert, {"x-forwarded-uri", "/a"}, {"x-forwarded-method", "POST"},
                    {"x-http-method-override", "POST"}, {"x-http-method-override", "DELETE"}})
                   .ok());
  // Naming the method decided (in any case) is harmless.
  absl::StatusOr<Request> r = Map({cert, {"x-forwarded-uri", "/a"}, {"x-forwarded-method", "POST"},
                                   {"x-http-method-override", " post "}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->action.id, "POST");
  // Configured off for a backend known to ignore them.
  config_.method_override_headers.clear();
  r = Map({cert, {"x-forwarded-uri", "/a"}, {"x-forwarded-method", "POST"}, {"x-http-method-override", "DELETE"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->action.id, "POST");
  // ext_authz checks them too: the client sets them through the proxy.
  EXPECT_EQ(ForwardAuthConfig::GrpcDefaults().method_override_headers, ForwardAuthConfig().method_override_headers);
}

TEST_F(MapForwardAuthTest, AlternateHeadersThatAgreeAreOneValue) {
  config_.host_headers = {"x-forwarded-host", "x-original-host"};
  absl::StatusOr<Request> r =
      Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"x-forwarded-uri", "/a/b?q=1"},
           {"x-original-uri", "  /a/b?q=1 "}, {"x-forwarded-method", "POST"}, {"x-original-method", "POST"},
           {"x-forwarded-host", "h.example"}, {"x-original-host", "h.example"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->resource.id, "/a/b");
  EXPECT_EQ(r->action.id, "POST");
  EXPECT_EQ(Field(*r, "host"), Value::String("h.example"));
}

// The subrequest's own method and path count only when none of the
// headers is present: a header always wins over them.
TEST_F(MapForwardAuthTest, AHeaderWinsOverTheSubrequestsOwnMethodAndPath) {
  absl::StatusOr<Request> r = Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"x-original-method", "DELETE"},
                                   {"x-original-uri", "/z"}},
                                  "GET", "/fallback");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->action.id, "DELETE");
  EXPECT_EQ(r->resource.id, "/z");
  // With no headers configured, only the subrequest's own count.
  config_.method_headers.clear();
  config_.uri_headers.clear();
  r = Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"x-forwarded-method", "DELETE"},
           {"x-forwarded-uri", "/z"}},
          "GET", "/fallback");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->action.id, "GET");
  EXPECT_EQ(r->resource.id, "/fallback");
}

// Issue 14, defect 2: `X-Env: ok, blocked` was one member "ok, blocked", so
// a forbid on .contains("blocked") did not match, while two lines did.
TEST_F(MapForwardAuthTest, ContextHeadersAreListsHoweverTheyAreSent) {
  config_.context_headers = {"x-env"};
  auto set_of = [this](std::vector<HeaderLine> env) -> Value {
    std::vector<HeaderLine> h = {{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"x-forwarded-uri", "/a"}};
    h.insert(h.end(), env.begin(), env.end());
    absl::StatusOr<Request> r = Map(h);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return Value::String("<error>");
    return Field(*r, "headers").as_record().at("x-env");
  };
  const Value ok_blocked = Value::MakeSet({Value::String("ok"), Value::String("blocked")});
  EXPECT_EQ(set_of({{"X-Env", "ok, blocked"}}), ok_blocked);
  EXPECT_EQ(set_of({{"X-Env", "ok"}, {"X-Env", "blocked"}}), ok_blocked);
  EXPECT_EQ(set_of({{"X-Env", "ok,blocked"}}), ok_blocked);
  EXPECT_EQ(set_of({{"X-Env", " ok ,\tblocked\t"}}), ok_blocked);
  EXPECT_EQ(set_of({{"X-Env", "ok, , blocked,"}}), ok_blocked);   // empty members dropped
  EXPECT_EQ(set_of({{"X-Env", ",ok"}, {"x-env", "blocked,,"}}), ok_blocked);
  EXPECT_THAT(set_of({{"X-Env", "ok, blocked"}}).as_set(), ::testing::Contains(Value::String("blocked")));
  // Commas inside quoted-strings are not separators; members are kept as sent.
  EXPECT_EQ(set_of({{"X-Env", "\"a, b\", c;q=\"x,y\""}}),
            Value::MakeSet({Value::String("\"a, b\""), Value::String("c;q=\"x,y\"")}));
  EXPECT_EQ(set_of({{"X-Env", "\"a\\\", b\""}}), Value::MakeSet({Value::String("\"a\\\", b\"")}));
  EXPECT_EQ(set_of({{"X-Env", ""}}), Value::MakeSet({}));
}

TEST_F(MapForwardAuthTest, DeniesContextHeadersThatDoNotSplit) {
  config_.context_headers = {"x-env"};
  const HeaderLine cert = {"x-forwarded-client-cert", "URI=spiffe://td/a"};
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-env", "ok, \"blocked"}}).status().message(),
              HasSubstr("header x-env does not split into a list: an unterminated quoted-string"));
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-env", "\"ok\\"}}).status().message(),
              HasSubstr("unterminated"));
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-env", "ok\\, blocked"}}).status().message(),
              HasSubstr("backslash outside a quoted-string"));
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-env", "ok, bl\tocked"}}).status().message(),
              HasSubstr("control byte"));
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-env", "ok, \xFF"}}).status().message(),
              HasSubstr("UTF-8"));
  // The bound counts members, not lines.
  std::string many;
  for (std::size_t i = 0; i <= kMaxHeaderValues; ++i) many += "v,";
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-env", many}}).status().message(), HasSubstr("more than"));
  std::string enough;
  for (std::size_t i = 0; i < kMaxHeaderValues; ++i) enough += "v,";
  EXPECT_TRUE(Map({cert, {"x-forwarded-uri", "/a"}, {"x-env", enough}}).ok());
}

TEST(SplitListValue, SplitsAtCommasOutsideQuotedStrings) {
  EXPECT_THAT(*SplitListValue("a, b ,c"), ::testing::ElementsAre("a", "b", "c"));
  EXPECT_THAT(*SplitListValue(" , ,"), ::testing::ElementsAre());
  EXPECT_THAT(*SplitListValue("x=\"1,2\";y, z"), ::testing::ElementsAre("x=\"1,2\";y", "z"));
  EXPECT_FALSE(SplitListValue("\"a").ok());
  EXPECT_FALSE(SplitListValue("a\\b").ok());
  EXPECT_FALSE(SplitListValue("\"a\\").ok());
}

// A field with one value: a comma-separated list in one line is refused as
// two lines are.
TEST_F(MapForwardAuthTest, DeniesListsInSingleValuedFieldsOnOneLineAsOnTwo) {
  const HeaderLine cert = {"x-forwarded-client-cert", "URI=spiffe://td/a"};
  // XFCC: several elements (certificates), even when only one has a URI.
  EXPECT_THAT(Map({{"x-forwarded-client-cert", "URI=spiffe://td/a, Hash=2"}, {"x-forwarded-uri", "/a"}})
                  .status()
                  .message(),
              HasSubstr("2 elements"));
  EXPECT_THAT(Map({{"x-forwarded-client-cert", "URI=spiffe://td/a"}, {"x-forwarded-client-cert", "Hash=2"},
                   {"x-forwarded-uri", "/a"}})
                  .status()
                  .message(),
              HasSubstr("2 values"));
  // A comma inside a quoted XFCC value is not an element separator.
  EXPECT_TRUE(Map({{"x-forwarded-client-cert", "Subject=\"CN=a, O=b\";URI=spiffe://td/a"}, {"x-forwarded-uri", "/a"}})
                  .ok());
  // Method.
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-forwarded-method", "GET, DELETE"}}).status().message(),
              HasSubstr("several comma-separated values"));
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-forwarded-method", "GET"}, {"x-forwarded-method", "DELETE"}})
                  .status()
                  .message(),
              HasSubstr("2 values"));
  // Host.
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-forwarded-host", "a.example, b.example"}}).status().message(),
              HasSubstr("header host has several comma-separated values"));
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a"}, {"x-forwarded-host", "a.example"},
                   {"x-forwarded-host", "b.example"}})
                  .status()
                  .message(),
              HasSubstr("2 values"));
  // URI: a list joined with ", " has a space; a comma alone is path data.
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/a, /b"}}).status().message(), HasSubstr("space"));
  absl::StatusOr<Request> r = Map({cert, {"x-forwarded-uri", "/a,b"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->resource.id, "/a,b");
  // Principal taken as a whole value.
  config_.principal_extract = PrincipalExtract::kValue;
  config_.principal_spiffe = false;
  config_.principal_header = "x-user";
  EXPECT_THAT(Map({{"x-user", "alice, bob"}, {"x-forwarded-uri", "/a"}}).status().message(),
              HasSubstr("header x-user has several comma-separated values"));
  EXPECT_THAT(Map({{"x-user", "alice"}, {"x-user", "bob"}, {"x-forwarded-uri", "/a"}}).status().message(),
              HasSubstr("2 values"));
}

TEST_F(MapForwardAuthTest, PathParametersFollowTheConfiguration) {
  const HeaderLine cert = {"x-forwarded-client-cert", "URI=spiffe://td/a"};
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/api/public/..;/admin"}}).status().message(),
              HasSubstr("dot segment with parameters"));
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/api/a;b"}}).status().message(), HasSubstr("path parameter"));
  EXPECT_THAT(Map({cert}, "GET", "/api/public/..%3B/admin").status().message(),
              HasSubstr("dot segment with parameters"));
  config_.path_parameters = PathParameters::kData;
  absl::StatusOr<Request> r = Map({cert, {"x-forwarded-uri", "/api/a;b"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->resource.id, "/api/a;b");
  EXPECT_THAT(Map({cert, {"x-forwarded-uri", "/api/public/%2e%2e;/admin"}}).status().message(),
              HasSubstr("dot segment with parameters"));
}

// ext_authz over gRPC: the CheckRequest's own fields, the peer's identity
// and address, and the proxy's context extensions (GrpcDefaults).
class MapGatewayRequestTest : public ::testing::Test {
 protected:
  MapGatewayRequestTest() {
    request_.method = "GET";
    request_.uri = "/api//public/./x?y=1";
    request_.host = "shop.example";
    request_.source_principal = "spiffe://prod.acme.io/ns/pay/sa/api";
  }
  ForwardAuthConfig config_ = ForwardAuthConfig::GrpcDefaults();
  GatewayRequest request_;
  std::vector<HeaderLine> headers_;   // request_.headers views it
};

TEST_F(MapGatewayRequestTest, MapsThePeerAndTheRequestsOwnFields) {
  request_.source_address = "10.1.2.3";
  request_.extensions = {{"tenant", "a"}, {"route", "orders"}};
  absl::StatusOr<Request> r = MapGatewayRequest(config_, request_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->principal, (EntityUid{"Workload", "spiffe://prod.acme.io/ns/pay/sa/api"}));
  EXPECT_EQ(r->action, (EntityUid{"Action", "GET"}));
  EXPECT_EQ(r->resource, (EntityUid{"Path", "/api/public/x"}));
  EXPECT_EQ(Field(*r, "query"), Value::String("y=1"));
  EXPECT_EQ(Field(*r, "host"), Value::String("shop.example"));
  ASSERT_TRUE(Field(*r, "source_address").is(Value::Kind::kIp));
  ASSERT_TRUE(Field(*r, "extensions").is(Value::Kind::kRecord));
  EXPECT_EQ(Field(*r, "extensions").as_record().at("tenant"), Value::String("a"));
  EXPECT_TRUE(Field(*r, "spiffe").is(Value::Kind::kSpiffe));
}

TEST_F(MapGatewayRequestTest, ForgeableHeadersSupplyNothingByDefault) {
  headers_ = {{"x-forwarded-uri", "/admin"},
              {"x-forwarded-method", "DELETE"},
              {"x-forwarded-host", "evil.example"},
              {"x-forwarded-client-cert", "URI=spiffe://prod.acme.io/ns/admin/sa/root"}};
  request_.headers = headers_;
  absl::StatusOr<Request> r = MapGatewayRequest(config_, request_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->principal.id, "spiffe://prod.acme.io/ns/pay/sa/api");
  EXPECT_EQ(r->action.id, "GET");
  EXPECT_EQ(r->resource.id, "/api/public/x");
  EXPECT_EQ(Field(*r, "host"), Value::String("shop.example"));
}

TEST_F(MapGatewayRequestTest, DeniesAMissingOrForeignPrincipal) {
  request_.source_principal = "";
  EXPECT_THAT(MapGatewayRequest(config_, request_).status().message(), HasSubstr("no peer identity"));
  request_.source_principal = "CN=api,O=acme";
  EXPECT_THAT(MapGatewayRequest(config_, request_).status().message(), HasSubstr("not a SPIFFE ID"));
  // Over HTTP there is no peer identity to take.
  request_.source_principal.reset();
  EXPECT_THAT(MapGatewayRequest(config_, request_).status().message(), HasSubstr("only ext_authz over gRPC"));
}

TEST_F(MapGatewayRequestTest, DeniesAmbiguousPathsAsOverHttp) {
  for (const char* uri : {"/api/public/..;/admin", "/api/%2e%2e/%2e%2e/admin", "/a/%252e%252e/b", "/a%2fb", ""}) {
    request_.uri = uri;
    EXPECT_FALSE(MapGatewayRequest(config_, request_).ok()) << uri;
  }
}

TEST_F(MapGatewayRequestTest, DeniesBadAddressesAndTooManyExtensions) {
  request_.source_address = "not-an-address";
  EXPECT_THAT(MapGatewayRequest(config_, request_).status().message(), HasSubstr("not an IP address"));
  request_.source_address = "";
  for (std::size_t i = 0; i <= kMaxContextExtensions; ++i) request_.extensions.push_back({"k", "v"});
  EXPECT_THAT(MapGatewayRequest(config_, request_).status().message(), HasSubstr("context extensions"));
}

TEST_F(MapGatewayRequestTest, ConfiguredHeadersApplyOverGrpcToo) {
  config_.principal_extract = PrincipalExtract::kXfccUri;
  config_.uri_headers = {"x-original-uri"};
  headers_ = {{"x-forwarded-client-cert", "URI=spiffe://td/gw"}, {"x-original-uri", "/b"}};
  request_.headers = headers_;
  absl::StatusOr<Request> r = MapGatewayRequest(config_, request_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->principal.id, "spiffe://td/gw");
  EXPECT_EQ(r->resource.id, "/b");
}

}  // namespace
}  // namespace writ::serve
