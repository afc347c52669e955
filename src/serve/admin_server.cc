// serve: the admin listener — HTTP/1.1 on a Unix domain socket (Boost.Beast
// over Asio's local::stream_protocol), one thread, the main listener's
// bounds; requests go to GrantStore::HandleAdmin.
#include "src/serve/admin_server.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/local/stream_protocol.hpp"
#include "boost/asio/post.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "src/base/strings.h"

namespace writ::serve {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using local = net::local::stream_protocol;
using Stream = beast::basic_stream<local, net::any_io_executor>;

std::string_view Sv(beast::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace

struct AdminServer::Impl {
  GrantStore* grants = nullptr;
  std::string path;
  std::chrono::milliseconds timeout = kRequestTimeout;
  net::io_context ioc{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::unique_ptr<local::acceptor> acceptor;
  std::thread thread;
  bool stopped = false;

  void Accept();
};

namespace {

class AdminSession : public std::enable_shared_from_this<AdminSession> {
 public:
  AdminSession(local::socket socket, AdminServer::Impl* server) : stream_(std::move(socket)), server_(server) {}

  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
    parser_->body_limit(kMaxAdminBodyBytes);
    stream_.expires_after(server_->timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&AdminSession::OnRead, shared_from_this()));
  }

 private:
  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout) return Close();
    if (ec == http::error::body_limit) {
      return Send(413, absl::StrCat("{\"error\":\"the body is larger than ", kMaxAdminBodyBytes, " bytes\"}\n"), {},
                  11, false);
    }
    if (ec == http::error::header_limit) {
      return Send(431, absl::StrCat("{\"error\":\"the headers are larger than ", kMaxHeaderBytes, " bytes\"}\n"), {},
                  11, false);
    }
    if (ec && ec.category() == beast::error_code(http::error::bad_target).category()) {
      return Send(400, "{\"error\":\"malformed HTTP request\"}\n", {}, 11, false);
    }
    if (ec) return Close();
    const http::request<http::string_body>& req = parser_->get();
    HttpRequest request;
    request.method = Sv(req.method_string());
    request.target = Sv(req.target());
    request.body = req.body();
    for (const auto& field : req) request.headers.emplace_back(Sv(field.name_string()), Sv(field.value()));
    HttpReply reply;
    try {
      reply = server_->grants->HandleAdmin(request);
    } catch (const std::exception& e) {
      reply.status = 500;
      reply.body = "{\"error\":\"internal error\"}\n";
    }
    Send(reply.status, std::move(reply.body), std::move(reply.headers), req.version(), req.keep_alive(),
         reply.content_type);
  }

  void Send(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers, unsigned version,
            bool keep_alive, std::string_view content_type = "application/json") {
    out_.clear();
    absl::StrAppend(&out_, version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ", status, " ",
                    internal::Av(Sv(http::obsolete_reason(static_cast<http::status>(status)))),
                    "\r\nServer: writ\r\nCache-Control: no-store\r\n");
    if (status != 204) absl::StrAppend(&out_, "Content-Type: ", internal::Av(content_type), "\r\n");
    for (const auto& [name, value] : headers) absl::StrAppend(&out_, name, ": ", value, "\r\n");
    if (!keep_alive) out_ += "Connection: close\r\n";
    if (status != 204) absl::StrAppend(&out_, "Content-Length: ", body.size(), "\r\n");
    out_ += "\r\n";
    if (status != 204) out_ += body;
    stream_.expires_after(server_->timeout);
    net::async_write(stream_, net::buffer(out_),
                     [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
                       if (ec) return;
                       if (!keep_alive) return self->Close();
                       self->Read();
                     });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(local::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  Stream stream_;
  AdminServer::Impl* server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_;
};

// Whether something accepts connections on the socket at `path`.
bool SomeoneListens(const std::string& path) {
  net::io_context ioc;
  local::socket probe(ioc);
  beast::error_code ec;
  probe.connect(local::endpoint(path), ec);
  return !ec;
}

}  // namespace

void AdminServer::Impl::Accept() {
  acceptor->async_accept([this](beast::error_code ec, local::socket socket) {
    if (!acceptor->is_open()) return;
    if (!ec) std::make_shared<AdminSession>(std::move(socket), this)->Read();
    Accept();
  });
}

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(const std::string& path, GrantStore* grants,
                                                                std::chrono::milliseconds request_timeout) {
  if (path.empty()) return absl::InvalidArgumentError("--admin-socket needs a path");
  if (path.size() >= sizeof(sockaddr_un::sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--admin-socket ", path, ": longer than a Unix socket path may be (",
                     sizeof(sockaddr_un::sun_path) - 1, " bytes)"));
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return absl::FailedPreconditionError(
          absl::StrCat("--admin-socket ", path, ": exists and is not a socket; not replacing it"));
    }
    if (SomeoneListens(path)) {
      return absl::FailedPreconditionError(
          absl::StrCat("--admin-socket ", path, ": another server accepts on it"));
    }
    ::unlink(path.c_str());   // left by a previous run
  }
  auto impl = std::make_unique<Impl>();
  impl->grants = grants;
  impl->path = path;
  impl->timeout = request_timeout;
  impl->work.emplace(net::make_work_guard(impl->ioc));
  impl->acceptor = std::make_unique<local::acceptor>(impl->ioc);
  beast::error_code ec;
  impl->acceptor->open(local(), ec);
  if (ec) return absl::UnavailableError(absl::StrCat("--admin-socket ", path, ": cannot open a socket: ", ec.message()));
  // Created owner-only (no window where others may connect), and set so
  // whatever the umask was.
  const mode_t old_mask = ::umask(0177);
  impl->acceptor->bind(local::endpoint(path), ec);
  ::umask(old_mask);
  if (ec) return absl::UnavailableError(absl::StrCat("--admin-socket ", path, ": cannot bind: ", ec.message()));
  if (::chmod(path.c_str(), 0600) != 0) {
    ::unlink(path.c_str());
    return absl::UnavailableError(absl::StrCat("--admin-socket ", path, ": cannot chmod 0600"));
  }
  impl->acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    ::unlink(path.c_str());
    return absl::UnavailableError(absl::StrCat("--admin-socket ", path, ": cannot listen: ", ec.message()));
  }
  impl->Accept();
  impl->thread = std::thread([ioc = &impl->ioc] { ioc->run(); });
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AdminServer::~AdminServer() { Stop(); }

void AdminServer::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  net::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor->close(ec);
  });
  impl_->work.reset();
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  ::unlink(impl_->path.c_str());
}

}  // namespace writ::serve
