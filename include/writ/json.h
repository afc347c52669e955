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
#include "writ/value.h"

namespace writ {

struct JsonOptions {
  // Read an object of exactly two string fields, "type" and "id", as an
  // entity reference rather than a record. Cedar does this where a schema
  // declares an entity type; without one it reads a record (the default
  // here). Cedar's hand-written integration tests rely on it.
  bool implicit_entity_refs = false;
  // Pure Cedar: writ's extension values ({"__extn":{"fn":"spiffe",..}}) are
  // unknown extension functions, as they are to Cedar. The same switch as
  // ParseOptions::strict.
  bool strict = false;
  // Read through this schema (not owned; must outlive the call), as Cedar
  // does: entity references and extension values where the schema types
  // them, entities and requests checked against it, and the schema's action
  // entities (with their groups) added to an entity store. Null: schemaless.
  const Schema* schema = nullptr;
};

// A Cedar value in JSON: true/false, integers, strings, arrays (sets),
// objects (records), {"__entity":{"type":..,"id":..}}, {"__extn":{"fn":..,"arg":..}}
// (fn: ip, decimal, datetime, duration, or writ's spiffe).
absl::StatusOr<Value> ValueFromJson(std::string_view json, std::string_view source_name,
                                    std::vector<Issue>* issues, const JsonOptions& options = {});

// Cedar's entity JSON: an array of {"uid":..,"attrs":{..},"parents":[..],"tags":{..}}.
// Duplicate uids are an error.
absl::StatusOr<Entities> EntitiesFromJson(std::string_view json, std::string_view source_name,
                                          std::vector<Issue>* issues, const JsonOptions& options = {});

// An entity reference in any form Cedar's JSON accepts: {"type":..,"id":..},
// {"__entity":{"type":..,"id":..}}, or the string `Type::"id"`.
absl::StatusOr<EntityUid> EntityUidFromJson(std::string_view json, std::string_view source_name,
                                            std::vector<Issue>* issues);

// A request object: {"principal":..,"action":..,"resource":..,"context":{..}}.
// Unknown top-level keys are an error; a missing context is the empty record.
absl::StatusOr<Request> RequestFromJson(std::string_view json, std::string_view source_name,
                                        std::vector<Issue>* issues, const JsonOptions& options = {});

// {"decision":"allow"|"deny","reasons":[..],"errors":[{"policy":..,"message":..}]}
// on one line.
std::string DecisionToJson(const Decision& decision);

// Issues for editors and CI: a JSON array of
// {"file","line","column","length","severity","message"[,"hint"]}, severity
// "error", "warning" or "note" (what `--format json` prints).
std::string IssuesToJson(absl::Span<const Issue> issues);

// A value in Cedar's JSON form (the inverse of ValueFromJson).
std::string ValueToJson(const Value& value);

}  // namespace writ

#endif  // WRIT_JSON_H_
