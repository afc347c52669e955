// Eval: identity chains — a request made through a chain of identities
// (Request::chain) decided as one ordinary request per identity, by either
// evaluator. The one implementation of the rule, shared by the reference
// authorizer and the compiled engine.
#ifndef WRIT_SRC_EVAL_CHAIN_H_
#define WRIT_SRC_EVAL_CHAIN_H_

#include <functional>

#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "writ/authorize.h"
#include "writ/request.h"

namespace writ::internal {

// The context attribute that tells each decision of a chained request its
// identity's place: 0 for the principal, 1 for chain[0], ...
inline constexpr char kChainPositionAttribute[] = "chain_position";

// Decides a request with a chain (not empty): `decide_one` is called with a
// chainless request per identity, the principal first, then chain[0], ...,
// each with the same action, resource and context plus `chain_position`, and
// the same time (request.now, else `clock`'s, else the system clock's, read
// once), stopping at the first identity denied. `out` is then that
// identity's decision with denied_by set to it; when every identity is
// allowed, the principal's, with denied_by unset. A chain longer than
// kMaxChainLength or a context that already has `chain_position` is denied
// with an error and decide_one is not called.
void DecideChained(const Request& request, const std::function<absl::Time()>& clock, Decision* out,
                   absl::FunctionRef<void(const Request&, Decision*)> decide_one);

// The entry point of both evaluators: a request without a chain goes to
// `decide_one` as it is (no copy, no allocation; `out`, which callers reuse,
// has denied_by cleared), a chained one to DecideChained.
inline void DecideChain(const Request& request, const std::function<absl::Time()>& clock, Decision* out,
                        absl::FunctionRef<void(const Request&, Decision*)> decide_one) {
  if (request.chain.empty()) {
    decide_one(request, out);
    out->denied_by.reset();
    return;
  }
  DecideChained(request, clock, out, decide_one);
}

}  // namespace writ::internal

#endif  // WRIT_SRC_EVAL_CHAIN_H_
