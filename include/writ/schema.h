// writ/schema.h — Cedar schemas: the entity types, their attributes and
// hierarchy, and the actions with what they apply to. A schema is read from
// either of Cedar's forms (the human-readable `.cedarschema` and the JSON
// form), validates policies (writ/validate.h), and directs how JSON data is
// read (writ/json.h: entity references and extension values typed by the
// schema, entities and requests checked against it).
//
// Immutable once built; copies share the parsed schema. Safe to read from
// many threads.
//
// Example:
//   std::vector<writ::Issue> issues;
//   absl::StatusOr<writ::Schema> schema =
//       writ::Schema::Parse(text, "nhi.cedarschema", &issues);
//   if (!schema.ok()) std::cerr << writ::RenderIssues(issues);
#ifndef WRIT_SCHEMA_H_
#define WRIT_SCHEMA_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "writ/issue.h"

namespace writ {

namespace internal {
struct SchemaData;
}

enum class SchemaFormat { kCedar, kJson };

struct SchemaOptions {
  // Pure Cedar: writ's extension types (`spiffe`) are unknown types.
  bool strict = false;
};

class Schema {
 public:
  // The empty schema: no entity types, no actions.
  Schema();
  ~Schema();
  Schema(const Schema&);
  Schema& operator=(const Schema&);
  Schema(Schema&&) noexcept;
  Schema& operator=(Schema&&) noexcept;

  // The form of `text` named `source_name`: JSON when the name ends in
  // `.json` or the text starts (after whitespace) with `{`; else Cedar's
  // human-readable form.
  static SchemaFormat DetectFormat(std::string_view text, std::string_view source_name);

  // Parses a schema in the given form (or the detected one), resolving every
  // name. Every mistake is appended to `issues` (which may be null) with its
  // location; on any error InvalidArgument is returned (never a partial or
  // empty schema). Bounds: kMaxSchemaBytes, kMaxSchemaDepth (writ/limits.h).
  static absl::StatusOr<Schema> Parse(std::string_view text, std::string_view source_name,
                                      std::vector<Issue>* issues, const SchemaOptions& options = {});
  static absl::StatusOr<Schema> Parse(std::string_view text, std::string_view source_name,
                                      SchemaFormat format, std::vector<Issue>* issues,
                                      const SchemaOptions& options = {});

  // The schema written in either form, as `writ schema --to` prints it. The
  // declarations keep their namespaces, common types and order.
  std::string ToJson() const;
  std::string ToCedar() const;

  // Qualified names of the entity types (`Ns::User`) and the actions
  // (`Ns::Action::"read"`), sorted.
  std::vector<std::string> entity_types() const;
  std::vector<std::string> actions() const;

 private:
  friend struct internal::SchemaData;
  std::shared_ptr<const internal::SchemaData> data_;
};

}  // namespace writ

#endif  // WRIT_SCHEMA_H_
