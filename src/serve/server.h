// serve: the HTTP server of `writ serve` — Boost.Beast on Asio, confined to
// server.cc: N threads, each running its own io_context (connections are
// spread round-robin), keep-alive, the bounds of
// src/serve/limits.h on every connection (header and body sizes, the
// request timeout, the connection cap), each answered by a Handler —
// on the connection's thread, or, for a request that may take long (a
// batch, a large body: Handler::MayTakeLong), on a pool of as many deciding
// threads, so that one large request never stalls the other connections
// (health checks included) of its HTTP thread.
//
// Example:
//   writ::serve::ServerOptions options;
//   options.listen = "127.0.0.1:0";   // an ephemeral port
//   auto server = writ::serve::Server::Start(options, &handler);
//   std::uint16_t port = (*server)->port();
//   ...
//   (*server)->Stop();
#ifndef WRIT_SRC_SERVE_SERVER_H_
#define WRIT_SRC_SERVE_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "src/serve/handler.h"
#include "src/serve/limits.h"

namespace writ::serve {

struct ServerOptions {
  // Where to listen: `HOST:PORT` with HOST an IPv4 address or a bracketed
  // IPv6 address (`[::1]:8181`); no names are resolved, nothing else is
  // bound. Port 0 picks a free port (see Server::port()).
  std::string listen;
  int threads = 2;   // 1..64
  // Per request and per response (limits.h); tests shorten it.
  std::chrono::milliseconds request_timeout = kRequestTimeout;
};

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
// Reads `HOST:PORT` as above.
absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view text);

class Server {
 public:
  // Binds and starts serving on options.threads threads. `handler` must
  // outlive the server.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options, const Handler* handler);
  ~Server();   // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port bound (the chosen one when 0 was asked).
  std::uint16_t port() const;
  // Stops accepting, closes every connection and joins the threads.
  void Stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Catches SIGINT, SIGTERM and SIGHUP from its construction on, so that a
// signal arriving before Wait (while the first policy set loads, say) is
// kept and acted on when Wait starts rather than killing the process.
class SignalWaiter {
 public:
  SignalWaiter();
  ~SignalWaiter();
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;

  // Blocks the calling thread until SIGINT or SIGTERM arrives, calling
  // `on_reload` (on this thread) for each SIGHUP meanwhile.
  void Wait(const std::function<void()>& on_reload);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_SERVER_H_
