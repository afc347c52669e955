// Validate: the schema stage's internal functions — the parser of each form
// (text -> SchemaSyntax), the resolver (SchemaSyntax -> SchemaData) and the
// printers (SchemaSyntax -> text in either form).
#ifndef WRIT_SRC_VALIDATE_SCHEMA_PARSE_H_
#define WRIT_SRC_VALIDATE_SCHEMA_PARSE_H_

#include <memory>
#include <string_view>
#include <optional>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "src/base/source.h"
#include "src/validate/schema.h"
#include "src/validate/schema_syntax.h"
#include "writ/issue.h"
#include "writ/schema.h"

namespace writ::internal {

// Appends an issue of the schema stage to `issues` (which holds this schema's
// issues only, as Schema::Parse passes them), bounded by kMaxSchemaIssues:
// the one past the bound says that the rest are left out, and later ones are
// dropped. Every issue of the stage goes through here.
void AddSchemaIssue(const SourceFile& file, Span span, std::string message, Severity severity,
                    std::string hint, std::vector<Issue>* issues);
// Whether hints are spent: work done only for a message (a suggestion, from a list of every
// name) is done for the first few issues only, so that a schema of many
// mistakes costs a bounded multiple of its size.
inline constexpr std::size_t kMaxSchemaIssuesWithHints = 10;
bool SchemaHintsSpent(const std::vector<Issue>& issues);
// Suggest (src/base/suggest.h) for names of at most kMaxSuggestedNameBytes:
// edit distance is quadratic in the names' length, and a schema name may be
// megabytes long.
inline constexpr std::size_t kMaxSuggestedNameBytes = 256;
std::string SuggestSchemaName(std::string_view name, absl::Span<const std::string_view> names);

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
