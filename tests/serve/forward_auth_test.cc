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
              HasSubstr("2 URIs"));
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

}  // namespace
}  // namespace writ::serve
