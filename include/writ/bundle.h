// writ/bundle.h — policy bundles: one archive that carries a whole set
// (policies, entities, schema, revocations) to a fleet, with a manifest
// that names every file, its role and its SHA-256, and an Ed25519
// signature over the manifest. In the spirit of OPA's bundles: a bundle is
// a plain file that any HTTP(S) server or object store can serve.
//
// Layout: a gzip-compressed tar archive (ustar/pax) of regular files only:
//   .manifest.json    {"revision": N, "files": [{"path","kind","sha256","size"}, ...]}
//                     (paths sorted; kind is SourceKindName: "policies", ...)
//   .signature.json   {"algorithm":"ed25519","key_id":HEX,"signature":BASE64}
//                     over the exact bytes of .manifest.json (absent when unsigned);
//                     key_id: the first 16 hex digits of the SHA-256 of the
//                     public key's DER (SubjectPublicKeyInfo)
//   every file the manifest lists, and nothing else.
// Plain directory entries may appear (they are skipped); the order of the
// entries does not matter (`writ bundle build` writes the manifest, the
// signature, then the files by path). Paths are relative, '/'-separated,
// UTF-8, at most 1,024 bytes, with no empty, `.` or `..` segment, no
// backslash and no control character; the two names above are reserved.
// The manifest is strict: exactly the keys above (no others), revision and
// size non-negative integers (revision at most 2^63-1), paths strictly
// increasing in byte order, sha256 lowercase hex. A file's kind is what the
// manifest says (it is signed); BundleKindOf only chooses it when building.
// The sources load in manifest order, so policy ids (policy0, ...) count on
// across the .cedar files in path order, as when the same files are loaded
// from a folder in that order.
//
// Revision: a number the publisher raises with each bundle (`writ bundle
// build` uses --revision, or the clock in seconds since 1970); a holder
// that tracks the last one taken refuses a lower one (kStale). The bundle
// itself never compares revisions.
// Keys are the PEM files `openssl genpkey -algorithm ed25519` (private) and
// `openssl pkey -pubout` (public) write.
//
// Opening a bundle checks, before anything is loaded: the archive's bounds,
// its names (relative, no `..`, no absolute paths, no links or devices, no
// duplicates), the manifest (every file listed, nothing extra, each hash and
// size), then the signature under one of the accepted public keys. A bundle
// that fails any check is refused whole.
//
// Example (a service that embeds the engine):
//   writ::BundleVerifyOptions verify;
//   verify.public_keys_pem = {pubkey_pem};
//   std::vector<writ::Issue> issues;
//   absl::StatusOr<writ::LoadedBundle> b = writ::LoadBundle(archive_bytes, verify, {}, &issues);
//   if (!b.ok()) { ...; return; }   // b.status() says why; issues locate load errors
//   auto engine = writ::CompileLoaded(std::move(b->set));
#ifndef WRIT_BUNDLE_H_
#define WRIT_BUNDLE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "writ/issue.h"
#include "writ/load.h"

namespace writ {

// Bounds on what a bundle may hold (refused past them, ResourceExhausted).
inline constexpr std::size_t kMaxBundleBytes = 64u << 20;          // the archive as fetched (compressed)
inline constexpr std::size_t kMaxBundleUnpackedBytes = 256u << 20;  // every file, unpacked, together
inline constexpr std::size_t kMaxBundleFiles = 10'000;             // files in the archive
// One file: MaxSourceBytes(kind) (writ/load.h) for the file's kind.
// Entries (directories included) are at most kMaxBundleFiles + 2 (the
// manifest and signature), the decompressed tar stream at most
// kMaxBundleUnpackedBytes + 4 KiB per entry (headers and padding), the
// manifest kMaxJsonBytes and the signature file 4 KiB. Every bound is
// checked while the archive is read, so nothing past it is unpacked.

struct BundleFile {
  std::string path;      // relative, '/'-separated, as in the archive
  SourceKind kind = SourceKind::kPolicies;
  std::string sha256;    // 64 lowercase hex digits
  std::uint64_t size = 0;
};

struct BundleManifest {
  std::uint64_t revision = 0;
  std::vector<BundleFile> files;   // sorted by path
};

// Why a bundle was refused: the cause a fleet's metrics count.
enum class BundleFault : std::uint8_t {
  kNone,
  kArchive,     // not gzip/tar, truncated, a link or device, a bad or duplicate name
  kBound,       // past kMaxBundle* or a file's bound
  kManifest,    // missing or malformed manifest, a file listed but absent, a file not listed
  kHash,        // a file's SHA-256 or size differs from the manifest's
  kSignature,   // missing (when required), malformed, or verified by no accepted key
  kLoad,        // the sources do not load (writ/load.h issues)
  kStale,       // revision lower than one already taken (reported by callers that track it)
};
// "archive", "bound", "manifest", "hash", "signature", "load", "stale" ("none").
std::string_view BundleFaultName(BundleFault fault);

struct BundleVerifyOptions {
  // PEM Ed25519 public keys; the signature must verify under one of them.
  // Two during a key rotation (README "Running a fleet").
  std::vector<std::string> public_keys_pem;
  // With no public keys, an unsigned bundle is accepted only when this is
  // set (every hash is still checked; a signature present is not checked);
  // with keys, a signature is required. A key that is not an Ed25519 PEM
  // public key is an error (InvalidArgument, fault kSignature).
  bool allow_unsigned = false;
};

// An opened, verified bundle: its manifest and each file as a source, in
// manifest order, named "bundle:PATH" in issues.
struct Bundle {
  BundleManifest manifest;
  bool is_signed = false;   // verified under one of BundleVerifyOptions::public_keys_pem
  std::string key_id;       // of the key that verified it ("" when not verified)
  // The key id .signature.json names, verified or not ("" when there is no
  // signature, or it does not read): with no public keys and
  // allow_unsigned, a signature is carried but not checked (what `writ
  // bundle inspect` shows).
  std::string signature_key_id;
  std::vector<Source> sources;
};

// Unpacks and checks `archive` as above. On error the message says why and
// `*fault` (may be null) says which check failed.
absl::StatusOr<Bundle> OpenBundle(std::string_view archive, const BundleVerifyOptions& verify,
                                  BundleFault* fault = nullptr);

// A bundle opened, verified and loaded (writ/load.h), not yet compiled.
struct LoadedBundle {
  BundleManifest manifest;
  std::string key_id;
  LoadedSet set;
};
// OpenBundle, then Load of its sources; load errors go to `issues` (may be
// null) with fault kLoad.
absl::StatusOr<LoadedBundle> LoadBundle(std::string_view archive, const BundleVerifyOptions& verify,
                                        const LoadOptions& options, std::vector<Issue>* issues,
                                        BundleFault* fault = nullptr);

// The key id of an Ed25519 PEM public key, as .signature.json names it
// (16 hex digits); InvalidArgument when `public_key_pem` is not one (the
// message says what it is instead). For checking configured keys up front.
absl::StatusOr<std::string> BundleKeyId(std::string_view public_key_pem);

// ---- Making bundles (`writ bundle build|sign`) ----

// The kind of a file by its name, for building: *.cedar policies;
// *.cedarschema and *.cedarschema.json the schema; *.revoked and
// revoked.txt revocations; entities.json and *.entities.json entities.
// Other files (README.md, request.json, *.test.yaml, *.jsonl, ...) are not
// bundle sources: false.
bool BundleKindOf(std::string_view path, SourceKind* kind);

// An unsigned bundle of the sources under `dir` (walked as ListFiles walks,
// hidden folders skipped; hidden files are skipped too), at `revision`.
// The same files and revision give the same bytes (paths sorted, mtime 0,
// owner 0:0, mode 0644, no gzip timestamp). While checking, sources are
// named by their paths on disk (DIR/a.cedar), so issues point at the
// files. Every source is checked to load (as LoadBundle would) before the
// archive is written; `issues` gets the load's issues. `skipped` (may be null) gets the files that are not
// sources.
absl::StatusOr<std::string> BuildBundle(const std::string& dir, std::uint64_t revision,
                                        std::vector<Issue>* issues, std::vector<std::string>* skipped = nullptr);

// `archive` with .signature.json (re)written by the Ed25519 private key in
// `private_key_pem`; the archive's files are checked as OpenBundle checks
// them (any existing signature is replaced, not checked).
absl::StatusOr<std::string> SignBundle(std::string_view archive, std::string_view private_key_pem);

}  // namespace writ

#endif  // WRIT_BUNDLE_H_
