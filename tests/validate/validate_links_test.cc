// Tests of validating template-linked policies (src/validate/validate.cc):
// what Cedar's validator checks of a link (its slot values' entity types are
// in the schema; an action applies to the filled scope), nothing of the
// template's conditions again. The expected findings are cedar-wasm 4.13's
// for the same schema, templates and links.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "writ/policy_set.h"
#include "writ/schema.h"
#include "writ/validate.h"

namespace writ {
namespace {

using ::testing::ElementsAre;

TEST(ValidateLinksTest, SlotTypesAndActionApplicationAsCedar) {
  std::vector<Issue> issues;
  absl::StatusOr<Schema> schema = Schema::Parse(R"(
    entity Team; entity Workload in [Team] { level?: Long }; entity Bucket;
    action read appliesTo { principal: Workload, resource: Bucket, context: { ok?: Bool } };
  )", "s.cedarschema", &issues);
  ASSERT_TRUE(schema.ok()) << RenderIssues(issues);
  PolicySet set;
  ASSERT_TRUE(set.Add(R"(permit(principal == ?principal, action == Action::"read", resource in ?resource);
permit(principal in ?principal, action == Action::"read", resource) when { principal.level > 1 };
)", "p.cedar", &issues)
                  .ok());
  ASSERT_TRUE(set.Link({"policy0", "ok", EntityUid{"Workload", "ci"}, EntityUid{"Bucket", "logs"}}).ok());
  ASSERT_TRUE(set.Link({"policy0", "bad-type", EntityUid{"Wrkload", "ci"}, EntityUid{"Bucket", "logs"}}).ok());
  ASSERT_TRUE(set.Link({"policy0", "bad-app", EntityUid{"Team", "a"}, EntityUid{"Bucket", "logs"}}).ok());
  ASSERT_TRUE(set.Link({"policy1", "team", EntityUid{"Team", "a"}, std::nullopt}).ok());
  const ValidationResult r = Validate(*schema, set);
  std::vector<std::string> got;
  for (const ValidationFinding& f : r.findings) {
    got.push_back(absl::StrCat(f.policy_id, " ", f.code, " ", f.issue.severity == Severity::kError ? "error" : "warning",
                               " ", f.issue.line, ":", f.issue.column));
  }
  // The template's own mistake once, not again for its link `team`.
  EXPECT_THAT(got, ElementsAre("policy1 unsafe-optional-attribute-access error 2:76",
                               "bad-type unrecognized-entity-type error 1:8",
                               "bad-type invalid-action-application warning 1:1",
                               "bad-app invalid-action-application warning 1:1"));
}

}  // namespace
}  // namespace writ
