// writ/authorize.h — decisions. `Authorize` is the reference authorizer: it
// interprets the parsed policies directly, exactly as Cedar decides.
#ifndef WRIT_AUTHORIZE_H_
#define WRIT_AUTHORIZE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "writ/entities.h"
#include "writ/grants.h"
#include "writ/policy_set.h"
#include "writ/request.h"
#include "writ/revocation.h"

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
  // Policies whose evaluation failed; they were skipped (but see
  // DecideOptions::fail_closed).
  std::vector<PolicyError> errors;
  // The determining policies that are break-glass (@breakglass), in order.
  std::vector<std::string> breakglass;
  // Denied as revoked, before any policy was considered (reasons and errors
  // are then empty).
  bool revoked = false;
  // For a request with a chain (Request::chain) that was denied: the first
  // identity denied, the principal checked first, then chain[0], chain[1],
  // ...; the members above are then that identity's decision. Unset when
  // every identity is allowed (the decision is then the principal's own),
  // for a request without a chain, and for a chain that is refused outright
  // (longer than kMaxChainLength, or a context that already has
  // `chain_position`: denied with an error naming no policy).
  std::optional<EntityUid> denied_by;
};

// How decisions are made beyond Cedar's rules: writ's workload extensions.
struct DecideOptions {
  // The request time for requests without `now`; unset: the system clock.
  // Read only when some policy has @expires or @not_before.
  std::function<absl::Time()> clock;
  // Cedar skips a policy whose condition errors. With fail_closed, an
  // erroring forbid denies instead, as if satisfied (it is listed in both
  // reasons and errors); erroring permits are still skipped.
  bool fail_closed = false;
  // Revoked uids (writ/revocation.h); may be shared and changed while
  // deciding.
  std::shared_ptr<const RevocationList> revoked;
  // Bounds on run-time grants (Engine::AddGrant); the reference authorizer
  // takes none.
  GrantLimits grant_limits;
};

// Cedar's rules: default deny; a satisfied forbid overrides every permit; a
// policy whose scope or condition errors is skipped and reported. Templates
// (policies with slots) are not evaluated; their links (PolicySet::Link) are,
// each reported by its link id. writ's additions, in order: a
// revoked request is denied first; a policy applies only while the request
// time is in [@not_before, @expires); `options.fail_closed`; a chained
// request (Request::chain) is allowed only when each of its identities is.
Decision Authorize(const PolicySet& policies, const Entities& entities,
                   const Request& request, const DecideOptions& options = {});

}  // namespace writ

#endif  // WRIT_AUTHORIZE_H_
