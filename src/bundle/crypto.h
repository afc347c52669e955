// Bundle: the cryptography a bundle needs — SHA-256 and Ed25519 keys from
// PEM, signing and verifying. OpenSSL stays in crypto.cc.
#ifndef WRIT_SRC_BUNDLE_CRYPTO_H_
#define WRIT_SRC_BUNDLE_CRYPTO_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace writ::internal {

// Bytes of an Ed25519 signature.
inline constexpr std::size_t kEd25519SignatureBytes = 64;
// The longest PEM key read (an Ed25519 key is about 120 bytes).
inline constexpr std::size_t kMaxKeyPemBytes = 64u << 10;

// 64 lowercase hex digits.
std::string Sha256Hex(std::string_view bytes);

// An Ed25519 public key (the SubjectPublicKeyInfo PEM `openssl pkey -pubout`
// writes) and its id.
struct PublicKey {
  std::string der;      // SubjectPublicKeyInfo
  std::string key_id;   // the first 16 hex digits of SHA-256(der)
};
// An error when `pem` is not a PEM public key, or not an Ed25519 one (the
// message names its type).
absl::StatusOr<PublicKey> ReadEd25519PublicKey(std::string_view pem);

// The signature of `message` by the Ed25519 private key `private_pem`
// (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes; encrypted
// keys are refused), and the signing key's id.
struct Signed {
  std::string signature;   // kEd25519SignatureBytes raw bytes
  std::string key_id;
};
absl::StatusOr<Signed> Ed25519Sign(std::string_view private_pem, std::string_view message);

// Whether `signature` is `key`'s over `message`.
bool Ed25519Verify(const PublicKey& key, std::string_view message, std::string_view signature);

}  // namespace writ::internal

#endif  // WRIT_SRC_BUNDLE_CRYPTO_H_
