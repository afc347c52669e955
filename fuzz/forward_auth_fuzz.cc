// Fuzzing: the forward-auth mapping (src/serve/forward_auth.h): path
// canonicalisation, the XFCC and list-header splitters, and the mapping of
// a gateway's subrequest to a Cedar request.
//
// Input: one byte of configuration flags, then lines: the subrequest's
// method, its path below the forward-auth prefix, then header lines
// `name:value`. The same input is also mapped as ext_authz over gRPC maps a
// CheckRequest (MapGatewayRequest from ForwardAuthConfig::GrpcDefaults, the
// flags applied the same way): lines named `:peer`, `:addr` and `:host` give
// the peer's principal and address and the request's host, `:ext-K` the
// context extension K. Properties of CanonicalizeUri, in both path-parameter modes
// (a violation traps after printing the URI):
//   - the canonical path starts with `/` and never contains `//`, `/./`
//     or `/../`, nor ends in `/.` or `/..`;
//   - canonicalisation is idempotent: the canonical path, percent-encoded
//     where a raw byte would not be read as itself, canonicalises to itself
//     (with the same query).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "src/serve/forward_auth.h"

namespace {

using writ::serve::CanonicalizeUri;
using writ::serve::CanonicalUri;
using writ::serve::PathParameters;

[[noreturn]] void Fail(const char* what, std::string_view uri, const CanonicalUri& c, std::string_view detail) {
  std::fprintf(stderr, "forward_auth_fuzz: %s\n--- uri\n%.*s\n--- canonical path\n%s\n--- query\n%s\n--- %.*s\n",
               what, static_cast<int>(uri.size()), uri.data(), c.path.c_str(), c.query.c_str(),
               static_cast<int>(detail.size()), detail.data());
  __builtin_trap();
}

// The canonical path as a URI path: the bytes that would not be read back as
// themselves (`%`, `?`, `#`, space, controls, non-ASCII) percent-encoded.
std::string Encode(std::string_view path) {
  std::string out;
  for (char ch : path) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '%' || c == '?' || c == '#' || c <= 0x20 || c >= 0x7F || c == '\\') {
      absl::StrAppendFormat(&out, "%%%02X", c);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

void CheckCanonical(std::string_view uri, PathParameters mode) {
  const absl::StatusOr<CanonicalUri> c = CanonicalizeUri(uri, mode);
  if (!c.ok()) return;
  const std::string& p = c->path;
  if (p.empty() || p.front() != '/') Fail("the canonical path does not start with /", uri, *c, "");
  if (absl::StrContains(p, "//") || absl::StrContains(p, "/./") || absl::StrContains(p, "/../") ||
      absl::EndsWith(p, "/.") || absl::EndsWith(p, "/..")) {
    Fail("the canonical path has an empty or dot segment", uri, *c, "");
  }
  const bool has_query = uri.find('?') != std::string_view::npos;
  const std::string again_uri = Encode(p) + (has_query ? "?" + c->query : "");
  const absl::StatusOr<CanonicalUri> again = CanonicalizeUri(again_uri, mode);
  if (!again.ok()) Fail("the canonical path does not canonicalise", uri, *c, std::string(again.status().message()));
  if (again->path != p || again->query != c->query) {
    Fail("canonicalisation is not idempotent", uri, *c, again->path + "?" + again->query);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  const std::string_view method = lines.size() > 0 ? lines[0] : "";
  const std::string_view uri = lines.size() > 1 ? lines[1] : "";
  CheckCanonical(uri, PathParameters::kReject);
  CheckCanonical(uri, PathParameters::kData);

  std::vector<writ::serve::HeaderLine> headers;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    const std::size_t colon = lines[i].find(':');
    if (colon == std::string_view::npos) {
      headers.emplace_back(lines[i], "");
    } else {
      headers.emplace_back(lines[i].substr(0, colon), lines[i].substr(colon + 1));
    }
    std::size_t elements = 0;
    (void)writ::serve::XfccUris(headers.back().second, &elements);
    (void)writ::serve::SplitListValue(headers.back().second);
  }

  writ::serve::ForwardAuthConfig config;
  if (flags & 1) config.principal_extract = writ::serve::PrincipalExtract::kValue;
  if (flags & 2) config.principal_spiffe = false;
  if (flags & 4) config.context_headers = {"x-env", "x-tags", "x-forwarded-uri"};
  if (flags & 8) config.path_parameters = PathParameters::kData;
  if (flags & 16) config.principal_header = "x-principal";
  if (flags & 32) config.host_headers.push_back("host");
  if (flags & 64) config.method_headers.clear();
  if (flags & 128) config.uri_headers.clear();
  absl::StatusOr<writ::Request> request = writ::serve::MapForwardAuth(config, method, uri, headers);
  if (request.ok()) (void)request->context.ToString();

  writ::serve::ForwardAuthConfig grpc = writ::serve::ForwardAuthConfig::GrpcDefaults();
  if (flags & 1) grpc.principal_extract = writ::serve::PrincipalExtract::kValue;
  if (flags & 2) grpc.principal_spiffe = false;
  if (flags & 4) grpc.context_headers = config.context_headers;
  if (flags & 8) grpc.path_parameters = PathParameters::kData;
  if (flags & 32) grpc.host_headers.push_back("host");
  writ::serve::GatewayRequest gateway;
  std::vector<writ::serve::HeaderLine> grpc_headers;
  gateway.method = method;
  gateway.uri = uri;
  for (const auto& [name, value] : headers) {
    if (name == ":peer") {
      gateway.source_principal = value;
    } else if (name == ":addr") {
      gateway.source_address = value;
    } else if (name == ":host") {
      gateway.host = value;
    } else if (name.starts_with(":ext-")) {
      gateway.extensions.emplace_back(name.substr(5), value);
    } else {
      grpc_headers.emplace_back(name, value);
    }
  }
  gateway.headers = grpc_headers;
  request = writ::serve::MapGatewayRequest(grpc, gateway);
  if (request.ok()) (void)request->context.ToString();
  return 0;
}
