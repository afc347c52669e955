// JSON: the fast path of RequestFromJson — a request in its plain form read
// straight from the text into a Request, without the located tree.
#ifndef WRIT_SRC_JSON_PLAIN_REQUEST_H_
#define WRIT_SRC_JSON_PLAIN_REQUEST_H_

#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "writ/issue.h"
#include "writ/json.h"
#include "writ/request.h"

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

// RequestFromJson without this fast path: the text read into the located
// tree and converted (for the test that holds the two together).
absl::StatusOr<Request> RequestFromJsonTree(std::string_view json, std::string_view source_name,
                                            std::vector<Issue>* issues, const JsonOptions& options);

}  // namespace writ::internal

#endif  // WRIT_SRC_JSON_PLAIN_REQUEST_H_
