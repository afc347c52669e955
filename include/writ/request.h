// writ/request.h — one authorization request: who (principal) wants to do
// what (action) to what (resource), in which context.
#ifndef WRIT_REQUEST_H_
#define WRIT_REQUEST_H_

#include <optional>

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
};

}  // namespace writ

#endif  // WRIT_REQUEST_H_
