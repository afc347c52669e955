// Bundle: policy bundles (writ/bundle.h) — opening, verifying, loading,
// building and signing gzip tar archives of sources. (Skeleton: the
// interface links; the implementation follows.)
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "writ/bundle.h"

namespace writ {

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

absl::StatusOr<Bundle> OpenBundle(std::string_view, const BundleVerifyOptions&, BundleFault* fault) {
  if (fault != nullptr) *fault = BundleFault::kArchive;
  return absl::UnimplementedError("bundles are not implemented yet");
}

absl::StatusOr<LoadedBundle> LoadBundle(std::string_view, const BundleVerifyOptions&, const LoadOptions&,
                                        std::vector<Issue>*, BundleFault* fault) {
  if (fault != nullptr) *fault = BundleFault::kArchive;
  return absl::UnimplementedError("bundles are not implemented yet");
}

bool BundleKindOf(std::string_view, SourceKind*) { return false; }

absl::StatusOr<std::string> BuildBundle(const std::string&, std::uint64_t, std::vector<Issue>*,
                                        std::vector<std::string>*) {
  return absl::UnimplementedError("bundles are not implemented yet");
}

absl::StatusOr<std::string> SignBundle(std::string_view, std::string_view) {
  return absl::UnimplementedError("bundles are not implemented yet");
}

}  // namespace writ
