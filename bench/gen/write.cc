// bench/gen: writing a Dataset to the three files every benchmark reads.
#include "bench/gen/write.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"

namespace writ::bench {
namespace {

// Streams report failure but not why; libstdc++ leaves the failing system
// call's errno, which says it ("Permission denied", "No space left on device").
absl::Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (out.flush()) return absl::OkStatus();
  const int error = errno;
  return error != 0 ? absl::ErrnoToStatus(error, path.string())
                    : absl::UnknownError(absl::StrCat(path.string(), ": cannot write"));
}

}  // namespace

absl::Status WriteDataset(const Dataset& d, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::ErrnoToStatus(ec.value(), dir);
  std::string requests;
  for (const std::string& r : d.requests) absl::StrAppend(&requests, r, "\n");
  const std::pair<const char*, const std::string*> files[] = {
      {"policies.cedar", &d.policies}, {"entities.json", &d.entities_json}, {"requests.jsonl", &requests}};
  for (const auto& [name, text] : files) {
    if (absl::Status s = WriteFile(std::filesystem::path(dir) / name, *text); !s.ok()) return s;
  }
  if (!d.schema.empty()) return WriteFile(std::filesystem::path(dir) / "schema.cedarschema", d.schema);
  return absl::OkStatus();
}

}  // namespace writ::bench
