// AST: the parsed form of Cedar policies. Immutable after parsing; every node
// keeps its source span. Sugar is removed by the parser (`has a.b`, `is .. in`,
// index access, negative literals), so the evaluator sees one form per meaning.
#ifndef WRIT_SRC_AST_AST_H_
#define WRIT_SRC_AST_AST_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "src/base/source.h"
#include "src/ext/regex.h"
#include "writ/policy_set.h"
#include "writ/value.h"

namespace writ::internal {

enum class Var : std::uint8_t { kPrincipal, kAction, kResource, kContext };
enum class SlotKind : std::uint8_t { kPrincipal, kResource };

enum class UnaryOp : std::uint8_t {
  kNot,       // !e
  kNeg,       // -e (i64, overflow is an error)
  kIsEmpty,   // e.isEmpty()
};

enum class BinaryOp : std::uint8_t {
  kEq, kNe, kLt, kLe, kGt, kGe,
  kIn,            // e in e2 (entity or set of entities)
  kAdd, kSub, kMul,
  kContains,      // e.contains(x)
  kContainsAll,   // e.containsAll(x)
  kContainsAny,   // e.containsAny(x)
  kGetTag,        // e.getTag(x)
  kHasTag,        // e.hasTag(x)
};

// One element of a `like` pattern: a run of literal text, or `*`.
struct PatternElem {
  bool wildcard = false;
  std::string literal;   // when !wildcard: unescaped UTF-8 text, never empty
};

struct Expr;
using ExprPtr = std::unique_ptr<const Expr>;

struct Expr {
  enum class Kind : std::uint8_t {
    kLiteral,   // literal: bool, long, string or entity
    kVar,       // var
    kSlot,      // slot (?principal, ?resource)
    kIf,        // args: condition, then, else
    kAnd,       // args: lhs, rhs (short-circuit)
    kOr,        // args: lhs, rhs (short-circuit)
    kUnary,     // unary_op; args: operand
    kBinary,    // binary_op; args: lhs, rhs
    kGetAttr,   // args: object; name: attribute (from `.a` and `["a"]`)
    kHasAttr,   // args: object; name: attribute
    kLike,      // args: string; pattern
    kIs,        // args: entity; name: entity type
    kSet,       // args: elements
    kRecord,    // args: values; keys: their names, parallel to args, unique
    kExtCall,   // name: extension function; args: arguments (a method's receiver first)
    kMatches,   // writ extension `e.matches("re")`: args: string; name: the pattern; regex: compiled
  };

  Kind kind = Kind::kLiteral;
  Span span;
  // Height of this subtree (1 for a leaf). INVARIANT: at most
  // kMaxExpressionHeight, enforced by the parser, so every recursive walk
  // over an expression is bounded.
  std::uint16_t height = 1;
  Var var = Var::kPrincipal;
  SlotKind slot = SlotKind::kPrincipal;
  UnaryOp unary_op = UnaryOp::kNot;
  BinaryOp binary_op = BinaryOp::kEq;
  Value literal;
  std::string name;
  std::vector<std::string> keys;
  std::vector<PatternElem> pattern;
  std::vector<ExprPtr> args;
  // kMatches: compiled once, when parsed; shared by copies of the node and by
  // the compiled engine.
  std::shared_ptr<const Regex> regex;
};

// The principal or resource part of a policy's scope.
struct ScopeConstraint {
  enum class Kind : std::uint8_t {
    kAny,    // principal
    kEq,     // principal == E
    kIn,     // principal in E
    kIs,     // principal is T
    kIsIn,   // principal is T in E
  };
  Kind kind = Kind::kAny;
  std::optional<EntityUid> entity;     // kEq, kIn, kIsIn when not a slot
  std::optional<SlotKind> slot;        // kEq, kIn, kIsIn when a slot
  std::string entity_type;             // kIs, kIsIn
  Span span;
};

struct ActionConstraint {
  enum class Kind : std::uint8_t {
    kAny,      // action
    kEq,       // action == A            (entities: [A])
    kIn,       // action in A            (entities: [A])
    kInList,   // action in [A, B, ...]  (entities: the list, possibly empty)
  };
  Kind kind = Kind::kAny;
  std::vector<EntityUid> entities;
  Span span;
};

struct Condition {
  bool is_when = true;   // false: unless
  // Shared, so that a template-linked policy (a copy of its template with
  // the slots filled) reads its template's conditions.
  std::shared_ptr<const Expr> expr;
  Span span;
};

struct Annotation {
  std::string key;
  std::optional<std::string> value;   // `@key` alone has none
  Span key_span;
  Span value_span;   // the string literal; empty when there is no value
  Span span;
};

struct Policy {
  std::string id;                  // set by the PolicySet: policy0, policy1, ...
  Effect effect = Effect::kPermit;
  std::vector<Annotation> annotations;   // in source order, keys unique
  ScopeConstraint principal;
  ActionConstraint action;
  ScopeConstraint resource;
  std::vector<Condition> conditions;     // in source order
  Span span;                             // the whole policy
  Span effect_span;                      // the `permit`/`forbid` keyword
  std::uint32_t source_index = 0;        // which source text (PolicySetData::sources)
  bool is_template = false;              // has a slot
  // A template-linked policy: its template's id (the policy is a copy of the
  // template whose slots are filled with the link's values; `id` is the link
  // id). Empty for a static policy or a template.
  std::string link_of;
  // writ's lifecycle annotations, read by src/parse/lifecycle.cc: the policy
  // applies only while the request time is in [not_before, expires).
  std::optional<absl::Time> not_before, expires;
  bool breakglass = false;               // @breakglass("ticket")
};

}  // namespace writ::internal

#endif  // WRIT_SRC_AST_AST_H_
