// grpc: Envoy's external authorization over gRPC (ext_authz) for `writ
// serve --grpc-listen` — envoy.service.auth.v3.Authorization/Check and
// grpc.health.v1.Health, on the decision service of src/serve (the same
// snapshot, metrics, decision log and hot reload as HTTP). Each CheckRequest
// is translated into a GatewayRequest, mapped by the forward-auth mapping
// (with ext_authz's defaults: ForwardAuthConfig::GrpcDefaults), decided,
// and rendered as a CheckResponse:
//
//   allow        status OK; ok_response adds the X-Writ-* decision headers
//                upstream (overwriting any the client sent)
//   deny         status PERMISSION_DENIED, the reason as its message;
//                denied_response 403 with the X-Writ-* headers
//   not ready    status UNAVAILABLE; denied_response 503
//
// A request that cannot be mapped (no principal, an ambiguous path, headers
// past kMaxHeaderBytes, ...) is a deny saying why. A message over
// kMaxGrpcMessageBytes is refused by gRPC itself (RESOURCE_EXHAUSTED; Envoy
// with failure_mode_allow: false denies). No gRPC or protobuf type shows
// here; the server is plaintext HTTP/2, for a proxy beside it (as the HTTP
// listener).
//
// Example:
//   auto server = writ::serve::ExtAuthzServer::Start({"127.0.0.1:9191"}, mapping, &service);
//   std::uint16_t port = (*server)->port();
//   ...
//   (*server)->Stop();
#ifndef WRIT_SRC_GRPC_EXT_AUTHZ_H_
#define WRIT_SRC_GRPC_EXT_AUTHZ_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "src/serve/decision_service.h"
#include "src/serve/forward_auth.h"

namespace writ::serve {

struct ExtAuthzOptions {
  // `HOST:PORT` as for the HTTP listener (ParseListenAddress: an IPv4
  // address or a bracketed IPv6 one; port 0 picks a free port).
  std::string listen;
};

class ExtAuthzServer {
 public:
  // Binds and serves. `service` must outlive the server.
  static absl::StatusOr<std::unique_ptr<ExtAuthzServer>> Start(const ExtAuthzOptions& options,
                                                               ForwardAuthConfig mapping,
                                                               const DecisionService* service);
  ~ExtAuthzServer();   // Stop()
  ExtAuthzServer(const ExtAuthzServer&) = delete;
  ExtAuthzServer& operator=(const ExtAuthzServer&) = delete;

  std::uint16_t port() const;
  // Stops serving (calls in flight finish) and joins its threads.
  void Stop();

  struct Impl;

 private:
  explicit ExtAuthzServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One Check, as the server answers it, on the wire form of the messages:
// `request` a serialized envoy.service.auth.v3.CheckRequest; returns the
// serialized CheckResponse (a CheckRequest that does not parse is a deny).
// For tests and fuzzing, without a server.
std::string CheckSerialized(const ForwardAuthConfig& mapping, const DecisionService& service,
                            const std::string& request);

}  // namespace writ::serve

#endif  // WRIT_SRC_GRPC_EXT_AUTHZ_H_
