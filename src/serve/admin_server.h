// serve: the admin listener of `writ serve` (--admin-socket PATH) — HTTP/1.1
// on a Unix domain socket only, never TCP: the socket file's mode (0600, the
// owner of the server process) is its access control. Boost.Beast on Asio,
// confined to admin_server.cc, one thread; the bounds of the main listener
// (header size, kRequestTimeout) and kMaxAdminBodyBytes for a body. Each
// request is answered by GrantStore::HandleAdmin.
//
// A socket file left by a previous run (nothing accepts on it) is replaced;
// one a live server accepts on, or a path that is not a socket, is refused.
#ifndef WRIT_SRC_SERVE_ADMIN_SERVER_H_
#define WRIT_SRC_SERVE_ADMIN_SERVER_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "src/serve/grant_store.h"
#include "src/serve/limits.h"

namespace writ::serve {

class AdminServer {
 public:
  // Binds `path` (mode 0600) and serves on one thread. `grants` must
  // outlive the server.
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(const std::string& path, GrantStore* grants,
                                                            std::chrono::milliseconds request_timeout = kRequestTimeout);
  ~AdminServer();   // Stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Stops, closes every connection, joins the thread and removes the
  // socket file.
  void Stop();

  struct Impl;

 private:
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_ADMIN_SERVER_H_
