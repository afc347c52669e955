// Load generator for ext_authz over gRPC (`writ serve --grpc-listen`): keeps
// CONCURRENCY Check calls in flight for SECONDS, as Envoy's ext_authz filter
// would send them, and prints requests/s and latency percentiles. The
// counterpart of wrk with bench/serve/forward_auth.lua for /v1/forward-auth
// (same policies: bench/serve/forward_auth.cedar; bench/serve/run.sh runs both).
//
//   ext_authz_load 127.0.0.1:9191 [--concurrency 16] [--seconds 10]
//                  [--threads 1] [--deny-every 0] [--warmup 1]
//
// The calls are asynchronous (one CompletionQueue per client thread, each
// keeping its share of the in-flight calls); --deny-every K makes every K-th
// call a request the policies deny. Latency is from starting a call to its
// completion, per call. Exit 1 if any call failed or was decided otherwise
// than expected.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "envoy/service/auth/v3/external_auth.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
using envoy::service::auth::v3::Authorization;
using envoy::service::auth::v3::CheckRequest;
using envoy::service::auth::v3::CheckResponse;

struct Options {
  std::string target;
  int concurrency = 16;
  double seconds = 10;
  int threads = 1;
  int deny_every = 0;
  double warmup = 1;
};

// What Envoy's ext_authz filter sends for `GET /api/v1/orders//42/./items?limit=10`
// from the payments API over mTLS (the request of bench/serve/forward_auth.lua).
CheckRequest MakeRequest(bool deny) {
  CheckRequest request;
  auto* attributes = request.mutable_attributes();
  auto* source = attributes->mutable_source();
  source->set_principal("spiffe://prod.acme.io/ns/payments/sa/api");
  source->mutable_address()->mutable_socket_address()->set_address("10.1.2.3");
  source->mutable_address()->mutable_socket_address()->set_port_value(41234);
  attributes->mutable_destination()->set_principal("spiffe://prod.acme.io/ns/shop/sa/backend");
  auto* http = attributes->mutable_request()->mutable_http();
  const std::string path = deny ? "/api/v1/admin" : "/api/v1/orders//42/./items?limit=10";
  http->set_id("4126816423442526393");
  http->set_method("GET");
  http->set_path(path);
  http->set_host("shop.example");
  http->set_scheme("https");
  http->set_protocol("HTTP/1.1");
  auto& headers = *http->mutable_headers();
  headers[":authority"] = "shop.example";
  headers[":method"] = "GET";
  headers[":path"] = path;
  headers[":scheme"] = "https";
  headers["user-agent"] = "curl/7.88.1";
  headers["accept"] = "*/*";
  headers["x-request-id"] = "0b9a4c0e-8a4f-4f6c-9d0b-3f1e2b7c6d5a";
  headers["x-forwarded-proto"] = "https";
  return request;
}

// One call in flight; its address is the CompletionQueue tag.
struct Call {
  grpc::ClientContext context;
  CheckResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<CheckResponse>> reader;
  Clock::time_point started;
  bool deny = false;
};

struct Tally {
  std::vector<std::uint32_t> latency_ns;   // measured calls only
  std::uint64_t allow = 0, deny = 0, failed = 0, unexpected = 0;
  std::string first_failure;
};

// Drives `inflight` calls on its own CompletionQueue until `end`; calls
// completing before `measure_from` are not counted.
void Drive(Authorization::Stub* stub, const Options& options, int inflight, Clock::time_point measure_from,
           Clock::time_point end, std::atomic<std::uint64_t>* sequence, Tally* tally) {
  const CheckRequest allow_request = MakeRequest(false);
  const CheckRequest deny_request = MakeRequest(true);
  grpc::CompletionQueue queue;
  auto start = [&](Call* call) {
    const std::uint64_t n = sequence->fetch_add(1, std::memory_order_relaxed);
    call->deny = options.deny_every > 0 && n % static_cast<std::uint64_t>(options.deny_every) == 0;
    call->started = Clock::now();
    call->reader = stub->PrepareAsyncCheck(&call->context, call->deny ? deny_request : allow_request, &queue);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
  };
  int outstanding = 0;
  for (int i = 0; i < inflight; ++i) {
    start(new Call);
    ++outstanding;
  }
  void* tag = nullptr;
  bool ok = false;
  while (outstanding > 0 && queue.Next(&tag, &ok)) {
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    const Clock::time_point now = Clock::now();
    --outstanding;
    if (now >= measure_from && now < end) {
      tally->latency_ns.push_back(static_cast<std::uint32_t>(
          std::min<std::int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - call->started).count(),
                                 UINT32_MAX)));
      if (!ok || !call->status.ok()) {
        if (tally->failed++ == 0) tally->first_failure = call->status.error_message();
      } else {
        const int code = call->response.status().code();
        if (code == 0) ++tally->allow;
        if (code == 7) ++tally->deny;
        if (code != (call->deny ? 7 : 0)) {
          if (tally->unexpected++ == 0) {
            tally->first_failure = "status " + std::to_string(code) + " " + call->response.status().message();
          }
        }
      }
    }
    if (now < end) {
      start(new Call);
      ++outstanding;
    }
  }
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
}

bool ParseArgs(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (arg == "--concurrency" && (v = value())) {
      options->concurrency = std::atoi(v);
    } else if (arg == "--seconds" && (v = value())) {
      options->seconds = std::atof(v);
    } else if (arg == "--threads" && (v = value())) {
      options->threads = std::atoi(v);
    } else if (arg == "--deny-every" && (v = value())) {
      options->deny_every = std::atoi(v);
    } else if (arg == "--warmup" && (v = value())) {
      options->warmup = std::atof(v);
    } else if (!arg.empty() && arg[0] != '-' && options->target.empty()) {
      options->target = arg;
    } else {
      return false;
    }
  }
  return !options->target.empty() && options->concurrency >= 1 && options->threads >= 1 &&
         options->threads <= options->concurrency && options->seconds > 0 && options->warmup >= 0 &&
         options->deny_every >= 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseArgs(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: ext_authz_load HOST:PORT [--concurrency N] [--seconds S] [--threads T] "
                 "[--deny-every K] [--warmup S]\n");
    return 2;
  }
  // One HTTP/2 connection per client thread (as Envoy keeps one per worker).
  std::vector<std::unique_ptr<Authorization::Stub>> stubs;
  for (int t = 0; t < options.threads; ++t) {
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);   // its own connection, not a shared one
    auto channel = grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), arguments);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
      std::fprintf(stderr, "ext_authz_load: cannot connect to %s\n", options.target.c_str());
      return 1;
    }
    stubs.push_back(Authorization::NewStub(channel));
  }
  const Clock::time_point measure_from =
      Clock::now() + std::chrono::microseconds(static_cast<std::int64_t>(options.warmup * 1e6));
  const Clock::time_point end = measure_from + std::chrono::microseconds(static_cast<std::int64_t>(options.seconds * 1e6));
  std::atomic<std::uint64_t> sequence{0};
  std::vector<Tally> tallies(options.threads);
  std::vector<std::thread> threads;
  for (int t = 0; t < options.threads; ++t) {
    const int inflight = options.concurrency / options.threads + (t < options.concurrency % options.threads ? 1 : 0);
    threads.emplace_back(Drive, stubs[t].get(), std::cref(options), inflight, measure_from, end, &sequence,
                         &tallies[t]);
  }
  for (auto& thread : threads) thread.join();

  Tally all;
  for (Tally& t : tallies) {
    all.latency_ns.insert(all.latency_ns.end(), t.latency_ns.begin(), t.latency_ns.end());
    all.allow += t.allow;
    all.deny += t.deny;
    all.failed += t.failed;
    all.unexpected += t.unexpected;
    if (all.first_failure.empty()) all.first_failure = t.first_failure;
  }
  std::sort(all.latency_ns.begin(), all.latency_ns.end());
  auto percentile = [&](double p) -> double {
    if (all.latency_ns.empty()) return 0;
    const std::size_t i = std::min(all.latency_ns.size() - 1, static_cast<std::size_t>(p * all.latency_ns.size()));
    return all.latency_ns[i] / 1000.0;
  };
  const std::size_t calls = all.latency_ns.size();
  std::printf("ext_authz Check %s: %d in flight, %d client thread(s), %.1f s\n", options.target.c_str(),
              options.concurrency, options.threads, options.seconds);
  std::printf("Requests/sec: %.0f\n", calls / options.seconds);
  std::printf("calls %zu  allow %llu  deny %llu  failed %llu  unexpected %llu\n", calls,
              static_cast<unsigned long long>(all.allow), static_cast<unsigned long long>(all.deny),
              static_cast<unsigned long long>(all.failed), static_cast<unsigned long long>(all.unexpected));
  std::printf("latency p50 %.0fus  p90 %.0fus  p99 %.0fus  max %.0fus\n", percentile(0.50), percentile(0.90),
              percentile(0.99), percentile(1.0));
  if (all.failed > 0 || all.unexpected > 0) {
    std::fprintf(stderr, "ext_authz_load: %llu failed, %llu decided otherwise than expected; first: %s\n",
                 static_cast<unsigned long long>(all.failed), static_cast<unsigned long long>(all.unexpected),
                 all.first_failure.c_str());
    return 1;
  }
  return calls > 0 ? 0 : 1;
}
