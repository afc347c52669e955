// Extensions: Cedar's extension types and their functions — ipaddr, decimal,
// datetime, duration — and writ's own (spiffe), as one table the parser
// checks calls against and the evaluator calls through.
//
// Strict mode. writ's language extensions are not Cedar, and strict mode
// (ParseOptions::strict, JsonOptions::strict, the CLI's --strict) treats
// them as Cedar would: unknown. That is one switch, applied here:
//   - functions and methods of this table marked `writ_only` (the spiffe
//     type) are not found by FindExtFunction(name, /*strict=*/true), so the
//     parser reports them as unknown functions/methods and the JSON reader
//     as unknown `__extn` functions;
//   - `.matches(re)` (parsed into its own node, src/parse) is an unknown
//     method when IsWritOnlyMethod says so;
//   - lifecycle annotations (src/parse/lifecycle.cc) are plain annotations,
//     accepted and meaningless, as every annotation is in Cedar.
// A new extension marks its entries `writ_only` (or joins IsWritOnlyMethod)
// and is rejected in strict mode with no further change.
#ifndef WRIT_SRC_EXT_EXTENSIONS_H_
#define WRIT_SRC_EXT_EXTENSIONS_H_

#include <array>
#include <cstddef>
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
  bool writ_only;      // a writ extension, not Cedar: unknown in strict mode
  // The signature, read by the evaluator (argument checks before a call) and
  // the validator (src/validate/typecheck.cc): the kind of each argument, a
  // method's receiver first (entries past `arity` are unused), and the kind
  // of the result. A kFunction taking one string and returning an extension
  // kind is a constructor: the validator requires its argument be a literal.
  std::array<Value::Kind, 2> params;
  Value::Kind result;

  bool is_constructor() const { return style == Style::kFunction && arity == 1 && params[0] == Value::Kind::kString; }
};

// Every extension function Cedar 4.x defines, in a fixed order, then writ's.
absl::Span<const ExtFunction> AllExtFunctions();

// The function called `name`, or nullptr; in strict mode, writ's own
// functions are not found.
const ExtFunction* FindExtFunction(std::string_view name, bool strict = false);

// Methods writ parses itself (not through the table) that are extensions:
// `matches`. In strict mode they are unknown methods.
bool IsWritOnlyMethod(std::string_view name);

// Calls `fn` on `args` (arity already checked by the parser; the kinds of the
// arguments are checked here). An error status carries the evaluation error
// message (InvalidArgument), e.g. a malformed literal or a type mismatch.
absl::StatusOr<Value> CallExtFunction(const ExtFunction& fn, absl::Span<const Value> args);
// The same on the arguments where they are, copying none (the compiled
// engine's hot path).
using ExtArgs = absl::Span<const Value* const>;
absl::StatusOr<Value> CallExtFunction(const ExtFunction& fn, ExtArgs args);

// Checks a literal given as argument `index` of `fn` (a method's receiver is
// argument 0) when the policy is parsed. Only writ's functions check theirs
// (a malformed `spiffe("...")` literal, trust domain or path pattern); Cedar's
// check theirs when evaluated, as Cedar does. Arguments of other kinds pass:
// their type error is the evaluator's to report. The error's message is the
// reason, without the evaluation-error prefix.
absl::Status CheckLiteralArgument(const ExtFunction& fn, std::size_t index, const Value& literal);
// A note for a literal CheckLiteralArgument refused: what a valid one looks like.
std::string LiteralArgumentHint(const ExtFunction& fn);

// An extension value in Cedar syntax: ip("10.0.0.1/32"), decimal("1.2300"),
// datetime("..."), duration("..."), spiffe("spiffe://td/path"). Requires an
// extension kind.
std::string ExtValueToString(const Value& v);

// The constructor name of an extension kind ("ip", "decimal", "datetime",
// "duration", "spiffe") and the string argument that rebuilds the value; used for the
// {"__extn":{"fn":..,"arg":..}} JSON form. Requires an extension kind.
std::string_view ExtConstructorName(Value::Kind kind);
std::string ExtConstructorArg(const Value& v);

}  // namespace writ::internal

#endif  // WRIT_SRC_EXT_EXTENSIONS_H_
