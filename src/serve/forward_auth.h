// serve: forward-auth — from a gateway's authorization subrequest (nginx
// auth_request, Traefik ForwardAuth, Envoy ext_authz HTTP) to a writ
// Request. Pure functions, no HTTP library types: the server hands in the
// method, target and header lines it read.
#ifndef WRIT_SRC_SERVE_FORWARD_AUTH_H_
#define WRIT_SRC_SERVE_FORWARD_AUTH_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "writ/request.h"

namespace writ::serve {

// The one canonicalisation rule for request paths (README "Paths"):
//  1. The URI must be origin-form (`/path[?query]`), at most kMaxUriBytes,
//     with no `#`, no raw control byte (< 0x20, 0x7F), no raw `\`, and no
//     space.
//  2. It is split at the first `?`: the query is kept as sent (validated as
//     above, not decoded).
//  3. The path is percent-decoded once. A `%` not followed by two hex digits
//     is an error; so are the decoded bytes `/` (%2F), `\` (%5C), NUL and
//     other control bytes (%00-%1F, %7F), and a decoded `%` followed by two
//     hex digits (double encoding, %25XX).
//  4. The decoded path must be valid UTF-8.
//  5. Repeated slashes count as one; `.` segments are removed; `..` removes
//     the segment before it, and is an error above the root. A trailing
//     slash is kept (`/a/` stays `/a/`; `/a/.` and `/a/..` give `/a/` and `/`).
// Every error is a deny whose reason is the status message.
struct CanonicalUri {
  std::string path;    // decoded, canonical, starts with '/'
  std::string query;   // raw, without the '?'
};
absl::StatusOr<CanonicalUri> CanonicalizeUri(std::string_view uri);

// How the principal's id is taken from its header's value.
enum class PrincipalExtract {
  kValue,     // the whole value, without surrounding spaces
  kXfccUri,   // the URI= field of an x-forwarded-client-cert element (Envoy's format)
};

struct ForwardAuthConfig {
  // principal: one header; exactly one value must be found in it.
  std::string principal_header = "x-forwarded-client-cert";
  PrincipalExtract principal_extract = PrincipalExtract::kXfccUri;
  std::string principal_type = "Workload";
  // The value must be a SPIFFE ID; its canonical form is the id, and
  // context.spiffe holds it as a spiffe value.
  bool principal_spiffe = true;
  // action: the original method from the first of these headers present,
  // else the subrequest's own method; id = the method as sent.
  std::vector<std::string> method_headers = {"x-forwarded-method", "x-original-method"};
  std::string action_type = "Action";
  // resource: the original URI from the first of these headers present,
  // else the subrequest's path below /v1/forward-auth; id = the canonical
  // path.
  std::vector<std::string> uri_headers = {"x-forwarded-uri", "x-original-uri"};
  std::string resource_type = "Path";
  // context.host from the first of these present (one value).
  std::vector<std::string> host_headers = {"x-forwarded-host"};
  // context.headers["name"]: the set of values of each of these headers
  // that is present, one member per header line.
  std::vector<std::string> context_headers;
};

// One header line as received: name (any case) and value.
using HeaderLine = std::pair<std::string_view, std::string_view>;

// The request that the gateway asks about. `method` and `target` are the
// subrequest's own; `fallback_path` is the part of the target below the
// forward-auth prefix ("" when there is none). Headers named by the config
// must each appear at most once (a second line is "several values"), except
// context headers. On error, the status message is the reason for the deny.
//
// The request's context: {method, path, query, host?, headers, spiffe?}.
absl::StatusOr<Request> MapForwardAuth(const ForwardAuthConfig& config, std::string_view method,
                                       std::string_view fallback_uri,
                                       const std::vector<HeaderLine>& headers);

// The URI fields of an x-forwarded-client-cert value: elements separated by
// commas, each a list of key=value pairs separated by semicolons, values
// optionally double-quoted with backslash escapes. Returns the URI values of
// every element, in order; an error when the value does not parse.
absl::StatusOr<std::vector<std::string>> XfccUris(std::string_view value);

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_FORWARD_AUTH_H_
