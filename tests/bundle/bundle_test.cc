// Tests of policy bundles (writ/bundle.h): a folder built, signed, verified
// and loaded decides as the files do; every check refuses what it should,
// with the fault a fleet would count.
#include "writ/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/bundle/archive.h"

namespace writ {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ---- Keys (generated per test run; nothing checked in) ----

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

std::string BioString(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

KeyPair PemsOf(EVP_PKEY* key) {
  KeyPair out;
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.private_pem = BioString(b);
  BIO_free(b);
  b = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(b, key);
  out.public_pem = BioString(b);
  BIO_free(b);
  EVP_PKEY_free(key);
  return out;
}

KeyPair NewEd25519() { return PemsOf(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); }
KeyPair NewP256() { return PemsOf(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

std::string Sha256(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(md), n));
}

// ---- Archives written by hand, hostile ones included ----

struct Entry {
  Entry(std::string p, std::string b = "", unsigned t = AE_IFREG, std::string l = "", bool h = false)
      : path(std::move(p)), bytes(std::move(b)), type(t), link(std::move(l)), hard(h) {}
  std::string path;
  std::string bytes;
  unsigned type;
  std::string link;        // symlink target, or hard link name when `hard`
  bool hard;
};

std::string TarGz(const std::vector<Entry>& entries, bool gzip = true) {
  std::string out;
  struct archive* a = archive_write_new();
  if (gzip) archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_in_last_block(a, 1);   // no padding after the gzip stream: truncation cuts data
  archive_write_open(a, &out, nullptr,
                     [](struct archive*, void* data, const void* buffer, size_t n) -> la_ssize_t {
                       static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), n);
                       return static_cast<la_ssize_t>(n);
                     },
                     nullptr);
  for (const Entry& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_filetype(entry, e.type);
    archive_entry_set_perm(entry, 0644);
    if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.link.c_str());
    if (e.hard) archive_entry_set_hardlink(entry, e.link.c_str());
    if (e.type == AE_IFCHR) archive_entry_set_rdev(entry, 0x0103);
    archive_entry_set_size(entry, static_cast<la_int64_t>(e.bytes.size()));
    archive_write_header(a, entry);
    if (!e.bytes.empty()) archive_write_data(a, e.bytes.data(), e.bytes.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

struct ListedFile {
  std::string path;
  std::string kind;
  std::string bytes;
};

std::string Manifest(const std::vector<ListedFile>& files, std::uint64_t revision = 7) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ListedFile& f : files) {
    list.push_back({{"path", f.path}, {"kind", f.kind}, {"sha256", Sha256(f.bytes)}, {"size", f.bytes.size()}});
  }
  return nlohmann::ordered_json{{"revision", revision}, {"files", list}}.dump(2);
}

constexpr char kPolicyA[] = R"(// workloads in payments may read
permit(principal in Namespace::"payments", action == Action::"read", resource);
)";
constexpr char kPolicyB[] = R"(forbid(principal == Workload::"old", action, resource);
permit(principal, action == Action::"write", resource) when { principal.admin };
)";
constexpr char kEntities[] = R"([
  {"uid": {"type": "Workload", "id": "api"}, "attrs": {"admin": false}, "parents": [{"type": "Namespace", "id": "payments"}]},
  {"uid": {"type": "Workload", "id": "old"}, "attrs": {"admin": true}, "parents": [{"type": "Namespace", "id": "payments"}]},
  {"uid": {"type": "Workload", "id": "ops"}, "attrs": {"admin": true}, "parents": []},
  {"uid": {"type": "Namespace", "id": "payments"}, "attrs": {}, "parents": []}
])";
constexpr char kRevoked[] = "Workload::\"gone\"\n";

// An unsigned bundle of a hand-written manifest and files (no checks).
std::string HandBundle(const std::vector<ListedFile>& files, std::vector<Entry> extra = {}) {
  std::vector<Entry> entries = {{".manifest.json", Manifest(files)}};
  for (const ListedFile& f : files) entries.push_back({f.path, f.bytes});
  for (Entry& e : extra) entries.push_back(std::move(e));
  return TarGz(entries);
}

const std::vector<ListedFile>& GoodFiles() {
  static const std::vector<ListedFile> kFiles = {{"a.cedar", "policies", kPolicyA}, {"e.json", "entities", kEntities}};
  return kFiles;
}

BundleVerifyOptions Unsigned() {
  BundleVerifyOptions v;
  v.allow_unsigned = true;
  return v;
}

BundleVerifyOptions Keys(std::vector<std::string> pems) {
  BundleVerifyOptions v;
  v.public_keys_pem = std::move(pems);
  return v;
}

// The fault and message of a refused bundle.
struct Refused {
  BundleFault fault = BundleFault::kNone;
  std::string message;
};
Refused Open(const std::string& archive, const BundleVerifyOptions& verify = Unsigned()) {
  Refused r;
  absl::StatusOr<Bundle> b = OpenBundle(archive, verify, &r.fault);
  if (b.ok()) {
    r.message = "opened";
    EXPECT_EQ(r.fault, BundleFault::kNone);
  } else {
    r.message = std::string(b.status().message());
  }
  return r;
}

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("writ_bundle_test_", ::testing::UnitTest::GetInstance()->current_test_info()->name(), "_",
                        ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& rel, const std::string& text) {
    fs::path p = dir_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  // The example folder: policies in two files (one nested), entities,
  // revocations, and files that are not sources.
  void WriteExample() {
    Write("a.cedar", kPolicyA);
    Write("team/b.cedar", kPolicyB);
    Write("entities.json", kEntities);
    Write("revoked.txt", kRevoked);
    Write("README.md", "# not a source\n");
    Write("team/b.test.yaml", "cases: []\n");
    Write(".git/x.cedar", "not read");
  }
  fs::path dir_;
};

std::string Decide(const Engine& engine, const std::string& principal, const std::string& action) {
  Request r;
  r.principal = {"Workload", principal};
  r.action = {"Action", action};
  r.resource = {"Doc", "d"};
  const Decision d = engine.Decide(r);
  std::string out = d.revoked ? "revoked" : d.allowed ? "allow" : "deny";
  for (const std::string& reason : d.reasons) absl::StrAppend(&out, " ", reason);
  return out;
}

TEST_F(BundleTest, BuildSignVerifyLoadDecidesAsTheFiles) {
  WriteExample();
  std::vector<Issue> issues;
  std::vector<std::string> skipped;
  absl::StatusOr<std::string> built = BuildBundle(dir_.string(), 42, &issues, &skipped);
  ASSERT_TRUE(built.ok()) << built.status() << RenderIssues(issues);
  EXPECT_THAT(skipped, ElementsAre((dir_ / "README.md").string(), (dir_ / "team/b.test.yaml").string()));

  const KeyPair key = NewEd25519();
  absl::StatusOr<std::string> signed_bundle = SignBundle(*built, key.private_pem);
  ASSERT_TRUE(signed_bundle.ok()) << signed_bundle.status();

  BundleFault fault = BundleFault::kLoad;
  absl::StatusOr<Bundle> opened = OpenBundle(*signed_bundle, Keys({key.public_pem}), &fault);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(fault, BundleFault::kNone);
  EXPECT_TRUE(opened->is_signed);
  EXPECT_EQ(opened->key_id.size(), 16u);
  EXPECT_EQ(opened->signature_key_id, opened->key_id);
  EXPECT_EQ(opened->manifest.revision, 42u);
  std::vector<std::string> paths;
  for (const BundleFile& f : opened->manifest.files) paths.push_back(f.path + ":" + std::string(SourceKindName(f.kind)));
  EXPECT_THAT(paths, ElementsAre("a.cedar:policies", "entities.json:entities", "revoked.txt:revocations",
                                 "team/b.cedar:policies"));
  EXPECT_EQ(opened->manifest.files[0].sha256, Sha256(kPolicyA));
  EXPECT_EQ(opened->sources[3].name, "bundle:team/b.cedar");

  std::vector<Issue> load_issues;
  absl::StatusOr<LoadedBundle> loaded = LoadBundle(*signed_bundle, Keys({key.public_pem}), {}, &load_issues);
  ASSERT_TRUE(loaded.ok()) << loaded.status() << RenderIssues(load_issues);
  EXPECT_EQ(loaded->key_id, opened->key_id);
  EXPECT_EQ(loaded->set.policies.policies()[1].file, "bundle:team/b.cedar");
  absl::StatusOr<std::unique_ptr<const Engine>> from_bundle = CompileLoaded(std::move(loaded->set));
  ASSERT_TRUE(from_bundle.ok()) << from_bundle.status();

  // The same files loaded from disk in path order.
  FileSet files;
  files.policies = {(dir_ / "a.cedar").string(), (dir_ / "team/b.cedar").string()};
  files.entities = {(dir_ / "entities.json").string()};
  files.revoked = (dir_ / "revoked.txt").string();
  absl::StatusOr<LoadedSet> from_files_set = LoadFiles(files, {}, &issues);
  ASSERT_TRUE(from_files_set.ok()) << RenderIssues(issues);
  absl::StatusOr<std::unique_ptr<const Engine>> from_files = CompileLoaded(*std::move(from_files_set));
  ASSERT_TRUE(from_files.ok());

  int allowed = 0;
  for (const std::string principal : {"api", "old", "ops", "gone", "nobody"}) {
    for (const std::string action : {"read", "write", "delete"}) {
      const std::string want = Decide(**from_files, principal, action);
      EXPECT_EQ(Decide(**from_bundle, principal, action), want) << principal << " " << action;
      allowed += absl::StartsWith(want, "allow");
    }
  }
  EXPECT_EQ(Decide(**from_bundle, "gone", "read"), "revoked");
  EXPECT_EQ(Decide(**from_bundle, "old", "write"), "deny policy1");
  EXPECT_EQ(allowed, 2);   // api read, ops write: the decisions are not all the same
}

TEST_F(BundleTest, TheSameFolderAndRevisionGiveTheSameBytes) {
  WriteExample();
  absl::StatusOr<std::string> a = BuildBundle(dir_.string(), 1, nullptr);
  ASSERT_TRUE(a.ok()) << a.status();
  fs::last_write_time(dir_ / "a.cedar", fs::file_time_type::clock::now() - std::chrono::hours(30));
  absl::StatusOr<std::string> b = BuildBundle(dir_.string(), 1, nullptr);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  absl::StatusOr<std::string> c = BuildBundle(dir_.string(), 2, nullptr);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*a, *c);
  const KeyPair key = NewEd25519();
  EXPECT_EQ(*SignBundle(*a, key.private_pem), *SignBundle(*b, key.private_pem));   // Ed25519 is deterministic
  // Re-signing replaces the signature.
  const KeyPair other = NewEd25519();
  absl::StatusOr<std::string> twice = SignBundle(*SignBundle(*a, key.private_pem), other.private_pem);
  ASSERT_TRUE(twice.ok()) << twice.status();
  EXPECT_EQ(Open(*twice, Keys({other.public_pem})).message, "opened");
  EXPECT_EQ(Open(*twice, Keys({key.public_pem})).fault, BundleFault::kSignature);
}

TEST_F(BundleTest, NonAsciiAndLongNamesRoundTrip) {
  const std::string long_name = "deep/" + std::string(150, 'a') + ".cedar";   // past ustar's 100-byte name field
  Write("\xc3\xa9quipe.cedar", kPolicyA);
  Write(long_name, kPolicyB);
  absl::StatusOr<std::string> built = BuildBundle(dir_.string(), 1, nullptr);
  ASSERT_TRUE(built.ok()) << built.status();
  absl::StatusOr<Bundle> b = OpenBundle(*built, Unsigned());
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->sources.size(), 2u);
  EXPECT_EQ(b->sources[0].name, "bundle:" + long_name);
  EXPECT_EQ(b->sources[1].name, "bundle:\xc3\xa9quipe.cedar");
  EXPECT_EQ(b->sources[1].bytes, kPolicyA);
}

TEST_F(BundleTest, BuildReportsLoadIssuesAtTheFiles) {
  Write("ok.cedar", kPolicyA);
  const fs::path bad = Write("sub/bad.cedar", "permit(principal, action, resource) when { 1 + };\n");
  std::vector<Issue> issues;
  absl::StatusOr<std::string> built = BuildBundle(dir_.string(), 1, &issues);
  ASSERT_FALSE(built.ok());
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].file, bad.string());
  EXPECT_EQ(issues[0].line, 1u);
  EXPECT_GT(issues[0].column, 1u);
  EXPECT_FALSE(BuildBundle((dir_ / "nope").string(), 1, nullptr).ok());
}

TEST_F(BundleTest, KeyRotationEitherKeyVerifies) {
  const KeyPair old_key = NewEd25519(), new_key = NewEd25519();
  const std::string bundle = HandBundle(GoodFiles());
  for (const KeyPair* signer : {&old_key, &new_key}) {
    absl::StatusOr<std::string> s = SignBundle(bundle, signer->private_pem);
    ASSERT_TRUE(s.ok());
    absl::StatusOr<Bundle> both = OpenBundle(*s, Keys({old_key.public_pem, new_key.public_pem}));
    ASSERT_TRUE(both.ok()) << both.status();
    absl::StatusOr<Bundle> alone = OpenBundle(*s, Keys({signer->public_pem}));
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ(both->key_id, alone->key_id);
  }
  absl::StatusOr<Bundle> a = OpenBundle(*SignBundle(bundle, old_key.private_pem), Keys({old_key.public_pem}));
  absl::StatusOr<Bundle> b = OpenBundle(*SignBundle(bundle, new_key.private_pem), Keys({new_key.public_pem}));
  EXPECT_NE(a->key_id, b->key_id);
}

TEST_F(BundleTest, SignatureRefusals) {
  const KeyPair key = NewEd25519(), stranger = NewEd25519();
  const std::string bundle = HandBundle(GoodFiles());
  const std::string signed_bundle = *SignBundle(bundle, key.private_pem);

  Refused r = Open(signed_bundle, Keys({stranger.public_pem}));
  EXPECT_EQ(r.fault, BundleFault::kSignature);
  EXPECT_THAT(r.message, HasSubstr("does not verify under any accepted key"));

  r = Open(bundle, Keys({key.public_pem}));   // unsigned, keys given
  EXPECT_EQ(r.fault, BundleFault::kSignature);
  EXPECT_THAT(r.message, HasSubstr("not signed"));

  r = Open(bundle, BundleVerifyOptions{});   // unsigned, nothing allowed
  EXPECT_EQ(r.fault, BundleFault::kSignature);
  EXPECT_EQ(Open(bundle, Unsigned()).message, "opened");
  // Carried but unchecked without keys.
  absl::StatusOr<Bundle> carried = OpenBundle(signed_bundle, Unsigned());
  ASSERT_TRUE(carried.ok());
  EXPECT_FALSE(carried->is_signed);
  EXPECT_EQ(carried->key_id, "");
  EXPECT_EQ(carried->signature_key_id.size(), 16u);

  const std::string manifest = Manifest(GoodFiles());
  auto with_signature = [&](const std::string& signature_json) {
    return TarGz({{".manifest.json", manifest}, {".signature.json", signature_json},
                  {"a.cedar", kPolicyA}, {"e.json", kEntities}});
  };
  // The .signature.json SignBundle wrote, read back with libarchive.
  const std::string good_sig = [&] {
    std::string out;
    struct archive* a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    archive_read_open_memory(a, signed_bundle.data(), signed_bundle.size());
    struct archive_entry* e = nullptr;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
      if (std::string(archive_entry_pathname(e)) == ".signature.json") {
        out.resize(static_cast<std::size_t>(archive_entry_size(e)));
        archive_read_data(a, out.data(), out.size());
      }
    }
    archive_read_free(a);
    return out;
  }();
  nlohmann::json sig = nlohmann::json::parse(good_sig);
  EXPECT_EQ(sig["algorithm"], "ed25519");
  EXPECT_EQ(sig["key_id"], carried->signature_key_id);
  EXPECT_EQ(Open(with_signature(good_sig), Keys({key.public_pem})).message, "opened");
  // A flipped signature byte.
  std::string raw;
  ASSERT_TRUE(absl::Base64Unescape(sig["signature"].get<std::string>(), &raw));
  raw[10] ^= 1;
  nlohmann::json flipped = sig;
  flipped["signature"] = absl::Base64Escape(raw);
  r = Open(with_signature(flipped.dump()), Keys({key.public_pem}));
  EXPECT_EQ(r.fault, BundleFault::kSignature);
  EXPECT_THAT(r.message, HasSubstr("does not verify"));
  // Malformed signature files: no keys, another algorithm, a short signature,
  // base64 that is not canonical (whitespace), an unknown key.
  nlohmann::json spaced = sig;
  spaced["signature"] = " " + sig["signature"].get<std::string>();
  nlohmann::json extra = sig;
  extra["comment"] = "x";
  for (const std::string& malformed : std::vector<std::string>{
           "{}", "not json", R"({"algorithm":"rsa","key_id":"0123456789abcdef","signature":""})",
           R"({"algorithm":"ed25519","key_id":"0123456789abcdef","signature":"AAAA"})", spaced.dump(), extra.dump()}) {
    r = Open(with_signature(malformed), Keys({key.public_pem}));
    EXPECT_EQ(r.fault, BundleFault::kSignature) << malformed;
  }
  // A changed manifest under the old signature: the signature no longer verifies.
  r = Open(TarGz({{".manifest.json", Manifest(GoodFiles(), 8)}, {".signature.json", good_sig},
                  {"a.cedar", kPolicyA}, {"e.json", kEntities}}),
           Keys({key.public_pem}));
  EXPECT_EQ(r.fault, BundleFault::kSignature);
}

TEST_F(BundleTest, KeysThatAreNotEd25519AreRefusedClearly) {
  const KeyPair ec = NewP256();
  absl::StatusOr<std::string> s = SignBundle(HandBundle(GoodFiles()), ec.private_pem);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("not an Ed25519 key (it is EC)"));
  Refused r = Open(HandBundle(GoodFiles()), Keys({ec.public_pem}));
  EXPECT_EQ(r.fault, BundleFault::kSignature);
  EXPECT_THAT(r.message, HasSubstr("public key 1: not an Ed25519 key"));
  r = Open(HandBundle(GoodFiles()), Keys({NewEd25519().public_pem, "garbage"}));
  EXPECT_THAT(r.message, HasSubstr("public key 2: not a PEM public key"));
  EXPECT_FALSE(SignBundle(HandBundle(GoodFiles()), NewEd25519().public_pem).ok());   // a public key cannot sign
}

TEST_F(BundleTest, ManifestAndHashRefusals) {
  // A changed file.
  std::vector<Entry> entries = {{".manifest.json", Manifest(GoodFiles())}, {"a.cedar", "forbid(principal, action, resource);\n"},
                                {"e.json", kEntities}};
  Refused r = Open(TarGz(entries));
  EXPECT_EQ(r.fault, BundleFault::kHash);
  // The same size, other bytes.
  std::string same_size = kPolicyA;
  same_size[3] = 'X';
  entries[1].bytes = same_size;
  r = Open(TarGz(entries));
  EXPECT_EQ(r.fault, BundleFault::kHash);
  EXPECT_THAT(r.message, HasSubstr("`a.cedar` does not match its SHA-256"));

  r = Open(HandBundle(GoodFiles(), {{"extra.cedar", "permit(principal, action, resource);"}}));
  EXPECT_EQ(r.fault, BundleFault::kManifest);
  EXPECT_THAT(r.message, HasSubstr("`extra.cedar` is in the bundle but not in the manifest"));

  r = Open(TarGz({{".manifest.json", Manifest(GoodFiles())}, {"a.cedar", kPolicyA}}));
  EXPECT_EQ(r.fault, BundleFault::kManifest);
  EXPECT_THAT(r.message, HasSubstr("`e.json` is listed in the manifest but not in the bundle"));

  r = Open(TarGz({{"a.cedar", kPolicyA}}));
  EXPECT_EQ(r.fault, BundleFault::kManifest);
  EXPECT_THAT(r.message, HasSubstr("no .manifest.json"));

  auto with_manifest = [](const std::string& manifest) {
    return TarGz({{".manifest.json", manifest}, {"a.cedar", kPolicyA}});
  };
  const std::string sha = Sha256(kPolicyA);
  const std::string size = std::to_string(std::string(kPolicyA).size());
  const std::string file = R"({"path":"a.cedar","kind":"policies","sha256":")" + sha + R"(","size":)" + size + "}";
  EXPECT_EQ(Open(with_manifest(R"({"revision":1,"files":[)" + file + "]}")).message, "opened");
  for (const std::string& bad : std::vector<std::string>{
           "not json",
           std::string("[]"),
           R"({"revision":1,"files":[)" + file + R"(],"extra":1})",
           R"({"revision":-1,"files":[)" + file + "]}",
           R"({"revision":"1","files":[)" + file + "]}",
           R"({"revision":1.5,"files":[)" + file + "]}",
           R"({"files":[)" + file + "]}",
           R"({"revision":1,"revision":1,"files":[)" + file + "]}",
           R"({"revision":1,"files":[)" + file + "," + file + "]}",   // listed twice
           R"({"revision":1,"files":[{"path":"a.cedar","kind":"code","sha256":")" + sha + R"(","size":)" + size + "}]}",
           R"({"revision":1,"files":[{"path":"a.cedar","kind":"policies","sha256":"ABC","size":)" + size + "}]}",
           R"({"revision":1,"files":[{"path":"../a.cedar","kind":"policies","sha256":")" + sha + R"(","size":)" + size + "}]}",
           R"({"revision":1,"files":[{"path":".signature.json","kind":"policies","sha256":")" + sha + R"(","size":)" + size + "}]}",
       }) {
    r = Open(with_manifest(bad));
    EXPECT_EQ(r.fault, BundleFault::kManifest) << bad << " -> " << r.message;
  }
  r = Open(with_manifest("{\"revision\":1,\n \"files\": 3}"));
  EXPECT_THAT(r.message, HasSubstr("bundle:.manifest.json:2:11: \"files\" is not an array"));
  // Unsorted paths.
  r = Open(TarGz({{".manifest.json", Manifest({GoodFiles()[1], GoodFiles()[0]})}, {"a.cedar", kPolicyA}, {"e.json", kEntities}}));
  EXPECT_EQ(r.fault, BundleFault::kManifest);
  EXPECT_THAT(r.message, HasSubstr("not sorted"));
}

TEST_F(BundleTest, ArchiveRefusals) {
  const std::string manifest = Manifest(GoodFiles());
  auto with = [&](Entry extra) {
    return TarGz({{".manifest.json", manifest}, {"a.cedar", kPolicyA}, {"e.json", kEntities}, std::move(extra)});
  };
  struct Case {
    Entry entry;
    std::string why;
  };
  const std::vector<Case> cases = {
      {{"../x.cedar", "x"}, "a `..` path segment"},
      {{"a/../../x.cedar", "x"}, "a `..` path segment"},
      {{"/etc/x.cedar", "x"}, "an absolute path"},
      {{"./x.cedar", "x"}, "a `.` path segment"},
      {{"a//x.cedar", "x"}, "an empty path segment"},
      {{"a\\x.cedar", "x"}, "a backslash"},
      {{"\xff.cedar", "x"}, "not UTF-8"},
      {{"link.cedar", "", AE_IFLNK, "/etc/passwd"}, "a symbolic link"},
      {{"hard.cedar", "", AE_IFREG, "a.cedar", true}, "a hard link"},
      {{"dev", "", AE_IFCHR}, "not a regular file"},
      {{"fifo", "", AE_IFIFO}, "not a regular file"},
      {{"a.cedar", "permit(principal, action, resource);"}, "a duplicate name"},
  };
  for (const Case& c : cases) {
    Refused r = Open(with(c.entry));
    EXPECT_EQ(r.fault, BundleFault::kArchive) << c.entry.path;
    EXPECT_THAT(r.message, HasSubstr(c.why)) << c.entry.path;
  }
  // Plain directory entries are skipped.
  EXPECT_EQ(Open(with({"dir/", "", AE_IFDIR})).message, "opened");
  EXPECT_EQ(Open(with({"..", "", AE_IFDIR})).fault, BundleFault::kArchive);

  const std::string good = HandBundle(GoodFiles());
  ASSERT_EQ(Open(good).message, "opened");
  // Truncated anywhere.
  for (std::size_t keep : {good.size() / 4, good.size() / 2, good.size() - 9, std::size_t{10}}) {
    Refused r = Open(good.substr(0, keep));
    EXPECT_EQ(r.fault, BundleFault::kArchive) << keep << ": " << r.message;
  }
  // Truncated tar inside a complete gzip stream.
  const std::string tar = TarGz({{".manifest.json", manifest}, {"a.cedar", kPolicyA}, {"e.json", kEntities}}, false);
  {
    std::string gz;
    struct archive* a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_raw(a);
    archive_write_open(a, &gz, nullptr,
                       [](struct archive*, void* data, const void* buffer, size_t n) -> la_ssize_t {
                         static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), n);
                         return static_cast<la_ssize_t>(n);
                       },
                       nullptr);
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_filetype(e, AE_IFREG);
    archive_write_header(a, e);
    archive_write_data(a, tar.data(), 1024 + 100);   // the manifest's header and part of it
    archive_write_close(a);
    archive_write_free(a);
    archive_entry_free(e);
    Refused r = Open(gz);
    EXPECT_EQ(r.fault, BundleFault::kArchive) << r.message;
  }
  Refused r = Open(tar);   // a tar without gzip
  EXPECT_EQ(r.fault, BundleFault::kArchive);
  EXPECT_THAT(r.message, HasSubstr("not a gzip archive"));
  r = Open("\x1f\x8b garbage after the magic number");
  EXPECT_EQ(r.fault, BundleFault::kArchive);
  r = Open("");
  EXPECT_EQ(r.fault, BundleFault::kArchive);
}

TEST_F(BundleTest, Bounds) {
  Refused r = Open(std::string(kMaxBundleBytes + 1, '\0'));
  EXPECT_EQ(r.fault, BundleFault::kBound);

  // Too many entries (empty directories count).
  std::vector<Entry> many = {{".manifest.json", Manifest({})}};
  for (std::size_t i = 0; i < kMaxBundleFiles + 2; ++i) many.push_back({absl::StrCat("d", i, "/"), "", AE_IFDIR});
  r = Open(TarGz(many));
  EXPECT_EQ(r.fault, BundleFault::kBound);
  EXPECT_THAT(r.message, HasSubstr("more than 10002 entries"));

  // A file past its kind's bound, listed with the right hash.
  const std::string big_schema(kMaxSchemaBytes + 1, ' ');
  r = Open(HandBundle({{"big.cedarschema", "schema", big_schema}}));
  EXPECT_EQ(r.fault, BundleFault::kBound);
  EXPECT_THAT(r.message, HasSubstr("`big.cedarschema` (schema) is"));

}

// The archive layer's bounds, with small limits (the public ones are these
// limits set to kMaxBundle*; unpacking 256 MiB here would only be slow).
TEST_F(BundleTest, ArchiveBoundsWhileReading) {
  internal::ArchiveLimits limits;
  limits.max_entries = 4;
  limits.max_file_bytes = 100;
  limits.max_total_bytes = 150;
  limits.max_stream_bytes = 64 * 1024;
  auto read = [&](const std::vector<Entry>& entries) {
    Refused r;
    absl::StatusOr<std::vector<internal::ArchiveFile>> files = internal::ReadTarGz(TarGz(entries), limits, &r.fault);
    r.message = files.ok() ? "read" : std::string(files.status().message());
    return r;
  };
  EXPECT_EQ(read({{"a", std::string(100, 'x')}, {"b", std::string(50, 'x')}, {"d/", "", AE_IFDIR}}).message, "read");
  Refused r = read({{"a", std::string(101, 'x')}});
  EXPECT_EQ(r.fault, BundleFault::kBound);
  EXPECT_THAT(r.message, HasSubstr("`a` is larger than 100 bytes"));
  r = read({{"a", std::string(100, 'x')}, {"b", std::string(51, 'x')}});
  EXPECT_EQ(r.fault, BundleFault::kBound);
  EXPECT_THAT(r.message, HasSubstr("unpack to more than 150 bytes"));
  r = read({{"a"}, {"b"}, {"c/", "", AE_IFDIR}, {"d"}, {"e"}});
  EXPECT_EQ(r.fault, BundleFault::kBound);
  EXPECT_THAT(r.message, HasSubstr("more than 4 entries"));
  limits.max_stream_bytes = 4000;   // the tar stream itself (4,096 bytes here), headers and padding included
  r = read({{"a", std::string(10, 'x')}, {"b", std::string(10, 'x')}, {"c", std::string(10, 'x')}});
  EXPECT_EQ(r.fault, BundleFault::kBound);
  EXPECT_THAT(r.message, HasSubstr("unpacks to more than 4000 bytes"));
}

TEST_F(BundleTest, LoadErrorsAreLocatedInTheBundle) {
  const std::string bad = "permit(principal, action, resource);\nforbid(principal, action, resource) when { ) };\n";
  std::vector<Issue> issues;
  BundleFault fault = BundleFault::kNone;
  absl::StatusOr<LoadedBundle> b =
      LoadBundle(HandBundle({{"p/bad.cedar", "policies", bad}}), Unsigned(), {}, &issues, &fault);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(fault, BundleFault::kLoad);
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].file, "bundle:p/bad.cedar");
  EXPECT_EQ(issues[0].line, 2u);
  EXPECT_THAT(b.status().message(), HasSubstr("bundle:p/bad.cedar:2:"));
  // A file whose manifest kind is wrong for its text does not load either.
  fault = BundleFault::kNone;
  EXPECT_FALSE(LoadBundle(HandBundle({{"a.cedar", "entities", kPolicyA}}), Unsigned(), {}, nullptr, &fault).ok());
  EXPECT_EQ(fault, BundleFault::kLoad);
}

// Gzip of `bytes` as one stream (libarchive's raw format).
std::string Gzip(const std::string& bytes) {
  std::string gz;
  struct archive* a = archive_write_new();
  archive_write_add_filter_gzip(a);
  archive_write_set_format_raw(a);
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(a, &gz, nullptr,
                     [](struct archive*, void* data, const void* buffer, size_t n) -> la_ssize_t {
                       static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), n);
                       return static_cast<la_ssize_t>(n);
                     },
                     nullptr);
  struct archive_entry* e = archive_entry_new();
  archive_entry_set_filetype(e, AE_IFREG);
  archive_write_header(a, e);
  archive_write_data(a, bytes.data(), bytes.size());
  archive_write_close(a);
  archive_write_free(a);
  archive_entry_free(e);
  return gz;
}

// Damaged bundles, compressed or not: each is opened or refused with a
// fault and a reason; nothing crashes (valgrind and ASan runs watch it).
TEST_F(BundleTest, DamagedBundlesAreRefusedWithAFault) {
  const KeyPair key = NewEd25519();
  const std::string good = *SignBundle(HandBundle(GoodFiles()), key.private_pem);
  const std::string tar = TarGz({{".manifest.json", Manifest(GoodFiles())}, {"a.cedar", kPolicyA}, {"e.json", kEntities}},
                                false);
  std::uint64_t state = 88172645463325252u;   // xorshift: the same damage every run
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int opened = 0;
  for (int i = 0; i < 600; ++i) {
    const bool compressed = i % 2 == 0;
    std::string damaged = compressed ? good : tar;
    for (int flips = 1 + static_cast<int>(next() % 4); flips > 0; --flips) {
      damaged[next() % damaged.size()] = static_cast<char>(next());
    }
    Refused r = Open(compressed ? damaged : Gzip(damaged), compressed ? Keys({key.public_pem}) : Unsigned());
    if (r.message == "opened") {
      ++opened;
    } else {
      EXPECT_NE(r.fault, BundleFault::kNone) << r.message;
      EXPECT_FALSE(r.message.empty());
    }
  }
  EXPECT_LT(opened, 600);
}

TEST(BundleKindTest, KindsByName) {
  auto kind = [](std::string_view path) -> std::string {
    SourceKind k;
    return BundleKindOf(path, &k) ? std::string(SourceKindName(k)) : "-";
  };
  EXPECT_EQ(kind("a.cedar"), "policies");
  EXPECT_EQ(kind("x/y/a.cedar"), "policies");
  EXPECT_EQ(kind("schema.cedarschema"), "schema");
  EXPECT_EQ(kind("nhi.cedarschema.json"), "schema");
  EXPECT_EQ(kind("entities.json"), "entities");
  EXPECT_EQ(kind("ops/prod.entities.json"), "entities");
  EXPECT_EQ(kind("request.json"), "-");   // policies/example has one beside its entities
  EXPECT_EQ(kind("xentities.json"), "-");
  EXPECT_EQ(kind("revoked.txt"), "revocations");
  EXPECT_EQ(kind("ops/x.revoked"), "revocations");
  EXPECT_EQ(kind("notes.txt"), "-");
  EXPECT_EQ(kind("README.md"), "-");
  EXPECT_EQ(kind("a.test.yaml"), "-");
  EXPECT_EQ(kind("requests.jsonl"), "-");
  EXPECT_EQ(kind(".cedar"), "-");
  EXPECT_EQ(kind("cedar"), "-");
}

TEST(BundleFaultTest, Names) {
  EXPECT_EQ(BundleFaultName(BundleFault::kNone), "none");
  EXPECT_EQ(BundleFaultName(BundleFault::kArchive), "archive");
  EXPECT_EQ(BundleFaultName(BundleFault::kBound), "bound");
  EXPECT_EQ(BundleFaultName(BundleFault::kManifest), "manifest");
  EXPECT_EQ(BundleFaultName(BundleFault::kHash), "hash");
  EXPECT_EQ(BundleFaultName(BundleFault::kSignature), "signature");
  EXPECT_EQ(BundleFaultName(BundleFault::kLoad), "load");
  EXPECT_EQ(BundleFaultName(BundleFault::kStale), "stale");
}

}  // namespace
}  // namespace writ
