// writ/json.h — Cedar's JSON forms: values (with the `__entity` and `__extn`
// escapes), entities, requests; and decisions out. Readers reject duplicate
// keys, invalid UTF-8, numbers outside i64 and nesting deeper than
// kMaxJsonDepth, each with a located issue.
#ifndef WRIT_JSON_H_
#define WRIT_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "writ/authorize.h"
#include "writ/entities.h"
#include "writ/issue.h"
#include "writ/request.h"
#include "writ/schema.h"
#include "writ/schema_check.h"
#include "writ/value.h"

namespace writ {

class Engine;

struct JsonOptions {
  // Pure Cedar: writ's extension values ({"__extn":{"fn":"spiffe",..}}) are
  // unknown extension functions, as they are to Cedar. The same switch as
  // ParseOptions::strict.
  bool strict = false;
  // Read through this schema (not owned; must outlive the call), as Cedar
  // does. Null: schemaless (an object {"type":..,"id":..} inside attributes
  // or context is a record; entity references there need `__entity`).
  //
  // With a schema, where the schema types a value:
  //   - an entity type: {"type":..,"id":..} or {"__entity":{..}} is an
  //     entity reference;
  //   - an extension type: the bare argument ("10.0.0.1" for an ipaddr,
  //     "1.5" for a decimal), {"fn":..,"arg":..} or {"__extn":{..}};
  //   - a set or record: its elements and attributes typed likewise.
  // EntitiesFromJson then checks each entity as Cedar does (declared type and
  // enumerated id; attribute types, required attributes present, undeclared
  // ones rejected unless the shape is open; parents of types the entity's
  // type may be a member of; tag types; an action entity in the JSON must
  // match the schema's declaration) and adds the schema's action entities,
  // with their groups, to the store. RequestFromJson reads the context with
  // the action's context type (the action must be declared) and, with
  // `validate_request`, checks the request as ValidateRequest
  // (writ/schema_check.h) does. Every failure is an issue at the offending
  // key or value.
  const Schema* schema = nullptr;
  // With a schema: check requests against it (Cedar's `validateRequest`).
  // False reads the context through the schema's types but checks only what
  // reading needs (as Cedar's Request::new without a schema).
  bool validate_request = true;
};

// A Cedar value in JSON: true/false, integers, strings, arrays (sets),
// objects (records), {"__entity":{"type":..,"id":..}}, {"__extn":{"fn":..,"arg":..}}
// (fn: ip, decimal, datetime, duration, or writ's spiffe).
absl::StatusOr<Value> ValueFromJson(std::string_view json, std::string_view source_name,
                                    std::vector<Issue>* issues, const JsonOptions& options = {});

// Cedar's entity JSON: an array of {"uid":..,"attrs":{..},"parents":[..],"tags":{..}}.
// Duplicate uids are an error, and so is a hierarchy with a cycle (located at
// the entities on it).
absl::StatusOr<Entities> EntitiesFromJson(std::string_view json, std::string_view source_name,
                                          std::vector<Issue>* issues, const JsonOptions& options = {});

// An entity reference in any form Cedar's JSON accepts: {"type":..,"id":..},
// {"__entity":{"type":..,"id":..}}, or the string `Type::"id"`.
absl::StatusOr<EntityUid> EntityUidFromJson(std::string_view json, std::string_view source_name,
                                            std::vector<Issue>* issues);

// A request object: {"principal":..,"action":..,"resource":..,"context":{..}}.
// Unknown top-level keys are an error; a missing context is the empty record.
// writ's extensions (refused in strict mode): "now", an RFC 3339 time, and
// "chain", the identities the principal acts for, nearest first, each in any
// form "principal" takes (Request::chain; at most kMaxChainLength, and a
// chained request's context must not have `chain_position`). Through a
// schema with validate_request, each identity of the chain is validated as
// a principal.
absl::StatusOr<Request> RequestFromJson(std::string_view json, std::string_view source_name,
                                        std::vector<Issue>* issues, const JsonOptions& options = {});

// A request's JSON text decided by `engine`: a gateway's path. The same
// decision, issues and status as RequestFromJson(json, ..) followed by
// engine.Decide(request, out), and faster: a request in the form gateways
// send (no schema in `options`; principal, action and resource as
// `Type::"id"` or {"type","id"}; a context of strings, integers, booleans,
// arrays and objects) is read straight into a prepared request, its context
// never built: only the values the engine's policies read are kept. Safe to
// call from many threads at once (each keeps its own storage); `out` reuses
// its vectors as Engine::Decide's does. On a failed read `out` is untouched.
absl::Status DecideJson(const Engine& engine, std::string_view json, std::string_view source_name,
                        std::vector<Issue>* issues, Decision* out, const JsonOptions& options = {});

// {"decision":"allow"|"deny","reasons":[..],"errors":[{"policy":..,"message":..}]}
// on one line; writ's "breakglass" and "revoked" when they say something,
// and "denied_by":"Type::\"id\"" when a chained request was denied
// (Decision::denied_by).
std::string DecisionToJson(const Decision& decision);

// Issues for editors and CI: a JSON array of
// {"file","line","column","length","severity","message"[,"hint"]}, severity
// "error", "warning" or "note" (what `--format json` prints).
std::string IssuesToJson(absl::Span<const Issue> issues);

// A value in Cedar's JSON form (the inverse of ValueFromJson).
std::string ValueToJson(const Value& value);

}  // namespace writ

#endif  // WRIT_JSON_H_
