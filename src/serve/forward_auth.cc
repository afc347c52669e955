// serve: forward-auth mapping — canonicalises the original URI and maps a
// gateway's subrequest headers to principal, action, resource and context.
#include "src/serve/forward_auth.h"

#include <cstddef>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/base/strings.h"
#include "src/base/utf8.h"
#include "src/ext/ext_internal.h"
#include "src/serve/limits.h"
#include "writ/limits.h"

namespace writ::serve {
namespace {

using internal::Av;
using internal::HexValue;

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

// Rule 1 for one part of the URI (path or query), on the raw bytes.
absl::Status CheckRaw(std::string_view s, std::string_view what) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (IsControl(c)) return absl::InvalidArgumentError(absl::StrCat(Av(what), " has a control byte at offset ", i));
    if (c == ' ') return absl::InvalidArgumentError(absl::StrCat(Av(what), " has a space at offset ", i));
    if (c == '\\') return absl::InvalidArgumentError(absl::StrCat(Av(what), " has a backslash at offset ", i));
    if (c == '#') return absl::InvalidArgumentError(absl::StrCat(Av(what), " has a fragment (#) at offset ", i));
  }
  return absl::OkStatus();
}

// Tokens (RFC 9110 tchar): methods and header names.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (absl::ascii_isalnum(c)) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(ch) == std::string_view::npos) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Every value of header `name` (case-insensitive), in order.
std::vector<std::string_view> Values(absl::Span<const HeaderLine> headers, std::string_view name) {
  std::vector<std::string_view> out;
  for (const HeaderLine& h : headers) {
    if (absl::EqualsIgnoreCase(Av(h.first), Av(name))) out.push_back(TrimOws(h.second));
  }
  return out;
}

// The one value of the field carried by the alternate headers `names`:
// nullopt when none is present; an error when one has several lines or two
// present ones differ (ambiguity: which one would the backend have used?).
// Values are compared as sent, after the surrounding spaces: two spellings
// of one path (`/a//b`, `/a/b`) differ too, since only the same bytes are
// surely the same request.
absl::StatusOr<std::optional<std::string_view>> AgreedSingle(absl::Span<const HeaderLine> headers,
                                                             const std::vector<std::string>& names) {
  std::optional<std::string_view> found;
  std::string_view found_name;
  for (const std::string& name : names) {
    std::vector<std::string_view> v = Values(headers, name);
    if (v.empty()) continue;
    if (v.size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat("header ", name, " has ", v.size(), " values where one is expected"));
    }
    if (!found) {
      found = v.front();
      found_name = name;
    } else if (*found != v.front()) {
      return absl::InvalidArgumentError(absl::StrCat("headers ", Av(found_name), " and ", name,
                                                     " disagree (they carry the same field): ambiguous"));
    }
  }
  return found;
}

// A field that has one value must not be a comma-separated list: a proxy
// that joins two lines makes one (RFC 9110 §5.3), and two lines are denied.
absl::Status CheckNotAList(std::string_view value, std::string_view header) {
  if (value.find(',') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("header ", Av(header), " has several comma-separated values where one is expected"));
  }
  return absl::OkStatus();
}

// A header value that becomes a string in the request: valid UTF-8 and no
// control bytes (tabs included).
absl::Status CheckValue(std::string_view value, std::string_view header) {
  if (internal::FindInvalidUtf8(value)) {
    return absl::InvalidArgumentError(absl::StrCat("header ", Av(header), " is not valid UTF-8"));
  }
  for (char c : value) {
    if (IsControl(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(absl::StrCat("header ", Av(header), " has a control byte"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CanonicalUri> CanonicalizeUri(std::string_view uri, PathParameters parameters) {
  if (uri.size() > kMaxUriBytes) {
    return absl::InvalidArgumentError(absl::StrCat("URI is ", uri.size(), " bytes, more than the limit of ", kMaxUriBytes));
  }
  if (uri.empty() || uri.front() != '/') {
    return absl::InvalidArgumentError("URI is not origin-form (it must start with `/`)");
  }
  CanonicalUri out;
  std::string_view path = uri;
  if (std::size_t q = uri.find('?'); q != std::string_view::npos) {
    path = uri.substr(0, q);
    std::string_view query = uri.substr(q + 1);
    if (absl::Status s = CheckRaw(query, "query"); !s.ok()) return s;
    out.query = std::string(query);
  }
  if (absl::Status s = CheckRaw(path, "path"); !s.ok()) return s;

  // Rule 3: decode once.
  std::string decoded;
  decoded.reserve(path.size());
  std::optional<std::size_t> first_semicolon;   // raw offset of the first `;` or %3B
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      if (path[i] == ';' && !first_semicolon) first_semicolon = i;
      decoded.push_back(path[i]);
      continue;
    }
    const int hi = i + 2 < path.size() ? HexValue(path[i + 1]) : -1;
    const int lo = i + 2 < path.size() ? HexValue(path[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError(absl::StrCat("path has a malformed percent-escape at offset ", i));
    }
    const unsigned char c = static_cast<unsigned char>(hi * 16 + lo);
    if (c == '/') return absl::InvalidArgumentError(absl::StrCat("path has an encoded slash (%2F) at offset ", i));
    if (c == '\\') return absl::InvalidArgumentError(absl::StrCat("path has an encoded backslash (%5C) at offset ", i));
    if (c == 0) return absl::InvalidArgumentError(absl::StrCat("path has an encoded NUL (%00) at offset ", i));
    if (IsControl(c)) {
      return absl::InvalidArgumentError(absl::StrCat("path has an encoded control byte at offset ", i));
    }
    if (c == ';' && !first_semicolon) first_semicolon = i;
    decoded.push_back(static_cast<char>(c));
    i += 2;
  }
  // Rule 3, double encoding: checked on the decoded path, since the hex
  // digits after an encoded `%` may themselves be escaped (%25%32%65 decodes
  // to %2e, which a backend that decodes again reads as `.`). A `%` in the
  // decoded path can only have come from %25.
  for (std::size_t j = decoded.find('%'); j != std::string::npos; j = decoded.find('%', j + 1)) {
    if (j + 2 < decoded.size() && HexValue(decoded[j + 1]) >= 0 && HexValue(decoded[j + 2]) >= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("path is percent-encoded twice (%25XX) at offset ", j, " of the decoded path"));
    }
  }
  // Rule 4.
  if (std::optional<std::size_t> bad = internal::FindInvalidUtf8(decoded)) {
    return absl::InvalidArgumentError(absl::StrCat("decoded path is not valid UTF-8 (byte ", *bad, ")"));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(Av(std::string_view(decoded).substr(1)), '/');
  // Rule 5: path parameters. A backend that drops `;params` sees what is
  // before the `;`: a dot segment there climbs where this rule did not, and
  // an empty one changes what `..` removes. Always an error, whatever the
  // configuration says `;` is.
  if (first_semicolon) {
    for (const absl::string_view seg : parts) {
      const std::size_t semi = seg.find(';');
      if (semi == absl::string_view::npos) continue;
      const absl::string_view name = seg.substr(0, semi);
      if (name == "." || name == "..") {
        return absl::InvalidArgumentError(
            "path has a dot segment with parameters (`..;`, `.;`, raw or %3B): a backend that drops parameters "
            "would see a dot segment there");
      }
      if (name.empty()) {
        return absl::InvalidArgumentError(
            "path has a segment that is only parameters (`/;x`): a backend that drops parameters would see an "
            "empty segment there");
      }
    }
    switch (parameters) {
      case PathParameters::kReject:
        return absl::InvalidArgumentError(absl::StrCat(
            "path has a `;` (a path parameter, raw or %3B) at offset ", *first_semicolon,
            ": backends that drop parameters would see another path (resource.path_parameters: data if the "
            "backend treats `;` as data)"));
      case PathParameters::kData:
        break;
    }
  }
  // Rule 6: segments. Only the last part decides the trailing slash.
  std::vector<absl::string_view> segments;
  bool trailing_slash = false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const absl::string_view seg = parts[i];
    const bool last = i + 1 == parts.size();
    if (seg.empty() || seg == ".") {
      trailing_slash = last;
    } else if (seg == "..") {
      if (segments.empty()) return absl::InvalidArgumentError("path climbs above the root with `..`");
      segments.pop_back();
      trailing_slash = last;
    } else {
      segments.push_back(seg);
    }
  }
  out.path.push_back('/');   // (not `= "/"`: GCC 12 warns falsely, -Wrestrict)
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.path += '/';
    absl::StrAppend(&out.path, segments[i]);
  }
  if (trailing_slash && !segments.empty()) out.path += '/';
  return out;
}

absl::StatusOr<std::vector<std::string>> XfccUris(std::string_view value, std::size_t* elements) {
  std::vector<std::string> uris;
  std::size_t i = 0;
  const std::size_t n = value.size();
  std::size_t count = 0;
  while (true) {   // one element per turn
    ++count;
    while (true) {   // one key=value pair per turn
      while (i < n && (value[i] == ' ' || value[i] == '\t')) ++i;
      const std::size_t key_start = i;
      while (i < n && value[i] != '=' && value[i] != ';' && value[i] != ',') ++i;
      if (i >= n || value[i] != '=') {
        return absl::InvalidArgumentError("x-forwarded-client-cert: a field has no `=`");
      }
      const std::string_view key = TrimOws(value.substr(key_start, i - key_start));
      ++i;
      std::string field;
      if (i < n && value[i] == '"') {
        ++i;
        bool closed = false;
        while (i < n) {
          if (value[i] == '\\' && i + 1 < n) {
            field.push_back(value[i + 1]);
            i += 2;
          } else if (value[i] == '"') {
            ++i;
            closed = true;
            break;
          } else {
            field.push_back(value[i++]);
          }
        }
        if (!closed) return absl::InvalidArgumentError("x-forwarded-client-cert: unterminated quoted value");
        while (i < n && (value[i] == ' ' || value[i] == '\t')) ++i;
        if (i < n && value[i] != ';' && value[i] != ',') {
          return absl::InvalidArgumentError("x-forwarded-client-cert: text after a quoted value");
        }
      } else {
        const std::size_t start = i;
        while (i < n && value[i] != ';' && value[i] != ',') ++i;
        field = std::string(TrimOws(value.substr(start, i - start)));
      }
      if (absl::EqualsIgnoreCase(Av(key), "uri")) uris.push_back(std::move(field));
      if (i < n && value[i] == ';') {
        ++i;
        continue;
      }
      break;
    }
    if (i >= n) break;
    ++i;   // ','
  }
  if (elements != nullptr) *elements = count;
  return uris;
}

absl::StatusOr<std::vector<std::string_view>> SplitListValue(std::string_view value) {
  std::vector<std::string_view> members;
  std::size_t start = 0;
  bool quoted = false;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || (!quoted && value[i] == ',')) {
      if (quoted) return absl::InvalidArgumentError("an unterminated quoted-string");
      const std::string_view member = TrimOws(value.substr(start, i - start));
      if (!member.empty()) members.push_back(member);
      start = i + 1;
    } else if (value[i] == '"') {
      quoted = !quoted;
    } else if (value[i] == '\\') {
      if (!quoted) return absl::InvalidArgumentError("a backslash outside a quoted-string");
      if (i + 1 == value.size()) return absl::InvalidArgumentError("an unterminated quoted-string");
      ++i;   // the escaped byte, whatever it is
    }
  }
  return members;
}

ForwardAuthConfig ForwardAuthConfig::GrpcDefaults() {
  ForwardAuthConfig c;
  c.principal_extract = PrincipalExtract::kSourcePrincipal;
  c.method_headers.clear();
  c.uri_headers.clear();
  c.host_headers.clear();
  return c;
}

absl::StatusOr<Request> MapForwardAuth(const ForwardAuthConfig& config, std::string_view method,
                                       std::string_view fallback_uri,
                                       const std::vector<HeaderLine>& headers) {
  GatewayRequest request;
  request.method = method;
  request.uri = fallback_uri;
  request.headers = headers;
  return MapGatewayRequest(config, request);
}

namespace {

// The principal's id as the config says to take it (before the SPIFFE check).
absl::StatusOr<std::string> PrincipalId(const ForwardAuthConfig& config, const GatewayRequest& gateway) {
  if (config.principal_extract == PrincipalExtract::kSourcePrincipal) {
    if (!gateway.source_principal.has_value()) {
      return absl::InvalidArgumentError(
          "no principal: the principal is the peer's mTLS identity (extract: source-principal), which only "
          "ext_authz over gRPC carries");
    }
    if (gateway.source_principal->empty()) {
      return absl::InvalidArgumentError(
          "no principal: the proxy sent no peer identity (source.principal is empty: no mTLS client certificate?)");
    }
    if (absl::Status s = CheckValue(*gateway.source_principal, "source.principal"); !s.ok()) return s;
    return std::string(*gateway.source_principal);
  }
  const absl::Span<const HeaderLine> headers = gateway.headers;
  std::vector<std::string_view> principal_values = Values(headers, config.principal_header);
  if (principal_values.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no principal: header ", config.principal_header, " is missing"));
  }
  if (principal_values.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat("header ", config.principal_header, " has ",
                                                   principal_values.size(), " values where one is expected"));
  }
  std::string principal;
  if (config.principal_extract == PrincipalExtract::kXfccUri) {
    // Several elements are several certificates, as two lines would be:
    // which one is the caller's is ambiguous, even when one has a URI.
    std::size_t elements = 0;
    absl::StatusOr<std::vector<std::string>> uris = XfccUris(principal_values.front(), &elements);
    if (!uris.ok()) return uris.status();
    if (elements > 1) {
      return absl::InvalidArgumentError(absl::StrCat("header ", config.principal_header, " has ", elements,
                                                     " elements (certificates) where one is expected"));
    }
    if (uris->empty()) {
      return absl::InvalidArgumentError(absl::StrCat("no principal: header ", config.principal_header, " has no URI"));
    }
    if (uris->size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat("header ", config.principal_header, " has ", uris->size(),
                                                     " URIs where one is expected"));
    }
    principal = std::move(uris->front());
  } else {
    if (absl::Status s = CheckNotAList(principal_values.front(), config.principal_header); !s.ok()) return s;
    principal = std::string(principal_values.front());
  }
  if (principal.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no principal: header ", config.principal_header, " is empty"));
  }
  if (absl::Status s = CheckValue(principal, config.principal_header); !s.ok()) return s;
  return principal;
}

}  // namespace

absl::StatusOr<Request> MapGatewayRequest(const ForwardAuthConfig& config, const GatewayRequest& gateway) {
  const absl::Span<const HeaderLine> headers = gateway.headers;
  Request request;
  Value::Record context;

  // Principal.
  absl::StatusOr<std::string> principal_id = PrincipalId(config, gateway);
  if (!principal_id.ok()) return principal_id.status();
  std::string principal = *std::move(principal_id);
  if (config.principal_spiffe) {
    if (principal.size() > kMaxSpiffeIdBytes) {
      return absl::InvalidArgumentError(absl::StrCat("principal is longer than ", kMaxSpiffeIdBytes, " bytes"));
    }
    std::optional<SpiffeId> id = SpiffeId::Parse(principal);
    if (!id) return absl::InvalidArgumentError(absl::StrCat("principal `", principal, "` is not a SPIFFE ID"));
    principal = id->ToString();
    context.emplace("spiffe", Value::FromSpiffe(*std::move(id)));
  }
  request.principal = {config.principal_type, std::move(principal)};

  // Action.
  absl::StatusOr<std::optional<std::string_view>> m = AgreedSingle(headers, config.method_headers);
  if (!m.ok()) return m.status();
  const std::string_view original_method = m->value_or(gateway.method);
  if (original_method.find(',') != std::string_view::npos) {
    return absl::InvalidArgumentError("the original method has several comma-separated values where one is expected");
  }
  if (!IsToken(original_method)) {
    return absl::InvalidArgumentError("the original method is not an HTTP method token");
  }
  for (const std::string& name : config.method_override_headers) {
    for (std::string_view v : Values(headers, name)) {
      if (!absl::EqualsIgnoreCase(Av(v), Av(original_method))) {
        return absl::InvalidArgumentError(absl::StrCat("header ", name, " asks for method ", Av(v), " in place of ",
                                                       Av(original_method), ", which a backend may obey: ambiguous"));
      }
    }
  }
  request.action = {config.action_type, std::string(original_method)};
  context.emplace("method", Value::String(std::string(original_method)));

  // Resource.
  absl::StatusOr<std::optional<std::string_view>> u = AgreedSingle(headers, config.uri_headers);
  if (!u.ok()) return u.status();
  std::string_view uri;
  if (u->has_value()) {
    uri = **u;
  } else if (!gateway.uri.empty()) {
    uri = gateway.uri;
  } else {
    if (config.uri_headers.empty()) return absl::InvalidArgumentError("no original URI: the request has no path");
    std::string names;
    for (const std::string& h : config.uri_headers) absl::StrAppend(&names, names.empty() ? "" : ", ", h);
    return absl::InvalidArgumentError(absl::StrCat("no original URI: none of the headers (", names,
                                                   ") and no path below /v1/forward-auth"));
  }
  absl::StatusOr<CanonicalUri> canonical = CanonicalizeUri(uri, config.path_parameters);
  if (!canonical.ok()) return canonical.status();
  context.emplace("path", Value::String(canonical->path));
  context.emplace("query", Value::String(canonical->query));
  request.resource = {config.resource_type, std::move(canonical->path)};

  // Context.
  absl::StatusOr<std::optional<std::string_view>> host = AgreedSingle(headers, config.host_headers);
  if (!host.ok()) return host.status();
  const std::string_view host_value = host->value_or(gateway.host);
  if (!host_value.empty()) {
    if (absl::Status s = CheckValue(host_value, "host"); !s.ok()) return s;
    if (absl::Status s = CheckNotAList(host_value, "host"); !s.ok()) return s;
    context.emplace("host", Value::String(std::string(host_value)));
  }
  if (!gateway.source_address.empty()) {
    absl::StatusOr<IpAddr> ip = internal::ParseIpAddr(gateway.source_address);
    if (!ip.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("the peer's address is not an IP address: ", ip.status().message()));
    }
    context.emplace("source_address", Value::FromIp(*ip));
  }
  if (!gateway.extensions.empty()) {
    if (gateway.extensions.size() > kMaxContextExtensions) {
      return absl::InvalidArgumentError(
          absl::StrCat("more than ", kMaxContextExtensions, " context extensions"));
    }
    Value::Record extensions;
    for (const auto& [key, value] : gateway.extensions) {
      if (absl::Status s = CheckValue(key, "a context extension's key"); !s.ok()) return s;
      if (absl::Status s = CheckValue(value, key); !s.ok()) return s;
      extensions.insert_or_assign(std::string(key), Value::String(std::string(value)));
    }
    context.emplace("extensions", Value::MakeRecord(std::move(extensions)));
  }
  Value::Record chosen;
  for (const std::string& name : config.context_headers) {
    std::vector<std::string_view> lines = Values(headers, name);
    if (lines.empty()) continue;
    // One list however it is sent: `a, b` on one line or `a` and `b` on two.
    std::vector<Value> set;
    for (std::string_view line : lines) {
      absl::StatusOr<std::vector<std::string_view>> members = SplitListValue(line);
      if (!members.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("header ", name, " does not split into a list: ", members.status().message()));
      }
      for (std::string_view v : *members) {   // (checked trimmed: a tab beside a comma is OWS)
        if (absl::Status s = CheckValue(v, name); !s.ok()) return s;
        if (set.size() == kMaxHeaderValues) {
          return absl::InvalidArgumentError(
              absl::StrCat("header ", name, " has more than ", kMaxHeaderValues, " values"));
        }
        set.push_back(Value::String(std::string(v)));
      }
    }
    chosen.emplace(name, Value::MakeSet(std::move(set)));
  }
  context.emplace("headers", Value::MakeRecord(std::move(chosen)));
  request.context = Value::MakeRecord(std::move(context));
  return request;
}

}  // namespace writ::serve
