// Extensions: the table of Cedar's extension functions, the dispatch from a
// call to its implementation, and printing of extension values.
#include "src/ext/extensions.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "src/base/strings.h"
#include "src/ext/ext_internal.h"

namespace writ::internal {
namespace {

using Style = ExtFunction::Style;

// INVARIANT: index == position, so that a call can be dispatched by index.
constexpr std::array<ExtFunction, 22> kFunctions = {{
    {"ip", Style::kFunction, 1, 0},
    {"isIpv4", Style::kMethod, 1, 1},
    {"isIpv6", Style::kMethod, 1, 2},
    {"isLoopback", Style::kMethod, 1, 3},
    {"isMulticast", Style::kMethod, 1, 4},
    {"isInRange", Style::kMethod, 2, 5},
    {"decimal", Style::kFunction, 1, 6},
    {"lessThan", Style::kMethod, 2, 7},
    {"lessThanOrEqual", Style::kMethod, 2, 8},
    {"greaterThan", Style::kMethod, 2, 9},
    {"greaterThanOrEqual", Style::kMethod, 2, 10},
    {"datetime", Style::kFunction, 1, 11},
    {"duration", Style::kFunction, 1, 12},
    {"offset", Style::kMethod, 2, 13},
    {"durationSince", Style::kMethod, 2, 14},
    {"toDate", Style::kMethod, 1, 15},
    {"toTime", Style::kMethod, 1, 16},
    {"toDays", Style::kMethod, 1, 17},
    {"toHours", Style::kMethod, 1, 18},
    {"toMinutes", Style::kMethod, 1, 19},
    {"toSeconds", Style::kMethod, 1, 20},
    {"toMilliseconds", Style::kMethod, 1, 21},
}};

absl::Status ArgType(const ExtFunction& fn, Value::Kind want, const Value& got) {
  return absl::InvalidArgumentError(absl::StrCat("type error: `", Av(fn.name), "` expected ",
                                                 Av(Value::KindName(want)), ", got ",
                                                 Av(Value::KindName(got.kind()))));
}

absl::Status Check(const ExtFunction& fn, absl::Span<const Value> args,
                   std::initializer_list<Value::Kind> kinds) {
  std::size_t i = 0;
  for (Value::Kind k : kinds) {
    if (!args[i].is(k)) return ArgType(fn, k, args[i]);
    ++i;
  }
  return absl::OkStatus();
}

absl::Status Overflow(const ExtFunction& fn) {
  return absl::InvalidArgumentError(absl::StrCat("overflow while evaluating `", Av(fn.name), "`"));
}

}  // namespace

absl::Span<const ExtFunction> AllExtFunctions() { return kFunctions; }

const ExtFunction* FindExtFunction(std::string_view name) {
  for (const ExtFunction& f : AllExtFunctions()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

absl::StatusOr<Value> CallExtFunction(const ExtFunction& fn, absl::Span<const Value> args) {
  using K = Value::Kind;
  if (args.size() != static_cast<std::size_t>(fn.arity)) {
    return absl::InvalidArgumentError(absl::StrCat("`", Av(fn.name), "` takes ", fn.arity, " arguments"));
  }
  absl::Status s;
  switch (fn.index) {
    case 0:
      if (s = Check(fn, args, {K::kString}); !s.ok()) return s;
      if (auto ip = ParseIpAddr(args[0].as_string()); ip.ok()) return Value::FromIp(*ip);
      else return ip.status();
    case 1: case 2: case 3: case 4: {
      if (s = Check(fn, args, {K::kIp}); !s.ok()) return s;
      const IpAddr& ip = args[0].as_ip();
      const bool r = fn.index == 1 ? !ip.is_v6 : fn.index == 2 ? ip.is_v6
                   : fn.index == 3 ? IpIsLoopback(ip) : IpIsMulticast(ip);
      return Value::Bool(r);
    }
    case 5:
      if (s = Check(fn, args, {K::kIp, K::kIp}); !s.ok()) return s;
      return Value::Bool(IpIsInRange(args[0].as_ip(), args[1].as_ip()));
    case 6:
      if (s = Check(fn, args, {K::kString}); !s.ok()) return s;
      if (auto d = ParseDecimal(args[0].as_string()); d.ok()) return Value::FromDecimal(*d);
      else return d.status();
    case 7: case 8: case 9: case 10: {
      if (s = Check(fn, args, {K::kDecimal, K::kDecimal}); !s.ok()) return s;
      const std::int64_t a = args[0].as_decimal().scaled, b = args[1].as_decimal().scaled;
      const bool r = fn.index == 7 ? a < b : fn.index == 8 ? a <= b : fn.index == 9 ? a > b : a >= b;
      return Value::Bool(r);
    }
    case 11:
      if (s = Check(fn, args, {K::kString}); !s.ok()) return s;
      if (auto t = ParseDatetime(args[0].as_string()); t.ok()) return Value::FromDatetime(*t);
      else return t.status();
    case 12:
      if (s = Check(fn, args, {K::kString}); !s.ok()) return s;
      if (auto d = ParseDuration(args[0].as_string()); d.ok()) return Value::FromDuration(*d);
      else return d.status();
    case 13: {
      if (s = Check(fn, args, {K::kDatetime, K::kDuration}); !s.ok()) return s;
      std::int64_t r = 0;
      if (__builtin_add_overflow(args[0].as_datetime().ms, args[1].as_duration().ms, &r)) return Overflow(fn);
      return Value::FromDatetime({r});
    }
    case 14: {
      if (s = Check(fn, args, {K::kDatetime, K::kDatetime}); !s.ok()) return s;
      std::int64_t r = 0;
      if (__builtin_sub_overflow(args[0].as_datetime().ms, args[1].as_datetime().ms, &r)) return Overflow(fn);
      return Value::FromDuration({r});
    }
    case 15: {
      if (s = Check(fn, args, {K::kDatetime}); !s.ok()) return s;
      std::optional<Datetime> d = DatetimeToDate(args[0].as_datetime());
      if (!d) return Overflow(fn);
      return Value::FromDatetime(*d);
    }
    case 16:
      if (s = Check(fn, args, {K::kDatetime}); !s.ok()) return s;
      return Value::FromDuration(DatetimeToTime(args[0].as_datetime()));
    case 17: case 18: case 19: case 20: case 21: {
      if (s = Check(fn, args, {K::kDuration}); !s.ok()) return s;
      static constexpr std::int64_t kPer[] = {86'400'000, 3'600'000, 60'000, 1'000, 1};
      return Value::Long(args[0].as_duration().ms / kPer[fn.index - 17]);
    }
  }
  return absl::InternalError(absl::StrCat("extension function `", Av(fn.name), "` has no implementation"));
}

std::string_view ExtConstructorName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kIp: return "ip";
    case Value::Kind::kDecimal: return "decimal";
    case Value::Kind::kDatetime: return "datetime";
    case Value::Kind::kDuration: return "duration";
    default: return "";
  }
}

std::string ExtConstructorArg(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kIp: return FormatIpAddr(v.as_ip());
    case Value::Kind::kDecimal: return FormatDecimal(v.as_decimal());
    case Value::Kind::kDatetime:
      return FormatDatetime(v.as_datetime()).value_or(absl::StrCat(v.as_datetime().ms, "ms since 1970"));
    case Value::Kind::kDuration: return FormatDuration(v.as_duration());
    default: return "";
  }
}

std::string ExtValueToString(const Value& v) {
  if (v.is(Value::Kind::kDatetime) && !FormatDatetime(v.as_datetime())) {
    // Outside years 0000-9999 Cedar's own form: an offset from the epoch.
    return absl::StrCat("datetime(\"1970-01-01\").offset(duration(\"", v.as_datetime().ms, "ms\"))");
  }
  return absl::StrCat(Av(ExtConstructorName(v.kind())), "(", QuoteCedarString(ExtConstructorArg(v)), ")");
}

}  // namespace writ::internal
