// serve: run-time grants — the grants file (read, verified, written
// atomically), carrying grants into each reloaded engine, the admin API's
// answers and the sweep of expired grants (grant_store.h).
#include "src/serve/grant_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "src/base/file.h"
#include "src/base/strings.h"
#include "src/json/decision_json.h"
#include "src/load/link_json.h"
#include "src/serve/limits.h"
#include "writ/issue.h"

namespace writ::serve {
namespace {

namespace fs = std::filesystem;
using internal::Av;

constexpr std::string_view kGrantsPath = "/v1/grants";
constexpr std::string_view kTasksPrefix = "/v1/tasks/";

HttpReply JsonReply(int status, std::string body) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// {"error": message, "issues": [{"line","column","message","hint"}]}.
HttpReply ErrorReply(int status, std::string_view message, const std::vector<Issue>& issues = {}) {
  std::string body = "{\"error\":";
  internal::AppendJsonString(&body, message);
  if (!issues.empty()) {
    body += ",\"issues\":[";
    for (std::size_t i = 0; i < issues.size(); ++i) {
      if (i > 0) body += ",";
      absl::StrAppend(&body, "{\"line\":", issues[i].line, ",\"column\":", issues[i].column, ",\"message\":");
      internal::AppendJsonString(&body, issues[i].message);
      if (!issues[i].hint.empty()) {
        body += ",\"hint\":";
        internal::AppendJsonString(&body, issues[i].hint);
      }
      body += "}";
    }
    body += "]";
  }
  body += "}\n";
  return JsonReply(status, std::move(body));
}

// A path segment with its %XX escapes decoded; nullopt when one is
// malformed or the segment holds a '/'.
std::optional<std::string> DecodeSegment(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '/') return std::nullopt;
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = hex(s[i + 1]);
    const int lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// Writes all of `data` to `fd`.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// `text` replaces the file at `path` whole or not at all: a temporary file
// in the same folder, written and fsync'd, renamed over `path`, then the
// folder fsync'd so that the rename itself survives a crash.
absl::Status WriteFileAtomically(const std::string& path, std::string_view text) {
  const fs::path target(path);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string temp = (folder / absl::StrCat(".", target.filename().string(), ".tmp.", ::getpid())).string();
  auto error = [&](std::string_view what) {
    return absl::InternalError(absl::StrCat(Av(what), " ", Av(temp), ": ", std::strerror(errno)));
  };
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return error("cannot create");
  if (!WriteAll(fd, text) || ::fsync(fd) != 0) {
    absl::Status s = error("cannot write");
    ::close(fd);
    ::unlink(temp.c_str());
    return s;
  }
  if (::close(fd) != 0) {
    absl::Status s = error("cannot close");
    ::unlink(temp.c_str());
    return s;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    absl::Status s = absl::InternalError(absl::StrCat("cannot rename ", Av(temp), " to ", Av(path), ": ", std::strerror(errno)));
    ::unlink(temp.c_str());
    return s;
  }
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return absl::InternalError(absl::StrCat("cannot open ", folder.string(), " to fsync it: ", std::strerror(errno)));
  const int synced = ::fsync(dir);
  ::close(dir);
  if (synced != 0) return absl::InternalError(absl::StrCat("cannot fsync ", folder.string(), ": ", std::strerror(errno)));
  return absl::OkStatus();
}

}  // namespace

GrantStore::GrantStore(std::string path, std::function<absl::Time()> clock, Metrics* metrics,
                       std::function<void(const std::string&)> log)
    : path_(std::move(path)),
      clock_(clock ? std::move(clock) : std::function<absl::Time()>([] { return absl::Now(); })),
      metrics_(metrics),
      log_(std::move(log)) {}

GrantStore::~GrantStore() { Stop(); }

absl::Status GrantStore::Open() {
  if (path_.empty()) return absl::OkStatus();
  std::error_code ec;
  if (fs::exists(path_, ec)) return absl::OkStatus();
  std::lock_guard<std::mutex> lock(mu_);
  if (absl::Status s = WriteLocked({}); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("--grants ", path_, ": ", s.message()));
  }
  return absl::OkStatus();
}

GrantStore::Stamp GrantStore::StampOf() const {
  Stamp s;
  std::error_code ec;
  const auto t = fs::last_write_time(path_, ec);
  if (!ec) s.mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  const std::uintmax_t size = fs::file_size(path_, ec);
  s.size = ec ? static_cast<std::uintmax_t>(-1) : size;
  return s;
}

bool GrantStore::FileChanged() const {
  if (path_.empty()) return false;
  const Stamp now = StampOf();
  std::lock_guard<std::mutex> lock(mu_);
  return now != stamp_;
}

absl::Status GrantStore::WriteLocked(const std::vector<Grant>& grants) {
  if (path_.empty()) return absl::OkStatus();
  absl::Status s = WriteFileAtomically(path_, GrantsToJson(grants));
  // Stamped after our own write: the reloader does not take it for an edit.
  stamp_ = StampOf();
  file_behind_ = !s.ok();
  return s;
}

void GrantStore::SetLiveLocked() {
  if (metrics_ != nullptr) metrics_->SetGrantsLive(engine_ ? engine_->grant_count() : 0);
}

absl::Status GrantStore::InstallWithGrants(const std::shared_ptr<Engine>& engine,
                                           const std::function<absl::Status()>& install) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Grant> grants;
  Stamp stamp = stamp_;
  if (file_behind_ && engine_) {
    // The last write failed (a revocation stands only in memory): the live
    // grants are the truth until the file is written again, so that a
    // reload never brings a revoked grant back.
    grants = engine_->grants();
    log_("writ serve: the grants file is behind the live grants (a write failed): carrying the live grants");
  } else if (!path_.empty()) {
    stamp = StampOf();   // before reading: an edit made meanwhile is seen next time
    absl::StatusOr<std::string> text = internal::ReadNamedFile(path_, kMaxGrantsFileBytes);
    if (!text.ok()) return absl::InvalidArgumentError(absl::StrCat("--grants: ", text.status().message()));
    std::vector<writ::Issue> issues;
    absl::StatusOr<std::vector<Grant>> read = ReadGrants(*text, path_, {}, &issues);
    if (!read.ok()) {
      std::string errors;
      for (const writ::Issue& i : issues) absl::StrAppend(&errors, RenderIssue(i));
      return absl::InvalidArgumentError(errors.empty() ? std::string(read.status().message()) : errors);
    }
    grants = *std::move(read);
  } else if (engine_) {
    grants = engine_->grants();
  }
  const absl::Time now = clock_();
  std::size_t expired = 0;
  for (const Grant& g : grants) {
    if (g.expires && *g.expires <= now) {
      ++expired;   // matches nothing any more: dropped
      continue;
    }
    if (absl::Status s = engine->AddGrant(g); !s.ok()) {
      if (g.expires && *g.expires <= clock_()) {
        ++expired;   // it expired while the others were added
        continue;
      }
      return absl::Status(s.code(), absl::StrCat("grant `", Av(g.link.link_id), "`",
                                                 path_.empty() ? "" : absl::StrCat(" (", path_, ")"),
                                                 " does not hold under the new policies: ", s.message(),
                                                 "; revoke it (DELETE /v1/grants/", Av(g.link.link_id),
                                                 ") or restore its template"));
    }
  }
  if (absl::Status s = install(); !s.ok()) return s;
  engine_ = engine;
  stamp_ = stamp;
  if (expired > 0 && metrics_ != nullptr) metrics_->RecordGrantsExpired(expired);
  if (file_behind_ || expired > 0) {
    if (absl::Status s = WriteLocked(engine_->grants()); !s.ok()) {
      log_(absl::StrCat("writ serve: cannot rewrite the grants file: ", s.message()));
    }
  }
  SetLiveLocked();
  return absl::OkStatus();
}

std::size_t GrantStore::SweepExpired() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!engine_) return 0;
  const std::vector<Grant> removed = engine_->RemoveExpiredGrants(clock_());
  if (removed.empty()) return 0;
  if (metrics_ != nullptr) metrics_->RecordGrantsExpired(removed.size());
  if (absl::Status s = WriteLocked(engine_->grants()); !s.ok()) {
    log_(absl::StrCat("writ serve: removed ", removed.size(), " expired grants but cannot rewrite the grants file: ",
                      s.message()));
  }
  SetLiveLocked();
  return removed.size();
}

void GrantStore::Start() {
  if (sweeper_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(sweep_mu_);
    stop_ = false;
  }
  sweeper_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(sweep_mu_);
    while (!sweep_cv_.wait_for(lock, kGrantSweepInterval, [this] { return stop_; })) {
      lock.unlock();
      SweepExpired();
      lock.lock();
    }
  });
}

void GrantStore::Stop() {
  {
    std::lock_guard<std::mutex> lock(sweep_mu_);
    stop_ = true;
  }
  sweep_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
}

HttpReply GrantStore::HandleAdmin(const HttpRequest& request) {
  const std::string_view path = request.target.substr(0, request.target.find('?'));
  auto not_allowed = [](std::string_view allow) {
    HttpReply r = ErrorReply(405, absl::StrCat("method not allowed; this path takes ", Av(allow)));
    r.headers.emplace_back("Allow", std::string(allow));
    return r;
  };
  if (path == kGrantsPath) {
    if (request.method == "POST") return IssueGrant(request.body);
    if (request.method == "GET") return List();
    return not_allowed("GET, POST");
  }
  const bool grant_path = absl::StartsWith(Av(path), absl::StrCat(Av(kGrantsPath), "/"));
  const bool task_path = absl::StartsWith(Av(path), Av(kTasksPrefix));
  if (grant_path || task_path) {
    const std::string_view rest = path.substr(grant_path ? kGrantsPath.size() + 1 : kTasksPrefix.size());
    std::optional<std::string> id = DecodeSegment(rest);
    if (!id || id->empty()) return ErrorReply(404, "no such path: the id is one path segment (%-escaped)");
    if (request.method != "DELETE") return not_allowed("DELETE");
    return grant_path ? Revoke(*id) : CloseTask(*id);
  }
  return ErrorReply(404, absl::StrCat("no such path: the admin API is ", Av(kGrantsPath), ", ", Av(kGrantsPath),
                                      "/{link_id} and ", Av(kTasksPrefix), "{task}"));
}

HttpReply GrantStore::IssueGrant(std::string_view body) {
  std::vector<writ::Issue> issues;
  absl::StatusOr<Grant> grant = internal::ReadOneGrant(body, "POST /v1/grants", {}, &issues);
  if (!grant.ok()) return ErrorReply(400, "the body is not one grant", issues);
  std::lock_guard<std::mutex> lock(mu_);
  if (!engine_) return ErrorReply(503, "no policy set is loaded yet");
  if (absl::Status s = engine_->AddGrant(*grant); !s.ok()) {
    for (const Grant& g : engine_->grants()) {
      if (g.link.link_id == grant->link.link_id) {
        return ErrorReply(409, absl::StrCat("a live grant has link id `", Av(grant->link.link_id),
                                            "`: revoke it first (DELETE /v1/grants/{link_id})"));
      }
    }
    return ErrorReply(422, absl::StrCat("grant refused: ", s.message()));
  }
  if (absl::Status s = WriteLocked(engine_->grants()); !s.ok()) {
    // Not persisted: not issued.
    (void)engine_->RemoveGrant(grant->link.link_id);
    return ErrorReply(500, absl::StrCat("the grants file cannot be written, so the grant is not issued: ", s.message()));
  }
  if (metrics_ != nullptr) metrics_->RecordGrantsIssued(1);
  SetLiveLocked();
  return JsonReply(201, absl::StrCat(GrantToJson(*grant), "\n"));
}

HttpReply GrantStore::Revoke(std::string_view link_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!engine_) return ErrorReply(503, "no policy set is loaded yet");
  absl::StatusOr<Grant> removed = engine_->RemoveGrant(link_id);
  if (!removed.ok()) return ErrorReply(404, absl::StrCat("no live grant has link id `", Av(link_id), "`"));
  if (metrics_ != nullptr) metrics_->RecordGrantsRevoked(1);
  SetLiveLocked();
  if (absl::Status s = WriteLocked(engine_->grants()); !s.ok()) {
    // Revoked it stays (never un-revoke); the file still holds it.
    return ErrorReply(500, absl::StrCat("revoked in memory, but the grants file cannot be written and still holds it: ",
                                        s.message()));
  }
  return JsonReply(204, "");
}

HttpReply GrantStore::CloseTask(std::string_view task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!engine_) return ErrorReply(503, "no policy set is loaded yet");
  const std::vector<Grant> removed = engine_->RemoveTask(task);
  if (removed.empty()) return ErrorReply(404, absl::StrCat("no live grant has task `", Av(task), "`"));
  if (metrics_ != nullptr) metrics_->RecordGrantsRevoked(removed.size());
  SetLiveLocked();
  if (absl::Status s = WriteLocked(engine_->grants()); !s.ok()) {
    return ErrorReply(500, absl::StrCat("revoked in memory, but the grants file cannot be written and still holds them: ",
                                        s.message()));
  }
  return JsonReply(200, GrantsToJson(removed));
}

HttpReply GrantStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!engine_) return ErrorReply(503, "no policy set is loaded yet");
  return JsonReply(200, GrantsToJson(engine_->grants()));
}

}  // namespace writ::serve
