// Extensions: Cedar's ipaddr — IPv4/IPv6 addresses and CIDR ranges. The text
// forms accepted are exactly Cedar's (Rust's std::net grammar: no leading
// zeros in IPv4 octets, no zone ids, plus Cedar's refusal of IPv4 embedded in
// IPv6 and its prefix rules); the host bits of a range are kept.
#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/base/strings.h"
#include "src/ext/ext_internal.h"

namespace writ::internal {
namespace {

// The longest text Cedar considers: "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/128".
constexpr std::size_t kMaxIpText = 43;

using U128 = unsigned __int128;

absl::Status IpError(std::string_view msg) { return ExtError("ipaddr", msg); }

int DigitValue(char c, int radix) {
  if (c >= '0' && c <= '9') return c - '0';
  if (radix == 16 && c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (radix == 16 && c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a number at `*pos` as Rust's address parser does: at least one and at
// most `max_digits` digits, no value above `max`, and (unless
// `allow_zero_prefix`) no leading zero before another digit. On failure
// `*pos` is left where it was.
std::optional<std::uint32_t> ReadNumber(std::string_view s, std::size_t* pos, int radix, int max_digits,
                                        bool allow_zero_prefix, std::uint32_t max) {
  std::size_t i = *pos;
  std::uint32_t value = 0;
  int digits = 0;
  for (int d; i < s.size() && (d = DigitValue(s[i], radix)) >= 0; ++i) {
    value = value * static_cast<std::uint32_t>(radix) + static_cast<std::uint32_t>(d);
    if (value > max || ++digits > max_digits) return std::nullopt;
  }
  if (digits == 0) return std::nullopt;
  if (!allow_zero_prefix && digits > 1 && s[*pos] == '0') return std::nullopt;
  *pos = i;
  return value;
}

// Dotted quad, the whole of `s`.
std::optional<IpAddr> ParseV4(std::string_view s) {
  IpAddr ip;
  std::size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (pos >= s.size() || s[pos] != '.') return std::nullopt;
      ++pos;
    }
    std::optional<std::uint32_t> octet = ReadNumber(s, &pos, 10, 3, false, 255);
    if (!octet) return std::nullopt;
    ip.bytes[i] = static_cast<std::uint8_t>(*octet);
  }
  if (pos != s.size()) return std::nullopt;
  ip.prefix_len = 32;
  return ip;
}

// Up to `limit` colon-separated hexadecimal groups from `*pos`; returns how
// many were read and leaves `*pos` after the last one.
int ReadGroups(std::string_view s, std::size_t* pos, std::uint16_t* groups, int limit) {
  for (int i = 0; i < limit; ++i) {
    std::size_t at = *pos;
    if (i > 0) {
      if (at >= s.size() || s[at] != ':') return i;
      ++at;
    }
    std::optional<std::uint32_t> g = ReadNumber(s, &at, 16, 4, true, 0xFFFF);
    if (!g) return i;
    groups[i] = static_cast<std::uint16_t>(*g);
    *pos = at;
  }
  return limit;
}

// Eight groups, or fewer around one `::` standing for at least one zero
// group; the whole of `s`. (IPv4 embedded in IPv6 never gets here: Cedar
// refuses any string with two colons and two dots first.)
std::optional<IpAddr> ParseV6(std::string_view s) {
  std::array<std::uint16_t, 8> groups{};
  std::size_t pos = 0;
  const int head = ReadGroups(s, &pos, groups.data(), 8);
  if (head < 8) {
    if (s.substr(pos, 2) != "::") return std::nullopt;
    pos += 2;
    std::array<std::uint16_t, 7> tail{};
    const int n = ReadGroups(s, &pos, tail.data(), 7 - head);
    std::copy(tail.begin(), tail.begin() + n, groups.end() - n);
  }
  if (pos != s.size()) return std::nullopt;
  IpAddr ip;
  for (int i = 0; i < 8; ++i) {
    ip.bytes[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    ip.bytes[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xFF);
  }
  ip.is_v6 = true;
  ip.prefix_len = 128;
  return ip;
}

std::optional<IpAddr> ParseAddress(std::string_view s) {
  if (std::optional<IpAddr> v4 = ParseV4(s)) return v4;
  return ParseV6(s);
}

// Cedar's prefix rules: at most 2 (IPv4) or 3 (IPv6) characters, ASCII
// digits, no leading zero, at most 32 or 128.
absl::StatusOr<std::uint8_t> ParsePrefix(std::string_view s, bool v6) {
  const std::size_t max_len = v6 ? 3 : 2;
  const int max = v6 ? 128 : 32;
  if (s.size() > max_len) {
    return IpError(absl::StrCat("error parsing prefix: string length ", s.size(), " is too large"));
  }
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return IpError(absl::StrCat("error parsing prefix `", Av(s), "`: encountered non-digit"));
  }
  if (s.size() > 1 && s[0] == '0') return IpError(absl::StrCat("error parsing prefix `", Av(s), "`: leading zero(s)"));
  if (s.empty()) return IpError("error parsing prefix from the string ``: cannot parse integer from empty string");
  int value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  if (value > 255) {
    return IpError(absl::StrCat("error parsing prefix from the string `", Av(s),
                                "`: number too large to fit in target type"));
  }
  if (value > max) {
    return IpError(absl::StrCat("error parsing prefix: ", value, " is larger than the limit ", max));
  }
  return static_cast<std::uint8_t>(value);
}

// Whether `s` holds `c` at least twice.
bool AtLeastTwo(std::string_view s, char c) { return std::count(s.begin(), s.end(), c) >= 2; }

U128 AsNumber(const IpAddr& ip) {
  U128 v = 0;
  for (int i = 0; i < (ip.is_v6 ? 16 : 4); ++i) v = (v << 8) | ip.bytes[i];
  return v;
}

}  // namespace

absl::StatusOr<IpAddr> ParseIpAddr(std::string_view s) {
  if (s.size() > kMaxIpText) {
    return IpError(absl::StrCat("error parsing IP address from string `", Av(s), "`: string length is too large"));
  }
  if (AtLeastTwo(s, ':') && AtLeastTwo(s, '.')) {
    return IpError(absl::StrCat(
        "error parsing IP address from string: We do not accept IPv4 embedded in IPv6 (e.g., ::ffff:127.0.0.1). "
        "Found: `",
        Av(s), "`"));
  }
  const std::size_t slash = s.find('/');
  if (slash == std::string_view::npos) {
    std::optional<IpAddr> ip = ParseAddress(s);
    if (!ip) return IpError(absl::StrCat("invalid IP address: ", Av(s)));
    return *ip;
  }
  const std::string_view addr = s.substr(0, slash);
  std::optional<IpAddr> ip = ParseAddress(addr);
  if (!ip) {
    return IpError(
        absl::StrCat("error parsing IP address from the string `", Av(addr), "`: invalid IP address syntax"));
  }
  absl::StatusOr<std::uint8_t> prefix = ParsePrefix(s.substr(slash + 1), ip->is_v6);
  if (!prefix.ok()) return prefix.status();
  ip->prefix_len = *prefix;
  return *ip;
}

std::string FormatIpAddr(const IpAddr& ip) {
  if (!ip.is_v6) {
    return absl::StrFormat("%d.%d.%d.%d/%d", ip.bytes[0], ip.bytes[1], ip.bytes[2], ip.bytes[3], ip.prefix_len);
  }
  std::array<int, 8> groups{};
  for (int i = 0; i < 8; ++i) groups[i] = (ip.bytes[2 * i] << 8) | ip.bytes[2 * i + 1];
  // The first longest run of two or more zero groups becomes "::".
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j == i ? i + 1 : j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    absl::StrAppend(&out, absl::Hex(groups[i]));
  }
  absl::StrAppend(&out, "/", ip.prefix_len);
  return out;
}

bool IpIsLoopback(const IpAddr& ip) {
  // 127.0.0.0/8 and ::1, as ranges wholly inside them.
  if (!ip.is_v6) return ip.bytes[0] == 127 && ip.prefix_len >= 8;
  return AsNumber(ip) == 1 && ip.prefix_len >= 128;
}

bool IpIsMulticast(const IpAddr& ip) {
  // 224.0.0.0/4 and ff00::/8, as ranges wholly inside them.
  if (!ip.is_v6) return (ip.bytes[0] & 0xF0) == 0xE0 && ip.prefix_len >= 4;
  return ip.bytes[0] == 0xFF && ip.prefix_len >= 8;
}

bool IpIsInRange(const IpAddr& ip, const IpAddr& range) {
  if (ip.is_v6 != range.is_v6) return false;
  const int width = ip.is_v6 ? 128 : 32;
  const U128 all = ip.is_v6 ? ~U128{0} : U128{0xFFFFFFFF};
  auto host_mask = [&](int prefix) { return prefix >= width ? U128{0} : all >> prefix; };
  const U128 a = AsNumber(ip), r = AsNumber(range);
  const U128 a_low = a & ~host_mask(ip.prefix_len) & all, a_high = a | host_mask(ip.prefix_len);
  const U128 r_low = r & ~host_mask(range.prefix_len) & all, r_high = r | host_mask(range.prefix_len);
  return r_low <= a_low && a_high <= r_high;
}

}  // namespace writ::internal
