// Extensions: the parsers and operations of each extension type, shared
// between the type files (ipaddr.cc, decimal.cc, datetime.cc, spiffe.cc) and
// the function table (extensions.cc). Error statuses carry Cedar's messages.
#ifndef WRIT_SRC_EXT_EXT_INTERNAL_H_
#define WRIT_SRC_EXT_EXT_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// spiffe (spiffe.cc), writ's SPIFFE ID type. Unlike the Cedar types above,
// the error statuses carry only the reason, e.g.
//   invalid SPIFFE ID "spiffe://td:8080/a": the trust domain has a port (`:`)
// CallExtFunction reports it as an evaluation error of the function called;
// the parser reports it as an issue at a malformed literal.
//
// An ID: "spiffe://" (scheme case-insensitive), a trust domain of 1 to
// kMaxTrustDomainBytes of [a-z0-9._-] (A-Z accepted and lowercased; no port,
// user info or percent-encoding), then a path of zero or more "/segment",
// each segment of [a-zA-Z0-9._-], not empty, `.` or `..` (so no trailing
// slash); kMaxSpiffeIdBytes at most in all.
absl::StatusOr<SpiffeId> ParseSpiffeId(std::string_view s);
// Checks a bare trust domain name (the argument of isInTrustDomain) by the
// rules of an ID's trust domain; letters may be of either case.
absl::Status CheckTrustDomain(std::string_view s);
// A pathMatches pattern: "/" then segments separated by "/", each a literal
// segment (the path rules), `*` (exactly one segment) or `**` (any number of
// segments, none included); at most kMaxSpiffeIdBytes. Validated and matched
// in one pass, so a pattern computed at run time costs no compile step.
absl::Status CheckSpiffePathPattern(std::string_view pattern);
// Whether `path` (an ID's path, "" or "/a/b") matches a valid `pattern`.
bool SpiffePathMatches(std::string_view pattern, std::string_view path);

}  // namespace writ::internal

#endif  // WRIT_SRC_EXT_EXT_INTERNAL_H_
