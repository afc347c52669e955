// Extensions: Cedar's datetime (milliseconds since the Unix epoch, UTC) and
// duration (signed milliseconds): their string forms, checked in Cedar's
// order with Cedar's messages, and the calendar arithmetic of their methods.
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

constexpr std::int64_t kSecondMs = 1'000;
constexpr std::int64_t kMinuteMs = 60 * kSecondMs;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr std::int64_t kDayMs = 24 * kHourMs;

absl::Status DatetimeError(std::string_view msg) { return ExtError("datetime", msg); }

// `n` ASCII digits at `s[at]`, as a number; -1 when they are not all there.
int Digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at > s.size() || s.size() - at < n) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

bool At(std::string_view s, std::size_t i, char c) { return i < s.size() && s[i] == c; }

// Days from 1970-01-01 to the valid date (y, m, d), or nullopt.
std::optional<std::int64_t> EpochDay(int y, int m, int d) {
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) return std::nullopt;
  return day - absl::CivilDay(1970, 1, 1);
}

// Floor division and its remainder, in [0, divisor).
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }
std::int64_t FloorMod(std::int64_t a, std::int64_t b) { return a % b < 0 ? a % b + b : a % b; }

}  // namespace

// `YYYY-MM-DD`, optionally followed by `Thh:mm:ss` and then `Z`, `.SSSZ`,
// `(+|-)hhmm` or `.SSS(+|-)hhmm`. Cedar checks the patterns first (date,
// then hh:mm:ss, then the ending), then that the date exists, that the time
// is below 24:00:00 (no leap second), and that the offset is below 24h / 60m.
absl::StatusOr<Datetime> ParseDatetime(std::string_view s) {
  const int year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
  if (year < 0 || month < 0 || day < 0 || !At(s, 4, '-') || !At(s, 7, '-')) {
    return DatetimeError("invalid date pattern");
  }
  const std::optional<std::int64_t> epoch_day = EpochDay(year, month, day);
  auto invalid_date = [&] { return DatetimeError(absl::StrCat("invalid date: ", Av(s.substr(0, 10)))); };
  if (s.size() == 10) {
    if (!epoch_day) return invalid_date();
    return Datetime{*epoch_day * kDayMs};
  }
  const int h = Digits(s, 11, 2), m = Digits(s, 14, 2), sec = Digits(s, 17, 2);
  if (!At(s, 10, 'T') || h < 0 || !At(s, 13, ':') || m < 0 || !At(s, 16, ':') || sec < 0) {
    return DatetimeError("invalid hour/minute/second pattern");
  }
  std::string_view rest = s.substr(19);
  int millis = 0;
  const bool has_millis = At(rest, 0, '.') && Digits(rest, 1, 3) >= 0;
  if (has_millis) {
    millis = Digits(rest, 1, 3);
    rest.remove_prefix(4);
  }
  const bool utc = rest == "Z";
  const bool has_offset = rest.size() == 5 && (rest[0] == '+' || rest[0] == '-') && Digits(rest, 1, 4) >= 0;
  if (!utc && !has_offset) return DatetimeError("invalid millisecond and/or offset pattern");
  if (!epoch_day) return invalid_date();
  if (h >= 24 || m >= 60 || sec >= 60) {
    return DatetimeError(absl::StrCat("invalid hour/minute/second: ", Av(s.substr(11, 8))));
  }
  std::int64_t offset_ms = 0;
  if (has_offset) {
    const int oh = Digits(rest, 1, 2), om = Digits(rest, 3, 2);
    // Cedar prints the two numbers unpadded, one after the other.
    if (oh >= 24 || om >= 60) return DatetimeError(absl::StrCat("invalid offset range: ", oh, om));
    offset_ms = (oh * kHourMs + om * kMinuteMs) * (rest[0] == '+' ? 1 : -1);
  }
  // Years 0000-9999 and offsets below a day: no overflow is possible.
  return Datetime{*epoch_day * kDayMs + h * kHourMs + m * kMinuteMs + sec * kSecondMs + millis - offset_ms};
}

// `-?(Nd)?(Nh)?(Nm)?(Ns)?(Nms)?` with at least one part (Cedar's regex).
// Each N is an unsigned 64-bit number of ASCII digits, its product with the
// unit fits i64 and so does the signed total: else overflow.
absl::StatusOr<Duration> ParseDuration(std::string_view s) {
  auto invalid = [] { return ExtError("duration", "invalid duration pattern"); };
  auto overflow = [] { return ExtError("duration", "Duration overflows internal representation"); };
  std::string_view rest = s;
  const bool negative = !rest.empty() && rest[0] == '-';
  if (negative) rest.remove_prefix(1);
  if (rest.empty()) return invalid();
  static constexpr struct {
    std::string_view unit;
    std::int64_t ms;
  } kUnits[] = {{"d", kDayMs}, {"h", kHourMs}, {"m", kMinuteMs}, {"s", kSecondMs}, {"ms", 1}};
  // First check the pattern, then compute: a malformed string is "invalid"
  // even when one of its numbers is too large.
  struct Part {
    std::string_view digits;
    std::int64_t unit_ms;
  };
  Part parts[std::size(kUnits)];
  std::size_t n_parts = 0, next_unit = 0;
  while (!rest.empty()) {
    std::size_t n = 0;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
    if (n == 0) return invalid();
    const std::string_view digits = rest.substr(0, n);
    rest.remove_prefix(n);
    // "ms" is read before "m"; units come in order, each at most once.
    std::size_t u = next_unit;
    while (u < std::size(kUnits) && !(rest.starts_with(kUnits[u].unit) &&
                                      !(kUnits[u].unit == "m" && rest.starts_with("ms")))) {
      ++u;
    }
    if (u == std::size(kUnits)) return invalid();
    rest.remove_prefix(kUnits[u].unit.size());
    next_unit = u + 1;
    parts[n_parts++] = {digits, kUnits[u].ms};
  }
  // All parts have the sign of the whole, so the total is in range exactly
  // when every partial sum is (Cedar sums ms, s, m, h, d in turn). Only the
  // ms part of a negative duration may reach -2^63.
  __int128 total = 0;
  for (std::size_t i = 0; i < n_parts; ++i) {
    std::uint64_t v = 0;
    if (!absl::SimpleAtoi(Av(parts[i].digits), &v)) return overflow();
    const __int128 magnitude = __int128{v} * parts[i].unit_ms;
    const __int128 limit = (negative && parts[i].unit_ms == 1) ? (__int128{1} << 63) : __int128{INT64_MAX};
    if (magnitude > limit) return overflow();
    total += negative ? -magnitude : magnitude;
  }
  if (total > INT64_MAX || total < INT64_MIN) return overflow();
  return Duration{static_cast<std::int64_t>(total)};
}

std::optional<std::string> FormatDatetime(Datetime t) {
  const std::int64_t day = FloorDiv(t.ms, kDayMs), in_day = FloorMod(t.ms, kDayMs);
  const absl::CivilDay date = absl::CivilDay(1970, 1, 1) + day;
  if (date.year() < 0 || date.year() > 9999) return std::nullopt;
  std::string out = absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
  if (in_day == 0) return out;
  absl::StrAppendFormat(&out, "T%02d:%02d:%02d", in_day / kHourMs, in_day / kMinuteMs % 60,
                        in_day / kSecondMs % 60);
  if (in_day % kSecondMs != 0) absl::StrAppendFormat(&out, ".%03d", in_day % kSecondMs);
  out += 'Z';
  return out;
}

std::string DatetimeAsOffsetExpr(Datetime t) {
  return absl::StrCat("datetime(\"1970-01-01\").offset(duration(\"", t.ms, "ms\"))");
}

std::string FormatDuration(Duration d) { return absl::StrCat(d.ms, "ms"); }

std::optional<Datetime> DatetimeToDate(Datetime t) {
  std::int64_t out = 0;
  if (__builtin_sub_overflow(t.ms, FloorMod(t.ms, kDayMs), &out)) return std::nullopt;
  return Datetime{out};
}

Duration DatetimeToTime(Datetime t) { return Duration{FloorMod(t.ms, kDayMs)}; }

}  // namespace writ::internal
