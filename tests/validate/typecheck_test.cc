// Tests for src/validate/typecheck.cc through writ::Validate: each kind of
// finding (with its location), the typing rules that decide them (singleton
// booleans, capabilities from `has`, the entity hierarchy in `in`), and
// templates.
#include <algorithm>
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

using ::testing::HasSubstr;

constexpr const char* kSchema = R"(
entity Group;
entity User in [Group] { name: String, age?: Long, email: String, tags: Set<String> };
entity Doc { owner: User, public: Bool, ip: ipaddr } tags String;
entity Color enum ["red", "blue"];
action view appliesTo { principal: [User], resource: [Doc], context: { mfa: Bool, level?: Long } };
action edit appliesTo { principal: [User], resource: [Doc] };
action manage in [edit] appliesTo { principal: [User], resource: [Doc] };
)";

ValidationResult CheckWith(const std::string& schema_text, const std::string& policies,
                           const ValidateOptions& options = {}) {
  std::vector<Issue> issues;
  absl::StatusOr<Schema> schema = Schema::Parse(schema_text, "s.cedarschema", &issues);
  EXPECT_TRUE(schema.ok()) << RenderIssues(issues);
  PolicySet set;
  EXPECT_TRUE(set.Add(policies, "p.cedar", &issues).ok()) << RenderIssues(issues);
  return Validate(schema.ok() ? *schema : Schema(), set, options);
}

ValidationResult Check(const std::string& policies, const ValidateOptions& options = {}) {
  return CheckWith(kSchema, policies, options);
}

std::vector<std::string> Codes(const ValidationResult& r) {
  std::vector<std::string> out;
  for (const ValidationFinding& f : r.findings) out.push_back(f.code);
  return out;
}

// The one finding of `r`, which must have exactly one.
ValidationFinding Only(const ValidationResult& r) {
  EXPECT_EQ(r.findings.size(), 1u) << ::testing::PrintToString(Codes(r));
  return r.findings.empty() ? ValidationFinding{} : r.findings[0];
}

TEST(Typecheck, WellTypedPolicyHasNoFindings) {
  ValidationResult r = Check(R"(permit(principal, action == Action::"view", resource)
when { principal.name == "alice" && resource.owner == principal && context.mfa && principal in Group::"g" };)");
  EXPECT_TRUE(r.findings.empty()) << ::testing::PrintToString(Codes(r));
  EXPECT_FALSE(r.HasErrors());
}

TEST(Typecheck, MisspelledAttributeIsUnknownWithSuggestion) {
  ValidationResult r = Check("permit(principal, action, resource)\nwhen { principal.nmae == \"a\" };");
  const ValidationFinding f = Only(r);
  EXPECT_EQ(f.code, "unknown-attribute");
  EXPECT_EQ(f.policy_id, "policy0");
  EXPECT_EQ(f.issue.severity, Severity::kError);
  EXPECT_EQ(f.issue.file, "p.cedar");
  EXPECT_EQ(f.issue.line, 2u);
  EXPECT_EQ(f.issue.column, 8u);
  EXPECT_THAT(f.issue.message, HasSubstr("`nmae`"));
  EXPECT_THAT(f.issue.hint, HasSubstr("`name`"));
  EXPECT_TRUE(r.HasErrors());
}

TEST(Typecheck, StringComparedWithLong) {
  const ValidationFinding eq = Only(Check("permit(principal, action, resource) when { principal.name == 3 };"));
  EXPECT_EQ(eq.code, "incompatible-types");
  EXPECT_EQ(eq.issue.column, 44u);
  EXPECT_THAT(eq.issue.message, HasSubstr("`String` and `Long`"));
  const ValidationFinding lt = Only(Check("permit(principal, action, resource) when { principal.name < 3 };"));
  EXPECT_EQ(lt.code, "unexpected-type");
  EXPECT_EQ(lt.issue.column, 44u);   // the operand that is not ordered
}

TEST(Typecheck, OptionalAttributeNeedsHas) {
  const ValidationFinding f = Only(Check("permit(principal, action, resource) when { principal.age > 3 };"));
  EXPECT_EQ(f.code, "unsafe-optional-attribute-access");
  EXPECT_EQ(f.issue.column, 44u);
  EXPECT_THAT(f.issue.hint, HasSubstr("has age"));
  // Guarded in the same conjunction, or by an if: no finding.
  EXPECT_TRUE(Check("permit(principal, action, resource) when { principal has age && principal.age > 3 };")
                  .findings.empty());
  EXPECT_TRUE(Check("permit(principal, action, resource) when { if principal has age then principal.age > 3 else "
                    "false };")
                  .findings.empty());
  // Not across `||`, nor in an else branch.
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { principal has age || principal.age > 3 };")),
            std::vector<std::string>{"unsafe-optional-attribute-access"});
  // A context attribute likewise.
  EXPECT_EQ(Codes(Check("permit(principal, action == Action::\"view\", resource) when { context.level > 1 };")),
            std::vector<std::string>{"unsafe-optional-attribute-access"});
}

TEST(Typecheck, ActionAppliedToWrongEntityType) {
  // By default a warning, as current Cedar (cedar#2545), with the policy impossible too.
  ValidationResult r = Check("permit(principal is Group, action == Action::\"view\", resource);");
  EXPECT_FALSE(r.HasErrors());
  EXPECT_EQ(Codes(r), (std::vector<std::string>{"invalid-action-application", "impossible-policy"}));
  const ValidationFinding f = r.findings[0];
  EXPECT_EQ(f.issue.severity, Severity::kWarning);
  EXPECT_EQ(f.issue.line, 1u);
  EXPECT_EQ(f.issue.column, 1u);
  // Cedar 4.10's reading, on request: an error.
  ValidateOptions older;
  older.action_application_error = true;
  ValidationResult all = Check("permit(principal is Group, action == Action::\"view\", resource);", older);
  EXPECT_TRUE(all.HasErrors());
  EXPECT_EQ(Codes(all), (std::vector<std::string>{"invalid-action-application", "impossible-policy"}));
  EXPECT_EQ(all.findings[0].issue.severity, Severity::kError);
}

TEST(Typecheck, UnknownNames) {
  // (The scope does not type, so the policy is not also called impossible.)
  EXPECT_EQ(Codes(Check("permit(principal == Usr::\"a\", action, resource);")),
            (std::vector<std::string>{"unrecognized-entity-type", "invalid-action-application"}));
  const ValidationFinding f = Check("permit(principal, action, resource) when { principal is Usr };").findings[0];
  EXPECT_EQ(f.code, "unrecognized-entity-type");
  EXPECT_THAT(f.issue.hint, HasSubstr("`User`"));
  EXPECT_EQ(Codes(Check("permit(principal, action == Action::\"veiw\", resource);"))[0], "unrecognized-action");
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { principal.name == \"x\" || resource == Color::\"green\" };")),
            std::vector<std::string>{"invalid-enum-entity"});
  EXPECT_TRUE(Check("permit(principal, action, resource) when { principal.name == \"x\" || resource == Color::\"red\" };").findings.empty());
}

TEST(Typecheck, ImpossiblePolicyIsAWarning) {
  ValidationResult r = Check("permit(principal, action, resource) when { principal in Doc::\"d\" };");
  EXPECT_EQ(Codes(r), std::vector<std::string>{"impossible-policy"});
  EXPECT_EQ(r.findings[0].issue.severity, Severity::kWarning);
  EXPECT_FALSE(r.HasErrors());
  // A false conjunct hides what follows it (Cedar types `false && e` without e).
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { false && principal.nope };")),
            std::vector<std::string>{"impossible-policy"});
}

// Whether a policy with errors is also impossible follows the types Cedar's
// typechecker recovers from a failed expression, and the nesting of its
// condition (principal && (action && (resource && (c1 && c2)))). Each case
// was a disagreement with cedar-wasm 4.13.0 (validate_diff.mjs, seed 77).
TEST(Typecheck, ImpossibleThroughErrorsAsCedarSeesIt) {
  auto impossible = [](const std::string& schema, const std::string& conditions) {
    ValidationResult r = CheckWith(schema, "permit(principal, action, resource) " + conditions + ";");
    EXPECT_TRUE(r.HasErrors()) << conditions;
    const std::vector<std::string> codes = Codes(r);
    return std::find(codes.begin(), codes.end(), "impossible-policy") != codes.end();
  };
  // `!` of a failed operand is a boolean, and a boolean && false is false.
  EXPECT_TRUE(impossible(kSchema, "unless { 1 } when { false }"));
  // A failed operand with no type: `&&` is only a boolean, nested from the right.
  EXPECT_FALSE(impossible(kSchema, "when { principal.nope } when { false }"));
  EXPECT_FALSE(impossible(kSchema, R"(when { "*" && false })"));
  // like, isEmpty and extension calls keep their result types when they fail.
  EXPECT_TRUE(impossible(kSchema, R"(when { (principal.nope like "*") && false })"));
  EXPECT_TRUE(impossible(kSchema, "when { [1, true].isEmpty() } when { false }"));
  EXPECT_TRUE(impossible(kSchema, R"(when { true.isInRange(ip("::1")) } when { false })"));
  // hasTag on a type without tags is false whatever the tag; on a failed
  // entity it has no type.
  EXPECT_TRUE(impossible(kSchema, "when { principal.hasTag(1) }"));
  EXPECT_FALSE(impossible(kSchema, R"(when { principal.nope.hasTag("x") } when { false })"));
  // An optional attribute read without `has` keeps the attribute's type.
  const std::string schema = "entity E { opt?: F }; entity F; action a appliesTo { principal: [E], resource: [E] };";
  EXPECT_TRUE(impossible(schema, "unless { principal.opt is F }"));
  EXPECT_FALSE(impossible(schema, "unless { principal.opt is E }"));
}

TEST(Typecheck, ActionScopes) {
  EXPECT_TRUE(Check("permit(principal, action in Action::\"edit\", resource);").findings.empty());
  EXPECT_TRUE(Check("permit(principal, action in [Action::\"view\", Action::\"edit\"], resource);").findings.empty());
  EXPECT_THAT(Codes(Check("permit(principal, action in [], resource);")),
              ::testing::Contains("empty-set-forbidden"));
  // No action applies to Color: the condition is checked under no environment.
  EXPECT_EQ(Codes(Check("permit(principal, action, resource is Color) when { resource.nope == principal };")),
            (std::vector<std::string>{"invalid-action-application", "impossible-policy"}));
}

TEST(Typecheck, SetsRecordsAndIf) {
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { [1, \"a\"].contains(1) };")),
            std::vector<std::string>{"incompatible-types"});
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { [].isEmpty() };")),
            std::vector<std::string>{"empty-set-forbidden"});
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { principal.tags.contains(1) };")),
            std::vector<std::string>{"incompatible-types"});
  EXPECT_TRUE(Check("permit(principal, action, resource) when { principal.tags.contains(\"x\") };").findings.empty());
  EXPECT_EQ(Codes(Check("permit(principal, action == Action::\"view\", resource) when { (if context.mfa then 1 else \"a\") == 1 };")),
            std::vector<std::string>{"incompatible-types"});
  EXPECT_TRUE(Check("permit(principal, action, resource) when { {a: 1}.a == 1 };").findings.empty());
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { {a: 1}.b == 1 };")),
            std::vector<std::string>{"unknown-attribute"});
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { 1 };")),
            std::vector<std::string>{"unexpected-type"});
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { principal.name like \"a*\" && 1 like \"*\" };")),
            std::vector<std::string>{"unexpected-type"});
}

TEST(Typecheck, Tags) {
  EXPECT_TRUE(Check("permit(principal, action, resource) when { resource.hasTag(\"k\") && resource.getTag(\"k\") "
                    "== \"v\" };")
                  .findings.empty());
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { resource.getTag(\"k\") == \"v\" };")),
            std::vector<std::string>{"unsafe-tag-access"});
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { principal.getTag(\"k\") == \"v\" };")),
            std::vector<std::string>{"no-tags-allowed"});
}

TEST(Typecheck, ExtensionFunctions) {
  EXPECT_TRUE(Check("permit(principal, action, resource) when { resource.ip.isInRange(ip(\"10.0.0.0/8\")) && "
                    "decimal(\"1.5\").lessThan(decimal(\"2.0\")) && datetime(\"2024-01-01\") < "
                    "datetime(\"2025-01-01\").offset(duration(\"1h\")) };")
                  .findings.empty());
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { resource.ip.isInRange(ip(principal.name)) };")),
            std::vector<std::string>{"non-literal-extension-constructor"});
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { ip(\"nope\").isIpv4() };")),
            std::vector<std::string>{"invalid-extension-argument"});
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { resource.ip.lessThan(decimal(\"1.0\")) };")),
            std::vector<std::string>{"unexpected-type"});
  // writ's own: typed in extended mode, unknown in strict mode.
  EXPECT_TRUE(Check("permit(principal, action, resource) when { spiffe(\"spiffe://td/a\").trustDomain() == "
                    "\"td\" && principal.name.matches(\"^a\") };")
                  .findings.empty());
  ValidateOptions strict;
  strict.strict = true;
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { principal.name.matches(\"^a\") };", strict)),
            std::vector<std::string>{"undefined-function"});
}

TEST(Typecheck, Templates) {
  EXPECT_TRUE(Check("permit(principal in ?principal, action == Action::\"view\", resource == ?resource) when { "
                    "resource.public };")
                  .findings.empty());
  EXPECT_EQ(Codes(Check("permit(principal == ?principal, action, resource) when { principal.nope };")),
            std::vector<std::string>{"unknown-attribute"});
}

TEST(Typecheck, FindingsAreReportedOncePerPolicy) {
  // The same mistake under four environments (view, edit, manage, paint) is one finding.
  ValidationResult r = Check("permit(principal, action, resource) when { principal.nope };\n"
                             "forbid(principal, action, resource) when { principal.nope2 };");
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].policy_id, "policy0");
  EXPECT_EQ(r.findings[1].policy_id, "policy1");
  EXPECT_EQ(r.findings[1].issue.line, 2u);
}

// Found by tests/differential against cedar-wasm 4.13.0: in strict mode two
// record types have a bound only when each attribute is required in both or
// optional in both ("the types {a?: Long} and {a: Long} are not compatible").
TEST(Typecheck, RecordOptionalityMustAgree) {
  constexpr const char* kRecords = R"(
entity E { r: { a?: Long }, s: { a: Long } };
action act appliesTo { principal: [E], resource: [E] };
)";
  for (const char* cond : {"[principal.r].contains({a: 1})", "principal.r == {a: 1}", "[{a: 1}, principal.r].isEmpty()",
                           "(if principal.s == principal.s then principal.r else {a: 1}) == principal.r",
                           "principal.r == principal.s", "[principal.r].containsAll([principal.s])"}) {
    SCOPED_TRACE(cond);
    ValidationResult r = CheckWith(kRecords, absl::StrCat("permit(principal, action, resource) when { ", cond, " };"));
    EXPECT_EQ(Codes(r), std::vector<std::string>{"incompatible-types"});
  }
  // The same optionality joins.
  EXPECT_TRUE(CheckWith(kRecords, "permit(principal, action, resource) when { principal.s == {a: 1} && "
                                  "[principal.r, resource.r].contains(principal.r) };")
                  .findings.empty());
}

// Found by tests/differential: Cedar reports its warnings on a policy with
// errors too, typing the failed parts with the types it recovers (two
// different entity literals are never equal, even of unknown types).
TEST(Typecheck, WarningsOnPoliciesWithErrors) {
  EXPECT_EQ(Codes(Check("permit(principal, action == Action::\"nope\", resource);")),
            (std::vector<std::string>{"unrecognized-action", "invalid-action-application", "impossible-policy"}));
  EXPECT_EQ(Codes(Check("permit(principal, action in [Action::\"view\", Action::\"nope\"], resource);")),
            (std::vector<std::string>{"unrecognized-action", "invalid-action-application"}));
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { action == Action::\"nope\" };")),
            (std::vector<std::string>{"unrecognized-action", "impossible-policy"}));
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { Nope::\"x\" == Nope::\"y\" };")),
            (std::vector<std::string>{"unrecognized-entity-type", "unrecognized-entity-type", "impossible-policy"}));
  // A failed condition and a false one: not called impossible (Cedar recovers no type after the failure).
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { principal.nope } when { false };")),
            std::vector<std::string>{"unknown-attribute"});
  // A failed comparison or hasTag is still a boolean, so a later false condition makes the policy impossible.
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { principal.nope == principal.name } when { false };")),
            (std::vector<std::string>{"unknown-attribute", "impossible-policy"}));
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { resource.hasTag(1) } when { false };")),
            (std::vector<std::string>{"unexpected-type", "impossible-policy"}));
  // And both branches of an `if` false, after a failed test.
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { if principal.nope then false else false };")),
            (std::vector<std::string>{"unknown-attribute", "impossible-policy"}));
  EXPECT_EQ(Codes(Check("permit(principal == Nope::\"x\", action, resource);")),
            (std::vector<std::string>{"unrecognized-entity-type", "invalid-action-application"}));
  EXPECT_EQ(Codes(Check("permit(principal, action in Action::\"nope\", resource);")),
            (std::vector<std::string>{"unrecognized-action", "invalid-action-application"}));
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { action == Action::\"nope\" || principal.nope };")),
            (std::vector<std::string>{"unrecognized-action", "unknown-attribute"}));
  // Nor a failed one a possibly true one.
  EXPECT_EQ(Codes(Check("permit(principal, action, resource) when { principal.nope || principal.name == \"a\" };")),
            std::vector<std::string>{"unknown-attribute"});
}

}  // namespace
}  // namespace writ
