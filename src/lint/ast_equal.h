// Lint: structural equality and hashing of parsed policies' parts — the same
// operators, names and literals, whatever their spelling, spacing, comments
// or place in the source (spans are ignored, and so are the parts derived
// from others: an expression's height, a `.matches` pattern's compiled form).
#ifndef WRIT_SRC_LINT_AST_EQUAL_H_
#define WRIT_SRC_LINT_AST_EQUAL_H_

#include <cstddef>
#include <vector>

#include "src/ast/ast.h"

namespace writ::internal {

// Recursion in these functions is bounded by the parser's
// kMaxExpressionHeight.
bool SameExpr(const Expr& a, const Expr& b);
// Equal for SameExpr-equal expressions.
std::size_t HashExpr(const Expr& e);

// The same clauses (`when`/`unless` and SameExpr), in the same order.
bool SameConditions(const std::vector<Condition>& a, const std::vector<Condition>& b);
std::size_t HashConditions(const std::vector<Condition>& conditions);

// The same kind, entity or slot, and entity type.
bool SameScope(const ScopeConstraint& a, const ScopeConstraint& b);
std::size_t HashScope(const ScopeConstraint& s);

}  // namespace writ::internal

#endif  // WRIT_SRC_LINT_AST_EQUAL_H_
