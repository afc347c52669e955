// Bundle: SHA-256 (EVP) and Ed25519 (EVP_DigestSign/Verify) over OpenSSL 3,
// keys read from PEM; the only file that uses OpenSSL. OpenSSL's error
// queue is cleared after every failure so nothing leaks into later calls.
#include "src/bundle/crypto.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace writ::internal {
namespace {

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

// OpenSSL's reason for the last failure, and the queue cleared.
std::string OpensslError() {
  const unsigned long e = ERR_peek_last_error();
  std::string why = "unknown reason";
  if (e != 0) {
    char buffer[256];
    ERR_error_string_n(e, buffer, sizeof buffer);
    why = buffer;
  }
  ERR_clear_error();
  return why;
}

// Never prompts for a passphrase: an encrypted key is refused.
int NoPassphrase(char*, int, int, void*) { return -1; }

Bio MemoryBio(std::string_view bytes) {
  return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())), BIO_free);
}

std::string TypeName(const EVP_PKEY* key) {
  const char* name = EVP_PKEY_get0_type_name(key);
  return name == nullptr ? "an unknown type" : name;
}

absl::StatusOr<std::string> SpkiDer(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  if (n <= 0) return absl::InternalError(absl::StrCat("cannot encode the public key: ", OpensslError()));
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr) != 1) {
    OpensslError();
    return "";   // never matches a manifest's 64 digits
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

absl::StatusOr<PublicKey> ReadEd25519PublicKey(std::string_view pem) {
  if (pem.size() > kMaxKeyPemBytes) return absl::InvalidArgumentError("not a PEM public key (too large)");
  Bio bio = MemoryBio(pem);
  if (bio == nullptr) return absl::ResourceExhaustedError("out of memory");
  Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr), EVP_PKEY_free);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a PEM public key (`openssl pkey -in KEY.pem -pubout` writes one): ", OpensslError()));
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError(absl::StrCat("not an Ed25519 key (it is ", TypeName(key.get()), ")"));
  }
  absl::StatusOr<std::string> der = SpkiDer(key.get());
  if (!der.ok()) return der.status();
  return PublicKey{*der, Sha256Hex(*der).substr(0, 16)};
}

absl::StatusOr<Signed> Ed25519Sign(std::string_view private_pem, std::string_view message) {
  if (private_pem.size() > kMaxKeyPemBytes) return absl::InvalidArgumentError("not a PEM private key (too large)");
  Bio bio = MemoryBio(private_pem);
  if (bio == nullptr) return absl::ResourceExhaustedError("out of memory");
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr), EVP_PKEY_free);
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not an unencrypted PEM private key (`openssl genpkey -algorithm ed25519` writes one): ", OpensslError()));
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError(absl::StrCat("not an Ed25519 key (it is ", TypeName(key.get()), ")"));
  }
  absl::StatusOr<std::string> der = SpkiDer(key.get());
  if (!der.ok()) return der.status();
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (ctx == nullptr) return absl::ResourceExhaustedError("out of memory");
  unsigned char signature[kEd25519SignatureBytes];
  std::size_t n = sizeof signature;
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature, &n, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    return absl::InternalError(absl::StrCat("cannot sign: ", OpensslError()));
  }
  return Signed{std::string(reinterpret_cast<const char*>(signature), n), Sha256Hex(*der).substr(0, 16)};
}

bool Ed25519Verify(const PublicKey& key, std::string_view message, std::string_view signature) {
  const auto* der = reinterpret_cast<const unsigned char*>(key.der.data());
  Pkey pkey(d2i_PUBKEY(nullptr, &der, static_cast<long>(key.der.size())), EVP_PKEY_free);
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (pkey == nullptr || ctx == nullptr || EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    OpensslError();
    return false;
  }
  const bool ok =
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace writ::internal
