// Extensions: writ's SPIFFE ID type (`spiffe("spiffe://trust.domain/path")`),
// validated by the SPIFFE-ID standard, and its path patterns (`pathMatches`).
// The rules are listed in ext_internal.h; every check reports the first
// problem from the left, with the reason.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/base/strings.h"
#include "src/ext/ext_internal.h"
#include "writ/limits.h"
#include "writ/value.h"

namespace writ {
namespace internal {
namespace {

constexpr std::string_view kScheme = "spiffe://";

bool IsTrustDomainChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}
// The same set: segments may have letters of either case too.
bool IsSegmentChar(char c) { return IsTrustDomainChar(c); }

// The text in messages: quoted as Cedar quotes strings, and cut short when
// long (at a character boundary), since the caller has the whole of it.
std::string Shown(std::string_view s) {
  constexpr std::size_t kShown = 96;
  if (s.size() <= kShown) return QuoteCedarString(s);
  std::size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(QuoteCedarString(s.substr(0, cut)), "...");
}

// The character at the start of `rest`, for messages: `c`, or its code as
// \u{..} when it is a control character.
std::string CharAt(std::string_view rest) {
  const auto lead = static_cast<unsigned char>(rest[0]);
  if (lead < 0x20 || lead == 0x7f) return absl::StrFormat("`\\u{%x}`", lead);
  std::size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  if (len > rest.size()) len = rest.size();
  return absl::StrCat("`", Av(rest.substr(0, len)), "`");
}

// Why `td` (an ID's trust domain, or a bare one) is not a trust domain, or "".
// URL authority parts are named first (user info, then port, then
// percent-encoding: "user:pw@host" is user info), then any other character.
std::string TrustDomainProblem(std::string_view td) {
  if (td.empty()) return "the trust domain is empty";
  if (td.find('@') != std::string_view::npos) return "the trust domain has user info (`@`)";
  if (td.find(':') != std::string_view::npos) return "the trust domain has a port (`:`)";
  if (td.find('%') != std::string_view::npos) return "the trust domain is percent-encoded (`%`)";
  for (std::size_t i = 0; i < td.size(); ++i) {
    if (IsTrustDomainChar(td[i])) continue;
    return absl::StrCat("the trust domain has the character ", CharAt(td.substr(i)),
                        "; it may have only letters, digits, `.`, `-` and `_`");
  }
  if (td.size() > kMaxTrustDomainBytes) {
    return absl::StrCat("the trust domain is ", td.size(), " bytes long, more than ", kMaxTrustDomainBytes);
  }
  return "";
}

// Why `path` ("" or "/seg/..." ) is not an ID's path, or "".
std::string PathProblem(std::string_view path) {
  // INVARIANT: path is empty or starts with '/'.
  for (std::size_t i = 0; i < path.size();) {
    const std::size_t begin = i + 1;   // past the '/'
    std::size_t end = begin;
    while (end < path.size() && path[end] != '/') {
      const char c = path[end];
      if (!IsSegmentChar(c)) {
        if (c == '%') return "the path is percent-encoded (`%`)";
        return absl::StrCat("the path has the character ", CharAt(path.substr(end)),
                            "; path segments may have only letters, digits, `.`, `-` and `_`");
      }
      ++end;
    }
    const std::string_view segment = path.substr(begin, end - begin);
    if (segment.empty()) {
      return end == path.size() ? "the path ends with `/`" : "the path has an empty segment (`//`)";
    }
    if (segment == "." || segment == "..") {
      return absl::StrCat("the path has a `", Av(segment), "` segment");
    }
    i = end;
  }
  return "";
}

absl::Status Invalid(std::string_view what, std::string_view text, std::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("invalid ", Av(what), " ", Shown(text), ": ", Av(problem)));
}

// Splits "/a/b" into its segments ("" into none).
using Segments = absl::InlinedVector<std::string_view, 16>;
void Split(std::string_view path, Segments* out) {
  out->clear();
  std::size_t i = 0;
  while (i < path.size()) {
    const std::size_t begin = i + 1;
    std::size_t end = path.find('/', begin);
    if (end == std::string_view::npos) end = path.size();
    out->push_back(path.substr(begin, end - begin));
    i = end;
  }
}

}  // namespace

absl::StatusOr<SpiffeId> ParseSpiffeId(std::string_view s) {
  constexpr std::string_view kWhat = "SPIFFE ID";
  if (s.size() > kMaxSpiffeIdBytes) {
    return Invalid(kWhat, s, absl::StrCat("it is ", s.size(), " bytes long, more than ", kMaxSpiffeIdBytes));
  }
  if (s.size() < kScheme.size() || !absl::EqualsIgnoreCase(Av(s.substr(0, kScheme.size())), Av(kScheme))) {
    return Invalid(kWhat, s, "it does not start with `spiffe://`");
  }
  const std::string_view rest = s.substr(kScheme.size());
  if (const std::size_t q = rest.find_first_of("?#"); q != std::string_view::npos) {
    return Invalid(kWhat, s, rest[q] == '?' ? "it has a query (`?`)" : "it has a fragment (`#`)");
  }
  const std::size_t slash = rest.find('/');
  const std::string_view td = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (std::string problem = TrustDomainProblem(td); !problem.empty()) return Invalid(kWhat, s, problem);
  if (std::string problem = PathProblem(path); !problem.empty()) return Invalid(kWhat, s, problem);
  SpiffeId id;
  id.trust_domain = absl::AsciiStrToLower(Av(td));
  id.path = std::string(path);
  return id;
}

absl::Status CheckTrustDomain(std::string_view s) {
  if (std::string problem = TrustDomainProblem(s); !problem.empty()) {
    std::string hint;
    if (absl::StartsWithIgnoreCase(Av(s), Av(kScheme))) hint = " (give the name alone, without `spiffe://`)";
    return Invalid("trust domain", s, absl::StrCat(problem, hint));
  }
  return absl::OkStatus();
}

absl::Status CheckSpiffePathPattern(std::string_view pattern) {
  constexpr std::string_view kWhat = "path pattern";
  if (pattern.size() > kMaxSpiffeIdBytes) {
    return Invalid(kWhat, pattern, absl::StrCat("it is ", pattern.size(), " bytes long, more than ",
                                                kMaxSpiffeIdBytes));
  }
  if (pattern.empty() || pattern[0] != '/') return Invalid(kWhat, pattern, "it does not start with `/`");
  for (std::size_t i = 0; i < pattern.size();) {
    const std::size_t begin = i + 1;
    std::size_t end = pattern.find('/', begin);
    if (end == std::string_view::npos) end = pattern.size();
    const std::string_view segment = pattern.substr(begin, end - begin);
    if (segment.empty()) {
      return Invalid(kWhat, pattern,
                     end == pattern.size() ? "it ends with `/`" : "it has an empty segment (`//`)");
    }
    if (segment == "." || segment == "..") {
      return Invalid(kWhat, pattern, absl::StrCat("it has a `", Av(segment), "` segment, which no path has"));
    }
    if (segment != "*" && segment != "**") {
      for (std::size_t k = 0; k < segment.size(); ++k) {
        if (segment[k] == '*') {
          return Invalid(kWhat, pattern,
                         "`*` and `**` stand for whole segments: a segment is `*`, `**` or literal text");
        }
        if (!IsSegmentChar(segment[k])) {
          return Invalid(kWhat, pattern,
                         absl::StrCat("it has the character ", CharAt(segment.substr(k)),
                                      "; segments may have only letters, digits, `.`, `-` and `_`"));
        }
      }
    }
    i = end;
  }
  return absl::OkStatus();
}

bool SpiffePathMatches(std::string_view pattern, std::string_view path) {
  Segments p, s;
  Split(pattern, &p);
  Split(path, &s);
  // Wildcard matching with one backtracking point: `*` as any one segment,
  // `**` as any run of segments. Returning to the latest `**` suffices, since
  // it can absorb whatever an earlier one would have. At most |p|·|s| steps,
  // both bounded by kMaxSpiffeIdBytes / 2.
  std::size_t i = 0, j = 0;
  std::optional<std::size_t> star;
  std::size_t mark = 0;
  while (j < s.size()) {
    if (i < p.size() && p[i] == "**") {
      star = i++;
      mark = j;
    } else if (i < p.size() && (p[i] == "*" || p[i] == s[j])) {
      ++i;
      ++j;
    } else if (star) {
      i = *star + 1;
      j = ++mark;
    } else {
      return false;
    }
  }
  while (i < p.size() && p[i] == "**") ++i;
  return i == p.size();
}

}  // namespace internal

std::optional<SpiffeId> SpiffeId::Parse(std::string_view text) {
  absl::StatusOr<SpiffeId> id = internal::ParseSpiffeId(text);
  if (!id.ok()) return std::nullopt;
  return *std::move(id);
}

std::string SpiffeId::ToString() const { return absl::StrCat("spiffe://", trust_domain, path); }

}  // namespace writ
