// Validate: conformance of data to a schema — a value to a schema type, an
// entity reference to the schema's enumerated ids and actions, an entity to
// its type's declaration, a request to its action. Cedar's rules
// (entities/conformance.rs, the validator's request checks). The JSON readers
// call these per value, where they can locate the offending node; the
// public ValidateRequest/ValidateEntities (writ/schema_check.h) call them on
// whole requests and stores.
#ifndef WRIT_SRC_VALIDATE_CONFORM_H_
#define WRIT_SRC_VALIDATE_CONFORM_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/validate/schema.h"
#include "writ/entities.h"
#include "writ/request.h"
#include "writ/value.h"

namespace writ::internal {

// Cedar's rule (EntityType::is_action): the type's last name is `Action`.
bool IsActionType(std::string_view type);

// A type in the human-readable schema syntax: `Long`, `Set<User>`,
// `{ name: String, age?: Long }`, `ipaddr`.
std::string SchemaTypeToString(const SchemaType& type);

// How a value is described in a mismatch: "long `5`", "entity `User::\"a\"`".
std::string DescribeValue(const Value& value);

// Why `value` does not have `type`, or nullopt when it does: e.g.
// "expected Long, found string \"x\"", prefixed with the path to the part that
// does not conform (`attribute `a.b`: ...`) when it is inside a record.
std::optional<std::string> CheckValueType(const Value& value, const SchemaType& type);

// Why `uid` cannot appear in data read with `schema`: an enumerated entity
// type with an undeclared id, or an undeclared action. Nullopt when it can.
std::optional<std::string> CheckUid(const EntityUid& uid, const SchemaData& schema);
// CheckUid for every entity reference inside `value`.
std::optional<std::string> CheckUidsIn(const Value& value, const SchemaData& schema);

// Why `type` may not be a parent of an entity of type `child` (not among
// the types it is a member of, transitively), or nullopt when it may.
std::optional<std::string> CheckParentType(const EntityUid& child, const EntityTypeDef& def,
                                           const EntityUid& parent, const SchemaData& schema);

// Every way `entity` does not conform to `schema`, one message each.
std::vector<std::string> CheckEntity(const Entity& entity, const SchemaData& schema);

// One part of a request that does not conform.
struct RequestProblem {
  enum class Part : std::uint8_t { kPrincipal, kAction, kResource, kContext };
  Part part;
  std::string message;
};
// Cedar's request validation: the action declared, the principal and resource
// types declared and applicable, the context of the action's context type.
// With `check_context` false, the context is not checked (a caller that
// checked it while reading it).
std::vector<RequestProblem> CheckRequest(const Request& request, const SchemaData& schema,
                                         bool check_context = true);

}  // namespace writ::internal

#endif  // WRIT_SRC_VALIDATE_CONFORM_H_
