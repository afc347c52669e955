// bench/gen: writing a Dataset to files.
#include "bench/gen/write.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace writ::bench {
namespace {

absl::Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) return absl::UnavailableError(absl::StrCat(path.string(), ": cannot write"));
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteDataset(const Dataset& d, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(dir, ": ", ec.message()));
  const std::filesystem::path root(dir);
  std::string requests;
  for (const std::string& r : d.requests) absl::StrAppend(&requests, r, "\n");
  for (auto [name, text] : {std::pair{"policies.cedar", &d.policies}, std::pair{"entities.json", &d.entities_json},
                            std::pair{"requests.jsonl", static_cast<const std::string*>(&requests)}}) {
    if (absl::Status s = WriteFile(root / name, *text); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace writ::bench
