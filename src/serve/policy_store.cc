// serve: the policy holder (atomic snapshot swap), loading a policy set
// from files through the one loader (writ/load.h), and the reloader thread
// (SIGHUP and file polling).
#include "src/serve/policy_store.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/base/strings.h"
#include "src/serve/grant_store.h"
#include "src/serve/limits.h"
#include "writ/json.h"
#include "writ/load.h"
#include "writ/limits.h"
#include "writ/policy_set.h"

namespace writ::serve {
namespace {

namespace fs = std::filesystem;


// The policy files: `path` itself, or the *.cedar files under it (the
// loader's one walker).
absl::StatusOr<std::vector<std::string>> PolicyFiles(const std::string& path) {
  absl::StatusOr<std::vector<std::string>> files = ListFiles(path, ".cedar");
  if (files.ok() && files->empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no *.cedar files"));
  return files;
}


}  // namespace

std::string Digest(const std::vector<std::string_view>& parts) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::string_view part : parts) {
    for (unsigned char c : part) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
    h ^= 0xff;
    h *= 0x100000001b3ull;
  }
  return absl::StrFormat("%016x", h);
}

PolicyHolder::~PolicyHolder() { delete current_.load(std::memory_order_seq_cst); }

PolicyHolder::Ref PolicyHolder::Current() const {
  // INVARIANT: a reader is counted before it loads the pointer, so a
  // snapshot it may load is freed only after its counter has drained.
  Counter& c = counters_[epoch_.load(std::memory_order_seq_cst) & 1];
  c.readers.fetch_add(1, std::memory_order_seq_cst);
  Ref ref;
  ref.count_ = &c.readers;
  ref.snap_ = current_.load(std::memory_order_seq_cst);
  return ref;
}

void PolicyHolder::WaitForReaders(std::size_t parity) {
  for (int spins = 0; counters_[parity].readers.load(std::memory_order_seq_cst) != 0; ++spins) {
    if (spins < 64) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
}

std::uint64_t PolicyHolder::Install(std::shared_ptr<const Engine> engine, std::string digest,
                                    std::optional<Schema> schema, std::uint64_t bundle_revision) {
  std::lock_guard<std::mutex> lock(install_mu_);
  auto* snap = new Snapshot;
  snap->version = ++last_version_;
  snap->digest = std::move(digest);
  snap->engine = std::move(engine);
  snap->schema = std::move(schema);
  snap->loaded_at = absl::Now();
  snap->bundle_revision = bundle_revision;
  const Snapshot* old = current_.exchange(snap, std::memory_order_seq_cst);
  // Every reader that may hold `old` was counted before the exchange, in
  // either counter. Flip new readers to the other counter and wait for the
  // old one to drain, twice, so that both have drained since the exchange.
  for (int i = 0; i < 2; ++i) {
    const std::uint64_t e = epoch_.fetch_add(1, std::memory_order_seq_cst);
    WaitForReaders(e & 1);
  }
  delete old;
  return snap->version;
}

absl::StatusOr<LoadedSet> LoadPolicySet(const PolicySources& sources, const DecideOptions& options) {
  FileSet files;
  files.policies = {sources.policies};
  if (!sources.entities.empty()) files.entities = {sources.entities};
  files.schema = sources.schema;
  files.revoked = sources.revoked;
  files.template_links = sources.template_links;
  std::vector<Source> read;
  std::vector<Issue> issues;
  const bool all_read = ReadFileSet(files, &read, &issues);
  // The digest names what was read: every source's name and bytes.
  std::vector<std::string_view> parts;
  for (const Source& s : read) {
    parts.push_back(s.name);
    parts.push_back(s.bytes);
  }
  std::string digest = Digest(parts);
  absl::StatusOr<writ::LoadedSet> set = Load(read, {}, &issues);
  if (!all_read || !set.ok()) {
    std::string errors;
    for (const Issue& i : issues) {
      if (i.severity == Severity::kError) absl::StrAppend(&errors, RenderIssue(i));
    }
    return absl::InvalidArgumentError(errors.empty() ? std::string(set.status().message()) : errors);
  }
  LoadedSet out;
  out.revoked = set->revoked;
  out.schema = set->schema;
  absl::StatusOr<std::unique_ptr<Engine>> engine = CompileLoaded(*std::move(set), options);
  if (!engine.ok()) return absl::InvalidArgumentError(engine.status().message());
  out.engine = std::shared_ptr<Engine>(*std::move(engine));
  out.digest = std::move(digest);
  return out;
}

Reloader::Reloader(PolicySources sources, DecideOptions options, std::shared_ptr<RevocationList> revoked,
                   PolicyHolder* holder, Metrics* metrics, std::function<void(const std::string&)> log,
                   GrantStore* grants)
    : sources_(std::move(sources)), options_(std::move(options)), revoked_(std::move(revoked)), holder_(holder),
      metrics_(metrics), log_(std::move(log)), grants_(grants) {
  options_.revoked = revoked_;
}

Reloader::~Reloader() { Stop(); }

std::vector<Reloader::FileStamp> Reloader::Stamps() const {
  std::vector<FileStamp> stamps;
  std::vector<std::string> paths;
  if (absl::StatusOr<std::vector<std::string>> files = PolicyFiles(sources_.policies); files.ok()) {
    paths = *std::move(files);
  } else {
    paths.push_back(sources_.policies);
  }
  if (!sources_.entities.empty()) paths.push_back(sources_.entities);
  if (!sources_.schema.empty()) paths.push_back(sources_.schema);
  if (!sources_.revoked.empty()) paths.push_back(sources_.revoked);
  if (!sources_.template_links.empty()) paths.push_back(sources_.template_links);
  for (std::string& p : paths) {
    FileStamp s;
    std::error_code ec;
    const auto t = fs::last_write_time(p, ec);
    if (!ec) s.mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
    const std::uintmax_t size = fs::file_size(p, ec);
    s.size = ec ? static_cast<std::uintmax_t>(-1) : size;
    s.path = std::move(p);
    stamps.push_back(std::move(s));
  }
  return stamps;
}

bool Reloader::ReloadNow() {
  std::lock_guard<std::mutex> lock(load_mu_);
  // Stamped before reading: a change made during the load is seen next time.
  last_stamps_ = Stamps();
  absl::StatusOr<LoadedSet> loaded = LoadPolicySet(sources_, options_);
  if (!loaded.ok()) {
    if (metrics_ != nullptr) metrics_->RecordReload(false);
    std::string serving = "nothing loaded";
    if (PolicyHolder::Ref current = holder_->Current()) serving = absl::StrCat("version ", current->version, " keeps serving");
    log_(absl::StrCat("writ serve: reload failed; ", serving, ":\n", loaded.status().message()));
    return false;
  }
  auto refuse = [&](const absl::Status& why) {
    if (metrics_ != nullptr) metrics_->RecordReload(false);
    std::string serving = "nothing loaded";
    if (PolicyHolder::Ref current = holder_->Current()) serving = absl::StrCat("version ", current->version, " keeps serving");
    log_(absl::StrCat("writ serve: reload failed; ", serving, ":\n", why.message()));
    return false;
  };
  const std::string digest = loaded->digest;
  const std::size_t policies = loaded->engine->policy_count();
  const std::size_t entities = loaded->engine->entity_count();
  std::uint64_t version = 0;
  // Makes the loaded set current: the one revocation list follows the file
  // (new uids revoked, uids no longer listed restored; only when a
  // revocation file is given), then the engine is installed.
  auto install = [&]() -> absl::Status {
    if (!sources_.revoked.empty()) {
      absl::flat_hash_set<EntityUid> wanted(loaded->revoked.begin(), loaded->revoked.end());
      for (const EntityUid& uid : loaded->revoked) {
        if (absl::Status s = revoked_->Revoke(uid); !s.ok()) return s;
      }
      for (const EntityUid& uid : revoked_->List()) {
        if (!wanted.contains(uid)) revoked_->Restore(uid);
      }
    }
    version = holder_->Install(loaded->engine, loaded->digest, std::move(loaded->schema));
    return absl::OkStatus();
  };
  // With run-time grants, they are carried into the new engine first, and
  // the whole is refused when one no longer holds.
  absl::Status installed = grants_ != nullptr ? grants_->InstallWithGrants(loaded->engine, install) : install();
  if (!installed.ok()) return refuse(installed);
  if (metrics_ != nullptr) {
    metrics_->RecordReload(true);
    metrics_->SetPolicyVersion(version);
  }
  log_(absl::StrCat("writ serve: policy version ", version, " (digest ", digest, ", ", policies, " policies, ",
                    entities, " entities",
                    grants_ != nullptr ? absl::StrCat(", ", loaded->engine->grant_count(), " grants") : "",
                    ") is serving"));
  return true;
}

void Reloader::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void Reloader::Trigger() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    triggered_ = true;
  }
  cv_.notify_all();
}

void Reloader::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Reloader::Run() {
  while (true) {
    bool triggered = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, kReloadPollInterval, [this] { return stop_ || triggered_; });
      if (stop_) return;
      triggered = triggered_;
      triggered_ = false;
    }
    bool changed = triggered;
    if (!changed) {
      std::vector<FileStamp> now = Stamps();
      std::lock_guard<std::mutex> lock(load_mu_);
      changed = now != last_stamps_;
    }
    if (!changed && grants_ != nullptr) changed = grants_->FileChanged();
    if (changed) ReloadNow();
  }
}

}  // namespace writ::serve
