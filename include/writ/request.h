// writ/request.h — one authorization request: who (principal) wants to do
// what (action) to what (resource), in which context.
#ifndef WRIT_REQUEST_H_
#define WRIT_REQUEST_H_

#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "writ/value.h"

namespace writ {

struct Request {
  EntityUid principal;
  EntityUid action;
  EntityUid resource;
  Value context = Value::MakeRecord(Value::Record{});   // always a record
  // The request time, against which lifecycle annotations (@expires,
  // @not_before) are checked; unset: the deciding clock's (DecideOptions).
  std::optional<absl::Time> now;
  // The identities the principal acts for, nearest first: a tool called by
  // an agent for a user has principal = the tool, chain = {agent, user} (as
  // OAuth token exchange nests `act` claims). Empty: the principal acts for
  // itself. A chained request is allowed only when every identity is: each
  // is decided as an ordinary request with it as the principal, the same
  // action, resource and time, and the context plus `chain_position` (0 for
  // the principal, 1 for chain[0], ...); see Decision::denied_by. At most
  // kMaxChainLength (writ/limits.h) identities; a longer chain, or a chained
  // request whose context already has `chain_position`, is denied with an
  // error.
  std::vector<EntityUid> chain;
};

}  // namespace writ

#endif  // WRIT_REQUEST_H_
