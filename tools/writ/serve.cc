// writ CLI: `serve` — the HTTP sidecar (src/serve): loads the policy set
// (and --schema, which requests are read through),
// listens where told, reloads on SIGHUP and on file change, stops on
// SIGINT/SIGTERM.
#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>

#include "absl/strings/numbers.h"
#include "src/serve/config.h"
#include "src/serve/decision_log.h"
#include "src/serve/handler.h"
#include "src/serve/limits.h"
#include "src/serve/policy_store.h"
#include "src/serve/server.h"
#include "tools/writ/cli.h"

namespace writ::cli {

int RunServe(const Args& args, std::ostream& /*out*/, std::ostream& err) {
  // First of all: a SIGHUP or SIGTERM from now on waits for the first load.
  serve::SignalWaiter signals;
  const std::vector<std::string>& policies = args.All("policies");
  if (policies.size() != 1) {
    err << "error: --policies takes one file or directory\n";
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
  serve::PolicySources sources;
  sources.policies = policies.front();
  sources.entities = args.One("entities").value_or("");
  sources.schema = args.One("schema").value_or("");   // reloaded with the policies
  sources.revoked = args.One("revoked").value_or("");

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
  serve::Reloader reloader(sources, options, std::make_shared<RevocationList>(), &holder, &metrics,
                           [&](const std::string& line) {
                             std::lock_guard<std::mutex> lock(err_mu);
                             err << line << std::endl;
                           });
  if (!reloader.ReloadNow()) return kExitUsage;   // the reason is logged
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
  reloader.Start();
  signals.Wait([&] {
    {
      std::lock_guard<std::mutex> lock(err_mu);
      err << "writ serve: SIGHUP: reloading" << std::endl;
    }
    reloader.Trigger();
  });
  {
    std::lock_guard<std::mutex> lock(err_mu);
    err << "writ serve: stopping" << std::endl;
  }
  (*server)->Stop();
  reloader.Stop();
  if (log) log->Stop();
  return kExitOk;
}

}  // namespace writ::cli
