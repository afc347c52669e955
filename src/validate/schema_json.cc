// Validate: the parser of Cedar's JSON schema form into SchemaSyntax, over
// the located JSON tree (src/base/json_reader.h). Like Cedar, it denies
// unknown fields; every mistake is located at its key or value.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/base/json_reader.h"
#include "src/base/suggest.h"
#include "src/validate/schema_parse.h"
#include "writ/limits.h"

namespace writ::internal {
namespace {

using Kind = JsonNode::Kind;

// Whether `s` is a path of identifiers `A::B::C` (reserved words excluded).
bool IsPath(std::string_view s) {
  std::size_t start = 0;
  for (;;) {
    std::size_t end = s.find("::", start);
    std::string_view part = s.substr(start, end == std::string_view::npos ? end : end - start);
    if (!IsSchemaIdent(part)) return false;
    if (end == std::string_view::npos) return true;
    start = end + 2;
  }
}

// An annotation's name: any identifier, reserved words included.
bool IsAnyIdent(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

class JsonSchemaParser {
 public:
  JsonSchemaParser(const SourceFile& file, std::vector<Issue>* issues)
      : file_(file), issues_(issues) {}

  std::optional<SchemaSyntax> Parse() {
    std::vector<Issue> read_issues;
    std::optional<JsonNode> root = ReadJson(file_, &read_issues);
    issues_->insert(issues_->end(), read_issues.begin(), read_issues.end());
    if (!root) return std::nullopt;
    SchemaSyntax schema;
    schema.format = SchemaFormat::kJson;
    if (!IsKind(*root, Kind::kObject, "a schema (an object of namespaces)")) return std::nullopt;
    for (std::size_t i = 0; i < root->keys.size(); ++i) {
      SyntaxNamespace ns;
      ns.name = {root->keys[i], root->key_spans[i]};
      if (!ns.name.text.empty() && !IsPath(ns.name.text)) {
        Error(root->key_spans[i], absl::StrCat("`", ns.name.text, "` is not a valid namespace name"),
              "a namespace is identifiers joined by `::`, or \"\" for the empty namespace");
      }
      ns.block = !ns.name.text.empty();
      ns.span = root->items[i].span;
      ReadNamespace(root->items[i], &ns);
      schema.namespaces.push_back(std::move(ns));
    }
    if (errors_) return std::nullopt;
    return schema;
  }

 private:
  void Error(Span span, std::string message, std::string hint = {}) {
    errors_ = true;
    AddSchemaIssue(file_, span, std::move(message), Severity::kError, std::move(hint), issues_);
  }

  bool IsKind(const JsonNode& node, Kind kind, std::string_view what) {
    if (node.kind == kind) return true;
    Error(node.span, absl::StrCat("expected ", std::string(what), ", found ",
                                  std::string(JsonKindName(node.kind))));
    return false;
  }

  // Unknown members are errors, as in Cedar (deny_unknown_fields).
  void CheckFields(const JsonNode& obj, std::initializer_list<std::string_view> allowed,
                   std::string_view where) {
    std::vector<std::string_view> names(allowed.begin(), allowed.end());
    for (std::size_t i = 0; i < obj.keys.size(); ++i) {
      bool known = false;
      for (std::string_view a : allowed) known = known || obj.keys[i] == a;
      if (known) continue;
      std::string hint = SuggestSchemaName(obj.keys[i], names);
      if (hint.empty()) {
        hint = "expected one of:";
        for (std::string_view a : allowed) absl::StrAppend(&hint, " `", std::string(a), "`");
      }
      Error(obj.key_spans[i],
            absl::StrCat("unknown field `", obj.keys[i], "` in ", std::string(where)),
            std::move(hint));
    }
  }

  const JsonNode* Required(const JsonNode& obj, std::string_view key, std::string_view where) {
    const JsonNode* n = obj.Find(key);
    if (n == nullptr) {
      Error(obj.span, absl::StrCat("missing field `", std::string(key), "` in ",
                                   std::string(where)));
    }
    return n;
  }

  void ReadAnnotations(const JsonNode* node, std::vector<SyntaxAnnotation>* out) {
    if (node == nullptr || !IsKind(*node, Kind::kObject, "an object of annotations")) return;
    for (std::size_t i = 0; i < node->keys.size(); ++i) {
      if (!IsAnyIdent(node->keys[i])) {
        Error(node->key_spans[i],
              absl::StrCat("`", node->keys[i], "` is not a valid annotation name"));
        continue;
      }
      SyntaxAnnotation a;
      a.key = node->keys[i];
      a.span = node->key_spans[i];
      const JsonNode& v = node->items[i];
      if (v.kind == Kind::kString) {
        a.value = v.string;
      } else if (v.kind != Kind::kNull) {
        IsKind(v, Kind::kString, "a string as the annotation's value");
        continue;
      }
      out->push_back(std::move(a));
    }
  }

  void ReadNamespace(const JsonNode& node, SyntaxNamespace* ns) {
    if (!IsKind(node, Kind::kObject, "a namespace (an object)")) return;
    CheckFields(node, {"commonTypes", "entityTypes", "actions", "annotations"}, "a namespace");
    ReadAnnotations(node.Find("annotations"), &ns->annotations);
    if (ns->name.text.empty() && !ns->annotations.empty()) {
      Error(ns->annotations.front().span, "annotations are not allowed on the empty namespace");
    }
    if (const JsonNode* common = node.Find("commonTypes")) {
      if (IsKind(*common, Kind::kObject, "an object of common types")) {
        for (std::size_t i = 0; i < common->keys.size(); ++i) {
          SyntaxCommonType t;
          t.name = {common->keys[i], common->key_spans[i]};
          t.span = common->items[i].span;
          if (!IsSchemaIdent(t.name.text)) {
            Error(t.name.span, absl::StrCat("`", t.name.text, "` is not a valid common type name"));
          }
          ReadType(common->items[i], &t.type, 1, {"annotations"}, "a common type");
          ReadAnnotations(common->items[i].kind == Kind::kObject ? common->items[i].Find("annotations")
                                                                 : nullptr,
                          &t.annotations);
          ns->decls.push_back(std::move(t));
        }
      }
    }
    if (const JsonNode* entities = Required(node, "entityTypes", "a namespace")) {
      if (IsKind(*entities, Kind::kObject, "an object of entity types")) {
        for (std::size_t i = 0; i < entities->keys.size(); ++i) {
          ReadEntity(entities->keys[i], entities->key_spans[i], entities->items[i], ns);
        }
      }
    }
    if (const JsonNode* actions = Required(node, "actions", "a namespace")) {
      if (IsKind(*actions, Kind::kObject, "an object of actions")) {
        for (std::size_t i = 0; i < actions->keys.size(); ++i) {
          ReadAction(actions->keys[i], actions->key_spans[i], actions->items[i], ns);
        }
      }
    }
  }

  void ReadEntity(const std::string& name, Span name_span, const JsonNode& node,
                  SyntaxNamespace* ns) {
    SyntaxEntity e;
    e.names.push_back({name, name_span});
    e.span = node.span;
    if (!IsSchemaIdent(name)) {
      Error(name_span, absl::StrCat("`", name, "` is not a valid entity type name"));
    }
    if (!IsKind(node, Kind::kObject, "an entity type (an object)")) return;
    CheckFields(node, {"memberOfTypes", "shape", "tags", "enum", "annotations"}, "an entity type");
    ReadAnnotations(node.Find("annotations"), &e.annotations);
    if (const JsonNode* en = node.Find("enum")) {
      for (std::string_view other : {"memberOfTypes", "shape", "tags"}) {
        for (std::size_t i = 0; i < node.keys.size(); ++i) {
          if (node.keys[i] == other) {
            Error(node.key_spans[i], absl::StrCat("an enumerated entity type cannot have `",
                                                  std::string(other), "`"));
          }
        }
      }
      if (IsKind(*en, Kind::kArray, "an array of entity ids")) {
        std::vector<SyntaxName> ids;
        for (const JsonNode& id : en->items) {
          if (IsKind(id, Kind::kString, "an entity id (a string)")) ids.push_back({id.string, id.span});
        }
        if (en->items.empty()) Error(en->span, "an enumerated entity type needs at least one id");
        e.enum_ids = std::move(ids);
      }
    }
    if (const JsonNode* m = node.Find("memberOfTypes")) ReadTypeNames(*m, &e.member_of);
    if (const JsonNode* shape = node.Find("shape")) {
      e.shape.emplace();
      ReadType(*shape, &*e.shape, 1, {}, "a type");
    }
    if (const JsonNode* tags = node.Find("tags")) {
      e.tags.emplace();
      ReadType(*tags, &*e.tags, 1, {}, "a type");
    }
    ns->decls.push_back(std::move(e));
  }

  void ReadTypeNames(const JsonNode& node, std::vector<SyntaxName>* out) {
    if (!IsKind(node, Kind::kArray, "an array of entity type names")) return;
    for (const JsonNode& n : node.items) {
      if (!IsKind(n, Kind::kString, "an entity type name (a string)")) continue;
      if (!IsPath(n.string)) {
        Error(n.span, absl::StrCat("`", n.string, "` is not a valid entity type name"));
        continue;
      }
      out->push_back({n.string, n.span});
    }
  }

  void ReadAction(const std::string& name, Span name_span, const JsonNode& node,
                  SyntaxNamespace* ns) {
    SyntaxAction a;
    a.names.push_back({name, name_span});
    a.span = node.span;
    if (!IsKind(node, Kind::kObject, "an action (an object)")) return;
    CheckFields(node, {"appliesTo", "memberOf", "annotations", "attributes"}, "an action");
    ReadAnnotations(node.Find("annotations"), &a.annotations);
    for (std::size_t i = 0; i < node.keys.size(); ++i) {
      if (node.keys[i] == "attributes") {
        Error(node.key_spans[i], "action attributes are not supported",
              "Cedar no longer reads them; remove `attributes`");
      }
    }
    if (const JsonNode* m = node.Find("memberOf")) {
      a.member_of.emplace();
      if (IsKind(*m, Kind::kArray, "an array of action groups")) {
        for (const JsonNode& ref : m->items) {
          if (!IsKind(ref, Kind::kObject, "an action group ({\"id\": ..., \"type\": ...})")) continue;
          CheckFields(ref, {"id", "type"}, "an action group reference");
          SyntaxActionRef r;
          r.span = ref.span;
          const JsonNode* id = Required(ref, "id", "an action group reference");
          if (id == nullptr || !IsKind(*id, Kind::kString, "a string")) continue;
          r.id = {id->string, id->span};
          if (const JsonNode* type = ref.Find("type")) {
            if (!IsKind(*type, Kind::kString, "a string")) continue;
            if (!IsPath(type->string)) {
              Error(type->span, absl::StrCat("`", type->string, "` is not a valid action type"));
              continue;
            }
            r.type = SyntaxName{type->string, type->span};
          }
          a.member_of->push_back(std::move(r));
        }
      }
    }
    if (const JsonNode* at = node.Find("appliesTo")) {
      a.applies_to = true;
      a.applies_to_span = at->span;
      if (IsKind(*at, Kind::kObject, "an object")) {
        CheckFields(*at, {"principalTypes", "resourceTypes", "context"}, "`appliesTo`");
        if (const JsonNode* p = Required(*at, "principalTypes", "`appliesTo`")) {
          a.principals.emplace();
          ReadTypeNames(*p, &*a.principals);
        }
        if (const JsonNode* r = Required(*at, "resourceTypes", "`appliesTo`")) {
          a.resources.emplace();
          ReadTypeNames(*r, &*a.resources);
        }
        if (const JsonNode* c = at->Find("context")) {
          a.context.emplace();
          ReadType(*c, &*a.context, 1, {}, "a type");
        }
      }
    }
    ns->decls.push_back(std::move(a));
  }

  // A type object; `extra` are the members its holder adds (an attribute's
  // "required" and "annotations").
  void ReadType(const JsonNode& node, SyntaxType* out, int depth,
                std::initializer_list<std::string_view> extra, std::string_view what) {
    out->span = node.span;
    if (depth > kMaxSchemaDepth) {
      Error(node.span, absl::StrCat("types nested more than ", kMaxSchemaDepth, " deep"),
            "records and sets may nest at most kMaxSchemaDepth levels");
      return;
    }
    if (!IsKind(node, Kind::kObject, absl::StrCat(std::string(what), " (an object with \"type\")")))
      return;
    const JsonNode* type = Required(node, "type", "a type");
    if (type == nullptr || !IsKind(*type, Kind::kString, "a string")) return;
    const std::string& t = type->string;
    auto fields = [&](std::initializer_list<std::string_view> own) {
      std::vector<std::string_view> all(own.begin(), own.end());
      all.insert(all.end(), extra.begin(), extra.end());
      all.push_back("type");
      std::vector<std::string_view> names = all;
      for (std::size_t i = 0; i < node.keys.size(); ++i) {
        bool known = false;
        for (std::string_view a : all) known = known || node.keys[i] == a;
        if (known) continue;
        std::string hint = SuggestSchemaName(node.keys[i], names);
        Error(node.key_spans[i],
              absl::StrCat("unknown field `", node.keys[i], "` in a type `", t, "`"),
              std::move(hint));
      }
    };
    if (t == "Long" || t == "String" || t == "Boolean") {
      fields({});
      out->kind = t == "Long" ? SyntaxType::Kind::kLong
                  : t == "String" ? SyntaxType::Kind::kString
                                  : SyntaxType::Kind::kBool;
    } else if (t == "Set") {
      fields({"element"});
      out->kind = SyntaxType::Kind::kSet;
      out->element.emplace_back();
      if (const JsonNode* e = Required(node, "element", "a type `Set`")) {
        ReadType(*e, &out->element.back(), depth + 1, {}, "a type");
      }
    } else if (t == "Record") {
      fields({"attributes", "additionalAttributes"});
      out->kind = SyntaxType::Kind::kRecord;
      if (const JsonNode* open = node.Find("additionalAttributes")) {
        if (IsKind(*open, Kind::kBool, "a boolean")) out->additional_attributes = open->boolean;
        if (out->additional_attributes) {
          Error(open->span, "`additionalAttributes: true` is not supported",
                "Cedar reads it only with its experimental partial validation; every "
                "attribute must be declared");
        }
      }
      const JsonNode* attrs = Required(node, "attributes", "a type `Record`");
      if (attrs == nullptr || !IsKind(*attrs, Kind::kObject, "an object of attributes")) return;
      for (std::size_t i = 0; i < attrs->keys.size(); ++i) {
        SyntaxAttr a;
        a.name = {attrs->keys[i], attrs->key_spans[i]};
        const JsonNode& v = attrs->items[i];
        ReadType(v, &a.type, depth + 1, {"required", "annotations"}, "an attribute's type");
        if (v.kind == Kind::kObject) {
          if (const JsonNode* req = v.Find("required")) {
            if (IsKind(*req, Kind::kBool, "a boolean")) a.required = req->boolean;
          }
          ReadAnnotations(v.Find("annotations"), &a.annotations);
        }
        out->attributes.push_back(std::move(a));
      }
    } else if (t == "Entity" || t == "EntityOrCommon" || t == "Extension") {
      fields({"name"});
      out->kind = SyntaxType::Kind::kRef;
      out->ref = t == "Entity"           ? SyntaxType::Ref::kEntity
                 : t == "EntityOrCommon" ? SyntaxType::Ref::kEntityOrCommon
                                         : SyntaxType::Ref::kExtension;
      const JsonNode* name = Required(node, "name", absl::StrCat("a type `", t, "`"));
      if (name == nullptr || !IsKind(*name, Kind::kString, "a string")) return;
      bool valid = t == "Extension" ? IsSchemaIdent(name->string) || IsPath(name->string)
                                    : IsPath(name->string);
      if (!valid) {
        Error(name->span, absl::StrCat("`", name->string, "` is not a valid type name"));
        return;
      }
      out->name = {name->string, name->span};
    } else {
      // A common type's name.
      fields({});
      if (!IsPath(t)) {
        Error(type->span, absl::StrCat("`", t, "` is not a type"),
              "expected `Long`, `String`, `Boolean`, `Set`, `Record`, `Entity`, `Extension`, "
              "`EntityOrCommon` or a common type's name");
        return;
      }
      out->kind = SyntaxType::Kind::kRef;
      out->ref = SyntaxType::Ref::kCommon;
      out->name = {t, type->span};
    }
  }

  const SourceFile& file_;
  std::vector<Issue>* issues_;
  bool errors_ = false;
};

}  // namespace

std::optional<SchemaSyntax> ParseJsonSchema(const SourceFile& file, std::vector<Issue>* issues) {
  JsonSchemaParser parser(file, issues);
  return parser.Parse();
}

}  // namespace writ::internal
