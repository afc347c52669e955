// Validate: the resolved form of a Cedar schema, what the typechecker, the
// schema-directed JSON readers and the request checks read. Every name is
// qualified and every common type is inlined, so readers never resolve.
// Built by the schema parsers (schema_cedar.cc, schema_json.cc, resolved in
// schema_resolve.cc); immutable afterwards and shared by copies of a Schema.
#ifndef WRIT_SRC_VALIDATE_SCHEMA_H_
#define WRIT_SRC_VALIDATE_SCHEMA_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/source.h"
#include "writ/schema.h"
#include "writ/value.h"

namespace writ::internal {

// Where a declaration was written: a source of SchemaData::sources and a span
// in it.
struct SchemaLoc {
  std::uint32_t source = 0;
  Span span;
};

struct SchemaType;
using SchemaTypePtr = std::shared_ptr<const SchemaType>;

struct AttrType {
  SchemaTypePtr type;
  bool required = true;
};

// A type as a schema declares it.
struct SchemaType {
  enum class Kind : std::uint8_t { kBool, kLong, kString, kEntity, kSet, kRecord, kExtension };
  Kind kind = Kind::kBool;
  // kEntity: the qualified entity type name ("Ns::User").
  // kExtension: "ipaddr", "decimal", "datetime", "duration" or writ's "spiffe".
  std::string name;
  SchemaTypePtr element;                                      // kSet
  std::map<std::string, AttrType, std::less<>> attributes;    // kRecord
  bool open = false;   // kRecord: JSON form's "additionalAttributes": true
};

struct EntityTypeDef {
  std::string name;                    // qualified: "Ns::User"
  std::vector<std::string> member_of;  // qualified parent types, as declared
  SchemaType shape;                    // kRecord, possibly without attributes
  SchemaTypePtr tags;                  // null: the type has no tags
  // An enumerated entity type (`entity Color enum ["red", "blue"];`): the only
  // ids its entities may have.
  std::optional<std::vector<std::string>> enum_ids;
  SchemaLoc loc;
};

struct ActionDef {
  EntityUid uid;                       // type "Ns::Action", the action's id
  std::vector<EntityUid> member_of;    // action groups, qualified, as declared
  // Whether any request is valid for the action: it declares `appliesTo`
  // with at least one principal type and at least one resource type. An
  // action without `appliesTo`, or whose `appliesTo` lists no principal or
  // no resource type, applies to nothing, and Cedar treats both alike, so
  // both are false here (how it was written is kept in SchemaSyntax, for the
  // printers). When true, principal_types and resource_types are non-empty.
  bool applies_to = false;
  std::vector<std::string> principal_types;   // qualified
  std::vector<std::string> resource_types;    // qualified
  SchemaType context;                          // kRecord
  SchemaLoc loc;
};

struct SchemaSource {
  std::string name;
  std::string text;
};

struct SchemaSyntax;   // the declarations as written (schema_syntax.h), for printing

struct SchemaData {
  std::vector<std::shared_ptr<const SchemaSource>> sources;
  std::shared_ptr<const SchemaSyntax> syntax;

  std::map<std::string, EntityTypeDef, std::less<>> entity_types;   // by qualified name
  std::map<EntityUid, ActionDef> actions;

  // Derived once when the schema is built:
  // For each entity type, every type that can be its ancestor through
  // `in` (memberOf, transitively; the type itself only when a cycle says so).
  std::map<std::string, std::set<std::string>, std::less<>> ancestor_types;
  // For each action, every action group it is in, transitively.
  std::map<EntityUid, std::set<EntityUid>> action_ancestors;

  const EntityTypeDef* FindEntityType(std::string_view name) const {
    auto it = entity_types.find(name);
    return it == entity_types.end() ? nullptr : &it->second;
  }
  const ActionDef* FindAction(const EntityUid& uid) const {
    auto it = actions.find(uid);
    return it == actions.end() ? nullptr : &it->second;
  }

  static const SchemaData& Of(const Schema& schema) { return *schema.data_; }
  static Schema Make(std::shared_ptr<const SchemaData> data) {
    Schema s;
    s.data_ = std::move(data);
    return s;
  }
};

}  // namespace writ::internal

#endif  // WRIT_SRC_VALIDATE_SCHEMA_H_
