// writ/request.h — one authorization request: who (principal) wants to do
// what (action) to what (resource), in which context.
#ifndef WRIT_REQUEST_H_
#define WRIT_REQUEST_H_

#include "writ/value.h"

namespace writ {

struct Request {
  EntityUid principal;
  EntityUid action;
  EntityUid resource;
  Value context = Value::MakeRecord(Value::Record{});   // always a record
};

}  // namespace writ

#endif  // WRIT_REQUEST_H_
