// Extensions: Cedar's decimal — fixed point with four fractional digits.
#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/base/strings.h"
#include "src/ext/ext_internal.h"

namespace writ::internal {
namespace {

constexpr int kDigits = 4;

absl::Status DecimalError(std::string_view s, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "error while evaluating `decimal` extension function: `", Av(s), "` is not a decimal: ", Av(why)));
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

// `-?digits.digits`, at most four digits after the point, within i64 × 10^-4.
absl::StatusOr<Decimal> ParseDecimal(std::string_view s) {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos) return DecimalError(s, "expected digits, `.`, digits");
  std::string_view whole = s.substr(0, dot), frac = s.substr(dot + 1);
  const bool negative = !whole.empty() && whole[0] == '-';
  if (!AllDigits(negative ? whole.substr(1) : whole) || !AllDigits(frac)) {
    return DecimalError(s, "expected digits, `.`, digits");
  }
  if (frac.size() > kDigits) return DecimalError(s, "more than 4 digits after the decimal point");
  std::int64_t w = 0, f = 0, out = 0;
  if (!absl::SimpleAtoi(Av(whole), &w) || !absl::SimpleAtoi(Av(frac), &f) ||
      __builtin_mul_overflow(w, std::int64_t{10000}, &w)) {
    return DecimalError(s, "overflow");
  }
  for (std::size_t i = frac.size(); i < kDigits; ++i) f *= 10;
  if (negative ? __builtin_sub_overflow(w, f, &out) : __builtin_add_overflow(w, f, &out)) {
    return DecimalError(s, "overflow");
  }
  return Decimal{out};
}

std::string FormatDecimal(Decimal d) {
  const bool negative = d.scaled < 0;
  // The magnitude of i64's minimum does not fit in i64: work unsigned.
  const std::uint64_t mag = negative ? ~static_cast<std::uint64_t>(d.scaled) + 1 : static_cast<std::uint64_t>(d.scaled);
  return absl::StrFormat("%s%d.%04d", negative ? "-" : "", mag / 10000, mag % 10000);
}

}  // namespace writ::internal
