#include "src/base/file.h"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace writ::internal {

absl::StatusOr<std::string> ReadFileBounded(const std::string& path, std::size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return absl::InvalidArgumentError("is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot open file");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) return absl::InvalidArgumentError("cannot read file");
  if (static_cast<std::size_t>(size) > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("file is ", size, " bytes, more than the limit of ", max_bytes));
  }
  in.seekg(0);
  std::string text(static_cast<std::size_t>(size), '\0');
  if (!in.read(text.data(), size)) return absl::InvalidArgumentError("cannot read file");
  return text;
}

absl::StatusOr<std::string> ReadNamedFile(const std::string& path, std::size_t max_bytes) {
  absl::StatusOr<std::string> text = ReadFileBounded(path, max_bytes);
  if (!text.ok()) return absl::Status(text.status().code(), absl::StrCat(path, ": ", text.status().message()));
  return text;
}

}  // namespace writ::internal
