// serve: forward-auth — from what a gateway asks about (an nginx
// auth_request or Traefik ForwardAuth subrequest over HTTP, or Envoy's
// ext_authz CheckRequest over gRPC) to a writ Request. Pure functions, no
// HTTP or gRPC library types: each transport hands in a GatewayRequest.
#ifndef WRIT_SRC_SERVE_FORWARD_AUTH_H_
#define WRIT_SRC_SERVE_FORWARD_AUTH_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "writ/request.h"

namespace writ::serve {

// What a `;` in a path segment is (RFC 3986 §3.3 lets a segment carry
// `;parameters`; Tomcat, Spring and Jetty drop them before routing, so
// `/public/..;/admin` is `/admin` to them).
enum class PathParameters {
  kReject,   // any `;` in the path (raw or %3B) is ambiguity: an error
  kData,     // `;` is an ordinary character of the segment (the backend says so)
};

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
//  5. Path parameters, on the decoded segments (so `;` and %3B alike): a
//     segment whose part before its first `;` is `.`, `..` or empty (`..;x`,
//     `.;`, `%2e%2e%3b`, `;x`) is always an error, since a backend that drops
//     parameters sees a dot segment or an empty one there; with
//     PathParameters::kReject any other `;` is an error too.
//  6. Repeated slashes count as one; `.` segments are removed; `..` removes
//     the segment before it, and is an error above the root. A trailing
//     slash is kept (`/a/` stays `/a/`; `/a/.` and `/a/..` give `/a/` and `/`).
// Every error is a deny whose reason is the status message.
struct CanonicalUri {
  std::string path;    // decoded, canonical, starts with '/'
  std::string query;   // raw, without the '?'
};
absl::StatusOr<CanonicalUri> CanonicalizeUri(std::string_view uri,
                                             PathParameters parameters = PathParameters::kReject);

// How the principal's id is taken from its header's value.
enum class PrincipalExtract {
  kValue,             // the whole value, without surrounding spaces
  kXfccUri,           // the URI= field of an x-forwarded-client-cert element (Envoy's format)
  kSourcePrincipal,   // no header: the peer's mTLS identity as the proxy verified it
                      // (ext_authz's attributes.source.principal); over HTTP, a deny
};

// The mapping. The defaults are forward-auth's over HTTP; ext_authz over
// gRPC starts from GrpcDefaults() instead, and the configuration file's keys
// apply to both (config.h).
struct ForwardAuthConfig {
  // ext_authz's defaults: the principal from the peer's mTLS identity
  // (source-principal), the method, URI and host from the CheckRequest's
  // own fields (no headers: a header the client could forge never supplies
  // them unless configured to).
  static ForwardAuthConfig GrpcDefaults();

  // principal: one header; exactly one value must be found in it (unused
  // with kSourcePrincipal, the gRPC default; the header stays the one named
  // here should the configuration choose a header extraction).
  std::string principal_header = "x-forwarded-client-cert";
  PrincipalExtract principal_extract = PrincipalExtract::kXfccUri;
  std::string principal_type = "Workload";
  // The value must be a SPIFFE ID; its canonical form is the id, and
  // context.spiffe holds it as a spiffe value.
  bool principal_spiffe = true;
  // Fields read from several alternate headers (method, URI, host): every
  // one of the field's headers that is present is read, each must have one
  // line, and all of them must carry the same value, byte for byte after
  // the surrounding spaces: two that differ (a client's own X-Forwarded-Uri
  // passed through beside the X-Original-URI nginx sets) are ambiguity, a
  // deny naming both. Only when none is present does the subrequest's own
  // method or path count; a header present always wins over it, so a
  // gateway that relies on the subrequest's own method or path must set or
  // strip these headers itself (or configure them as empty lists).
  //
  // action: the original method from these headers, else the subrequest's
  // own method; id = the method as sent.
  std::vector<std::string> method_headers = {"x-forwarded-method", "x-original-method"};
  // Method-override headers, which many backends (Express, Rails, Laravel,
  // Spring, ASP.NET) obey in place of the method sent: when one is present
  // (any line) with a method other than the one decided, compared without
  // regard to case, the request is denied as ambiguous; one naming the same
  // method is harmless. An empty list (a backend known to ignore them)
  // turns the check off.
  std::vector<std::string> method_override_headers = {"x-http-method-override", "x-http-method",
                                                      "x-method-override"};
  std::string action_type = "Action";
  // resource: the original URI from these headers, else the subrequest's
  // path below /v1/forward-auth; id = the canonical path (CanonicalizeUri
  // with `path_parameters`). A comma in a URI is path data.
  std::vector<std::string> uri_headers = {"x-forwarded-uri", "x-original-uri"};
  std::string resource_type = "Path";
  PathParameters path_parameters = PathParameters::kReject;
  // context.host from these (one value; a comma makes it a list: denied),
  // else the request's own host (GatewayRequest::host) when it has one.
  std::vector<std::string> host_headers = {"x-forwarded-host"};
  // context.headers["name"]: the set of values of each of these headers
  // that is present. Each is read as an HTTP list (RFC 9110 §5.6.1): every
  // line is split at the commas outside quoted-strings, members are trimmed
  // of spaces and tabs and kept as sent (quotes included), empty members are
  // dropped, so `X-Env: a, b` and two lines `a` and `b` give the same set. A
  // line that does not split (an unterminated quoted-string, a `\` escape
  // outside one) is a deny. At most kMaxHeaderValues members per header.
  std::vector<std::string> context_headers;
};

// One header line as received: name (any case) and value.
using HeaderLine = std::pair<std::string_view, std::string_view>;

// What a gateway asks about, as its transport received it.
struct GatewayRequest {
  // The request's own method and URI (origin-form, path and query): over
  // HTTP, the subrequest's method and its target below /v1/forward-auth
  // ("" when there is none); over gRPC, attributes.request.http's method
  // and path (Envoy's path is the request target as received, with the
  // query). Headers named by the config win over these when present.
  std::string_view method;
  std::string_view uri;
  // The request's own host (gRPC: attributes.request.http.host, the
  // :authority); "" over HTTP, where the subrequest's Host is the gateway's.
  std::string_view host;
  absl::Span<const HeaderLine> headers;   // not owned
  // The peer's identity and address as the proxy authenticated them
  // (gRPC: attributes.source.principal and its socket address); unset over
  // HTTP.
  std::optional<std::string_view> source_principal;
  std::string_view source_address;
  // Envoy's context_extensions: set in the proxy's own configuration
  // (per route), never by the client. context.extensions when any.
  std::vector<HeaderLine> extensions;
};

// The request the gateway asks about. Headers named by the config must each
// appear at most once (a second line is "several values"), except context
// headers; a single-valued field given a comma-separated list in one line
// is denied the same way (principal with `extract: value`, host; a method
// with a comma is not a method; XFCC: more than one element). On error,
// the status message is the reason for the deny.
//
// The request's context: {method, path, query, host?, headers, spiffe?,
// source_address? (an ip value), extensions? (a record of strings)}.
absl::StatusOr<Request> MapGatewayRequest(const ForwardAuthConfig& config, const GatewayRequest& request);

// Forward-auth over HTTP: `method` and the part of the target below the
// forward-auth prefix (`fallback_uri`, "" when none) are the subrequest's.
absl::StatusOr<Request> MapForwardAuth(const ForwardAuthConfig& config, std::string_view method,
                                       std::string_view fallback_uri,
                                       const std::vector<HeaderLine>& headers);

// The URI fields of an x-forwarded-client-cert value: elements separated by
// commas, each a list of key=value pairs separated by semicolons, values
// optionally double-quoted with backslash escapes. Returns the URI values of
// every element, in order, and the number of elements in `*elements` when
// not null; an error when the value does not parse.
absl::StatusOr<std::vector<std::string>> XfccUris(std::string_view value, std::size_t* elements = nullptr);

// The members of one line of a list header (RFC 9110 §5.6.1): split at the
// commas outside quoted-strings, each trimmed of spaces and tabs, kept as
// sent (quotes included), empty members dropped. An error when a
// quoted-string is not terminated or a `\` appears outside one.
absl::StatusOr<std::vector<std::string_view>> SplitListValue(std::string_view value);

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_FORWARD_AUTH_H_
