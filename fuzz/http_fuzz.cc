// Fuzzing: the HTTP handler of `writ serve` (src/serve/handler.h) fed raw
// bytes. The bytes are parsed with Boost.Beast's request parser under the
// server's limits, as src/serve/server.cc does, and a request that parses is
// handed to the Handler, which holds the example pack compiled (with its
// schema, so /v1/authorize reads requests through it). Endpoints: decide,
// batch, forward-auth (two configurations, by the first byte), health.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include "absl/status/statusor.h"
#include "src/serve/forward_auth.h"
#include "src/serve/handler.h"
#include "src/serve/limits.h"
#include "src/serve/metrics.h"
#include "src/serve/policy_store.h"
#include "writ/engine.h"
#include "writ/json.h"
#include "writ/policy_set.h"
#include "writ/schema.h"

namespace {

namespace http = boost::beast::http;
using writ::serve::Handler;

std::string Slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Fixture {
  writ::serve::PolicyHolder holder;
  writ::serve::Metrics metrics;
  std::unique_ptr<Handler> plain, context;   // default forward-auth config; with context headers

  Fixture() {
    std::vector<writ::Issue> issues;
    writ::PolicySet policies;
    if (!policies.Add(Slurp(WRIT_SOURCE_DIR "/policies/example/policies.cedar"), "policies.cedar", &issues).ok()) {
      std::fprintf(stderr, "http_fuzz: the example policies do not load\n%s", writ::RenderIssues(issues).c_str());
      std::abort();
    }
    absl::StatusOr<writ::Schema> schema =
        writ::Schema::Parse(Slurp(WRIT_SOURCE_DIR "/policies/example/schema.cedarschema"), "schema", &issues);
    writ::JsonOptions json;
    if (schema.ok()) json.schema = &*schema;
    absl::StatusOr<writ::Entities> entities =
        writ::EntitiesFromJson(Slurp(WRIT_SOURCE_DIR "/policies/example/entities.json"), "entities.json", &issues, json);
    absl::StatusOr<std::unique_ptr<const writ::Engine>> engine =
        writ::Engine::Compile(policies, entities.ok() ? *std::move(entities) : writ::Entities{});
    if (!schema.ok() || !engine.ok()) {
      std::fprintf(stderr, "http_fuzz: the example pack does not load\n%s", writ::RenderIssues(issues).c_str());
      std::abort();
    }
    holder.Install(std::shared_ptr<const writ::Engine>(*std::move(engine)), "fuzz", *std::move(schema));
    plain = std::make_unique<Handler>(writ::serve::ForwardAuthConfig{}, &holder, &metrics, nullptr);
    writ::serve::ForwardAuthConfig with_context;
    with_context.principal_extract = writ::serve::PrincipalExtract::kValue;
    with_context.principal_header = "x-principal";
    with_context.context_headers = {"x-env", "x-tags"};
    context = std::make_unique<Handler>(with_context, &holder, &metrics, nullptr);
  }
};

std::string_view Sv(boost::beast::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture* fixture = new Fixture;
  if (size == 0) return 0;
  const Handler& handler = (data[0] & 1) ? *fixture->context : *fixture->plain;
  ++data;
  --size;

  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(writ::serve::kMaxHeaderBytes));
  parser.body_limit(writ::serve::kMaxBodyBytes);
  parser.eager(true);
  boost::beast::error_code ec;
  std::size_t offset = 0;
  while (offset < size && !parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::const_buffer(data + offset, size - offset), ec);
    if (ec || used == 0) break;
    offset += used;
  }
  if (!parser.is_done()) return 0;   // the server answers these itself (400, 413, 431) or waits

  const http::request<http::string_body>& req = parser.get();
  writ::serve::HttpRequest request;
  request.method = Sv(req.method_string());
  request.target = Sv(req.target());
  request.body = req.body();
  for (const auto& field : req) request.headers.emplace_back(Sv(field.name_string()), Sv(field.value()));
  const writ::serve::HttpReply reply = handler.Handle(request, std::chrono::steady_clock::now());
  if (reply.status < 100 || reply.status > 599) {
    std::fprintf(stderr, "http_fuzz: status %d\n", reply.status);
    __builtin_trap();
  }
  return 0;
}
