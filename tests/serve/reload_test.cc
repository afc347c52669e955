// Reloads under load: deciders on several threads while the policy set is
// swapped many times; every decision must equal the reference decision
// (writ::Authorize) of the version it reports. Run under TSan in CI
// (`ctest -R Concurrent`).
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/serve/handler.h"
#include "src/serve/policy_store.h"
#include "writ/writ.h"

namespace writ::serve {
namespace {

// Four policy sets that decide the requests below differently.
const std::vector<std::string>& Texts() {
  static const std::vector<std::string> kTexts = {
      "permit(principal == User::\"alice\", action, resource);\n",
      "permit(principal, action == Action::\"write\", resource);\n",
      "forbid(principal == User::\"bob\", action, resource);\npermit(principal, action, resource);\n",
      "permit(principal, action, resource) when { context.n > 5 };\n"
      "permit(principal == User::\"bob\", action == Action::\"read\", resource);\n",
  };
  return kTexts;
}

const std::vector<std::string>& RequestJson() {
  static const std::vector<std::string> kRequests = {
      R"({"principal":"User::\"alice\"","action":"Action::\"read\"","resource":"Doc::\"a\"","context":{"n":1}})",
      R"({"principal":"User::\"bob\"","action":"Action::\"write\"","resource":"Doc::\"a\"","context":{"n":9}})",
      R"({"principal":"User::\"carol\"","action":"Action::\"read\"","resource":"Doc::\"b\"","context":{"n":10}})",
      R"({"principal":"User::\"bob\"","action":"Action::\"read\"","resource":"Doc::\"b\"","context":{"n":0}})",
  };
  return kRequests;
}

std::vector<Request> Requests() {
  std::vector<Request> out;
  for (const std::string& json : RequestJson()) {
    std::vector<Issue> issues;
    absl::StatusOr<Request> r = RequestFromJson(json, "request", &issues);
    EXPECT_TRUE(r.ok()) << RenderIssues(issues);
    out.push_back(*r);
  }
  return out;
}

PolicySet Parse(const std::string& text) {
  PolicySet set;
  std::vector<Issue> issues;
  EXPECT_TRUE(set.Add(text, "policies.cedar", &issues).ok()) << RenderIssues(issues);
  return set;
}

// reference[text][request], from the reference authorizer.
std::vector<std::vector<Decision>> Reference() {
  std::vector<Request> requests = Requests();
  std::vector<std::vector<Decision>> ref;
  for (const std::string& text : Texts()) {
    PolicySet set = Parse(text);
    std::vector<Decision> row;
    for (const Request& r : requests) row.push_back(Authorize(set, Entities(), r));
    ref.push_back(std::move(row));
  }
  // The sets must disagree, or the test would prove nothing.
  for (std::size_t t = 1; t < ref.size(); ++t) {
    bool differs = false;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      differs |= ref[t][i].allowed != ref[t - 1][i].allowed || ref[t][i].reasons != ref[t - 1][i].reasons;
    }
    EXPECT_TRUE(differs) << "sets " << t - 1 << " and " << t << " decide alike";
  }
  return ref;
}

TEST(ReloadUnderLoad, ConcurrentDecidersMatchTheReferenceOfTheirVersion) {
  const std::vector<std::vector<Decision>> ref = Reference();
  const std::vector<Request> requests = Requests();
  std::vector<std::shared_ptr<const Engine>> engines;
  for (const std::string& text : Texts()) {
    absl::StatusOr<std::unique_ptr<const Engine>> e = Engine::Compile(Parse(text));
    ASSERT_TRUE(e.ok()) << e.status();
    engines.push_back(std::shared_ptr<const Engine>(*std::move(e)));
  }
  PolicyHolder holder;
  holder.Install(engines[0], "0");   // version v runs set (v - 1) % 4
  constexpr int kReloads = 200;
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> decisions{0};
  std::atomic<std::uint64_t> mismatches{0};
  std::vector<std::thread> deciders;
  for (int t = 0; t < 3; ++t) {
    deciders.emplace_back([&, t] {
      Decision d;
      std::size_t i = static_cast<std::size_t>(t);
      std::uint64_t seen_version = 0;
      while (!done.load(std::memory_order_acquire)) {
        PolicyHolder::Ref snap = holder.Current();
        if (snap->version < seen_version) mismatches.fetch_add(1);   // versions never go back
        seen_version = snap->version;
        const std::size_t idx = i++ % requests.size();
        snap->engine->Decide(requests[idx], &d);
        const Decision& want = ref[(snap->version - 1) % ref.size()][idx];
        if (d.allowed != want.allowed || d.reasons != want.reasons) mismatches.fetch_add(1);
        decisions.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  // Every version is decided under: the deciders run before the first
  // swap and between any two.
  auto let_deciders_run = [&] {
    const std::uint64_t before = decisions.load();
    while (decisions.load() < before + 8) std::this_thread::yield();
  };
  let_deciders_run();
  for (int v = 2; v <= kReloads + 1; ++v) {
    const std::uint64_t version =
        holder.Install(engines[static_cast<std::size_t>(v - 1) % engines.size()], absl::StrCat(v));
    EXPECT_EQ(version, static_cast<std::uint64_t>(v));
    let_deciders_run();
  }
  done.store(true, std::memory_order_release);
  for (std::thread& t : deciders) t.join();
  EXPECT_EQ(mismatches.load(), 0u);
  EXPECT_GE(decisions.load(), 8u * (kReloads + 1));
  EXPECT_EQ(holder.Current()->version, static_cast<std::uint64_t>(kReloads + 1));
}

TEST(ReloadUnderLoad, ConcurrentInstallFreesASnapshotOnlyAfterItsReaders) {
  std::vector<std::shared_ptr<const Engine>> engines;
  for (const std::string& text : Texts()) {
    absl::StatusOr<std::unique_ptr<const Engine>> e = Engine::Compile(Parse(text));
    ASSERT_TRUE(e.ok()) << e.status();
    engines.push_back(std::shared_ptr<const Engine>(*std::move(e)));
  }
  PolicyHolder holder;
  EXPECT_FALSE(holder.Current());
  EXPECT_EQ(holder.Install(engines[0], "a"), 1u);
  std::weak_ptr<const Engine> first = engines[0];
  engines[0].reset();
  std::atomic<bool> installed{false};
  std::thread installer;
  {
    PolicyHolder::Ref reader = holder.Current();
    ASSERT_TRUE(reader);
    installer = std::thread([&] {
      holder.Install(engines[1], "b");
      installed.store(true);
    });
    // The installer swaps the pointer at once but must wait for `reader`.
    for (int i = 0; i < 1000 && holder.Current()->version != 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(holder.Current()->version, 2u);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(installed.load());
    EXPECT_EQ(reader->version, 1u);
    EXPECT_FALSE(first.expired());
    EXPECT_EQ(reader->engine->policy_count(), 1u);
  }
  installer.join();
  EXPECT_TRUE(installed.load());
  EXPECT_TRUE(first.expired());   // freed once its last reader let go
}

// The same through the reloader (files read and compiled, failures among
// them) and the HTTP handler, decisions read back from their JSON.
TEST(ReloadUnderLoad, ConcurrentHandlerDecisionsFollowFileReloads) {
  const std::vector<std::vector<Decision>> ref = Reference();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    absl::StrCat("writ_serve_reload_", static_cast<long>(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = dir / "policies.cedar";
  auto write = [&](const std::string& text) { std::ofstream(file, std::ios::trunc) << text; };
  write(Texts()[0]);

  PolicyHolder holder;
  Metrics metrics;
  PolicySources sources;
  sources.policies = file.string();
  Reloader reloader(sources, DecideOptions{}, std::make_shared<RevocationList>(), &holder, &metrics,
                    [](const std::string&) {});
  ASSERT_TRUE(reloader.ReloadNow());
  Handler handler(ForwardAuthConfig{}, &holder, &metrics, nullptr);

  // version -> text index, written by the reloading thread before deciders
  // can be checked (they are checked after everything has joined).
  constexpr int kReloads = 40;
  std::vector<int> text_of_version(kReloads + 2, -1);
  text_of_version[1] = 0;
  struct Seen {
    std::uint64_t version;
    std::size_t request;
    std::string decision;
    std::vector<std::string> reasons;
  };
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> handled{0};
  std::vector<std::vector<Seen>> seen(3);
  std::vector<std::thread> deciders;
  for (int t = 0; t < 3; ++t) {
    deciders.emplace_back([&, t] {
      std::size_t i = static_cast<std::size_t>(t);
      while (!done.load(std::memory_order_acquire)) {
        const std::size_t idx = i++ % RequestJson().size();
        HttpRequest req;
        req.method = "POST";
        req.target = "/v1/authorize";
        req.body = RequestJson()[idx];
        HttpReply reply = handler.Handle(req, std::chrono::steady_clock::now());
        nlohmann::json j = nlohmann::json::parse(reply.body);
        seen[static_cast<std::size_t>(t)].push_back(
            {j["policy_version"].get<std::uint64_t>(), idx, j["decision"].get<std::string>(),
             j["reasons"].get<std::vector<std::string>>()});
        handled.fetch_add(1);
      }
    });
  }
  int failures = 0;
  for (int n = 1; n <= kReloads; ++n) {
    // Some decisions under the version serving now, before the next load.
    for (const std::uint64_t before = handled.load(); handled.load() < before + 4;) std::this_thread::yield();
    const std::size_t t = static_cast<std::size_t>(n) % Texts().size();
    if (n % 7 == 0) {
      write("permit(principal, action, resource) when {\n");   // broken: not swapped in
      EXPECT_FALSE(reloader.ReloadNow());
      ++failures;
      continue;
    }
    write(Texts()[t]);
    EXPECT_TRUE(reloader.ReloadNow());
    text_of_version[holder.Current()->version] = static_cast<int>(t);
  }
  done.store(true, std::memory_order_release);
  for (std::thread& th : deciders) th.join();

  std::size_t checked = 0;
  for (const std::vector<Seen>& per_thread : seen) {
    for (const Seen& s : per_thread) {
      ASSERT_LT(s.version, text_of_version.size());
      const int t = text_of_version[s.version];
      ASSERT_GE(t, 0) << "version " << s.version << " was never installed";
      const Decision& want = ref[static_cast<std::size_t>(t)][s.request];
      EXPECT_EQ(s.decision, want.allowed ? "allow" : "deny") << "version " << s.version;
      EXPECT_EQ(s.reasons, want.reasons) << "version " << s.version;
      ++checked;
    }
  }
  EXPECT_GE(checked, 4u * kReloads);
  EXPECT_EQ(metrics.reloads(), static_cast<std::uint64_t>(kReloads - failures + 1));
  EXPECT_EQ(metrics.reload_failures(), static_cast<std::uint64_t>(failures));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace writ::serve
