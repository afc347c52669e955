// Lint: structural equality and hashing of expressions, conditions and
// scopes (see ast_equal.h).
#include "src/lint/ast_equal.h"

#include <cstdint>
#include <string>

#include "absl/hash/hash.h"

namespace writ::internal {
namespace {

std::size_t HashValue(const Value& v) {
  const auto kind = static_cast<std::uint8_t>(v.kind());
  switch (v.kind()) {
    case Value::Kind::kBool: return absl::HashOf(kind, v.as_bool());
    case Value::Kind::kLong: return absl::HashOf(kind, v.as_long());
    case Value::Kind::kString: return absl::HashOf(kind, v.as_string());
    case Value::Kind::kEntity: return absl::HashOf(kind, v.as_entity());
    default: return absl::HashOf(kind, v.ToString());   // not parsed as literals; correct anyway
  }
}

bool SamePattern(const std::vector<PatternElem>& a, const std::vector<PatternElem>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].wildcard != b[i].wildcard || a[i].literal != b[i].literal) return false;
  }
  return true;
}

}  // namespace

bool SameExpr(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.args.size() != b.args.size()) return false;
  switch (a.kind) {
    case Expr::Kind::kLiteral:
      if (a.literal.kind() != b.literal.kind() || !(a.literal == b.literal)) return false;
      break;
    case Expr::Kind::kVar:
      if (a.var != b.var) return false;
      break;
    case Expr::Kind::kSlot:
      if (a.slot != b.slot) return false;
      break;
    case Expr::Kind::kIf:
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr:
    case Expr::Kind::kSet:
      break;
    case Expr::Kind::kUnary:
      if (a.unary_op != b.unary_op) return false;
      break;
    case Expr::Kind::kBinary:
      if (a.binary_op != b.binary_op) return false;
      break;
    case Expr::Kind::kGetAttr:
    case Expr::Kind::kHasAttr:
    case Expr::Kind::kIs:
    case Expr::Kind::kExtCall:
    case Expr::Kind::kMatches:
      if (a.name != b.name) return false;
      break;
    case Expr::Kind::kLike:
      if (!SamePattern(a.pattern, b.pattern)) return false;
      break;
    case Expr::Kind::kRecord:
      if (a.keys != b.keys) return false;
      break;
  }
  for (std::size_t i = 0; i < a.args.size(); ++i) {
    if (!SameExpr(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

std::size_t HashExpr(const Expr& e) {
  std::size_t h = absl::HashOf(static_cast<std::uint8_t>(e.kind), e.args.size());
  switch (e.kind) {
    case Expr::Kind::kLiteral: h = absl::HashOf(h, HashValue(e.literal)); break;
    case Expr::Kind::kVar: h = absl::HashOf(h, static_cast<std::uint8_t>(e.var)); break;
    case Expr::Kind::kSlot: h = absl::HashOf(h, static_cast<std::uint8_t>(e.slot)); break;
    case Expr::Kind::kIf:
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr:
    case Expr::Kind::kSet:
      break;
    case Expr::Kind::kUnary: h = absl::HashOf(h, static_cast<std::uint8_t>(e.unary_op)); break;
    case Expr::Kind::kBinary: h = absl::HashOf(h, static_cast<std::uint8_t>(e.binary_op)); break;
    case Expr::Kind::kGetAttr:
    case Expr::Kind::kHasAttr:
    case Expr::Kind::kIs:
    case Expr::Kind::kExtCall:
    case Expr::Kind::kMatches:
      h = absl::HashOf(h, e.name);
      break;
    case Expr::Kind::kLike:
      for (const PatternElem& p : e.pattern) h = absl::HashOf(h, p.wildcard, p.literal);
      break;
    case Expr::Kind::kRecord: h = absl::HashOf(h, e.keys); break;
  }
  for (const ExprPtr& a : e.args) h = absl::HashOf(h, HashExpr(*a));
  return h;
}

bool SameConditions(const std::vector<Condition>& a, const std::vector<Condition>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_when != b[i].is_when || !SameExpr(*a[i].expr, *b[i].expr)) return false;
  }
  return true;
}

std::size_t HashConditions(const std::vector<Condition>& conditions) {
  std::size_t h = absl::HashOf(conditions.size());
  for (const Condition& c : conditions) h = absl::HashOf(h, c.is_when, HashExpr(*c.expr));
  return h;
}

bool SameScope(const ScopeConstraint& a, const ScopeConstraint& b) {
  return a.kind == b.kind && a.entity == b.entity && a.slot == b.slot && a.entity_type == b.entity_type;
}

std::size_t HashScope(const ScopeConstraint& s) {
  static const EntityUid kNone;
  return absl::HashOf(static_cast<std::uint8_t>(s.kind), s.entity.has_value(), s.entity ? *s.entity : kNone,
                      s.slot ? static_cast<int>(*s.slot) : -1, s.entity_type);
}

}  // namespace writ::internal
