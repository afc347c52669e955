// serve: the policy set from a bundle pulled over HTTP(S) (`writ serve
// --bundle URL`), and revocations from a second, smaller bundle
// (`--revoked-url`), each polled on its own thread.
//
// Each poll GETs the URL with the ETag of the last bundle handled (taken or
// refused): 304 changes nothing. A fetched bundle is opened and verified
// (writ/bundle.h: bounds, names, every hash, the signature under one of the
// accepted keys), loaded, compiled, checked against the revision taken
// (lower: refused as stale; the same revision with other contents: refused
// as stale too — a revision names one content, so publish a higher one;
// the same revision and contents: nothing to do), then swapped into the
// PolicyHolder. A bundle that fails any step is refused whole, logged and
// counted by cause (metrics.h); the last good set keeps deciding.
//
// The revocation bundle holds only revocation files; it has its own
// revision sequence, and is applied to the server's one RevocationList
// without recompiling: the revoked set is the policy bundle's revocations
// together with the revocation bundle's.
//
// The last good copy of each (and its ETag) is kept in the cache folder,
// written atomically (a temporary file, then rename), and read back — and
// verified again — on start, so that a replica restarted while the server
// is unreachable decides from it.
//
// Polls come every period, ±10% (jitter, so that a fleet's requests
// spread); after a failed fetch or a refused bundle, the wait doubles from
// the period up to 10 times it (at most 5 minutes, never less than the
// period), back to the period after the next success.
#ifndef WRIT_SRC_SERVE_BUNDLE_SOURCE_H_
#define WRIT_SRC_SERVE_BUNDLE_SOURCE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "src/serve/bundle_fetch.h"
#include "src/serve/metrics.h"
#include "src/serve/policy_store.h"
#include "writ/authorize.h"
#include "writ/bundle.h"
#include "writ/revocation.h"

namespace writ::serve {

struct BundleSourceOptions {
  std::string bundle_url;    // --bundle
  std::string revoked_url;   // --revoked-url; "" for none
  std::string cache_dir;     // --bundle-cache; "" for no cache
  BundleVerifyOptions verify;   // --bundle-pubkey (the key files' PEM text), --bundle-allow-unsigned
  FetchOptions fetch;           // --bundle-ca
  std::chrono::milliseconds bundle_poll{30000};    // --bundle-poll
  std::chrono::milliseconds revoked_poll{5000};    // --revoked-poll
};

// How a bundle is fetched: FetchBundle, or a test's stand-in.
using BundleFetcher = std::function<absl::StatusOr<FetchResult>(
    const std::string& url, const std::string& etag, const std::atomic<bool>* cancel)>;

enum class PollOutcome : std::uint8_t {
  kTaken,        // a new bundle is in use
  kUnchanged,    // 304, or the same revision and contents again
  kRefused,      // fetched, and refused (the last good one keeps deciding)
  kFetchFailed,  // not fetched
};

class BundleSource {
 public:
  // `revoked` is the server's one revocation list (it replaces
  // decide.revoked). `log` gets one message per bundle taken or refused;
  // `metrics` may be null. `fetch` defaults to FetchBundle with
  // options.fetch.
  BundleSource(BundleSourceOptions options, DecideOptions decide, std::shared_ptr<RevocationList> revoked,
               PolicyHolder* holder, Metrics* metrics, std::function<void(const std::string&)> log,
               BundleFetcher fetch = nullptr);
  ~BundleSource();   // stops the threads
  BundleSource(const BundleSource&) = delete;
  BundleSource& operator=(const BundleSource&) = delete;

  // Takes the cached bundle and revocation bundle, when the cache holds
  // them and they verify; true when a cached policy bundle is now deciding.
  bool LoadCache();
  // One poll of each URL, now, on the calling thread.
  PollOutcome PollBundle();
  PollOutcome PollRevoked();
  // Starts the polling threads (the first poll at once); Stop ends them,
  // cancelling a fetch under way.
  void Start();
  void Stop();
  // Asks both threads to poll at once (SIGHUP).
  void Trigger();

  // The revisions taken (0: none yet).
  std::uint64_t revision() const { return policy_.revision.load(std::memory_order_acquire); }
  std::uint64_t revoked_revision() const { return revocations_.revision.load(std::memory_order_acquire); }

  // The wait after `failures` consecutive failures (0: the period), before
  // jitter; and `delay` jittered by `u` in [0, 1) to 90%..110% of it.
  static std::chrono::milliseconds Backoff(std::chrono::milliseconds period, int failures);
  static std::chrono::milliseconds Jitter(std::chrono::milliseconds delay, double u);

 private:
  struct Channel {
    BundleChannel which = BundleChannel::kPolicy;
    std::string url;
    std::chrono::milliseconds period{0};
    std::string cache_name;        // "bundle" or "revocations": NAME.tar.gz and NAME.etag
    // Touched by the channel's thread only (and before Start).
    std::string etag;              // of the last bundle handled, taken or refused
    std::string content;           // the taken bundle's identity: its manifest's paths and hashes
    int failures = 0;
    std::atomic<std::uint64_t> revision{0};
    std::thread thread;
  };
  PollOutcome Poll(Channel* c);
  // Verifies and loads `archive`, checks its revision, then takes it;
  // `from_cache` skips writing the cache.
  PollOutcome Apply(Channel* c, const std::string& archive, const std::string& etag, bool from_cache);
  // Makes a bundle that passed every check current (Apply records it as taken).
  PollOutcome TakePolicy(Channel* c, LoadedBundle bundle, const std::string& content, const std::string& etag,
                         bool from_cache);
  PollOutcome TakeRevocations(Channel* c, LoadedBundle bundle, const std::string& etag, bool from_cache);
  PollOutcome Refuse(Channel* c, BundleFailure why, const std::string& etag, const std::string& message);
  // The revocation list becomes the union of the two bundles' uids.
  absl::Status SyncRevocations(const std::vector<EntityUid>& from_policy, const std::vector<EntityUid>& from_list);
  void WriteCache(const Channel& c, const std::string& archive, const std::string& etag);
  void Run(Channel* c);

  const BundleSourceOptions options_;
  DecideOptions decide_;
  std::shared_ptr<RevocationList> revoked_;
  PolicyHolder* holder_;
  Metrics* metrics_;
  std::function<void(const std::string&)> log_;
  BundleFetcher fetch_;

  Channel policy_;
  Channel revocations_;

  std::mutex revoked_mu_;   // the two bundles' revocations, and the list's syncing
  std::vector<EntityUid> policy_revoked_;
  std::vector<EntityUid> list_revoked_;

  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> triggers_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_BUNDLE_SOURCE_H_
