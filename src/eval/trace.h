// Eval: the reference authorizer with a per-policy trace — what each policy
// did for one request (outside its lifecycle window, scope not matched,
// condition true, false or erroring). `writ test --coverage` reads it.
#ifndef WRIT_SRC_EVAL_TRACE_H_
#define WRIT_SRC_EVAL_TRACE_H_

#include <cstdint>
#include <vector>

#include "src/ast/ast.h"
#include "writ/authorize.h"
#include "writ/entities.h"
#include "writ/policy_set.h"
#include "writ/request.h"

namespace writ::internal {

struct PolicyOutcome {
  enum class Kind : std::uint8_t {
    kInactive,         // outside its [@not_before, @expires) window: not evaluated
    kScopeMismatch,    // principal, action or resource scope does not hold
    kConditionTrue,    // scope holds and every when/unless condition holds
    kConditionFalse,   // scope holds and some condition does not
    kError,            // scope holds and a condition's evaluation failed
  };
  const Policy* policy = nullptr;   // points into the PolicySet's shared data
  Kind kind = Kind::kScopeMismatch;
};

// Decides exactly as writ::Authorize does (Authorize calls it with a null
// trace). When `trace` is not null it is overwritten with one outcome per
// static policy, in policy-set order; templates are left out, and a request
// denied as revoked leaves it empty (no policy is considered then).
// `request.chain` is not read: a chained request goes through DecideChain
// (src/eval/chain.h), with one call here per identity.
Decision AuthorizeTraced(const PolicySet& policies, const Entities& entities, const Request& request,
                         const DecideOptions& options, std::vector<PolicyOutcome>* trace);

}  // namespace writ::internal

#endif  // WRIT_SRC_EVAL_TRACE_H_
