// Extensions: Cedar's decimal — fixed point with four fractional digits held
// as a 64-bit count of 10^-4, parsed from `-?digits.digits` as Cedar does.
#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/base/strings.h"
#include "src/ext/ext_internal.h"

namespace writ::internal {
namespace {

constexpr std::size_t kFractionDigits = 4;
constexpr std::int64_t kPow10[] = {1, 10, 100, 1000, 10000};

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

absl::Status Malformed(std::string_view s) {
  return ExtError("decimal", absl::StrCat("`", Av(s), "` is not a well-formed decimal value"));
}
absl::Status Overflow() { return ExtError("decimal", "overflow when converting to decimal"); }

}  // namespace

// Cedar checks, in this order: the shape `-?[0-9]+\.[0-9]+`; the integer part
// times 10^4 fits i64 (else overflow); at most four fractional digits; the
// sum fits i64 (else overflow). Leading zeros are fine; `-0.5` is negative.
absl::StatusOr<Decimal> ParseDecimal(std::string_view s) {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos) return Malformed(s);
  const std::string_view whole = s.substr(0, dot), frac = s.substr(dot + 1);
  const bool negative = !whole.empty() && whole[0] == '-';
  if (!AllDigits(negative ? whole.substr(1) : whole) || !AllDigits(frac)) return Malformed(s);
  std::int64_t w = 0;
  if (!absl::SimpleAtoi(Av(whole), &w) || __builtin_mul_overflow(w, kPow10[kFractionDigits], &w)) {
    return Overflow();
  }
  if (frac.size() > kFractionDigits) {
    return ExtError("decimal", absl::StrCat("too many digits after the decimal in `", Av(s), "`"));
  }
  std::int64_t f = 0;
  (void)absl::SimpleAtoi(Av(frac), &f);   // at most four digits: cannot fail
  f *= kPow10[kFractionDigits - frac.size()];
  std::int64_t out = 0;
  if (negative ? __builtin_sub_overflow(w, f, &out) : __builtin_add_overflow(w, f, &out)) return Overflow();
  return Decimal{out};
}

std::string FormatDecimal(Decimal d) {
  const bool negative = d.scaled < 0;
  // The magnitude of i64's minimum does not fit i64: work unsigned.
  const std::uint64_t mag =
      negative ? ~static_cast<std::uint64_t>(d.scaled) + 1 : static_cast<std::uint64_t>(d.scaled);
  return absl::StrFormat("%s%d.%04d", negative ? "-" : "", mag / 10000, mag % 10000);
}

}  // namespace writ::internal
