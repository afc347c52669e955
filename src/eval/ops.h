// Eval: the operations both evaluators share — the reference interpreter
// (evaluator.cc) and the compiled engine (src/compile) — so that the two
// compute the same results and report errors in the same words.
#ifndef WRIT_SRC_EVAL_OPS_H_
#define WRIT_SRC_EVAL_OPS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/ast/ast.h"
#include "writ/value.h"

namespace writ::internal {

// "type error: expected <expected>, got <kind of got>".
absl::Status TypeError(std::string_view expected, const Value& got);
absl::Status TypeError(std::string_view expected, Value::Kind got);
inline absl::Status ExpectKind(const Value& v, Value::Kind kind) {
  return v.kind() == kind ? absl::OkStatus() : TypeError(Value::KindName(kind), v);
}

// Cedar's `like`: `*` matches any sequence of characters.
bool WildcardMatch(const std::vector<PatternElem>& pattern, std::string_view text);

// `+`, `-`, `*` on longs; overflow is an error.
absl::StatusOr<std::int64_t> Arith(BinaryOp op, std::int64_t a, std::int64_t b);

// Cedar's `<` (or `<=`) on two longs, two datetimes or two durations.
absl::StatusOr<bool> Less(const Value& a, const Value& b, bool or_equal);
// The error Less reports for operands of these kinds, when they are not both
// longs, both datetimes or both durations.
absl::Status LessTypeError(Value::Kind a, Value::Kind b);

// Lookup failures.
absl::Status EntityMissing(const EntityUid& uid);
// The attribute `attr` is not among `attrs` (the message suggests the
// nearest one, if one is close).
absl::Status EntityAttrMissing(const EntityUid& uid, std::string_view attr, const Value::Record& attrs);
absl::Status RecordAttrMissing(std::string_view attr, const Value::Record& record);
absl::Status TagMissing(const EntityUid& uid, std::string_view tag);
absl::Status UnlinkedSlot();

}  // namespace writ::internal

#endif  // WRIT_SRC_EVAL_OPS_H_
