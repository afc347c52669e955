// Extensions: Cedar's datetime (milliseconds since the Unix epoch, UTC) and
// duration (milliseconds), parsed by Cedar's exact patterns.
#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "src/base/strings.h"
#include "src/ext/ext_internal.h"

namespace writ::internal {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

absl::Status DatetimeError(std::string_view s, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "error while evaluating `datetime` extension function: `", Av(s), "` is not a datetime: ", Av(why)));
}

// `n` ASCII digits at `s[at]`, as a number; -1 when they are not there.
int Digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

// YYYY-MM-DD, then optionally Thh:mm:ss followed by Z, .SSSZ, (+|-)hhmm or
// .SSS(+|-)hhmm.
absl::StatusOr<Datetime> ParseDatetime(std::string_view s) {
  const int year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
  if (year < 0 || month < 0 || day < 0 || s[4] != '-' || s[7] != '-') {
    return DatetimeError(s, "a datetime starts with YYYY-MM-DD");
  }
  const absl::CivilDay date(year, month, day);
  if (date.year() != year || date.month() != month || date.day() != day) {
    return DatetimeError(s, "no such date");
  }
  std::int64_t ms = (date - absl::CivilDay(1970, 1, 1)) * kDayMs;
  if (s.size() == 10) return Datetime{ms};
  const int h = Digits(s, 11, 2), m = Digits(s, 14, 2), sec = Digits(s, 17, 2);
  if (s[10] != 'T' || h < 0 || m < 0 || sec < 0 || s.size() < 19 || s[13] != ':' || s[16] != ':') {
    return DatetimeError(s, "expected Thh:mm:ss after the date");
  }
  std::string_view rest = s.substr(19);
  int millis = 0;
  if (!rest.empty() && rest[0] == '.') {
    millis = Digits(rest, 1, 3);
    if (millis < 0) return DatetimeError(s, "expected Z, .SSSZ, (+|-)hhmm or .SSS(+|-)hhmm after the time");
    rest.remove_prefix(4);
  }
  std::int64_t offset_ms = 0;
  if (rest == "Z") {
    // UTC
  } else if (rest.size() == 5 && (rest[0] == '+' || rest[0] == '-') && Digits(rest, 1, 4) >= 0) {
    const int oh = Digits(rest, 1, 2), om = Digits(rest, 3, 2);
    if (oh >= 24 || om >= 60) return DatetimeError(s, "the offset must be below 24 hours and 60 minutes");
    offset_ms = (oh * 3600 + om * 60) * std::int64_t{1000} * (rest[0] == '+' ? 1 : -1);
  } else {
    return DatetimeError(s, "expected Z, .SSSZ, (+|-)hhmm or .SSS(+|-)hhmm after the time");
  }
  if (h >= 24 || m >= 60 || sec >= 60) return DatetimeError(s, "no such time of day");
  ms += ((h * 60 + m) * 60 + sec) * std::int64_t{1000} + millis - offset_ms;
  return Datetime{ms};
}

// -?(Nd)?(Nh)?(Nm)?(Ns)?(Nms)?, at least one part, units in that order.
absl::StatusOr<Duration> ParseDuration(std::string_view s) {
  auto error = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "error while evaluating `duration` extension function: `", Av(s), "` is not a duration: ", Av(why)));
  };
  std::string_view rest = s;
  const bool negative = !rest.empty() && rest[0] == '-';
  if (negative) rest.remove_prefix(1);
  if (rest.empty()) return error("expected parts like 1d2h3m4s5ms");
  static constexpr struct {
    std::string_view unit;
    std::int64_t ms;
  } kUnits[] = {{"d", kDayMs}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}};
  __int128 total = 0;
  std::size_t next_unit = 0;
  while (!rest.empty()) {
    std::size_t n = 0;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 0) return error("expected parts like 1d2h3m4s5ms");
    std::string_view number = rest.substr(0, n);
    rest.remove_prefix(n);
    // The unit: "ms" before "m", and each unit at most once, in order.
    std::size_t u = next_unit;
    while (u < std::size(kUnits) &&
           !(rest.starts_with(kUnits[u].unit) && !(kUnits[u].unit == "m" && rest.starts_with("ms")))) {
      ++u;
    }
    if (u == std::size(kUnits)) return error("expected the units d, h, m, s, ms, in that order, each once");
    rest.remove_prefix(kUnits[u].unit.size());
    next_unit = u + 1;
    // As Cedar: each part's magnitude fits i64 (the ms part of a negative
    // duration may be 2^63), and so does every running total.
    std::uint64_t v = 0;
    const __int128 limit = (negative && kUnits[u].ms == 1) ? (__int128{1} << 63) : INT64_MAX;
    if (!absl::SimpleAtoi(Av(number), &v) || __int128{v} * kUnits[u].ms > limit) return error("overflow");
    total += (negative ? -1 : 1) * __int128{v} * kUnits[u].ms;
    if (total > INT64_MAX || total < INT64_MIN) return error("overflow");
  }
  return Duration{static_cast<std::int64_t>(total)};
}

std::optional<std::string> FormatDatetime(Datetime t) {
  const std::int64_t day = t.ms >= 0 ? t.ms / kDayMs : -((-(t.ms + 1)) / kDayMs) - 1;
  const std::int64_t in_day = t.ms - day * kDayMs;
  const absl::CivilDay date = absl::CivilDay(1970, 1, 1) + day;
  if (date.year() < 0 || date.year() > 9999) return std::nullopt;
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", date.year(), date.month(), date.day(),
                         in_day / 3'600'000, in_day / 60'000 % 60, in_day / 1000 % 60, in_day % 1000);
}

std::string FormatDuration(Duration d) { return absl::StrCat(d.ms, "ms"); }

std::optional<Datetime> DatetimeToDate(Datetime t) {
  std::int64_t rem = t.ms % kDayMs;
  if (rem < 0) rem += kDayMs;   // Euclidean remainder
  std::int64_t out = 0;
  if (__builtin_sub_overflow(t.ms, rem, &out)) return std::nullopt;
  return Datetime{out};
}

Duration DatetimeToTime(Datetime t) {
  std::int64_t rem = t.ms % kDayMs;
  return Duration{rem < 0 ? rem + kDayMs : rem};
}

}  // namespace writ::internal
