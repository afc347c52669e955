// writ/schema_check.h — data checked against a schema, as Cedar checks it:
// a request (Cedar's request validation) and an entity store (Cedar's entity
// conformance). The JSON readers (writ/json.h) run the same checks, located
// in the document, when given JsonOptions::schema; these are for requests and
// entities built in C++.
//
// Example:
//   writ::Request request{.principal = {"User", "alice"}, .action = {"Action", "view"},
//                         .resource = {"Photo", "a.jpg"}};
//   if (absl::Status s = writ::ValidateRequest(schema, request); !s.ok()) {
//     // deny: s.message() says what does not conform
//   }
#ifndef WRIT_SCHEMA_CHECK_H_
#define WRIT_SCHEMA_CHECK_H_

#include "absl/status/status.h"
#include "writ/entities.h"
#include "writ/request.h"
#include "writ/schema.h"

namespace writ {

// Cedar's request validation: the action is declared in `schema`; the
// principal's and resource's types are declared (an enumerated type's id is
// one of its ids) and are among the action's `appliesTo` types; the context
// has the action's context type, and every entity reference in it is to a
// declared action or a declared id of an enumerated type. OK, or
// InvalidArgument whose message names every part that does not conform.
absl::Status ValidateRequest(const Schema& schema, const Request& request);

// Cedar's entity conformance, over an entity store built by hand: every
// non-action entity's type is declared (and its id, for an enumerated type),
// its attributes have the declared types (required ones present, no
// undeclared one unless the type's shape is open), its parents are of types
// its type may be a member of (transitively), and its tags have the declared
// tag type (none when the type declares no tags); an action entity is a
// declared action with no attributes or tags whose parents are declared
// actions. OK, or InvalidArgument naming the first entities that do not
// conform (in uid order). Does not check the hierarchy for cycles
// (Entities::FindCycle does).
absl::Status ValidateEntities(const Schema& schema, const Entities& entities);

}  // namespace writ

#endif  // WRIT_SCHEMA_CHECK_H_
