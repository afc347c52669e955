// serve: bundles pulled over HTTP — the fetcher against an in-process HTTP
// server (200 with an ETag, 304, errors, redirects not followed, the size
// bound, timeouts), and the bundle source with a stand-in fetcher: a bundle
// taken, 304, refusals that keep the last good set (bad signature, a
// truncated archive, a stale or re-used revision), the revocation bundle
// applied without recompiling, the cache on restart, backoff and jitter.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/serve/bundle_fetch.h"
#include "src/serve/bundle_source.h"
#include "src/serve/decision_log.h"
#include "src/serve/handler.h"
#include "src/serve/metrics.h"
#include "src/serve/policy_store.h"
#include "writ/writ.h"

namespace writ::serve {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using std::chrono::milliseconds;

// ---- an in-process HTTP server ----

class TestServer {
 public:
  using Handler = std::function<void(const http::request<http::string_body>&, http::response<http::string_body>*)>;
  explicit TestServer(Handler handler)
      : handler_(std::move(handler)), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Loop(); });
  }
  ~TestServer() {
    stop_ = true;
    beast::error_code ec;
    tcp::socket poke(io_);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    thread_.join();
  }
  std::string Url(const std::string& path) const { return absl::StrCat("http://127.0.0.1:", port_, path); }
  int requests() const { return requests_.load(); }
  std::string last_if_none_match() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_inm_;
  }

 private:
  void Loop() {
    while (!stop_) {
      tcp::socket s(io_);
      beast::error_code ec;
      acceptor_.accept(s, ec);
      if (stop_ || ec) return;
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(s, buffer, req, ec);
      if (ec) continue;
      ++requests_;
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_inm_ = std::string(req[http::field::if_none_match]);
      }
      http::response<http::string_body> res{http::status::ok, 11};
      handler_(req, &res);
      res.prepare_payload();
      http::write(s, res, ec);
      s.shutdown(tcp::socket::shutdown_both, ec);
    }
  }

  Handler handler_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::string last_inm_;
  std::thread thread_;
};

TEST(FetchUrlTest, Parses) {
  absl::StatusOr<FetchUrl> u = ParseFetchUrl("https://bundles.example:8443/b/x.tar.gz?v=1#frag");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "bundles.example");
  EXPECT_EQ(u->port, "8443");
  EXPECT_EQ(u->target, "/b/x.tar.gz?v=1");
  u = ParseFetchUrl("http://[::1]/b");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, "80");
  u = ParseFetchUrl("HTTP://h");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->target, "/");
  for (const char* bad : {"ftp://h/x", "h/x", "http://user@h/x", "http://h:0/", "http://h:99999/", "http:///x",
                          "http://h /x", "http://[::1/x"}) {
    EXPECT_FALSE(ParseFetchUrl(bad).ok()) << bad;
  }
}

TEST(FetchTest, EtagAnd304) {
  TestServer server([](const http::request<http::string_body>& req, http::response<http::string_body>* res) {
    if (req[http::field::if_none_match] == "\"v1\"") {
      res->result(http::status::not_modified);
      res->set(http::field::etag, "\"v1\"");
      return;
    }
    res->set(http::field::etag, "\"v1\"");
    res->body() = "BUNDLE";
  });
  absl::StatusOr<FetchResult> r = FetchBundle(server.Url("/b.tar.gz"), "", {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->not_modified);
  EXPECT_EQ(r->body, "BUNDLE");
  EXPECT_EQ(r->etag, "\"v1\"");
  EXPECT_EQ(server.last_if_none_match(), "");
  r = FetchBundle(server.Url("/b.tar.gz"), "\"v1\"", {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->not_modified);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(server.last_if_none_match(), "\"v1\"");
}

TEST(FetchTest, ErrorsRedirectsAndBounds) {
  TestServer server([](const http::request<http::string_body>& req, http::response<http::string_body>* res) {
    if (req.target() == "/missing") {
      res->result(http::status::not_found);
    } else if (req.target() == "/moved") {
      res->result(http::status::found);
      res->set(http::field::location, "http://elsewhere.example/b.tar.gz");
    } else {
      res->body() = std::string(4096, 'x');
    }
  });
  absl::StatusOr<FetchResult> r = FetchBundle(server.Url("/missing"), "", {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("HTTP 404"), std::string::npos) << r.status();
  r = FetchBundle(server.Url("/moved"), "", {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("redirects are not followed"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("elsewhere.example"), std::string::npos) << r.status();
  FetchOptions small;
  small.max_bytes = 1000;
  r = FetchBundle(server.Url("/big"), "", small);
  ASSERT_FALSE(r.ok()) << r->body.size() << " " << r->not_modified;
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted) << r.status();
  small.max_bytes = 4096;
  r = FetchBundle(server.Url("/big"), "", small);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body.size(), 4096u);
}

TEST(FetchTest, TimeoutsAndRefusedConnections) {
  TestServer server([](const http::request<http::string_body>&, http::response<http::string_body>* res) {
    std::this_thread::sleep_for(milliseconds(1500));
    res->body() = "late";
  });
  FetchOptions quick;
  quick.total_timeout = milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<FetchResult> r = FetchBundle(server.Url("/slow"), "", quick);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1200));
  // Cancelled: returns at once.
  std::atomic<bool> cancel{true};
  r = FetchBundle(server.Url("/slow"), "", {}, &cancel);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled) << r.status();

  // Nothing listening: a port just closed.
  unsigned short port = 0;
  {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }
  r = FetchBundle(absl::StrCat("http://127.0.0.1:", port, "/b"), "", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
}

TEST(FetchTest, HttpsToAPlainServerFails) {
  TestServer server([](const http::request<http::string_body>&, http::response<http::string_body>* res) {
    res->body() = "plain";
  });
  std::string url = server.Url("/b");
  url.replace(0, 4, "https");
  FetchOptions quick;
  quick.total_timeout = milliseconds(2000);
  absl::StatusOr<FetchResult> r = FetchBundle(url, "", quick);
  EXPECT_FALSE(r.ok());
}

// ---- the bundle source ----

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

KeyPair NewKey() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  EXPECT_NE(key, nullptr);
  KeyPair out;
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  out.private_pem.assign(data, static_cast<std::size_t>(n));
  BIO_free(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(b, key);
  n = BIO_get_mem_data(b, &data);
  out.public_pem.assign(data, static_cast<std::size_t>(n));
  BIO_free(b);
  EVP_PKEY_free(key);
  return out;
}

class BundleSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / absl::StrCat("writ_bundle_source_test.", ::getpid(), ".",
                                                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    key_ = NewKey();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A bundle of `files` (name -> text) at `revision`, signed by `key`
  // (unsigned when null).
  std::string Make(const std::map<std::string, std::string>& files, std::uint64_t revision, const KeyPair* key) {
    const fs::path src = dir_ / absl::StrCat("src", ++made_);
    fs::create_directories(src);
    for (const auto& [name, text] : files) std::ofstream(src / name, std::ios::binary) << text;
    std::vector<Issue> issues;
    absl::StatusOr<std::string> archive = BuildBundle(src.string(), revision, &issues);
    EXPECT_TRUE(archive.ok()) << archive.status() << RenderIssues(issues);
    if (!archive.ok()) return "";
    if (key == nullptr) return *archive;
    absl::StatusOr<std::string> signed_archive = SignBundle(*archive, key->private_pem);
    EXPECT_TRUE(signed_archive.ok()) << signed_archive.status();
    return signed_archive.value_or("");
  }

  BundleSourceOptions Options() const {
    BundleSourceOptions o;
    o.bundle_url = "http://test/bundle.tar.gz";
    o.revoked_url = "http://test/revoked.tar.gz";
    o.cache_dir = (dir_ / "cache").string();
    o.verify.public_keys_pem = {key_.public_pem};
    o.bundle_poll = milliseconds(100);
    o.revoked_poll = milliseconds(100);
    return o;
  }

  // The stand-in server: url -> (etag, body); a missing url fails.
  struct Served {
    std::string etag;
    std::string body;
  };
  BundleFetcher Fetcher() {
    return [this](const std::string& url, const std::string& etag,
                  const std::atomic<bool>*) -> absl::StatusOr<FetchResult> {
      std::lock_guard<std::mutex> lock(mu_);
      ++fetches_;
      auto it = served_.find(url);
      if (down_ || it == served_.end()) return absl::UnavailableError(absl::StrCat(url, ": cannot connect"));
      FetchResult r;
      r.etag = it->second.etag;
      if (!etag.empty() && etag == it->second.etag) {
        r.not_modified = true;
      } else {
        r.body = it->second.body;
      }
      return r;
    };
  }
  void Serve(const std::string& url, const std::string& etag, const std::string& body) {
    std::lock_guard<std::mutex> lock(mu_);
    served_[url] = {etag, body};
  }
  void SetDown(bool down) {
    std::lock_guard<std::mutex> lock(mu_);
    down_ = down;
  }

  std::unique_ptr<BundleSource> NewSource(const BundleSourceOptions& o) {
    return std::make_unique<BundleSource>(o, DecideOptions{}, revoked_, &holder_, &metrics_,
                                          [this](const std::string& line) {
                                            std::lock_guard<std::mutex> lock(log_mu_);
                                            log_ += line + "\n";
                                          },
                                          Fetcher());
  }

  // Decides `principal` reading Doc::"d" under the current snapshot.
  std::string Decide(const std::string& principal) {
    PolicyHolder::Ref snap = holder_.Current();
    if (!snap) return "none";
    Request r;
    r.principal = {"User", principal};
    r.action = {"Action", "read"};
    r.resource = {"Doc", "d"};
    const Decision d = snap->engine->Decide(r);
    if (d.revoked) return "revoked";
    return d.allowed ? "allow" : "deny";
  }

  fs::path dir_;
  KeyPair key_;
  int made_ = 0;
  std::mutex mu_;
  std::map<std::string, Served> served_;
  bool down_ = false;
  int fetches_ = 0;
  std::shared_ptr<RevocationList> revoked_ = std::make_shared<RevocationList>();
  PolicyHolder holder_;
  Metrics metrics_;
  std::mutex log_mu_;
  std::string log_;
};

const char* kAliceOnly = "permit(principal == User::\"alice\", action, resource);\n";
const char* kAliceAndBob =
    "permit(principal == User::\"alice\", action, resource);\npermit(principal == User::\"bob\", action, resource);\n";

TEST_F(BundleSourceTest, TakesA304AndRefusesWholeKeepingTheLastGood) {
  BundleSourceOptions o = Options();
  std::unique_ptr<BundleSource> source = NewSource(o);
  // Nothing served: nothing decides (the server is not ready).
  EXPECT_EQ(source->PollBundle(), PollOutcome::kFetchFailed);
  EXPECT_FALSE(holder_.Current());
  EXPECT_EQ(metrics_.bundle_failures(BundleChannel::kPolicy, BundleFailure::kFetch), 1u);

  Serve(o.bundle_url, "\"r1\"", Make({{"p.cedar", kAliceOnly}}, 1, &key_));
  EXPECT_EQ(source->PollBundle(), PollOutcome::kTaken) << log_;
  EXPECT_EQ(source->revision(), 1u);
  EXPECT_EQ(holder_.Current()->bundle_revision, 1u);
  EXPECT_EQ(metrics_.bundle_revision(BundleChannel::kPolicy), 1u);
  EXPECT_EQ(Decide("alice"), "allow");
  EXPECT_EQ(Decide("bob"), "deny");
  const std::uint64_t version = holder_.Current()->version;
  EXPECT_EQ(source->PollBundle(), PollOutcome::kUnchanged);   // 304
  EXPECT_EQ(holder_.Current()->version, version);

  // Each refused whole: the last good set keeps deciding.
  const KeyPair other = NewKey();
  struct Bad {
    std::string body;
    BundleFailure why;
  };
  const std::string good2 = Make({{"p.cedar", kAliceAndBob}}, 2, &key_);
  std::vector<Bad> bad = {
      {Make({{"p.cedar", kAliceAndBob}}, 2, &other), BundleFailure::kSignature},
      {Make({{"p.cedar", kAliceAndBob}}, 2, nullptr), BundleFailure::kSignature},
      {good2.substr(0, good2.size() / 2), BundleFailure::kArchive},
      {Make({{"p.cedar", kAliceAndBob}}, 0, &key_), BundleFailure::kStale},
      {Make({{"p.cedar", kAliceAndBob}}, 1, &key_), BundleFailure::kStale},   // revision 1, other contents
  };
  int n = 0;
  for (const Bad& b : bad) {
    if (b.body.empty()) continue;
    ++n;
    const std::uint64_t before = metrics_.bundle_failures(BundleChannel::kPolicy, b.why);
    Serve(o.bundle_url, absl::StrCat("\"bad", n, "\""), b.body);
    EXPECT_EQ(source->PollBundle(), PollOutcome::kRefused) << n << "\n" << log_;
    EXPECT_EQ(metrics_.bundle_failures(BundleChannel::kPolicy, b.why), before + 1) << n << "\n" << log_;
    EXPECT_EQ(source->revision(), 1u);
    EXPECT_EQ(holder_.Current()->version, version);
    EXPECT_EQ(Decide("bob"), "deny");
    // The refused bundle is not fetched again until it changes.
    EXPECT_EQ(source->PollBundle(), PollOutcome::kUnchanged) << n;
  }
  // The same revision and contents under a new ETag: nothing to do.
  Serve(o.bundle_url, "\"r1-again\"", Make({{"p.cedar", kAliceOnly}}, 1, &key_));
  EXPECT_EQ(source->PollBundle(), PollOutcome::kUnchanged) << log_;
  EXPECT_EQ(holder_.Current()->version, version);

  Serve(o.bundle_url, "\"r2\"", good2);
  EXPECT_EQ(source->PollBundle(), PollOutcome::kTaken) << log_;
  EXPECT_EQ(Decide("bob"), "allow");
  EXPECT_EQ(holder_.Current()->bundle_revision, 2u);
}

TEST_F(BundleSourceTest, ReadyzAndDecisionLogsCarryTheBundleRevision) {
  BundleSourceOptions o = Options();
  std::unique_ptr<BundleSource> source = NewSource(o);
  const std::string log_path = (dir_ / "decisions.log").string();
  absl::StatusOr<std::unique_ptr<DecisionLog>> log = DecisionLog::Open(log_path, 16);
  ASSERT_TRUE(log.ok()) << log.status();
  (*log)->Start();
  Handler handler(ForwardAuthConfig{}, &holder_, &metrics_, log->get());
  HttpRequest ready{"GET", "/readyz", {}, ""};
  EXPECT_EQ(handler.Handle(ready, std::chrono::steady_clock::now()).status, 503);   // no bundle yet
  Serve(o.bundle_url, "\"r5\"", Make({{"p.cedar", kAliceOnly}}, 5, &key_));
  ASSERT_EQ(source->PollBundle(), PollOutcome::kTaken) << log_;
  HttpReply r = handler.Handle(ready, std::chrono::steady_clock::now());
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"bundle_revision\":5"), std::string::npos) << r.body;
  HttpRequest decide{"POST", "/v1/authorize", {},
                     R"({"principal":"User::\"alice\"","action":"Action::\"read\"","resource":"Doc::\"d\"","context":{}})"};
  r = handler.Handle(decide, std::chrono::steady_clock::now());
  EXPECT_EQ(r.status, 200) << r.body;
  (*log)->Stop();
  std::ifstream in(log_path);
  std::string line;
  std::getline(in, line);
  EXPECT_NE(line.find("\"bundle_revision\":5"), std::string::npos) << line;
  EXPECT_NE(line.find("\"decision\":\"allow\""), std::string::npos) << line;
  const std::string text = metrics_.Render(0, 0);
  EXPECT_NE(text.find("writ_bundle_revision{channel=\"policy\"} 5\n"), std::string::npos) << text;
}

TEST_F(BundleSourceTest, TwoKeysDuringARotation) {
  const KeyPair next = NewKey();
  BundleSourceOptions o = Options();
  o.verify.public_keys_pem.push_back(next.public_pem);
  std::unique_ptr<BundleSource> source = NewSource(o);
  Serve(o.bundle_url, "\"1\"", Make({{"p.cedar", kAliceOnly}}, 1, &key_));
  EXPECT_EQ(source->PollBundle(), PollOutcome::kTaken) << log_;
  Serve(o.bundle_url, "\"2\"", Make({{"p.cedar", kAliceAndBob}}, 2, &next));
  EXPECT_EQ(source->PollBundle(), PollOutcome::kTaken) << log_;
}

TEST_F(BundleSourceTest, RevocationBundleAppliesWithoutRecompiling) {
  BundleSourceOptions o = Options();
  std::unique_ptr<BundleSource> source = NewSource(o);
  Serve(o.bundle_url, "\"p1\"", Make({{"p.cedar", kAliceAndBob}, {"revoked.txt", "User::\"carol\"\n"}}, 1, &key_));
  ASSERT_EQ(source->PollBundle(), PollOutcome::kTaken) << log_;
  EXPECT_TRUE(revoked_->Contains({"User", "carol"}));
  const std::uint64_t version = holder_.Current()->version;

  Serve(o.revoked_url, "\"v1\"", Make({{"revoked.txt", "User::\"bob\"\n"}}, 7, &key_));
  EXPECT_EQ(source->PollRevoked(), PollOutcome::kTaken) << log_;
  EXPECT_EQ(source->revoked_revision(), 7u);
  EXPECT_EQ(Decide("bob"), "revoked");
  EXPECT_EQ(Decide("alice"), "allow");
  EXPECT_EQ(holder_.Current()->version, version);   // not recompiled
  // The union of both bundles' revocations.
  EXPECT_TRUE(revoked_->Contains({"User", "carol"}));
  EXPECT_EQ(revoked_->size(), 2u);

  // A new policy bundle without carol: bob stays revoked (the other bundle's).
  Serve(o.bundle_url, "\"p2\"", Make({{"p.cedar", kAliceAndBob}}, 2, &key_));
  ASSERT_EQ(source->PollBundle(), PollOutcome::kTaken) << log_;
  EXPECT_FALSE(revoked_->Contains({"User", "carol"}));
  EXPECT_EQ(Decide("bob"), "revoked");

  // Restored by the next revocation bundle; an older one is refused.
  Serve(o.revoked_url, "\"v2\"", Make({{"revoked.txt", "# nobody\n"}}, 8, &key_));
  EXPECT_EQ(source->PollRevoked(), PollOutcome::kTaken) << log_;
  EXPECT_EQ(Decide("bob"), "allow");
  Serve(o.revoked_url, "\"v0\"", Make({{"revoked.txt", "User::\"alice\"\n"}}, 6, &key_));
  EXPECT_EQ(source->PollRevoked(), PollOutcome::kRefused) << log_;
  EXPECT_EQ(Decide("alice"), "allow");
  EXPECT_EQ(metrics_.bundle_failures(BundleChannel::kRevocations, BundleFailure::kStale), 1u);
  // Policies do not belong in it.
  Serve(o.revoked_url, "\"v9\"", Make({{"revoked.txt", "User::\"alice\"\n"}, {"p.cedar", kAliceOnly}}, 9, &key_));
  EXPECT_EQ(source->PollRevoked(), PollOutcome::kRefused) << log_;
  EXPECT_EQ(Decide("alice"), "allow");
}

TEST_F(BundleSourceTest, RestartWhileTheServerIsDownDecidesFromTheCache) {
  BundleSourceOptions o = Options();
  {
    std::unique_ptr<BundleSource> source = NewSource(o);
    Serve(o.bundle_url, "\"p3\"", Make({{"p.cedar", kAliceAndBob}}, 3, &key_));
    Serve(o.revoked_url, "\"v4\"", Make({{"revoked.txt", "User::\"bob\"\n"}}, 4, &key_));
    ASSERT_EQ(source->PollBundle(), PollOutcome::kTaken) << log_;
    ASSERT_EQ(source->PollRevoked(), PollOutcome::kTaken) << log_;
  }
  EXPECT_TRUE(fs::exists(dir_ / "cache" / "bundle.tar.gz"));
  EXPECT_TRUE(fs::exists(dir_ / "cache" / "revocations.tar.gz"));
  // A new process: a new holder and list, the server down.
  PolicyHolder holder;
  auto revoked = std::make_shared<RevocationList>();
  SetDown(true);
  BundleSource restarted(o, DecideOptions{}, revoked, &holder, &metrics_, [](const std::string&) {}, Fetcher());
  ASSERT_TRUE(restarted.LoadCache());
  EXPECT_EQ(restarted.revision(), 3u);
  EXPECT_EQ(restarted.revoked_revision(), 4u);
  ASSERT_TRUE(holder.Current());
  EXPECT_EQ(holder.Current()->bundle_revision, 3u);
  EXPECT_TRUE(revoked->Contains({"User", "bob"}));
  EXPECT_EQ(restarted.PollBundle(), PollOutcome::kFetchFailed);
  EXPECT_EQ(holder.Current()->bundle_revision, 3u);
  // Back up: the cached ETag is sent, and the server answers 304.
  SetDown(false);
  EXPECT_EQ(restarted.PollBundle(), PollOutcome::kUnchanged);

  // A cache that no longer verifies (another key) is not taken.
  BundleSourceOptions rotated = o;
  rotated.verify.public_keys_pem = {NewKey().public_pem};
  PolicyHolder holder2;
  BundleSource other(rotated, DecideOptions{}, std::make_shared<RevocationList>(), &holder2, nullptr,
                     [](const std::string&) {}, Fetcher());
  EXPECT_FALSE(other.LoadCache());
  EXPECT_FALSE(holder2.Current());
}

TEST_F(BundleSourceTest, PollsOnItsThreadAndBacksOff) {
  BundleSourceOptions o = Options();
  o.revoked_url = "";
  std::unique_ptr<BundleSource> source = NewSource(o);
  SetDown(true);
  source->Start();
  std::this_thread::sleep_for(milliseconds(700));
  int failed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    failed = fetches_;
  }
  // Backing off: 0, 100, 200, 400 ms... — not one fetch per 100 ms.
  EXPECT_GE(failed, 2);
  EXPECT_LE(failed, 5);
  SetDown(false);
  Serve(o.bundle_url, "\"1\"", Make({{"p.cedar", kAliceOnly}}, 1, &key_));
  source->Trigger();
  for (int i = 0; i < 100 && source->revision() != 1; ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(source->revision(), 1u) << log_;
  const auto start = std::chrono::steady_clock::now();
  source->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(500));
}

TEST(BackoffTest, DoublesToACapAndJitters) {
  const milliseconds p(1000);
  EXPECT_EQ(BundleSource::Backoff(p, 0), p);
  EXPECT_EQ(BundleSource::Backoff(p, 1), milliseconds(2000));
  EXPECT_EQ(BundleSource::Backoff(p, 3), milliseconds(8000));
  EXPECT_EQ(BundleSource::Backoff(p, 4), milliseconds(10000));
  EXPECT_EQ(BundleSource::Backoff(p, 100), milliseconds(10000));
  EXPECT_EQ(BundleSource::Backoff(milliseconds(60000), 5), milliseconds(300000));   // at most 5 minutes
  EXPECT_EQ(BundleSource::Backoff(milliseconds(600000), 5), milliseconds(600000));  // never below the period
  EXPECT_EQ(BundleSource::Jitter(p, 0.0), milliseconds(900));
  EXPECT_EQ(BundleSource::Jitter(p, 0.5), milliseconds(1000));
  EXPECT_GE(BundleSource::Jitter(p, 0.999), milliseconds(1099));
}

TEST(BundleMetricsTest, RendersOnlyEnabledChannels) {
  Metrics m;
  EXPECT_EQ(m.Render(0, 0).find("writ_bundle"), std::string::npos);
  m.EnableBundle(BundleChannel::kPolicy);
  m.SetBundleRevision(BundleChannel::kPolicy, 42);
  m.RecordBundleFailure(BundleChannel::kPolicy, BundleFailure::kSignature);
  const std::string text = m.Render(0, 0);
  EXPECT_NE(text.find("writ_bundle_revision{channel=\"policy\"} 42\n"), std::string::npos) << text;
  EXPECT_NE(text.find("writ_bundle_failures_total{channel=\"policy\",cause=\"signature\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("writ_bundle_last_success_age_seconds{channel=\"policy\"} +Inf\n"), std::string::npos);
  EXPECT_EQ(text.find("channel=\"revocations\""), std::string::npos);
}

}  // namespace
}  // namespace writ::serve
