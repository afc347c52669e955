// serve (bundles): the HTTP(S) client that fetches a bundle — Beast over
// Asio, TLS through asio::ssl (OpenSSL 3), each step driven to completion
// on the calling thread under a deadline, so that a dead or slow server
// costs at most the timeouts and a stop request ends a fetch at once.
#include "src/serve/bundle_fetch.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/base/strings.h"

namespace writ::serve {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using internal::Av;

// Response headers, at most (the status line and every header).
constexpr std::uint32_t kMaxResponseHeaderBytes = 64u << 10;
// How often a step waiting on the network looks at the deadline and `cancel`.
constexpr std::chrono::milliseconds kTick{50};

// Runs the io_context until one asynchronous step is done, its deadline
// passes or the fetch is cancelled; in the last two cases `abort` cancels
// the step, whose handler is then run (with operation_aborted) before
// returning, so no handler outlives the objects it refers to.
class Driver {
 public:
  Driver(asio::io_context* io, const std::atomic<bool>* cancel) : io_(io), cancel_(cancel) {}

  absl::Status Wait(const bool& done, Clock::time_point deadline, const std::function<void()>& abort,
                    std::string_view url, std::string_view what) {
    while (!done) {
      if (io_->stopped()) io_->restart();
      const Clock::time_point now = Clock::now();
      const bool cancelled = cancel_ != nullptr && cancel_->load(std::memory_order_relaxed);
      if (cancelled || now >= deadline) {
        abort();
        if (io_->stopped()) io_->restart();
        io_->run();
        if (cancelled) return absl::CancelledError(absl::StrCat(Av(url), ": fetch cancelled (stopping)"));
        return absl::DeadlineExceededError(absl::StrCat(Av(url), ": timed out ", Av(what)));
      }
      io_->run_for(std::min<Clock::duration>(deadline - now, kTick));
    }
    return absl::OkStatus();
  }

 private:
  asio::io_context* io_;
  const std::atomic<bool>* cancel_;
};

std::string HostHeader(const FetchUrl& u) {
  const bool ipv6 = u.host.find(':') != std::string::npos;
  std::string host = ipv6 ? absl::StrCat("[", u.host, "]") : u.host;
  const bool default_port = (u.tls && u.port == "443") || (!u.tls && u.port == "80");
  return default_port ? host : absl::StrCat(host, ":", u.port);
}

struct Exchange {
  Driver* driver;
  Clock::time_point deadline;
  const FetchUrl* u;
  const std::string* url;
  const std::string* etag;
  const FetchOptions* options;

  template <class Stream>
  absl::StatusOr<FetchResult> Run(Stream& stream, const std::function<void()>& abort) const {
    http::request<http::empty_body> req{http::verb::get, u->target, 11};
    req.set(http::field::host, HostHeader(*u));
    req.set(http::field::user_agent, "writ-serve");
    req.set(http::field::connection, "close");
    if (!etag->empty()) req.set(http::field::if_none_match, *etag);
    bool done = false;
    beast::error_code ec;
    http::async_write(stream, req, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (absl::Status s = driver->Wait(done, deadline, abort, *url, "sending the request"); !s.ok()) return s;
    if (ec) return absl::UnavailableError(absl::StrCat(*url, ": sending the request: ", ec.message()));

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.header_limit(kMaxResponseHeaderBytes);
    parser.body_limit(options->max_bytes);
    auto too_large = [&] {
      return absl::ResourceExhaustedError(
          absl::StrCat(*url, ": the bundle is larger than ", options->max_bytes, " bytes (kMaxBundleBytes)"));
    };
    done = false;
    http::async_read_header(stream, buffer, parser, [&](beast::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    if (absl::Status s = driver->Wait(done, deadline, abort, *url, "reading the response"); !s.ok()) return s;
    // The bound is checked here too, on the declared length and on the
    // body as it grows (the parser's own limit is not relied on alone).
    if (ec == http::error::body_limit) return too_large();
    if (ec) return absl::UnavailableError(absl::StrCat(*url, ": reading the response: ", ec.message()));
    if (boost::optional<std::uint64_t> length = parser.content_length(); length && *length > options->max_bytes) {
      return too_large();
    }
    while (!parser.is_done()) {
      done = false;
      http::async_read_some(stream, buffer, parser, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
      });
      if (absl::Status s = driver->Wait(done, deadline, abort, *url, "reading the response"); !s.ok()) return s;
      if (ec == http::error::body_limit || parser.get().body().size() > options->max_bytes) return too_large();
      if (ec) return absl::UnavailableError(absl::StrCat(*url, ": reading the response: ", ec.message()));
    }
    const http::response<http::string_body>& res = parser.get();
    const unsigned status = res.result_int();
    FetchResult out;
    if (auto it = res.find(http::field::etag); it != res.end() && it->value().size() <= kMaxEtagBytes) {
      out.etag = std::string(it->value());
    }
    if (status == 304) {
      out.not_modified = true;
      if (out.etag.empty()) out.etag = *etag;
      return out;
    }
    if (status == 200) {
      out.body = res.body();
      return out;
    }
    std::string why = absl::StrCat(*url, ": HTTP ", status, " ", std::string(res.reason()));
    if (status >= 300 && status < 400) {
      std::string location;
      if (auto it = res.find(http::field::location); it != res.end()) location = std::string(it->value().substr(0, 256));
      absl::StrAppend(&why, " (redirects are not followed; Location: ", location.empty() ? "none" : location, ")");
    }
    return absl::UnavailableError(why);
  }
};

}  // namespace

absl::StatusOr<FetchUrl> ParseFetchUrl(const std::string& url) {
  FetchUrl u;
  std::string_view rest(url);
  const std::string lower = absl::AsciiStrToLower(Av(rest.substr(0, 8)));
  if (absl::StartsWith(lower, "https://")) {
    u.tls = true;
    rest.remove_prefix(8);
  } else if (absl::StartsWith(lower, "http://")) {
    rest.remove_prefix(7);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("`", url, "`: a bundle URL is http:// or https://"));
  }
  for (char c : rest) {
    const unsigned char b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7F) {
      return absl::InvalidArgumentError(absl::StrCat("`", url, "`: spaces and control or non-ASCII bytes in the URL"));
    }
  }
  const std::size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("`", url, "`: user info in a bundle URL is not supported"));
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return absl::InvalidArgumentError(absl::StrCat("`", url, "`: unclosed `[`"));
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return absl::InvalidArgumentError(absl::StrCat("`", url, "`: text after `]`"));
      port = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return absl::InvalidArgumentError(absl::StrCat("`", url, "`: no host"));
  if (port.empty()) {
    u.port = u.tls ? "443" : "80";
  } else {
    int n = 0;
    if (!absl::SimpleAtoi(Av(port), &n) || n < 1 || n > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("`", url, "`: bad port `", Av(port), "`"));
    }
    u.port = absl::StrCat(n);
  }
  tail = tail.substr(0, tail.find('#'));
  u.target = tail.empty() || tail.front() != '/' ? absl::StrCat("/", Av(tail)) : std::string(tail);
  return u;
}

absl::StatusOr<FetchResult> FetchBundle(const std::string& url, const std::string& etag, const FetchOptions& options,
                                        const std::atomic<bool>* cancel) {
  absl::StatusOr<FetchUrl> parsed = ParseFetchUrl(url);
  if (!parsed.ok()) return parsed.status();
  const FetchUrl& u = *parsed;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + options.total_timeout;
  const Clock::time_point connect_deadline = std::min(deadline, start + options.connect_timeout);

  asio::io_context io;
  Driver driver(&io, cancel);
  beast::error_code ec;
  bool done = false;

  tcp::resolver resolver(io);
  tcp::resolver::results_type endpoints;
  resolver.async_resolve(u.host, u.port, [&](beast::error_code e, tcp::resolver::results_type r) {
    ec = e;
    endpoints = std::move(r);
    done = true;
  });
  if (absl::Status s = driver.Wait(done, connect_deadline, [&] { resolver.cancel(); }, url, "resolving the host");
      !s.ok()) {
    return s;
  }
  if (ec) return absl::UnavailableError(absl::StrCat(url, ": cannot resolve ", u.host, ": ", ec.message()));

  tcp::socket socket(io);
  done = false;
  asio::async_connect(socket, endpoints, [&](beast::error_code e, const tcp::endpoint&) {
    ec = e;
    done = true;
  });
  auto close = [&] {
    beast::error_code ignored;
    socket.close(ignored);
  };
  if (absl::Status s = driver.Wait(done, connect_deadline, close, url, "connecting"); !s.ok()) return s;
  if (ec) return absl::UnavailableError(absl::StrCat(url, ": cannot connect: ", ec.message()));

  const Exchange exchange{&driver, deadline, &u, &url, &etag, &options};
  if (!u.tls) return exchange.Run(socket, close);

  ssl::context ctx(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_verify_mode(ssl::verify_peer);
  if (!options.ca_file.empty()) {
    ctx.load_verify_file(options.ca_file, ec);
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat(url, ": cannot read the CA certificates in ", options.ca_file, ": ", ec.message()));
    }
  } else {
    ctx.set_default_verify_paths(ec);
    if (ec) return absl::FailedPreconditionError(absl::StrCat(url, ": the system's CA store: ", ec.message()));
  }
  ssl::stream<tcp::socket> stream(std::move(socket), ctx);
  auto close_tls = [&] {
    beast::error_code ignored;
    stream.next_layer().close(ignored);
  };
  SSL* handle = stream.native_handle();
  beast::error_code not_ip;
  asio::ip::make_address(u.host, not_ip);
  if (not_ip) {
    // SNI, and the certificate must name the host (OpenSSL checks it
    // while verifying the chain).
    if (SSL_set_tlsext_host_name(handle, u.host.c_str()) != 1 || SSL_set1_host(handle, u.host.c_str()) != 1) {
      return absl::InternalError(absl::StrCat(url, ": cannot set the TLS host name"));
    }
  } else if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), u.host.c_str()) != 1) {
    return absl::InternalError(absl::StrCat(url, ": cannot set the TLS IP address"));
  }
  done = false;
  stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
    ec = e;
    done = true;
  });
  if (absl::Status s = driver.Wait(done, deadline, close_tls, url, "in the TLS handshake"); !s.ok()) return s;
  if (ec) {
    std::string why = ec.message();
    if (const long verify = SSL_get_verify_result(handle); verify != X509_V_OK) {
      why = absl::StrCat("certificate not accepted: ", X509_verify_cert_error_string(verify));
    }
    return absl::UnavailableError(absl::StrCat(url, ": TLS handshake: ", why));
  }
  return exchange.Run(stream, close_tls);
}

}  // namespace writ::serve
