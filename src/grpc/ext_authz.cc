// grpc: ext_authz — CheckRequest to GatewayRequest, the decision service,
// Outcome to CheckResponse; and the gRPC server that serves it with gRPC's
// health service beside it.
#include "src/grpc/ext_authz.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "envoy/service/auth/v3/external_auth.grpc.pb.h"
#include "src/serve/limits.h"
#include "src/serve/server.h"

namespace writ::serve {
namespace {

namespace auth = ::envoy::service::auth::v3;
namespace core = ::envoy::config::core::v3;
using Clock = std::chrono::steady_clock;

// google.rpc.Code values.
constexpr int kCodeOk = 0;
constexpr int kCodePermissionDenied = 7;
constexpr int kCodeUnavailable = 14;
// What one header line costs against kMaxHeaderBytes besides its name and
// value (": " and CRLF, as over HTTP/1.1), so that empty lines count too.
constexpr std::size_t kHeaderLineOverhead = 4;
constexpr std::string_view kTransport = "ext_authz";

// The request's headers as lines: header_map when Envoy sent it
// (encode_raw_headers: one line per header line, raw values), else the
// headers map (Envoy joins repeated headers with commas there). An error
// past kMaxHeaderBytes.
absl::Status ReadHeaders(const auth::AttributeContext::HttpRequest& http, std::vector<HeaderLine>* out) {
  std::size_t bytes = 0;
  auto add = [&](const std::string& key, const std::string& value) {
    bytes += key.size() + value.size() + kHeaderLineOverhead;
    if (bytes <= kMaxHeaderBytes) out->emplace_back(key, value);
  };
  if (http.header_map().headers_size() > 0) {
    for (const core::HeaderValue& h : http.header_map().headers()) add(h.key(), h.raw_value().empty() ? h.value() : h.raw_value());
  } else {
    for (const auto& [key, value] : http.headers()) add(key, value);
  }
  if (bytes > kMaxHeaderBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the request's headers are ", bytes, " bytes, more than the limit of ", kMaxHeaderBytes));
  }
  return absl::OkStatus();
}

// Why a deny was given, for the status message.
std::string DenyMessage(const Outcome& outcome) {
  if (outcome.kind != Outcome::Kind::kDecided) return std::string(outcome.reason());
  const Decision& d = outcome.decision;
  if (d.revoked) return "denied: the request's identity or credential is revoked";
  if (!d.reasons.empty()) return absl::StrCat("denied by ", absl::StrJoin(d.reasons, ", "));
  return "no policy permits the request";
}

void AddHeaders(const Outcome& outcome, google::protobuf::RepeatedPtrField<core::HeaderValueOption>* to) {
  auto add = [&](std::string key, std::string value) {
    core::HeaderValueOption* h = to->Add();
    h->mutable_header()->set_key(absl::AsciiStrToLower(key));
    h->mutable_header()->set_value(std::move(value));
    // Ours, not the client's: a client's own X-Writ-Decision is replaced.
    h->set_append_action(core::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD);
  };
  for (auto& [name, value] : DecisionHeaders(outcome)) add(std::move(name), std::move(value));
  add("x-writ-policy-version", absl::StrCat(outcome.policy_version));
}

void Render(const Outcome& outcome, auth::CheckResponse* response) {
  response->Clear();
  if (outcome.decision.allowed) {
    response->mutable_status()->set_code(kCodeOk);
    AddHeaders(outcome, response->mutable_ok_response()->mutable_headers());
    return;
  }
  const bool not_ready = outcome.kind == Outcome::Kind::kNotReady;
  response->mutable_status()->set_code(not_ready ? kCodeUnavailable : kCodePermissionDenied);
  response->mutable_status()->set_message(DenyMessage(outcome));
  auth::DeniedHttpResponse* denied = response->mutable_denied_response();
  denied->mutable_status()->set_code(not_ready ? ::envoy::type::v3::ServiceUnavailable : ::envoy::type::v3::Forbidden);
  AddHeaders(outcome, denied->mutable_headers());
}

void Check(const ForwardAuthConfig& mapping, const DecisionService& service, const auth::CheckRequest& request,
           Clock::time_point start, auth::CheckResponse* response) {
  thread_local Outcome outcome;
  const auth::AttributeContext& attributes = request.attributes();
  const auth::AttributeContext::HttpRequest& http = attributes.request().http();
  std::vector<HeaderLine> lines;
  if (absl::Status headers = ReadHeaders(http, &lines); !headers.ok()) {
    service.Refuse(kTransport, Refusal::kTooLarge, std::string(headers.message()), &outcome);
    Render(outcome, response);
    return;
  }
  GatewayRequest gateway;
  gateway.headers = lines;
  gateway.method = http.method();
  gateway.uri = http.path();
  gateway.host = http.host();
  gateway.source_principal = attributes.source().principal();
  if (attributes.source().address().has_socket_address()) {
    gateway.source_address = attributes.source().address().socket_address().address();
  }
  for (const auto& [key, value] : attributes.context_extensions()) gateway.extensions.emplace_back(key, value);
  service.Decide(Endpoint::kExtAuthz, [&](const Snapshot&, bool*) { return MapGatewayRequest(mapping, gateway); },
                 start, &outcome);
  Render(outcome, response);
}

// Check, with nothing thrown out of it: an exception is a deny.
void CheckNoThrow(const ForwardAuthConfig& mapping, const DecisionService& service,
                  const auth::CheckRequest& request, auth::CheckResponse* response) {
  const Clock::time_point start = Clock::now();
  try {
    Check(mapping, service, request, start, response);
  } catch (const std::exception& e) {
    Outcome outcome;
    service.Refuse(kTransport, Refusal::kInternal, absl::StrCat("internal error: ", e.what()), &outcome);
    Render(outcome, response);
  }
}

// gRPC's callback API: a Check is answered on the thread that read it
// (the synchronous API's thread pool started a thread per call when busy).
class AuthorizationService final : public auth::Authorization::CallbackService {
 public:
  AuthorizationService(ForwardAuthConfig mapping, const DecisionService* service)
      : mapping_(std::move(mapping)), service_(service) {}

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context, const auth::CheckRequest* request,
                                  auth::CheckResponse* response) override {
    CheckNoThrow(mapping_, *service_, *request, response);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const ForwardAuthConfig mapping_;
  const DecisionService* service_;
};

}  // namespace

std::string CheckSerialized(const ForwardAuthConfig& mapping, const DecisionService& service,
                            const std::string& request) {
  auth::CheckRequest parsed;
  auth::CheckResponse response;
  if (!parsed.ParseFromString(request)) {
    Outcome outcome;
    service.Refuse(kTransport, Refusal::kMalformed, "the CheckRequest does not parse", &outcome);
    Render(outcome, &response);
  } else {
    CheckNoThrow(mapping, service, parsed, &response);
  }
  return response.SerializeAsString();
}

struct ExtAuthzServer::Impl {
  Impl(ForwardAuthConfig mapping, const DecisionService* service) : authorization(std::move(mapping), service) {}

  // The health service says SERVING, for the server ("") and for the
  // Authorization service by name, while a policy set is loaded (a server
  // pulling bundles may have none yet): checked every 250 ms.
  void WatchReadiness(const PolicyHolder* holder) {
    grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
    bool serving = false;
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      const bool now = static_cast<bool>(holder->Current());
      if (health != nullptr && (now != serving || !started)) {
        health->SetServingStatus(now);
        health->SetServingStatus(auth::Authorization::service_full_name(), now);
        started = true;
        serving = now;
      }
      if (cv.wait_for(lock, std::chrono::milliseconds(250), [&] { return stop; })) return;
    }
  }

  AuthorizationService authorization;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  bool started = false;
  std::thread readiness;
};

absl::StatusOr<std::unique_ptr<ExtAuthzServer>> ExtAuthzServer::Start(const ExtAuthzOptions& options,
                                                                       ForwardAuthConfig mapping,
                                                                       const DecisionService* service) {
  if (absl::StatusOr<ListenAddress> address = ParseListenAddress(options.listen); !address.ok()) {
    return address.status();
  }
  auto impl = std::make_unique<Impl>(std::move(mapping), service);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &impl->port);
  builder.RegisterService(&impl->authorization);
  builder.SetMaxReceiveMessageSize(static_cast<int>(kMaxGrpcMessageBytes));
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, static_cast<int>(kMaxHeaderBytes));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, kMaxGrpcStreams);
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             static_cast<int>(std::chrono::milliseconds(kRequestTimeout).count()));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             static_cast<int>(std::chrono::milliseconds(kGrpcIdleTimeout).count()));
  grpc::ResourceQuota quota("writ-ext-authz");
  quota.Resize(kGrpcMemoryBytes);
  builder.SetResourceQuota(quota);
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || impl->port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen, " for gRPC"));
  }
  Impl* raw = impl.get();
  impl->readiness = std::thread([raw, holder = service->holder()] { raw->WatchReadiness(holder); });
  return std::unique_ptr<ExtAuthzServer>(new ExtAuthzServer(std::move(impl)));
}

ExtAuthzServer::ExtAuthzServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ExtAuthzServer::~ExtAuthzServer() { Stop(); }

std::uint16_t ExtAuthzServer::port() const { return static_cast<std::uint16_t>(impl_->port); }

void ExtAuthzServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (impl_->stop) return;
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  if (impl_->readiness.joinable()) impl_->readiness.join();
  impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  impl_->server->Wait();
}

}  // namespace writ::serve
