// Validate: a Cedar schema's declarations as written — namespaces, common
// types, entity types, actions and annotations, in order and with their
// spans — before any name is resolved. Both parsers (schema_cedar.cc,
// schema_json.cc) produce it, the resolver (schema_resolve.cc) turns it into
// SchemaData, and the printers (schema_print.cc) write it back in either
// form, so that conversion keeps namespaces, common type names and order.
#ifndef WRIT_SRC_VALIDATE_SCHEMA_SYNTAX_H_
#define WRIT_SRC_VALIDATE_SCHEMA_SYNTAX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "src/base/source.h"
#include "writ/schema.h"

namespace writ::internal {

// A name as written: an identifier, a path `A::B`, an action id or an
// attribute name (decoded when it was a string literal).
struct SyntaxName {
  std::string text;
  Span span;
};

// `@key` or `@key("value")` (Cedar form); an "annotations" member (JSON form).
struct SyntaxAnnotation {
  std::string key;
  std::optional<std::string> value;
  Span span;
};

struct SyntaxAttr;

// A type as written. INVARIANT: at most kMaxSchemaDepth deep (the parsers
// check before recursing), so code walking it may recurse.
struct SyntaxType {
  enum class Kind : std::uint8_t { kBool, kLong, kString, kSet, kRecord, kRef };
  // What a kRef may name: Cedar form's paths and JSON's "EntityOrCommon" name
  // a common or an entity type; JSON's bare `"type": "T"` a common type,
  // "Entity" an entity type, "Extension" an extension type.
  enum class Ref : std::uint8_t { kEntityOrCommon, kCommon, kEntity, kExtension };

  Kind kind = Kind::kBool;
  Ref ref = Ref::kEntityOrCommon;
  SyntaxName name;                       // kRef
  std::vector<SyntaxType> element;       // kSet: exactly one
  std::vector<SyntaxAttr> attributes;    // kRecord, in written order
  bool additional_attributes = false;    // kRecord (JSON form only)
  Span span;
};

struct SyntaxAttr {
  SyntaxName name;
  bool required = true;
  SyntaxType type;
  std::vector<SyntaxAnnotation> annotations;
};

struct SyntaxEntity {
  std::vector<SyntaxName> names;         // `entity A, B ...` declares several
  std::vector<SyntaxName> member_of;     // as written (may be qualified)
  std::optional<SyntaxType> shape;       // absent: no attributes written
  std::optional<SyntaxType> tags;
  std::optional<std::vector<SyntaxName>> enum_ids;
  std::vector<SyntaxAnnotation> annotations;
  Span span;
};

// A reference to an action group: `"g"` (type absent: the declaring
// namespace's Action), `Ns::Action::"g"`, or JSON's {"id", "type"}.
struct SyntaxActionRef {
  std::optional<SyntaxName> type;
  SyntaxName id;
  Span span;
};

struct SyntaxAction {
  std::vector<SyntaxName> names;         // the ids declared
  std::optional<std::vector<SyntaxActionRef>> member_of;
  bool applies_to = false;
  std::optional<std::vector<SyntaxName>> principals;   // with applies_to
  std::optional<std::vector<SyntaxName>> resources;
  std::optional<SyntaxType> context;     // a record or a reference to one
  Span applies_to_span;
  std::vector<SyntaxAnnotation> annotations;
  Span span;
};

struct SyntaxCommonType {
  SyntaxName name;
  SyntaxType type;
  std::vector<SyntaxAnnotation> annotations;
  Span span;
};

using SyntaxDecl = std::variant<SyntaxCommonType, SyntaxEntity, SyntaxAction>;

struct SyntaxNamespace {
  SyntaxName name;                       // "" for the empty namespace
  // Cedar form: written as a `namespace N { ... }` block (false for a run of
  // top-level declarations).
  bool block = false;
  std::vector<SyntaxAnnotation> annotations;
  std::vector<SyntaxDecl> decls;         // in written order
  Span span;
};

struct SchemaSyntax {
  SchemaFormat format = SchemaFormat::kCedar;
  std::vector<SyntaxNamespace> namespaces;   // in written order
};

}  // namespace writ::internal

#endif  // WRIT_SRC_VALIDATE_SCHEMA_SYNTAX_H_
