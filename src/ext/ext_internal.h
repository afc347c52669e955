// Extensions: the parsers and operations of each extension type, shared
// between the type files (ipaddr.cc, decimal.cc, datetime.cc) and the
// function table (extensions.cc). Error statuses carry Cedar's messages.
#ifndef WRIT_SRC_EXT_EXT_INTERNAL_H_
#define WRIT_SRC_EXT_EXT_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "writ/value.h"

namespace writ::internal {

// Cedar's FailedExtensionFunctionExecution: "error while evaluating
// `<extension>` extension function: <msg>". `extension` is the name Cedar
// reports: "ipaddr", "decimal", "datetime", "duration", or the method name
// for datetime's methods ("offset", "durationSince", "toDate").
absl::Status ExtError(std::string_view extension, std::string_view msg);

// ipaddr (ipaddr.cc)
absl::StatusOr<IpAddr> ParseIpAddr(std::string_view s);
// Cedar's canonical text, always with the prefix: "10.0.0.1/32", "ffee::/64".
// IPv6 is written in hexadecimal only (never "::ffff:1.2.3.4", which Cedar
// does not parse), zero runs compressed as RFC 5952 says.
std::string FormatIpAddr(const IpAddr& ip);
bool IpIsLoopback(const IpAddr& ip);
bool IpIsMulticast(const IpAddr& ip);
// Whether the range of `ip` lies within the range of `range`; false when the
// families differ.
bool IpIsInRange(const IpAddr& ip, const IpAddr& range);

// decimal (decimal.cc)
absl::StatusOr<Decimal> ParseDecimal(std::string_view s);
std::string FormatDecimal(Decimal d);   // always four fractional digits: "1.2300"

// datetime and duration (datetime.cc)
absl::StatusOr<Datetime> ParseDatetime(std::string_view s);
absl::StatusOr<Duration> ParseDuration(std::string_view s);
// The shortest of "YYYY-MM-DD", "YYYY-MM-DDThh:mm:ssZ" and
// "YYYY-MM-DDThh:mm:ss.SSSZ" that holds `t`; nullopt outside years 0000-9999,
// which no datetime string can reach.
std::optional<std::string> FormatDatetime(Datetime t);
// Cedar's form of any datetime: datetime("1970-01-01").offset(duration("<ms>ms")).
std::string DatetimeAsOffsetExpr(Datetime t);
std::string FormatDuration(Duration d);   // "<ms>ms", as Cedar writes durations
// Midnight of the day of `t` (rounding toward the past); nullopt on overflow.
std::optional<Datetime> DatetimeToDate(Datetime t);
// The time since midnight, in [0, 1 day).
Duration DatetimeToTime(Datetime t);

}  // namespace writ::internal

#endif  // WRIT_SRC_EXT_EXT_INTERNAL_H_
