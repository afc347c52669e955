// Run-time grants in `writ serve` (src/serve/grant_store.*, admin_server.*):
// each admin endpoint and its errors (which change nothing), the grants file
// rewritten atomically before an answer, grants carried into a reloaded
// engine, a reload refused when a grant's template vanishes, the sweep of
// expired grants, and the admin listener on a Unix socket (mode 0600, a
// stale socket replaced, never on the TCP handler).
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/serve/admin_server.h"
#include "src/serve/grant_store.h"
#include "src/serve/handler.h"
#include "src/serve/policy_store.h"
#include "writ/engine.h"
#include "writ/grants.h"

namespace writ::serve {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kPolicies[] = R"(@id("deploy")
permit(principal == ?principal, action == Action::"deploy", resource in ?resource);
@id("read")
permit(principal == ?principal, action == Action::"read", resource);
)";
constexpr char kGrant[] =
    R"({"template_id": "deploy", "link_id": "g1", "args": {"?principal": "User::\"alice\"", "?resource": "Env::\"prod\""}, "task": "T1", "owner": "ops"})";

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteAll(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

class GrantsServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / absl::StrCat("writ_grants_test_", ::getpid(), "_", ++counter_);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    WriteAll(dir_ / "p.cedar", kPolicies);
    now_ = absl::FromUnixSeconds(1'800'000'000);
    Start();
  }
  void TearDown() override {
    reloader_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  // A server's state, as `writ serve --grants` builds it (again: a restart).
  void Start(bool with_file = true) {
    reloader_.reset();
    store_.reset();
    holder_ = std::make_unique<PolicyHolder>();
    metrics_ = std::make_unique<Metrics>();
    auto clock = [this] {
      std::lock_guard<std::mutex> lock(clock_mu_);
      return now_;
    };
    store_ = std::make_unique<GrantStore>(with_file ? (dir_ / "grants.json").string() : "", clock, metrics_.get(),
                                          [this](const std::string& line) { Log(line); });
    ASSERT_TRUE(store_->Open().ok());
    DecideOptions options;
    options.clock = clock;
    options.grant_limits = limits_;
    PolicySources sources;
    sources.policies = (dir_ / "p.cedar").string();
    sources.template_links = links_;
    reloader_ = std::make_unique<Reloader>(sources, options, std::make_shared<RevocationList>(), holder_.get(),
                                           metrics_.get(), [this](const std::string& line) { Log(line); },
                                           store_.get());
    ASSERT_TRUE(reloader_->ReloadNow()) << LastLog();
  }

  void Log(const std::string& line) {
    std::lock_guard<std::mutex> lock(log_mu_);
    log_.push_back(line);
  }
  std::string LastLog() {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_.empty() ? "" : log_.back();
  }
  void SetNow(absl::Time t) {
    std::lock_guard<std::mutex> lock(clock_mu_);
    now_ = t;
  }

  HttpReply Admin(std::string_view method, std::string_view target, std::string_view body = "") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    return store_->HandleAdmin(r);
  }

  // The decision for `principal` deploying to `resource` now.
  Decision Deploy(const std::string& principal, const std::string& resource = "prod") {
    Request r;
    r.principal = EntityUid{"User", principal};
    r.action = EntityUid{"Action", "deploy"};
    r.resource = EntityUid{"Env", resource};
    Decision d;
    PolicyHolder::Ref snap = holder_->Current();
    snap->engine->Decide(r, &d);
    return d;
  }

  std::vector<Grant> FileGrants() {
    absl::StatusOr<std::vector<Grant>> g = ReadGrants(ReadAll(dir_ / "grants.json"), "grants.json", {}, nullptr);
    EXPECT_TRUE(g.ok()) << g.status();
    return g.ok() ? *g : std::vector<Grant>{};
  }

  static inline int counter_ = 0;
  fs::path dir_;
  GrantLimits limits_;
  std::string links_;   // --template-linked
  std::mutex clock_mu_;
  absl::Time now_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
  std::unique_ptr<PolicyHolder> holder_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<GrantStore> store_;
  std::unique_ptr<Reloader> reloader_;
};

TEST_F(GrantsServeTest, IssueListRevoke) {
  EXPECT_FALSE(Deploy("alice").allowed);
  EXPECT_EQ(ReadAll(dir_ / "grants.json"), "[]\n");   // Open created it
  HttpReply issued = Admin("POST", "/v1/grants", kGrant);
  ASSERT_EQ(issued.status, 201) << issued.body;
  EXPECT_EQ(issued.body,
            R"({"template_id":"deploy","link_id":"g1","args":{"?principal":"User::\"alice\"","?resource":"Env::\"prod\""},"owner":"ops","task":"T1"})"
            "\n");
  // Persisted before the answer, and decided as the link.
  ASSERT_EQ(FileGrants().size(), 1u);
  EXPECT_EQ(FileGrants()[0].link.link_id, "g1");
  Decision d = Deploy("alice");
  EXPECT_TRUE(d.allowed);
  EXPECT_THAT(d.reasons, ::testing::ElementsAre("g1"));
  EXPECT_FALSE(Deploy("bob").allowed);
  HttpReply list = Admin("GET", "/v1/grants");
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(list.body, GrantsToJson(FileGrants()));
  EXPECT_EQ(metrics_->grants_live(), 1u);
  EXPECT_EQ(metrics_->grants_issued(), 1u);

  EXPECT_EQ(Admin("DELETE", "/v1/grants/g1").status, 204);
  EXPECT_FALSE(Deploy("alice").allowed);   // the next decision
  EXPECT_THAT(FileGrants(), IsEmpty());
  EXPECT_EQ(Admin("DELETE", "/v1/grants/g1").status, 404);
  EXPECT_EQ(metrics_->grants_live(), 0u);
  EXPECT_EQ(metrics_->grants_revoked(), 1u);
  const std::string text = metrics_->Render(0, 0);
  EXPECT_THAT(text, HasSubstr("# TYPE writ_grants_live gauge\nwrit_grants_live 0\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE writ_grants_issued_total counter\nwrit_grants_issued_total 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE writ_grants_expired_total counter\nwrit_grants_expired_total 0\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE writ_grants_revoked_total counter\nwrit_grants_revoked_total 1\n"));
  // No temporary file is left beside the grants file.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_THAT(names, ::testing::ElementsAre("grants.json", "p.cedar"));
}

TEST_F(GrantsServeTest, MistakesChangeNothing) {
  ASSERT_EQ(Admin("POST", "/v1/grants", kGrant).status, 201);
  const std::string before = ReadAll(dir_ / "grants.json");
  // Not one grant: 400 with located issues.
  HttpReply bad = Admin("POST", "/v1/grants", "{\"template_id\": \"deploy\",\n \"link_id\": 7, \"args\": {}}");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr(R"("line":2,"column":13,"message":"`link_id` is a string, not number")"));
  EXPECT_EQ(Admin("POST", "/v1/grants", "not json").status, 400);
  EXPECT_EQ(Admin("POST", "/v1/grants", "[]").status, 400);
  EXPECT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "deploy", "link_id": "g2", "args": {}, "expires": "99999-01-01T00:00:00Z"})").status, 400);
  // A live grant's link id: 409.
  HttpReply taken = Admin("POST", "/v1/grants", kGrant);
  EXPECT_EQ(taken.status, 409);
  EXPECT_THAT(taken.body, HasSubstr("g1"));
  // Refused by the engine: 422.
  EXPECT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "nope", "link_id": "g2", "args": {}})").status, 422);
  EXPECT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "deploy", "link_id": "g2", "args": {"?principal": "User::\"a\""}})").status, 422);
  EXPECT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "read", "link_id": "policy0", "args": {"?principal": "User::\"a\""}})").status, 422);
  EXPECT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "read", "link_id": "g3", "args": {"?principal": "User::\"a\""}, "expires": "2020-01-01T00:00:00Z"})").status, 422);
  // Paths and methods.
  EXPECT_EQ(Admin("PUT", "/v1/grants").status, 405);
  EXPECT_EQ(Admin("GET", "/v1/grants/g1").status, 405);
  EXPECT_EQ(Admin("GET", "/v1/other").status, 404);
  EXPECT_EQ(Admin("DELETE", "/v1/grants/").status, 404);
  EXPECT_EQ(Admin("DELETE", "/v1/grants/a%2").status, 404);
  EXPECT_EQ(ReadAll(dir_ / "grants.json"), before);
  EXPECT_EQ(store_->HandleAdmin({"GET", "/v1/grants", {}, ""}).body, before);
  EXPECT_EQ(metrics_->grants_issued(), 1u);
}

TEST_F(GrantsServeTest, LinkIdsArePercentDecoded) {
  ASSERT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "read", "link_id": "a b/c", "args": {"?principal": "User::\"a\""}})").status, 201);
  EXPECT_EQ(Admin("DELETE", "/v1/grants/a%20b%2Fc").status, 204);
}

TEST_F(GrantsServeTest, BoundsAreRefused) {
  limits_.max_grants = 1;
  limits_.max_window = absl::Hours(1);
  Start();
  SetNow(absl::FromUnixSeconds(1'800'000'000));
  // 2027-01-15T08:00:00Z is 1,800,000,000 s after the epoch.
  EXPECT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "read", "link_id": "a", "args": {"?principal": "User::\"a\""}})").status, 422)
      << "no expires under a maximum window";
  EXPECT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "read", "link_id": "a", "args": {"?principal": "User::\"a\""}, "expires": "2027-01-15T10:00:00Z"})").status, 422)
      << "two hours";
  EXPECT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "read", "link_id": "a", "args": {"?principal": "User::\"a\""}, "expires": "2027-01-15T08:30:00Z"})").status, 201);
  EXPECT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "read", "link_id": "b", "args": {"?principal": "User::\"b\""}, "expires": "2027-01-15T08:30:00Z"})").status, 422)
      << "past --max-grants";
}

TEST_F(GrantsServeTest, TaskClosesAllItsGrants) {
  ASSERT_EQ(Admin("POST", "/v1/grants", kGrant).status, 201);
  ASSERT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "deploy", "link_id": "g2", "args": {"?principal": "User::\"bob\"", "?resource": "Env::\"prod\""}, "task": "T1"})").status, 201);
  ASSERT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "deploy", "link_id": "g3", "args": {"?principal": "User::\"carol\"", "?resource": "Env::\"prod\""}, "task": "T2"})").status, 201);
  EXPECT_TRUE(Deploy("bob").allowed);
  HttpReply closed = Admin("DELETE", "/v1/tasks/T1");
  EXPECT_EQ(closed.status, 200);
  absl::StatusOr<std::vector<Grant>> removed = ReadGrants(closed.body, "reply", {}, nullptr);
  ASSERT_TRUE(removed.ok()) << closed.body;
  ASSERT_EQ(removed->size(), 2u);
  EXPECT_EQ((*removed)[0].link.link_id, "g1");
  EXPECT_EQ((*removed)[1].link.link_id, "g2");
  EXPECT_FALSE(Deploy("alice").allowed);
  EXPECT_FALSE(Deploy("bob").allowed);
  EXPECT_TRUE(Deploy("carol").allowed);
  EXPECT_EQ(Admin("DELETE", "/v1/tasks/T1").status, 404);
  ASSERT_EQ(FileGrants().size(), 1u);
  EXPECT_EQ(FileGrants()[0].link.link_id, "g3");
  EXPECT_EQ(metrics_->grants_revoked(), 2u);
}

TEST_F(GrantsServeTest, ARestartLosesNothing) {
  ASSERT_EQ(Admin("POST", "/v1/grants", kGrant).status, 201);
  Start();   // a new process reading the same file
  EXPECT_TRUE(Deploy("alice").allowed);
  HttpReply list = Admin("GET", "/v1/grants");
  EXPECT_THAT(list.body, HasSubstr("\"link_id\":\"g1\""));
  EXPECT_EQ(metrics_->grants_live(), 1u);
  EXPECT_EQ(Admin("DELETE", "/v1/tasks/T1").status, 200);
  Start();
  EXPECT_FALSE(Deploy("alice").allowed);
}

TEST_F(GrantsServeTest, WithoutAFileGrantsLiveInMemoryAndAreCarried) {
  Start(/*with_file=*/false);
  ASSERT_EQ(Admin("POST", "/v1/grants", kGrant).status, 201);
  EXPECT_TRUE(Deploy("alice").allowed);
  WriteAll(dir_ / "p.cedar", std::string(kPolicies) + "permit(principal == User::\"zed\", action, resource);\n");
  ASSERT_TRUE(reloader_->ReloadNow()) << LastLog();
  EXPECT_EQ(holder_->Current()->version, 2u);
  EXPECT_TRUE(Deploy("alice").allowed);
  EXPECT_TRUE(Deploy("zed").allowed);
}

TEST_F(GrantsServeTest, AReloadCarriesTheGrants) {
  ASSERT_EQ(Admin("POST", "/v1/grants", kGrant).status, 201);
  WriteAll(dir_ / "p.cedar", std::string(kPolicies) + "permit(principal == User::\"zed\", action, resource);\n");
  ASSERT_TRUE(reloader_->ReloadNow()) << LastLog();
  EXPECT_EQ(holder_->Current()->version, 2u);
  EXPECT_TRUE(Deploy("alice").allowed);
  EXPECT_TRUE(Deploy("zed").allowed);
  // Admin changes go to the new engine.
  EXPECT_EQ(Admin("DELETE", "/v1/grants/g1").status, 204);
  EXPECT_FALSE(Deploy("alice").allowed);
}

TEST_F(GrantsServeTest, AReloadIsRefusedWhenAGrantsTemplateVanishes) {
  ASSERT_EQ(Admin("POST", "/v1/grants", kGrant).status, 201);
  WriteAll(dir_ / "p.cedar", "@id(\"read\")\npermit(principal == ?principal, action == Action::\"read\", resource);\n");
  EXPECT_FALSE(reloader_->ReloadNow());
  EXPECT_THAT(LastLog(), HasSubstr("reload failed; version 1 keeps serving"));
  EXPECT_THAT(LastLog(), HasSubstr("grant `g1`"));
  EXPECT_EQ(holder_->Current()->version, 1u);
  EXPECT_TRUE(Deploy("alice").allowed);   // the old engine, with its grant
  EXPECT_EQ(metrics_->reload_failures(), 1u);
  // Revoke it, and the reload goes through.
  EXPECT_EQ(Admin("DELETE", "/v1/grants/g1").status, 204);
  ASSERT_TRUE(reloader_->ReloadNow()) << LastLog();
  EXPECT_EQ(holder_->Current()->version, 2u);
}

TEST_F(GrantsServeTest, TheFileIsReloadedVerifiedThenSwapped) {
  ASSERT_EQ(Admin("POST", "/v1/grants", kGrant).status, 201);
  EXPECT_FALSE(store_->FileChanged()) << "our own write is not an edit";
  // A bad edit: every issue located, the old state keeps deciding.
  WriteAll(dir_ / "grants.json", "[{\"template_id\": \"deploy\", \"link_id\": \"g1\", \"args\": {}},\n {\"link_id\": 1}]");
  EXPECT_TRUE(store_->FileChanged());
  EXPECT_FALSE(reloader_->ReloadNow());
  EXPECT_THAT(LastLog(), HasSubstr("grants.json:2:2: error: missing field `template_id`"));
  EXPECT_THAT(LastLog(), HasSubstr("grants.json:2:14: error: `link_id` is a string, not number"));
  EXPECT_TRUE(Deploy("alice").allowed);
  // A good edit: the file's grants, swapped in whole.
  WriteAll(dir_ / "grants.json",
           R"([{"template_id": "deploy", "link_id": "g9", "args": {"?principal": "User::\"bob\"", "?resource": "Env::\"prod\""}}])");
  ASSERT_TRUE(reloader_->ReloadNow()) << LastLog();
  EXPECT_FALSE(Deploy("alice").allowed);
  EXPECT_TRUE(Deploy("bob").allowed);
  EXPECT_FALSE(store_->FileChanged());
}

TEST_F(GrantsServeTest, ExpiredGrantsAreSweptAndCounted) {
  // 2027-01-15T08:00:00Z is now.
  ASSERT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "deploy", "link_id": "short", "args": {"?principal": "User::\"alice\"", "?resource": "Env::\"prod\""}, "expires": "2027-01-15T08:00:10Z"})").status, 201);
  ASSERT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "deploy", "link_id": "long", "args": {"?principal": "User::\"bob\"", "?resource": "Env::\"prod\""}, "expires": "2027-01-15T09:00:00Z"})").status, 201);
  EXPECT_EQ(store_->SweepExpired(), 0u);
  SetNow(absl::FromUnixSeconds(1'800'000'011));
  EXPECT_EQ(store_->SweepExpired(), 1u);
  ASSERT_EQ(FileGrants().size(), 1u);
  EXPECT_EQ(FileGrants()[0].link.link_id, "long");
  EXPECT_EQ(metrics_->grants_expired(), 1u);
  EXPECT_EQ(metrics_->grants_live(), 1u);
  // A grant expired in the file when the server starts is dropped, not refused.
  WriteAll(dir_ / "grants.json", absl::StrCat("[", R"({"template_id": "deploy", "link_id": "old", "args": {"?principal": "User::\"carol\"", "?resource": "Env::\"prod\""}, "expires": "2027-01-15T08:00:05Z"})", "]"));
  Start();   // the clock is back at 08:00:00
  SetNow(absl::FromUnixSeconds(1'800'000'011));
  ASSERT_TRUE(reloader_->ReloadNow()) << LastLog();
  EXPECT_THAT(FileGrants(), IsEmpty());
  EXPECT_EQ(metrics_->grants_expired(), 1u);
}

TEST_F(GrantsServeTest, AGrantThatCannotBePersistedIsNotIssued) {
  // The grants file's path is now a folder: the rename fails.
  fs::remove(dir_ / "grants.json");
  fs::create_directory(dir_ / "grants.json");
  fs::create_directory(dir_ / "grants.json" / "x");
  HttpReply r = Admin("POST", "/v1/grants", kGrant);
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, HasSubstr("not issued"));
  EXPECT_FALSE(Deploy("alice").allowed);
  EXPECT_EQ(Admin("GET", "/v1/grants").body, "[]\n");
}

TEST_F(GrantsServeTest, ARevocationThatCannotBePersistedStandsAcrossReloads) {
  ASSERT_EQ(Admin("POST", "/v1/grants", kGrant).status, 201);
  fs::remove(dir_ / "grants.json");
  fs::create_directory(dir_ / "grants.json");
  fs::create_directory(dir_ / "grants.json" / "x");
  HttpReply r = Admin("DELETE", "/v1/grants/g1");
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, HasSubstr("revoked in memory"));
  EXPECT_FALSE(Deploy("alice").allowed);
  // A reload carries the live grants, not a file that is behind them.
  WriteAll(dir_ / "p.cedar", std::string(kPolicies) + "permit(principal == User::\"zed\", action, resource);\n");
  ASSERT_TRUE(reloader_->ReloadNow()) << LastLog();
  EXPECT_FALSE(Deploy("alice").allowed);
  // Once the file can be written again, the next change brings it up to date.
  fs::remove_all(dir_ / "grants.json");
  ASSERT_TRUE(reloader_->ReloadNow()) << LastLog();
  EXPECT_EQ(ReadAll(dir_ / "grants.json"), "[]\n");
  EXPECT_FALSE(Deploy("alice").allowed);
}

// --template-linked for serve: static links, reloaded with the policies; a
// grant may not take a static link's id.
TEST_F(GrantsServeTest, StaticLinksAreServedAndReloaded) {
  links_ = (dir_ / "links.json").string();
  WriteAll(links_, R"([{"template_id": "deploy", "link_id": "static-1", "args": {"?principal": "User::\"dan\"", "?resource": "Env::\"prod\""}}])");
  Start();
  EXPECT_TRUE(Deploy("dan").allowed);
  EXPECT_THAT(Deploy("dan").reasons, ::testing::ElementsAre("static-1"));
  EXPECT_EQ(Admin("POST", "/v1/grants", R"({"template_id": "read", "link_id": "static-1", "args": {"?principal": "User::\"a\""}})").status, 422);
  WriteAll(links_, "[]");
  ASSERT_TRUE(reloader_->ReloadNow()) << LastLog();
  EXPECT_FALSE(Deploy("dan").allowed);
  WriteAll(links_, R"([{"template_id": "nope", "link_id": "x", "args": {}}])");
  EXPECT_FALSE(reloader_->ReloadNow());
  EXPECT_THAT(LastLog(), HasSubstr("links.json:1:18"));
}

TEST_F(GrantsServeTest, AdminPathsAreNotOnTheMainListener) {
  Handler handler(ForwardAuthConfig{}, holder_.get(), metrics_.get(), nullptr);
  for (auto [method, target] : {std::pair<std::string_view, std::string_view>{"GET", "/v1/grants"},
                                {"POST", "/v1/grants"},
                                {"DELETE", "/v1/grants/g1"},
                                {"DELETE", "/v1/tasks/T1"}}) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.body = kGrant;
    EXPECT_EQ(handler.Handle(r, std::chrono::steady_clock::now()).status, 404) << method << " " << target;
  }
  EXPECT_EQ(Admin("GET", "/v1/grants").body, "[]\n");
}

// Admin changes and reloads while deciders run (TSan in CI: `ctest -R
// Concurrent`): every grant issued allows the next decision, every
// revocation denies it, whatever reload is installing meanwhile.
TEST_F(GrantsServeTest, ConcurrentAdminChangesReloadsAndDecisions) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> decided{0};
  std::vector<std::thread> deciders;
  for (int t = 0; t < 2; ++t) {
    deciders.emplace_back([&] {
      while (!stop.load()) {
        (void)Deploy("alice");
        (void)Deploy("bob");
        decided.fetch_add(2);
      }
    });
  }
  std::thread reloads([&] {
    for (int i = 0; i < 20 && !stop.load(); ++i) {
      WriteAll(dir_ / "p.cedar", absl::StrCat(kPolicies, "permit(principal == User::\"u", i, "\", action, resource);\n"));
      EXPECT_TRUE(reloader_->ReloadNow()) << LastLog();
    }
  });
  for (int i = 0; i < 40; ++i) {
    const std::string id = absl::StrCat("c", i);
    ASSERT_EQ(Admin("POST", "/v1/grants",
                    absl::StrCat(R"({"template_id": "deploy", "link_id": ")", id,
                                 R"(", "args": {"?principal": "User::\"bob\"", "?resource": "Env::\"prod\""}})"))
                  .status,
              201);
    EXPECT_TRUE(Deploy("bob").allowed) << id;
    ASSERT_EQ(Admin("DELETE", absl::StrCat("/v1/grants/", id)).status, 204);
    EXPECT_FALSE(Deploy("bob").allowed) << id;
  }
  reloads.join();
  stop.store(true);
  for (std::thread& t : deciders) t.join();
  EXPECT_GT(decided.load(), 0u);
  EXPECT_THAT(FileGrants(), IsEmpty());
  EXPECT_EQ(metrics_->grants_issued(), 40u);
  EXPECT_EQ(metrics_->grants_revoked(), 40u);
}

// One HTTP/1.1 exchange over the Unix socket at `path`: the whole response.
std::string OverSocket(const std::string& path, const std::string& request) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return "connect failed";
  }
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return out;
}

std::string Http(const std::string& method, const std::string& target, const std::string& body = "") {
  return absl::StrCat(method, " ", target, " HTTP/1.1\r\nHost: writ\r\nConnection: close\r\nContent-Length: ",
                      body.size(), "\r\n\r\n", body);
}

TEST_F(GrantsServeTest, AdminListenerIsAUnixSocketOfMode0600) {
  const std::string sock = (dir_ / "admin.sock").string();
  // A stale socket file, as a killed server leaves it: bound, nobody accepting.
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ::close(fd);
  }
  absl::StatusOr<std::unique_ptr<AdminServer>> admin = AdminServer::Start(sock, store_.get());
  ASSERT_TRUE(admin.ok()) << admin.status();
  struct stat st;
  ASSERT_EQ(::stat(sock.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A second server on the same path is refused: one accepts there.
  EXPECT_FALSE(AdminServer::Start(sock, store_.get()).ok());

  std::string r = OverSocket(sock, Http("POST", "/v1/grants", kGrant));
  EXPECT_THAT(r, ::testing::StartsWith("HTTP/1.1 201 Created\r\n"));
  EXPECT_THAT(r, HasSubstr("\"link_id\":\"g1\""));
  EXPECT_TRUE(Deploy("alice").allowed);
  EXPECT_THAT(OverSocket(sock, Http("GET", "/v1/grants")), HasSubstr("\"task\":\"T1\""));
  EXPECT_THAT(OverSocket(sock, Http("POST", "/v1/grants", std::string(kMaxAdminBodyBytes + 1, ' '))),
              ::testing::StartsWith("HTTP/1.1 413 "));
  EXPECT_THAT(OverSocket(sock, Http("DELETE", "/v1/tasks/T1")), ::testing::StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_FALSE(Deploy("alice").allowed);
  EXPECT_THAT(OverSocket(sock, "GARBAGE\r\n\r\n"), ::testing::StartsWith("HTTP/1.1 400 "));
  (*admin)->Stop();
  EXPECT_FALSE(fs::exists(sock));

  // A path that is not a socket is never replaced.
  WriteAll(dir_ / "not-a-socket", "data");
  EXPECT_FALSE(AdminServer::Start((dir_ / "not-a-socket").string(), store_.get()).ok());
  EXPECT_EQ(ReadAll(dir_ / "not-a-socket"), "data");
}

}  // namespace
}  // namespace writ::serve
