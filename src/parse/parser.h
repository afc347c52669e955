// Parse: Cedar policy text -> AST. Every mistake becomes an issue with its
// location; the parser recovers at the next policy so that all the syntax
// errors of a text are reported in one pass. Nesting deeper than
// kMaxExpressionDepth is an error found before the parser recurses.
#ifndef WRIT_SRC_PARSE_PARSER_H_
#define WRIT_SRC_PARSE_PARSER_H_

#include <optional>
#include <string_view>
#include <vector>

#include "src/ast/ast.h"
#include "src/base/source.h"
#include "writ/issue.h"
#include "writ/policy_set.h"
#include "writ/value.h"

namespace writ::internal {

// Parses every policy in `file`, in order. Issues are appended to `issues`.
// When any error was reported the returned policies are incomplete and must
// not be used. Ids are left empty (the PolicySet assigns them).
std::vector<Policy> ParsePolicies(const SourceFile& file, const ParseOptions& options,
                                  std::vector<Issue>* issues);

// Parses one Cedar expression (the whole text). nullptr on error.
ExprPtr ParseExpression(const SourceFile& file, const ParseOptions& options,
                        std::vector<Issue>* issues);

// Parses an entity reference `Type::"id"` / `Ns::Type::"id"` (whitespace and
// comments allowed around tokens as in policies). nullopt when malformed.
std::optional<EntityUid> ParseEntityUid(std::string_view text);

// ParseEntityUid's common case without the lexer, for `text` that is valid
// UTF-8: a plain type name, `::` and a quoted id with no escape or carriage
// return in it, as views into `text`. False for anything else, which
// ParseEntityUid reads.
bool SplitPlainEntityUid(std::string_view text, std::string_view* type, std::string_view* id);

// Parses an entity type name `Type` / `Ns::Type`. nullopt when malformed.
std::optional<std::string> ParseEntityTypeName(std::string_view text);

}  // namespace writ::internal

#endif  // WRIT_SRC_PARSE_PARSER_H_
