// The one reader of RFC 3339 times in writ: `now` in request JSON, the C
// ABI and `--now`, `@not_before` / `@expires`, and `now` in test suites.
// (Cedar's datetime("...") extension has its own, different forms:
// src/ext/datetime.cc.)
#ifndef WRIT_SRC_BASE_RFC3339_H_
#define WRIT_SRC_BASE_RFC3339_H_

#include <string>
#include <string_view>
#include <variant>

#include "absl/time/time.h"

namespace writ::internal {

// An RFC 3339 date-time (section 5.6): `YYYY-MM-DDThh:mm:ss`, an optional
// fraction `.d...` (kept to the nanosecond), then `Z` or `+hh:mm` / `-hh:mm`.
// `T` and `Z` may be lowercase (the RFC's note). The year has exactly four
// digits, 0000 to 9999: no sign, no fifth digit. The date must exist; the
// hour is below 24, minutes below 60, seconds at most 60 (a leap second,
// read as the next minute's first second), the offset below 24:00. Nothing
// before or after the time, not even spaces.
//
// Returns the time, or a sentence saying what is wrong with `text` (not
// quoting it: callers name the input their own way).
std::variant<absl::Time, std::string> ParseRfc3339(std::string_view text);

// An example for hints: "2026-12-31T23:59:59Z".
inline constexpr std::string_view kRfc3339Example = "2026-12-31T23:59:59Z";

}  // namespace writ::internal

#endif  // WRIT_SRC_BASE_RFC3339_H_
