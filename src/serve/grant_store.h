// serve: run-time grants in `writ serve` (writ/grants.h) — the grants file,
// the admin API's answers, carrying grants into each reloaded engine, and
// the sweep of expired grants.
//
// One mutex serialises every change: an admin request, a reload's carry
// and install, a sweep. Deciding never takes it (Engine::AddGrant and the
// rest are safe while other threads decide). Every change is written to the
// grants file atomically (a temporary file in the same folder, fsync,
// rename, fsync of the folder) before it is answered, so that a restart
// loses nothing; without a file, grants live in memory only.
//
// The file is the truth when there is one: each reload (policies changed,
// SIGHUP, or the grants file itself changed) reads it, verifies it, and adds
// every grant to the new engine before that engine is installed; a file that
// does not read, or a grant the new engine refuses (its template is gone,
// say), refuses the whole reload and the old engine keeps deciding with its
// grants. Grants already expired are dropped on the way (counted as expired).
// After a write failed (a revocation then stands in memory only), reloads
// carry the live grants instead of the file's until a write succeeds, so
// that a revoked grant never comes back.
//
//   POST   /v1/grants            one grant (the file's form) -> 201 and the grant
//   GET    /v1/grants            200, a JSON array of the live grants
//   DELETE /v1/grants/{link_id}  204; 404 when no live grant has that id
//   DELETE /v1/tasks/{task}      200 and the grants removed; 404 when the task has none
// Mistakes change nothing: 400 a body that is not one grant (its issues,
// located in the body), 409 a link id a live grant holds, 422 a grant the
// engine refuses (no such template, missing or extra slots, a link id a
// policy holds, a window past --max-grant-window or already over, past
// --max-grants), 404/405 other paths and methods, 503 before a policy set
// is loaded, 500 when the grants file cannot be written (a grant issued is
// then taken back; a revocation stands in memory, and the answer says the
// file still holds it).
#ifndef WRIT_SRC_SERVE_GRANT_STORE_H_
#define WRIT_SRC_SERVE_GRANT_STORE_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "src/serve/handler.h"
#include "src/serve/metrics.h"
#include "writ/engine.h"
#include "writ/grants.h"

namespace writ::serve {

class GrantStore {
 public:
  // `path`: the grants file ("" keeps grants in memory only); created empty
  // by Open when missing. `clock`: "now" for expiry (null: the system
  // clock). `metrics` may be null.
  GrantStore(std::string path, std::function<absl::Time()> clock, Metrics* metrics,
             std::function<void(const std::string&)> log);
  ~GrantStore();   // Stop()
  GrantStore(const GrantStore&) = delete;
  GrantStore& operator=(const GrantStore&) = delete;

  // Creates the grants file ("[]") when it does not exist, so that a path
  // that cannot be written fails at start rather than at the first grant.
  absl::Status Open();

  // A reload: adds the grants (the file's, read and verified; without a
  // file, those of the engine deciding now) to `engine`, then calls
  // `install` (which makes it current) and takes `engine` as the one
  // changes go to. On any failure — the file does not read (every issue,
  // file:line:col), a grant is refused (named), `install` fails — nothing
  // is installed and the error says why.
  absl::Status InstallWithGrants(const std::shared_ptr<Engine>& engine, const std::function<absl::Status()>& install);

  // Whether the grants file changed (modification time or size) since this
  // store last read or wrote it; false without a file.
  bool FileChanged() const;

  // The admin API (above). Takes the mutex.
  HttpReply HandleAdmin(const HttpRequest& request);

  // Removes the grants expired by now and rewrites the file; returns how
  // many. Start() runs it every kGrantSweepInterval on its own thread.
  std::size_t SweepExpired();
  void Start();
  void Stop();

  const std::string& path() const { return path_; }

 private:
  struct Stamp {
    std::int64_t mtime_ns = -1;
    std::uintmax_t size = 0;
    bool operator==(const Stamp&) const = default;
  };
  Stamp StampOf() const;
  // Writes `grants` to the file atomically; OK without a file. Requires mu_.
  absl::Status WriteLocked(const std::vector<Grant>& grants);
  void SetLiveLocked();
  HttpReply IssueGrant(std::string_view body);
  HttpReply Revoke(std::string_view link_id);
  HttpReply CloseTask(std::string_view task);
  HttpReply List();

  const std::string path_;
  const std::function<absl::Time()> clock_;
  Metrics* metrics_;
  std::function<void(const std::string&)> log_;

  mutable std::mutex mu_;            // every change; never taken by deciders
  std::shared_ptr<Engine> engine_;   // the engine deciding now; guarded by mu_
  Stamp stamp_;                      // of the file as last read or written; guarded by mu_
  bool file_behind_ = false;         // the last write failed; guarded by mu_

  std::mutex sweep_mu_;
  std::condition_variable sweep_cv_;
  bool stop_ = false;
  std::thread sweeper_;
};

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_GRANT_STORE_H_
