// JSON forms, reading: Cedar's schemaless JSON -> values, entity references,
// entities and requests, over the located tree built by json_reader. Every
// mistake becomes an issue at the offending key or value.
#include "writ/json.h"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "src/base/source.h"
#include "src/base/strings.h"
#include "src/ext/extensions.h"
#include "src/base/json_reader.h"
#include "src/parse/parser.h"
#include "writ/limits.h"

namespace writ {
namespace {

using internal::Av;
using internal::JsonNode;
using internal::SourceFile;
using internal::Span;
using Kind = JsonNode::Kind;

constexpr std::size_t kMaxShownJsonBytes = 80;
constexpr std::string_view kEntityRefHint =
    "an entity reference is written {\"type\": \"User\", \"id\": \"alice\"} or "
    "{\"__entity\": {\"type\": \"User\", \"id\": \"alice\"}}";

// Cedar's rule (EntityType::is_action): the type's last name is `Action`.
bool IsActionType(std::string_view type) {
  std::size_t sep = type.rfind("::");
  return (sep == std::string_view::npos ? type : type.substr(sep + 2)) == "Action";
}

// Turns JsonNodes into Cedar values, collecting issues as it goes; a
// conversion that failed returns nullopt after reporting why.
class Converter {
 public:
  Converter(const SourceFile& file, std::vector<Issue>* issues, const JsonOptions& options)
      : file_(file), issues_(issues), options_(options) {}

  const JsonOptions& options() const { return options_; }

  int errors() const { return errors_; }

  void Error(Span span, std::string message, std::string hint = {}) {
    ++errors_;
    issues_->push_back(file_.MakeIssue(span, std::move(message), Severity::kError, std::move(hint)));
  }
  void Warning(Span span, std::string message, std::string hint = {}) {
    issues_->push_back(
        file_.MakeIssue(span, std::move(message), Severity::kWarning, std::move(hint)));
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

 private:
  std::optional<Value> ObjectToValue(const JsonNode& n) {
    // The escapes are objects with exactly one key (Cedar 4.5+).
    if (n.keys.size() == 1) {
      const std::string& key = n.keys[0];
      const JsonNode& body = n.items[0];
      if (key == "__extn") {
        if (body.is(Kind::kObject) && body.keys.size() >= 2) {
          const JsonNode* fn = body.Find("fn");
          if (fn != nullptr && fn->is(Kind::kString)) {
            if (const JsonNode* arg = body.Find("arg")) {
              return CallExtension(arg->span, *fn, {arg});
            }
            if (const JsonNode* args = body.Find("args");
                args != nullptr && args->is(Kind::kArray)) {
              std::vector<const JsonNode*> list;
              for (const JsonNode& a : args->items) list.push_back(&a);
              return CallExtension(args->span, *fn, list);
            }
          }
        }
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
    if (options_.implicit_entity_refs && n.keys.size() == 2) {
      const JsonNode* type = n.Find("type");
      const JsonNode* id = n.Find("id");
      if (type != nullptr && type->is(Kind::kString) && id != nullptr && id->is(Kind::kString)) {
        std::optional<EntityUid> uid = TypeAndId(n);
        if (!uid) return std::nullopt;
        return Value::Entity(std::move(*uid));
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

std::optional<Entities> ConvertEntities(Converter& c, const JsonNode& root) {
  if (!root.is(Kind::kArray)) {
    c.Error(root.span,
            absl::StrCat("entities must be a JSON array of entity objects, not ",
                         Av(internal::JsonKindName(root.kind))),
            "write [{\"uid\": {..}, \"attrs\": {..}, \"parents\": [..]}, ...]");
    return std::nullopt;
  }
  Entities entities;
  absl::flat_hash_map<EntityUid, Span> defined;
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

    auto read_record = [&](std::string_view field, bool required, Value::Record* out) {
      const JsonNode* n = item.Find(field);
      if (n == nullptr) {
        if (required) {
          c.Error(item.span, absl::StrCat("entity `", uid->ToString(), "` is missing `",
                                          Av(field), "`"),
                  absl::StrCat("write \"", Av(field), "\": {} when it has none"));
        }
        return;
      }
      if (!n->is(Kind::kObject)) {
        c.Error(n->span, absl::StrCat("`", Av(field), "` of entity `", uid->ToString(),
                                      "` must be an object, not ",
                                      Av(internal::JsonKindName(n->kind))));
        return;
      }
      for (std::size_t i = 0; i < n->keys.size(); ++i) {
        if (std::optional<Value> v = c.ToValue(n->items[i])) out->emplace(n->keys[i], std::move(*v));
      }
    };
    read_record("attrs", /*required=*/true, &entity.attrs);
    read_record("tags", /*required=*/false, &entity.tags);

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
        if (IsActionType(uid->type) && !IsActionType(parent->type)) {
          c.Error(p.span, absl::StrCat("action `", uid->ToString(), "` has a non-action parent `",
                                       parent->ToString(), "`"));
          continue;
        }
        entity.parents.push_back(std::move(*parent));
      }
    }
    if (c.errors() != errors_before) continue;

    auto [it, inserted] = defined.try_emplace(*uid, uid_node->span);
    if (!inserted) {
      c.Error(uid_node->span, absl::StrCat("duplicate entity entry `", uid->ToString(), "`"),
              absl::StrCat("first defined at ", c.Where(it->second)));
      continue;
    }
    if (absl::Status s = entities.Add(std::move(entity)); !s.ok()) {
      c.Error(uid_node->span, std::string(s.message()));
    }
  }
  return entities;
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
    // `now` is writ's request time; the last five are the expectations of
    // Cedar's conformance tests.
    static constexpr std::string_view kKnown[] = {
        "principal", "action", "resource", "context",        "now",
        "description", "decision", "reason", "errors", "validateRequest",
    };
    bool known = false;
    for (std::string_view name : kKnown) known = known || k == name;
    if (!known) {
      c.Error(root.key_spans[i], absl::StrCat("unknown request field `", Av(k), "`"),
              "a request has `principal`, `action`, `resource` and optionally `context` and `now`");
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
    absl::Time t;
    std::string why;
    if (c.options().strict) {
      c.Error(now->span, "`now` (the request time) is a writ extension, not Cedar",
              "remove it, or read without strict mode");
      ok = false;
    } else if (now->is(Kind::kString) && absl::ParseTime(absl::RFC3339_full, now->string, &t, &why)) {
      request.now = t;
    } else {
      c.Error(now->span, "`now` must be an RFC 3339 time in a string",
              "for example \"now\": \"2026-11-22T12:00:00Z\"");
      ok = false;
    }
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
  if (!ok) return std::nullopt;
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
  return Read<Request>(json, source_name, issues, options, ConvertRequest);
}

}  // namespace writ
