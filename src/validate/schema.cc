// Validate: the public Schema handle over the resolved SchemaData — form
// detection and dispatch to the parser of each form.
#include "writ/schema.h"

#include <cstddef>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "src/validate/schema.h"

namespace writ {

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

// TODO(schema parser): Parse(form), ToJson, ToCedar, entity_types, actions.

}  // namespace writ
