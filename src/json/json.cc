// JSON forms, reading: Cedar's JSON -> values, entity references, entities
// and requests, over the located tree built by json_reader; schemaless, or
// through a schema (typed reading, entity and request conformance, the
// schema's action entities). Every mistake becomes an issue at the offending
// key or value.
#include "writ/json.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "src/base/rfc3339.h"
#include "src/base/source.h"
#include "src/base/strings.h"
#include "src/base/utf8.h"
#include "src/eval/chain.h"
#include "src/ext/extensions.h"
#include "src/base/json_reader.h"
#include "src/json/plain_request.h"
#include "src/parse/parser.h"
#include "src/validate/conform.h"
#include "src/validate/schema.h"
#include "writ/engine.h"
#include "writ/limits.h"

namespace writ {
namespace {

using internal::Av;
using internal::JsonNode;
using internal::SourceFile;
using internal::Span;
using internal::SchemaData;
using internal::SchemaType;
using Kind = JsonNode::Kind;
using internal::IsActionType;

constexpr std::size_t kMaxShownJsonBytes = 80;
constexpr std::string_view kEntityRefHint =
    "an entity reference is written {\"type\": \"User\", \"id\": \"alice\"} or "
    "{\"__entity\": {\"type\": \"User\", \"id\": \"alice\"}}";

// The one-argument constructor of an extension type, by which a bare value
// is read where the schema expects that type ("10.0.0.1" for an ipaddr).
std::string_view ConstructorOf(std::string_view extension_type) {
  if (extension_type == "ipaddr") return "ip";
  return extension_type;   // decimal, datetime, duration, spiffe
}

// {"fn": "ip", "arg": ..} or {"fn": .., "args": [..]}: the body of an
// `__extn` escape (or, where a schema expects an extension type, the escape's
// implicit form).
bool IsFnAndArgs(const JsonNode& n) {
  if (!n.is(Kind::kObject) || n.keys.size() < 2) return false;
  const JsonNode* fn = n.Find("fn");
  if (fn == nullptr || !fn->is(Kind::kString)) return false;
  if (n.Find("arg") != nullptr) return true;
  const JsonNode* args = n.Find("args");
  return args != nullptr && args->is(Kind::kArray);
}

// Turns JsonNodes into Cedar values, collecting issues as it goes; a
// conversion that failed returns nullopt after reporting why.
class Converter {
 public:
  Converter(const SourceFile& file, std::vector<Issue>* issues, const JsonOptions& options)
      : file_(file),
        issues_(issues),
        options_(options),
        schema_(options.schema == nullptr ? nullptr : &SchemaData::Of(*options.schema)) {}

  const JsonOptions& options() const { return options_; }
  // The schema reading goes through, or null.
  const SchemaData* schema() const { return schema_; }

  int errors() const { return errors_; }

  void Error(Span span, std::string message, std::string hint = {}) {
    ++errors_;
    issues_->push_back(file_.MakeIssue(span, std::move(message), Severity::kError, std::move(hint)));
  }
  void Warning(Span span, std::string message, std::string hint = {}) {
    issues_->push_back(
        file_.MakeIssue(span, std::move(message), Severity::kWarning, std::move(hint)));
  }
  void Note(Span span, std::string message) {
    issues_->push_back(file_.MakeIssue(span, std::move(message), Severity::kNote));
  }

  // "line L, column C" of `span`, for hints.
  std::string Where(Span span) const {
    return absl::StrFormat("line %d, column %d", file_.LineOf(span.begin),
                           file_.ColumnOf(span.begin));
  }

  // The JSON text of `n` as written, on one line and shortened for messages.
  std::string Show(const JsonNode& n) const {
    std::string_view s = file_.text().substr(n.span.begin, n.span.end - n.span.begin);
    std::string out;
    bool space = false;
    for (char ch : s) {
      if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') {
        space = true;
        continue;
      }
      if (space && !out.empty()) out += ' ';
      space = false;
      out += ch;
    }
    if (out.size() <= kMaxShownJsonBytes) return out;
    std::size_t cut = kMaxShownJsonBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    return out + "...";
  }

  // A Cedar value: Cedar's CedarValueJson rules without a schema.
  std::optional<Value> ToValue(const JsonNode& n) {
    switch (n.kind) {
      case Kind::kNull:
        Error(n.span, "found a `null`; JSON `null`s are not allowed in Cedar");
        return std::nullopt;
      case Kind::kBool: return Value::Bool(n.boolean);
      case Kind::kInt: return Value::Long(n.integer);
      case Kind::kString: return Value::String(n.string);
      case Kind::kArray: {
        std::vector<Value> elements;
        elements.reserve(n.items.size());
        bool ok = true;
        for (const JsonNode& item : n.items) {
          std::optional<Value> v = ToValue(item);
          if (v) {
            elements.push_back(std::move(*v));
          } else {
            ok = false;
          }
        }
        if (!ok) return std::nullopt;
        return Value::MakeSet(std::move(elements));
      }
      case Kind::kObject: return ObjectToValue(n);
    }
    return std::nullopt;
  }

  // An entity reference where Cedar expects one (an entity's uid and
  // parents, a request's principal/action/resource): the explicit
  // {"__entity":{..}} or implicit {"type":..,"id":..} form; with
  // `allow_string`, also `Type::"id"`.
  std::optional<EntityUid> ToEntityRef(const JsonNode& n, bool allow_string) {
    if (n.is(Kind::kString) && allow_string) {
      if (std::optional<EntityUid> uid = internal::ParseEntityUid(n.string)) return uid;
      Error(n.span, absl::StrCat("`", Av(n.string), "` is not an entity reference"),
            absl::StrCat("write `Type::\"id\"`; ", Av(kEntityRefHint)));
      return std::nullopt;
    }
    if (!n.is(Kind::kObject)) {
      Error(n.span, absl::StrCat("expected an entity reference, but got `", Show(n), "`"),
            std::string(kEntityRefHint));
      return std::nullopt;
    }
    if (const JsonNode* expr = n.Find("__expr"); expr != nullptr && expr->is(Kind::kString)) {
      Error(n.span, "the `__expr` escape is no longer supported", std::string(kEntityRefHint));
      return std::nullopt;
    }
    const JsonNode* body = &n;
    if (const JsonNode* escape = n.Find("__entity");
        escape != nullptr && escape->is(Kind::kObject)) {
      body = escape;
    } else if (n.Find("type") == nullptr && n.Find("id") == nullptr) {
      Error(n.span, absl::StrCat("expected an entity reference, but got `", Show(n), "`"),
            std::string(kEntityRefHint));
      return std::nullopt;
    }
    return TypeAndId(*body);
  }

  // A value where the schema expects `type` (null: read schemalessly), as
  // Cedar's ValueParser reads it: entity references and extension values in
  // their implicit forms, records and sets attribute by attribute. A record
  // missing a required attribute or with an undeclared one (unless open), or
  // a set or record given as another kind, is an error; with `check`, so is
  // any value not of `type` (entity attributes, validated requests).
  std::optional<Value> ToTypedValue(const JsonNode& n, const SchemaType* type, bool check) {
    if (type == nullptr) return ToValue(n);
    using TK = SchemaType::Kind;
    switch (type->kind) {
      case TK::kBool:
      case TK::kLong:
      case TK::kString: {
        std::optional<Value> v = ToValue(n);
        if (v && check && !Conforms(n, *v, *type)) return std::nullopt;
        return v;
      }
      case TK::kEntity: {
        if (IsUnknownEscape(n)) return ToValue(n);
        std::optional<EntityUid> uid = ToEntityRef(n, /*allow_string=*/false);
        if (!uid) return std::nullopt;
        Value v = Value::Entity(std::move(*uid));
        if (check && !Conforms(n, v, *type)) return std::nullopt;
        return v;
      }
      case TK::kExtension: {
        std::optional<Value> v = ToExtensionValue(n, *type);
        if (v && check && !Conforms(n, *v, *type)) return std::nullopt;
        return v;
      }
      case TK::kSet: {
        if (!n.is(Kind::kArray)) {
          if (IsUnknownEscape(n)) return ToValue(n);
          Error(n.span, absl::StrCat("expected ", internal::SchemaTypeToString(*type),
                                     " (a JSON array), found `", Show(n), "`"));
          return std::nullopt;
        }
        std::vector<Value> elements;
        elements.reserve(n.items.size());
        bool ok = true;
        for (const JsonNode& item : n.items) {
          if (std::optional<Value> v = ToTypedValue(item, type->element.get(), check)) {
            elements.push_back(std::move(*v));
          } else {
            ok = false;
          }
        }
        if (!ok) return std::nullopt;
        return Value::MakeSet(std::move(elements));
      }
      case TK::kRecord: {
        if (IsUnknownEscape(n)) return ToValue(n);
        if (!n.is(Kind::kObject)) {
          Error(n.span, absl::StrCat("expected ", internal::SchemaTypeToString(*type),
                                     " (a JSON object), found `", Show(n), "`"));
          return std::nullopt;
        }
        return ToTypedRecord(n, *type, check, "record");
      }
    }
    return std::nullopt;
  }

  // The members of object `n` as a record of type `type` (kRecord); `what`
  // names it in messages ("record", "context").
  std::optional<Value> ToTypedRecord(const JsonNode& n, const SchemaType& type, bool check,
                                     std::string_view what) {
    Value::Record record;
    bool ok = true;
    for (std::size_t i = 0; i < n.keys.size(); ++i) {
      auto it = type.attributes.find(n.keys[i]);
      if (it == type.attributes.end() && !type.open) {
        Error(n.key_spans[i],
              absl::StrCat(Av(what), " attribute `", Av(n.keys[i]),
                           "` is not declared in the schema"),
              absl::StrCat("the ", Av(what), "'s type is ", internal::SchemaTypeToString(type)));
        ok = false;
        continue;
      }
      std::optional<Value> v = ToTypedValue(
          n.items[i], it == type.attributes.end() ? nullptr : it->second.type.get(), check);
      if (v) {
        record.emplace(n.keys[i], std::move(*v));
      } else {
        ok = false;
      }
    }
    for (const auto& [name, attr] : type.attributes) {
      if (attr.required && n.Find(name) == nullptr) {
        Error(n.span, absl::StrCat(Av(what), " is missing the required attribute `", name, "` (",
                                   attr.type ? internal::SchemaTypeToString(*attr.type) : "?", ")"),
              absl::StrCat("the ", Av(what), "'s type is ", internal::SchemaTypeToString(type)));
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return Value::MakeRecord(std::move(record));
  }

  // Reports, at `n`, why `v` is not of `type`; true when it is.
  bool Conforms(const JsonNode& n, const Value& v, const SchemaType& type) {
    if (std::optional<std::string> why = internal::CheckValueType(v, type)) {
      Error(n.span, std::move(*why));
      return false;
    }
    return true;
  }

  // Reports, at `n`, an entity reference inside `v` to an undeclared action
  // or enumerated id; true when there is none.
  bool UidsConform(const JsonNode& n, const Value& v) {
    if (schema_ == nullptr) return true;
    if (std::optional<std::string> why = internal::CheckUidsIn(v, *schema_)) {
      Error(n.span, std::move(*why));
      return false;
    }
    return true;
  }

 private:
  // {"__extn": {"fn": "unknown", ..}}: read as it is without a schema (an
  // error there), whatever type is expected, as Cedar does.
  static bool IsUnknownEscape(const JsonNode& n) {
    if (!n.is(Kind::kObject) || n.keys.size() != 1 || n.keys[0] != "__extn") return false;
    const JsonNode& body = n.items[0];
    if (!body.is(Kind::kObject)) return false;
    const JsonNode* fn = body.Find("fn");
    return fn != nullptr && fn->is(Kind::kString) && fn->string == "unknown";
  }

  // A value where the schema expects extension type `type`: {"__extn":{..}},
  // its implicit form {"fn":..,"arg":..}, or the bare argument of the
  // type's constructor ("10.0.0.1").
  std::optional<Value> ToExtensionValue(const JsonNode& n, const SchemaType& type) {
    if (n.is(Kind::kObject)) {
      if (n.keys.size() == 1 && n.keys[0] == "__extn" && IsFnAndArgs(n.items[0])) return ToValue(n);
      if (IsFnAndArgs(n)) return CallFnAndArgs(n);
      if (const JsonNode* expr = n.Find("__expr"); expr != nullptr && n.keys.size() == 1) {
        Error(n.span, "the `__expr` escape is no longer supported");
        return std::nullopt;
      }
    }
    const std::string_view ctor = ConstructorOf(type.name);
    const internal::ExtFunction* f = internal::FindExtFunction(ctor, options_.strict);
    if (f == nullptr || f->arity != 1) {
      Error(n.span, absl::StrCat("missing extension constructor for ", Av(type.name)));
      return std::nullopt;
    }
    if (!n.is(Kind::kString)) {
      Error(n.span,
            absl::StrCat("expected ", Av(type.name), ", found `", Show(n), "`"),
            absl::StrCat("write the ", Av(type.name), " as a string, e.g. ", ExampleOf(type.name),
                         ", or as {\"__extn\": {\"fn\": \"", Av(ctor), "\", \"arg\": ..}}"));
      return std::nullopt;
    }
    absl::StatusOr<Value> v = internal::CallExtFunction(*f, {Value::String(n.string)});
    if (!v.ok()) {
      Error(n.span, absl::StrCat("`", Av(n.string), "` is not a valid ", Av(type.name), ": ",
                                 v.status().message()));
      return std::nullopt;
    }
    return std::move(v).value();
  }

  static std::string ExampleOf(std::string_view extension_type) {
    if (extension_type == "ipaddr") return "\"10.0.0.1\"";
    if (extension_type == "decimal") return "\"1.5\"";
    if (extension_type == "datetime") return "\"2024-10-15T11:35:00Z\"";
    if (extension_type == "duration") return "\"1h30m\"";
    return "\"spiffe://example.org/workload\"";
  }

  // Calls the function of a {"fn":..,"arg"|"args":..} body (IsFnAndArgs).
  std::optional<Value> CallFnAndArgs(const JsonNode& body) {
    const JsonNode* fn = body.Find("fn");
    if (const JsonNode* arg = body.Find("arg")) return CallExtension(arg->span, *fn, {arg});
    const JsonNode* args = body.Find("args");
    std::vector<const JsonNode*> list;
    for (const JsonNode& a : args->items) list.push_back(&a);
    return CallExtension(args->span, *fn, list);
  }

  std::optional<Value> ObjectToValue(const JsonNode& n) {
    // The escapes are objects with exactly one key (Cedar 4.5+).
    if (n.keys.size() == 1) {
      const std::string& key = n.keys[0];
      const JsonNode& body = n.items[0];
      if (key == "__extn") {
        if (IsFnAndArgs(body)) return CallFnAndArgs(body);
        Warning(n.key_spans[0],
                "`__extn` is not followed by {\"fn\": .., \"arg\": ..}, so this object is read "
                "as a record",
                "an extension value is written {\"__extn\": {\"fn\": \"ip\", \"arg\": \"10.0.0.1\"}}");
      } else if (key == "__entity") {
        if (body.is(Kind::kObject) && body.keys.size() >= 2) {
          const JsonNode* type = body.Find("type");
          const JsonNode* id = body.Find("id");
          if (type != nullptr && type->is(Kind::kString) && id != nullptr && id->is(Kind::kString)) {
            std::optional<EntityUid> uid = TypeAndId(body);
            if (!uid) return std::nullopt;
            return Value::Entity(std::move(*uid));
          }
        }
        Warning(n.key_spans[0],
                "`__entity` is not followed by {\"type\": .., \"id\": ..}, so this object is read "
                "as a record",
                std::string(kEntityRefHint));
      } else if (key == "__expr" && body.is(Kind::kString)) {
        Error(n.span, "the `__expr` escape is no longer supported",
              "write entity references with `__entity` and extension values with `__extn`");
        return std::nullopt;
      }
    }
    Value::Record record;
    bool ok = true;
    for (std::size_t i = 0; i < n.keys.size(); ++i) {
      std::optional<Value> v = ToValue(n.items[i]);
      if (v) {
        record.emplace(n.keys[i], std::move(*v));   // keys are unique (the reader checked)
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return Value::MakeRecord(std::move(record));
  }

  // Calls extension function `fn` on the values of `arg_nodes`; errors about
  // the arguments are reported at `args_span`.
  std::optional<Value> CallExtension(Span args_span, const JsonNode& fn,
                                     const std::vector<const JsonNode*>& arg_nodes) {
    const internal::ExtFunction* f = internal::FindExtFunction(fn.string, options_.strict);
    if (f == nullptr) {
      if (fn.string == "unknown") {
        Error(fn.span, "`unknown` values are for partial evaluation, which writ does not support");
      } else if (options_.strict && internal::FindExtFunction(fn.string) != nullptr) {
        Error(fn.span, absl::StrCat("extension function `", Av(fn.string), "` does not exist"),
              absl::StrCat("`", Av(fn.string), "` is a writ extension, not Cedar: read without strict mode to use it"));
      } else {
        Error(fn.span, absl::StrCat("extension function `", Av(fn.string), "` does not exist"),
              options_.strict ? "the extension constructors are ip, decimal, datetime and duration"
                              : "the extension constructors are ip, decimal, datetime, duration and spiffe");
      }
      return std::nullopt;
    }
    std::vector<Value> args;
    bool ok = true;
    for (const JsonNode* a : arg_nodes) {
      std::optional<Value> v = ToValue(*a);
      if (v) {
        args.push_back(std::move(*v));
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    if (static_cast<std::size_t>(f->arity) != args.size()) {
      Error(args_span, absl::StrFormat("expected %d arguments for function %s but %d arguments "
                                         "are provided",
                                         f->arity, Av(fn.string), args.size()));
      return std::nullopt;
    }
    absl::StatusOr<Value> v = internal::CallExtFunction(*f, args);
    if (!v.ok()) {
      Error(args_span, absl::StrCat("invalid `__extn` escape for `", Av(fn.string), "`: ",
                                      v.status().message()));
      return std::nullopt;
    }
    return std::move(v).value();
  }

  // {"type": "Ns::T", "id": "x"}; other members are ignored, as Cedar does.
  std::optional<EntityUid> TypeAndId(const JsonNode& n) {
    const JsonNode* type = n.Find("type");
    const JsonNode* id = n.Find("id");
    bool ok = true;
    for (auto [node, name] : {std::pair{type, "type"}, std::pair{id, "id"}}) {
      if (node == nullptr) {
        Error(n.span, absl::StrCat("entity reference is missing `", name, "`"),
              std::string(kEntityRefHint));
        ok = false;
      } else if (!node->is(Kind::kString)) {
        Error(node->span, absl::StrCat("`", name, "` of an entity reference must be a string, not ",
                                       Av(internal::JsonKindName(node->kind))));
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    // Cedar takes the type in normalized form: no spaces or comments.
    std::optional<std::string> name = internal::ParseEntityTypeName(type->string);
    if (!name || *name != type->string) {
      Error(type->span, absl::StrCat("`", Av(type->string), "` is not a valid entity type name"),
            "entity type names are identifiers joined by `::` without spaces, e.g. `Ns::User`");
      return std::nullopt;
    }
    return EntityUid{type->string, id->string};
  }

  const SourceFile& file_;
  std::vector<Issue>* issues_;
  const JsonOptions& options_;
  const SchemaData* schema_;
  int errors_ = 0;
};

// The common frame of every reader: size, UTF-8 and syntax checks, then
// `convert` on the tree; a status naming the first error when anything failed.
template <typename T, typename F>
absl::StatusOr<T> Read(std::string_view json, std::string_view source_name,
                       std::vector<Issue>* issues, const JsonOptions& options, F convert) {
  std::vector<Issue> local;
  if (issues == nullptr) issues = &local;
  if (json.size() > kMaxJsonBytes) {   // before anything reads the text
    Issue issue;
    issue.file = std::string(source_name);
    issue.message = absl::StrCat("JSON document of ", json.size(),
                                 " bytes is larger than the limit of ", kMaxJsonBytes, " bytes");
    issues->push_back(issue);
    return absl::InvalidArgumentError(
        absl::StrCat(IssueLocation(issue), issue.file.empty() ? "" : ": ", issue.message));
  }
  const std::size_t first = issues->size();
  SourceFile file(source_name, json);
  std::optional<T> result;
  if (std::optional<JsonNode> root = internal::ReadJson(file, issues)) {
    Converter converter(file, issues, options);
    result = convert(converter, *root);
    if (converter.errors() > 0) result.reset();
  }
  if (result) return std::move(*result);
  for (std::size_t i = first; i < issues->size(); ++i) {
    const Issue& issue = (*issues)[i];
    if (issue.severity != Severity::kError) continue;
    std::string where = IssueLocation(issue);
    return absl::InvalidArgumentError(
        where.empty() ? issue.message : absl::StrCat(where, ": ", issue.message));
  }
  return absl::InvalidArgumentError(absl::StrCat(Av(source_name), ": invalid JSON"));
}

// Every ancestor of `uid` in `entities` through parents (a parent not in
// the store has none of its own).
absl::flat_hash_set<EntityUid> AncestorsIn(const Entities& entities, const EntityUid& uid) {
  absl::flat_hash_set<EntityUid> ancestors;
  entities.AnyAncestor(uid, [&](const EntityUid& a) {
    ancestors.insert(a);
    return false;
  });
  return ancestors;
}

// Equal as Cedar compares entity entries: attributes, tags, and parents as
// a set.
bool SameEntity(const Entity& a, const Entity& b) {
  if (a.attrs != b.attrs || a.tags != b.tags) return false;
  absl::flat_hash_set<EntityUid> pa(a.parents.begin(), a.parents.end());
  absl::flat_hash_set<EntityUid> pb(b.parents.begin(), b.parents.end());
  return pa == pb;
}

std::optional<Entities> ConvertEntities(Converter& c, const JsonNode& root) {
  if (!root.is(Kind::kArray)) {
    c.Error(root.span,
            absl::StrCat("entities must be a JSON array of entity objects, not ",
                         Av(internal::JsonKindName(root.kind))),
            "write [{\"uid\": {..}, \"attrs\": {..}, \"parents\": [..]}, ...]");
    return std::nullopt;
  }
  const SchemaData* schema = c.schema();
  Entities entities;
  absl::flat_hash_map<EntityUid, Span> defined;
  std::vector<std::pair<EntityUid, Span>> json_actions;   // with a schema
  for (const JsonNode& item : root.items) {
    if (!item.is(Kind::kObject)) {
      c.Error(item.span, absl::StrCat("an entity must be a JSON object, not ",
                                      Av(internal::JsonKindName(item.kind))));
      continue;
    }
    const int errors_before = c.errors();
    for (std::size_t i = 0; i < item.keys.size(); ++i) {
      const std::string& k = item.keys[i];
      if (k != "uid" && k != "attrs" && k != "parents" && k != "tags") {
        c.Warning(item.key_spans[i], absl::StrCat("unknown entity field `", Av(k), "` is ignored"),
                  "an entity has `uid`, `attrs`, `parents` and optionally `tags`");
      }
    }
    const JsonNode* uid_node = item.Find("uid");
    if (uid_node == nullptr) {
      c.Error(item.span, "entity is missing `uid`");
      continue;
    }
    std::optional<EntityUid> uid = c.ToEntityRef(*uid_node, /*allow_string=*/false);
    if (!uid) continue;
    Entity entity;
    entity.uid = *uid;
    const bool is_action = IsActionType(uid->type);

    // With a schema, a non-action entity is read and checked as its type
    // declares; actions (which have no declared attributes) as without one,
    // and compared with their declaration below.
    const internal::EntityTypeDef* def = nullptr;
    if (schema != nullptr && !is_action) {
      def = schema->FindEntityType(uid->type);
      if (def == nullptr) {
        c.Error(uid_node->span,
                absl::StrCat("entity `", uid->ToString(), "` has type `", uid->type,
                             "`, which is not declared in the schema"));
        continue;
      }
      if (std::optional<std::string> why = internal::CheckUid(*uid, *schema)) {
        c.Error(uid_node->span, std::move(*why));
      }
    }

    // attrs (required) and tags (optional): objects of values.
    auto read_record = [&](std::string_view field, bool required, Value::Record* out) {
      const JsonNode* n = item.Find(field);
      if (n == nullptr) {
        if (required) {
          c.Error(item.span, absl::StrCat("entity `", uid->ToString(), "` is missing `",
                                          Av(field), "`"),
                  absl::StrCat("write \"", Av(field), "\": {} when it has none"));
        }
        return n;
      }
      if (!n->is(Kind::kObject)) {
        c.Error(n->span, absl::StrCat("`", Av(field), "` of entity `", uid->ToString(),
                                      "` must be an object, not ",
                                      Av(internal::JsonKindName(n->kind))));
        return static_cast<const JsonNode*>(nullptr);
      }
      const bool tags = field == "tags";
      for (std::size_t i = 0; i < n->keys.size(); ++i) {
        const std::string& key = n->keys[i];
        const JsonNode& value = n->items[i];
        const SchemaType* type = nullptr;
        if (def != nullptr && tags) {
          if (def->tags == nullptr) {
            c.Error(n->key_spans[i],
                    absl::StrCat("entity `", uid->ToString(), "` has tag `", Av(key),
                                 "`, but type `", def->name, "` declares no tags"));
            continue;
          }
          type = def->tags.get();
        } else if (def != nullptr) {
          auto it = def->shape.attributes.find(key);
          if (it == def->shape.attributes.end()) {
            if (!def->shape.open) {
              c.Error(n->key_spans[i],
                      absl::StrCat("attribute `", Av(key), "` of `", uid->ToString(),
                                   "` is not declared for type `", def->name, "`"),
                      absl::StrCat("`", def->name, "` has ",
                                   internal::SchemaTypeToString(def->shape)));
              continue;
            }
          } else {
            type = it->second.type.get();
          }
        }
        std::optional<Value> v = def == nullptr ? c.ToValue(value)
                                                : c.ToTypedValue(value, type, /*check=*/true);
        if (!v) continue;
        if (def != nullptr && !c.UidsConform(value, *v)) continue;
        out->emplace(key, std::move(*v));
      }
      return n;
    };
    const JsonNode* attrs = read_record("attrs", /*required=*/true, &entity.attrs);
    read_record("tags", /*required=*/false, &entity.tags);
    if (def != nullptr && attrs != nullptr) {
      for (const auto& [name, attr] : def->shape.attributes) {
        if (attr.required && attrs->Find(name) == nullptr) {
          c.Error(attrs->span,
                  absl::StrCat("entity `", uid->ToString(), "` is missing the required attribute `",
                               name, "` (",
                               attr.type ? internal::SchemaTypeToString(*attr.type) : "?", ")"),
                  absl::StrCat("`", def->name, "` has ", internal::SchemaTypeToString(def->shape)));
        }
      }
    }

    if (const JsonNode* parents = item.Find("parents"); parents == nullptr) {
      c.Error(item.span, absl::StrCat("entity `", uid->ToString(), "` is missing `parents`"),
              "write \"parents\": [] when it has none");
    } else if (!parents->is(Kind::kArray)) {
      c.Error(parents->span, absl::StrCat("`parents` of entity `", uid->ToString(),
                                          "` must be an array, not ",
                                          Av(internal::JsonKindName(parents->kind))));
    } else {
      for (const JsonNode& p : parents->items) {
        std::optional<EntityUid> parent = c.ToEntityRef(p, /*allow_string=*/false);
        if (!parent) continue;
        if (is_action && !IsActionType(parent->type)) {
          c.Error(p.span, absl::StrCat("action `", uid->ToString(), "` has a non-action parent `",
                                       parent->ToString(), "`"));
          continue;
        }
        if (schema != nullptr) {
          if (std::optional<std::string> why = internal::CheckUid(*parent, *schema)) {
            c.Error(p.span, std::move(*why));
            continue;
          }
          if (def != nullptr) {
            if (std::optional<std::string> why =
                    internal::CheckParentType(*uid, *def, *parent, *schema)) {
              c.Error(p.span, std::move(*why));
              continue;
            }
          }
        }
        entity.parents.push_back(std::move(*parent));
      }
    }
    if (c.errors() != errors_before) continue;

    auto [it, inserted] = defined.try_emplace(*uid, uid_node->span);
    if (!inserted) {
      // Cedar accepts an entry that repeats an earlier one exactly, and
      // rejects one that differs.
      if (SameEntity(*entities.Find(*uid), entity)) {
        c.Warning(uid_node->span,
                  absl::StrCat("entity `", uid->ToString(), "` is listed twice; the entries are equal"),
                  absl::StrCat("first defined at ", c.Where(it->second)));
      } else {
        c.Error(uid_node->span, absl::StrCat("duplicate entity entry `", uid->ToString(), "`"),
                absl::StrCat("first defined at ", c.Where(it->second), ", with different contents"));
      }
      continue;
    }
    if (schema != nullptr && is_action) json_actions.emplace_back(*uid, uid_node->span);
    if (absl::Status s = entities.Add(std::move(entity)); !s.ok()) {
      c.Error(uid_node->span, std::string(s.message()));
    }
  }

  // Cedar rejects a hierarchy with a cycle (before the schema's actions,
  // whose hierarchy the schema has checked, join it).
  if (std::vector<EntityUid> cycle = entities.FindCycle(); !cycle.empty()) {
    std::string chain;
    for (const EntityUid& uid : cycle) absl::StrAppend(&chain, "`", uid.ToString(), "` in ");
    absl::StrAppend(&chain, "`", cycle.front().ToString(), "`");
    c.Error(defined[cycle.front()], absl::StrCat("the entity hierarchy has a cycle: ", chain),
            "Cedar rejects entities whose parents lead back to themselves");
    for (std::size_t i = 1; i < cycle.size(); ++i) {
      c.Note(defined[cycle[i]], absl::StrCat("`", cycle[i].ToString(), "`, on the cycle, is in `",
                                             cycle[(i + 1) % cycle.size()].ToString(), "`"));
    }
    return std::nullopt;
  }
  // A bounded depth (writ/limits.h): the engine keeps each entity's
  // ancestors, which a long chain makes quadratic in its length.
  if (const EntityUid* deep = entities.FindTooDeep(kMaxHierarchyDepth)) {
    c.Error(defined[*deep],
            absl::StrCat("the entity hierarchy is too deep: `", deep->ToString(), "` has a chain of more than ",
                         kMaxHierarchyDepth, " parents above it (writ's kMaxHierarchyDepth)"),
            "real hierarchies are a few levels deep; flatten the chain of parents");
    return std::nullopt;
  }

  if (schema != nullptr) {
    // An action entity in the JSON must be the schema's action exactly (no
    // attributes or tags, the same ancestors), as Cedar checks; the store
    // then holds the schema's actions, with their groups.
    for (const auto& [uid, span] : json_actions) {
      const internal::ActionDef* action = schema->FindAction(uid);
      if (action == nullptr) {
        c.Error(span, absl::StrCat("found action entity `", uid.ToString(),
                                   "`, but it is not declared as an action in the schema"));
        continue;
      }
      const Entity* e = entities.Find(uid);
      absl::flat_hash_set<EntityUid> want;
      if (auto it = schema->action_ancestors.find(uid); it != schema->action_ancestors.end()) {
        want.insert(it->second.begin(), it->second.end());
      }
      if (!e->attrs.empty() || !e->tags.empty() || AncestorsIn(entities, uid) != want) {
        std::vector<std::string> groups;
        for (const EntityUid& g : want) groups.push_back(absl::StrCat("`", g.ToString(), "`"));
        std::sort(groups.begin(), groups.end());
        c.Error(span,
                absl::StrCat("the definition of action `", uid.ToString(),
                             "` does not match its declaration in the schema"),
                absl::StrCat("in the schema it has no attributes or tags and is in ",
                             groups.empty() ? "no action group" : absl::StrJoin(groups, ", "),
                             "; leave it out of the entities, and the schema's is used"));
      }
    }
    for (const auto& [uid, action] : schema->actions) {
      if (entities.Find(uid) != nullptr) continue;
      Entity e;
      e.uid = uid;
      e.parents = action.member_of;
      if (absl::Status s = entities.Add(std::move(e)); !s.ok()) c.Error(root.span, std::string(s.message()));
    }
  }
  return entities;
}

// The rest of a request read through a schema: the context as the action's
// context type, then (with validate_request) Cedar's request validation,
// each problem at the field it is about.
std::optional<Request> SchemaRequest(Converter& c, const JsonNode& root, const SchemaData& schema,
                                     Request request) {
  const internal::ActionDef* action = schema.FindAction(request.action);
  if (action == nullptr) {
    c.Error(root.Find("action")->span,
            absl::StrCat("action `", request.action.ToString(), "` is not declared in the schema"),
            schema.actions.empty()
                ? std::string("the schema declares no actions")
                : absl::StrCat("the schema declares ", schema.actions.size(), " actions, e.g. `",
                               schema.actions.begin()->first.ToString(), "`"));
    return std::nullopt;
  }
  const bool validate = c.options().validate_request;
  const JsonNode* ctx = root.Find("context");
  if (ctx != nullptr) {
    if (!ctx->is(Kind::kObject)) {
      c.Error(ctx->span, absl::StrCat("`context` must be a record, not ",
                                      Av(internal::JsonKindName(ctx->kind))));
      return std::nullopt;
    }
    std::optional<Value> v = c.ToTypedRecord(*ctx, action->context, validate, "context");
    if (!v) return std::nullopt;
    if (validate && !c.UidsConform(*ctx, *v)) return std::nullopt;
    request.context = std::move(*v);
  } else if (std::optional<std::string> why =
                 internal::CheckValueType(request.context, action->context)) {
    c.Error(root.span, absl::StrCat("request has no `context`, but action `",
                                    request.action.ToString(), "` needs one: ", *why));
    return std::nullopt;
  }
  if (!validate) return request;
  using Part = internal::RequestProblem::Part;
  bool ok = true;
  for (const internal::RequestProblem& p :
       internal::CheckRequest(request, schema, /*check_context=*/false)) {
    std::string_view field = "context";
    switch (p.part) {
      case Part::kPrincipal: field = "principal"; break;
      case Part::kAction: field = "action"; break;
      case Part::kResource: field = "resource"; break;
      case Part::kContext: break;
    }
    const JsonNode* n = root.Find(field);
    c.Error(n != nullptr ? n->span : root.span, p.message);
    ok = false;
  }
  // Each identity of a chain is the principal of its own decision, and is
  // validated as one.
  if (const JsonNode* chain = root.Find("chain"); chain != nullptr && !request.chain.empty()) {
    Request one;
    one.action = request.action;
    one.resource = request.resource;
    for (std::size_t i = 0; i < request.chain.size(); ++i) {
      one.principal = request.chain[i];
      for (const internal::RequestProblem& p : internal::CheckRequest(one, schema, /*check_context=*/false)) {
        if (p.part != Part::kPrincipal) continue;
        c.Error(chain->items[i].span, absl::StrCat("in `chain`: ", p.message));
        ok = false;
      }
    }
  }
  if (!ok) return std::nullopt;
  return request;
}

// A request's `chain` (writ's): the identities the principal acts for,
// nearest first, each in any form `principal` takes; at most
// kMaxChainLength. False after reporting what is wrong.
bool ReadChain(Converter& c, const JsonNode& n, std::vector<EntityUid>* out) {
  static constexpr std::string_view kChainHint =
      "write \"chain\": [\"Agent::\\\"a\\\"\", \"User::\\\"alice\\\"\"]: the identities the principal acts "
      "for, nearest first";
  if (c.options().strict) {
    c.Error(n.span, "`chain` (the identities the principal acts for) is a writ extension, not Cedar",
            "remove it, or read without strict mode");
    return false;
  }
  if (!n.is(Kind::kArray)) {
    c.Error(n.span, absl::StrCat("`chain` must be an array of entity references, not ",
                                 Av(internal::JsonKindName(n.kind))),
            std::string(kChainHint));
    return false;
  }
  if (n.items.size() > kMaxChainLength) {
    c.Error(n.span, absl::StrCat("`chain` has ", n.items.size(), " identities; at most ", kMaxChainLength,
                                 " are allowed"));
    return false;
  }
  bool ok = true;
  out->reserve(n.items.size());
  for (const JsonNode& item : n.items) {
    if (std::optional<EntityUid> uid = c.ToEntityRef(item, /*allow_string=*/true)) {
      out->push_back(*std::move(uid));
    } else {
      ok = false;
    }
  }
  return ok;
}

// A chained request's context must leave `chain_position` to the chain
// (each identity's decision is given its place there). False after
// reporting it.
bool ChainContextFree(Converter& c, const JsonNode& root, const Request& request) {
  if (request.chain.empty() || !request.context.is(Value::Kind::kRecord) ||
      request.context.as_record().count(internal::kChainPositionAttribute) == 0) {
    return true;
  }
  Span where = root.span;
  if (const JsonNode* ctx = root.Find("context"); ctx != nullptr && ctx->is(Kind::kObject)) {
    where = ctx->span;
    for (std::size_t i = 0; i < ctx->keys.size(); ++i) {
      if (ctx->keys[i] == internal::kChainPositionAttribute) where = ctx->key_spans[i];
    }
  }
  c.Error(where,
          absl::StrCat("the context has `", internal::kChainPositionAttribute,
                       "`, which a request with a `chain` gives each identity's decision"),
          "rename the attribute");
  return false;
}

std::optional<Request> ConvertRequest(Converter& c, const JsonNode& root) {
  if (!root.is(Kind::kObject)) {
    c.Error(root.span, absl::StrCat("a request must be a JSON object, not ",
                                    Av(internal::JsonKindName(root.kind))),
            "write {\"principal\": .., \"action\": .., \"resource\": .., \"context\": {..}}");
    return std::nullopt;
  }
  for (std::size_t i = 0; i < root.keys.size(); ++i) {
    const std::string& k = root.keys[i];
    // `now` (the request time) and `chain` are writ's; the last five are the
    // expectations of Cedar's conformance tests.
    static constexpr std::string_view kKnown[] = {
        "principal", "action", "resource", "context",        "now",      "chain",
        "description", "decision", "reason", "errors", "validateRequest",
    };
    bool known = false;
    for (std::string_view name : kKnown) known = known || k == name;
    if (!known) {
      c.Error(root.key_spans[i], absl::StrCat("unknown request field `", Av(k), "`"),
              "a request has `principal`, `action`, `resource` and optionally `context`, `now` and `chain`");
    }
  }
  Request request;
  bool ok = true;
  for (auto [field, out] : {std::pair{"principal", &request.principal},
                            std::pair{"action", &request.action},
                            std::pair{"resource", &request.resource}}) {
    const JsonNode* n = root.Find(field);
    if (n == nullptr) {
      c.Error(root.span, absl::StrCat("request is missing `", field, "`"));
      ok = false;
    } else if (std::optional<EntityUid> uid = c.ToEntityRef(*n, /*allow_string=*/true)) {
      *out = std::move(*uid);
    } else {
      ok = false;
    }
  }
  if (const JsonNode* now = root.Find("now")) {
    if (c.options().strict) {
      c.Error(now->span, "`now` (the request time) is a writ extension, not Cedar",
              "remove it, or read without strict mode");
      ok = false;
    } else if (!now->is(Kind::kString)) {
      c.Error(now->span, "`now` must be an RFC 3339 time in a string",
              "for example \"now\": \"2026-11-22T12:00:00Z\"");
      ok = false;
    } else {
      std::variant<absl::Time, std::string> t = internal::ParseRfc3339(now->string);
      if (const std::string* why = std::get_if<std::string>(&t)) {
        c.Error(now->span, absl::StrCat("`now` must be an RFC 3339 time: ", *why),
                "for example \"now\": \"2026-11-22T12:00:00Z\"");
        ok = false;
      } else {
        request.now = std::get<absl::Time>(t);
      }
    }
  }
  if (const JsonNode* chain = root.Find("chain")) ok = ReadChain(c, *chain, &request.chain) && ok;
  const SchemaData* schema = c.schema();
  if (schema != nullptr) {
    if (!ok) return std::nullopt;
    std::optional<Request> read = SchemaRequest(c, root, *schema, std::move(request));
    if (!read || !ChainContextFree(c, root, *read)) return std::nullopt;
    return read;
  }
  if (const JsonNode* ctx = root.Find("context")) {
    if (std::optional<Value> v = c.ToValue(*ctx)) {
      if (v->is(Value::Kind::kRecord)) {
        request.context = std::move(*v);
      } else {
        c.Error(ctx->span, absl::StrCat("`context` must be a record, not ",
                                        Av(Value::KindName(v->kind()))));
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (!ok || !ChainContextFree(c, root, request)) return std::nullopt;
  return request;
}

}  // namespace

absl::StatusOr<Value> ValueFromJson(std::string_view json, std::string_view source_name,
                                    std::vector<Issue>* issues, const JsonOptions& options) {
  return Read<Value>(json, source_name, issues, options,
                     [](Converter& c, const JsonNode& root) { return c.ToValue(root); });
}

absl::StatusOr<Entities> EntitiesFromJson(std::string_view json, std::string_view source_name,
                                          std::vector<Issue>* issues, const JsonOptions& options) {
  return Read<Entities>(json, source_name, issues, options, ConvertEntities);
}

absl::StatusOr<EntityUid> EntityUidFromJson(std::string_view json, std::string_view source_name,
                                            std::vector<Issue>* issues) {
  return Read<EntityUid>(json, source_name, issues, JsonOptions{}, [](Converter& c, const JsonNode& root) {
    return c.ToEntityRef(root, /*allow_string=*/true);
  });
}

absl::StatusOr<Request> RequestFromJson(std::string_view json, std::string_view source_name,
                                        std::vector<Issue>* issues, const JsonOptions& options) {
  // The plain form, straight from the text; anything else (and every
  // mistake) through the tree.
  if (options.schema == nullptr && json.size() <= kMaxJsonBytes && !internal::FindInvalidUtf8(json)) {
    if (std::optional<Request> plain = internal::ReadPlainRequest(json)) return *std::move(plain);
  }
  return internal::RequestFromJsonTree(json, source_name, issues, options);
}

absl::Status DecideJson(const Engine& engine, std::string_view json, std::string_view source_name,
                        std::vector<Issue>* issues, Decision* out, const JsonOptions& options) {
  if (options.schema == nullptr && internal::DecidePlainJson(engine, json, out)) return absl::OkStatus();
  absl::StatusOr<Request> request = RequestFromJson(json, source_name, issues, options);
  if (!request.ok()) return request.status();
  engine.Decide(*request, out);
  return absl::OkStatus();
}

namespace internal {

absl::StatusOr<Request> RequestFromJsonTree(std::string_view json, std::string_view source_name,
                                            std::vector<Issue>* issues, const JsonOptions& options) {
  return Read<Request>(json, source_name, issues, options, ConvertRequest);
}

}  // namespace internal

}  // namespace writ
