// serve (bundles): the bundle poller — fetches the policy bundle and the
// revocation bundle on their own threads, verifies, loads and compiles each
// through writ/bundle.h, refuses what fails or goes back in revision, swaps
// the rest in, and keeps the last good copies in the cache folder.
#include "src/serve/bundle_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "src/base/file.h"
#include "src/base/strings.h"
#include "writ/limits.h"
#include "writ/load.h"

namespace writ::serve {
namespace {

namespace fs = std::filesystem;
using internal::Av;
using std::chrono::milliseconds;

// Issues quoted in a refusal's log message, at most.
constexpr std::size_t kMaxLoggedIssues = 20;

BundleFailure FailureOf(BundleFault fault) {
  switch (fault) {
    case BundleFault::kNone:   // an error without a fault: treat as the archive's
    case BundleFault::kArchive:
      return BundleFailure::kArchive;
    case BundleFault::kBound:
      return BundleFailure::kBound;
    case BundleFault::kManifest:
      return BundleFailure::kManifest;
    case BundleFault::kHash:
      return BundleFailure::kHash;
    case BundleFault::kSignature:
      return BundleFailure::kSignature;
    case BundleFault::kLoad:
      return BundleFailure::kLoad;
    case BundleFault::kStale:
      return BundleFailure::kStale;
  }
  return BundleFailure::kArchive;
}

std::string_view FailureName(BundleFailure why) {
  switch (why) {
    case BundleFailure::kFetch:
      return "fetch";
    case BundleFailure::kArchive:
      return "archive";
    case BundleFailure::kBound:
      return "bound";
    case BundleFailure::kManifest:
      return "manifest";
    case BundleFailure::kHash:
      return "hash";
    case BundleFailure::kSignature:
      return "signature";
    case BundleFailure::kLoad:
      return "load";
    case BundleFailure::kStale:
      return "stale";
    case BundleFailure::kCompile:
      return "compile";
  }
  return "?";
}

// What a bundle holds, by its manifest: the same string for the same files.
std::string ContentOf(const BundleManifest& m) {
  std::string out;
  for (const BundleFile& f : m.files) absl::StrAppend(&out, f.path, "\n", f.sha256, "\n");
  return out;
}

double UnixNow() { return absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()); }

// Writes `bytes` to `path` atomically: a temporary file beside it, flushed
// to disk, then renamed over it.
absl::Status WriteAtomically(const fs::path& path, std::string_view bytes) {
  const fs::path tmp = path.string() + absl::StrCat(".tmp.", ::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::InternalError(absl::StrCat(tmp.string(), ": ", std::strerror(errno)));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return absl::InternalError(absl::StrCat(tmp.string(), ": ", std::strerror(e)));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat(tmp.string(), ": ", std::strerror(e)));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat(path.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace

BundleSource::BundleSource(BundleSourceOptions options, DecideOptions decide, std::shared_ptr<RevocationList> revoked,
                           PolicyHolder* holder, Metrics* metrics, std::function<void(const std::string&)> log,
                           BundleFetcher fetch)
    : options_(std::move(options)), decide_(std::move(decide)), revoked_(std::move(revoked)), holder_(holder),
      metrics_(metrics), log_(std::move(log)), fetch_(std::move(fetch)) {
  decide_.revoked = revoked_;
  if (!fetch_) {
    const FetchOptions f = options_.fetch;
    fetch_ = [f](const std::string& url, const std::string& etag, const std::atomic<bool>* cancel) {
      return FetchBundle(url, etag, f, cancel);
    };
  }
  policy_.which = BundleChannel::kPolicy;
  policy_.url = options_.bundle_url;
  policy_.period = options_.bundle_poll;
  policy_.cache_name = "bundle";
  revocations_.which = BundleChannel::kRevocations;
  revocations_.url = options_.revoked_url;
  revocations_.period = options_.revoked_poll;
  revocations_.cache_name = "revocations";
  if (metrics_ != nullptr) {
    metrics_->EnableBundle(BundleChannel::kPolicy);
    if (!revocations_.url.empty()) metrics_->EnableBundle(BundleChannel::kRevocations);
  }
}

BundleSource::~BundleSource() { Stop(); }

milliseconds BundleSource::Backoff(milliseconds period, int failures) {
  const milliseconds cap = std::max(period, std::min<milliseconds>(period * 10, std::chrono::minutes(5)));
  milliseconds d = period;
  for (int i = 0; i < failures && d < cap; ++i) d *= 2;
  return std::min(d, cap);
}

milliseconds BundleSource::Jitter(milliseconds delay, double u) {
  const double factor = 0.9 + 0.2 * std::clamp(u, 0.0, 1.0);
  return milliseconds(static_cast<std::int64_t>(static_cast<double>(delay.count()) * factor));
}

bool BundleSource::LoadCache() {
  if (options_.cache_dir.empty()) return false;
  bool taken = false;
  for (Channel* c : {&policy_, &revocations_}) {
    if (c->url.empty()) continue;
    const fs::path dir(options_.cache_dir);
    absl::StatusOr<std::string> archive = internal::ReadFileBounded(dir / (c->cache_name + ".tar.gz"), kMaxBundleBytes);
    if (!archive.ok()) continue;
    std::string etag = internal::ReadFileBounded(dir / (c->cache_name + ".etag"), kMaxEtagBytes).value_or("");
    log_(absl::StrCat("writ serve: taking the cached ", c->cache_name, " from ", options_.cache_dir,
                      " (verified again)"));
    const PollOutcome outcome = Apply(c, *archive, etag, /*from_cache=*/true);
    if (c == &policy_ && outcome == PollOutcome::kTaken) taken = true;
  }
  return taken;
}

PollOutcome BundleSource::PollBundle() { return Poll(&policy_); }
PollOutcome BundleSource::PollRevoked() {
  if (revocations_.url.empty()) return PollOutcome::kUnchanged;
  return Poll(&revocations_);
}

PollOutcome BundleSource::Poll(Channel* c) {
  absl::StatusOr<FetchResult> fetched = fetch_(c->url, c->etag, &stop_);
  if (!fetched.ok()) {
    if (stop_.load()) return PollOutcome::kFetchFailed;
    if (metrics_ != nullptr) metrics_->RecordBundleFailure(c->which, BundleFailure::kFetch);
    // Logged when a streak of failures starts, then every 10th.
    if (c->failures % 10 == 0) {
      log_(absl::StrCat("writ serve: fetching the ", c->cache_name, " failed (", c->failures + 1, " in a row; ",
                        c->content.empty() ? "none taken yet" : "the last good one keeps deciding",
                        "): ", fetched.status().message()));
    }
    ++c->failures;
    return PollOutcome::kFetchFailed;
  }
  if (metrics_ != nullptr) metrics_->RecordBundleSuccess(c->which, UnixNow());
  if (fetched->not_modified) {
    if (c->failures > 0) log_(absl::StrCat("writ serve: ", c->url, " answers again (not modified)"));
    c->failures = 0;
    return PollOutcome::kUnchanged;
  }
  const PollOutcome outcome = Apply(c, fetched->body, fetched->etag, /*from_cache=*/false);
  if (outcome == PollOutcome::kRefused) {
    ++c->failures;
  } else {
    c->failures = 0;
  }
  return outcome;
}

PollOutcome BundleSource::Apply(Channel* c, const std::string& archive, const std::string& etag, bool from_cache) {
  std::vector<Issue> issues;
  BundleFault fault = BundleFault::kNone;
  absl::StatusOr<LoadedBundle> bundle = LoadBundle(archive, options_.verify, {}, &issues, &fault);
  if (!bundle.ok()) {
    std::string message(bundle.status().message());
    std::size_t n = 0;
    for (const Issue& i : issues) {
      if (i.severity != Severity::kError) continue;
      if (++n > kMaxLoggedIssues) {
        absl::StrAppend(&message, "\n(more issues not shown)");
        break;
      }
      absl::StrAppend(&message, "\n", RenderIssue(i));
    }
    return Refuse(c, FailureOf(fault), etag, message);
  }
  if (c->which == BundleChannel::kRevocations) {
    for (const BundleFile& f : bundle->manifest.files) {
      if (f.kind != SourceKind::kRevocations) {
        return Refuse(c, BundleFailure::kManifest, etag,
                      absl::StrCat("the revocation bundle holds ", f.path, " (", Av(SourceKindName(f.kind)),
                                   "): only revocation files belong in it"));
      }
    }
  }
  const std::uint64_t revision = bundle->manifest.revision;
  std::string content = ContentOf(bundle->manifest);
  if (!c->content.empty()) {
    const std::uint64_t current = c->revision.load();
    if (revision < current) {
      return Refuse(c, BundleFailure::kStale, etag,
                    absl::StrCat("revision ", revision, " is lower than revision ", current, ", already taken"));
    }
    if (revision == current) {
      if (content != c->content) {
        return Refuse(c, BundleFailure::kStale, etag,
                      absl::StrCat("revision ", revision,
                                   " was taken with other contents (a revision names one content: publish a higher one)"));
      }
      c->etag = etag;
      return PollOutcome::kUnchanged;
    }
  }
  const PollOutcome outcome = c->which == BundleChannel::kPolicy
                                  ? TakePolicy(c, *std::move(bundle), content, etag, from_cache)
                                  : TakeRevocations(c, *std::move(bundle), etag, from_cache);
  if (outcome != PollOutcome::kTaken) return outcome;
  c->revision.store(revision, std::memory_order_release);
  c->content = std::move(content);
  c->etag = etag;
  if (metrics_ != nullptr) metrics_->SetBundleRevision(c->which, revision);
  if (!from_cache) WriteCache(*c, archive, etag);
  return PollOutcome::kTaken;
}

PollOutcome BundleSource::Refuse(Channel* c, BundleFailure why, const std::string& etag, const std::string& message) {
  // The refused bundle's ETag is sent next time: the server answers 304
  // until the bundle changes, and it is neither fetched nor counted again.
  if (!etag.empty()) c->etag = etag;
  if (metrics_ != nullptr) metrics_->RecordBundleFailure(c->which, why);
  std::string serving = "nothing is deciding yet";
  if (const std::uint64_t r = c->revision.load(); r != 0 || !c->content.empty()) {
    serving = absl::StrCat("revision ", r, " keeps deciding");
  }
  log_(absl::StrCat("writ serve: ", c->cache_name, " from ", c->url, " refused (", Av(FailureName(why)), "; ", serving,
                    "): ", message));
  return PollOutcome::kRefused;
}

PollOutcome BundleSource::TakePolicy(Channel* c, LoadedBundle bundle, const std::string& content,
                                     const std::string& etag, bool from_cache) {
  const std::uint64_t revision = bundle.manifest.revision;
  std::vector<EntityUid> bundle_revoked = bundle.set.revoked;
  std::optional<Schema> schema = bundle.set.schema;
  absl::StatusOr<std::unique_ptr<const Engine>> engine = CompileLoaded(std::move(bundle.set), decide_);
  if (!engine.ok()) return Refuse(c, BundleFailure::kCompile, etag, std::string(engine.status().message()));
  const std::size_t policies = (*engine)->policy_count();
  const std::size_t entities = (*engine)->entity_count();
  {
    std::lock_guard<std::mutex> lock(revoked_mu_);
    if (absl::Status s = SyncRevocations(bundle_revoked, list_revoked_); !s.ok()) {
      return Refuse(c, BundleFailure::kBound, etag, std::string(s.message()));
    }
    policy_revoked_ = std::move(bundle_revoked);
  }
  const std::uint64_t version =
      holder_->Install(std::shared_ptr<const Engine>(*std::move(engine)), Digest({content}), std::move(schema), revision);
  if (metrics_ != nullptr) {
    metrics_->RecordReload(true);
    metrics_->SetPolicyVersion(version);
  }
  log_(absl::StrCat("writ serve: bundle revision ", revision, " (",
                    bundle.key_id.empty() ? std::string("unsigned") : absl::StrCat("key ", bundle.key_id), ", ",
                    policies, " policies, ", entities, " entities", from_cache ? ", from the cache" : "",
                    ") is deciding as policy version ", version));
  return PollOutcome::kTaken;
}

PollOutcome BundleSource::TakeRevocations(Channel* c, LoadedBundle bundle, const std::string& etag, bool from_cache) {
  const std::size_t count = bundle.set.revoked.size();
  {
    std::lock_guard<std::mutex> lock(revoked_mu_);
    if (absl::Status s = SyncRevocations(policy_revoked_, bundle.set.revoked); !s.ok()) {
      return Refuse(c, BundleFailure::kBound, etag, std::string(s.message()));
    }
    list_revoked_ = std::move(bundle.set.revoked);
  }
  log_(absl::StrCat("writ serve: revocation bundle revision ", bundle.manifest.revision, " (", count, " uids",
                    from_cache ? ", from the cache" : "", ") is applied; ", revoked_->size(), " uids revoked in all"));
  return PollOutcome::kTaken;
}

absl::Status BundleSource::SyncRevocations(const std::vector<EntityUid>& from_policy,
                                           const std::vector<EntityUid>& from_list) {
  absl::flat_hash_set<EntityUid> wanted(from_policy.begin(), from_policy.end());
  wanted.insert(from_list.begin(), from_list.end());
  if (wanted.size() > kMaxRevocationUids) {
    return absl::ResourceExhaustedError(
        absl::StrCat(wanted.size(), " revoked uids in all, more than kMaxRevocationUids (", kMaxRevocationUids, ")"));
  }
  // New revocations first, restorations after: never a moment with neither.
  for (const EntityUid& uid : wanted) {
    if (absl::Status s = revoked_->Revoke(uid); !s.ok()) return s;
  }
  for (const EntityUid& uid : revoked_->List()) {
    if (!wanted.contains(uid)) revoked_->Restore(uid);
  }
  return absl::OkStatus();
}

void BundleSource::WriteCache(const Channel& c, const std::string& archive, const std::string& etag) {
  if (options_.cache_dir.empty()) return;
  const fs::path dir(options_.cache_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  // The archive first, then its ETag: an ETag is never newer than the
  // archive beside it (at worst an old one, and the server sends the whole
  // bundle again).
  absl::Status s = WriteAtomically(dir / (c.cache_name + ".tar.gz"), archive);
  if (s.ok()) s = WriteAtomically(dir / (c.cache_name + ".etag"), etag);
  if (!s.ok()) log_(absl::StrCat("writ serve: cannot cache the ", c.cache_name, ": ", s.message()));
}

void BundleSource::Start() {
  stop_.store(false);
  if (!policy_.thread.joinable()) policy_.thread = std::thread([this] { Run(&policy_); });
  if (!revocations_.url.empty() && !revocations_.thread.joinable()) {
    revocations_.thread = std::thread([this] { Run(&revocations_); });
  }
}

void BundleSource::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
  }
  cv_.notify_all();
  if (policy_.thread.joinable()) policy_.thread.join();
  if (revocations_.thread.joinable()) revocations_.thread.join();
}

void BundleSource::Trigger() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    triggers_.fetch_add(1);
  }
  cv_.notify_all();
}

void BundleSource::Run(Channel* c) {
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  milliseconds delay{0};   // the first poll at once
  std::uint64_t seen = triggers_.load();
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, delay, [&] { return stop_.load() || triggers_.load() != seen; });
      if (stop_.load()) return;
      seen = triggers_.load();
    }
    Poll(c);
    delay = Jitter(Backoff(c->period, c->failures), uniform(rng));
  }
}

}  // namespace writ::serve
