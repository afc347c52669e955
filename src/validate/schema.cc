// Validate: the public Schema handle over the resolved SchemaData — form
// detection and dispatch to the parser of each form.
#include "writ/schema.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/base/source.h"
#include "src/base/suggest.h"
#include "src/base/utf8.h"
#include "src/validate/schema.h"
#include "src/validate/schema_parse.h"
#include "src/validate/schema_syntax.h"
#include "writ/limits.h"

namespace writ {
namespace internal {

void AddSchemaIssue(const SourceFile& file, Span span, std::string message, Severity severity,
                    std::string hint, std::vector<Issue>* issues) {
  if (issues->size() > kMaxSchemaIssues) return;
  if (issues->size() == kMaxSchemaIssues) {
    issues->push_back(file.MakeIssue(
        span,
        absl::StrCat("more than ", kMaxSchemaIssues,
                     " issues in this schema; the rest are not reported (kMaxSchemaIssues)"),
        severity));
    return;
  }
  issues->push_back(file.MakeIssue(span, std::move(message), severity, std::move(hint)));
}

bool SchemaHintsSpent(const std::vector<Issue>& issues) {
  return issues.size() >= kMaxSchemaIssuesWithHints;
}

std::string SuggestSchemaName(std::string_view name, absl::Span<const std::string_view> names) {
  if (name.size() > kMaxSuggestedNameBytes) return "";
  return Suggest(name, names);
}

}  // namespace internal

Schema::Schema() : data_(std::make_shared<const internal::SchemaData>()) {}
Schema::~Schema() = default;
Schema::Schema(const Schema&) = default;
Schema& Schema::operator=(const Schema&) = default;
Schema::Schema(Schema&&) noexcept = default;
Schema& Schema::operator=(Schema&&) noexcept = default;

SchemaFormat Schema::DetectFormat(std::string_view text, std::string_view source_name) {
  // (Debian's Abseil has its own string_view; compare with the standard one.)
  constexpr std::string_view kJson = ".json";
  if (source_name.size() >= kJson.size()) {
    std::string tail(source_name.substr(source_name.size() - kJson.size()));
    for (char& c : tail) c = static_cast<char>(absl::ascii_tolower(static_cast<unsigned char>(c)));
    if (tail == kJson) return SchemaFormat::kJson;
  }
  std::size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && text[first] == '{' ? SchemaFormat::kJson
                                                               : SchemaFormat::kCedar;
}

absl::StatusOr<Schema> Schema::Parse(std::string_view text, std::string_view source_name,
                                     std::vector<Issue>* issues, const SchemaOptions& options) {
  return Parse(text, source_name, DetectFormat(text, source_name), issues, options);
}

absl::StatusOr<Schema> Schema::Parse(std::string_view text, std::string_view source_name,
                                     SchemaFormat format, std::vector<Issue>* issues,
                                     const SchemaOptions& options) {
  std::vector<Issue> found;
  internal::SourceFile file(source_name, text);
  auto fail = [&](std::string_view what) -> absl::Status {
    if (issues != nullptr) issues->insert(issues->end(), found.begin(), found.end());
    return absl::InvalidArgumentError(absl::StrCat(
        "schema ", std::string(source_name), ": ", std::string(what),
        found.empty() ? std::string() : absl::StrCat(": ", found.front().message)));
  };
  if (text.size() > kMaxSchemaBytes) {
    found.push_back(file.MakeIssue({0, 0},
                                   absl::StrCat("schema is ", text.size(), " bytes, more than the ",
                                                kMaxSchemaBytes, " allowed (kMaxSchemaBytes)")));
    return fail("too large");
  }
  if (std::optional<std::size_t> bad = internal::FindInvalidUtf8(text)) {
    auto at = static_cast<std::uint32_t>(*bad);
    found.push_back(file.MakeIssue({at, at + 1}, "invalid UTF-8"));
    return fail("invalid UTF-8");
  }
  std::optional<internal::SchemaSyntax> syntax;
  switch (format) {
    case SchemaFormat::kCedar:
      syntax = internal::ParseCedarSchema(file, &found);
      break;
    case SchemaFormat::kJson:
      syntax = internal::ParseJsonSchema(file, &found);
      break;
  }
  if (!syntax || HasErrors(found)) return fail("does not parse");
  std::shared_ptr<internal::SchemaData> data = internal::ResolveSchema(
      std::make_shared<const internal::SchemaSyntax>(std::move(*syntax)), file, options, &found);
  if (data == nullptr || HasErrors(found)) return fail("does not resolve");
  if (issues != nullptr) issues->insert(issues->end(), found.begin(), found.end());
  return internal::SchemaData::Make(std::move(data));
}

std::string Schema::ToJson() const {
  if (data_->syntax == nullptr) return "{}\n";
  return internal::PrintSchemaJson(*data_->syntax);
}

std::string Schema::ToCedar() const {
  if (data_->syntax == nullptr) return "";
  return internal::PrintSchemaCedar(*data_->syntax);
}

std::vector<std::string> Schema::entity_types() const {
  std::vector<std::string> out;
  out.reserve(data_->entity_types.size());
  for (const auto& [name, def] : data_->entity_types) out.push_back(name);
  return out;
}

std::vector<std::string> Schema::actions() const {
  std::vector<std::string> out;
  out.reserve(data_->actions.size());
  for (const auto& [uid, def] : data_->actions) out.push_back(uid.ToString());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace writ
