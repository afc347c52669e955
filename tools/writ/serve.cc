// writ CLI: `serve` — the HTTP sidecar (src/serve), and ext_authz over gRPC
// with --grpc-listen (src/grpc): loads the policy set
// (and --schema, which requests are read through) from files, or pulls it
// as a signed bundle (--bundle URL, with --revoked-url for revocations),
// listens where told, reloads on SIGHUP and on file change (or polls the
// bundle), stops on SIGINT/SIGTERM. Run-time grants: --grants FILE, and the
// admin API on --admin-socket PATH (a Unix socket only).
#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "src/serve/bundle_fetch.h"
#include "src/serve/bundle_source.h"
#include "src/serve/config.h"
#include "src/serve/admin_server.h"
#include "src/serve/decision_log.h"
#include "src/serve/grant_store.h"
#include "src/serve/handler.h"
#include "src/serve/limits.h"
#include "src/serve/policy_store.h"
#include "src/serve/server.h"
#include "tools/writ/cli.h"
#ifdef WRIT_HAVE_GRPC
#include "src/grpc/ext_authz.h"
#endif

namespace writ::cli {
namespace {

// Public keys and CA files are small; anything larger is not one.
constexpr std::size_t kMaxKeyFileBytes = 1u << 20;

// A poll period: a Go-style duration ("30s", "500ms", "2m") or seconds.
bool ReadPeriod(const Args& args, const std::string& flag, std::chrono::milliseconds* out, std::ostream& err) {
  std::optional<std::string> text = args.One(flag);
  if (!text) return true;
  absl::Duration d;
  double seconds = 0;
  if (absl::SimpleAtod(*text, &seconds)) {
    d = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(*text, &d)) {
    err << "error: --" << flag << " takes a duration (30s, 500ms, 2m) or seconds, not `" << *text << "`\n";
    return false;
  }
  if (d < absl::Milliseconds(100) || d > absl::Hours(24)) {
    err << "error: --" << flag << " must be between 100ms and 24h, not `" << *text << "`\n";
    return false;
  }
  *out = std::chrono::milliseconds(absl::ToInt64Milliseconds(d));
  return true;
}

// The bundle flags, read and checked; nullopt (reported) when one is wrong.
std::optional<serve::BundleSourceOptions> ReadBundleFlags(const Args& args, std::ostream& err) {
  serve::BundleSourceOptions o;
  o.bundle_url = *args.One("bundle");
  for (const char* flag : {"policies", "entities", "schema", "revoked"}) {
    if (args.Has(flag)) {
      err << "error: --bundle and --" << flag
          << " are exclusive: the bundle carries the policies, entities, schema and revocations\n";
      return std::nullopt;
    }
  }
  if (absl::StatusOr<serve::FetchUrl> u = serve::ParseFetchUrl(o.bundle_url); !u.ok()) {
    err << "error: --bundle: " << u.status().message() << "\n";
    return std::nullopt;
  }
  o.revoked_url = args.One("revoked-url").value_or("");
  if (!o.revoked_url.empty()) {
    if (absl::StatusOr<serve::FetchUrl> u = serve::ParseFetchUrl(o.revoked_url); !u.ok()) {
      err << "error: --revoked-url: " << u.status().message() << "\n";
      return std::nullopt;
    }
  }
  for (const std::string& path : args.All("bundle-pubkey")) {
    absl::StatusOr<std::string> pem = ReadFile(path, kMaxKeyFileBytes);
    if (!pem.ok()) {
      err << "error: --bundle-pubkey: " << pem.status().message() << "\n";
      return std::nullopt;
    }
    o.verify.public_keys_pem.push_back(*std::move(pem));
  }
  o.verify.allow_unsigned = args.Has("bundle-allow-unsigned");
  if (o.verify.public_keys_pem.empty() && !o.verify.allow_unsigned) {
    err << "error: --bundle needs --bundle-pubkey FILE (Ed25519, `openssl pkey -pubout`; two during a key "
           "rotation), or --bundle-allow-unsigned to take unsigned bundles (every hash is still checked)\n";
    return std::nullopt;
  }
  if (!o.verify.public_keys_pem.empty() && o.verify.allow_unsigned) {
    err << "error: --bundle-allow-unsigned with --bundle-pubkey: with keys a signature is always required\n";
    return std::nullopt;
  }
  if (std::optional<std::string> ca = args.One("bundle-ca")) {
    if (absl::StatusOr<std::string> text = ReadFile(*ca, kMaxKeyFileBytes); !text.ok()) {
      err << "error: --bundle-ca: " << text.status().message() << "\n";
      return std::nullopt;
    }
    o.fetch.ca_file = *ca;
  }
  o.cache_dir = args.One("bundle-cache").value_or("");
  if (!ReadPeriod(args, "bundle-poll", &o.bundle_poll, err)) return std::nullopt;
  if (!ReadPeriod(args, "revoked-poll", &o.revoked_poll, err)) return std::nullopt;
  return o;
}

// --max-grants and --max-grant-window into `limits`; false (reported) when
// one is wrong.
bool ReadGrantFlags(const Args& args, GrantLimits* limits, std::ostream& err) {
  if (std::optional<std::string> text = args.One("max-grants")) {
    std::size_t n = 0;
    if (!absl::SimpleAtoi(*text, &n) || n < 1 || n > kMaxGrants) {
      err << "error: --max-grants must be 1.." << kMaxGrants << ", not `" << *text << "`\n";
      return false;
    }
    limits->max_grants = n;
  }
  if (std::optional<std::string> text = args.One("max-grant-window")) {
    absl::Duration d;
    if (!absl::ParseDuration(*text, &d) || d <= absl::ZeroDuration() || d == absl::InfiniteDuration()) {
      err << "error: --max-grant-window takes a positive duration (1h, 30m, 90s), not `" << *text << "`\n";
      return false;
    }
    limits->max_window = d;
  }
  return true;
}

}  // namespace

int RunServe(const Args& args, std::ostream& /*out*/, std::ostream& err) {
  // First of all: a SIGHUP or SIGTERM from now on waits for the first load.
  serve::SignalWaiter signals;
  std::optional<serve::BundleSourceOptions> bundle_options;
  if (args.Has("bundle")) {
    bundle_options = ReadBundleFlags(args, err);
    if (!bundle_options) return kExitUsage;
  } else {
    for (const char* flag : {"bundle-ca", "bundle-pubkey", "bundle-allow-unsigned", "bundle-poll", "bundle-cache",
                             "revoked-url", "revoked-poll"}) {
      if (args.Has(flag)) {
        err << "error: --" << flag << " is for --bundle URL\n";
        return kExitUsage;
      }
    }
  }
  const std::vector<std::string>& policies = args.All("policies");
  if (!bundle_options && policies.size() != 1) {
    err << "error: --policies takes one file or directory (or --bundle URL: a policy bundle)\n";
    return kExitUsage;
  }
  std::optional<std::string> listen = args.One("listen");
  if (!listen) {
    err << "error: --listen HOST:PORT is required (writ serve binds only where told)\n";
    return kExitUsage;
  }
  serve::ServerOptions server_options;
  server_options.listen = *listen;
  if (std::optional<std::string> threads = args.One("threads")) {
    if (!absl::SimpleAtoi(*threads, &server_options.threads) || server_options.threads < 1 ||
        server_options.threads > 64) {
      err << "error: --threads must be 1..64, not `" << *threads << "`\n";
      return kExitUsage;
    }
  }
  std::optional<std::string> grpc_listen = args.One("grpc-listen");
#ifndef WRIT_HAVE_GRPC
  if (grpc_listen) {
    err << "error: --grpc-listen: this writ was built without gRPC (WRIT_BUILD_GRPC=OFF; Debian: libgrpc++-dev "
           "libprotobuf-dev protobuf-compiler-grpc)\n";
    return kExitUsage;
  }
#endif
  if (grpc_listen) {
    if (absl::StatusOr<serve::ListenAddress> a = serve::ParseListenAddress(*grpc_listen); !a.ok()) {
      err << "error: --grpc-listen: " << a.status().message() << "\n";
      return kExitUsage;
    }
  }
  serve::ServeConfig config;
  if (std::optional<std::string> path = args.One("config")) {
    absl::StatusOr<std::string> text = ReadFile(*path, serve::kMaxConfigBytes);
    if (!text.ok()) {
      err << "error: " << text.status().message() << "\n";
      return kExitUsage;
    }
    std::vector<Issue> issues;
    absl::StatusOr<serve::ServeConfig> read = serve::ParseServeConfig(*text, *path, &issues);
    err << RenderIssues(issues);
    if (!read.ok()) return kExitUsage;
    config = *std::move(read);
  }
  // --now and --fail-closed as for `authorize`; --revoked is read by the
  // reloader (and re-read on each reload) into one list kept for the
  // server's life.
  DecideOptions options;
  if (!ReadClockFlags(args, &options, err)) return kExitUsage;
  if (!ReadGrantFlags(args, &options.grant_limits, err)) return kExitUsage;
  const std::string grants_path = args.One("grants").value_or("");
  const std::string admin_socket = args.One("admin-socket").value_or("");
  const bool with_grants = !grants_path.empty() || !admin_socket.empty();
  if (bundle_options) {
    for (const char* flag : {"grants", "admin-socket", "template-linked"}) {
      if (args.Has(flag)) {
        err << "error: --" << flag << " is for --policies (a bundle carries its own set; grants with bundles are "
               "not supported yet)\n";
        return kExitUsage;
      }
    }
  }
  if (!with_grants && (args.Has("max-grants") || args.Has("max-grant-window"))) {
    err << "error: --max-grants and --max-grant-window bound --grants FILE and --admin-socket PATH\n";
    return kExitUsage;
  }
  serve::PolicySources sources;
  if (!bundle_options) sources.policies = policies.front();
  sources.entities = args.One("entities").value_or("");
  sources.schema = args.One("schema").value_or("");   // reloaded with the policies
  sources.revoked = args.One("revoked").value_or("");
  sources.template_links = args.One("template-linked").value_or("");   // reloaded with the policies

  std::unique_ptr<serve::DecisionLog> log;
  if (std::optional<std::string> path = args.One("decision-log")) {
    absl::StatusOr<std::unique_ptr<serve::DecisionLog>> opened = serve::DecisionLog::Open(*path, serve::kLogQueueCapacity);
    if (!opened.ok()) {
      err << "error: " << opened.status().message() << "\n";
      return kExitUsage;
    }
    log = *std::move(opened);
    log->Start();
  }

  // A reader of the decision log that goes away must not kill the server.
  std::signal(SIGPIPE, SIG_IGN);
  serve::PolicyHolder holder;
  serve::Metrics metrics;
  std::mutex err_mu;
  auto log_line = [&](const std::string& line) {
    std::lock_guard<std::mutex> lock(err_mu);
    err << line << std::endl;
  };
  // From files: the first load must succeed. From a bundle: the cached
  // copy decides until a fetch succeeds; without one, nothing is ready
  // (/readyz 503) and every decision is a deny until a bundle is taken.
  std::unique_ptr<serve::Reloader> reloader;
  std::unique_ptr<serve::BundleSource> bundles;
  // Run-time grants: the file is read (and verified) with each load.
  std::unique_ptr<serve::GrantStore> grants;
  if (with_grants) {
    grants = std::make_unique<serve::GrantStore>(grants_path, options.clock, &metrics, log_line);
    if (absl::Status s = grants->Open(); !s.ok()) {
      err << "error: " << s.message() << "\n";
      return kExitUsage;
    }
    if (grants_path.empty()) {
      log_line("writ serve: no --grants file: grants issued on --admin-socket are kept in memory only (lost on restart)");
    }
  }
  if (bundle_options) {
    bundles = std::make_unique<serve::BundleSource>(*std::move(bundle_options), options,
                                                    std::make_shared<RevocationList>(), &holder, &metrics, log_line);
    if (!bundles->LoadCache()) log_line("writ serve: no bundle yet: not ready, every decision is a deny until one is taken");
  } else {
    reloader = std::make_unique<serve::Reloader>(sources, options, std::make_shared<RevocationList>(), &holder,
                                                 &metrics, log_line, grants.get());
    if (!reloader->ReloadNow()) return kExitUsage;   // the reason is logged
  }
  serve::Handler handler(config.forward_auth, &holder, &metrics, log.get());
  absl::StatusOr<std::unique_ptr<serve::Server>> server = serve::Server::Start(server_options, &handler);
  if (!server.ok()) {
    err << "error: " << server.status().message() << "\n";
    return kExitUsage;
  }
  {
    std::lock_guard<std::mutex> lock(err_mu);
    err << "writ serve: listening on " << *listen << " (port " << (*server)->port() << "), "
        << server_options.threads << " threads" << std::endl;
  }
#ifdef WRIT_HAVE_GRPC
  serve::DecisionService decisions(&holder, &metrics, log.get());
  std::unique_ptr<serve::ExtAuthzServer> grpc_server;
  if (grpc_listen) {
    absl::StatusOr<std::unique_ptr<serve::ExtAuthzServer>> started =
        serve::ExtAuthzServer::Start({*grpc_listen}, config.ext_authz, &decisions);
    if (!started.ok()) {
      err << "error: --grpc-listen: " << started.status().message() << "\n";
      return kExitUsage;
    }
    grpc_server = *std::move(started);
    std::lock_guard<std::mutex> lock(err_mu);
    err << "writ serve: ext_authz (gRPC) listening on " << *grpc_listen << " (port " << grpc_server->port() << ")"
        << std::endl;
  }
#endif
  std::unique_ptr<serve::AdminServer> admin;
  if (!admin_socket.empty()) {
    absl::StatusOr<std::unique_ptr<serve::AdminServer>> started = serve::AdminServer::Start(admin_socket, grants.get());
    if (!started.ok()) {
      err << "error: " << started.status().message() << "\n";
      return kExitUsage;
    }
    admin = *std::move(started);
    log_line(absl::StrCat("writ serve: admin API (grants) on unix:", admin_socket, " (mode 0600)"));
  }
  if (grants) grants->Start();
  if (bundles) {
    bundles->Start();
  } else {
    reloader->Start();
  }
  signals.Wait([&] {
    {
      std::lock_guard<std::mutex> lock(err_mu);
      err << (bundles ? "writ serve: SIGHUP: polling the bundle now" : "writ serve: SIGHUP: reloading") << std::endl;
    }
    if (bundles) {
      bundles->Trigger();
    } else {
      reloader->Trigger();
    }
  });
  {
    std::lock_guard<std::mutex> lock(err_mu);
    err << "writ serve: stopping" << std::endl;
  }
  (*server)->Stop();
#ifdef WRIT_HAVE_GRPC
  if (grpc_server) grpc_server->Stop();
#endif
  if (admin) admin->Stop();
  if (bundles) bundles->Stop();
  if (reloader) reloader->Stop();
  if (grants) grants->Stop();
  if (log) log->Stop();
  return kExitOk;
}

}  // namespace writ::cli
