// Bundle: the archive layer — reads gzip tar archives from memory (first
// the gzip stream into a bounded buffer, then the tar entries from it, each
// name and type checked and every size counted as it is read) and writes
// them deterministically. The only file that uses libarchive.
#include "src/bundle/archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "src/base/utf8.h"

namespace writ::internal {
namespace {

struct ReadDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
using ReadArchive = std::unique_ptr<struct archive, ReadDeleter>;
using WriteArchive = std::unique_ptr<struct archive, WriteDeleter>;

std::string ErrorOf(struct archive* a) {
  const char* e = archive_error_string(a);
  return e == nullptr ? "unknown error" : e;
}

absl::Status Refuse(BundleFault* fault, BundleFault which, absl::Status status) {
  *fault = which;
  return status;
}

// The readable form of a name in a message (bytes past printable ASCII escaped).
std::string Shown(std::string_view name) {
  std::string out;
  for (unsigned char c : name.substr(0, 200)) {
    if (c < 0x20 || c == 0x7f || c == '\\') {
      absl::StrAppend(&out, "\\x", absl::Hex(c, absl::kZeroPad2));
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (name.size() > 200) out += "...";
  return out;
}

// Step 1: the gzip stream decompressed, at most `limit` bytes.
absl::StatusOr<std::string> Gunzip(std::string_view archive, std::size_t limit, BundleFault* fault) {
  ReadArchive a(archive_read_new());
  if (a == nullptr) return absl::ResourceExhaustedError("out of memory");
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_memory(a.get(), archive.data(), archive.size()) != ARCHIVE_OK) {
    return Refuse(fault, BundleFault::kArchive, absl::InvalidArgumentError(absl::StrCat("not a gzip archive: ", ErrorOf(a.get()))));
  }
  struct archive_entry* entry = nullptr;
  const int r = archive_read_next_header(a.get(), &entry);
  if (archive_filter_code(a.get(), 0) != ARCHIVE_FILTER_GZIP) {
    return Refuse(fault, BundleFault::kArchive, absl::InvalidArgumentError("not a gzip archive (a bundle is a .tar.gz)"));
  }
  if (r != ARCHIVE_OK) {
    return Refuse(fault, BundleFault::kArchive,
                  absl::InvalidArgumentError(absl::StrCat("the gzip stream does not read: ", ErrorOf(a.get()))));
  }
  std::string out;
  char buffer[64 * 1024];
  for (;;) {
    const la_ssize_t n = archive_read_data(a.get(), buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      return Refuse(fault, BundleFault::kArchive,
                    absl::InvalidArgumentError(absl::StrCat("the gzip stream is truncated or corrupt: ", ErrorOf(a.get()))));
    }
    if (out.size() + static_cast<std::size_t>(n) > limit) {
      return Refuse(fault, BundleFault::kBound,
                    absl::ResourceExhaustedError(absl::StrCat("the archive unpacks to more than ", limit, " bytes")));
    }
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace

std::string BadBundlePath(std::string_view path) {
  if (path.empty()) return "an empty name";
  if (path.size() > kMaxBundlePathBytes) return absl::StrCat("a name longer than ", kMaxBundlePathBytes, " bytes");
  if (FindInvalidUtf8(path)) return "a name that is not UTF-8";
  if (path.front() == '/') return "an absolute path";
  for (unsigned char c : path) {
    if (c == '\\') return "a backslash in a name";
    if (c < 0x20 || c == 0x7f) return "a control character in a name";
  }
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    const std::string_view segment = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty()) return "an empty path segment (`//` or a trailing `/`)";
    if (segment == ".") return "a `.` path segment (archive the files by name, not `.`: `tar czf B.tar.gz -C DIR .manifest.json ...`, or `writ bundle build`)";
    if (segment == "..") return "a `..` path segment";
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return "";
}

absl::StatusOr<std::vector<ArchiveFile>> ReadTarGz(std::string_view archive, const ArchiveLimits& limits,
                                                   BundleFault* fault) {
  absl::StatusOr<std::string> tar = Gunzip(archive, limits.max_stream_bytes, fault);
  if (!tar.ok()) return tar.status();

  ReadArchive a(archive_read_new());
  if (a == nullptr) return absl::ResourceExhaustedError("out of memory");
  archive_read_support_format_tar(a.get());   // ustar, pax and GNU tar
  if (archive_read_open_memory(a.get(), tar->data(), tar->size()) != ARCHIVE_OK) {
    return Refuse(fault, BundleFault::kArchive, absl::InvalidArgumentError(absl::StrCat("not a tar archive: ", ErrorOf(a.get()))));
  }
  std::vector<ArchiveFile> files;
  absl::flat_hash_set<std::string> names;
  std::size_t entries = 0, total = 0;
  for (;;) {
    struct archive_entry* entry = nullptr;
    const int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    // A warning is a name libarchive could not convert to the locale's
    // charset (UTF-8 names under the C locale), or a pax record it ignored:
    // the entry is still whole, its raw name kept, and checked below as
    // every name is.
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      return Refuse(fault, BundleFault::kArchive,
                    absl::InvalidArgumentError(absl::StrCat("the tar archive is truncated or malformed: ", ErrorOf(a.get()))));
    }
    if (++entries > limits.max_entries) {
      return Refuse(fault, BundleFault::kBound,
                    absl::ResourceExhaustedError(absl::StrCat("the archive has more than ", limits.max_entries, " entries")));
    }
    const char* raw_name = archive_entry_pathname(entry);
    std::string name = raw_name == nullptr ? "" : raw_name;
    const auto type = archive_entry_filetype(entry);
    const bool directory = type == AE_IFDIR;
    if (directory && !name.empty() && name.back() == '/') name.pop_back();
    if (std::string why = BadBundlePath(name); !why.empty()) {
      return Refuse(fault, BundleFault::kArchive,
                    absl::InvalidArgumentError(absl::StrCat("refused entry `", Shown(name), "`: ", why)));
    }
    if (archive_entry_hardlink(entry) != nullptr) {
      return Refuse(fault, BundleFault::kArchive,
                    absl::InvalidArgumentError(absl::StrCat("refused entry `", Shown(name), "`: a hard link")));
    }
    if (directory) {
      if (archive_entry_size(entry) > 0) {
        return Refuse(fault, BundleFault::kArchive,
                      absl::InvalidArgumentError(absl::StrCat("refused entry `", Shown(name), "`: a directory with data")));
      }
      continue;   // plain directories carry nothing
    }
    if (type != AE_IFREG) {
      const char* what = type == AE_IFLNK ? "a symbolic link" : "not a regular file (a device, fifo or socket)";
      return Refuse(fault, BundleFault::kArchive,
                    absl::InvalidArgumentError(absl::StrCat("refused entry `", Shown(name), "`: ", what)));
    }
    if (!names.insert(name).second) {
      return Refuse(fault, BundleFault::kArchive,
                    absl::InvalidArgumentError(absl::StrCat("refused entry `", Shown(name), "`: a duplicate name")));
    }
    const auto declared = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : 0;
    if (declared < 0 || static_cast<std::uint64_t>(declared) > limits.max_file_bytes) {
      return Refuse(fault, BundleFault::kBound,
                    absl::ResourceExhaustedError(absl::StrCat("`", Shown(name), "` is larger than ", limits.max_file_bytes, " bytes")));
    }
    ArchiveFile file{std::move(name), ""};
    char buffer[64 * 1024];
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buffer, sizeof buffer);
      if (n == 0) break;
      if (n < 0) {
        *fault = BundleFault::kArchive;
        return absl::InvalidArgumentError(
            absl::StrCat("`", Shown(file.path), "` does not read (truncated archive?): ", ErrorOf(a.get())));
      }
      const auto got = static_cast<std::size_t>(n);
      if (file.bytes.size() + got > limits.max_file_bytes) {
        return Refuse(fault, BundleFault::kBound,
                      absl::ResourceExhaustedError(absl::StrCat("`", Shown(file.path), "` is larger than ", limits.max_file_bytes, " bytes")));
      }
      if (total + got > limits.max_total_bytes) {
        return Refuse(fault, BundleFault::kBound,
                      absl::ResourceExhaustedError(absl::StrCat("the files unpack to more than ", limits.max_total_bytes, " bytes")));
      }
      file.bytes.append(buffer, got);
      total += got;
    }
    files.push_back(std::move(file));
  }
  return files;
}

absl::StatusOr<std::string> WriteTarGz(const std::vector<ArchiveFile>& files) {
  WriteArchive a(archive_write_new());
  if (a == nullptr) return absl::ResourceExhaustedError("out of memory");
  std::string out;
  auto fail = [&](std::string_view what) {
    return absl::InternalError(absl::StrCat("cannot write the archive (", std::string(what), "): ", ErrorOf(a.get())));
  };
  // ustar unless a name needs pax; no gzip timestamp: the same files, the same bytes.
  if (archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK) return fail("gzip");
  if (archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr) != ARCHIVE_OK) return fail("gzip timestamp");
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK) return fail("format");
  // Non-ASCII names are written as the bytes they are (UTF-8, checked),
  // whatever the process's locale (the C locale refuses to convert them);
  // all-ASCII bundles stay plain ustar, which every tar reads silently.
  bool ascii = true;
  for (const ArchiveFile& f : files) {
    for (unsigned char c : f.path) ascii = ascii && c < 0x80;
  }
  if (!ascii && archive_write_set_format_option(a.get(), "pax", "hdrcharset", "BINARY") != ARCHIVE_OK) {
    return fail("hdrcharset");
  }
  if (archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK) return fail("block");
  auto write = [](struct archive*, void* data, const void* buffer, std::size_t n) -> la_ssize_t {
    static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), n);
    return static_cast<la_ssize_t>(n);
  };
  if (archive_write_open(a.get(), &out, nullptr, write, nullptr) != ARCHIVE_OK) return fail("open");
  for (const ArchiveFile& f : files) {
    std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> entry(archive_entry_new(), archive_entry_free);
    if (entry == nullptr) return absl::ResourceExhaustedError("out of memory");
    archive_entry_set_pathname(entry.get(), f.path.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(f.bytes.size()));
    archive_entry_set_mtime(entry.get(), 0, 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK) return fail(f.path);
    if (!f.bytes.empty() && archive_write_data(a.get(), f.bytes.data(), f.bytes.size()) !=
                                static_cast<la_ssize_t>(f.bytes.size())) {
      return fail(f.path);
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return fail("close");
  return out;
}

}  // namespace writ::internal
