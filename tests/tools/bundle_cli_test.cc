// Tests of `writ bundle`: build, sign, verify and inspect run as a user runs
// them, with keys generated here (OpenSSL) and written as PEM files.
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/cli.h"

namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::writ::testing_support::CliResult;
using ::writ::testing_support::CliTestBase;
using ::writ::testing_support::Slurp;

namespace fs = std::filesystem;

class BundleCliTest : public CliTestBase {
 protected:
  // KEY.pem (private) and KEY.pub.pem (public), a new Ed25519 pair.
  void WriteKey(const std::string& name) {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    ASSERT_NE(key, nullptr);
    for (bool is_public : {false, true}) {
      BIO* b = BIO_new(BIO_s_mem());
      if (is_public) {
        PEM_write_bio_PUBKEY(b, key);
      } else {
        PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
      }
      char* data = nullptr;
      const long n = BIO_get_mem_data(b, &data);
      Write(name + (is_public ? ".pub.pem" : ".pem"), std::string(data, static_cast<std::size_t>(n)));
      BIO_free(b);
    }
    EVP_PKEY_free(key);
  }
  std::string P(const std::string& rel) { return (dir_ / rel).string(); }
  void WriteSources() {
    Write("src/app.cedar", "permit(principal in Namespace::\"payments\", action == Action::\"read\", resource);\n");
    Write("src/team/ops.cedar", "forbid(principal == Workload::\"old\", action, resource);\n");
    Write("src/entities.json",
          R"([{"uid": {"type": "Workload", "id": "api"}, "attrs": {}, "parents": [{"type": "Namespace", "id": "payments"}]}])");
    Write("src/revoked.txt", "Workload::\"gone\"\n");
    Write("src/README.md", "# notes\n");
  }
};

TEST_F(BundleCliTest, BuildSignVerifyInspect) {
  WriteSources();
  WriteKey("old");
  WriteKey("new");
  CliResult r = Run("bundle build " + P("src") + " -o " + P("b.tar.gz") + " --revision 12");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("skipped (not a source): " + P("src/README.md")));
  EXPECT_THAT(r.out, HasSubstr("revision 12, 4 files"));

  r = Run("bundle inspect " + P("b.tar.gz"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("revision: 12\nsigned:   no\nfiles:    4\n"));
  EXPECT_THAT(r.out, MatchesRegex("(.|\n)*  policies +[0-9]+  [0-9a-f]{64}  team/ops.cedar\n(.|\n)*"));
  EXPECT_THAT(r.out, HasSubstr("revocations"));

  r = Run("bundle verify --pubkey " + P("new.pub.pem") + " " + P("b.tar.gz"));   // unsigned
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("refused (signature): the bundle is not signed"));

  r = Run("bundle sign --key " + P("old.pem") + " " + P("b.tar.gz"));   // in place
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, MatchesRegex("signed .*b.tar.gz with key [0-9a-f]{16}\n"));
  const std::string key_id = r.out.substr(r.out.size() - 17, 16);

  // Rotation: either key of the two verifies.
  r = Run("bundle verify --pubkey " + P("new.pub.pem") + " --pubkey " + P("old.pub.pem") + " " + P("b.tar.gz"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(": ok: revision 12, signed by key " + key_id + ", 4 files, 2 policies, 1 entities"));

  r = Run("bundle verify --pubkey " + P("new.pub.pem") + " " + P("b.tar.gz"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("refused (signature)"));

  r = Run("bundle inspect --format json " + P("b.tar.gz"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["revision"], 12);
  EXPECT_EQ(j["signed"], true);
  EXPECT_EQ(j["key_id"], key_id);
  ASSERT_EQ(j["files"].size(), 4u);
  EXPECT_EQ(j["files"][0]["path"], "app.cedar");
  EXPECT_EQ(j["files"][0]["kind"], "policies");
  EXPECT_EQ(j["files"][0]["sha256"].get<std::string>().size(), 64u);

  // Signed to another file with -o; the input stays unsigned.
  ASSERT_EQ(Run("bundle build " + P("src") + " -o " + P("c.tar.gz") + " --revision 13").exit_code, 0);
  r = Run("bundle sign --key " + P("new.pem") + " -o " + P("c.signed.tar.gz") + " " + P("c.tar.gz"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Run("bundle inspect " + P("c.tar.gz")).out, HasSubstr("signed:   no"));
  EXPECT_EQ(Run("bundle verify --pubkey " + P("new.pub.pem") + " " + P("c.signed.tar.gz")).exit_code, 0);
}

TEST_F(BundleCliTest, BuildIsDeterministic) {
  WriteSources();
  ASSERT_EQ(Run("bundle build " + P("src") + " -o " + P("a.tar.gz") + " --revision 3").exit_code, 0);
  ASSERT_EQ(Run("bundle build " + P("src") + " --output=" + P("b.tar.gz") + " --revision=3").exit_code, 0);
  EXPECT_EQ(Slurp(dir_ / "a.tar.gz"), Slurp(dir_ / "b.tar.gz"));
  EXPECT_FALSE(Slurp(dir_ / "a.tar.gz").empty());
}

TEST_F(BundleCliTest, BuildReportsLoadIssuesAndWritesNothing) {
  Write("src/ok.cedar", "permit(principal, action, resource);\n");
  Write("src/bad.cedar", "permit(principal, action, resource);\nforbid(principal, action, resource) when { ) };\n");
  CliResult r = Run("bundle build " + P("src") + " -o " + P("b.tar.gz"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(P("src/bad.cedar") + ":2:"));
  EXPECT_FALSE(fs::exists(dir_ / "b.tar.gz"));
}

TEST_F(BundleCliTest, RefusedBundlesSayWhyAndWhichCheck) {
  WriteSources();
  WriteKey("k");
  ASSERT_EQ(Run("bundle build " + P("src") + " -o " + P("b.tar.gz") + " --revision 1").exit_code, 0);
  ASSERT_EQ(Run("bundle sign --key " + P("k.pem") + " " + P("b.tar.gz")).exit_code, 0);
  const std::string bytes = Slurp(dir_ / "b.tar.gz");
  Write("cut.tar.gz", bytes.substr(0, bytes.size() / 2));
  CliResult r = Run("bundle verify --pubkey " + P("k.pub.pem") + " " + P("cut.tar.gz"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("refused (archive)"));
  Write("plain.txt", "not a bundle");
  r = Run("bundle inspect " + P("plain.txt"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("refused (archive): not a gzip archive"));
  // Sources that load, but not as exactly Cedar: refused by verify --strict as `load`, located in the bundle.
  Write("ext/p.cedar", "permit(principal, action, resource) when { context.branch.matches(\"release/[0-9]+\") };\n");
  ASSERT_EQ(Run("bundle build " + P("ext") + " -o " + P("e.tar.gz") + " --revision 1").exit_code, 0);
  ASSERT_EQ(Run("bundle sign --key " + P("k.pem") + " " + P("e.tar.gz")).exit_code, 0);
  EXPECT_EQ(Run("bundle verify --pubkey " + P("k.pub.pem") + " " + P("e.tar.gz")).exit_code, 0);
  r = Run("bundle verify --strict --pubkey " + P("k.pub.pem") + " " + P("e.tar.gz"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("bundle:p.cedar:1:"));
  EXPECT_THAT(r.err, HasSubstr("refused (load)"));
}

TEST_F(BundleCliTest, Usage) {
  WriteKey("k");
  CliResult r = Run("bundle");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("a subcommand is required"));
  r = Run("bundle frob x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown subcommand `frob`"));
  r = Run("bundle build " + P("."));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("-o B.tar.gz is required"));
  r = Run("bundle build " + P(".") + " -o x --revision -1");
  EXPECT_EQ(r.exit_code, 2);
  r = Run("bundle verify " + P("x.tar.gz"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--pubkey PUB.pem is required"));
  r = Run("bundle verify --pubkey " + P("k.pem") + " " + P("x.tar.gz"));   // a private key given as public
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("not a PEM public key"));
  r = Run("bundle sign --key " + P("k.pem") + " --key " + P("k.pem") + " x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--key given twice"));
  r = Run("bundle inspect --bogus x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown flag --bogus"));
  r = Run("help bundle");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("writ bundle build DIR -o B.tar.gz"));
}

}  // namespace
