// Extensions: Cedar's ipaddr — IPv4/IPv6 addresses and CIDR ranges, parsed
// as Cedar parses them (no leading zeros, no IPv4 embedded in IPv6, no zone).
#include <arpa/inet.h>

#include <algorithm>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/base/strings.h"
#include "src/ext/ext_internal.h"

namespace writ::internal {
namespace {

// Longest accepted text: "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/128".
constexpr std::size_t kMaxIpText = 43;

absl::Status IpError(std::string_view s, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("error while evaluating `ip` extension function: invalid IP address `", Av(s), "`: ", Av(why)));
}

// The address as a big-endian 128-bit number split in two halves.
struct U128 {
  std::uint64_t hi = 0, lo = 0;
};
U128 ToU128(const IpAddr& ip) {
  U128 v;
  const int n = ip.is_v6 ? 16 : 4;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t b = ip.bytes[i];
    if (!ip.is_v6) {
      v.lo = (v.lo << 8) | b;
    } else if (i < 8) {
      v.hi = (v.hi << 8) | b;
    } else {
      v.lo = (v.lo << 8) | b;
    }
  }
  return v;
}

// The first and last addresses of the range, as numbers.
std::pair<U128, U128> Bounds(const IpAddr& ip) {
  const int width = ip.is_v6 ? 128 : 32;
  const int host_bits = width - ip.prefix_len;
  U128 v = ToU128(ip), low = v, high = v;
  auto mask_low = [](std::uint64_t x, int bits) {   // clear the lowest `bits` bits
    return bits >= 64 ? 0 : (x >> bits) << bits;
  };
  auto set_low = [](std::uint64_t x, int bits) {
    return bits >= 64 ? ~std::uint64_t{0} : x | ((std::uint64_t{1} << bits) - 1);
  };
  low.lo = mask_low(v.lo, std::min(host_bits, 64));
  high.lo = set_low(v.lo, std::min(host_bits, 64));
  if (host_bits > 64) {
    low.hi = mask_low(v.hi, host_bits - 64);
    high.hi = set_low(v.hi, host_bits - 64);
  }
  return {low, high};
}

bool LessEq(U128 a, U128 b) { return a.hi < b.hi || (a.hi == b.hi && a.lo <= b.lo); }

}  // namespace

absl::StatusOr<IpAddr> ParseIpAddr(std::string_view s) {
  if (s.size() > kMaxIpText) return IpError(s, "too long");
  if (std::count(s.begin(), s.end(), ':') >= 2 && std::count(s.begin(), s.end(), '.') >= 2) {
    return IpError(s, "IPv4 embedded in IPv6 is not accepted; write it in hexadecimal");
  }
  std::string_view addr = s, prefix;
  const std::size_t slash = s.find('/');
  if (slash != std::string_view::npos) {
    addr = s.substr(0, slash);
    prefix = s.substr(slash + 1);
  }
  IpAddr ip;
  const std::string text(addr);
  if (inet_pton(AF_INET, text.c_str(), ip.bytes.data()) == 1) {
    ip.is_v6 = false;
  } else if (text.find('%') == std::string::npos && inet_pton(AF_INET6, text.c_str(), ip.bytes.data()) == 1) {
    ip.is_v6 = true;
  } else {
    return IpError(s, "not an IPv4 or IPv6 address");
  }
  const int max = ip.is_v6 ? 128 : 32;
  ip.prefix_len = static_cast<std::uint8_t>(max);
  if (slash != std::string_view::npos) {
    int p = 0;
    if (prefix.empty() || prefix.size() > (ip.is_v6 ? 3u : 2u) ||
        !std::all_of(prefix.begin(), prefix.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return IpError(s, "the prefix length must be a number");
    }
    if (prefix.size() > 1 && prefix[0] == '0') return IpError(s, "the prefix length has leading zeros");
    (void)absl::SimpleAtoi(Av(prefix), &p);
    if (p > max) return IpError(s, absl::StrCat("the prefix length is larger than ", max));
    ip.prefix_len = static_cast<std::uint8_t>(p);
  }
  return ip;
}

std::string FormatIpAddr(const IpAddr& ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(ip.is_v6 ? AF_INET6 : AF_INET, ip.bytes.data(), buf, sizeof buf);
  return absl::StrCat(buf, "/", ip.prefix_len);
}

bool IpIsLoopback(const IpAddr& ip) {
  if (!ip.is_v6) return ip.bytes[0] == 127 && ip.prefix_len >= 8;
  const U128 v = ToU128(ip);
  return v.hi == 0 && v.lo == 1 && ip.prefix_len >= 128;
}

bool IpIsMulticast(const IpAddr& ip) {
  if (!ip.is_v6) return (ip.bytes[0] & 0xF0) == 0xE0 && ip.prefix_len >= 4;
  return ip.bytes[0] == 0xFF && ip.prefix_len >= 8;
}

bool IpIsInRange(const IpAddr& ip, const IpAddr& range) {
  if (ip.is_v6 != range.is_v6) return false;
  auto [lo, hi] = Bounds(ip);
  auto [range_lo, range_hi] = Bounds(range);
  return LessEq(range_lo, lo) && LessEq(hi, range_hi);
}

}  // namespace writ::internal
