// Validate: the parser of Cedar's human-readable schema form (.cedarschema)
// into SchemaSyntax — recursive descent over Cedar's schema grammar, with
// nesting checked against kMaxSchemaDepth before each recursion. Names are
// resolved later (schema_resolve.cc).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/parse/lexer.h"
#include "src/validate/schema_parse.h"
#include "writ/limits.h"

namespace writ::internal {
namespace {

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

// Cedar's reserved identifiers: never a name, an attribute or a path part
// (an attribute may still be written as a string: `"in": Long`).
bool IsReservedIdent(std::string_view s) {
  return s == "true" || s == "false" || s == "if" || s == "then" || s == "else" || s == "in" ||
         s == "is" || s == "like" || s == "has";
}

struct Tok {
  enum class Kind : std::uint8_t { kIdent, kString, kNumber, kPunct, kEnd, kInvalid };
  Kind kind = Kind::kEnd;
  std::string_view text;
  Span span;

  bool Is(std::string_view s) const {
    return (kind == Kind::kPunct || kind == Kind::kIdent) && text == s;
  }
};

class CedarSchemaParser {
 public:
  CedarSchemaParser(const SourceFile& file, std::vector<Issue>* issues)
      : file_(file), text_(file.text()), issues_(issues) {
    Advance();
  }

  std::optional<SchemaSyntax> Parse() {
    SchemaSyntax schema;
    schema.format = SchemaFormat::kCedar;
    while (tok_.kind != Tok::Kind::kEnd) {
      std::vector<SyntaxAnnotation> annotations;
      std::uint32_t begin = tok_.span.begin;
      if (!ParseAnnotations(&annotations)) return std::nullopt;
      if (tok_.Is("namespace")) {
        SyntaxNamespace ns;
        ns.block = true;
        ns.annotations = std::move(annotations);
        Advance();
        if (!ParsePath(&ns.name, "a namespace name")) return std::nullopt;
        if (!Expect("{")) return std::nullopt;
        while (!tok_.Is("}")) {
          std::vector<SyntaxAnnotation> decl_annotations;
          if (!ParseAnnotations(&decl_annotations)) return std::nullopt;
          if (tok_.Is("namespace")) {
            Fail(tok_.span, "a namespace cannot be declared inside another",
                 "write its full path at the top level: `namespace A::B { ... }`");
            return std::nullopt;
          }
          if (tok_.kind == Tok::Kind::kEnd) {
            Fail(tok_.span, absl::StrCat("expected `}` to close namespace `", ns.name.text, "`"));
            return std::nullopt;
          }
          if (!ParseDecl(std::move(decl_annotations), &ns.decls)) return std::nullopt;
        }
        ns.span = {begin, tok_.span.end};
        Advance();
        schema.namespaces.push_back(std::move(ns));
      } else {
        // A run of top-level declarations forms one entry of the empty
        // namespace.
        if (schema.namespaces.empty() || schema.namespaces.back().block) {
          SyntaxNamespace ns;
          ns.span = {begin, begin};
          schema.namespaces.push_back(std::move(ns));
        }
        SyntaxNamespace& ns = schema.namespaces.back();
        if (!ParseDecl(std::move(annotations), &ns.decls)) return std::nullopt;
        ns.span.end = prev_end_;
      }
    }
    return schema;
  }

 private:
  // ---- tokens -------------------------------------------------------------

  void Advance() {
    prev_end_ = tok_.span.end;
    std::uint32_t i = pos_;
    const std::uint32_t n = static_cast<std::uint32_t>(text_.size());
    for (;;) {
      while (i < n && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' ||
                       text_[i] == '\r' || text_[i] == '\f' || text_[i] == '\v')) {
        ++i;
      }
      if (i + 1 < n && text_[i] == '/' && text_[i + 1] == '/') {
        while (i < n && text_[i] != '\n' && text_[i] != '\r') ++i;
        continue;
      }
      break;
    }
    Tok t;
    t.span.begin = i;
    if (i >= n) {
      t.kind = Tok::Kind::kEnd;
      t.span.end = i;
    } else if (IsIdentStart(text_[i])) {
      std::uint32_t j = i + 1;
      while (j < n && IsIdentChar(text_[j])) ++j;
      t.kind = Tok::Kind::kIdent;
      t.span.end = j;
    } else if (text_[i] >= '0' && text_[i] <= '9') {
      std::uint32_t j = i + 1;
      while (j < n && text_[j] >= '0' && text_[j] <= '9') ++j;
      t.kind = Tok::Kind::kNumber;
      t.span.end = j;
    } else if (text_[i] == '"') {
      std::uint32_t j = i + 1;
      while (j < n && text_[j] != '"') j += text_[j] == '\\' && j + 1 < n ? 2 : 1;
      if (j >= n) {
        t.kind = Tok::Kind::kInvalid;
        t.span.end = n;
      } else {
        t.kind = Tok::Kind::kString;
        t.span.end = j + 1;
      }
    } else if (text_[i] == ':' && i + 1 < n && text_[i + 1] == ':') {
      t.kind = Tok::Kind::kPunct;
      t.span.end = i + 2;
    } else if (std::string_view(",;:{}[]<>=?@()").find(text_[i]) != std::string_view::npos) {
      t.kind = Tok::Kind::kPunct;
      t.span.end = i + 1;
    } else {
      // One whole UTF-8 character, for the message.
      std::uint32_t j = i + 1;
      while (j < n && (static_cast<unsigned char>(text_[j]) & 0xC0) == 0x80) ++j;
      t.kind = Tok::Kind::kInvalid;
      t.span.end = j;
    }
    t.text = text_.substr(t.span.begin, t.span.end - t.span.begin);
    pos_ = t.span.end;
    tok_ = t;
  }

  std::string Describe(const Tok& t) const {
    switch (t.kind) {
      case Tok::Kind::kEnd:
        return "the end of the schema";
      case Tok::Kind::kInvalid:
        if (!t.text.empty() && t.text[0] == '"') return "an unterminated string";
        return absl::StrCat("`", std::string(t.text), "`");
      case Tok::Kind::kIdent:
      case Tok::Kind::kString:
      case Tok::Kind::kNumber:
      case Tok::Kind::kPunct:
        break;
    }
    std::string_view shown = t.text.size() > 40 ? t.text.substr(0, 40) : t.text;
    return absl::StrCat("`", std::string(shown), t.text.size() > 40 ? "...`" : "`");
  }

  void Fail(Span span, std::string message, std::string hint = {}) {
    if (failed_) return;
    failed_ = true;
    AddSchemaIssue(file_, span, std::move(message), Severity::kError, std::move(hint), issues_);
  }

  void Unexpected(std::string_view expected, std::string hint = {}) {
    Fail(tok_.span, absl::StrCat("expected ", std::string(expected), ", found ", Describe(tok_)),
         std::move(hint));
  }

  bool Expect(std::string_view punct) {
    if (!tok_.Is(punct)) {
      std::string hint;
      if (punct == ";") hint = "each declaration ends with `;`";
      Unexpected(absl::StrCat("`", std::string(punct), "`"), std::move(hint));
      return false;
    }
    Advance();
    return true;
  }

  // ---- names --------------------------------------------------------------

  bool ParseIdent(SyntaxName* out, std::string_view what) {
    if (tok_.kind != Tok::Kind::kIdent) {
      Unexpected(what);
      return false;
    }
    if (IsReservedIdent(tok_.text)) {
      Fail(tok_.span, absl::StrCat("`", std::string(tok_.text), "` is a reserved word and cannot be ", std::string(what)));
      return false;
    }
    out->text = std::string(tok_.text);
    out->span = tok_.span;
    Advance();
    return true;
  }

  bool ParseString(SyntaxName* out) {
    std::string error;
    std::string_view raw = tok_.text.substr(1, tok_.text.size() - 2);
    std::optional<std::string> s = Unescape(raw, /*pattern=*/false, nullptr, &error);
    if (!s) {
      Fail(tok_.span, absl::StrCat("invalid string literal: ", error));
      return false;
    }
    out->text = std::move(*s);
    out->span = tok_.span;
    Advance();
    return true;
  }

  // Ident | String
  bool ParseName(SyntaxName* out, std::string_view what) {
    if (tok_.kind == Tok::Kind::kString) return ParseString(out);
    return ParseIdent(out, what);
  }

  // Ident {'::' Ident}
  bool ParsePath(SyntaxName* out, std::string_view what) {
    if (!ParseIdent(out, what)) return false;
    while (tok_.Is("::")) {
      Advance();
      SyntaxName part;
      if (!ParseIdent(&part, "an identifier after `::`")) return false;
      absl::StrAppend(&out->text, "::", part.text);
      out->span.end = part.span.end;
    }
    return true;
  }

  // Path | '[' [Path {',' Path}] ']'
  bool ParseEntityTypes(std::vector<SyntaxName>* out) {
    if (!tok_.Is("[")) {
      SyntaxName p;
      if (!ParsePath(&p, "an entity type")) return false;
      out->push_back(std::move(p));
      return true;
    }
    Advance();
    while (!tok_.Is("]")) {
      SyntaxName p;
      if (!ParsePath(&p, "an entity type")) return false;
      out->push_back(std::move(p));
      if (tok_.Is(",")) {
        Advance();
        if (tok_.Is("]")) {
          Unexpected("an entity type");
          return false;
        }
      } else if (!tok_.Is("]")) {
        Unexpected("`,` or `]`");
        return false;
      }
    }
    Advance();
    return true;
  }

  // Name | Path '::' String
  bool ParseActionRef(SyntaxActionRef* out) {
    std::uint32_t begin = tok_.span.begin;
    if (tok_.kind == Tok::Kind::kString) {
      if (!ParseString(&out->id)) return false;
      out->span = {begin, prev_end_};
      return true;
    }
    SyntaxName first;
    if (!ParseIdent(&first, "an action name")) return false;
    if (!tok_.Is("::")) {
      out->id = std::move(first);
      out->span = {begin, prev_end_};
      return true;
    }
    SyntaxName path = std::move(first);
    while (tok_.Is("::")) {
      Advance();
      if (tok_.kind == Tok::Kind::kString) {
        out->type = std::move(path);
        if (!ParseString(&out->id)) return false;
        out->span = {begin, prev_end_};
        return true;
      }
      SyntaxName part;
      if (!ParseIdent(&part, "an identifier or an action id (a string) after `::`")) return false;
      absl::StrAppend(&path.text, "::", part.text);
      path.span.end = part.span.end;
    }
    Unexpected("`::` and the action's id, as in `Action::\"name\"`");
    return false;
  }

  // {'@' AnyIdent ['(' String ')']}
  bool ParseAnnotations(std::vector<SyntaxAnnotation>* out) {
    while (tok_.Is("@")) {
      SyntaxAnnotation a;
      a.span.begin = tok_.span.begin;
      Advance();
      if (tok_.kind != Tok::Kind::kIdent) {
        Unexpected("an annotation name after `@`");
        return false;
      }
      a.key = std::string(tok_.text);
      Span key_span = tok_.span;
      Advance();
      if (tok_.Is("(")) {
        Advance();
        if (tok_.kind != Tok::Kind::kString) {
          Unexpected("a string as the annotation's value");
          return false;
        }
        SyntaxName v;
        if (!ParseString(&v)) return false;
        a.value = std::move(v.text);
        if (!Expect(")")) return false;
      }
      a.span.end = prev_end_;
      for (const SyntaxAnnotation& other : *out) {
        if (other.key == a.key) {
          Fail(key_span, absl::StrCat("duplicate annotation `@", a.key, "`"));
          return false;
        }
      }
      out->push_back(std::move(a));
    }
    return true;
  }

  // ---- types --------------------------------------------------------------

  bool CheckDepth(int depth) {
    if (depth > kMaxSchemaDepth) {
      Fail(tok_.span, absl::StrCat("types nested more than ", kMaxSchemaDepth, " deep"),
           "records and sets may nest at most kMaxSchemaDepth levels");
      return false;
    }
    return true;
  }

  // Type := Path | 'Set' '<' Type '>' | '{' [AttrDecls] '}'
  bool ParseType(SyntaxType* out, int depth) {
    if (!CheckDepth(depth)) return false;
    std::uint32_t begin = tok_.span.begin;
    if (tok_.Is("{")) return ParseRecord(out, depth);
    if (tok_.Is("Set")) {
      // `Set` followed by `<` is the set type; alone, it is a path.
      std::uint32_t save_pos = pos_;
      Tok save = tok_;
      std::uint32_t save_prev = prev_end_;
      Advance();
      if (tok_.Is("<")) {
        Advance();
        out->kind = SyntaxType::Kind::kSet;
        out->element.emplace_back();
        if (!ParseType(&out->element.back(), depth + 1)) return false;
        if (!tok_.Is(">")) {
          Unexpected("`>` to close `Set<`");
          return false;
        }
        Advance();
        out->span = {begin, prev_end_};
        return true;
      }
      pos_ = save_pos;
      tok_ = save;
      prev_end_ = save_prev;
    }
    if (tok_.kind != Tok::Kind::kIdent) {
      Unexpected("a type");
      return false;
    }
    out->kind = SyntaxType::Kind::kRef;
    out->ref = SyntaxType::Ref::kEntityOrCommon;
    if (!ParsePath(&out->name, "a type name")) return false;
    out->span = out->name.span;
    return true;
  }

  // '{' [AttrDecl {',' AttrDecl} [',']] '}' where
  // AttrDecl := Annotations Name ['?'] ':' Type
  bool ParseRecord(SyntaxType* out, int depth) {
    out->kind = SyntaxType::Kind::kRecord;
    out->span.begin = tok_.span.begin;
    if (!Expect("{")) return false;
    while (!tok_.Is("}")) {
      SyntaxAttr attr;
      if (!ParseAnnotations(&attr.annotations)) return false;
      if (tok_.kind != Tok::Kind::kString && tok_.kind != Tok::Kind::kIdent) {
        Unexpected("an attribute name or `}`");
        return false;
      }
      if (!ParseName(&attr.name, "an attribute name (quote it: `\"in\": ...`)")) return false;
      if (tok_.Is("?")) {
        attr.required = false;
        Advance();
      }
      if (!tok_.Is(":")) {
        Unexpected("`:` and the attribute's type");
        return false;
      }
      Advance();
      if (!ParseType(&attr.type, depth + 1)) return false;
      out->attributes.push_back(std::move(attr));
      if (tok_.Is(",")) {
        Advance();
      } else if (!tok_.Is("}")) {
        Unexpected("`,` or `}`", tok_.kind == Tok::Kind::kIdent || tok_.kind == Tok::Kind::kString
                                     ? "attributes are separated by `,`"
                                     : "");
        return false;
      }
    }
    Advance();
    out->span.end = prev_end_;
    return true;
  }

  // ---- declarations -------------------------------------------------------

  bool ParseDecl(std::vector<SyntaxAnnotation> annotations, std::vector<SyntaxDecl>* out) {
    if (tok_.Is("entity")) return ParseEntity(std::move(annotations), out);
    if (tok_.Is("action")) return ParseAction(std::move(annotations), out);
    if (tok_.Is("type")) return ParseCommonType(std::move(annotations), out);
    Unexpected("`entity`, `action`, `type` or `namespace`");
    return false;
  }

  // 'entity' Idents ['in' EntTypes] [['='] RecType] ['tags' Type] ';'
  // 'entity' Idents 'enum' '[' String {',' String} ']' ';'
  bool ParseEntity(std::vector<SyntaxAnnotation> annotations, std::vector<SyntaxDecl>* out) {
    SyntaxEntity e;
    e.annotations = std::move(annotations);
    e.span.begin = tok_.span.begin;
    Advance();
    for (;;) {
      SyntaxName name;
      if (!ParseIdent(&name, "an entity type name")) return false;
      e.names.push_back(std::move(name));
      if (!tok_.Is(",")) break;
      Advance();
    }
    if (tok_.Is("enum")) {
      Advance();
      if (!Expect("[")) return false;
      std::vector<SyntaxName> ids;
      for (;;) {
        if (tok_.kind != Tok::Kind::kString) {
          Unexpected("an entity id (a string)");
          return false;
        }
        SyntaxName id;
        if (!ParseString(&id)) return false;
        ids.push_back(std::move(id));
        if (!tok_.Is(",")) break;
        Advance();
      }
      if (!Expect("]")) return false;
      e.enum_ids = std::move(ids);
    } else {
      if (tok_.Is("in")) {
        Advance();
        if (!ParseEntityTypes(&e.member_of)) return false;
      }
      if (tok_.Is("=")) {
        Advance();
        if (!tok_.Is("{")) {
          Unexpected("`{` and the entity type's attributes");
          return false;
        }
      }
      if (tok_.Is("{")) {
        e.shape.emplace();
        if (!ParseRecord(&*e.shape, 1)) return false;
      }
      if (tok_.Is("tags")) {
        Advance();
        e.tags.emplace();
        if (!ParseType(&*e.tags, 1)) return false;
      }
    }
    if (!Expect(";")) return false;
    e.span.end = prev_end_;
    out->push_back(std::move(e));
    return true;
  }

  // 'action' Names ['in' (QualName | '[' QualName {',' QualName} ']')]
  //   ['appliesTo' '{' AppDecls '}'] ['attributes' '{' '}'] ';'
  bool ParseAction(std::vector<SyntaxAnnotation> annotations, std::vector<SyntaxDecl>* out) {
    SyntaxAction a;
    a.annotations = std::move(annotations);
    a.span.begin = tok_.span.begin;
    Advance();
    for (;;) {
      SyntaxName name;
      if (!ParseName(&name, "an action name")) return false;
      a.names.push_back(std::move(name));
      if (!tok_.Is(",")) break;
      Advance();
    }
    if (tok_.Is("in")) {
      Advance();
      a.member_of.emplace();
      if (tok_.Is("[")) {
        Advance();
        for (;;) {
          SyntaxActionRef ref;
          if (!ParseActionRef(&ref)) return false;
          a.member_of->push_back(std::move(ref));
          if (!tok_.Is(",")) break;
          Advance();
        }
        if (!Expect("]")) return false;
      } else {
        SyntaxActionRef ref;
        if (!ParseActionRef(&ref)) return false;
        a.member_of->push_back(std::move(ref));
      }
    }
    if (tok_.Is("appliesTo")) {
      a.applies_to = true;
      a.applies_to_span = tok_.span;
      Advance();
      if (!ParseAppliesTo(&a)) return false;
    }
    if (tok_.Is("attributes")) {
      Advance();
      if (!Expect("{")) return false;
      if (!tok_.Is("}")) {
        Fail(tok_.span, "action attributes are not supported",
             "`attributes` may only be written empty: `attributes {}`");
        return false;
      }
      Advance();
    }
    if (!Expect(";")) return false;
    a.span.end = prev_end_;
    out->push_back(std::move(a));
    return true;
  }

  bool ParseAppliesTo(SyntaxAction* a) {
    if (!Expect("{")) return false;
    Span principal_span{}, resource_span{};
    bool first = true;
    while (!tok_.Is("}")) {
      Span item = tok_.span;
      if (tok_.Is("principal") || tok_.Is("resource")) {
        bool principal = tok_.Is("principal");
        std::optional<std::vector<SyntaxName>>& slot = principal ? a->principals : a->resources;
        if (slot) {
          Fail(item, absl::StrCat("`", std::string(tok_.text), "` is declared twice for this action"));
          return false;
        }
        Advance();
        if (!Expect(":")) return false;
        std::vector<SyntaxName> types;
        if (!ParseEntityTypes(&types)) return false;
        item.end = prev_end_;
        if (types.empty()) {
          Fail(item, absl::StrCat("the ", principal ? "principal" : "resource",
                                  " types of an action cannot be empty"),
               "omit `appliesTo` for an action that applies to nothing");
          return false;
        }
        slot = std::move(types);
        (principal ? principal_span : resource_span) = item;
      } else if (tok_.Is("context")) {
        if (a->context) {
          Fail(item, "`context` is declared twice for this action");
          return false;
        }
        Advance();
        if (!Expect(":")) return false;
        a->context.emplace();
        if (tok_.Is("{")) {
          if (!ParseRecord(&*a->context, 1)) return false;
        } else {
          a->context->kind = SyntaxType::Kind::kRef;
          a->context->ref = SyntaxType::Ref::kCommon;
          if (!ParsePath(&a->context->name, "a record type or a common type's name")) {
            return false;
          }
          a->context->span = a->context->name.span;
        }
      } else {
        Unexpected(first ? "`principal`, `resource` or `context`"
                         : "`principal`, `resource`, `context` or `}`");
        return false;
      }
      first = false;
      if (tok_.Is(",")) {
        Advance();
      } else if (!tok_.Is("}")) {
        Unexpected("`,` or `}`");
        return false;
      }
    }
    Span close = tok_.span;
    Advance();
    if (first) {
      Fail(close, "expected `principal`, `resource` or `context` in `appliesTo`");
      return false;
    }
    if (!a->principals) {
      Fail(a->names.front().span,
           absl::StrCat("action `", a->names.front().text, "` has no principal types in `appliesTo`"),
           "add `principal: [...]`, or omit `appliesTo` for an action that applies to nothing");
      return false;
    }
    if (!a->resources) {
      Fail(a->names.front().span,
           absl::StrCat("action `", a->names.front().text, "` has no resource types in `appliesTo`"),
           "add `resource: [...]`, or omit `appliesTo` for an action that applies to nothing");
      return false;
    }
    a->applies_to_span.end = prev_end_;
    return true;
  }

  // 'type' Ident '=' Type ';'
  bool ParseCommonType(std::vector<SyntaxAnnotation> annotations, std::vector<SyntaxDecl>* out) {
    SyntaxCommonType t;
    t.annotations = std::move(annotations);
    t.span.begin = tok_.span.begin;
    Advance();
    if (!ParseIdent(&t.name, "a type name")) return false;
    if (!Expect("=")) return false;
    if (!ParseType(&t.type, 1)) return false;
    if (!Expect(";")) return false;
    t.span.end = prev_end_;
    out->push_back(std::move(t));
    return true;
  }

  const SourceFile& file_;
  std::string_view text_;
  std::vector<Issue>* issues_;
  Tok tok_;
  std::uint32_t pos_ = 0;
  std::uint32_t prev_end_ = 0;
  bool failed_ = false;
};

}  // namespace

bool IsSchemaIdent(std::string_view s) {
  if (s.empty() || !IsIdentStart(s[0])) return false;
  for (char c : s) {
    if (!IsIdentChar(c)) return false;
  }
  return !IsReservedIdent(s);
}

std::optional<SchemaSyntax> ParseCedarSchema(const SourceFile& file, std::vector<Issue>* issues) {
  CedarSchemaParser parser(file, issues);
  return parser.Parse();
}

}  // namespace writ::internal
