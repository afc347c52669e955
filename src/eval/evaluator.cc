// Eval: the reference evaluator. Each expression kind is interpreted directly
// from the AST, following Cedar's evaluator rule for rule: operands are
// evaluated left to right, `&&`, `||` and `if` short-circuit, every type
// mismatch and overflow is an error.
#include "src/eval/evaluator.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/base/status_macros.h"
#include "src/base/strings.h"
#include "src/eval/ops.h"
#include "src/ext/extensions.h"

namespace writ::internal {

absl::StatusOr<bool> Evaluator::EvalBool(const Expr& expr) const {
  WRIT_ASSIGN_OR_RETURN(Value v, Eval(expr));
  WRIT_RETURN_IF_ERROR(ExpectKind(v, Value::Kind::kBool));
  return v.as_bool();
}

bool Evaluator::InEntity(const EntityUid& uid, const EntityUid& ancestor) const {
  return uid == ancestor || entities_.IsDescendantOf(uid, ancestor);
}

absl::StatusOr<Value> Evaluator::Eval(const Expr& expr) const {
  const auto& args = expr.args;
  switch (expr.kind) {
    case Expr::Kind::kLiteral:
      return expr.literal;
    case Expr::Kind::kVar:
      switch (expr.var) {
        case Var::kPrincipal: return Value::Entity(request_.principal);
        case Var::kAction: return Value::Entity(request_.action);
        case Var::kResource: return Value::Entity(request_.resource);
        case Var::kContext: return request_.context;
      }
      return absl::InternalError("unknown variable");
    case Expr::Kind::kSlot:
      return UnlinkedSlot();
    case Expr::Kind::kIf: {
      WRIT_ASSIGN_OR_RETURN(bool c, EvalBool(*args[0]));
      return Eval(*args[c ? 1 : 2]);
    }
    case Expr::Kind::kAnd: {
      WRIT_ASSIGN_OR_RETURN(bool l, EvalBool(*args[0]));
      if (!l) return Value::Bool(false);
      WRIT_ASSIGN_OR_RETURN(bool r, EvalBool(*args[1]));
      return Value::Bool(r);
    }
    case Expr::Kind::kOr: {
      WRIT_ASSIGN_OR_RETURN(bool l, EvalBool(*args[0]));
      if (l) return Value::Bool(true);
      WRIT_ASSIGN_OR_RETURN(bool r, EvalBool(*args[1]));
      return Value::Bool(r);
    }
    case Expr::Kind::kUnary: {
      WRIT_ASSIGN_OR_RETURN(Value v, Eval(*args[0]));
      switch (expr.unary_op) {
        case UnaryOp::kNot:
          WRIT_RETURN_IF_ERROR(ExpectKind(v, Value::Kind::kBool));
          return Value::Bool(!v.as_bool());
        case UnaryOp::kNeg: {
          WRIT_RETURN_IF_ERROR(ExpectKind(v, Value::Kind::kLong));
          WRIT_ASSIGN_OR_RETURN(std::int64_t r, Arith(BinaryOp::kSub, 0, v.as_long()));
          return Value::Long(r);
        }
        case UnaryOp::kIsEmpty:
          WRIT_RETURN_IF_ERROR(ExpectKind(v, Value::Kind::kSet));
          return Value::Bool(v.as_set().empty());
      }
      return absl::InternalError("unknown unary operator");
    }
    case Expr::Kind::kBinary:
      return EvalBinary(expr);
    case Expr::Kind::kGetAttr: {
      WRIT_ASSIGN_OR_RETURN(Value v, Eval(*args[0]));
      const Value::Record* record = nullptr;
      if (v.is(Value::Kind::kRecord)) {
        record = &v.as_record();
      } else if (v.is(Value::Kind::kEntity)) {
        const Entity* e = entities_.Find(v.as_entity());
        if (e == nullptr) {
          return EntityMissing(v.as_entity());
        }
        auto it = e->attrs.find(expr.name);
        if (it == e->attrs.end()) {
          return EntityAttrMissing(v.as_entity(), expr.name, e->attrs);
        }
        return it->second;
      } else {
        return TypeError("record or entity", v);
      }
      auto it = record->find(expr.name);
      if (it == record->end()) {
        return RecordAttrMissing(expr.name, *record);
      }
      return it->second;
    }
    case Expr::Kind::kHasAttr: {
      WRIT_ASSIGN_OR_RETURN(Value v, Eval(*args[0]));
      if (v.is(Value::Kind::kRecord)) return Value::Bool(v.as_record().contains(expr.name));
      if (v.is(Value::Kind::kEntity)) {
        const Entity* e = entities_.Find(v.as_entity());
        return Value::Bool(e != nullptr && e->attrs.contains(expr.name));
      }
      return TypeError("record or entity", v);
    }
    case Expr::Kind::kLike: {
      WRIT_ASSIGN_OR_RETURN(Value v, Eval(*args[0]));
      WRIT_RETURN_IF_ERROR(ExpectKind(v, Value::Kind::kString));
      return Value::Bool(WildcardMatch(expr.pattern, v.as_string()));
    }
    case Expr::Kind::kIs: {
      WRIT_ASSIGN_OR_RETURN(Value v, Eval(*args[0]));
      WRIT_RETURN_IF_ERROR(ExpectKind(v, Value::Kind::kEntity));
      return Value::Bool(v.as_entity().type == expr.name);
    }
    case Expr::Kind::kSet: {
      std::vector<Value> elements;
      elements.reserve(args.size());
      for (const ExprPtr& a : args) {
        WRIT_ASSIGN_OR_RETURN(Value v, Eval(*a));
        elements.push_back(std::move(v));
      }
      return Value::MakeSet(std::move(elements));
    }
    case Expr::Kind::kRecord: {
      Value::Record record;
      for (std::size_t i = 0; i < args.size(); ++i) {
        WRIT_ASSIGN_OR_RETURN(Value v, Eval(*args[i]));
        record.emplace(expr.keys[i], std::move(v));
      }
      return Value::MakeRecord(std::move(record));
    }
    case Expr::Kind::kExtCall: {
      const ExtFunction* fn = FindExtFunction(expr.name);
      if (fn == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("unknown extension function `", expr.name, "`"));
      }
      std::vector<Value> values;
      values.reserve(args.size());
      for (const ExprPtr& a : args) {
        WRIT_ASSIGN_OR_RETURN(Value v, Eval(*a));
        values.push_back(std::move(v));
      }
      return CallExtFunction(*fn, values);
    }
    case Expr::Kind::kMatches: {
      WRIT_ASSIGN_OR_RETURN(Value v, Eval(*args[0]));
      WRIT_RETURN_IF_ERROR(ExpectKind(v, Value::Kind::kString));
      return Value::Bool(expr.regex->FullMatch(v.as_string()));
    }
  }
  return absl::InternalError("unknown expression kind");
}

absl::StatusOr<Value> Evaluator::EvalBinary(const Expr& expr) const {
  WRIT_ASSIGN_OR_RETURN(Value a, Eval(*expr.args[0]));
  WRIT_ASSIGN_OR_RETURN(Value b, Eval(*expr.args[1]));
  switch (expr.binary_op) {
    case BinaryOp::kEq: return Value::Bool(a == b);
    case BinaryOp::kNe: return Value::Bool(!(a == b));
    case BinaryOp::kLt: { WRIT_ASSIGN_OR_RETURN(bool r, Less(a, b, false)); return Value::Bool(r); }
    case BinaryOp::kLe: { WRIT_ASSIGN_OR_RETURN(bool r, Less(a, b, true)); return Value::Bool(r); }
    case BinaryOp::kGt: { WRIT_ASSIGN_OR_RETURN(bool r, Less(b, a, false)); return Value::Bool(r); }
    case BinaryOp::kGe: { WRIT_ASSIGN_OR_RETURN(bool r, Less(b, a, true)); return Value::Bool(r); }
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMul: {
      WRIT_RETURN_IF_ERROR(ExpectKind(a, Value::Kind::kLong));
      WRIT_RETURN_IF_ERROR(ExpectKind(b, Value::Kind::kLong));
      WRIT_ASSIGN_OR_RETURN(std::int64_t r, Arith(expr.binary_op, a.as_long(), b.as_long()));
      return Value::Long(r);
    }
    case BinaryOp::kIn: {
      WRIT_RETURN_IF_ERROR(ExpectKind(a, Value::Kind::kEntity));
      if (b.is(Value::Kind::kEntity)) return Value::Bool(InEntity(a.as_entity(), b.as_entity()));
      if (!b.is(Value::Kind::kSet)) return TypeError("set or entity", b);
      // Every element must be an entity, even past a match (as in Cedar).
      for (const Value& e : b.as_set()) WRIT_RETURN_IF_ERROR(ExpectKind(e, Value::Kind::kEntity));
      for (const Value& e : b.as_set()) {
        if (InEntity(a.as_entity(), e.as_entity())) return Value::Bool(true);
      }
      return Value::Bool(false);
    }
    case BinaryOp::kContains: {
      WRIT_RETURN_IF_ERROR(ExpectKind(a, Value::Kind::kSet));
      const Value::Set& s = a.as_set();
      return Value::Bool(std::binary_search(s.begin(), s.end(), b));
    }
    case BinaryOp::kContainsAll:
    case BinaryOp::kContainsAny: {
      WRIT_RETURN_IF_ERROR(ExpectKind(a, Value::Kind::kSet));
      WRIT_RETURN_IF_ERROR(ExpectKind(b, Value::Kind::kSet));
      const Value::Set& s = a.as_set();
      bool all = true, any = false;
      for (const Value& x : b.as_set()) {
        bool found = std::binary_search(s.begin(), s.end(), x);
        all = all && found;
        any = any || found;
      }
      return Value::Bool(expr.binary_op == BinaryOp::kContainsAll ? all : any);
    }
    case BinaryOp::kGetTag:
    case BinaryOp::kHasTag: {
      WRIT_RETURN_IF_ERROR(ExpectKind(a, Value::Kind::kEntity));
      WRIT_RETURN_IF_ERROR(ExpectKind(b, Value::Kind::kString));
      const Entity* e = entities_.Find(a.as_entity());
      if (expr.binary_op == BinaryOp::kHasTag) {
        return Value::Bool(e != nullptr && e->tags.contains(b.as_string()));
      }
      if (e == nullptr) {
        return EntityMissing(a.as_entity());
      }
      auto it = e->tags.find(b.as_string());
      if (it == e->tags.end()) {
        return TagMissing(a.as_entity(), b.as_string());
      }
      return it->second;
    }
  }
  return absl::InternalError("unknown binary operator");
}

bool Evaluator::ScopeHolds(const ScopeConstraint& scope, const EntityUid& uid) const {
  // Templates are never evaluated, so a scope here always names its entity.
  switch (scope.kind) {
    case ScopeConstraint::Kind::kAny: return true;
    case ScopeConstraint::Kind::kEq: return scope.entity && uid == *scope.entity;
    case ScopeConstraint::Kind::kIn: return scope.entity && InEntity(uid, *scope.entity);
    case ScopeConstraint::Kind::kIs: return uid.type == scope.entity_type;
    case ScopeConstraint::Kind::kIsIn:
      return uid.type == scope.entity_type && scope.entity && InEntity(uid, *scope.entity);
  }
  return false;
}

absl::StatusOr<bool> Evaluator::Satisfied(const Policy& policy) const {
  if (!ScopeMatches(policy)) return false;
  return ConditionsHold(policy);
}

bool Evaluator::ScopeMatches(const Policy& policy) const {
  if (!ScopeHolds(policy.principal, request_.principal)) return false;
  const ActionConstraint& action = policy.action;
  switch (action.kind) {
    case ActionConstraint::Kind::kAny: break;
    case ActionConstraint::Kind::kEq:
      if (request_.action != action.entities.front()) return false;
      break;
    case ActionConstraint::Kind::kIn:
    case ActionConstraint::Kind::kInList: {
      bool in = false;
      for (const EntityUid& a : action.entities) in = in || InEntity(request_.action, a);
      if (!in) return false;
      break;
    }
  }
  return ScopeHolds(policy.resource, request_.resource);
}

absl::StatusOr<bool> Evaluator::ConditionsHold(const Policy& policy) const {
  for (const Condition& c : policy.conditions) {
    WRIT_ASSIGN_OR_RETURN(bool v, EvalBool(*c.expr));
    if (v != c.is_when) return false;
  }
  return true;
}

}  // namespace writ::internal
