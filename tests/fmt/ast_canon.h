// Helpers for the formatter's tests: a canonical, span-free printing of
// parsed policies, so that "parses into the same policies" is checked on the
// ASTs and not on the formatter's own output.
#ifndef WRIT_TESTS_FMT_AST_CANON_H_
#define WRIT_TESTS_FMT_AST_CANON_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/ast/ast.h"
#include "src/base/strings.h"
#include "src/parse/parser.h"
#include "writ/value.h"

namespace writ::internal::testing_helpers {

inline std::string Quote(std::string_view s) { return QuoteCedarString(s); }

// Recursion bounded by the parser's kMaxExpressionHeight.
inline void CanonExpr(const Expr& e, std::string* out) {
  switch (e.kind) {
    case Expr::Kind::kLiteral: absl::StrAppend(out, "lit(", e.literal.ToString(), ")"); break;
    case Expr::Kind::kVar: absl::StrAppend(out, "var", static_cast<int>(e.var)); break;
    case Expr::Kind::kSlot: absl::StrAppend(out, "slot", static_cast<int>(e.slot)); break;
    case Expr::Kind::kIf: *out += "if"; break;
    case Expr::Kind::kAnd: *out += "and"; break;
    case Expr::Kind::kOr: *out += "or"; break;
    case Expr::Kind::kUnary: absl::StrAppend(out, "unary", static_cast<int>(e.unary_op)); break;
    case Expr::Kind::kBinary: absl::StrAppend(out, "binary", static_cast<int>(e.binary_op)); break;
    case Expr::Kind::kGetAttr: absl::StrAppend(out, "get", Quote(e.name)); break;
    case Expr::Kind::kHasAttr: absl::StrAppend(out, "has", Quote(e.name)); break;
    case Expr::Kind::kLike:
      *out += "like[";
      for (const PatternElem& p : e.pattern) absl::StrAppend(out, p.wildcard ? "*" : Quote(p.literal), ",");
      *out += "]";
      break;
    case Expr::Kind::kIs: absl::StrAppend(out, "is:", e.name); break;
    case Expr::Kind::kSet: *out += "set"; break;
    case Expr::Kind::kRecord:
      *out += "record[";
      for (const std::string& k : e.keys) absl::StrAppend(out, Quote(k), ",");
      *out += "]";
      break;
    case Expr::Kind::kExtCall: absl::StrAppend(out, "call:", e.name); break;
    case Expr::Kind::kMatches: absl::StrAppend(out, "matches:", Quote(e.name)); break;
  }
  *out += "(";
  for (const ExprPtr& a : e.args) {
    CanonExpr(*a, out);
    *out += ",";
  }
  *out += ")";
}

inline std::string CanonScope(const ScopeConstraint& c) {
  return absl::StrCat(static_cast<int>(c.kind), ":", c.entity ? Value::Entity(*c.entity).ToString() : "-", ":",
                      c.slot ? static_cast<int>(*c.slot) : -1, ":", c.entity_type);
}

inline std::string CanonPolicy(const Policy& p) {
  std::string out = absl::StrCat(p.effect == Effect::kPermit ? "permit" : "forbid", p.is_template ? " template" : "",
                                 "\n");
  for (const Annotation& a : p.annotations) {
    absl::StrAppend(&out, "@", a.key, a.value ? Quote(*a.value) : "<none>", "\n");
  }
  absl::StrAppend(&out, "principal ", CanonScope(p.principal), "\naction ", static_cast<int>(p.action.kind));
  for (const EntityUid& uid : p.action.entities) absl::StrAppend(&out, " ", Value::Entity(uid).ToString());
  absl::StrAppend(&out, "\nresource ", CanonScope(p.resource), "\n");
  for (const Condition& c : p.conditions) {
    out += c.is_when ? "when " : "unless ";
    CanonExpr(*c.expr, &out);
    out += "\n";
  }
  return out;
}

// The canonical printing of every policy of `text`, or "error: ..." when it
// does not parse.
inline std::string CanonPolicies(std::string_view text) {
  std::vector<Issue> issues;
  SourceFile file("t.cedar", text);
  std::vector<Policy> policies = ParsePolicies(file, ParseOptions{}, &issues);
  if (HasErrors(issues)) return absl::StrCat("error: ", RenderIssues(issues));
  std::string out;
  for (const Policy& p : policies) absl::StrAppend(&out, CanonPolicy(p), ";\n");
  return out;
}

}  // namespace writ::internal::testing_helpers

#endif  // WRIT_TESTS_FMT_AST_CANON_H_
