// Validate: the schema stage's internal functions — the parser of each form
// (text -> SchemaSyntax), the resolver (SchemaSyntax -> SchemaData) and the
// printers (SchemaSyntax -> text in either form).
#ifndef WRIT_SRC_VALIDATE_SCHEMA_PARSE_H_
#define WRIT_SRC_VALIDATE_SCHEMA_PARSE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/base/source.h"
#include "src/validate/schema.h"
#include "src/validate/schema_syntax.h"
#include "writ/issue.h"
#include "writ/schema.h"

namespace writ::internal {

// Cedar's human-readable form. Appends located issues; nullopt on any error.
// Expects text within kMaxSchemaBytes and valid UTF-8 (Schema::Parse checks).
std::optional<SchemaSyntax> ParseCedarSchema(const SourceFile& file, std::vector<Issue>* issues);

// Cedar's JSON form, with Cedar's deny-unknown-fields strictness.
std::optional<SchemaSyntax> ParseJsonSchema(const SourceFile& file, std::vector<Issue>* issues);

// Resolves every name of `syntax` (read from `file`, which is source 0 of the
// result): common types inlined, references checked, closures derived.
// Appends issues (warnings too); nullptr when any is an error.
std::shared_ptr<SchemaData> ResolveSchema(std::shared_ptr<const SchemaSyntax> syntax,
                                          const SourceFile& file, const SchemaOptions& options,
                                          std::vector<Issue>* issues);

// The declarations written in each form (valid input: a resolved schema's).
std::string PrintSchemaCedar(const SchemaSyntax& syntax);
std::string PrintSchemaJson(const SchemaSyntax& syntax);

// Whether `s` is an identifier Cedar accepts unquoted ([_a-zA-Z][_a-zA-Z0-9]*
// and not a reserved word).
bool IsSchemaIdent(std::string_view s);

}  // namespace writ::internal

#endif  // WRIT_SRC_VALIDATE_SCHEMA_PARSE_H_
