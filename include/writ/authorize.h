// writ/authorize.h — decisions. `Authorize` is the reference authorizer: it
// interprets the parsed policies directly, exactly as Cedar decides.
#ifndef WRIT_AUTHORIZE_H_
#define WRIT_AUTHORIZE_H_

#include <string>
#include <vector>

#include "writ/entities.h"
#include "writ/policy_set.h"
#include "writ/request.h"

namespace writ {

struct PolicyError {
  std::string policy_id;
  std::string message;
};

struct Decision {
  bool allowed = false;
  // The determining policies: the satisfied forbids when denied by policy,
  // else the satisfied permits; in policy-set order.
  std::vector<std::string> reasons;
  // Policies whose evaluation failed; they were skipped.
  std::vector<PolicyError> errors;
};

// Cedar's rules: default deny; a satisfied forbid overrides every permit; a
// policy whose scope or condition errors is skipped and reported. Templates
// (policies with slots) are not evaluated.
Decision Authorize(const PolicySet& policies, const Entities& entities,
                   const Request& request);

}  // namespace writ

#endif  // WRIT_AUTHORIZE_H_
