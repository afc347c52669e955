// Validate: Cedar's validator in strict mode over one policy. First the
// names the policy uses (entity types, actions, enumerated ids) and its scope
// against the actions' appliesTo; then its scope and conditions are typed, as
// one conjunction, under every request environment of the schema (with the
// `action` variable replaced by the environment's action, and a template's
// slots under every entity type its scope allows). The typing rules are those
// of Cedar's formal model (cedar-spec, Cedar/Validation/Typechecker.lean):
// singleton booleans for short-circuiting, capabilities from `has`/`hasTag`,
// least upper bounds without widening across entity types or record widths.
#include "src/validate/typecheck.h"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/base/suggest.h"
#include "src/ext/extensions.h"

namespace writ::internal {
namespace {

// ---------------------------------------------------------------------------
// The type lattice.

enum class BoolT : std::uint8_t { kAny, kTrue, kFalse };

struct Type;
using TypeP = std::shared_ptr<const Type>;

struct QualType {
  TypeP type;
  bool required = true;
};

struct Type {
  enum class Kind : std::uint8_t { kBool, kLong, kString, kEntity, kSet, kRecord, kExt };
  Kind kind = Kind::kBool;
  BoolT b = BoolT::kAny;   // kBool
  std::string name;        // kEntity: the entity type; kExt: "ipaddr", "decimal", ...
  TypeP elem;              // kSet
  std::map<std::string, QualType, std::less<>> attrs;   // kRecord
  bool open = false;       // kRecord: other attributes may exist
};

TypeP MakeBool(BoolT b) {
  auto t = std::make_shared<Type>();
  t->kind = Type::Kind::kBool;
  t->b = b;
  return t;
}
TypeP MakeSimple(Type::Kind k, std::string name = {}) {
  auto t = std::make_shared<Type>();
  t->kind = k;
  t->name = std::move(name);
  return t;
}
TypeP MakeEntity(std::string name) { return MakeSimple(Type::Kind::kEntity, std::move(name)); }
TypeP MakeSet(TypeP elem) {
  auto t = std::make_shared<Type>();
  t->kind = Type::Kind::kSet;
  t->elem = std::move(elem);
  return t;
}

// The type of a value of extension kind `k` (or of a primitive kind).
TypeP TypeOfKind(Value::Kind k) {
  switch (k) {
    case Value::Kind::kBool: return MakeBool(BoolT::kAny);
    case Value::Kind::kLong: return MakeSimple(Type::Kind::kLong);
    case Value::Kind::kString: return MakeSimple(Type::Kind::kString);
    case Value::Kind::kEntity:
    case Value::Kind::kSet:
    case Value::Kind::kRecord: return nullptr;   // not in an extension signature
    case Value::Kind::kIp:
    case Value::Kind::kDecimal:
    case Value::Kind::kDatetime:
    case Value::Kind::kDuration:
    case Value::Kind::kSpiffe: return MakeSimple(Type::Kind::kExt, std::string(Value::KindName(k)));
  }
  return nullptr;
}

std::string TypeName(const Type& t) {
  switch (t.kind) {
    case Type::Kind::kBool:
      return t.b == BoolT::kTrue ? "__cedar::true" : t.b == BoolT::kFalse ? "__cedar::false" : "Bool";
    case Type::Kind::kLong: return "Long";
    case Type::Kind::kString: return "String";
    case Type::Kind::kEntity: return t.name;
    case Type::Kind::kExt: return t.name;
    case Type::Kind::kSet: return absl::StrCat("Set<", TypeName(*t.elem), ">");
    case Type::Kind::kRecord: {
      std::vector<std::string> parts;
      for (const auto& [k, q] : t.attrs) {
        parts.push_back(absl::StrCat(k, q.required ? ": " : "?: ", TypeName(*q.type)));
      }
      return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
    }
  }
  return "?";
}

bool SameType(const Type& a, const Type& b);

bool SameAttrs(const Type& a, const Type& b) {
  if (a.attrs.size() != b.attrs.size() || a.open != b.open) return false;
  for (auto i = a.attrs.begin(), j = b.attrs.begin(); i != a.attrs.end(); ++i, ++j) {
    if (i->first != j->first || i->second.required != j->second.required) return false;
    if (!SameType(*i->second.type, *j->second.type)) return false;
  }
  return true;
}

bool SameType(const Type& a, const Type& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Type::Kind::kBool: return a.b == b.b;
    case Type::Kind::kLong:
    case Type::Kind::kString: return true;
    case Type::Kind::kEntity:
    case Type::Kind::kExt: return a.name == b.name;
    case Type::Kind::kSet: return SameType(*a.elem, *b.elem);
    case Type::Kind::kRecord: return SameAttrs(a, b);
  }
  return false;
}

// The least upper bound in strict mode, or null: booleans join, sets and
// records join element-wise (records only with the same attributes, each
// required in both or optional in both: {a?: Long} and {a: Long} have no
// bound, as in Cedar), other types only with themselves.
TypeP Lub(const TypeP& a, const TypeP& b) {
  if (a->kind != b->kind) return nullptr;
  switch (a->kind) {
    case Type::Kind::kBool: return a->b == b->b ? a : MakeBool(BoolT::kAny);
    case Type::Kind::kSet: {
      TypeP e = Lub(a->elem, b->elem);
      return e ? MakeSet(std::move(e)) : nullptr;
    }
    case Type::Kind::kRecord: {
      if (a->attrs.size() != b->attrs.size()) return nullptr;
      auto t = std::make_shared<Type>();
      t->kind = Type::Kind::kRecord;
      t->open = a->open || b->open;
      for (auto i = a->attrs.begin(), j = b->attrs.begin(); i != a->attrs.end(); ++i, ++j) {
        if (i->first != j->first || i->second.required != j->second.required) return nullptr;
        TypeP e = Lub(i->second.type, j->second.type);
        if (!e) return nullptr;
        t->attrs.emplace(i->first, QualType{std::move(e), i->second.required});
      }
      return t;
    }
    case Type::Kind::kLong:
    case Type::Kind::kString:
    case Type::Kind::kEntity:
    case Type::Kind::kExt: return SameType(*a, *b) ? a : nullptr;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Capabilities: (expression, attribute or tag) pairs known to be present.

using Caps = std::set<std::pair<std::string, std::string>>;

Caps Union(const Caps& a, const Caps& b) {
  Caps r = a;
  r.insert(b.begin(), b.end());
  return r;
}
Caps Intersect(const Caps& a, const Caps& b) {
  Caps r;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(r, r.begin()));
  return r;
}

// A typing: the type and the capabilities gained when the expression is true.
// When typing failed (the error already reported) `failed` is set, and the
// type is null or, where Cedar recovers one, that type: a failed condition
// can still be known false (`action == Action::"nope"`), which decides
// whether the policy is impossible.
struct TR {
  TypeP type;
  Caps caps;
  bool failed = false;
  explicit operator bool() const { return type != nullptr && !failed; }
};

TR Ok(TypeP t, Caps c = {}) { return TR{std::move(t), std::move(c)}; }
TR Fail() { return TR{nullptr, {}, true}; }
// A failed typing with a recovered type (or a successful one, when !failed).
TR Recover(TypeP t, bool failed = true) { return TR{std::move(t), {}, failed}; }

// ---------------------------------------------------------------------------

struct Env {
  const ActionDef* action = nullptr;
  std::string principal, resource;
  TypeP context;
  std::string principal_slot, resource_slot;   // "" when the policy has no such slot
};

class Checker {
 public:
  Checker(const SchemaData& schema, const Policy& policy, const TypecheckOptions& options,
          std::vector<TypeFinding>* out)
      : s_(schema), p_(policy), options_(options), out_(out) {}

  void Run() {
    CheckNames();
    CheckActionApplication();
    bool all_false = true;
    for (const auto& [uid, action] : s_.actions) {
      if (!action.applies_to) continue;
      for (const std::string& pt : action.principal_types) {
        for (const std::string& rt : action.resource_types) {
          for (const std::string& ps : SlotTypes(p_.principal, pt)) {
            for (const std::string& rs : SlotTypes(p_.resource, rt)) {
              env_ = Env{&action, pt, rt, Convert(action.context), ps, rs};
              key_memo_.clear();
              TR r = TypePolicy();
              if (!r.type || r.type->kind != Type::Kind::kBool || r.type->b != BoolT::kFalse) all_false = false;
            }
          }
        }
      }
    }
    if (all_false) {
      Report("impossible-policy", p_.span,
             "policy is impossible: the policy expression evaluates to false for all valid requests",
             "check the scope against the schema's appliesTo, and the conditions", Severity::kWarning);
    }
  }

 private:
  // -- findings ---------------------------------------------------------------

  void Report(std::string code, Span span, std::string message, std::string hint = {},
              Severity severity = Severity::kError) {
    auto key = std::make_tuple(code, span.begin, span.end, message);
    if (!seen_.insert(key).second) return;
    out_->push_back(TypeFinding{std::move(code), severity, span, std::move(message), std::move(hint)});
  }

  TR Unexpected(const Expr& e, std::string_view expected, const Type& got) {
    Report("unexpected-type", e.span,
           absl::StrCat("unexpected type: expected ", std::string(expected), " but saw `", TypeName(got), "`"));
    return Fail();
  }

  // -- the schema ---------------------------------------------------------------

  TypeP Convert(const SchemaType& st) {
    auto it = memo_.find(&st);
    if (it != memo_.end()) return it->second;
    TypeP t;
    switch (st.kind) {
      case SchemaType::Kind::kBool: t = MakeBool(BoolT::kAny); break;
      case SchemaType::Kind::kLong: t = MakeSimple(Type::Kind::kLong); break;
      case SchemaType::Kind::kString: t = MakeSimple(Type::Kind::kString); break;
      case SchemaType::Kind::kEntity: t = MakeEntity(st.name); break;
      case SchemaType::Kind::kExtension: t = MakeSimple(Type::Kind::kExt, st.name); break;
      case SchemaType::Kind::kSet: t = MakeSet(Convert(*st.element)); break;
      case SchemaType::Kind::kRecord: {
        auto r = std::make_shared<Type>();
        r->kind = Type::Kind::kRecord;
        r->open = st.open;
        for (const auto& [name, at] : st.attributes) r->attrs.emplace(name, QualType{Convert(*at.type), at.required});
        t = r;
        break;
      }
    }
    memo_.emplace(&st, t);
    return t;
  }

  bool IsActionType(std::string_view type) const {
    auto it = s_.actions.lower_bound(EntityUid{std::string(type), ""});
    return it != s_.actions.end() && it->first.type == type;
  }
  bool IsAction(const EntityUid& uid) const { return s_.actions.count(uid) > 0; }

  // ety1 `in` ety2 is possible: the same type, or ety2 among ety1's ancestor types.
  bool TypeDescendentOf(std::string_view t1, std::string_view t2) const {
    if (t1 == t2) return true;
    auto it = s_.ancestor_types.find(t1);
    return it != s_.ancestor_types.end() && it->second.count(std::string(t2)) > 0;
  }
  bool ActionDescendentOf(const EntityUid& a, const EntityUid& b) const {
    if (a == b) return true;
    auto it = s_.action_ancestors.find(a);
    return it != s_.action_ancestors.end() && it->second.count(b) > 0;
  }

  // The entity types a slot in `sc` takes in an environment whose variable has type `var`.
  std::vector<std::string> SlotTypes(const ScopeConstraint& sc, const std::string& var) const {
    if (!sc.slot) return {""};
    if (sc.kind == ScopeConstraint::Kind::kEq) return {var};
    std::vector<std::string> out = {var};
    auto it = s_.ancestor_types.find(var);
    if (it != s_.ancestor_types.end()) {
      for (const std::string& t : it->second) {
        if (t != var) out.push_back(t);
      }
    }
    return out;
  }

  // -- names: entity types, actions, enumerated ids ---------------------------------

  std::vector<std::string_view> EntityTypeNames() const {
    std::vector<std::string_view> names;
    for (const auto& [n, def] : s_.entity_types) names.push_back(n);
    return names;
  }

  void CheckUid(const EntityUid& uid, Span span) {
    if (const EntityTypeDef* def = s_.FindEntityType(uid.type)) {
      if (def->enum_ids && std::find(def->enum_ids->begin(), def->enum_ids->end(), uid.id) == def->enum_ids->end()) {
        std::vector<std::string> quoted;
        for (const std::string& id : *def->enum_ids) quoted.push_back(absl::StrCat("\"", id, "\""));
        Report("invalid-enum-entity", span,
               absl::StrCat("entity `", uid.ToString(), "` is of an enumerated entity type, but `\"", uid.id,
                            "\"` is not declared as an enumerated entity"),
               absl::StrCat("allowed entity ids: ", absl::StrJoin(quoted, ", ")));
      }
      return;
    }
    if (IsAction(uid)) return;
    if (IsActionType(uid.type)) {
      std::vector<std::string> ids;
      for (const auto& [a, def] : s_.actions) {
        if (a.type == uid.type) ids.push_back(a.id);
      }
      std::vector<std::string_view> views(ids.begin(), ids.end());
      std::string hint = Suggest(uid.id, views);
      Report("unrecognized-action", span, absl::StrCat("unrecognized action `", uid.ToString(), "`"), hint);
      return;
    }
    ReportUnknownType(uid.type, span);
  }

  void ReportUnknownType(std::string_view type, Span span) {
    std::vector<std::string_view> names = EntityTypeNames();
    Report("unrecognized-entity-type", span, absl::StrCat("unrecognized entity type `", std::string(type), "`"),
           Suggest(type, names));
  }

  void CheckIsType(std::string_view type, Span span) {
    if (s_.FindEntityType(type) == nullptr) ReportUnknownType(type, span);
  }

  void CheckNamesIn(const Expr& e) {
    if (e.kind == Expr::Kind::kLiteral && e.literal.is(Value::Kind::kEntity)) CheckUid(e.literal.as_entity(), e.span);
    if (e.kind == Expr::Kind::kIs) CheckIsType(e.name, e.span);
    for (const ExprPtr& a : e.args) CheckNamesIn(*a);
  }

  void CheckScopeNames(const ScopeConstraint& sc) {
    if (sc.entity) CheckUid(*sc.entity, sc.span);
    if (sc.kind == ScopeConstraint::Kind::kIs || sc.kind == ScopeConstraint::Kind::kIsIn) {
      CheckIsType(sc.entity_type, sc.span);
    }
  }

  void CheckNames() {
    CheckScopeNames(p_.principal);
    for (const EntityUid& a : p_.action.entities) CheckUid(a, p_.action.span);
    CheckScopeNames(p_.resource);
    for (const Condition& c : p_.conditions) CheckNamesIn(*c.expr);
  }

  // -- the scope against appliesTo ----------------------------------------------

  // The entity types a principal or resource scope admits.
  std::set<std::string> ScopeTypes(const ScopeConstraint& sc) const {
    std::set<std::string> all;
    for (const auto& [n, def] : s_.entity_types) all.insert(n);
    auto types_in = [&](const std::string& target) {
      std::set<std::string> r = {target};
      for (const auto& [t, ancestors] : s_.ancestor_types) {
        if (ancestors.count(target)) r.insert(t);
      }
      return r;
    };
    switch (sc.kind) {
      case ScopeConstraint::Kind::kAny: return all;
      case ScopeConstraint::Kind::kEq:
        if (sc.slot) return all;
        return {sc.entity->type};
      case ScopeConstraint::Kind::kIn:
        if (sc.slot) return all;
        return types_in(sc.entity->type);
      case ScopeConstraint::Kind::kIs:
        if (all.count(sc.entity_type)) return {sc.entity_type};
        return {};
      case ScopeConstraint::Kind::kIsIn:
        if (!all.count(sc.entity_type)) return {};
        if (sc.slot || types_in(sc.entity->type).count(sc.entity_type)) return {sc.entity_type};
        return {};
    }
    return {};
  }

  void CheckActionApplication() {
    std::vector<const ActionDef*> actions;
    const ActionConstraint& ac = p_.action;
    for (const auto& [uid, def] : s_.actions) {
      bool admitted = ac.kind == ActionConstraint::Kind::kAny;
      for (const EntityUid& target : ac.entities) {
        if (ac.kind == ActionConstraint::Kind::kEq ? uid == target : ActionDescendentOf(uid, target)) admitted = true;
      }
      if (admitted) actions.push_back(&def);
    }
    const std::set<std::string> principals = ScopeTypes(p_.principal);
    const std::set<std::string> resources = ScopeTypes(p_.resource);
    auto meets = [](const std::set<std::string>& scope, const std::vector<std::string>& types) {
      for (const std::string& t : types) {
        if (scope.count(t)) return true;
      }
      return false;
    };
    // An unknown action in the scope (reported by CheckNames) leaves none applicable, as Cedar has it.
    bool unknown = false;
    for (const EntityUid& target : ac.entities) unknown = unknown || !IsAction(target);
    for (const ActionDef* a : actions) {
      if (!unknown && meets(principals, a->principal_types) && meets(resources, a->resource_types)) return;
    }
    Report("invalid-action-application", p_.span,
           "unable to find an applicable action given the policy scope constraints",
           "the scope's principal and resource types are in no action's appliesTo",
           options_.action_application_error ? Severity::kError : Severity::kWarning);
  }

  // -- keys of expressions, for capabilities --------------------------------------

  const std::string& Key(const Expr& e) {
    auto it = key_memo_.find(&e);
    if (it != key_memo_.end()) return it->second;
    std::string k;
    if (e.kind == Expr::Kind::kLiteral) {
      k = absl::StrCat("L", e.literal.ToString());
    } else if (e.kind == Expr::Kind::kVar) {
      k = e.var == Var::kAction ? absl::StrCat("L", env_.action->uid.ToString())
                                : absl::StrCat("V", static_cast<int>(e.var));
    } else if (e.kind == Expr::Kind::kSlot) {
      k = absl::StrCat("S", static_cast<int>(e.slot));
    } else {
      k = absl::StrCat("(", static_cast<int>(e.kind), ":", static_cast<int>(e.unary_op), ":",
                       static_cast<int>(e.binary_op), ":", e.name, ":", absl::StrJoin(e.keys, ","));
      for (const PatternElem& pe : e.pattern) absl::StrAppend(&k, pe.wildcard ? "*" : "'", pe.literal);
      for (const ExprPtr& a : e.args) absl::StrAppend(&k, " ", Key(*a));
      k += ")";
    }
    return key_memo_.emplace(&e, std::move(k)).first->second;
  }

  // The entity uid `e` is, when it is an entity literal or the (substituted) action.
  std::optional<EntityUid> UidOf(const Expr& e) const {
    if (e.kind == Expr::Kind::kLiteral && e.literal.is(Value::Kind::kEntity)) return e.literal.as_entity();
    if (e.kind == Expr::Kind::kVar && e.var == Var::kAction) return env_.action->uid;
    return std::nullopt;
  }
  std::optional<Value> LiteralOf(const Expr& e) const {
    if (e.kind == Expr::Kind::kLiteral) return e.literal;
    if (e.kind == Expr::Kind::kVar && e.var == Var::kAction) return Value::Entity(env_.action->uid);
    return std::nullopt;
  }

  // -- typing ---------------------------------------------------------------------

  TypeP EntityLiteralType(const EntityUid& uid) const {
    if (s_.FindEntityType(uid.type) != nullptr || IsAction(uid)) return MakeEntity(uid.type);
    return nullptr;   // reported by CheckNames
  }

  static bool IsBool(const TR& r) { return r.type->kind == Type::Kind::kBool; }

  TR BoolOf(const Expr& e, const Caps& c) {
    TR r = TypeOf(e, c);
    if (!r) return r.type && IsBool(r) ? r : Fail();
    if (!IsBool(r)) return Unexpected(e, "`Bool`", *r.type);
    return r;
  }

  // r1 && r2 (r1 boolean or failed; r2 typed only when r1 may be true, given
  // r1's capabilities, none when r1 failed). A failure on either side fails
  // the conjunction, with the type Cedar's typechecker recovers (a failed
  // operand may still have a type): false when r1 is, or when both have a
  // type and r2 is false; r1's when r2 is true; r2's when r1 is; else a
  // boolean.
  static TR And(const TR& r1, const std::function<TR(const Caps&)>& rhs) {
    if (r1.type && r1.type->b == BoolT::kFalse) return Recover(MakeBool(BoolT::kFalse), r1.failed);
    TR r2 = rhs(r1.failed ? Caps{} : r1.caps);
    if (!r1.type || !r2.type) return Recover(MakeBool(BoolT::kAny));
    const bool failed = r1.failed || r2.failed;
    if (r2.type->b == BoolT::kFalse) return Recover(MakeBool(BoolT::kFalse), failed);
    TypeP type = r2.type->b == BoolT::kTrue   ? r1.type
                 : r1.type->b == BoolT::kTrue ? r2.type
                                              : MakeBool(BoolT::kAny);
    return failed ? Recover(type) : Ok(type, Union(r1.caps, r2.caps));
  }

  // !r: a failed operand with no type still gives a boolean, as in Cedar.
  static TR Not(TR r) {
    if (!r.type) return Recover(MakeBool(BoolT::kAny));
    const BoolT b = r.type->b == BoolT::kTrue ? BoolT::kFalse : r.type->b == BoolT::kFalse ? BoolT::kTrue : BoolT::kAny;
    return Recover(MakeBool(b), r.failed);
  }

  // The policy as Cedar types it: principal && (action && (resource &&
  // (c1 && (c2 && ...)))), each `unless` as a negation. The nesting matters
  // where a part fails (`when { x.nope } when { false }` is not known false).
  TR TypePolicy() { return Conjunction(0, {}); }

  TR Conjunction(std::size_t part, const Caps& c) {
    TR r;
    switch (part) {
      case 0: r = ScopeVar(p_.principal, env_.principal, env_.principal_slot); break;
      case 1: r = ScopeAction(); break;
      case 2: r = ScopeVar(p_.resource, env_.resource, env_.resource_slot); break;
      default: {
        const Condition& cond = p_.conditions[part - 3];
        TR b = BoolOf(*cond.expr, c);
        r = cond.is_when ? b : Not(b);
      }
    }
    if (part + 1 == 3 + p_.conditions.size()) return r;
    return And(r, [&](const Caps& c1) { return Conjunction(part + 1, Union(c, c1)); });
  }

  TR ScopeVar(const ScopeConstraint& sc, const std::string& var, const std::string& slot_type) {
    auto target = [&]() -> TypeP {
      if (sc.slot) return MakeEntity(slot_type);
      return EntityLiteralType(*sc.entity);
    };
    auto in = [&]() -> TR {
      TypeP t = target();
      if (!t) return Fail();
      return Ok(MakeBool(TypeDescendentOf(var, t->name) ? BoolT::kAny : BoolT::kFalse));
    };
    switch (sc.kind) {
      case ScopeConstraint::Kind::kAny: return Ok(MakeBool(BoolT::kTrue));
      case ScopeConstraint::Kind::kEq: {
        TypeP t = target();
        if (!t) return Fail();
        return Ok(MakeBool(t->name == var ? BoolT::kAny : BoolT::kFalse));
      }
      case ScopeConstraint::Kind::kIn: return in();
      case ScopeConstraint::Kind::kIs: return Ok(MakeBool(sc.entity_type == var ? BoolT::kTrue : BoolT::kFalse));
      case ScopeConstraint::Kind::kIsIn:
        return And(Ok(MakeBool(sc.entity_type == var ? BoolT::kTrue : BoolT::kFalse)),
                   [&](const Caps&) { return in(); });
    }
    return Fail();
  }

  TR ScopeAction() {
    const ActionConstraint& ac = p_.action;
    const EntityUid& a = env_.action->uid;
    switch (ac.kind) {
      case ActionConstraint::Kind::kAny: return Ok(MakeBool(BoolT::kTrue));
      // An unknown action (reported by CheckNames) is no environment's action.
      case ActionConstraint::Kind::kEq:
        return Recover(MakeBool(a == ac.entities[0] ? BoolT::kTrue : BoolT::kFalse),
                       !EntityLiteralType(ac.entities[0]));
      case ActionConstraint::Kind::kIn:   // (Cedar recovers no type here)
        if (!EntityLiteralType(ac.entities[0])) return Fail();
        return Ok(MakeBool(ActionDescendentOf(a, ac.entities[0]) ? BoolT::kTrue : BoolT::kFalse));
      case ActionConstraint::Kind::kInList: {
        if (ac.entities.empty()) {
          Report("empty-set-forbidden", ac.span, "empty set literals are forbidden in policies");
          return Fail();
        }
        TypeP lub;
        bool any = false;
        for (const EntityUid& e : ac.entities) {
          TypeP t = EntityLiteralType(e);
          if (!t) return Fail();
          if (lub && !Lub(lub, t)) {
            Report("incompatible-types", ac.span,
                   absl::StrCat("the elements of a set literal have incompatible types `", TypeName(*lub), "` and `",
                                TypeName(*t), "`"));
            return Fail();
          }
          lub = t;
          if (ActionDescendentOf(a, e)) any = true;
        }
        return Ok(MakeBool(any ? BoolT::kTrue : BoolT::kFalse));
      }
    }
    return Fail();
  }

  TR TypeOf(const Expr& e, const Caps& c) {
    switch (e.kind) {
      case Expr::Kind::kLiteral: {
        const Value& v = e.literal;
        switch (v.kind()) {
          case Value::Kind::kBool: return Ok(MakeBool(v.as_bool() ? BoolT::kTrue : BoolT::kFalse));
          case Value::Kind::kLong: return Ok(MakeSimple(Type::Kind::kLong));
          case Value::Kind::kString: return Ok(MakeSimple(Type::Kind::kString));
          case Value::Kind::kEntity: {
            TypeP t = EntityLiteralType(v.as_entity());
            return t ? Ok(t) : Fail();
          }
          case Value::Kind::kSet:
          case Value::Kind::kRecord:
          case Value::Kind::kIp:
          case Value::Kind::kDecimal:
          case Value::Kind::kDatetime:
          case Value::Kind::kDuration:
          case Value::Kind::kSpiffe: {
            // The parser writes only primitives as literals; an extension value typed anyway.
            TypeP t = TypeOfKind(v.kind());
            return t ? Ok(t) : Fail();
          }
        }
        return Fail();
      }
      case Expr::Kind::kVar:
        switch (e.var) {
          case Var::kPrincipal: return Ok(MakeEntity(env_.principal));
          case Var::kAction: return Ok(MakeEntity(env_.action->uid.type));
          case Var::kResource: return Ok(MakeEntity(env_.resource));
          case Var::kContext: return Ok(env_.context);
        }
        return Fail();
      case Expr::Kind::kSlot: {
        const std::string& t = e.slot == SlotKind::kPrincipal ? env_.principal_slot : env_.resource_slot;
        return t.empty() ? Fail() : Ok(MakeEntity(t));
      }
      case Expr::Kind::kIf: return TypeIf(e, c);
      case Expr::Kind::kAnd: {
        // A failed left operand: the right one's mistakes are reported too, as Cedar does.
        TR r1 = BoolOf(*e.args[0], c);
        return And(r1, [&](const Caps& c1) { return BoolOf(*e.args[1], Union(c, c1)); });
      }
      case Expr::Kind::kOr: return TypeOr(e, c);
      case Expr::Kind::kUnary: return TypeUnary(e, c);
      case Expr::Kind::kBinary: return TypeBinary(e, c);
      case Expr::Kind::kGetAttr:
      case Expr::Kind::kHasAttr: return TypeAttr(e, c);
      case Expr::Kind::kLike:
      case Expr::Kind::kMatches: {
        if (e.kind == Expr::Kind::kMatches && options_.strict) {
          Report("undefined-function", e.span, "`matches` is a writ extension, not a Cedar method");
          return Fail();
        }
        // A boolean even when it fails, as in Cedar.
        TR r = TypeOf(*e.args[0], c);
        if (!r.type) return Recover(MakeBool(BoolT::kAny));
        const bool string = r.type->kind == Type::Kind::kString;
        if (!string && !r.failed) Unexpected(*e.args[0], "`String`", *r.type);
        return Recover(MakeBool(BoolT::kAny), r.failed || !string);
      }
      case Expr::Kind::kIs: {
        TR r = TypeOf(*e.args[0], c);
        if (!r.type) return Recover(MakeBool(BoolT::kAny));
        if (r.type->kind != Type::Kind::kEntity) {
          if (!r.failed) Unexpected(*e.args[0], "an entity", *r.type);
          return Recover(MakeBool(BoolT::kAny));
        }
        return Recover(MakeBool(r.type->name == e.name ? BoolT::kTrue : BoolT::kFalse), r.failed);
      }
      case Expr::Kind::kSet: {
        if (e.args.empty()) {
          Report("empty-set-forbidden", e.span, "empty set literals are forbidden in policies",
                 "an empty set has no element type to check against");
          return Fail();
        }
        std::vector<TypeP> types;
        bool failed = false;
        for (const ExprPtr& a : e.args) {
          TR r = TypeOf(*a, c);
          if (!r) failed = true;
          else types.push_back(r.type);
        }
        if (failed) return Fail();
        TypeP lub = types[0];
        for (std::size_t i = 1; i < types.size(); ++i) {
          TypeP next = Lub(lub, types[i]);
          if (!next) {
            Report("incompatible-types", e.span,
                   absl::StrCat("the elements of a set literal have incompatible types `", TypeName(*lub), "` and `",
                                TypeName(*types[i]), "`"),
                   "every element of a set must have the same type");
            return Fail();
          }
          lub = next;
        }
        return Ok(MakeSet(lub));
      }
      case Expr::Kind::kRecord: {
        auto t = std::make_shared<Type>();
        t->kind = Type::Kind::kRecord;
        bool failed = false;
        for (std::size_t i = 0; i < e.args.size(); ++i) {
          TR r = TypeOf(*e.args[i], c);
          if (!r) failed = true;
          else t->attrs.emplace(e.keys[i], QualType{r.type, true});
        }
        return failed ? Fail() : Ok(t);
      }
      case Expr::Kind::kExtCall: return TypeCall(e, c);
    }
    return Fail();
  }

  TR TypeIf(const Expr& e, const Caps& c) {
    TR r1 = BoolOf(*e.args[0], c);
    // A failed test: both branches are still checked and joined, as Cedar does.
    if (!r1.type) r1 = Recover(MakeBool(BoolT::kAny));
    TR out = TypeIfBranches(e, c, r1);
    if (r1.failed && out.type) out = Recover(out.type);
    return out;
  }

  TR TypeIfBranches(const Expr& e, const Caps& c, const TR& r1) {
    switch (r1.type->b) {
      case BoolT::kTrue: {
        TR r2 = TypeOf(*e.args[1], Union(c, r1.caps));
        if (r2.failed) return r2.type ? Recover(r2.type) : Fail();
        return Ok(r2.type, Union(r1.caps, r2.caps));
      }
      case BoolT::kFalse: return TypeOf(*e.args[2], c);
      case BoolT::kAny: {
        TR r2 = TypeOf(*e.args[1], Union(c, r1.caps));
        TR r3 = TypeOf(*e.args[2], c);
        if (!r2.type || !r3.type) return Fail();
        TypeP lub = Lub(r2.type, r3.type);
        if (!lub) {
          Report("incompatible-types", e.span,
                 absl::StrCat("the branches of an `if` have incompatible types `", TypeName(*r2.type), "` and `",
                              TypeName(*r3.type), "`"),
                 "both branches must have the same type");
          return Fail();
        }
        if (r2.failed || r3.failed) return Recover(lub);
        return Ok(lub, Intersect(Union(r1.caps, r2.caps), r3.caps));
      }
    }
    return Fail();
  }

  // r1 || r2 with the types Cedar's typechecker gives, failed operands too.
  TR TypeOr(const Expr& e, const Caps& c) {
    TR r1 = BoolOf(*e.args[0], c);
    if (r1.type && r1.type->b == BoolT::kTrue) return r1.failed ? Recover(r1.type) : r1;
    TR r2 = BoolOf(*e.args[1], c);
    if (!r1.type || !r2.type) return Recover(MakeBool(BoolT::kAny));
    TR out;
    if (r2.type->b == BoolT::kTrue) {
      out = Ok(r2.type, r2.caps);
    } else if (r2.type->b == BoolT::kFalse) {
      out = Ok(r1.type, r1.caps);
    } else if (r1.type->b == BoolT::kFalse) {
      out = Ok(r2.type, r2.caps);
    } else {
      out = Ok(MakeBool(BoolT::kAny), Intersect(r1.caps, r2.caps));
    }
    return r1.failed || r2.failed ? Recover(out.type) : out;
  }

  TR TypeUnary(const Expr& e, const Caps& c) {
    switch (e.unary_op) {
      case UnaryOp::kNot: return Not(BoolOf(*e.args[0], c));
      case UnaryOp::kNeg: {
        TR r = TypeOf(*e.args[0], c);
        if (!r) return Fail();
        if (r.type->kind != Type::Kind::kLong) return Unexpected(*e.args[0], "`Long`", *r.type);
        return Ok(MakeSimple(Type::Kind::kLong));
      }
      case UnaryOp::kIsEmpty: {   // a boolean even when it fails, as in Cedar
        TR r = TypeOf(*e.args[0], c);
        if (!r) return Recover(MakeBool(BoolT::kAny));
        if (r.type->kind != Type::Kind::kSet) Unexpected(*e.args[0], "a set", *r.type);
        return Recover(MakeBool(BoolT::kAny), r.type->kind != Type::Kind::kSet);
      }
    }
    return Fail();
  }

  TR TypeEq(const Expr& e, const TypeP& t1, const TypeP& t2) {
    std::optional<Value> l1 = LiteralOf(*e.args[0]), l2 = LiteralOf(*e.args[1]);
    if (l1 && l2) return Ok(MakeBool(*l1 == *l2 ? BoolT::kTrue : BoolT::kFalse));
    if (Lub(t1, t2)) return Ok(MakeBool(BoolT::kAny));
    if (t1->kind == Type::Kind::kEntity && t2->kind == Type::Kind::kEntity) return Ok(MakeBool(BoolT::kFalse));
    Report("incompatible-types", e.span,
           absl::StrCat("the operands of `", e.binary_op == BinaryOp::kEq ? "==" : "!=",
                        "` have incompatible types `", TypeName(*t1), "` and `", TypeName(*t2), "`"),
           "values of different types are never equal");
    return Fail();
  }

  // A failed operator whose result is a boolean recovers Bool, as Cedar does
  // (so that `a.nope == b && false` is still false).
  TR TypeBinary(const Expr& e, const Caps& c) {
    TR r = TypeBinaryOperands(e, c);
    if (r.type || !r.failed) return r;
    switch (e.binary_op) {
      case BinaryOp::kAdd:
      case BinaryOp::kSub:
      case BinaryOp::kMul:
      case BinaryOp::kGetTag:
      case BinaryOp::kHasTag: return r;
      case BinaryOp::kEq:
      case BinaryOp::kNe:
      case BinaryOp::kLt:
      case BinaryOp::kLe:
      case BinaryOp::kGt:
      case BinaryOp::kGe:
      case BinaryOp::kIn:
      case BinaryOp::kContains:
      case BinaryOp::kContainsAll:
      case BinaryOp::kContainsAny: return Recover(MakeBool(BoolT::kAny));
    }
    return r;
  }

  TR TypeBinaryOperands(const Expr& e, const Caps& c) {
    const Expr& x1 = *e.args[0];
    const Expr& x2 = *e.args[1];
    TR r1 = TypeOf(x1, c);
    TR r2 = TypeOf(x2, c);
    if (!r1 || !r2) {
      // Cedar still decides `==` between two literals (e.g. an unknown action and the request's).
      std::optional<Value> l1 = LiteralOf(x1), l2 = LiteralOf(x2);
      if ((e.binary_op == BinaryOp::kEq || e.binary_op == BinaryOp::kNe) && l1 && l2) {
        return Recover(MakeBool((*l1 == *l2) == (e.binary_op == BinaryOp::kEq) ? BoolT::kTrue : BoolT::kFalse));
      }
      // `hasTag` is typed on its entity's type whatever the tag's, and
      // fails untyped without one.
      if (e.binary_op == BinaryOp::kHasTag && r1.type && r1.type->kind == Type::Kind::kEntity) {
        return HasTagWhateverTheTag(r1.type->name);
      }
      return Fail();
    }
    const Type& t1 = *r1.type;
    const Type& t2 = *r2.type;
    auto any_bool = [] { return Ok(MakeBool(BoolT::kAny)); };
    switch (e.binary_op) {
      case BinaryOp::kEq: return TypeEq(e, r1.type, r2.type);
      case BinaryOp::kNe: return Not(TypeEq(e, r1.type, r2.type));
      case BinaryOp::kLt:
      case BinaryOp::kLe:
      case BinaryOp::kGt:
      case BinaryOp::kGe: {
        auto ordered = [](const Type& t) {
          return t.kind == Type::Kind::kLong ||
                 (t.kind == Type::Kind::kExt && (t.name == "datetime" || t.name == "duration"));
        };
        if (!ordered(t1)) return Unexpected(x1, "`Long`, `datetime` or `duration`", t1);
        if (!SameType(t1, t2)) return Unexpected(x2, absl::StrCat("`", TypeName(t1), "`"), t2);
        return any_bool();
      }
      case BinaryOp::kAdd:
      case BinaryOp::kSub:
      case BinaryOp::kMul:
        if (t1.kind != Type::Kind::kLong) return Unexpected(x1, "`Long`", t1);
        if (t2.kind != Type::Kind::kLong) return Unexpected(x2, "`Long`", t2);
        return Ok(MakeSimple(Type::Kind::kLong));
      case BinaryOp::kIn: {
        if (t1.kind != Type::Kind::kEntity) return Unexpected(x1, "an entity", t1);
        std::optional<EntityUid> a1 = UidOf(x1);
        if (a1 && !IsAction(*a1)) a1.reset();
        if (t2.kind == Type::Kind::kEntity) {
          std::optional<EntityUid> u2 = UidOf(x2);
          if (a1 && u2) return Ok(MakeBool(ActionDescendentOf(*a1, *u2) ? BoolT::kTrue : BoolT::kFalse));
          return Ok(MakeBool(TypeDescendentOf(t1.name, t2.name) ? BoolT::kAny : BoolT::kFalse));
        }
        if (t2.kind == Type::Kind::kSet && t2.elem->kind == Type::Kind::kEntity) {
          if (a1 && x2.kind == Expr::Kind::kSet) {
            std::vector<EntityUid> uids;
            for (const ExprPtr& el : x2.args) {
              if (std::optional<EntityUid> u = UidOf(*el)) uids.push_back(*u);
            }
            if (uids.size() == x2.args.size()) {
              bool any = false;
              for (const EntityUid& u : uids) any = any || ActionDescendentOf(*a1, u);
              return Ok(MakeBool(any ? BoolT::kTrue : BoolT::kFalse));
            }
          }
          return Ok(MakeBool(TypeDescendentOf(t1.name, t2.elem->name) ? BoolT::kAny : BoolT::kFalse));
        }
        return Unexpected(x2, "an entity or a set of entities", t2);
      }
      case BinaryOp::kContains:
        if (t1.kind != Type::Kind::kSet) return Unexpected(x1, "a set", t1);
        if (!Lub(t1.elem, r2.type)) {
          Report("incompatible-types", e.span,
                 absl::StrCat("`contains` on a `", TypeName(t1), "` with an argument of type `", TypeName(t2), "`"),
                 "the argument must have the type of the set's elements");
          return Fail();
        }
        return any_bool();
      case BinaryOp::kContainsAll:
      case BinaryOp::kContainsAny:
        if (t1.kind != Type::Kind::kSet) return Unexpected(x1, "a set", t1);
        if (t2.kind != Type::Kind::kSet) return Unexpected(x2, "a set", t2);
        if (!Lub(t1.elem, t2.elem)) {
          Report("incompatible-types", e.span,
                 absl::StrCat("`", e.binary_op == BinaryOp::kContainsAll ? "containsAll" : "containsAny",
                              "` on sets of incompatible types `", TypeName(t1), "` and `", TypeName(t2), "`"));
          return Fail();
        }
        return any_bool();
      case BinaryOp::kHasTag:
      case BinaryOp::kGetTag: return TypeTag(e, c, t1, t2);
    }
    return Fail();
  }

  // `hasTag` on entity type `type` whose tag did not type: as in Cedar, false
  // on a type without tags (or an action's), else a boolean; failed.
  TR HasTagWhateverTheTag(std::string_view type) const {
    const EntityTypeDef* def = s_.FindEntityType(type);
    return Recover(MakeBool(def == nullptr || !def->tags ? BoolT::kFalse : BoolT::kAny));
  }

  TR TypeTag(const Expr& e, const Caps& c, const Type& t1, const Type& t2) {
    const Expr& x1 = *e.args[0];
    const Expr& x2 = *e.args[1];
    const bool has = e.binary_op == BinaryOp::kHasTag;
    if (t1.kind != Type::Kind::kEntity) return Unexpected(x1, "an entity", t1);
    const EntityTypeDef* def = s_.FindEntityType(t1.name);
    if (t2.kind != Type::Kind::kString) {
      Unexpected(x2, "`String`", t2);
      return has ? HasTagWhateverTheTag(t1.name) : Fail();
    }
    const std::pair<std::string, std::string> cap = {Key(x1), absl::StrCat("T", Key(x2))};
    if (def == nullptr) {
      if (has) return Ok(MakeBool(BoolT::kFalse));   // actions have no tags
      Report("no-tags-allowed", e.span, absl::StrCat("`getTag` on an action: actions have no tags"));
      return Fail();
    }
    if (!def->tags) {
      if (has) return Ok(MakeBool(BoolT::kFalse));
      Report("no-tags-allowed", e.span,
             absl::StrCat("`getTag` on entity type `", t1.name, "`, which declares no tags"));
      return Fail();
    }
    if (has) {
      if (c.count(cap)) return Ok(MakeBool(BoolT::kTrue));
      return Ok(MakeBool(BoolT::kAny), Caps{cap});
    }
    if (!c.count(cap)) {
      Report("unsafe-tag-access", e.span,
             absl::StrCat("unable to guarantee safety of access to tag `", Key(x2).substr(1), "` on entity type `",
                          t1.name, "`"),
             "test for the tag first: `e.hasTag(t) && e.getTag(t)`");
      return Fail();
    }
    return Ok(Convert(*def->tags));
  }

  // e.a and e has a. An operand that failed with a type (an optional
  // attribute read unguarded) is typed on, as Cedar does, and the result
  // marked failed.
  TR TypeAttr(const Expr& e, const Caps& c) {
    TR r = TypeOf(*e.args[0], c);
    if (!r.type) return e.kind == Expr::Kind::kHasAttr ? Recover(MakeBool(BoolT::kAny)) : Fail();
    TR out = TypeAttrOf(e, c, *r.type);
    if (r.failed) out = out.type ? Recover(out.type) : Fail();
    return out;
  }

  TR TypeAttrOf(const Expr& e, const Caps& c, const Type& t) {
    const Expr& x = *e.args[0];
    const bool has = e.kind == Expr::Kind::kHasAttr;
    const Type* rec = nullptr;
    bool known_to_exist = true;
    TypeP shape;
    if (t.kind == Type::Kind::kRecord) {
      rec = &t;
    } else if (t.kind == Type::Kind::kEntity) {
      const EntityTypeDef* def = s_.FindEntityType(t.name);
      if (def == nullptr) {
        if (has) return Ok(MakeBool(BoolT::kFalse));   // actions have no attributes
        Report("unknown-attribute", e.span,
               absl::StrCat("attribute `", e.name, "` on `", t.name, "` not found: actions have no attributes"));
        return Fail();
      }
      shape = Convert(def->shape);
      rec = shape.get();
      known_to_exist = false;
    } else {
      Unexpected(x, "an entity or a record", t);
      return has ? Recover(MakeBool(BoolT::kAny)) : Fail();
    }
    const std::pair<std::string, std::string> cap = {Key(x), absl::StrCat("A", e.name)};
    auto it = rec->attrs.find(e.name);
    const std::string on = t.kind == Type::Kind::kEntity ? absl::StrCat("entity type `", t.name, "`")
                                                         : std::string("a record");
    if (has) {
      if (it == rec->attrs.end()) return Ok(MakeBool(rec->open ? BoolT::kAny : BoolT::kFalse));
      if (c.count(cap) || (it->second.required && known_to_exist)) return Ok(MakeBool(BoolT::kTrue));
      return Ok(MakeBool(BoolT::kAny), Caps{cap});
    }
    if (it == rec->attrs.end()) {
      std::vector<std::string_view> names;
      for (const auto& [n, q] : rec->attrs) names.push_back(n);
      Report("unknown-attribute", e.span, absl::StrCat("attribute `", e.name, "` on ", on, " not found"),
             Suggest(e.name, names));
      return Fail();
    }
    if (!it->second.required && !c.count(cap)) {
      Report("unsafe-optional-attribute-access", e.span,
             absl::StrCat("unable to guarantee safety of access to optional attribute `", e.name, "` on ", on),
             absl::StrCat("test for the attribute first: `... has ", e.name, " && ...`"));
      return Recover(it->second.type);   // as in Cedar: the attribute's type
    }
    return Ok(it->second.type);
  }

  TR TypeCall(const Expr& e, const Caps& c) {
    const ExtFunction* fn = FindExtFunction(e.name, options_.strict);
    if (fn == nullptr) {
      Report("undefined-function", e.span, absl::StrCat("undefined extension function `", e.name, "`"));
      return Fail();
    }
    // A call that fails still has the function's result type, as in Cedar
    // (so `true.isInRange(ip("::1")) && false` is known false).
    auto recover = [&] { return Recover(TypeOfKind(fn->result)); };
    if (e.args.size() != static_cast<std::size_t>(fn->arity)) {
      Report("wrong-number-arguments", e.span,
             absl::StrCat("`", e.name, "` takes ", fn->arity, " argument(s), got ", e.args.size()));
      return recover();
    }
    std::vector<TypeP> types;
    bool failed = false;
    for (const ExprPtr& a : e.args) {
      TR r = TypeOf(*a, c);
      if (!r) failed = true;
      types.push_back(r.type);
    }
    if (failed) return recover();
    if (fn->is_constructor()) {
      const Expr& arg = *e.args[0];
      if (arg.kind != Expr::Kind::kLiteral || !arg.literal.is(Value::Kind::kString)) {
        if (types[0]->kind != Type::Kind::kString) {
          Unexpected(arg, "`String`", *types[0]);
          return recover();
        }
        Report("non-literal-extension-constructor", e.span,
               absl::StrCat("`", e.name, "` must be called with a string literal"),
               "extension constructors are checked when the policy is validated");
        return recover();
      }
      absl::StatusOr<Value> v = CallExtFunction(*fn, absl::Span<const Value>(&arg.literal, 1));
      if (!v.ok()) {
        Report("invalid-extension-argument", arg.span,
               absl::StrCat("invalid argument to `", e.name, "`: ", v.status().message()));
        return recover();
      }
      return Ok(TypeOfKind(fn->result));
    }
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      TypeP want = TypeOfKind(fn->params[i]);
      if (!SameType(*want, *types[i]) && !(want->kind == Type::Kind::kBool && types[i]->kind == Type::Kind::kBool)) {
        Unexpected(*e.args[i], absl::StrCat("`", TypeName(*want), "`"), *types[i]);
        return recover();
      }
    }
    return Ok(TypeOfKind(fn->result));
  }

  const SchemaData& s_;
  const Policy& p_;
  TypecheckOptions options_;
  std::vector<TypeFinding>* out_;
  Env env_;
  std::set<std::tuple<std::string, std::uint32_t, std::uint32_t, std::string>> seen_;
  std::map<const SchemaType*, TypeP> memo_;
  std::map<const Expr*, std::string> key_memo_;
};

}  // namespace

void TypecheckPolicy(const SchemaData& schema, const Policy& policy, const TypecheckOptions& options,
                     std::vector<TypeFinding>* out) {
  Checker(schema, policy, options, out).Run();
}

}  // namespace writ::internal
