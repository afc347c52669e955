// Tests of the `writ serve` configuration file: defaults, every key, and
// mistakes located at file:line:col.
#include "src/serve/config.h"

#include "src/serve/limits.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace writ::serve {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ServeConfig, EmptyFileGivesTheDefaults) {
  std::vector<Issue> issues;
  absl::StatusOr<ServeConfig> c = ParseServeConfig("", "serve.yaml", &issues);
  ASSERT_TRUE(c.ok()) << RenderIssues(issues);
  EXPECT_EQ(c->forward_auth.principal_header, "x-forwarded-client-cert");
  EXPECT_EQ(c->forward_auth.principal_extract, PrincipalExtract::kXfccUri);
  EXPECT_THAT(c->forward_auth.method_headers, ElementsAre("x-forwarded-method", "x-original-method"));
  EXPECT_THAT(c->forward_auth.uri_headers, ElementsAre("x-forwarded-uri", "x-original-uri"));
  EXPECT_EQ(c->forward_auth.path_parameters, PathParameters::kReject);
}

TEST(ServeConfig, ReadsPathParameters) {
  std::vector<Issue> issues;
  absl::StatusOr<ServeConfig> c =
      ParseServeConfig("forward_auth:\n  resource:\n    path_parameters: data\n", "serve.yaml", &issues);
  ASSERT_TRUE(c.ok()) << RenderIssues(issues);
  EXPECT_EQ(c->forward_auth.path_parameters, PathParameters::kData);
  c = ParseServeConfig("forward_auth:\n  resource:\n    path_parameters: reject\n", "serve.yaml", &issues);
  ASSERT_TRUE(c.ok()) << RenderIssues(issues);
  EXPECT_EQ(c->forward_auth.path_parameters, PathParameters::kReject);
}

TEST(ServeConfig, ReadsEveryKey) {
  std::vector<Issue> issues;
  absl::StatusOr<ServeConfig> c = ParseServeConfig(R"(
forward_auth:
  principal:
    header: X-Client-Id
    extract: value
    entity_type: Acme::Service
    spiffe: false
  action:
    headers: [x-original-method]
    override_headers: []
    entity_type: Acme::Action
  resource:
    headers: [X-Original-URI]
    entity_type: Acme::Route
  context:
    host_headers: []
    headers: [x-env, x-request-id]
)",
                                                   "serve.yaml", &issues);
  ASSERT_TRUE(c.ok()) << RenderIssues(issues);
  const ForwardAuthConfig& f = c->forward_auth;
  EXPECT_EQ(f.principal_header, "x-client-id");
  EXPECT_EQ(f.principal_extract, PrincipalExtract::kValue);
  EXPECT_EQ(f.principal_type, "Acme::Service");
  EXPECT_FALSE(f.principal_spiffe);
  EXPECT_THAT(f.method_headers, ElementsAre("x-original-method"));
  EXPECT_TRUE(f.method_override_headers.empty());
  EXPECT_EQ(f.action_type, "Acme::Action");
  EXPECT_THAT(f.uri_headers, ElementsAre("x-original-uri"));
  EXPECT_EQ(f.resource_type, "Acme::Route");
  EXPECT_TRUE(f.host_headers.empty());
  EXPECT_THAT(f.context_headers, ElementsAre("x-env", "x-request-id"));
}

TEST(ServeConfig, JsonReadsToo) {
  std::vector<Issue> issues;
  absl::StatusOr<ServeConfig> c =
      ParseServeConfig(R"({"forward_auth": {"principal": {"header": "x-id", "extract": "value"}}})", "serve.json",
                       &issues);
  ASSERT_TRUE(c.ok()) << RenderIssues(issues);
  EXPECT_EQ(c->forward_auth.principal_header, "x-id");
}

// The one error expected, as "file:line:col: message".
std::string OneError(std::string_view text) {
  std::vector<Issue> issues;
  absl::StatusOr<ServeConfig> c = ParseServeConfig(text, "serve.yaml", &issues);
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(issues.size(), 1u) << RenderIssues(issues);
  if (issues.empty()) return "";
  return IssueLocation(issues[0]) + ": " + issues[0].message;
}

TEST(ServeConfig, LocatesMistakes) {
  EXPECT_THAT(OneError("forward_auth:\n  principal:\n    headr: x\n"),
              HasSubstr("serve.yaml:3:5: unknown key `headr` in principal"));
  EXPECT_THAT(OneError("forward_auth:\n  principal:\n    extract: cn\n"),
              HasSubstr("serve.yaml:3:14: extract must be `value`, `xfcc-uri` or `source-principal`"));
  EXPECT_THAT(OneError("forward_auth:\n  action:\n    entity_type: \"Bad Type\"\n"),
              HasSubstr("serve.yaml:3:18: entity_type: `Bad Type` is not an entity type name"));
  EXPECT_THAT(OneError("forward_auth:\n  resource:\n    headers: [ok, \"not a header\"]\n"),
              HasSubstr("serve.yaml:3:19: headers: not a header name"));
  EXPECT_THAT(OneError("forward_auth:\n  principal:\n    spiffe: yes please\n"),
              HasSubstr("serve.yaml:3:13: spiffe must be true or false"));
  EXPECT_THAT(OneError("forward_auth:\n  resource:\n    path_parameters: strip\n"),
              HasSubstr("serve.yaml:3:22: path_parameters must be `reject` or `data`"));
  EXPECT_THAT(OneError("forward_auth:\n  resource:\n    path_parameters: [data]\n"),
              HasSubstr("serve.yaml:3:22: path_parameters must be `reject` or `data`"));
  EXPECT_THAT(OneError("listen: 0.0.0.0:80\n"), HasSubstr("serve.yaml:1:1: unknown key `listen`"));
  EXPECT_THAT(OneError("forward_auth: [1, 2]\n"), HasSubstr("serve.yaml:1:15: forward_auth must be a mapping"));
  EXPECT_THAT(OneError("forward_auth:\n  principal: {header: x\n"), HasSubstr("serve.yaml:"));
}

TEST(ServeConfig, RefusesHugeAndDeepInput) {
  std::vector<Issue> issues;
  EXPECT_FALSE(ParseServeConfig(std::string(kMaxConfigBytes + 1, '#'), "serve.yaml", &issues).ok());
  ASSERT_FALSE(issues.empty());
  EXPECT_THAT(issues[0].message, HasSubstr("limit"));
  issues.clear();
  EXPECT_FALSE(ParseServeConfig(std::string(100000, '[') , "serve.yaml", &issues).ok());
  EXPECT_FALSE(issues.empty());
}

TEST(ServeConfig, ExtAuthzHasItsOwnDefaultsAndTheSameKeys) {
  std::vector<Issue> issues;
  absl::StatusOr<ServeConfig> c = ParseServeConfig("", "serve.yaml", &issues);
  ASSERT_TRUE(c.ok()) << RenderIssues(issues);
  EXPECT_EQ(c->ext_authz.principal_extract, PrincipalExtract::kSourcePrincipal);
  EXPECT_TRUE(c->ext_authz.method_headers.empty());
  EXPECT_TRUE(c->ext_authz.uri_headers.empty());
  EXPECT_TRUE(c->ext_authz.host_headers.empty());
  c = ParseServeConfig(R"(
forward_auth:
  principal:
    entity_type: Acme::Service
  resource:
    headers: [x-original-uri]
  context:
    headers: [x-env]
)",
                       "serve.yaml", &issues);
  ASSERT_TRUE(c.ok()) << RenderIssues(issues);
  // Keys the file sets apply to both; the others keep each transport's defaults.
  EXPECT_EQ(c->ext_authz.principal_type, "Acme::Service");
  EXPECT_EQ(c->ext_authz.principal_extract, PrincipalExtract::kSourcePrincipal);
  EXPECT_THAT(c->ext_authz.uri_headers, ElementsAre("x-original-uri"));
  EXPECT_TRUE(c->ext_authz.method_headers.empty());
  EXPECT_THAT(c->ext_authz.context_headers, ElementsAre("x-env"));
  EXPECT_EQ(c->forward_auth.principal_extract, PrincipalExtract::kXfccUri);
  // A mistake is said once, not once per transport.
  issues.clear();
  EXPECT_FALSE(ParseServeConfig("forward_auth:\n  principal:\n    extract: cn\n", "serve.yaml", &issues).ok());
  EXPECT_EQ(issues.size(), 1u);
}

}  // namespace
}  // namespace writ::serve
