// Validate: schema resolution — SchemaSyntax (either form) -> SchemaData.
// Collects the declarations of every namespace, resolves each name as Cedar
// does (in namespace N, `T` is N's common type T, N's entity type T, the
// empty namespace's common then entity type T, then a builtin), inlines
// common types (checking cycles and nesting depth), checks every reference,
// and derives the ancestor closures of entity types and actions.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/base/suggest.h"
#include "src/validate/schema_parse.h"
#include "writ/limits.h"

namespace writ::internal {
namespace {

constexpr std::string_view kCedarPrefix = "__cedar::";

std::string Qualify(std::string_view ns, std::string_view name) {
  return ns.empty() ? std::string(name) : absl::StrCat(std::string(ns), "::", std::string(name));
}

bool HasReservedPart(std::string_view path) {
  std::size_t start = 0;
  for (;;) {
    std::size_t end = path.find("::", start);
    std::string_view part = path.substr(start, end == std::string_view::npos ? end : end - start);
    if (part == "__cedar") return true;
    if (end == std::string_view::npos) return false;
    start = end + 2;
  }
}

// Names Cedar keeps from common types: JSON's type keywords.
bool IsReservedCommonTypeName(std::string_view s) {
  return s == "Bool" || s == "Boolean" || s == "Entity" || s == "Extension" || s == "Long" ||
         s == "Record" || s == "Set" || s == "String";
}

bool IsCedarExtensionType(std::string_view s) {
  return s == "ipaddr" || s == "decimal" || s == "datetime" || s == "duration";
}

SchemaTypePtr Leaf(SchemaType::Kind kind, std::string name = {}) {
  auto t = std::make_shared<SchemaType>();
  t->kind = kind;
  t->name = std::move(name);
  return t;
}

// A resolved type and its height (levels of nesting, each reference to a
// common type counted as one).
struct Typed {
  SchemaTypePtr type;
  int height = 0;
};

class Resolver {
 public:
  Resolver(std::shared_ptr<const SchemaSyntax> syntax, const SourceFile& file,
           const SchemaOptions& options, std::vector<Issue>* issues)
      : syntax_(std::move(syntax)), file_(file), options_(options), issues_(issues) {}

  std::shared_ptr<SchemaData> Run() {
    data_ = std::make_shared<SchemaData>();
    auto source = std::make_shared<SchemaSource>();
    source->name = std::string(file_.name());
    source->text = std::string(file_.text());
    data_->sources.push_back(std::move(source));
    data_->syntax = syntax_;

    Collect();
    if (errors_) return nullptr;
    for (auto& [name, common] : commons_) ResolveCommon(name, common, 1, common.decl->name.span);
    ResolveEntities();
    ResolveActions();
    if (errors_) return nullptr;
    CheckActionCycles();
    if (errors_) return nullptr;
    DeriveClosures();
    if (errors_) return nullptr;
    return data_;
  }

 private:
  struct CommonDecl {
    const SyntaxCommonType* decl = nullptr;
    std::string ns;
    enum class State : std::uint8_t { kTodo, kBusy, kDone, kFailed } state = State::kTodo;
    Typed typed;
  };
  struct EntityDecl {
    const SyntaxEntity* decl = nullptr;
    const SyntaxName* name = nullptr;
    std::string ns;
  };
  struct ActionDecl {
    const SyntaxAction* decl = nullptr;
    const SyntaxName* name = nullptr;
    std::string ns;
  };

  void Error(Span span, std::string message, std::string hint = {}) {
    errors_ = true;
    AddSchemaIssue(file_, span, std::move(message), Severity::kError, std::move(hint), issues_);
  }
  void Warn(Span span, std::string message, std::string hint = {}) {
    AddSchemaIssue(file_, span, std::move(message), Severity::kWarning, std::move(hint), issues_);
  }

  bool IsBuiltinName(std::string_view s) const {
    return s == "Bool" || s == "Long" || s == "String" || IsExtensionName(s);
  }
  bool IsExtensionName(std::string_view s) const {
    return IsCedarExtensionType(s) || (!options_.strict && s == "spiffe");
  }

  // ---- declarations -------------------------------------------------------

  void CheckDeclaredName(const SyntaxName& name, std::string_view what) {
    if (HasReservedPart(name.text)) {
      Error(name.span, absl::StrCat("`__cedar` is reserved and cannot name ", std::string(what)));
    }
  }

  void Collect() {
    std::map<std::string, Span, std::less<>> block_namespaces;
    for (const SyntaxNamespace& ns : syntax_->namespaces) {
      const std::string& n = ns.name.text;
      if (!n.empty()) {
        CheckDeclaredName(ns.name, "a namespace");
        auto [it, fresh] = block_namespaces.emplace(n, ns.name.span);
        if (!fresh) {
          Error(ns.name.span, absl::StrCat("namespace `", n, "` is declared twice"),
                "write all of a namespace's declarations in one block");
        }
      }
      for (const SyntaxDecl& decl : ns.decls) {
        if (const auto* c = std::get_if<SyntaxCommonType>(&decl)) {
          CheckDeclaredName(c->name, "a common type");
          if (IsReservedCommonTypeName(c->name.text)) {
            Error(c->name.span,
                  absl::StrCat("`", c->name.text, "` is reserved and cannot name a common type"));
          }
          std::string q = Qualify(n, c->name.text);
          auto [it, fresh] = commons_.try_emplace(q);
          if (!fresh) {
            Error(c->name.span, absl::StrCat("common type `", q, "` is declared twice"));
            continue;
          }
          it->second.decl = c;
          it->second.ns = n;
        } else if (const auto* e = std::get_if<SyntaxEntity>(&decl)) {
          for (const SyntaxName& name : e->names) {
            CheckDeclaredName(name, "an entity type");
            if (name.text == "Action") {
              Error(name.span, "`Action` cannot name an entity type",
                    "`Action` is the type of the actions; declare them with `action`");
            }
            std::string q = Qualify(n, name.text);
            auto [it, fresh] = entities_.try_emplace(q);
            if (!fresh) {
              Error(name.span, absl::StrCat("entity type `", q, "` is declared twice"));
              continue;
            }
            it->second = {e, &name, n};
          }
        } else if (const auto* a = std::get_if<SyntaxAction>(&decl)) {
          for (const SyntaxName& name : a->names) {
            EntityUid uid{Qualify(n, "Action"), name.text};
            auto [it, fresh] = actions_.try_emplace(uid);
            if (!fresh) {
              Error(name.span, absl::StrCat("action `", uid.ToString(), "` is declared twice"));
              continue;
            }
            it->second = {a, &name, n};
          }
        }
      }
    }
    // A declaration in a namespace may not hide one of the empty namespace
    // (Cedar's rule, RFC 70): `A` would then mean two things.
    auto line_of = [&](Span s) { return file_.LineOf(s.begin); };
    auto shadowed = [&](const std::string& q, const std::string& ns, Span span) {
      if (ns.empty()) return;
      std::string base = q.substr(ns.size() + 2);
      const SyntaxName* other = nullptr;
      if (auto it = entities_.find(base); it != entities_.end()) other = it->second.name;
      if (auto it = commons_.find(base); it != commons_.end()) other = &it->second.decl->name;
      if (other == nullptr) return;
      Error(span, absl::StrCat("`", q, "` shadows `", base, "` of the empty namespace"),
            absl::StrCat("`", base, "` is declared on line ", line_of(other->span),
                         "; rename one of them"));
    };
    for (const auto& [q, common] : commons_) shadowed(q, common.ns, common.decl->name.span);
    for (const auto& [q, entity] : entities_) shadowed(q, entity.ns, entity.name->span);
    for (const auto& [uid, action] : actions_) {
      if (action.ns.empty()) continue;
      auto it = actions_.find(EntityUid{"Action", uid.id});
      if (it == actions_.end()) continue;
      Error(action.name->span,
            absl::StrCat("`", uid.ToString(), "` shadows `", it->first.ToString(),
                         "` of the empty namespace"),
            absl::StrCat("`", it->first.ToString(), "` is declared on line ",
                         line_of(it->second.name->span), "; rename one of them"));
    }
    // Cedar's warnings about names that hide others.
    for (const auto& [q, common] : commons_) {
      if (entities_.count(q) != 0) {
        Warn(common.decl->name.span,
             absl::StrCat("common type `", q, "` has the name of an entity type; ",
                          "references to `", common.decl->name.text, "` mean the common type"));
      }
      if (IsBuiltinName(common.decl->name.text)) {
        Warn(common.decl->name.span,
             absl::StrCat("common type `", q, "` shadows the builtin type `",
                          common.decl->name.text, "`"),
             absl::StrCat("write `__cedar::", common.decl->name.text, "` for the builtin"));
      }
    }
    for (const auto& [q, entity] : entities_) {
      if (IsBuiltinName(entity.name->text)) {
        Warn(entity.name->span,
             absl::StrCat("entity type `", q, "` shadows the builtin type `", entity.name->text,
                          "`"),
             absl::StrCat("write `__cedar::", entity.name->text, "` for the builtin"));
      }
    }
  }

  // ---- names --------------------------------------------------------------

  enum class Target : std::uint8_t { kCommon, kEntity, kBuiltin };
  struct Found {
    Target target;
    std::string name;   // qualified; a builtin's own name
  };

  std::optional<Found> Lookup(std::string_view written, SyntaxType::Ref ref,
                              std::string_view ns) const {
    const bool common_ok = ref == SyntaxType::Ref::kEntityOrCommon || ref == SyntaxType::Ref::kCommon;
    const bool entity_ok = ref == SyntaxType::Ref::kEntityOrCommon || ref == SyntaxType::Ref::kEntity;
    if (ref == SyntaxType::Ref::kExtension) {
      std::string_view base = written;
      if (base.substr(0, kCedarPrefix.size()) == kCedarPrefix) base.remove_prefix(kCedarPrefix.size());
      if (IsExtensionName(base)) return Found{Target::kBuiltin, std::string(base)};
      return std::nullopt;
    }
    std::vector<std::string> candidates;
    const bool qualified = written.find("::") != std::string_view::npos;
    if (qualified) {
      candidates.emplace_back(written);
    } else {
      if (!ns.empty()) candidates.push_back(Qualify(ns, written));
      candidates.emplace_back(written);
    }
    for (const std::string& c : candidates) {
      if (common_ok && commons_.count(c) != 0) return Found{Target::kCommon, c};
      if (entity_ok && entities_.count(c) != 0) return Found{Target::kEntity, c};
    }
    if (common_ok) {
      std::string_view base = written;
      if (base.substr(0, kCedarPrefix.size()) == kCedarPrefix) {
        base.remove_prefix(kCedarPrefix.size());
      } else if (qualified) {
        return std::nullopt;
      }
      if (IsBuiltinName(base)) return Found{Target::kBuiltin, std::string(base)};
    }
    return std::nullopt;
  }

  void UnknownType(const SyntaxName& name, SyntaxType::Ref ref, std::string_view ns) {
    // After the first few, no hint (each is a walk of every declaration).
    if (SchemaHintsSpent(*issues_)) {
      return Error(name.span, absl::StrCat("unknown type `", name.text, "`"));
    }
    std::vector<std::string> known;
    const bool common_ok = ref == SyntaxType::Ref::kEntityOrCommon || ref == SyntaxType::Ref::kCommon;
    const bool entity_ok = ref == SyntaxType::Ref::kEntityOrCommon || ref == SyntaxType::Ref::kEntity;
    auto add_visible = [&](const std::string& q) {
      known.push_back(q);
      std::size_t cut = q.rfind("::");
      std::string_view owner = cut == std::string::npos ? std::string_view() : std::string_view(q).substr(0, cut);
      if (owner == ns) known.push_back(q.substr(cut == std::string::npos ? 0 : cut + 2));
    };
    if (common_ok) {
      for (const auto& [q, c] : commons_) add_visible(q);
    }
    if (entity_ok) {
      for (const auto& [q, e] : entities_) add_visible(q);
    }
    if (common_ok || ref == SyntaxType::Ref::kExtension) {
      for (std::string_view b : {"ipaddr", "decimal", "datetime", "duration", "spiffe"}) {
        if (IsExtensionName(b)) known.emplace_back(b);
      }
    }
    if (common_ok) {
      for (std::string_view b : {"Bool", "Long", "String"}) known.emplace_back(b);
    }
    std::vector<std::string_view> views(known.begin(), known.end());
    std::string hint = SuggestSchemaName(name.text, views);
    if (hint.empty() && options_.strict && (name.text == "spiffe" || name.text == "__cedar::spiffe")) {
      hint = "`spiffe` is writ's extension type; --strict accepts only Cedar's types";
    }
    if (hint.empty() && (name.text == "Boolean" || name.text == "Bool")) {
      hint = ref == SyntaxType::Ref::kEntity ? "" : "Cedar's boolean type is `Bool`";
    }
    std::string_view what = ref == SyntaxType::Ref::kEntity     ? "entity type"
                            : ref == SyntaxType::Ref::kCommon    ? "common type"
                            : ref == SyntaxType::Ref::kExtension ? "extension type"
                                                                 : "type";
    Error(name.span, absl::StrCat("unknown ", std::string(what), " `", name.text, "`"), std::move(hint));
  }

  std::optional<std::string> ResolveEntityName(const SyntaxName& name, std::string_view ns) {
    std::optional<Found> f = Lookup(name.text, SyntaxType::Ref::kEntity, ns);
    if (!f) {
      UnknownType(name, SyntaxType::Ref::kEntity, ns);
      return std::nullopt;
    }
    return f->name;
  }

  // ---- types --------------------------------------------------------------

  bool CheckDepth(int depth, Span span) {
    if (depth > kMaxSchemaDepth) {
      Error(span, absl::StrCat("types nested more than ", kMaxSchemaDepth, " deep"),
            "each record, set and reference to a common type is one level");
      return false;
    }
    return true;
  }

  std::optional<Typed> ResolveCommon(const std::string& q, CommonDecl& common, int depth,
                                     Span use) {
    switch (common.state) {
      case CommonDecl::State::kFailed:
        return std::nullopt;
      case CommonDecl::State::kBusy:
        Error(use, absl::StrCat("common type `", q, "` is defined in terms of itself"),
              "common types cannot be recursive");
        return std::nullopt;
      case CommonDecl::State::kDone:
        if (!CheckDepth(depth - 1 + common.typed.height, use)) return std::nullopt;
        return common.typed;
      case CommonDecl::State::kTodo:
        break;
    }
    common.state = CommonDecl::State::kBusy;
    // The reference is one level; its definition is below it.
    std::optional<Typed> t = ResolveType(common.decl->type, common.ns, depth + 1);
    if (!t) {
      // A failure of depth depends on where the type was first used; only a
      // failure inside it taints the common type for good.
      common.state = CommonDecl::State::kFailed;
      return std::nullopt;
    }
    common.typed = {t->type, t->height + 1};
    common.state = CommonDecl::State::kDone;
    if (!CheckDepth(depth - 1 + common.typed.height, use)) return std::nullopt;
    return common.typed;
  }

  std::optional<Typed> ResolveType(const SyntaxType& t, std::string_view ns, int depth) {
    if (!CheckDepth(depth, t.span)) return std::nullopt;
    switch (t.kind) {
      case SyntaxType::Kind::kBool:
        return Typed{Leaf(SchemaType::Kind::kBool), 1};
      case SyntaxType::Kind::kLong:
        return Typed{Leaf(SchemaType::Kind::kLong), 1};
      case SyntaxType::Kind::kString:
        return Typed{Leaf(SchemaType::Kind::kString), 1};
      case SyntaxType::Kind::kSet: {
        if (t.element.size() != 1) return std::nullopt;
        std::optional<Typed> e = ResolveType(t.element.front(), ns, depth + 1);
        if (!e) return std::nullopt;
        auto s = std::make_shared<SchemaType>();
        s->kind = SchemaType::Kind::kSet;
        s->element = e->type;
        return Typed{std::move(s), e->height + 1};
      }
      case SyntaxType::Kind::kRecord: {
        auto r = std::make_shared<SchemaType>();
        r->kind = SchemaType::Kind::kRecord;
        r->open = t.additional_attributes;
        int height = 0;
        bool ok = true;
        for (const SyntaxAttr& a : t.attributes) {
          std::optional<Typed> at = ResolveType(a.type, ns, depth + 1);
          if (!at) {
            ok = false;
            continue;
          }
          height = std::max(height, at->height);
          auto [it, fresh] = r->attributes.try_emplace(a.name.text, AttrType{at->type, a.required});
          if (!fresh) {
            // Cedar accepts this (the last declaration wins); so does writ,
            // with a warning.
            it->second = AttrType{at->type, a.required};
            Warn(a.name.span,
                 absl::StrCat("attribute `", a.name.text, "` is declared twice; the last declaration wins"));
          }
        }
        if (!ok) return std::nullopt;
        return Typed{std::move(r), height + 1};
      }
      case SyntaxType::Kind::kRef: {
        std::optional<Found> f = Lookup(t.name.text, t.ref, ns);
        if (!f) {
          UnknownType(t.name, t.ref, ns);
          return std::nullopt;
        }
        switch (f->target) {
          case Target::kEntity:
            return Typed{Leaf(SchemaType::Kind::kEntity, f->name), 1};
          case Target::kBuiltin:
            if (f->name == "Bool") return Typed{Leaf(SchemaType::Kind::kBool), 1};
            if (f->name == "Long") return Typed{Leaf(SchemaType::Kind::kLong), 1};
            if (f->name == "String") return Typed{Leaf(SchemaType::Kind::kString), 1};
            return Typed{Leaf(SchemaType::Kind::kExtension, f->name), 1};
          case Target::kCommon: {
            auto it = commons_.find(f->name);
            return ResolveCommon(f->name, it->second, depth, t.name.span);
          }
        }
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // A record (written, or a common type that is one); `what` for the message.
  std::optional<SchemaType> ResolveRecord(const SyntaxType& t, std::string_view ns,
                                          std::string_view what) {
    std::optional<Typed> r = ResolveType(t, ns, 1);
    if (!r) return std::nullopt;
    if (r->type->kind != SchemaType::Kind::kRecord) {
      Error(t.span, absl::StrCat(std::string(what), " must be a record type"));
      return std::nullopt;
    }
    return *r->type;
  }

  // ---- entity types and actions ------------------------------------------

  void ResolveEntities() {
    for (const auto& [q, decl] : entities_) {
      const SyntaxEntity& e = *decl.decl;
      EntityTypeDef def;
      def.name = q;
      def.loc = {0, decl.name->span};
      def.shape.kind = SchemaType::Kind::kRecord;
      for (const SyntaxName& p : e.member_of) {
        std::optional<std::string> parent = ResolveEntityName(p, decl.ns);
        if (parent) def.member_of.push_back(*parent);
      }
      if (e.shape) {
        std::optional<SchemaType> shape =
            ResolveRecord(*e.shape, decl.ns, absl::StrCat("the shape of entity type `", q, "`"));
        if (shape) def.shape = std::move(*shape);
      }
      if (e.tags) {
        std::optional<Typed> tags = ResolveType(*e.tags, decl.ns, 1);
        if (tags) def.tags = tags->type;
      }
      if (e.enum_ids) {
        std::vector<std::string> ids;
        std::set<std::string_view> seen;
        for (const SyntaxName& id : *e.enum_ids) {
          // Cedar accepts an id listed twice (the corpus has some).
          if (seen.insert(id.text).second) ids.push_back(id.text);
        }
        def.enum_ids = std::move(ids);
      }
      data_->entity_types.emplace(q, std::move(def));
    }
  }

  void ResolveActions() {
    for (const auto& [uid, decl] : actions_) {
      const SyntaxAction& a = *decl.decl;
      ActionDef def;
      def.uid = uid;
      def.loc = {0, decl.name->span};
      def.applies_to = a.applies_to;
      def.context.kind = SchemaType::Kind::kRecord;
      if (a.member_of) {
        for (const SyntaxActionRef& ref : *a.member_of) {
          EntityUid parent;
          parent.id = ref.id.text;
          if (!ref.type) {
            parent.type = uid.type;
          } else if (ref.type->text.find("::") == std::string::npos) {
            parent.type = Qualify(decl.ns, ref.type->text);
          } else {
            parent.type = ref.type->text;
          }
          if (actions_.count(parent) == 0) {
            if (SchemaHintsSpent(*issues_)) {
              Error(ref.span, absl::StrCat("action group `", parent.ToString(), "` is not declared"));
              continue;
            }
            std::vector<std::string> known;
            for (const auto& [other, d] : actions_) {
              if (other.type == parent.type && other != uid) known.push_back(other.id);
            }
            std::vector<std::string_view> views(known.begin(), known.end());
            std::string hint = SuggestSchemaName(parent.id, views);
            Error(ref.span, absl::StrCat("action group `", parent.ToString(), "` is not declared"),
                  std::move(hint));
            continue;
          }
          def.member_of.push_back(std::move(parent));
        }
      }
      if (a.principals) {
        for (const SyntaxName& p : *a.principals) {
          std::optional<std::string> t = ResolveEntityName(p, decl.ns);
          if (t) def.principal_types.push_back(*t);
        }
      }
      if (a.resources) {
        for (const SyntaxName& p : *a.resources) {
          std::optional<std::string> t = ResolveEntityName(p, decl.ns);
          if (t) def.resource_types.push_back(*t);
        }
      }
      // An `appliesTo` that lists no principal or no resource type applies
      // to nothing, as no `appliesTo` does: one meaning, one representation.
      def.applies_to = a.applies_to && !def.principal_types.empty() && !def.resource_types.empty();
      if (a.context) {
        std::optional<SchemaType> ctx = ResolveRecord(
            *a.context, decl.ns, absl::StrCat("the context of action `", uid.ToString(), "`"));
        if (ctx) def.context = std::move(*ctx);
      }
      data_->actions.emplace(uid, std::move(def));
    }
  }

  // An action group cannot contain itself, directly or not. Iterative DFS:
  // the hierarchy may be long.
  void CheckActionCycles() {
    enum class Color : std::uint8_t { kWhite, kGrey, kBlack };
    std::map<EntityUid, Color> color;
    for (const auto& [uid, def] : data_->actions) color[uid] = Color::kWhite;
    for (const auto& [root, root_def] : data_->actions) {
      if (color[root] != Color::kWhite) continue;
      std::vector<std::pair<const ActionDef*, std::size_t>> stack;
      stack.emplace_back(&root_def, 0);
      color[root] = Color::kGrey;
      while (!stack.empty()) {
        auto& [def, next] = stack.back();
        if (next == def->member_of.size()) {
          color[def->uid] = Color::kBlack;
          stack.pop_back();
          continue;
        }
        const EntityUid& parent = def->member_of[next++];
        Color c = color[parent];
        if (c == Color::kGrey) {
          const ActionDef* in_cycle = def;
          Error(in_cycle->loc.span,
                absl::StrCat("action `", in_cycle->uid.ToString(), "` is in a cycle of action groups (through `",
                             parent.ToString(), "`)"),
                "an action group cannot contain itself, directly or through others");
          return;
        }
        if (c == Color::kWhite) {
          color[parent] = Color::kGrey;
          stack.emplace_back(data_->FindAction(parent), 0);
        }
      }
    }
  }

  // The closures, bounded by kMaxSchemaAncestorPairs: every parent link
  // followed counts (each is a pair inserted or found already), so both the
  // memory and the time stop growing at the bound, whatever the shape.
  void DeriveClosures() {
    std::size_t budget = kMaxSchemaAncestorPairs;
    auto spend = [&](std::size_t n, Span span, const auto& what) {
      if (n <= budget) {
        budget -= n;
        return true;
      }
      Error(span,
            absl::StrCat("the schema's hierarchy is too large: expanding the ancestors of ", what(), " ",
                         "passes ", kMaxSchemaAncestorPairs,
                         " (type, ancestor) pairs in all (writ's kMaxSchemaAncestorPairs)"),
            "long chains of `in` imply an ancestor for every pair of links in the chain; "
            "flatten the hierarchy (each type or action `in` its few real groups)");
      return false;
    };
    for (const auto& [name, def] : data_->entity_types) {
      std::set<std::string>& out = data_->ancestor_types[name];
      std::vector<const std::string*> todo;
      // (Captured by name: Clang 14 cannot capture a structured binding.)
      const auto what = [&, &name = name] { return absl::StrCat("entity type `", name, "`"); };
      if (!spend(def.member_of.size(), def.loc.span, what)) return;
      for (const std::string& p : def.member_of) {
        if (out.insert(p).second) todo.push_back(&p);
      }
      while (!todo.empty()) {
        const EntityTypeDef* parent = data_->FindEntityType(*todo.back());
        todo.pop_back();
        if (parent == nullptr) continue;
        if (!spend(parent->member_of.size(), def.loc.span, what)) return;
        for (const std::string& p : parent->member_of) {
          if (out.insert(p).second) todo.push_back(&p);
        }
      }
    }
    for (const auto& [uid, def] : data_->actions) {
      std::set<EntityUid>& out = data_->action_ancestors[uid];
      std::vector<const EntityUid*> todo;
      const auto what = [&, &uid = uid] { return absl::StrCat("action `", uid.ToString(), "`"); };
      if (!spend(def.member_of.size(), def.loc.span, what)) return;
      for (const EntityUid& p : def.member_of) {
        if (out.insert(p).second) todo.push_back(&p);
      }
      while (!todo.empty()) {
        const ActionDef* parent = data_->FindAction(*todo.back());
        todo.pop_back();
        if (parent == nullptr) continue;
        if (!spend(parent->member_of.size(), def.loc.span, what)) return;
        for (const EntityUid& p : parent->member_of) {
          if (out.insert(p).second) todo.push_back(&p);
        }
      }
    }
  }

  std::shared_ptr<const SchemaSyntax> syntax_;
  const SourceFile& file_;
  const SchemaOptions& options_;
  std::vector<Issue>* issues_;
  bool errors_ = false;
  std::shared_ptr<SchemaData> data_;
  std::map<std::string, CommonDecl, std::less<>> commons_;
  std::map<std::string, EntityDecl, std::less<>> entities_;
  std::map<EntityUid, ActionDecl> actions_;
};

}  // namespace

std::shared_ptr<SchemaData> ResolveSchema(std::shared_ptr<const SchemaSyntax> syntax,
                                          const SourceFile& file, const SchemaOptions& options,
                                          std::vector<Issue>* issues) {
  Resolver resolver(std::move(syntax), file, options, issues);
  return resolver.Run();
}

}  // namespace writ::internal
