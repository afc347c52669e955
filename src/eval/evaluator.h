// Eval: the reference evaluator — a direct interpreter over the AST, written
// to be obviously correct rather than fast. The compiled engine is tested
// against it.
#ifndef WRIT_SRC_EVAL_EVALUATOR_H_
#define WRIT_SRC_EVAL_EVALUATOR_H_

#include "absl/status/statusor.h"
#include "src/ast/ast.h"
#include "writ/entities.h"
#include "writ/request.h"
#include "writ/value.h"

namespace writ::internal {

// The entity `context.credential` refers to, or null when it is absent or not
// an entity (revocation checks it: writ/revocation.h).
const EntityUid* CredentialOf(const Request& request);

// Evaluates expressions for one request. Errors come back as a non-ok status
// whose message is the evaluation error. Recursion is bounded by the
// parser's expression depth limit.
class Evaluator {
 public:
  Evaluator(const Request& request, const Entities& entities)
      : request_(request), entities_(entities) {}

  absl::StatusOr<Value> Eval(const Expr& expr) const;

  // Whether the policy's scope and all its conditions hold.
  absl::StatusOr<bool> Satisfied(const Policy& policy) const;
  // The two halves of Satisfied: whether the scope (principal, action,
  // resource) holds, and then whether every when/unless condition does.
  bool ScopeMatches(const Policy& policy) const;
  absl::StatusOr<bool> ConditionsHold(const Policy& policy) const;

 private:
  absl::StatusOr<Value> EvalBinary(const Expr& expr) const;
  absl::StatusOr<bool> EvalBool(const Expr& expr) const;
  bool InEntity(const EntityUid& uid, const EntityUid& ancestor) const;
  bool ScopeHolds(const ScopeConstraint& scope, const EntityUid& uid) const;

  const Request& request_;
  const Entities& entities_;
};

}  // namespace writ::internal

#endif  // WRIT_SRC_EVAL_EVALUATOR_H_
