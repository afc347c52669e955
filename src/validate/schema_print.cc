// Validate: the schema printers — SchemaSyntax written in Cedar's
// human-readable form and in its JSON form, keeping namespaces, common type
// names and the order of declarations. What one form cannot say is dropped
// with its meaning kept: JSON's `additionalAttributes` has no Cedar
// spelling, and an action whose `appliesTo` lists no principal or no
// resource type is printed without `appliesTo` (both apply to nothing).
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/validate/schema_parse.h"
#include "writ/value.h"

namespace writ::internal {
namespace {

// A JSON string literal (the Cedar form's are writ::QuoteCedarString's, as
// policies write them).
std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          static constexpr char kHex[] = "0123456789abcdef";
          const unsigned v = static_cast<unsigned char>(c);
          out += "\\u00";
          out += kHex[v >> 4];
          out += kHex[v & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

bool AppliesToSomething(const SyntaxAction& a) {
  return a.applies_to && a.principals && !a.principals->empty() && a.resources &&
         !a.resources->empty();
}

// ---- Cedar ------------------------------------------------------------------

class CedarPrinter {
 public:
  explicit CedarPrinter(const SchemaSyntax& syntax) : syntax_(syntax) {
    for (const SyntaxNamespace& ns : syntax.namespaces) {
      for (const SyntaxDecl& d : ns.decls) {
        if (const auto* c = std::get_if<SyntaxCommonType>(&d)) {
          declared_.insert(Qualify(ns.name.text, c->name.text));
        } else if (const auto* e = std::get_if<SyntaxEntity>(&d)) {
          for (const SyntaxName& n : e->names) declared_.insert(Qualify(ns.name.text, n.text));
        }
      }
    }
  }

  std::string Print() {
    bool first = true;
    for (const SyntaxNamespace& ns : syntax_.namespaces) {
      if (ns.name.text.empty() && ns.decls.empty()) continue;   // prints nothing, and needs no blank line
      if (!first) out_ += "\n";
      first = false;
      ns_ = ns.name.text;
      if (!ns.name.text.empty()) {
        Annotations(ns.annotations, 0);
        absl::StrAppend(&out_, "namespace ", ns.name.text, " {\n");
        Decls(ns.decls, 1);
        out_ += "}\n";
      } else {
        Decls(ns.decls, 0);
      }
    }
    return out_;
  }

 private:
  static std::string Qualify(std::string_view ns, std::string_view name) {
    return ns.empty() ? std::string(name) : absl::StrCat(std::string(ns), "::", std::string(name));
  }

  // A builtin's name, with `__cedar::` when a declaration hides it.
  std::string Builtin(std::string_view name) const {
    if (declared_.count(std::string(name)) != 0 || declared_.count(Qualify(ns_, name)) != 0) {
      return absl::StrCat("__cedar::", std::string(name));
    }
    return std::string(name);
  }

  void Indent(int level) { out_.append(static_cast<std::size_t>(level) * 2, ' '); }

  // The record a type is, following references to common types declared in
  // the current or the empty namespace (a bounded number of steps: the
  // resolver has ruled out cycles).
  const SyntaxType* RecordOf(const SyntaxType& t) const {
    const SyntaxType* cur = &t;
    for (int steps = 0; steps < 1024 && cur->kind == SyntaxType::Kind::kRef; ++steps) {
      const SyntaxType* next = nullptr;
      for (const std::string& q : {Qualify(ns_, cur->name.text), cur->name.text}) {
        for (const SyntaxNamespace& ns : syntax_.namespaces) {
          for (const SyntaxDecl& d : ns.decls) {
            const auto* c = std::get_if<SyntaxCommonType>(&d);
            if (c != nullptr && next == nullptr && Qualify(ns.name.text, c->name.text) == q) {
              next = &c->type;
            }
          }
        }
        if (next != nullptr) break;
      }
      if (next == nullptr) return nullptr;
      cur = next;
    }
    return cur->kind == SyntaxType::Kind::kRecord ? cur : nullptr;
  }

  void Annotations(const std::vector<SyntaxAnnotation>& annotations, int level) {
    for (const SyntaxAnnotation& a : annotations) {
      Indent(level);
      absl::StrAppend(&out_, "@", a.key);
      if (a.value) absl::StrAppend(&out_, "(", QuoteCedarString(*a.value), ")");
      out_ += "\n";
    }
  }

  void Decls(const std::vector<SyntaxDecl>& decls, int level) {
    for (const SyntaxDecl& d : decls) {
      if (const auto* c = std::get_if<SyntaxCommonType>(&d)) {
        Annotations(c->annotations, level);
        Indent(level);
        absl::StrAppend(&out_, "type ", c->name.text, " = ");
        Type(c->type, level);
        out_ += ";\n";
      } else if (const auto* e = std::get_if<SyntaxEntity>(&d)) {
        Entity(*e, level);
      } else if (const auto* a = std::get_if<SyntaxAction>(&d)) {
        Action(*a, level);
      }
    }
  }

  void Names(const std::vector<SyntaxName>& names, bool quote) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i > 0) out_ += ", ";
      out_ += quote ? QuoteCedarString(names[i].text) : names[i].text;
    }
  }

  void Entity(const SyntaxEntity& e, int level) {
    Annotations(e.annotations, level);
    Indent(level);
    out_ += "entity ";
    Names(e.names, false);
    if (e.enum_ids) {
      out_ += " enum [";
      Names(*e.enum_ids, true);
      out_ += "];\n";
      return;
    }
    if (!e.member_of.empty()) {
      out_ += " in [";
      Names(e.member_of, false);
      out_ += "]";
    }
    if (e.shape) {
      // Cedar's form writes a shape as a record; a JSON shape naming a common
      // type is written as that type's record.
      const SyntaxType* shape = RecordOf(*e.shape);
      out_ += " = ";
      Type(shape != nullptr ? *shape : *e.shape, level);
    }
    if (e.tags) {
      out_ += " tags ";
      Type(*e.tags, level);
    }
    out_ += ";\n";
  }

  void Action(const SyntaxAction& a, int level) {
    Annotations(a.annotations, level);
    Indent(level);
    out_ += "action ";
    Names(a.names, true);
    if (a.member_of && !a.member_of->empty()) {
      out_ += " in [";
      for (std::size_t i = 0; i < a.member_of->size(); ++i) {
        const SyntaxActionRef& r = (*a.member_of)[i];
        if (i > 0) out_ += ", ";
        if (r.type) absl::StrAppend(&out_, r.type->text, "::");
        out_ += QuoteCedarString(r.id.text);
      }
      out_ += "]";
    }
    if (AppliesToSomething(a)) {
      out_ += " appliesTo {\n";
      Indent(level + 1);
      out_ += "principal: [";
      Names(*a.principals, false);
      out_ += "],\n";
      Indent(level + 1);
      out_ += "resource: [";
      Names(*a.resources, false);
      out_ += "]";
      if (a.context) {
        out_ += ",\n";
        Indent(level + 1);
        out_ += "context: ";
        Type(*a.context, level + 1);
      }
      out_ += "\n";
      Indent(level);
      out_ += "}";
    }
    out_ += ";\n";
  }

  void Type(const SyntaxType& t, int level) {
    switch (t.kind) {
      case SyntaxType::Kind::kBool:
        out_ += Builtin("Bool");
        return;
      case SyntaxType::Kind::kLong:
        out_ += Builtin("Long");
        return;
      case SyntaxType::Kind::kString:
        out_ += Builtin("String");
        return;
      case SyntaxType::Kind::kSet:
        out_ += "Set<";
        if (!t.element.empty()) Type(t.element.front(), level);
        out_ += ">";
        return;
      case SyntaxType::Kind::kRecord:
        if (t.attributes.empty()) {
          out_ += "{}";
          return;
        }
        out_ += "{\n";
        for (const SyntaxAttr& a : t.attributes) {
          Annotations(a.annotations, level + 1);
          Indent(level + 1);
          out_ += IsSchemaIdent(a.name.text) ? a.name.text : QuoteCedarString(a.name.text);
          if (!a.required) out_ += "?";
          out_ += ": ";
          Type(a.type, level + 1);
          out_ += ",\n";
        }
        Indent(level);
        out_ += "}";
        return;
      case SyntaxType::Kind::kRef:
        switch (t.ref) {
          case SyntaxType::Ref::kExtension:
            if (t.name.text.find("::") == std::string::npos) {
              out_ += Builtin(t.name.text);
              return;
            }
            break;
          case SyntaxType::Ref::kEntityOrCommon:
          case SyntaxType::Ref::kCommon:
          case SyntaxType::Ref::kEntity:
            break;
        }
        out_ += t.name.text;
        return;
    }
  }

  const SchemaSyntax& syntax_;
  std::set<std::string> declared_;
  std::string ns_;
  std::string out_;
};

// ---- JSON -------------------------------------------------------------------

class JsonPrinter {
 public:
  explicit JsonPrinter(const SchemaSyntax& syntax) : syntax_(syntax) {}

  std::string Print() {
    // The empty namespace's runs of declarations become one member, where
    // the first run was.
    std::vector<std::vector<const SyntaxNamespace*>> groups;
    int empty_group = -1;
    for (const SyntaxNamespace& ns : syntax_.namespaces) {
      if (ns.name.text.empty()) {
        if (empty_group < 0) {
          empty_group = static_cast<int>(groups.size());
          groups.emplace_back();
        }
        groups[static_cast<std::size_t>(empty_group)].push_back(&ns);
      } else {
        groups.push_back({&ns});
      }
    }
    if (groups.empty()) return "{}\n";
    out_ += "{";
    for (std::size_t g = 0; g < groups.size(); ++g) {
      out_ += g == 0 ? "\n" : ",\n";
      Indent(1);
      absl::StrAppend(&out_, JsonQuote(groups[g].front()->name.text), ": {");
      Namespace(groups[g]);
      out_ += "\n";
      Indent(1);
      out_ += "}";
    }
    out_ += "\n}\n";
    return out_;
  }

 private:
  void Indent(int level) { out_.append(static_cast<std::size_t>(level) * 2, ' '); }

  // Starts a member of an object at `level`: a comma after the previous one.
  void Key(std::string_view key, int level, bool* first) {
    out_ += *first ? "\n" : ",\n";
    *first = false;
    Indent(level);
    absl::StrAppend(&out_, JsonQuote(key), ": ");
  }

  void Annotations(const std::vector<SyntaxAnnotation>& annotations, int level, bool* first) {
    if (annotations.empty()) return;
    Key("annotations", level, first);
    out_ += "{";
    bool f = true;
    for (const SyntaxAnnotation& a : annotations) {
      Key(a.key, level + 1, &f);
      out_ += JsonQuote(a.value.value_or(""));
    }
    out_ += "\n";
    Indent(level);
    out_ += "}";
  }

  void Namespace(const std::vector<const SyntaxNamespace*>& parts) {
    bool first = true;
    std::vector<SyntaxAnnotation> annotations;
    for (const SyntaxNamespace* ns : parts) {
      annotations.insert(annotations.end(), ns->annotations.begin(), ns->annotations.end());
    }
    Annotations(annotations, 2, &first);
    bool any_common = false;
    for (const SyntaxNamespace* ns : parts) {
      for (const SyntaxDecl& d : ns->decls) any_common = any_common || std::holds_alternative<SyntaxCommonType>(d);
    }
    if (any_common) {
      Key("commonTypes", 2, &first);
      out_ += "{";
      bool f = true;
      for (const SyntaxNamespace* ns : parts) {
        for (const SyntaxDecl& d : ns->decls) {
          const auto* c = std::get_if<SyntaxCommonType>(&d);
          if (c == nullptr) continue;
          Key(c->name.text, 3, &f);
          Type(c->type, 3, &c->annotations, nullptr);
        }
      }
      Close(f, 2);
    }
    Key("entityTypes", 2, &first);
    out_ += "{";
    bool f = true;
    for (const SyntaxNamespace* ns : parts) {
      for (const SyntaxDecl& d : ns->decls) {
        const auto* e = std::get_if<SyntaxEntity>(&d);
        if (e == nullptr) continue;
        for (const SyntaxName& n : e->names) {
          Key(n.text, 3, &f);
          Entity(*e, 3);
        }
      }
    }
    Close(f, 2);
    Key("actions", 2, &first);
    out_ += "{";
    f = true;
    for (const SyntaxNamespace* ns : parts) {
      for (const SyntaxDecl& d : ns->decls) {
        const auto* a = std::get_if<SyntaxAction>(&d);
        if (a == nullptr) continue;
        for (const SyntaxName& n : a->names) {
          Key(n.text, 3, &f);
          Action(*a, 3);
        }
      }
    }
    Close(f, 2);
  }

  // Closes an object opened with "{" at `level`.
  void Close(bool empty, int level) {
    if (!empty) {
      out_ += "\n";
      Indent(level);
    }
    out_ += "}";
  }

  void Strings(const std::vector<SyntaxName>& names) {
    out_ += "[";
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i > 0) out_ += ", ";
      out_ += JsonQuote(names[i].text);
    }
    out_ += "]";
  }

  void Entity(const SyntaxEntity& e, int level) {
    out_ += "{";
    bool first = true;
    if (e.enum_ids) {
      Key("enum", level + 1, &first);
      Strings(*e.enum_ids);
    }
    if (!e.member_of.empty()) {
      Key("memberOfTypes", level + 1, &first);
      Strings(e.member_of);
    }
    if (e.shape) {
      Key("shape", level + 1, &first);
      Type(*e.shape, level + 1, nullptr, nullptr);
    }
    if (e.tags) {
      Key("tags", level + 1, &first);
      Type(*e.tags, level + 1, nullptr, nullptr);
    }
    Annotations(e.annotations, level + 1, &first);
    Close(first, level);
  }

  void Action(const SyntaxAction& a, int level) {
    out_ += "{";
    bool first = true;
    if (a.member_of && !a.member_of->empty()) {
      Key("memberOf", level + 1, &first);
      out_ += "[";
      for (std::size_t i = 0; i < a.member_of->size(); ++i) {
        const SyntaxActionRef& r = (*a.member_of)[i];
        if (i > 0) out_ += ", ";
        absl::StrAppend(&out_, "{\"id\": ", JsonQuote(r.id.text));
        if (r.type) absl::StrAppend(&out_, ", \"type\": ", JsonQuote(r.type->text));
        out_ += "}";
      }
      out_ += "]";
    }
    if (AppliesToSomething(a)) {
      Key("appliesTo", level + 1, &first);
      out_ += "{";
      bool f = true;
      Key("principalTypes", level + 2, &f);
      Strings(*a.principals);
      Key("resourceTypes", level + 2, &f);
      Strings(*a.resources);
      if (a.context) {
        Key("context", level + 2, &f);
        Type(*a.context, level + 2, nullptr, nullptr);
      }
      Close(false, level + 1);
    }
    Annotations(a.annotations, level + 1, &first);
    Close(first, level);
  }

  // A type object; `annotations` and `attr` (an attribute's "required")
  // are members of the same object when given.
  void Type(const SyntaxType& t, int level, const std::vector<SyntaxAnnotation>* annotations,
            const SyntaxAttr* attr) {
    out_ += "{";
    bool first = true;
    switch (t.kind) {
      case SyntaxType::Kind::kBool:
        Key("type", level + 1, &first);
        out_ += "\"Boolean\"";
        break;
      case SyntaxType::Kind::kLong:
        Key("type", level + 1, &first);
        out_ += "\"Long\"";
        break;
      case SyntaxType::Kind::kString:
        Key("type", level + 1, &first);
        out_ += "\"String\"";
        break;
      case SyntaxType::Kind::kSet:
        Key("type", level + 1, &first);
        out_ += "\"Set\"";
        Key("element", level + 1, &first);
        if (!t.element.empty()) Type(t.element.front(), level + 1, nullptr, nullptr);
        break;
      case SyntaxType::Kind::kRecord: {
        Key("type", level + 1, &first);
        out_ += "\"Record\"";
        Key("attributes", level + 1, &first);
        out_ += "{";
        bool f = true;
        // An attribute declared twice (Cedar's form allows it): JSON keys
        // are unique, and the last declaration is the one that counts.
        std::unordered_map<std::string_view, std::size_t> last;
        last.reserve(t.attributes.size());
        for (std::size_t i = 0; i < t.attributes.size(); ++i) last[t.attributes[i].name.text] = i;
        for (std::size_t i = 0; i < t.attributes.size(); ++i) {
          const SyntaxAttr& a = t.attributes[i];
          if (last[a.name.text] != i) continue;
          Key(a.name.text, level + 2, &f);
          Type(a.type, level + 2, &a.annotations, &a);
        }
        Close(f, level + 1);
        if (t.additional_attributes) {
          Key("additionalAttributes", level + 1, &first);
          out_ += "true";
        }
        break;
      }
      case SyntaxType::Kind::kRef:
        Key("type", level + 1, &first);
        switch (t.ref) {
          case SyntaxType::Ref::kCommon:
            if (t.name.text != "Boolean" && t.name.text != "Long" && t.name.text != "String" &&
                t.name.text != "Set" && t.name.text != "Record" && t.name.text != "Entity" &&
                t.name.text != "Extension" && t.name.text != "EntityOrCommon") {
              out_ += JsonQuote(t.name.text);
              break;
            }
            [[fallthrough]];
          case SyntaxType::Ref::kEntityOrCommon:
            out_ += "\"EntityOrCommon\"";
            Key("name", level + 1, &first);
            out_ += JsonQuote(t.name.text);
            break;
          case SyntaxType::Ref::kEntity:
            out_ += "\"Entity\"";
            Key("name", level + 1, &first);
            out_ += JsonQuote(t.name.text);
            break;
          case SyntaxType::Ref::kExtension:
            out_ += "\"Extension\"";
            Key("name", level + 1, &first);
            out_ += JsonQuote(t.name.text);
            break;
        }
        break;
    }
    if (attr != nullptr && !attr->required) {
      Key("required", level + 1, &first);
      out_ += "false";
    }
    if (annotations != nullptr) Annotations(*annotations, level + 1, &first);
    Close(first, level);
  }

  const SchemaSyntax& syntax_;
  std::string out_;
};

}  // namespace

std::string PrintSchemaCedar(const SchemaSyntax& syntax) { return CedarPrinter(syntax).Print(); }
std::string PrintSchemaJson(const SchemaSyntax& syntax) { return JsonPrinter(syntax).Print(); }

}  // namespace writ::internal
