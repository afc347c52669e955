// serve: the policy set that decides now, and its reloading.
//
// PolicyHolder keeps the current Snapshot — a compiled engine and its
// version — behind an atomic pointer: a request takes one snapshot and
// decides with it start to finish, so a reload never changes a decision
// half-way, and every decision names the version it was made under.
// (Not std::atomic<std::shared_ptr>: libstdc++ 12 implements it with a lock
// bit that ThreadSanitizer cannot see, and readers would spin on it.)
//
// Reloader reads and compiles the sources (policies, entities, schema,
// revocation file) on its own thread, off the request path, and swaps the result in
// only when everything read and compiled; otherwise the old set keeps
// serving and the failure is logged and counted. It reloads when asked
// (SIGHUP: Trigger) and when a source file changes: every
// kReloadPollInterval it compares each file's modification time and size
// (and, for a directory, which *.cedar files it holds) with the last load.
#ifndef WRIT_SRC_SERVE_POLICY_STORE_H_
#define WRIT_SRC_SERVE_POLICY_STORE_H_

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/serve/metrics.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/revocation.h"
#include "writ/schema.h"

namespace writ::serve {

class GrantStore;   // grant_store.h

struct Snapshot {
  std::uint64_t version = 0;     // 1 for the first set, then +1 per successful reload
  std::string digest;            // Digest of the sources' names and contents (of a bundle: its files' paths and hashes)
  std::shared_ptr<const Engine> engine;
  // The schema requests are read through (--schema), loaded with the
  // policies; unset without one.
  std::optional<Schema> schema;
  absl::Time loaded_at;
  // The revision of the bundle the set came from (`writ serve --bundle`,
  // writ/bundle.h); 0 when it was read from files.
  std::uint64_t bundle_revision = 0;
};

// Readers never lock and never wait: Current() is two atomic increments
// and a load. A reader is counted, in one of two counters, from Current()
// until its Ref goes; Install swaps the pointer in, then flips readers to
// the other counter and waits until each counter has drained once (the
// scheme of userspace RCU), so that a snapshot is freed only when no reader
// can hold it. Installing therefore waits for the requests in flight (a few
// microseconds each) — on the reloader's thread, never a request's.
class PolicyHolder {
 public:
  // A reader's hold on one snapshot; null before the first Install. Do not
  // keep one across an Install on the same thread (Install would wait for
  // it forever).
  class Ref {
   public:
    Ref() = default;
    Ref(Ref&& other) noexcept : snap_(other.snap_), count_(other.count_) {
      other.snap_ = nullptr;
      other.count_ = nullptr;
    }
    Ref& operator=(Ref&& other) noexcept {
      if (this != &other) {
        Release();
        snap_ = other.snap_;
        count_ = other.count_;
        other.snap_ = nullptr;
        other.count_ = nullptr;
      }
      return *this;
    }
    Ref(const Ref&) = delete;
    Ref& operator=(const Ref&) = delete;
    ~Ref() { Release(); }

    const Snapshot* get() const { return snap_; }
    const Snapshot* operator->() const { return snap_; }
    const Snapshot& operator*() const { return *snap_; }
    explicit operator bool() const { return snap_ != nullptr; }

   private:
    friend class PolicyHolder;
    void Release() {
      if (count_ != nullptr) count_->fetch_sub(1, std::memory_order_seq_cst);
      count_ = nullptr;
      snap_ = nullptr;
    }
    const Snapshot* snap_ = nullptr;
    std::atomic<std::int64_t>* count_ = nullptr;
  };

  PolicyHolder() = default;
  ~PolicyHolder();
  PolicyHolder(const PolicyHolder&) = delete;
  PolicyHolder& operator=(const PolicyHolder&) = delete;

  // The snapshot deciding now (null before the first Install).
  Ref Current() const;
  // Makes `engine` current as the next version and returns that version;
  // the previous snapshot is freed once no reader holds it.
  std::uint64_t Install(std::shared_ptr<const Engine> engine, std::string digest,
                        std::optional<Schema> schema = std::nullopt, std::uint64_t bundle_revision = 0);

 private:
  struct alignas(64) Counter {
    std::atomic<std::int64_t> readers{0};
  };
  void WaitForReaders(std::size_t parity);

  mutable std::array<Counter, 2> counters_;
  std::atomic<std::uint64_t> epoch_{0};
  std::atomic<const Snapshot*> current_{nullptr};
  std::mutex install_mu_;   // installers only
  std::uint64_t last_version_ = 0;
};

// FNV-1a 64 of `parts` in order, each followed by a separator (so that
// ("ab","c") and ("a","bc") differ), as 16 hex digits: a snapshot's digest.
std::string Digest(const std::vector<std::string_view>& parts);

// Where the policy set comes from.
struct PolicySources {
  std::string policies;   // a .cedar file, or a directory: its *.cedar files, recursively, by path
  std::string entities;   // Cedar entity JSON; "" for none
  std::string schema;     // a Cedar schema (either form) entities and requests are read through; "" for none
  std::string revoked;    // revocation file (writ/revocation.h); "" for none
  std::string template_links;   // links of the templates, the Cedar CLI's --template-linked file; "" for none
};

// A loaded, compiled set, not yet current.
struct LoadedSet {
  std::shared_ptr<Engine> engine;   // not const: run-time grants are added to it (GrantStore)
  std::string digest;
  std::optional<Schema> schema;
  std::vector<EntityUid> revoked;   // the revocation file's uids
};

// Reads (the one loader, writ/load.h: a directory through its one walker)
// and compiles `sources`. `options` are the deciding options (its `revoked`
// list is the server's one list). On failure the message holds every
// issue, rendered with file:line:col; a schema that does not load fails the
// load (never a silently empty schema).
absl::StatusOr<LoadedSet> LoadPolicySet(const PolicySources& sources, const DecideOptions& options);

class Reloader {
 public:
  // `revoked` is the one revocation list kept for the server's life (it
  // replaces options.revoked), brought in line with the revocation file on
  // each successful load, so that revocations hold across reloads. `log`
  // receives one message per load or failure; `metrics` may be null.
  // `grants` (may be null: no run-time grants) carries the grants into each
  // new engine before it is installed (a grant that no longer holds refuses
  // the reload), and a change of its file reloads too.
  Reloader(PolicySources sources, DecideOptions options, std::shared_ptr<RevocationList> revoked,
           PolicyHolder* holder, Metrics* metrics, std::function<void(const std::string&)> log,
           GrantStore* grants = nullptr);
  ~Reloader();   // stops the thread

  // Loads now, on the calling thread; true when the new set is current.
  bool ReloadNow();
  // Starts the thread that polls the files and serves Trigger().
  void Start();
  // Asks the thread to reload soon, whether or not the files changed.
  void Trigger();
  void Stop();

 private:
  struct FileStamp {
    std::string path;
    std::int64_t mtime_ns = 0;
    std::uintmax_t size = 0;
    bool operator==(const FileStamp&) const = default;
  };
  std::vector<FileStamp> Stamps() const;
  void Run();

  const PolicySources sources_;
  DecideOptions options_;   // set in the constructor, then only read
  std::shared_ptr<RevocationList> revoked_;
  PolicyHolder* holder_;
  Metrics* metrics_;
  std::function<void(const std::string&)> log_;
  GrantStore* grants_;

  std::mutex load_mu_;                  // one load at a time
  std::vector<FileStamp> last_stamps_;  // guarded by load_mu_
  std::mutex mu_;
  std::condition_variable cv_;
  bool triggered_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_POLICY_STORE_H_
