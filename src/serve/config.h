// serve: the `writ serve --config FILE` file — YAML (JSON, being YAML, reads
// too). Every mistake is an issue at FILE:LINE:COL. The format:
//
//   forward_auth:
//     principal:
//       header: x-forwarded-client-cert   # the header the gateway sets
//       extract: xfcc-uri                 # `xfcc-uri` (URI= of Envoy's XFCC), `value`, or
//                                         # `source-principal` (ext_authz: the mTLS peer)
//       entity_type: Workload
//       spiffe: true                      # the id must be a SPIFFE ID
//     action:
//       headers: [x-forwarded-method, x-original-method]
//       override_headers: [x-http-method-override, x-http-method, x-method-override]
//       entity_type: Action
//     resource:
//       headers: [x-forwarded-uri, x-original-uri]
//       entity_type: Path
//       path_parameters: reject           # `reject` any `;` in a path, or `data`
//     context:
//       host_headers: [x-forwarded-host]
//       headers: [x-request-id]
//
// Every key is optional (the defaults are those shown, context.headers
// empty); unknown keys are errors. The same keys configure ext_authz over
// gRPC (`writ serve --grpc-listen`), over other defaults: the principal is
// `extract: source-principal` and the method, URI and host come from the
// CheckRequest's own fields, unless the file sets them (action.headers,
// resource.headers, context.host_headers, principal.extract).
#ifndef WRIT_SRC_SERVE_CONFIG_H_
#define WRIT_SRC_SERVE_CONFIG_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/serve/forward_auth.h"
#include "writ/issue.h"

namespace writ::serve {

struct ServeConfig {
  ForwardAuthConfig forward_auth;                                       // HTTP
  ForwardAuthConfig ext_authz = ForwardAuthConfig::GrpcDefaults();      // gRPC
};

// Reads the configuration text named `source_name` in issues. On any error
// (every one appended to `issues`), InvalidArgument.
absl::StatusOr<ServeConfig> ParseServeConfig(std::string_view text, std::string_view source_name,
                                             std::vector<Issue>* issues);

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_CONFIG_H_
