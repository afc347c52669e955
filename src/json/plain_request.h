// JSON: the fast path of RequestFromJson — a request in its plain form read
// straight from the text into a Request, without the located tree.
#ifndef WRIT_SRC_JSON_PLAIN_REQUEST_H_
#define WRIT_SRC_JSON_PLAIN_REQUEST_H_

#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/issue.h"
#include "writ/json.h"
#include "writ/request.h"
#include "writ/value.h"

namespace writ::internal {

// Reads `json` (valid UTF-8 within kMaxJsonBytes) as a schemaless request,
// when it is in the plain form gateways and services send: an object with
// `principal`, `action` and `resource` (each `"Type::\"id\""` or
// {"type": .., "id": ..}) and optionally `context`, an object whose values
// are strings, integers, booleans, arrays and objects, none with a key that
// starts with `__` (the escapes), nested at most kMaxPlainRequestDepth deep.
// Declines (nullopt) anything else — other fields (`now`, `chain`, ..),
// duplicate keys, nulls, floats, any mistake — which the general reader then
// reads and, where it is wrong, explains. What it accepts is exactly the
// Request the general reader makes of the same text (a test holds the two
// together).
std::optional<Request> ReadPlainRequest(std::string_view json);

inline constexpr int kMaxPlainRequestDepth = 16;

struct CompiledEngine;

// The JSON path's storage, one per thread: the Request its prepared requests
// borrow from (the uids; the context is left empty) and the slots' values
// that are not scalars.
struct PlainPrepared {
  Request request;
  std::vector<Value> values;
  PreparedRequest prepared;
};

// Reads `json` (valid UTF-8 within kMaxJsonBytes) as ReadPlainRequest does,
// straight into out->prepared for `engine`, without building the context:
// each context attribute and path the engine's slots read is put in its
// slot (a record read only for the slots below it as kPathsOnly), the rest
// checked and passed over. Declines (false, out->prepared unprepared) what
// ReadPlainRequest declines, and in the context a key with an escape or an
// object of more than 64 members (its keys are compared as text, for
// duplicates): the general reader reads those.
bool ReadPlainPrepared(const CompiledEngine& engine, std::string_view json, PlainPrepared* out);

// writ::DecideJson's fast path: `json` read by ReadPlainPrepared into a
// per-thread PlainPrepared and decided by DecideLean. False when either
// declines; `out` is then meaningless and the caller reads the Request in
// full and decides that.
bool DecidePlainJson(const Engine& engine, std::string_view json, Decision* out);

// RequestFromJson without this fast path: the text read into the located
// tree and converted (for the test that holds the two together).
absl::StatusOr<Request> RequestFromJsonTree(std::string_view json, std::string_view source_name,
                                            std::vector<Issue>* issues, const JsonOptions& options);

}  // namespace writ::internal

#endif  // WRIT_SRC_JSON_PLAIN_REQUEST_H_
