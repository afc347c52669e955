// Validate: the public Schema handle over the resolved SchemaData — form
// detection and dispatch to the parser of each form.
#include "writ/schema.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "src/validate/schema.h"

namespace writ {

Schema::Schema() : data_(std::make_shared<const internal::SchemaData>()) {}
Schema::~Schema() = default;
Schema::Schema(const Schema&) = default;
Schema& Schema::operator=(const Schema&) = default;
Schema::Schema(Schema&&) noexcept = default;
Schema& Schema::operator=(Schema&&) noexcept = default;

SchemaFormat Schema::DetectFormat(std::string_view text, std::string_view source_name) {
  if (absl::EndsWithIgnoreCase(source_name, ".json")) return SchemaFormat::kJson;
  return absl::StartsWith(absl::StripLeadingAsciiWhitespace(text), "{") ? SchemaFormat::kJson
                                                                         : SchemaFormat::kCedar;
}

absl::StatusOr<Schema> Schema::Parse(std::string_view text, std::string_view source_name,
                                     std::vector<Issue>* issues, const SchemaOptions& options) {
  return Parse(text, source_name, DetectFormat(text, source_name), issues, options);
}

// TODO(schema parser): Parse(form), ToJson, ToCedar, entity_types, actions.

}  // namespace writ
