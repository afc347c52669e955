// Extensions: the table of Cedar's extension functions, the dispatch from a
// call to its implementation with Cedar's argument checks and messages, and
// the printed forms of extension values.
#include "src/ext/extensions.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "src/base/strings.h"
#include "src/ext/ext_internal.h"

namespace writ::internal {
namespace {

using Style = ExtFunction::Style;
using K = Value::Kind;

enum Fn : std::uint8_t {
  kIp,
  kIsIpv4,
  kIsIpv6,
  kIsLoopback,
  kIsMulticast,
  kIsInRange,
  kDecimal,
  kLessThan,
  kLessThanOrEqual,
  kGreaterThan,
  kGreaterThanOrEqual,
  kDatetime,
  kDuration,
  kOffset,
  kDurationSince,
  kToDate,
  kToTime,
  kToMilliseconds,
  kToSeconds,
  kToMinutes,
  kToHours,
  kToDays,
  kFnCount,
};

// Cedar 4.x's ipaddr, decimal and datetime extensions, in Cedar's order.
// (`unknown`, of the partial-evaluation extension, is not a policy function.)
// INVARIANT: index == position == the Fn enumerator, so a call dispatches by index.
constexpr std::array<ExtFunction, kFnCount> kFunctions = {{
    {"ip", Style::kFunction, 1, kIp},
    {"isIpv4", Style::kMethod, 1, kIsIpv4},
    {"isIpv6", Style::kMethod, 1, kIsIpv6},
    {"isLoopback", Style::kMethod, 1, kIsLoopback},
    {"isMulticast", Style::kMethod, 1, kIsMulticast},
    {"isInRange", Style::kMethod, 2, kIsInRange},
    {"decimal", Style::kFunction, 1, kDecimal},
    {"lessThan", Style::kMethod, 2, kLessThan},
    {"lessThanOrEqual", Style::kMethod, 2, kLessThanOrEqual},
    {"greaterThan", Style::kMethod, 2, kGreaterThan},
    {"greaterThanOrEqual", Style::kMethod, 2, kGreaterThanOrEqual},
    {"datetime", Style::kFunction, 1, kDatetime},
    {"duration", Style::kFunction, 1, kDuration},
    {"offset", Style::kMethod, 2, kOffset},
    {"durationSince", Style::kMethod, 2, kDurationSince},
    {"toDate", Style::kMethod, 1, kToDate},
    {"toTime", Style::kMethod, 1, kToTime},
    {"toMilliseconds", Style::kMethod, 1, kToMilliseconds},
    {"toSeconds", Style::kMethod, 1, kToSeconds},
    {"toMinutes", Style::kMethod, 1, kToMinutes},
    {"toHours", Style::kMethod, 1, kToHours},
    {"toDays", Style::kMethod, 1, kToDays},
}};

// A value's type as Cedar names it in messages.
std::string TypeName(const Value& v) {
  if (v.is(K::kEntity)) return absl::StrCat("(entity of type `", v.as_entity().type, "`)");
  return std::string(Value::KindName(v.kind()));
}

// Cedar checks the arguments in order and reports the first mismatch.
absl::Status CheckKinds(absl::Span<const Value> args, std::initializer_list<K> kinds) {
  std::size_t i = 0;
  for (K k : kinds) {
    if (!args[i].is(k)) {
      return absl::InvalidArgumentError(
          absl::StrCat("type error: expected ", Av(Value::KindName(k)), ", got ", TypeName(args[i])));
    }
    ++i;
  }
  return absl::OkStatus();
}

// A constructor: one string argument, parsed by `parse`.
template <typename T>
absl::StatusOr<T> ParseArg(absl::Span<const Value> args, absl::StatusOr<T> (*parse)(std::string_view)) {
  if (absl::Status s = CheckKinds(args, {K::kString}); !s.ok()) return s;
  return parse(args[0].as_string());
}

}  // namespace

absl::Status ExtError(std::string_view extension, std::string_view msg) {
  return absl::InvalidArgumentError(
      absl::StrCat("error while evaluating `", Av(extension), "` extension function: ", Av(msg)));
}

absl::Span<const ExtFunction> AllExtFunctions() { return kFunctions; }

const ExtFunction* FindExtFunction(std::string_view name) {
  for (const ExtFunction& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

absl::StatusOr<Value> CallExtFunction(const ExtFunction& fn, absl::Span<const Value> args) {
  if (args.size() != static_cast<std::size_t>(fn.arity)) {
    return absl::InvalidArgumentError(absl::StrCat("wrong number of arguments provided to extension function `",
                                                   Av(fn.name), "`: expected ", fn.arity, ", got ",
                                                   args.size()));
  }
  absl::Status s;
  switch (static_cast<Fn>(fn.index)) {
    case kIp: {
      absl::StatusOr<IpAddr> v = ParseArg(args, ParseIpAddr);
      if (!v.ok()) return v.status();
      return Value::FromIp(*v);
    }
    case kIsIpv4:
    case kIsIpv6:
    case kIsLoopback:
    case kIsMulticast: {
      if (s = CheckKinds(args, {K::kIp}); !s.ok()) return s;
      const IpAddr& ip = args[0].as_ip();
      const bool r = fn.index == kIsIpv4 ? !ip.is_v6
                   : fn.index == kIsIpv6 ? ip.is_v6
                   : fn.index == kIsLoopback ? IpIsLoopback(ip)
                                             : IpIsMulticast(ip);
      return Value::Bool(r);
    }
    case kIsInRange:
      if (s = CheckKinds(args, {K::kIp, K::kIp}); !s.ok()) return s;
      return Value::Bool(IpIsInRange(args[0].as_ip(), args[1].as_ip()));
    case kDecimal: {
      absl::StatusOr<Decimal> v = ParseArg(args, ParseDecimal);
      if (!v.ok()) return v.status();
      return Value::FromDecimal(*v);
    }
    case kLessThan:
    case kLessThanOrEqual:
    case kGreaterThan:
    case kGreaterThanOrEqual: {
      if (s = CheckKinds(args, {K::kDecimal, K::kDecimal}); !s.ok()) return s;
      const Decimal a = args[0].as_decimal(), b = args[1].as_decimal();
      const bool r = fn.index == kLessThan ? a < b
                   : fn.index == kLessThanOrEqual ? a <= b
                   : fn.index == kGreaterThan ? a > b
                                              : a >= b;
      return Value::Bool(r);
    }
    case kDatetime: {
      absl::StatusOr<Datetime> v = ParseArg(args, ParseDatetime);
      if (!v.ok()) return v.status();
      return Value::FromDatetime(*v);
    }
    case kDuration: {
      absl::StatusOr<Duration> v = ParseArg(args, ParseDuration);
      if (!v.ok()) return v.status();
      return Value::FromDuration(*v);
    }
    case kOffset: {
      if (s = CheckKinds(args, {K::kDatetime, K::kDuration}); !s.ok()) return s;
      const Datetime t = args[0].as_datetime();
      const Duration d = args[1].as_duration();
      std::int64_t r = 0;
      if (__builtin_add_overflow(t.ms, d.ms, &r)) {
        return ExtError("offset", absl::StrCat("overflows when adding an offset: ", DatetimeAsOffsetExpr(t), "+(",
                                               FormatDuration(d), ")"));
      }
      return Value::FromDatetime({r});
    }
    case kDurationSince: {
      if (s = CheckKinds(args, {K::kDatetime, K::kDatetime}); !s.ok()) return s;
      const Datetime a = args[0].as_datetime(), b = args[1].as_datetime();
      std::int64_t r = 0;
      if (__builtin_sub_overflow(a.ms, b.ms, &r)) {
        return ExtError("durationSince", absl::StrCat("overflows when computing the duration between ",
                                                      DatetimeAsOffsetExpr(a), " and ", DatetimeAsOffsetExpr(b)));
      }
      return Value::FromDuration({r});
    }
    case kToDate: {
      if (s = CheckKinds(args, {K::kDatetime}); !s.ok()) return s;
      const std::optional<Datetime> d = DatetimeToDate(args[0].as_datetime());
      if (!d) {
        return ExtError("toDate", absl::StrCat("overflows when computing the date of ",
                                               DatetimeAsOffsetExpr(args[0].as_datetime())));
      }
      return Value::FromDatetime(*d);
    }
    case kToTime:
      if (s = CheckKinds(args, {K::kDatetime}); !s.ok()) return s;
      return Value::FromDuration(DatetimeToTime(args[0].as_datetime()));
    case kToMilliseconds:
    case kToSeconds:
    case kToMinutes:
    case kToHours:
    case kToDays: {
      if (s = CheckKinds(args, {K::kDuration}); !s.ok()) return s;
      // Truncating division (toward zero), as Cedar's successive divisions.
      static constexpr std::int64_t kUnitMs[] = {1, 1'000, 60'000, 3'600'000, 86'400'000};
      return Value::Long(args[0].as_duration().ms / kUnitMs[fn.index - kToMilliseconds]);
    }
    case kFnCount:
      break;
  }
  return absl::InternalError(absl::StrCat("extension function `", Av(fn.name), "` has no implementation"));
}

std::string_view ExtConstructorName(Value::Kind kind) {
  switch (kind) {
    case K::kIp: return "ip";
    case K::kDecimal: return "decimal";
    case K::kDatetime: return "datetime";
    case K::kDuration: return "duration";
    default: return "";
  }
}

std::string ExtConstructorArg(const Value& v) {
  switch (v.kind()) {
    case K::kIp: return FormatIpAddr(v.as_ip());
    case K::kDecimal: return FormatDecimal(v.as_decimal());
    case K::kDatetime:
      // Outside years 0000-9999 no datetime string exists; Cedar writes such
      // a value as an `offset` call. This text is refused by ParseDatetime,
      // so a reader fails loudly rather than reading a different instant.
      return FormatDatetime(v.as_datetime()).value_or(DatetimeAsOffsetExpr(v.as_datetime()));
    case K::kDuration: return FormatDuration(v.as_duration());
    default: return "";
  }
}

std::string ExtValueToString(const Value& v) {
  if (v.is(K::kDatetime) && !FormatDatetime(v.as_datetime())) return DatetimeAsOffsetExpr(v.as_datetime());
  return absl::StrCat(Av(ExtConstructorName(v.kind())), "(", QuoteCedarString(ExtConstructorArg(v)), ")");
}

}  // namespace writ::internal
