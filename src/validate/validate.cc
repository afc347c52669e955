// Validate: writ::Validate — every policy of a set typechecked against a
// schema (src/validate/typecheck.cc), the findings located in the policies'
// sources.
#include "writ/validate.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/ast/policy_set_data.h"
#include "src/base/source.h"
#include "src/validate/conform.h"
#include "src/validate/schema.h"
#include "src/validate/typecheck.h"

namespace writ {

bool ValidationResult::HasErrors() const {
  for (const ValidationFinding& f : findings) {
    if (f.issue.severity == Severity::kError) return true;
  }
  return false;
}

std::vector<Issue> ValidationResult::Issues() const {
  std::vector<Issue> out;
  out.reserve(findings.size());
  for (const ValidationFinding& f : findings) out.push_back(f.issue);
  return out;
}

namespace {

// A link is its template with the slots filled, and the template is
// typechecked (for every type its slots may take) in its place. What Cedar's
// validator checks of a link itself (validate_slots): each slot value's
// entity type is in the schema, and some action in the scope applies to the
// filled principal and resource.
void LinkFindings(const internal::SchemaData& s, const internal::PolicySetData& p, const internal::Policy& link,
                  const internal::TypecheckOptions& tc, std::vector<internal::TypeFinding>* found) {
  const internal::Policy& tmpl = *p.policies[p.by_id.at(link.link_of)];
  for (const auto& [slot, filled] : {std::pair{&tmpl.principal, &link.principal}, {&tmpl.resource, &link.resource}}) {
    if (!slot->slot || !filled->entity) continue;
    const std::string& type = filled->entity->type;
    if (s.FindEntityType(type) == nullptr && !internal::IsActionType(type)) {
      found->push_back({"unrecognized-entity-type", Severity::kError, filled->span,
                        absl::StrCat("unrecognized entity type `", type, "`"), ""});
    }
  }
  std::vector<internal::TypeFinding> all;
  internal::TypecheckPolicy(s, link, tc, &all);
  for (internal::TypeFinding& f : all) {
    if (f.code == "invalid-action-application") found->push_back(std::move(f));
  }
}

}  // namespace

ValidationResult Validate(const Schema& schema, const PolicySet& policies, const ValidateOptions& options) {
  const internal::SchemaData& s = internal::SchemaData::Of(schema);
  const internal::PolicySetData& p = internal::PolicySetData::Of(policies);
  std::vector<std::unique_ptr<internal::SourceFile>> files(p.sources.size());
  ValidationResult result;
  internal::TypecheckOptions tc;
  tc.strict = options.strict;
  tc.action_application_error = options.action_application_error;
  for (const auto& policy : p.policies) {
    std::vector<internal::TypeFinding> found;
    if (policy->link_of.empty()) {
      internal::TypecheckPolicy(s, *policy, tc, &found);
    } else {
      LinkFindings(s, p, *policy, tc, &found);
    }
    if (found.empty()) continue;
    std::unique_ptr<internal::SourceFile>& file = files[policy->source_index];
    if (!file) {
      const internal::PolicySource& src = *p.sources[policy->source_index];
      file = std::make_unique<internal::SourceFile>(src.name, src.text);
    }
    for (internal::TypeFinding& f : found) {
      result.findings.push_back(ValidationFinding{
          policy->id, f.code, file->MakeIssue(f.span, std::move(f.message), f.severity, std::move(f.hint))});
    }
  }
  return result;
}

}  // namespace writ
