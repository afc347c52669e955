// Extensions: the table of Cedar's extension functions and writ's, the
// dispatch from a call to its implementation with Cedar's argument checks and
// messages, and the printed forms of extension values.
#include "src/ext/extensions.h"

#include <array>

#include "absl/container/inlined_vector.h"
#include "absl/strings/match.h"
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
  kSpiffe,
  kTrustDomain,
  kPath,
  kIsInTrustDomain,
  kPathMatches,
  kFnCount,
};

// Cedar 4.x's ipaddr, decimal and datetime extensions, in Cedar's order;
// then writ's spiffe type (writ_only).
// (`unknown`, of the partial-evaluation extension, is not a policy function.)
// INVARIANT: index == position == the Fn enumerator, so a call dispatches by index.
constexpr bool kCedar = false, kWrit = true;
constexpr std::array<ExtFunction, kFnCount> kFunctions = {{
    {"ip", Style::kFunction, 1, kIp, kCedar},
    {"isIpv4", Style::kMethod, 1, kIsIpv4, kCedar},
    {"isIpv6", Style::kMethod, 1, kIsIpv6, kCedar},
    {"isLoopback", Style::kMethod, 1, kIsLoopback, kCedar},
    {"isMulticast", Style::kMethod, 1, kIsMulticast, kCedar},
    {"isInRange", Style::kMethod, 2, kIsInRange, kCedar},
    {"decimal", Style::kFunction, 1, kDecimal, kCedar},
    {"lessThan", Style::kMethod, 2, kLessThan, kCedar},
    {"lessThanOrEqual", Style::kMethod, 2, kLessThanOrEqual, kCedar},
    {"greaterThan", Style::kMethod, 2, kGreaterThan, kCedar},
    {"greaterThanOrEqual", Style::kMethod, 2, kGreaterThanOrEqual, kCedar},
    {"datetime", Style::kFunction, 1, kDatetime, kCedar},
    {"duration", Style::kFunction, 1, kDuration, kCedar},
    {"offset", Style::kMethod, 2, kOffset, kCedar},
    {"durationSince", Style::kMethod, 2, kDurationSince, kCedar},
    {"toDate", Style::kMethod, 1, kToDate, kCedar},
    {"toTime", Style::kMethod, 1, kToTime, kCedar},
    {"toMilliseconds", Style::kMethod, 1, kToMilliseconds, kCedar},
    {"toSeconds", Style::kMethod, 1, kToSeconds, kCedar},
    {"toMinutes", Style::kMethod, 1, kToMinutes, kCedar},
    {"toHours", Style::kMethod, 1, kToHours, kCedar},
    {"toDays", Style::kMethod, 1, kToDays, kCedar},
    {"spiffe", Style::kFunction, 1, kSpiffe, kWrit},
    {"trustDomain", Style::kMethod, 1, kTrustDomain, kWrit},
    {"path", Style::kMethod, 1, kPath, kWrit},
    {"isInTrustDomain", Style::kMethod, 2, kIsInTrustDomain, kWrit},
    {"pathMatches", Style::kMethod, 2, kPathMatches, kWrit},
}};

// A value's type as Cedar names it in messages.
std::string TypeName(const Value& v) {
  if (v.is(K::kEntity)) return absl::StrCat("(entity of type `", v.as_entity().type, "`)");
  return std::string(Value::KindName(v.kind()));
}

// Cedar checks the arguments in order and reports the first mismatch.
absl::Status CheckKinds(ExtArgs args, std::initializer_list<K> kinds) {
  std::size_t i = 0;
  for (K k : kinds) {
    if (!args[i]->is(k)) {
      return absl::InvalidArgumentError(
          absl::StrCat("type error: expected ", Av(Value::KindName(k)), ", got ", TypeName(*args[i])));
    }
    ++i;
  }
  return absl::OkStatus();
}

// A constructor: one string argument, parsed by `parse`.
template <typename T>
absl::StatusOr<T> ParseArg(ExtArgs args, absl::StatusOr<T> (*parse)(std::string_view)) {
  if (absl::Status s = CheckKinds(args, {K::kString}); !s.ok()) return s;
  return parse(args[0]->as_string());
}

}  // namespace

absl::Status ExtError(std::string_view extension, std::string_view msg) {
  return absl::InvalidArgumentError(
      absl::StrCat("error while evaluating `", Av(extension), "` extension function: ", Av(msg)));
}

absl::Span<const ExtFunction> AllExtFunctions() { return kFunctions; }

const ExtFunction* FindExtFunction(std::string_view name, bool strict) {
  for (const ExtFunction& f : kFunctions) {
    if (f.name == name) return strict && f.writ_only ? nullptr : &f;
  }
  return nullptr;
}

bool IsWritOnlyMethod(std::string_view name) { return name == "matches"; }

absl::StatusOr<Value> CallExtFunction(const ExtFunction& fn, absl::Span<const Value> args) {
  absl::InlinedVector<const Value*, 4> pointers;
  for (const Value& v : args) pointers.push_back(&v);
  return CallExtFunction(fn, ExtArgs(pointers));
}

absl::StatusOr<Value> CallExtFunction(const ExtFunction& fn, ExtArgs args) {
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
      const IpAddr& ip = args[0]->as_ip();
      const bool r = fn.index == kIsIpv4 ? !ip.is_v6
                   : fn.index == kIsIpv6 ? ip.is_v6
                   : fn.index == kIsLoopback ? IpIsLoopback(ip)
                                             : IpIsMulticast(ip);
      return Value::Bool(r);
    }
    case kIsInRange:
      if (s = CheckKinds(args, {K::kIp, K::kIp}); !s.ok()) return s;
      return Value::Bool(IpIsInRange(args[0]->as_ip(), args[1]->as_ip()));
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
      const Decimal a = args[0]->as_decimal(), b = args[1]->as_decimal();
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
      const Datetime t = args[0]->as_datetime();
      const Duration d = args[1]->as_duration();
      std::int64_t r = 0;
      if (__builtin_add_overflow(t.ms, d.ms, &r)) {
        return ExtError("offset", absl::StrCat("overflows when adding an offset: ", DatetimeAsOffsetExpr(t), "+(",
                                               FormatDuration(d), ")"));
      }
      return Value::FromDatetime({r});
    }
    case kDurationSince: {
      if (s = CheckKinds(args, {K::kDatetime, K::kDatetime}); !s.ok()) return s;
      const Datetime a = args[0]->as_datetime(), b = args[1]->as_datetime();
      std::int64_t r = 0;
      if (__builtin_sub_overflow(a.ms, b.ms, &r)) {
        return ExtError("durationSince", absl::StrCat("overflows when computing the duration between ",
                                                      DatetimeAsOffsetExpr(a), " and ", DatetimeAsOffsetExpr(b)));
      }
      return Value::FromDuration({r});
    }
    case kToDate: {
      if (s = CheckKinds(args, {K::kDatetime}); !s.ok()) return s;
      const std::optional<Datetime> d = DatetimeToDate(args[0]->as_datetime());
      if (!d) {
        return ExtError("toDate", absl::StrCat("overflows when computing the date of ",
                                               DatetimeAsOffsetExpr(args[0]->as_datetime())));
      }
      return Value::FromDatetime(*d);
    }
    case kToTime:
      if (s = CheckKinds(args, {K::kDatetime}); !s.ok()) return s;
      return Value::FromDuration(DatetimeToTime(args[0]->as_datetime()));
    case kToMilliseconds:
    case kToSeconds:
    case kToMinutes:
    case kToHours:
    case kToDays: {
      if (s = CheckKinds(args, {K::kDuration}); !s.ok()) return s;
      // Truncating division (toward zero), as Cedar's successive divisions.
      static constexpr std::int64_t kUnitMs[] = {1, 1'000, 60'000, 3'600'000, 86'400'000};
      return Value::Long(args[0]->as_duration().ms / kUnitMs[fn.index - kToMilliseconds]);
    }
    case kSpiffe: {
      if (s = CheckKinds(args, {K::kString}); !s.ok()) return s;
      absl::StatusOr<SpiffeId> id = ParseSpiffeId(args[0]->as_string());
      if (!id.ok()) return ExtError(fn.name, std::string(id.status().message()));
      return Value::FromSpiffe(*std::move(id));
    }
    case kTrustDomain:
      if (s = CheckKinds(args, {K::kSpiffe}); !s.ok()) return s;
      return Value::String(args[0]->as_spiffe().trust_domain);
    case kPath:
      if (s = CheckKinds(args, {K::kSpiffe}); !s.ok()) return s;
      return Value::String(args[0]->as_spiffe().path);
    case kIsInTrustDomain: {
      if (s = CheckKinds(args, {K::kSpiffe, K::kString}); !s.ok()) return s;
      const std::string& td = args[1]->as_string();
      if (s = CheckTrustDomain(td); !s.ok()) return ExtError(fn.name, std::string(s.message()));
      // The id's trust domain is lowercase already.
      return Value::Bool(absl::EqualsIgnoreCase(Av(args[0]->as_spiffe().trust_domain), Av(td)));
    }
    case kPathMatches: {
      if (s = CheckKinds(args, {K::kSpiffe, K::kString}); !s.ok()) return s;
      const std::string& pattern = args[1]->as_string();
      if (s = CheckSpiffePathPattern(pattern); !s.ok()) return ExtError(fn.name, std::string(s.message()));
      return Value::Bool(SpiffePathMatches(pattern, args[0]->as_spiffe().path));
    }
    case kFnCount:
      break;
  }
  return absl::InternalError(absl::StrCat("extension function `", Av(fn.name), "` has no implementation"));
}

absl::Status CheckLiteralArgument(const ExtFunction& fn, std::size_t index, const Value& literal) {
  if (!literal.is(K::kString)) return absl::OkStatus();
  const std::string& text = literal.as_string();
  switch (static_cast<Fn>(fn.index)) {
    case kSpiffe:
      if (index == 0) return ParseSpiffeId(text).status();
      break;
    case kIsInTrustDomain:
      if (index == 1) return CheckTrustDomain(text);
      break;
    case kPathMatches:
      if (index == 1) return CheckSpiffePathPattern(text);
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

std::string LiteralArgumentHint(const ExtFunction& fn) {
  switch (static_cast<Fn>(fn.index)) {
    case kSpiffe: return "a SPIFFE ID is written spiffe://trust.domain/path/segments";
    case kIsInTrustDomain: return "a trust domain is a name such as \"prod.acme.io\"";
    case kPathMatches:
      return "a path pattern is segments after `/`, each literal, `*` (one segment) or `**` (any number), "
             "e.g. \"/ns/*/sa/**\"";
    default: return "";
  }
}

std::string_view ExtConstructorName(Value::Kind kind) {
  switch (kind) {
    case K::kIp: return "ip";
    case K::kDecimal: return "decimal";
    case K::kDatetime: return "datetime";
    case K::kDuration: return "duration";
    case K::kSpiffe: return "spiffe";
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
    case K::kSpiffe: return v.as_spiffe().ToString();
    default: return "";
  }
}

std::string ExtValueToString(const Value& v) {
  if (v.is(K::kDatetime) && !FormatDatetime(v.as_datetime())) return DatetimeAsOffsetExpr(v.as_datetime());
  return absl::StrCat(Av(ExtConstructorName(v.kind())), "(", QuoteCedarString(ExtConstructorArg(v)), ")");
}

}  // namespace writ::internal
