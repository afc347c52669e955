// Bundle: policy bundles (writ/bundle.h) — the manifest and signature
// files, the checks OpenBundle makes between the archive layer
// (archive.cc) and the loader, and building and signing bundles.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "src/base/json_reader.h"
#include "src/base/source.h"
#include "src/base/strings.h"
#include "src/bundle/archive.h"
#include "src/bundle/crypto.h"
#include "writ/bundle.h"
#include "writ/limits.h"

namespace writ {
namespace {

using internal::ArchiveFile;
using internal::JsonNode;

constexpr std::string_view kManifestName = ".manifest.json";
constexpr std::string_view kSignatureName = ".signature.json";
constexpr std::size_t kMaxSignatureFileBytes = 4096;
constexpr std::size_t kEntryOverheadBytes = 4096;   // a tar header, pax records and padding

internal::ArchiveLimits Limits() {
  std::size_t largest = 0;
  for (SourceKind k : {SourceKind::kPolicies, SourceKind::kEntities, SourceKind::kSchema, SourceKind::kRevocations}) {
    largest = std::max(largest, MaxSourceBytes(k));
  }
  internal::ArchiveLimits limits;
  limits.max_entries = kMaxBundleFiles + 2;
  limits.max_file_bytes = std::max(largest, kMaxJsonBytes);
  limits.max_total_bytes = kMaxBundleUnpackedBytes;
  limits.max_stream_bytes = kMaxBundleUnpackedBytes + limits.max_entries * kEntryOverheadBytes;
  return limits;
}

// A refusal: `*fault` set, the status returned.
struct Refusal {
  BundleFault* fault;
  absl::Status operator()(BundleFault which, absl::Status status) const {
    *fault = which;
    return status;
  }
};

std::optional<SourceKind> KindNamed(std::string_view name) {
  for (SourceKind k : {SourceKind::kPolicies, SourceKind::kEntities, SourceKind::kSchema, SourceKind::kRevocations}) {
    if (SourceKindName(k) == name) return k;
  }
  return std::nullopt;
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The first error of a JSON read, "bundle:NAME:LINE:COL: message".
std::string JsonError(const std::vector<Issue>& issues) {
  for (const Issue& i : issues) {
    if (i.severity == Severity::kError) return absl::StrCat(i.file, ":", i.line, ":", i.column, ": ", i.message);
  }
  return "does not read";
}

// Every key of `object` is one of `allowed`; else the message.
std::string UnknownKey(const JsonNode& object, std::initializer_list<std::string_view> allowed) {
  for (const std::string& k : object.keys) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) return absl::StrCat("unknown key \"", k, "\"");
  }
  return "";
}

absl::StatusOr<BundleManifest> ParseManifest(std::string_view bytes) {
  const std::string name = absl::StrCat("bundle:", internal::Av(kManifestName));
  internal::SourceFile file(name, bytes);
  std::vector<Issue> issues;
  std::optional<JsonNode> root = internal::ReadJson(file, &issues);
  if (!root) return absl::InvalidArgumentError(absl::StrCat("the manifest does not read: ", JsonError(issues)));
  auto bad = [&](const JsonNode& at, std::string_view what) {
    const Issue i = file.MakeIssue(at.span, std::string(what));
    return absl::InvalidArgumentError(absl::StrCat("bad manifest: ", i.file, ":", i.line, ":", i.column, ": ", internal::Av(what)));
  };
  if (!root->is(JsonNode::Kind::kObject)) return bad(*root, "the manifest is not an object");
  if (std::string k = UnknownKey(*root, {"revision", "files"}); !k.empty()) return bad(*root, k);
  const JsonNode* revision = root->Find("revision");
  const JsonNode* files = root->Find("files");
  if (revision == nullptr || !revision->is(JsonNode::Kind::kInt) || revision->integer < 0) {
    return bad(revision ? *revision : *root, "\"revision\" is not a non-negative integer");
  }
  if (files == nullptr || !files->is(JsonNode::Kind::kArray)) {
    return bad(files ? *files : *root, "\"files\" is not an array");
  }
  BundleManifest manifest;
  manifest.revision = static_cast<std::uint64_t>(revision->integer);
  for (const JsonNode& f : files->items) {
    if (!f.is(JsonNode::Kind::kObject)) return bad(f, "a file is not an object");
    if (std::string k = UnknownKey(f, {"path", "kind", "sha256", "size"}); !k.empty()) return bad(f, k);
    const JsonNode* path = f.Find("path");
    const JsonNode* kind = f.Find("kind");
    const JsonNode* sha = f.Find("sha256");
    const JsonNode* size = f.Find("size");
    if (path == nullptr || !path->is(JsonNode::Kind::kString)) return bad(path ? *path : f, "\"path\" is not a string");
    if (std::string why = internal::BadBundlePath(path->string); !why.empty()) {
      return bad(*path, absl::StrCat("\"path\" is ", why));
    }
    if (path->string == kManifestName || path->string == kSignatureName) {
      return bad(*path, absl::StrCat("\"", path->string, "\" is reserved"));
    }
    if (!manifest.files.empty() && !(manifest.files.back().path < path->string)) {
      return bad(*path, "paths are not sorted, or one is listed twice");
    }
    std::optional<SourceKind> k = kind != nullptr && kind->is(JsonNode::Kind::kString) ? KindNamed(kind->string) : std::nullopt;
    if (!k) return bad(kind ? *kind : f, "\"kind\" is not \"policies\", \"entities\", \"schema\" or \"revocations\"");
    if (sha == nullptr || !sha->is(JsonNode::Kind::kString) || sha->string.size() != 64 || !IsLowerHex(sha->string)) {
      return bad(sha ? *sha : f, "\"sha256\" is not 64 lowercase hex digits");
    }
    if (size == nullptr || !size->is(JsonNode::Kind::kInt) || size->integer < 0) {
      return bad(size ? *size : f, "\"size\" is not a non-negative integer");
    }
    manifest.files.push_back(BundleFile{path->string, *k, sha->string, static_cast<std::uint64_t>(size->integer)});
  }
  return manifest;
}

std::string ManifestJson(const BundleManifest& manifest) {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const BundleFile& f : manifest.files) {
    files.push_back(nlohmann::ordered_json{{"path", f.path},
                                           {"kind", std::string(SourceKindName(f.kind))},
                                           {"sha256", f.sha256},
                                           {"size", f.size}});
  }
  nlohmann::ordered_json root{{"revision", manifest.revision}, {"files", std::move(files)}};
  return root.dump(2) + "\n";
}

struct SignatureFile {
  std::string key_id;
  std::string signature;   // raw
};

absl::StatusOr<SignatureFile> ParseSignature(std::string_view bytes) {
  if (bytes.size() > kMaxSignatureFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the signature file is larger than ", kMaxSignatureFileBytes, " bytes"));
  }
  const std::string name = absl::StrCat("bundle:", internal::Av(kSignatureName));
  internal::SourceFile file(name, bytes);
  std::vector<Issue> issues;
  std::optional<JsonNode> root = internal::ReadJson(file, &issues);
  if (!root) return absl::InvalidArgumentError(absl::StrCat("the signature does not read: ", JsonError(issues)));
  if (!root->is(JsonNode::Kind::kObject)) return absl::InvalidArgumentError("the signature is not a JSON object");
  if (std::string k = UnknownKey(*root, {"algorithm", "key_id", "signature"}); !k.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("bad signature file: ", k));
  }
  const JsonNode* algorithm = root->Find("algorithm");
  const JsonNode* key_id = root->Find("key_id");
  const JsonNode* signature = root->Find("signature");
  if (algorithm == nullptr || !algorithm->is(JsonNode::Kind::kString) || algorithm->string != "ed25519") {
    return absl::InvalidArgumentError("bad signature file: \"algorithm\" is not \"ed25519\"");
  }
  if (key_id == nullptr || !key_id->is(JsonNode::Kind::kString) || key_id->string.size() != 16 ||
      !IsLowerHex(key_id->string)) {
    return absl::InvalidArgumentError("bad signature file: \"key_id\" is not 16 lowercase hex digits");
  }
  std::string raw;
  if (signature == nullptr || !signature->is(JsonNode::Kind::kString) ||
      !absl::Base64Unescape(internal::Av(signature->string), &raw) || raw.size() != internal::kEd25519SignatureBytes ||
      absl::Base64Escape(raw) != signature->string) {
    return absl::InvalidArgumentError("bad signature file: \"signature\" is not a base64 Ed25519 signature (64 bytes)");
  }
  return SignatureFile{key_id->string, std::move(raw)};
}

std::string SignatureJson(const internal::Signed& s) {
  nlohmann::ordered_json root{{"algorithm", "ed25519"}, {"key_id", s.key_id}, {"signature", absl::Base64Escape(s.signature)}};
  return root.dump(2) + "\n";
}

// An archive whose names, manifest, hashes and sizes check out; the
// signature not yet looked at.
struct Unverified {
  BundleManifest manifest;
  std::string manifest_bytes;
  std::optional<std::string> signature_bytes;
  std::vector<ArchiveFile> files;   // in manifest order
};

absl::StatusOr<Unverified> OpenUnverified(std::string_view archive, BundleFault* fault) {
  const Refusal refuse{fault};
  if (archive.size() > kMaxBundleBytes) {
    return refuse(BundleFault::kBound, absl::ResourceExhaustedError(absl::StrCat(
                                           "the bundle is ", archive.size(), " bytes, more than the limit of ", kMaxBundleBytes)));
  }
  absl::StatusOr<std::vector<ArchiveFile>> files = internal::ReadTarGz(archive, Limits(), fault);
  if (!files.ok()) return files.status();

  Unverified out;
  absl::flat_hash_map<std::string, ArchiveFile*> by_path;
  bool have_manifest = false;
  for (ArchiveFile& f : *files) {
    if (f.path == kManifestName) {
      if (f.bytes.size() > kMaxJsonBytes) {
        return refuse(BundleFault::kBound, absl::ResourceExhaustedError("the manifest is larger than its limit"));
      }
      out.manifest_bytes = std::move(f.bytes);
      have_manifest = true;
    } else if (f.path == kSignatureName) {
      out.signature_bytes = std::move(f.bytes);
    } else {
      by_path[f.path] = &f;
    }
  }
  if (!have_manifest) {
    return refuse(BundleFault::kManifest, absl::InvalidArgumentError("no .manifest.json in the bundle"));
  }
  absl::StatusOr<BundleManifest> manifest = ParseManifest(out.manifest_bytes);
  if (!manifest.ok()) return refuse(BundleFault::kManifest, manifest.status());
  out.manifest = *std::move(manifest);

  for (const BundleFile& m : out.manifest.files) {
    auto it = by_path.find(m.path);
    if (it == by_path.end()) {
      return refuse(BundleFault::kManifest,
                    absl::InvalidArgumentError(absl::StrCat("`", m.path, "` is listed in the manifest but not in the bundle")));
    }
    if (m.size > MaxSourceBytes(m.kind)) {
      return refuse(BundleFault::kBound, absl::ResourceExhaustedError(absl::StrCat(
                                             "`", m.path, "` (", internal::Av(SourceKindName(m.kind)), ") is ", m.size,
                                             " bytes, more than the limit of ", MaxSourceBytes(m.kind))));
    }
  }
  if (by_path.size() != out.manifest.files.size()) {   // every listed file is present: the rest are extra
    absl::flat_hash_set<std::string_view> listed;
    for (const BundleFile& m : out.manifest.files) listed.insert(m.path);
    std::vector<std::string> extra;
    for (const auto& [path, file] : by_path) {
      if (!listed.contains(path)) extra.push_back(path);
    }
    std::sort(extra.begin(), extra.end());
    return refuse(BundleFault::kManifest,
                  absl::InvalidArgumentError(absl::StrCat("`", extra.front(), "` is in the bundle but not in the manifest")));
  }
  for (const BundleFile& m : out.manifest.files) {
    ArchiveFile& f = *by_path[m.path];
    if (f.bytes.size() != m.size) {
      return refuse(BundleFault::kHash, absl::InvalidArgumentError(absl::StrCat(
                                            "`", m.path, "` is ", f.bytes.size(), " bytes; the manifest says ", m.size)));
    }
    if (internal::Sha256Hex(f.bytes) != m.sha256) {
      return refuse(BundleFault::kHash,
                    absl::InvalidArgumentError(absl::StrCat("`", m.path, "` does not match its SHA-256 in the manifest")));
    }
    out.files.push_back(std::move(f));
  }
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view BundleFaultName(BundleFault fault) {
  switch (fault) {
    case BundleFault::kNone: return "none";
    case BundleFault::kArchive: return "archive";
    case BundleFault::kBound: return "bound";
    case BundleFault::kManifest: return "manifest";
    case BundleFault::kHash: return "hash";
    case BundleFault::kSignature: return "signature";
    case BundleFault::kLoad: return "load";
    case BundleFault::kStale: return "stale";
  }
  return "none";
}

absl::StatusOr<Bundle> OpenBundle(std::string_view archive, const BundleVerifyOptions& verify, BundleFault* fault) {
  BundleFault ignored = BundleFault::kNone;
  if (fault == nullptr) fault = &ignored;
  *fault = BundleFault::kNone;
  const Refusal refuse{fault};

  // The keys first: a key that does not read is the caller's mistake, found
  // whatever the bundle.
  std::vector<internal::PublicKey> keys;
  for (std::size_t i = 0; i < verify.public_keys_pem.size(); ++i) {
    absl::StatusOr<internal::PublicKey> key = internal::ReadEd25519PublicKey(verify.public_keys_pem[i]);
    if (!key.ok()) {
      return refuse(BundleFault::kSignature,
                    absl::InvalidArgumentError(absl::StrCat("public key ", i + 1, ": ", key.status().message())));
    }
    keys.push_back(*std::move(key));
  }

  absl::StatusOr<Unverified> opened = OpenUnverified(archive, fault);
  if (!opened.ok()) return opened.status();

  Bundle bundle;
  std::optional<SignatureFile> signature;
  if (opened->signature_bytes) {
    absl::StatusOr<SignatureFile> parsed = ParseSignature(*opened->signature_bytes);
    if (parsed.ok()) {
      bundle.signature_key_id = parsed->key_id;
      signature = *std::move(parsed);
    } else if (!keys.empty()) {
      return refuse(BundleFault::kSignature, parsed.status());
    }
  }
  if (keys.empty()) {
    if (!verify.allow_unsigned) {
      return refuse(BundleFault::kSignature,
                    absl::InvalidArgumentError("no public key to verify the bundle with, and unsigned bundles are not allowed"));
    }
  } else {
    if (!opened->signature_bytes) {
      return refuse(BundleFault::kSignature, absl::InvalidArgumentError("the bundle is not signed (no .signature.json)"));
    }
    for (const internal::PublicKey& key : keys) {
      if (internal::Ed25519Verify(key, opened->manifest_bytes, signature->signature)) {
        bundle.is_signed = true;
        bundle.key_id = key.key_id;
        break;
      }
    }
    if (!bundle.is_signed) {
      std::string ids;
      for (const internal::PublicKey& key : keys) absl::StrAppend(&ids, ids.empty() ? "" : ", ", key.key_id);
      return refuse(BundleFault::kSignature,
                    absl::InvalidArgumentError(absl::StrCat("the signature (key id ", signature->key_id,
                                                            ") does not verify under any accepted key (", ids, ")")));
    }
  }
  bundle.manifest = std::move(opened->manifest);
  bundle.sources.reserve(opened->files.size());
  for (std::size_t i = 0; i < opened->files.size(); ++i) {
    bundle.sources.push_back(Source{bundle.manifest.files[i].kind, absl::StrCat("bundle:", opened->files[i].path),
                                    std::move(opened->files[i].bytes)});
  }
  return bundle;
}

absl::StatusOr<std::string> BundleKeyId(std::string_view public_key_pem) {
  absl::StatusOr<internal::PublicKey> key = internal::ReadEd25519PublicKey(public_key_pem);
  if (!key.ok()) return key.status();
  return key->key_id;
}

absl::StatusOr<LoadedBundle> LoadBundle(std::string_view archive, const BundleVerifyOptions& verify,
                                        const LoadOptions& options, std::vector<Issue>* issues, BundleFault* fault) {
  BundleFault ignored = BundleFault::kNone;
  if (fault == nullptr) fault = &ignored;
  absl::StatusOr<Bundle> bundle = OpenBundle(archive, verify, fault);
  if (!bundle.ok()) return bundle.status();
  std::vector<Issue> local;
  if (issues == nullptr) issues = &local;
  const std::size_t before = issues->size();
  absl::StatusOr<LoadedSet> set = Load(bundle->sources, options, issues);
  if (!set.ok()) {
    *fault = BundleFault::kLoad;
    const std::vector<Issue> mine(issues->begin() + static_cast<std::ptrdiff_t>(before), issues->end());
    return absl::Status(set.status().code(),
                        absl::StrCat("the bundle's sources do not load: ", FirstErrorText(mine, set.status())));
  }
  return LoadedBundle{std::move(bundle->manifest), std::move(bundle->key_id), *std::move(set)};
}

bool BundleKindOf(std::string_view path, SourceKind* kind) {
  const std::size_t slash = path.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::optional<SourceKind> k;
  if (EndsWith(base, ".cedar")) {
    k = SourceKind::kPolicies;
  } else if (EndsWith(base, ".cedarschema") || EndsWith(base, ".cedarschema.json")) {
    k = SourceKind::kSchema;
  } else if (EndsWith(base, ".revoked") || base == "revoked.txt") {
    k = SourceKind::kRevocations;
  } else if (base == "entities.json" || EndsWith(base, ".entities.json")) {
    // Only these: a folder also holds request.json files, test fixtures and
    // other JSON that is not an entity store.
    k = SourceKind::kEntities;
  }
  if (!k) return false;
  if (kind != nullptr) *kind = *k;
  return true;
}

absl::StatusOr<std::string> BuildBundle(const std::string& dir, std::uint64_t revision, std::vector<Issue>* issues,
                                        std::vector<std::string>* skipped) {
  namespace fs = std::filesystem;
  std::vector<Issue> local;
  if (issues == nullptr) issues = &local;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return absl::InvalidArgumentError(absl::StrCat(dir, ": not a folder"));
  if (revision > static_cast<std::uint64_t>(INT64_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat("revision ", revision, " is larger than 2^63-1"));
  }
  absl::StatusOr<std::vector<std::string>> paths = ListFiles(dir, "");
  if (!paths.ok()) return paths.status();

  struct Entry {
    std::string rel;
    std::string disk;
    SourceKind kind;
  };
  std::vector<Entry> entries;
  const fs::path root(dir);
  for (const std::string& p : *paths) {
    const std::string rel = fs::path(p).lexically_relative(root).generic_string();
    const std::string base = fs::path(rel).filename().string();
    SourceKind kind;
    if (absl::StartsWith(base, ".") || !BundleKindOf(rel, &kind)) {
      if (skipped != nullptr) skipped->push_back(p);
      continue;
    }
    if (std::string why = internal::BadBundlePath(rel); !why.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(p, ": cannot be put in a bundle: ", why));
    }
    entries.push_back(Entry{rel, p, kind});
  }
  if (entries.size() > kMaxBundleFiles) {
    return absl::ResourceExhaustedError(
        absl::StrCat(dir, ": ", entries.size(), " source files, more than the limit of ", kMaxBundleFiles));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.rel < b.rel; });

  std::vector<Source> sources;
  std::size_t total = 0;
  bool unreadable = false;
  for (const Entry& e : entries) {
    absl::StatusOr<Source> s = ReadSourceFile(e.kind, e.disk);
    if (!s.ok()) {
      Issue issue;
      issue.file = e.disk;
      issue.message = std::string(s.status().message());
      issues->push_back(std::move(issue));
      unreadable = true;
      continue;
    }
    total += s->bytes.size();
    sources.push_back(*std::move(s));
  }
  if (unreadable) return absl::InvalidArgumentError(absl::StrCat(dir, ": a source file cannot be read"));
  if (total > kMaxBundleUnpackedBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(dir, ": the sources are ", total, " bytes, more than the limit of ", kMaxBundleUnpackedBytes));
  }
  absl::StatusOr<LoadedSet> loaded = Load(sources, {}, issues);
  if (!loaded.ok()) return absl::Status(loaded.status().code(), absl::StrCat(dir, ": the sources do not load"));

  BundleManifest manifest;
  manifest.revision = revision;
  std::vector<ArchiveFile> files;
  files.push_back(ArchiveFile{std::string(kManifestName), ""});
  for (std::size_t i = 0; i < entries.size(); ++i) {
    manifest.files.push_back(
        BundleFile{entries[i].rel, entries[i].kind, internal::Sha256Hex(sources[i].bytes), sources[i].bytes.size()});
    files.push_back(ArchiveFile{entries[i].rel, std::move(sources[i].bytes)});
  }
  files.front().bytes = ManifestJson(manifest);
  return internal::WriteTarGz(files);
}

absl::StatusOr<std::string> SignBundle(std::string_view archive, std::string_view private_key_pem) {
  BundleFault fault = BundleFault::kNone;
  absl::StatusOr<Unverified> opened = OpenUnverified(archive, &fault);
  if (!opened.ok()) {
    return absl::Status(opened.status().code(),
                        absl::StrCat("the bundle is refused (", internal::Av(BundleFaultName(fault)), "): ", opened.status().message()));
  }
  absl::StatusOr<internal::Signed> signed_manifest = internal::Ed25519Sign(private_key_pem, opened->manifest_bytes);
  if (!signed_manifest.ok()) return signed_manifest.status();
  std::vector<ArchiveFile> files;
  files.reserve(opened->files.size() + 2);
  files.push_back(ArchiveFile{std::string(kManifestName), std::move(opened->manifest_bytes)});
  files.push_back(ArchiveFile{std::string(kSignatureName), SignatureJson(*signed_manifest)});
  for (ArchiveFile& f : opened->files) files.push_back(std::move(f));
  return internal::WriteTarGz(files);
}

}  // namespace writ
