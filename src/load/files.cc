// Load: files and folders as sources — the one folder walker (serve, the
// CLI and `writ test` all list *.cedar and *.test.yaml files with it) and
// bounded file reading.
#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/base/file.h"
#include "src/base/strings.h"
#include "writ/load.h"

namespace writ {
namespace {

namespace fs = std::filesystem;

Issue Unlocated(std::string message) {
  Issue issue;
  issue.message = std::move(message);
  return issue;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ListFiles(const std::string& path, std::string_view suffix) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return std::vector<std::string>{path};
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (absl::StartsWith(name, ".")) {
      std::error_code dir_ec;
      if (it->is_directory(dir_ec)) it.disable_recursion_pending();
      continue;
    }
    std::error_code file_ec;
    if (name.size() <= suffix.size() || !absl::EndsWith(name, absl::string_view(suffix.data(), suffix.size())) ||
        !it->is_regular_file(file_ec)) {
      continue;
    }
    if (files.size() >= kMaxFolderFiles) {
      return absl::ResourceExhaustedError(
          absl::StrCat(path, ": more than ", kMaxFolderFiles, " *", internal::Av(suffix), " files"));
    }
    files.push_back(it->path().string());
  }
  if (ec) return absl::InvalidArgumentError(absl::StrCat(path, ": cannot list the folder: ", ec.message()));
  std::sort(files.begin(), files.end());
  return files;
}

absl::StatusOr<Source> ReadSourceFile(SourceKind kind, const std::string& path) {
  absl::StatusOr<std::string> text = internal::ReadNamedFile(path, MaxSourceBytes(kind));
  if (!text.ok()) return text.status();
  return Source{kind, path, *std::move(text)};
}

bool ReadFileSet(const FileSet& files, std::vector<Source>* sources, std::vector<Issue>* issues) {
  bool ok = true;
  auto read = [&](SourceKind kind, const std::string& path) {
    absl::StatusOr<Source> source = ReadSourceFile(kind, path);
    if (!source.ok()) {
      // "error: PATH: why", as the CLI has always said it.
      if (issues != nullptr) issues->push_back(Unlocated(std::string(source.status().message())));
      ok = false;
      return;
    }
    sources->push_back(*std::move(source));
  };
  if (!files.schema.empty()) read(SourceKind::kSchema, files.schema);
  for (const std::string& path : files.policies) {
    absl::StatusOr<std::vector<std::string>> listed = ListFiles(path, ".cedar");
    if (!listed.ok()) {
      if (issues != nullptr) issues->push_back(Unlocated(std::string(listed.status().message())));
      ok = false;
      continue;
    }
    if (listed->empty()) {
      if (issues != nullptr) issues->push_back(Unlocated(absl::StrCat(path, ": no *.cedar files")));
      ok = false;
      continue;
    }
    for (const std::string& file : *listed) read(SourceKind::kPolicies, file);
  }
  for (const std::string& path : files.entities) read(SourceKind::kEntities, path);
  if (!files.revoked.empty()) read(SourceKind::kRevocations, files.revoked);
  if (!files.template_links.empty()) read(SourceKind::kTemplateLinks, files.template_links);
  return ok;
}

absl::StatusOr<LoadedSet> LoadFiles(const FileSet& files, const LoadOptions& options, std::vector<Issue>* issues) {
  std::vector<Source> sources;
  const bool read = ReadFileSet(files, &sources, issues);
  // The files that did read are still loaded, so that all their mistakes
  // are reported at once.
  absl::StatusOr<LoadedSet> set = Load(sources, options, issues);
  if (!read) return absl::InvalidArgumentError("an input file cannot be read");
  return set;
}

}  // namespace writ
