// Validate: writ::Validate — every policy of a set typechecked against a
// schema (src/validate/typecheck.cc), the findings located in the policies'
// sources.
#include "writ/validate.h"

#include <memory>
#include <vector>

#include "src/ast/policy_set_data.h"
#include "src/base/source.h"
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

ValidationResult Validate(const Schema& schema, const PolicySet& policies, const ValidateOptions& options) {
  const internal::SchemaData& s = internal::SchemaData::Of(schema);
  const internal::PolicySetData& p = internal::PolicySetData::Of(policies);
  std::vector<std::unique_ptr<internal::SourceFile>> files(p.sources.size());
  ValidationResult result;
  internal::TypecheckOptions tc;
  tc.strict = options.strict;
  tc.action_application_error = options.action_application_error;
  for (const auto& policy : p.policies) {
    // A link is its template with the slots filled: the template is checked
    // (for every type its slots may take) in its place.
    if (!policy->link_of.empty()) continue;
    std::vector<internal::TypeFinding> found;
    internal::TypecheckPolicy(s, *policy, tc, &found);
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
