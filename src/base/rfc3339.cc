// Base: RFC 3339 times (rfc3339.h) — checked field by field so that a
// mistake is named (a five-digit or signed year, a 30th of February, a
// missing zone), then converted with Abseil's civil time.
#include "src/base/rfc3339.h"

#include <cstddef>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "src/base/strings.h"

namespace writ::internal {
namespace {

constexpr std::string_view kShape = "write YYYY-MM-DDThh:mm:ss, an optional fraction, then Z or an offset such as +02:00";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// `n` digits at `s[at]` as a number, or -1 when they are not all there.
int Digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at > s.size() || s.size() - at < n) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!IsDigit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

bool At(std::string_view s, std::size_t i, char c) { return i < s.size() && s[i] == c; }

std::string ShapeError(std::string_view what) { return absl::StrCat(Av(what), ": ", Av(kShape)); }

}  // namespace

std::variant<absl::Time, std::string> ParseRfc3339(std::string_view s) {
  // The year: RFC 3339 has four digits and no sign (years 0000 to 9999).
  std::size_t year_digits = 0;
  while (year_digits < s.size() && IsDigit(s[year_digits])) ++year_digits;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    return std::string("the year has a sign: RFC 3339 years are four digits, 0000 to 9999");
  }
  if (year_digits > 4) {
    return std::string("the year has more than four digits: RFC 3339 years are 0000 to 9999");
  }
  const int year = Digits(s, 0, 4);
  const int month = Digits(s, 5, 2);
  const int day = Digits(s, 8, 2);
  if (year < 0 || !At(s, 4, '-') || month < 0 || !At(s, 7, '-') || day < 0) {
    return ShapeError("the date is not YYYY-MM-DD");
  }
  if (!At(s, 10, 'T') && !At(s, 10, 't')) {
    return ShapeError(s.size() == 10 ? "a date alone is not a time" : "the date is not followed by `T`");
  }
  const int hour = Digits(s, 11, 2);
  const int minute = Digits(s, 14, 2);
  const int second = Digits(s, 17, 2);
  if (hour < 0 || !At(s, 13, ':') || minute < 0 || !At(s, 16, ':') || second < 0) {
    return ShapeError("the time of day is not hh:mm:ss");
  }
  std::size_t i = 19;
  std::int64_t nanos = 0;
  if (At(s, i, '.')) {
    ++i;
    const std::size_t first = i;
    std::int64_t scale = 100'000'000;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      nanos += (s[i] - '0') * scale;   // digits past the ninth add 0
      scale /= 10;
    }
    if (i == first) return ShapeError("the fraction of a second has no digits");
  }
  int offset_minutes = 0;
  if (At(s, i, 'Z') || At(s, i, 'z')) {
    ++i;
  } else if (At(s, i, '+') || At(s, i, '-')) {
    const int sign = s[i] == '-' ? -1 : 1;
    const int oh = Digits(s, i + 1, 2);
    const int om = Digits(s, i + 4, 2);
    if (oh < 0 || !At(s, i + 3, ':') || om < 0) return ShapeError("the zone offset is not +hh:mm or -hh:mm");
    if (oh > 23 || om > 59) return std::string("the zone offset is out of range (at most 23:59)");
    offset_minutes = sign * (oh * 60 + om);
    i += 6;
  } else {
    return ShapeError(i == s.size() ? "the time has no zone" : "the zone is not Z or an offset");
  }
  if (i != s.size()) return ShapeError("there is more after the zone");

  const absl::CivilDay date(year, month, day);
  if (month < 1 || month > 12 || date.year() != year || date.month() != month || date.day() != day) {
    return absl::StrCat("there is no such date as ", Av(s.substr(0, 10)));
  }
  if (hour > 23 || minute > 59 || second > 60) {
    return absl::StrCat("there is no such time of day as ", Av(s.substr(11, 8)));
  }
  // CivilSecond normalizes a leap second (:60) to the next minute's :00.
  const absl::Time t = absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second), absl::UTCTimeZone());
  return t - absl::Minutes(offset_minutes) + absl::Nanoseconds(nanos);
}

}  // namespace writ::internal
