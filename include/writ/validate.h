// writ/validate.h — Cedar's validator: policies typechecked against a schema
// (strict mode, as Cedar 4.x), so that a misspelled attribute, a string
// compared with a long, an optional attribute read without `has`, or an
// action applied to the wrong entity type is found before any request is
// decided.
//
// Every policy is checked under each request environment its schema admits
// (a principal type, an action, a resource type, the action's context), and
// a template's slots under each entity type its scope allows. A finding is an
// error (the policy does not validate) or a warning (e.g. a policy that can
// never apply). Never throws.
//
// Example:
//   writ::ValidationResult r = writ::Validate(schema, policies);
//   for (const auto& f : r.findings) std::cerr << f.policy_id << ": " << writ::RenderIssue(f.issue);
//   if (r.HasErrors()) return 1;
#ifndef WRIT_VALIDATE_H_
#define WRIT_VALIDATE_H_

#include <string>
#include <vector>

#include "writ/issue.h"
#include "writ/policy_set.h"
#include "writ/schema.h"

namespace writ {

struct ValidateOptions {
  // Pure Cedar: writ's extensions (spiffe(), .matches) are unknown functions.
  bool strict = false;
  // A scope that no action's appliesTo admits (an action applied to the
  // wrong entity types: invalid-action-application) is a warning, as current
  // Cedar reports it (cedar-policy/cedar#2545, in the 4.1x line: cedar-wasm
  // 4.13.0). Set, it is an error, as in Cedar 4.10 (the version that
  // generated the conformance corpus).
  bool action_application_error = false;
};

struct ValidationFinding {
  std::string policy_id;
  // A stable kebab-case name of the kind of finding, after Cedar's
  // ValidationError / ValidationWarning kinds: unrecognized-entity-type,
  // unrecognized-action, invalid-enum-entity, invalid-action-application,
  // unexpected-type, incompatible-types, unknown-attribute,
  // unsafe-optional-attribute-access, unsafe-tag-access, no-tags-allowed,
  // empty-set-forbidden, non-literal-extension-constructor,
  // invalid-extension-argument, undefined-function, impossible-policy.
  std::string code;
  Issue issue;   // severity, location of the offending expression, message, hint
};

struct ValidationResult {
  // In policy order; within a policy, in the order found. Without duplicates
  // (a finding in several request environments is reported once).
  std::vector<ValidationFinding> findings;

  // Whether any finding is an error (warnings allowed otherwise).
  bool HasErrors() const;
  // The findings' issues, as RenderIssues renders them.
  std::vector<Issue> Issues() const;
};

ValidationResult Validate(const Schema& schema, const PolicySet& policies, const ValidateOptions& options = {});

}  // namespace writ

#endif  // WRIT_VALIDATE_H_
