// Eval: the reference authorizer — Cedar's combination of policy results
// (default deny, forbid overrides permit, erroring policies skipped).
#include "writ/authorize.h"

#include "src/ast/policy_set_data.h"
#include "src/eval/evaluator.h"

namespace writ {

Decision Authorize(const PolicySet& policies, const Entities& entities, const Request& request) {
  const internal::Evaluator evaluator(request, entities);
  std::vector<std::string> permits, forbids;
  Decision decision;
  for (const auto& policy : internal::PolicySetData::Of(policies).policies) {
    if (policy->is_template) continue;
    absl::StatusOr<bool> satisfied = evaluator.Satisfied(*policy);
    if (!satisfied.ok()) {
      decision.errors.push_back({policy->id, std::string(satisfied.status().message())});
    } else if (*satisfied) {
      (policy->effect == Effect::kForbid ? forbids : permits).push_back(policy->id);
    }
  }
  decision.allowed = forbids.empty() && !permits.empty();
  decision.reasons = forbids.empty() ? std::move(permits) : std::move(forbids);
  return decision;
}

}  // namespace writ
