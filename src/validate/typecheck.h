// Validate: Cedar's strict-mode typechecker over one policy's AST, against a
// resolved schema (src/validate/schema.h). The public entry is writ::Validate
// (writ/validate.h, src/validate/validate.cc), which locates the findings.
#ifndef WRIT_SRC_VALIDATE_TYPECHECK_H_
#define WRIT_SRC_VALIDATE_TYPECHECK_H_

#include <string>
#include <vector>

#include "src/ast/ast.h"
#include "src/base/source.h"
#include "src/validate/schema.h"
#include "writ/issue.h"

namespace writ::internal {

// One finding in a policy, located by a span of the policy's source.
struct TypeFinding {
  std::string code;   // as ValidationFinding::code
  Severity severity = Severity::kError;
  Span span;
  std::string message;
  std::string hint;
};

struct TypecheckOptions {
  bool strict = false;   // writ's extension functions and `.matches` are unknown
  bool action_application_error = false;   // as ValidateOptions
};

// Validates `policy` (a static policy or a template) against `schema`: its
// entity types, actions and enumerated ids, its scope against the actions'
// appliesTo, and the typing of its scope and conditions under every request
// environment. Findings are appended to `out` in the order found, without
// duplicates.
void TypecheckPolicy(const SchemaData& schema, const Policy& policy, const TypecheckOptions& options,
                     std::vector<TypeFinding>* out);

}  // namespace writ::internal

#endif  // WRIT_SRC_VALIDATE_TYPECHECK_H_
