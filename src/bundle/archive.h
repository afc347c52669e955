// Bundle: the archive layer — gzip tar archives read from memory with every
// bound enforced while reading, and written deterministically. libarchive
// stays in archive.cc.
#ifndef WRIT_SRC_BUNDLE_ARCHIVE_H_
#define WRIT_SRC_BUNDLE_ARCHIVE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "writ/bundle.h"

namespace writ::internal {

struct ArchiveFile {
  std::string path;
  std::string bytes;
};

struct ArchiveLimits {
  std::size_t max_entries = 0;      // entries of any type, directories included
  std::size_t max_file_bytes = 0;   // one regular file
  std::size_t max_total_bytes = 0;  // every regular file together
  std::size_t max_stream_bytes = 0; // the tar stream, decompressed (headers and padding included)
};

// Longest path accepted in a bundle, in bytes.
inline constexpr std::size_t kMaxBundlePathBytes = 1024;

// Why `path` cannot name a file in a bundle ("" when it can): empty, longer
// than kMaxBundlePathBytes, not UTF-8, absolute, a backslash, a control
// character, an empty, `.` or `..` segment.
std::string BadBundlePath(std::string_view path);

// The regular files of the gzip tar `archive`, in archive order. Plain
// directory entries are skipped (their names checked); links, devices,
// fifos, directories with data, bad or duplicate names, truncated or
// malformed archives and anything that is not gzip are refused (kArchive),
// as is anything past `limits` (kBound). `*fault` is set on error.
absl::StatusOr<std::vector<ArchiveFile>> ReadTarGz(std::string_view archive, const ArchiveLimits& limits,
                                                   BundleFault* fault);

// A gzip tar archive of `files` in the order given: regular files only,
// mode 0644, owner 0:0, mtime 0, no gzip timestamp or name, so the same
// files give the same bytes.
absl::StatusOr<std::string> WriteTarGz(const std::vector<ArchiveFile>& files);

}  // namespace writ::internal

#endif  // WRIT_SRC_BUNDLE_ARCHIVE_H_
