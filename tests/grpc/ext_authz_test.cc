// Tests of ext_authz over gRPC (src/grpc): CheckRequest to decision to
// CheckResponse on the wire form, and the server with a real gRPC client
// (generated stubs) beside gRPC's health service.
#include "src/grpc/ext_authz.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include <memory>
#include <string>

#include "envoy/service/auth/v3/external_auth.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/serve/limits.h"
#include "writ/engine.h"
#include "writ/policy_set.h"

namespace writ::serve {
namespace {

namespace auth = ::envoy::service::auth::v3;
using ::testing::HasSubstr;

constexpr char kPolicies[] = R"(
permit(principal == Workload::"spiffe://td/ns/a", action == Action::"GET", resource)
  when { context.path like "/api/*" };
permit(principal == Workload::"spiffe://td/ns/t", action, resource)
  when { context has extensions && context.extensions has tenant && context.extensions.tenant == "a" &&
         context.source_address.isInRange(ip("10.0.0.0/8")) };
forbid(principal, action, resource == Path::"/api/secret");
)";

class ExtAuthzTest : public ::testing::Test {
 protected:
  void Load(const char* text = kPolicies) {
    PolicySet policies;
    std::vector<Issue> issues;
    ASSERT_TRUE(policies.Add(text, "policies.cedar", &issues).ok());
    absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(policies);
    ASSERT_TRUE(engine.ok()) << engine.status();
    holder_.Install(std::shared_ptr<const Engine>(*std::move(engine)), "digest");
  }

  static auth::CheckRequest Request(const std::string& principal, const std::string& method, const std::string& path) {
    auth::CheckRequest r;
    r.mutable_attributes()->mutable_source()->set_principal(principal);
    auto* http = r.mutable_attributes()->mutable_request()->mutable_http();
    http->set_method(method);
    http->set_path(path);
    http->set_host("shop.example");
    return r;
  }

  auth::CheckResponse Check(const auth::CheckRequest& request) {
    auth::CheckResponse response;
    EXPECT_TRUE(response.ParseFromString(CheckSerialized(mapping_, service_, request.SerializeAsString())));
    return response;
  }

  static std::string Header(const google::protobuf::RepeatedPtrField<envoy::config::core::v3::HeaderValueOption>& h,
                            const std::string& key) {
    for (const auto& o : h) {
      if (o.header().key() == key) return o.header().value();
    }
    return "<none>";
  }

  PolicyHolder holder_;
  Metrics metrics_;
  DecisionService service_{&holder_, &metrics_, nullptr};
  ForwardAuthConfig mapping_ = ForwardAuthConfig::GrpcDefaults();
};

TEST_F(ExtAuthzTest, AllowsWithHeadersForTheUpstream) {
  Load();
  auth::CheckResponse r = Check(Request("spiffe://td/ns/a", "GET", "/api//orders/./1?x=1"));
  EXPECT_EQ(r.status().code(), 0) << r.status().message();
  ASSERT_TRUE(r.has_ok_response());
  EXPECT_EQ(Header(r.ok_response().headers(), "x-writ-decision"), "allow");
  EXPECT_EQ(Header(r.ok_response().headers(), "x-writ-reasons"), "policy0");
  EXPECT_EQ(Header(r.ok_response().headers(), "x-writ-policy-version"), "1");
  // Ours overwrite whatever the client sent under the same names.
  EXPECT_EQ(r.ok_response().headers(0).append_action(),
            envoy::config::core::v3::HeaderValueOption::OVERWRITE_IF_EXISTS_OR_ADD);
  EXPECT_EQ(metrics_.decisions(Endpoint::kExtAuthz, true), 1u);
}

TEST_F(ExtAuthzTest, DeniesWithTheReason) {
  Load();
  auth::CheckResponse r = Check(Request("spiffe://td/ns/a", "GET", "/api/secret"));
  EXPECT_EQ(r.status().code(), 7);
  EXPECT_EQ(r.status().message(), "denied by policy2");
  ASSERT_TRUE(r.has_denied_response());
  EXPECT_EQ(r.denied_response().status().code(), envoy::type::v3::Forbidden);
  EXPECT_EQ(Header(r.denied_response().headers(), "x-writ-decision"), "deny");
  EXPECT_EQ(Header(r.denied_response().headers(), "x-writ-reasons"), "policy2");

  r = Check(Request("spiffe://td/ns/b", "GET", "/api/x"));
  EXPECT_EQ(r.status().code(), 7);
  EXPECT_EQ(r.status().message(), "no policy permits the request");
  EXPECT_EQ(metrics_.decisions(Endpoint::kExtAuthz, false), 2u);
}

TEST_F(ExtAuthzTest, DeniesWhatDoesNotMapSayingWhy) {
  Load();
  auth::CheckResponse r = Check(Request("", "GET", "/api/x"));
  EXPECT_EQ(r.status().code(), 7);
  EXPECT_THAT(r.status().message(), HasSubstr("no peer identity"));
  EXPECT_THAT(Header(r.denied_response().headers(), "x-writ-deny-reason"), HasSubstr("no peer identity"));
  EXPECT_THAT(Check(Request("spiffe://td/ns/a", "GET", "/api/public/..;/admin")).status().code(), 7);
  EXPECT_THAT(Check(Request("spiffe://td/ns/a", "GET", "/api/%2e%2e/%2e%2e/x")).status().message(),
              HasSubstr("above the root"));
  // A forged header supplies nothing: the decision follows http.path.
  auth::CheckRequest forged = Request("spiffe://td/ns/a", "GET", "/admin");
  (*forged.mutable_attributes()->mutable_request()->mutable_http()->mutable_headers())["x-forwarded-uri"] = "/api/x";
  EXPECT_EQ(Check(forged).status().code(), 7);
  EXPECT_EQ(metrics_.refusals(Refusal::kMalformed), 3u);
}

TEST_F(ExtAuthzTest, PassesExtensionsAndThePeersAddress) {
  Load();
  auth::CheckRequest r = Request("spiffe://td/ns/t", "POST", "/anything");
  r.mutable_attributes()->mutable_source()->mutable_address()->mutable_socket_address()->set_address("10.2.3.4");
  (*r.mutable_attributes()->mutable_context_extensions())["tenant"] = "a";
  EXPECT_EQ(Check(r).status().code(), 0);
  (*r.mutable_attributes()->mutable_context_extensions())["tenant"] = "b";
  EXPECT_EQ(Check(r).status().code(), 7);
  (*r.mutable_attributes()->mutable_context_extensions())["tenant"] = "a";
  r.mutable_attributes()->mutable_source()->mutable_address()->mutable_socket_address()->set_address("192.168.0.1");
  EXPECT_EQ(Check(r).status().code(), 7);
}

TEST_F(ExtAuthzTest, RawHeaderLinesAreSeparateValues) {
  Load();
  mapping_.context_headers = {"x-env"};
  // Two lines of a single-valued field (the principal from a header) are
  // ambiguity, as over HTTP; header_map carries them separately.
  mapping_.principal_extract = PrincipalExtract::kValue;
  mapping_.principal_header = "x-client";
  mapping_.principal_spiffe = false;
  auth::CheckRequest r = Request("", "GET", "/api/x");
  auto* map = r.mutable_attributes()->mutable_request()->mutable_http()->mutable_header_map();
  auto* h = map->add_headers();
  h->set_key("x-client");
  h->set_raw_value("a");
  h = map->add_headers();
  h->set_key("x-client");
  h->set_raw_value("b");
  EXPECT_THAT(Check(r).status().message(), HasSubstr("2 values where one is expected"));
}

TEST_F(ExtAuthzTest, BoundsHeadersAndExtensions) {
  Load();
  auth::CheckRequest r = Request("spiffe://td/ns/a", "GET", "/api/x");
  (*r.mutable_attributes()->mutable_request()->mutable_http()->mutable_headers())["x-big"] =
      std::string(kMaxHeaderBytes, 'x');
  auth::CheckResponse response = Check(r);
  EXPECT_EQ(response.status().code(), 7);
  EXPECT_THAT(response.status().message(), HasSubstr("more than the limit of 16384"));
  EXPECT_EQ(metrics_.refusals(Refusal::kTooLarge), 1u);

  r = Request("spiffe://td/ns/a", "GET", "/api/x");
  for (std::size_t i = 0; i <= kMaxContextExtensions; ++i) {
    (*r.mutable_attributes()->mutable_context_extensions())[std::to_string(i)] = "v";
  }
  EXPECT_THAT(Check(r).status().message(), HasSubstr("context extensions"));
  EXPECT_THAT(CheckSerialized(mapping_, service_, "\xff\xff not a message"), HasSubstr("does not parse"));
}

TEST_F(ExtAuthzTest, NotReadyIsUnavailable) {
  auth::CheckResponse r = Check(Request("spiffe://td/ns/a", "GET", "/api/x"));
  EXPECT_EQ(r.status().code(), 14);
  EXPECT_EQ(r.denied_response().status().code(), envoy::type::v3::ServiceUnavailable);
}

TEST_F(ExtAuthzTest, ServesCheckAndHealthOverGrpc) {
  absl::StatusOr<std::unique_ptr<ExtAuthzServer>> server =
      ExtAuthzServer::Start({"127.0.0.1:0"}, mapping_, &service_);
  ASSERT_TRUE(server.ok()) << server.status();
  std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials());
  std::unique_ptr<auth::Authorization::Stub> stub = auth::Authorization::NewStub(channel);

  // Health: NOT_SERVING until a policy set is loaded, then SERVING. The
  // health service's messages are encoded by hand (one string field, one
  // enum field) through the generic stub.
  auto health = [&] {
    grpc::GenericStub generic(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    const std::string request;   // HealthCheckRequest{service: ""}
    grpc::Slice slice(request);
    grpc::ByteBuffer in(&slice, 1);
    grpc::ByteBuffer out;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    generic.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &in, &out,
                      [&](grpc::Status s) {
                        std::lock_guard<std::mutex> lock(mu);
                        status = std::move(s);
                        done = true;
                        cv.notify_all();
                      });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (status.ok() && out.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    // HealthCheckResponse{status = 1: SERVING, 2: NOT_SERVING} is 08 01 / 08 02.
    return bytes == std::string("\x08\x01", 2) ? 1 : bytes == std::string("\x08\x02", 2) ? 2 : 0;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (health() != 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(health(), 2);
  Load();
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (health() != 1 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(health(), 1);

  grpc::ClientContext context;
  auth::CheckResponse response;
  ASSERT_TRUE(stub->Check(&context, Request("spiffe://td/ns/a", "GET", "/api/x"), &response).ok());
  EXPECT_EQ(response.status().code(), 0);

  // Past kMaxGrpcMessageBytes gRPC itself refuses the message.
  auth::CheckRequest big = Request("spiffe://td/ns/a", "GET", "/api/x");
  big.mutable_attributes()->mutable_request()->mutable_http()->set_body(std::string(kMaxGrpcMessageBytes, 'b'));
  grpc::ClientContext big_context;
  EXPECT_EQ(stub->Check(&big_context, big, &response).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // So is the call's own metadata past kMaxHeaderBytes; the server answers
  // the next calls. The oversized header block ends the HTTP/2 connection,
  // and a call sent before the client has seen it close fails UNAVAILABLE
  // ("Socket closed"), as with any connection a server closes: the client
  // retries on a new one.
  grpc::ClientContext metadata_context;
  metadata_context.AddMetadata("x-big", std::string(kMaxHeaderBytes + 1024, 'm'));
  response.Clear();
  EXPECT_FALSE(stub->Check(&metadata_context, Request("spiffe://td/ns/a", "GET", "/api/x"), &response).ok());
  EXPECT_FALSE(response.has_ok_response());
  grpc::Status next;
  for (int attempt = 0; attempt < 5; ++attempt) {
    grpc::ClientContext after;
    after.set_wait_for_ready(true);
    after.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    next = stub->Check(&after, Request("spiffe://td/ns/a", "GET", "/api/x"), &response);
    if (next.error_code() != grpc::StatusCode::UNAVAILABLE) break;
  }
  ASSERT_TRUE(next.ok()) << next.error_code() << ": " << next.error_message();
  EXPECT_EQ(response.status().code(), 0);
  (*server)->Stop();
}

}  // namespace
}  // namespace writ::serve
