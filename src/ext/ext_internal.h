// Extensions: the parsers and operations of each extension type, shared
// between the type files and the function table (extensions.cc).
#ifndef WRIT_SRC_EXT_EXT_INTERNAL_H_
#define WRIT_SRC_EXT_EXT_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "writ/value.h"

namespace writ::internal {

// ipaddr (ipaddr.cc)
absl::StatusOr<IpAddr> ParseIpAddr(std::string_view s);
std::string FormatIpAddr(const IpAddr& ip);   // "10.0.0.1/32"
bool IpIsLoopback(const IpAddr& ip);
bool IpIsMulticast(const IpAddr& ip);
bool IpIsInRange(const IpAddr& ip, const IpAddr& range);

// decimal (decimal.cc)
absl::StatusOr<Decimal> ParseDecimal(std::string_view s);
std::string FormatDecimal(Decimal d);          // "1.2300"

// datetime and duration (datetime.cc)
absl::StatusOr<Datetime> ParseDatetime(std::string_view s);
absl::StatusOr<Duration> ParseDuration(std::string_view s);
// "YYYY-MM-DDThh:mm:ss.SSSZ"; nullopt outside years 0000-9999.
std::optional<std::string> FormatDatetime(Datetime t);
std::string FormatDuration(Duration d);        // "<ms>ms"
std::optional<Datetime> DatetimeToDate(Datetime t);
Duration DatetimeToTime(Datetime t);

}  // namespace writ::internal

#endif  // WRIT_SRC_EXT_EXT_INTERNAL_H_
