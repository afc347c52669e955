// serve: the HTTP/1.1 server on Boost.Beast — accepting, reading each
// request within its bounds, handing it to the Handler and writing the
// reply; keep-alive; everything that goes wrong on a connection is a deny
// or a closed connection, never an allow.
#include "src/serve/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/signal_set.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/thread_pool.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "src/base/strings.h"
#include "src/serve/limits.h"

namespace writ::serve {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string_view Sv(beast::string_view s) { return std::string_view(s.data(), s.size()); }
using internal::Av;

}  // namespace

struct Server::Impl {
  const Handler* handler = nullptr;
  std::atomic<std::size_t> connections{0};
  // One io_context per thread, each run by its thread alone: a connection
  // lives on one of them (assigned round-robin), so threads share no
  // scheduler and a connection needs no strand. Declared after what
  // sessions use, so that the sessions still pending in them are destroyed
  // (with them) while those are alive.
  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  // Where requests that may take long are decided (Handler::MayTakeLong),
  // off the HTTP threads. Destroyed before the io_contexts: the jobs still
  // queued in it hold sessions, whose sockets belong to those.
  std::unique_ptr<net::thread_pool> deciders;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> accept_retry;
  std::size_t next_ioc = 0;   // used by the acceptor's thread only
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::chrono::milliseconds timeout = kRequestTimeout;
  bool stopped = false;

  explicit Impl(int threads) : deciders(std::make_unique<net::thread_pool>(static_cast<std::size_t>(threads))) {
    for (int i = 0; i < threads; ++i) {
      iocs.push_back(std::make_unique<net::io_context>(1));
      work.push_back(net::make_work_guard(*iocs.back()));
    }
    acceptor = std::make_unique<tcp::acceptor>(*iocs[0]);
    accept_retry = std::make_unique<net::steady_timer>(*iocs[0]);
  }
  ~Impl() {
    // The pool's queued jobs, then the acceptor and timer, before the
    // io_context they belong to.
    deciders.reset();
    accept_retry.reset();
    acceptor.reset();
    work.clear();
    iocs.clear();
  }
  void Accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl* server, bool overloaded)
      : stream_(std::move(socket)), server_(server), overloaded_(overloaded) {
    server_->handler->metrics()->ConnectionOpened();
  }
  ~Session() {
    server_->connections.fetch_sub(1, std::memory_order_relaxed);
    server_->handler->metrics()->ConnectionClosed();
  }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->overloaded_) {
        self->Send(self->server_->handler->Refuse(Refusal::kOverload, 503,
                                                  absl::StrCat("overloaded: more than ", kMaxConnections,
                                                               " connections")),
                   11, false);
      } else {
        self->Read();
      }
    });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
    parser_->body_limit(kMaxBodyBytes);
    stream_.expires_after(server_->timeout);   // for the header, the body and a 100 Continue
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  // A client that sent `Expect: 100-continue` (curl does for bodies over
  // 1 KiB) waits for a 100 Continue before it sends the body; a body too
  // large was refused already, on its Content-Length.
  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec || parser_->is_done()) return OnRead(ec, 0);
    const http::request<http::string_body>& req = parser_->get();
    if (req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                         if (!write_ec) self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    const Handler& handler = *server_->handler;
    if (ec == http::error::end_of_stream) return Close();
    if (ec == beast::error::timeout) {
      // The stream closed the socket; a request half-read is counted.
      if (parser_->got_some()) handler.metrics()->RecordRefusal(Refusal::kTimeout);
      return;
    }
    if (ec == http::error::body_limit) {
      return Send(handler.Refuse(Refusal::kTooLarge, 413,
                                 absl::StrCat("the body is larger than ", kMaxBodyBytes, " bytes")),
                  11, false);
    }
    if (ec == http::error::header_limit) {
      return Send(handler.Refuse(Refusal::kTooLarge, 431,
                                 absl::StrCat("the headers are larger than ", kMaxHeaderBytes, " bytes")),
                  11, false);
    }
    if (ec && ec.category() == beast::error_code(http::error::bad_target).category()) {   // HTTP parse errors
      return Send(handler.Refuse(Refusal::kMalformed, 400, absl::StrCat("malformed HTTP request: ", ec.message())),
                  11, false);
    }
    if (ec) return Close();   // reset, aborted: nobody to answer

    const http::request<http::string_body>& req = parser_->get();
    head_ = req.method() == http::verb::head;
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    HttpRequest request;
    request.method = Sv(req.method_string());
    request.target = Sv(req.target());
    request.body = req.body();
    request.headers = std::move(headers_);   // the vector is reused from request to request
    request.headers.clear();
    for (const auto& field : req) request.headers.emplace_back(Sv(field.name_string()), Sv(field.value()));
    const auto start = std::chrono::steady_clock::now();
    if (!Handler::MayTakeLong(request)) {
      HttpReply reply = handler.Handle(request, start);
      return Reply(std::move(request), std::move(reply));
    }
    // Decided on the pool; the request's views into parser_ stay valid
    // until the reply is sent, since nothing is read meanwhile.
    net::post(*server_->deciders, [self = shared_from_this(), request = std::move(request), start]() mutable {
      HttpReply reply = self->server_->handler->Handle(request, start);
      net::post(self->stream_.get_executor(),
                [self, request = std::move(request), reply = std::move(reply)]() mutable {
                  self->Reply(std::move(request), std::move(reply));
                });
    });
  }

  // On the connection's thread, once the request is answered.
  void Reply(HttpRequest request, HttpReply reply) {
    headers_ = std::move(request.headers);
    // A HEAD request (forward-auth passes the original method on) gets the
    // status and headers without a body, so that the framing stays right.
    if (head_) reply.body.clear();
    Send(std::move(reply), version_, keep_alive_);
  }

  // Writes the reply as one buffer. The header values are writ's own
  // (constants, numbers, HeaderSafe text); a control character among them
  // would still be dropped rather than let through to split the header.
  void Send(HttpReply reply, unsigned version, bool keep_alive) {
    out_.clear();
    const auto status = static_cast<http::status>(reply.status);
    absl::StrAppend(&out_, version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ", reply.status, " ",
                    Av(Sv(http::obsolete_reason(status))), "\r\nServer: writ\r\n");
    AppendHeader("Content-Type", reply.content_type);
    AppendHeader("Cache-Control", "no-store");
    for (const auto& [name, value] : reply.headers) AppendHeader(name, value);
    if (version == 10 && keep_alive) AppendHeader("Connection", "keep-alive");
    if (version != 10 && !keep_alive) AppendHeader("Connection", "close");
    absl::StrAppend(&out_, "Content-Length: ", reply.body.size(), "\r\n\r\n", reply.body);
    stream_.expires_after(server_->timeout);
    net::async_write(stream_, net::buffer(out_),
                     beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive));
  }
  void AppendHeader(std::string_view name, std::string_view value) {
    out_.append(name).append(": ");
    for (char c : value) {
      if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out_.push_back(c);
    }
    out_.append("\r\n");
  }

  void OnWrite(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive) return Close();
    Read();
  }

  // Shuts our side, then reads and discards what the client still sends
  // (a refused body, say) for a bounded time and amount, so that it reads
  // our answer rather than a connection reset (a lingering close).
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::min<std::chrono::milliseconds>(server_->timeout, std::chrono::seconds(2)));
    Drain();
  }
  void Drain() {
    stream_.async_read_some(net::buffer(drain_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (!ec && self->drained_ <= 2 * kMaxBodyBytes) self->Drain();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_;   // the reply being written
  std::vector<HeaderLine> headers_;
  std::array<char, 4096> drain_;
  std::size_t drained_ = 0;
  // Of the request being answered.
  bool head_ = false;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  Server::Impl* server_;
  bool overloaded_;
};

}  // namespace

void Server::Impl::Accept() {
  net::io_context& target = *iocs[next_ioc++ % iocs.size()];
  acceptor->async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
    if (!acceptor->is_open()) return;
    if (ec) {
      // Out of descriptors and the like: try again shortly, without spinning.
      accept_retry->expires_after(std::chrono::milliseconds(50));
      accept_retry->async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && acceptor->is_open()) Accept();
      });
      return;
    }
    beast::error_code opt_ec;
    socket.set_option(tcp::no_delay(true), opt_ec);
    const bool overloaded = connections.fetch_add(1, std::memory_order_relaxed) >= kMaxConnections;
    std::make_shared<Session>(std::move(socket), this, overloaded)->Run();
    Accept();
  });
}

absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat("--listen must be HOST:PORT (e.g. 127.0.0.1:8181), not `",
                                                   internal::Av(text), "`"));
  }
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return absl::InvalidArgumentError(absl::StrCat("--listen: malformed IPv6 address in `", internal::Av(text), "`"));
    }
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  net::ip::make_address(std::string(host), ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat("--listen: `", internal::Av(host),
                                                   "` is not an IP address (names are not resolved)"));
  }
  int port = -1;
  if (!absl::SimpleAtoi(internal::Av(text.substr(colon + 1)), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("--listen: the port must be 0..65535 in `", internal::Av(text), "`"));
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, const Handler* handler) {
  absl::StatusOr<ListenAddress> address = ParseListenAddress(options.listen);
  if (!address.ok()) return address.status();
  if (options.threads < 1 || options.threads > 64) {
    return absl::InvalidArgumentError("--threads must be 1..64");
  }
  auto impl = std::make_unique<Impl>(options.threads);
  impl->handler = handler;
  impl->timeout = options.request_timeout;
  boost::system::error_code ec;
  const tcp::endpoint endpoint(net::ip::make_address(address->host, ec), address->port);
  auto fail = [&](std::string_view what) {
    return absl::UnavailableError(absl::StrCat("cannot ", internal::Av(what), " ", options.listen, ": ", ec.message()));
  };
  impl->acceptor->open(endpoint.protocol(), ec);
  if (ec) return fail("open a socket for");
  impl->acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR on");
  impl->acceptor->bind(endpoint, ec);
  if (ec) return fail("bind");
  impl->acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  impl->port = impl->acceptor->local_endpoint(ec).port();
  impl->Accept();
  for (int i = 0; i < options.threads; ++i) {
    impl->threads.emplace_back([ioc = impl->iocs[static_cast<std::size_t>(i)].get()] { ioc->run(); });
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

std::uint16_t Server::port() const { return impl_->port; }

void Server::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  for (auto& ioc : impl_->iocs) ioc->stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
  // A request being decided finishes (its reply is posted to a stopped
  // io_context and dropped); those queued are dropped with the pool.
  impl_->deciders->stop();
  impl_->deciders->join();
  // No thread runs the io_context now: the connections still open are
  // closed when it is destroyed, with the Impl.
  beast::error_code ec;
  impl_->acceptor->close(ec);
  impl_->accept_retry->cancel();
}

struct SignalWaiter::Impl {
  net::io_context ioc{1};
  net::signal_set signals{ioc, SIGINT, SIGTERM, SIGHUP};
};

SignalWaiter::SignalWaiter() : impl_(std::make_unique<Impl>()) {}
SignalWaiter::~SignalWaiter() = default;

void SignalWaiter::Wait(const std::function<void()>& on_reload) {
  std::function<void(const beast::error_code&, int)> on_signal = [&](const beast::error_code& ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      on_reload();
      impl_->signals.async_wait(on_signal);
    }
  };
  impl_->signals.async_wait(on_signal);
  impl_->ioc.run();
  impl_->ioc.restart();
}

}  // namespace writ::serve
