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
    {"ip", Style::kFunction, 1, kIp, kCedar, {K::kString, K::kString}, K::kIp},
    {"isIpv4", Style::kMethod, 1, kIsIpv4, kCedar, {K::kIp, K::kIp}, K::kBool},
    {"isIpv6", Style::kMethod, 1, kIsIpv6, kCedar, {K::kIp, K::kIp}, K::kBool},
    {"isLoopback", Style::kMethod, 1, kIsLoopback, kCedar, {K::kIp, K::kIp}, K::kBool},
    {"isMulticast", Style::kMethod, 1, kIsMulticast, kCedar, {K::kIp, K::kIp}, K::kBool},
    {"isInRange", Style::kMethod, 2, kIsInRange, kCedar, {K::kIp, K::kIp}, K::kBool},
    {"decimal", Style::kFunction, 1, kDecimal, kCedar, {K::kString, K::kString}, K::kDecimal},
    {"lessThan", Style::kMethod, 2, kLessThan, kCedar, {K::kDecimal, K::kDecimal}, K::kBool},
    {"lessThanOrEqual", Style::kMethod, 2, kLessThanOrEqual, kCedar, {K::kDecimal, K::kDecimal}, K::kBool},
    {"greaterThan", Style::kMethod, 2, kGreaterThan, kCedar, {K::kDecimal, K::kDecimal}, K::kBool},
    {"greaterThanOrEqual", Style::kMethod, 2, kGreaterThanOrEqual, kCedar, {K::kDecimal, K::kDecimal}, K::kBool},
    {"datetime", Style::kFunction, 1, kDatetime, kCedar, {K::kString, K::kString}, K::kDatetime},
    {"duration", Style::kFunction, 1, kDuration, kCedar, {K::kString, K::kString}, K::kDuration},
    {"offset", Style::kMethod, 2, kOffset, kCedar, {K::kDatetime, K::kDuration}, K::kDatetime},
    {"durationSince", Style::kMethod, 2, kDurationSince, kCedar, {K::kDatetime, K::kDatetime}, K::kDuration},
    {"toDate", Style::kMethod, 1, kToDate, kCedar, {K::kDatetime, K::kDatetime}, K::kDatetime},
    {"toTime", Style::kMethod, 1, kToTime, kCedar, {K::kDatetime, K::kDatetime}, K::kDuration},
    {"toMilliseconds", Style::kMethod, 1, kToMilliseconds, kCedar, {K::kDuration, K::kDuration}, K::kLong},
    {"toSeconds", Style::kMethod, 1, kToSeconds, kCedar, {K::kDuration, K::kDuration}, K::kLong},
    {"toMinutes", Style::kMethod, 1, kToMinutes, kCedar, {K::kDuration, K::kDuration}, K::kLong},
    {"toHours", Style::kMethod, 1, kToHours, kCedar, {K::kDuration, K::kDuration}, K::kLong},
    {"toDays", Style::kMethod, 1, kToDays, kCedar, {K::kDuration, K::kDuration}, K::kLong},
    {"spiffe", Style::kFunction, 1, kSpiffe, kWrit, {K::kString, K::kString}, K::kSpiffe},
    {"trustDomain", Style::kMethod, 1, kTrustDomain, kWrit, {K::kSpiffe, K::kSpiffe}, K::kString},
    {"path", Style::kMethod, 1, kPath, kWrit, {K::kSpiffe, K::kSpiffe}, K::kString},
    {"isInTrustDomain", Style::kMethod, 2, kIsInTrustDomain, kWrit, {K::kSpiffe, K::kString}, K::kBool},
    {"pathMatches", Style::kMethod, 2, kPathMatches, kWrit, {K::kSpiffe, K::kString}, K::kBool},
}};

// A value's type as Cedar names it in messages.
std::string TypeName(const Value& v) {
  if (v.is(K::kEntity)) return absl::StrCat("(entity of type `", v.as_entity().type, "`)");
  return std::string(Value::KindName(v.kind()));
}

// The signature's kinds, checked in order as Cedar does: the first mismatch
// is reported.
absl::Status CheckKinds(const ExtFunction& fn, ExtArgs args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!args[i]->is(fn.params[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("type error: expected ", Av(Value::KindName(fn.params[i])), ", got ", TypeName(*args[i])));
    }
  }
  return absl::OkStatus();
}

// A constructor: one string argument (kinds already checked), parsed by `parse`.
template <typename T>
absl::StatusOr<T> ParseArg(ExtArgs args, absl::StatusOr<T> (*parse)(std::string_view)) {
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
  absl::Status s = CheckKinds(fn, args);
  if (!s.ok()) return s;
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
      const IpAddr& ip = args[0]->as_ip();
      const bool r = fn.index == kIsIpv4 ? !ip.is_v6
                   : fn.index == kIsIpv6 ? ip.is_v6
                   : fn.index == kIsLoopback ? IpIsLoopback(ip)
                                             : IpIsMulticast(ip);
      return Value::Bool(r);
    }
    case kIsInRange:
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
      const Datetime a = args[0]->as_datetime(), b = args[1]->as_datetime();
      std::int64_t r = 0;
      if (__builtin_sub_overflow(a.ms, b.ms, &r)) {
        return ExtError("durationSince", absl::StrCat("overflows when computing the duration between ",
                                                      DatetimeAsOffsetExpr(a), " and ", DatetimeAsOffsetExpr(b)));
      }
      return Value::FromDuration({r});
    }
    case kToDate: {
      const std::optional<Datetime> d = DatetimeToDate(args[0]->as_datetime());
      if (!d) {
        return ExtError("toDate", absl::StrCat("overflows when computing the date of ",
                                               DatetimeAsOffsetExpr(args[0]->as_datetime())));
      }
      return Value::FromDatetime(*d);
    }
    case kToTime:
      return Value::FromDuration(DatetimeToTime(args[0]->as_datetime()));
    case kToMilliseconds:
    case kToSeconds:
    case kToMinutes:
    case kToHours:
    case kToDays: {
      // Truncating division (toward zero), as Cedar's successive divisions.
      static constexpr std::int64_t kUnitMs[] = {1, 1'000, 60'000, 3'600'000, 86'400'000};
      return Value::Long(args[0]->as_duration().ms / kUnitMs[fn.index - kToMilliseconds]);
    }
    case kSpiffe: {
      absl::StatusOr<SpiffeId> id = ParseSpiffeId(args[0]->as_string());
      if (!id.ok()) return ExtError(fn.name, std::string(id.status().message()));
      return Value::FromSpiffe(*std::move(id));
    }
    case kTrustDomain:
      return Value::String(args[0]->as_spiffe().trust_domain);
    case kPath:
      return Value::String(args[0]->as_spiffe().path);
    case kIsInTrustDomain: {
      const std::string& td = args[1]->as_string();
      if (s = CheckTrustDomain(td); !s.ok()) return ExtError(fn.name, std::string(s.message()));
      // The id's trust domain is lowercase already.
      return Value::Bool(absl::EqualsIgnoreCase(Av(args[0]->as_spiffe().trust_domain), Av(td)));
    }
    case kPathMatches: {
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
