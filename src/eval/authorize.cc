// Eval: the reference authorizer — Cedar's combination of policy results
// (default deny, forbid overrides permit, erroring policies skipped), with
// writ's revocation, lifecycle windows and fail-closed option; a chained
// request through src/eval/chain.h.
#include "writ/authorize.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "src/ast/policy_set_data.h"
#include "src/eval/combine.h"
#include "src/eval/chain.h"
#include "src/eval/evaluator.h"
#include "src/eval/trace.h"

namespace writ {
namespace internal {

// The entity `context.credential` refers to, if it is an entity.
const EntityUid* CredentialOf(const Request& request) {
  if (!request.context.is(Value::Kind::kRecord)) return nullptr;
  const Value::Record& context = request.context.as_record();
  auto it = context.find("credential");
  return it != context.end() && it->second.is(Value::Kind::kEntity) ? &it->second.as_entity() : nullptr;
}

// Whether the request's principal, an ancestor of it, or its credential is
// revoked: the principal's hierarchy walked breadth-first over `entities`.
bool IsRevoked(const RevocationList& revoked, const Entities& entities, const Request& request) {
  if (revoked.size() == 0) return false;
  if (const EntityUid* credential = CredentialOf(request); credential != nullptr && revoked.Contains(*credential)) {
    return true;
  }
  return revoked.Contains(request.principal) ||
         entities.AnyAncestor(request.principal, [&](const EntityUid& a) { return revoked.Contains(a); });
}

Decision AuthorizeTraced(const PolicySet& policies, const Entities& entities, const Request& request,
                         const DecideOptions& options, std::vector<PolicyOutcome>* trace) {
  Decision decision;
  if (trace != nullptr) trace->clear();
  if (options.revoked != nullptr && internal::IsRevoked(*options.revoked, entities, request)) {
    decision.revoked = true;
    return decision;
  }
  const internal::Evaluator evaluator(request, entities);
  std::optional<absl::Time> now = request.now;
  std::vector<const internal::Policy*> permits, forbids;
  internal::Combination<const internal::Policy*> combination(&permits, &forbids, options.fail_closed);
  for (const auto& policy : internal::PolicySetData::Of(policies).policies) {
    if (policy->is_template) continue;
    if (policy->not_before || policy->expires) {
      if (!now) now = options.clock ? options.clock() : absl::Now();
      if (!internal::InWindow(*now, policy->not_before, policy->expires)) {
        if (trace != nullptr) trace->push_back({policy.get(), PolicyOutcome::Kind::kInactive});
        continue;
      }
    }
    // Evaluator::Satisfied in its two halves, so that the trace tells an
    // unmatched scope from a false condition.
    if (!evaluator.ScopeMatches(*policy)) {
      if (trace != nullptr) trace->push_back({policy.get(), PolicyOutcome::Kind::kScopeMismatch});
      continue;
    }
    absl::StatusOr<bool> satisfied = evaluator.ConditionsHold(*policy);
    if (trace != nullptr) {
      trace->push_back({policy.get(), !satisfied.ok() ? PolicyOutcome::Kind::kError
                                      : *satisfied    ? PolicyOutcome::Kind::kConditionTrue
                                                      : PolicyOutcome::Kind::kConditionFalse});
    }
    if (!satisfied.ok()) {
      combination.Errored(policy.get(), policy->effect, policy->id, satisfied.status().message(), &decision);
    } else if (*satisfied) {
      combination.Satisfied(policy.get(), policy->effect);
    }
  }
  combination.Finish(&decision, [](const internal::Policy* p) {
    return std::pair<const std::string&, bool>(p->id, p->breakglass);
  });
  return decision;
}

}  // namespace internal

Decision Authorize(const PolicySet& policies, const Entities& entities, const Request& request,
                   const DecideOptions& options) {
  Decision decision;
  internal::DecideChain(request, options.clock, &decision, [&](const Request& one, Decision* out) {
    *out = internal::AuthorizeTraced(policies, entities, one, options, nullptr);
  });
  return decision;
}

}  // namespace writ
