// Extensions: Cedar's extension types and their functions — ipaddr, decimal,
// datetime, duration — as one table the parser checks calls against and the
// evaluator calls through.
#ifndef WRIT_SRC_EXT_EXTENSIONS_H_
#define WRIT_SRC_EXT_EXTENSIONS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "writ/value.h"

namespace writ::internal {

struct ExtFunction {
  enum class Style : std::uint8_t {
    kFunction,   // name(args...)
    kMethod,     // receiver.name(args...)
  };
  std::string_view name;
  Style style;
  int arity;           // number of arguments, a method's receiver included
  std::uint8_t index;  // position in AllExtFunctions()
};

// Every extension function Cedar 4.x defines, in a fixed order.
absl::Span<const ExtFunction> AllExtFunctions();

// The function called `name`, or nullptr.
const ExtFunction* FindExtFunction(std::string_view name);

// Calls `fn` on `args` (arity already checked by the parser; the kinds of the
// arguments are checked here). An error status carries the evaluation error
// message (InvalidArgument), e.g. a malformed literal or a type mismatch.
absl::StatusOr<Value> CallExtFunction(const ExtFunction& fn, absl::Span<const Value> args);

// An extension value in Cedar syntax: ip("10.0.0.1/32"), decimal("1.2300"),
// datetime("..."), duration("..."). Requires an extension kind.
std::string ExtValueToString(const Value& v);

// The constructor name of an extension kind ("ip", "decimal", "datetime",
// "duration") and the string argument that rebuilds the value; used for the
// {"__extn":{"fn":..,"arg":..}} JSON form. Requires an extension kind.
std::string_view ExtConstructorName(Value::Kind kind);
std::string ExtConstructorArg(const Value& v);

}  // namespace writ::internal

#endif  // WRIT_SRC_EXT_EXTENSIONS_H_
