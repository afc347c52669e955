// Validate: conformance of values, entities and requests to a schema, with
// Cedar's rules and messages that say what was expected and what was found.
#include "src/validate/conform.h"

#include <algorithm>
#include <cstddef>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/base/strings.h"
#include "writ/schema_check.h"

namespace writ::internal {
namespace {

constexpr std::size_t kMaxShownValueBytes = 60;

std::string_view ExtensionTypeOf(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kIp: return "ipaddr";
    case Value::Kind::kDecimal: return "decimal";
    case Value::Kind::kDatetime: return "datetime";
    case Value::Kind::kDuration: return "duration";
    case Value::Kind::kSpiffe: return "spiffe";
    case Value::Kind::kBool:
    case Value::Kind::kLong:
    case Value::Kind::kString:
    case Value::Kind::kEntity:
    case Value::Kind::kSet:
    case Value::Kind::kRecord: return "";
  }
  return "";
}

std::string Mismatch(const SchemaType& type, const Value& value) {
  return absl::StrCat("expected ", SchemaTypeToString(type), ", found ", DescribeValue(value));
}

// `a.b` for a nested attribute, `a[]` for an element of a set.
std::string JoinPath(std::string_view attr, std::string_view rest) {
  return rest.empty() ? std::string(attr) : absl::StrCat(Av(attr), rest.front() == '[' ? "" : ".", Av(rest));
}

// The mismatch inside `value` (path, message), or nullopt.
std::optional<std::pair<std::string, std::string>> Check(const Value& value, const SchemaType& type) {
  using K = SchemaType::Kind;
  switch (type.kind) {
    case K::kBool:
      if (value.is(Value::Kind::kBool)) return std::nullopt;
      return std::pair{std::string(), Mismatch(type, value)};
    case K::kLong:
      if (value.is(Value::Kind::kLong)) return std::nullopt;
      return std::pair{std::string(), Mismatch(type, value)};
    case K::kString:
      if (value.is(Value::Kind::kString)) return std::nullopt;
      return std::pair{std::string(), Mismatch(type, value)};
    case K::kEntity:
      if (value.is(Value::Kind::kEntity) && value.as_entity().type == type.name) return std::nullopt;
      return std::pair{std::string(), Mismatch(type, value)};
    case K::kExtension:
      if (ExtensionTypeOf(value.kind()) == type.name) return std::nullopt;
      return std::pair{std::string(), Mismatch(type, value)};
    case K::kSet:
      if (!value.is(Value::Kind::kSet)) return std::pair{std::string(), Mismatch(type, value)};
      if (type.element == nullptr) return std::nullopt;
      for (const Value& e : value.as_set()) {
        if (auto m = Check(e, *type.element)) {
          return std::pair{absl::StrCat("[]", m->first.empty() || m->first.front() == '[' ? "" : ".",
                                        m->first),
                           std::move(m->second)};
        }
      }
      return std::nullopt;
    case K::kRecord: {
      if (!value.is(Value::Kind::kRecord)) return std::pair{std::string(), Mismatch(type, value)};
      const Value::Record& record = value.as_record();
      for (const auto& [name, attr] : type.attributes) {
        if (attr.required && record.find(name) == record.end()) {
          return std::pair{std::string(),
                           absl::StrCat("expected ", SchemaTypeToString(type),
                                        ", but required attribute `", name, "` is missing")};
        }
      }
      for (const auto& [name, v] : record) {
        auto it = type.attributes.find(name);
        if (it == type.attributes.end()) {
          if (type.open) continue;
          return std::pair{std::string(),
                           absl::StrCat("expected ", SchemaTypeToString(type), ", but attribute `",
                                        name, "` is not declared")};
        }
        if (it->second.type == nullptr) continue;
        if (auto m = Check(v, *it->second.type)) {
          return std::pair{JoinPath(name, m->first), std::move(m->second)};
        }
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void CollectUids(const Value& value, std::vector<const EntityUid*>* out) {
  switch (value.kind()) {
    case Value::Kind::kEntity: out->push_back(&value.as_entity()); return;
    case Value::Kind::kSet:
      for (const Value& e : value.as_set()) CollectUids(e, out);
      return;
    case Value::Kind::kRecord:
      for (const auto& [k, v] : value.as_record()) CollectUids(v, out);
      return;
    case Value::Kind::kBool:
    case Value::Kind::kLong:
    case Value::Kind::kString:
    case Value::Kind::kIp:
    case Value::Kind::kDecimal:
    case Value::Kind::kDatetime:
    case Value::Kind::kDuration:
    case Value::Kind::kSpiffe: return;
  }
}

std::string TypeList(const std::vector<std::string>& types) {
  if (types.empty()) return "none";
  return absl::StrCat("[", absl::StrJoin(types, ", "), "]");
}

}  // namespace

bool IsActionType(std::string_view type) {
  std::size_t sep = type.rfind("::");
  return (sep == std::string_view::npos ? type : type.substr(sep + 2)) == "Action";
}

std::string SchemaTypeToString(const SchemaType& type) {
  using K = SchemaType::Kind;
  switch (type.kind) {
    case K::kBool: return "Bool";
    case K::kLong: return "Long";
    case K::kString: return "String";
    case K::kEntity:
    case K::kExtension: return type.name;
    case K::kSet:
      return absl::StrCat("Set<", type.element ? SchemaTypeToString(*type.element) : "?", ">");
    case K::kRecord: {
      std::vector<std::string> parts;
      for (const auto& [name, attr] : type.attributes) {
        parts.push_back(absl::StrCat(name, attr.required ? ": " : "?: ",
                                     attr.type ? SchemaTypeToString(*attr.type) : "?"));
      }
      if (type.open) parts.push_back("...");
      if (parts.empty()) return "{}";
      return absl::StrCat("{ ", absl::StrJoin(parts, ", "), " }");
    }
  }
  return "?";
}

std::string DescribeValue(const Value& value) {
  std::string shown = value.ToString();
  if (shown.size() > kMaxShownValueBytes) {
    std::size_t cut = kMaxShownValueBytes;
    while (cut > 0 && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) --cut;
    shown.resize(cut);
    shown += "...";
  }
  return absl::StrCat(Av(Value::KindName(value.kind())), " `", shown, "`");
}

std::optional<std::string> CheckValueType(const Value& value, const SchemaType& type) {
  auto m = Check(value, type);
  if (!m) return std::nullopt;
  if (m->first.empty()) return std::move(m->second);
  return absl::StrCat("in `", m->first, "`: ", m->second);
}

std::optional<std::string> CheckUid(const EntityUid& uid, const SchemaData& schema) {
  if (const EntityTypeDef* def = schema.FindEntityType(uid.type);
      def != nullptr && def->enum_ids.has_value()) {
    bool found = false;
    for (const std::string& id : *def->enum_ids) found = found || id == uid.id;
    if (!found) {
      std::vector<std::string> quoted;
      for (const std::string& id : *def->enum_ids) quoted.push_back(QuoteCedarString(id));
      return absl::StrCat("entity `", uid.ToString(), "` is of an enumerated entity type, but ",
                          QuoteCedarString(uid.id), " is not one of its ids [",
                          absl::StrJoin(quoted, ", "), "]");
    }
  }
  if (IsActionType(uid.type) && schema.FindAction(uid) == nullptr) {
    return absl::StrCat("action `", uid.ToString(), "` is not declared in the schema");
  }
  return std::nullopt;
}

std::optional<std::string> CheckUidsIn(const Value& value, const SchemaData& schema) {
  std::vector<const EntityUid*> uids;
  CollectUids(value, &uids);
  for (const EntityUid* uid : uids) {
    if (auto m = CheckUid(*uid, schema)) return m;
  }
  return std::nullopt;
}

std::optional<std::string> CheckParentType(const EntityUid& child, const EntityTypeDef& def,
                                           const EntityUid& parent, const SchemaData& schema) {
  auto it = schema.ancestor_types.find(def.name);
  if (it != schema.ancestor_types.end() && it->second.count(parent.type) > 0) return std::nullopt;
  return absl::StrCat("`", child.ToString(), "` may not have a parent of type `", parent.type,
                      "`: the schema makes `", def.name, "` a member of ",
                      TypeList(def.member_of), it == schema.ancestor_types.end() || it->second.empty()
                                                   ? ""
                                                   : absl::StrCat(" (transitively: ",
                                                                  absl::StrJoin(it->second, ", "), ")"));
}

std::vector<std::string> CheckEntity(const Entity& entity, const SchemaData& schema) {
  std::vector<std::string> out;
  const std::string uid = entity.uid.ToString();
  if (IsActionType(entity.uid.type)) {
    const ActionDef* action = schema.FindAction(entity.uid);
    if (action == nullptr) {
      out.push_back(absl::StrCat("found action entity `", uid,
                                 "`, but it is not declared as an action in the schema"));
      return out;
    }
    if (!entity.attrs.empty() || !entity.tags.empty()) {
      out.push_back(absl::StrCat("action `", uid, "` has attributes or tags; actions have none"));
    }
    for (const EntityUid& p : entity.parents) {
      if (!IsActionType(p.type)) {
        out.push_back(absl::StrCat("action `", uid, "` has a non-action parent `", p.ToString(), "`"));
      } else if (auto m = CheckUid(p, schema)) {
        out.push_back(std::move(*m));
      }
    }
    return out;
  }
  const EntityTypeDef* def = schema.FindEntityType(entity.uid.type);
  if (def == nullptr) {
    out.push_back(absl::StrCat("entity `", uid, "` has type `", entity.uid.type,
                               "`, which is not declared in the schema"));
    return out;
  }
  if (auto m = CheckUid(entity.uid, schema)) out.push_back(std::move(*m));
  for (const auto& [name, attr] : def->shape.attributes) {
    if (attr.required && entity.attrs.find(name) == entity.attrs.end()) {
      out.push_back(absl::StrCat("entity `", uid, "` is missing the required attribute `", name, "`"));
    }
  }
  for (const auto& [name, v] : entity.attrs) {
    auto it = def->shape.attributes.find(name);
    if (it == def->shape.attributes.end()) {
      if (!def->shape.open) {
        out.push_back(absl::StrCat("attribute `", name, "` of `", uid,
                                   "` is not declared for type `", def->name, "`"));
      }
    } else if (it->second.type != nullptr) {
      if (auto m = CheckValueType(v, *it->second.type)) {
        out.push_back(absl::StrCat("attribute `", name, "` of `", uid, "`: ", *m));
      }
    }
    if (auto m = CheckUidsIn(v, schema)) out.push_back(absl::StrCat("attribute `", name, "` of `", uid, "`: ", *m));
  }
  for (const EntityUid& p : entity.parents) {
    if (auto m = CheckUid(p, schema)) out.push_back(std::move(*m));
    if (auto m = CheckParentType(entity.uid, *def, p, schema)) out.push_back(std::move(*m));
  }
  for (const auto& [name, v] : entity.tags) {
    if (def->tags == nullptr) {
      out.push_back(absl::StrCat("entity `", uid, "` has tag `", name, "`, but type `", def->name,
                                 "` declares no tags"));
      break;
    }
    if (auto m = CheckValueType(v, *def->tags)) {
      out.push_back(absl::StrCat("tag `", name, "` of `", uid, "`: ", *m));
    }
    if (auto m = CheckUidsIn(v, schema)) out.push_back(absl::StrCat("tag `", name, "` of `", uid, "`: ", *m));
  }
  return out;
}

std::vector<RequestProblem> CheckRequest(const Request& request, const SchemaData& schema,
                                         bool check_context) {
  using Part = RequestProblem::Part;
  std::vector<RequestProblem> out;
  auto check_scope = [&](Part part, std::string_view role, const EntityUid& uid) {
    if (schema.FindEntityType(uid.type) == nullptr) {
      out.push_back({part, absl::StrCat(Av(role), " `", uid.ToString(), "` has type `", uid.type,
                                        "`, which is not declared in the schema")});
      return false;
    }
    if (auto m = CheckUid(uid, schema)) {
      out.push_back({part, std::move(*m)});
      return false;
    }
    return true;
  };
  const bool principal_ok = check_scope(Part::kPrincipal, "principal", request.principal);
  const bool resource_ok = check_scope(Part::kResource, "resource", request.resource);
  const ActionDef* action = schema.FindAction(request.action);
  if (action == nullptr) {
    out.push_back({Part::kAction, absl::StrCat("action `", request.action.ToString(),
                                               "` is not declared in the schema")});
    return out;
  }
  auto applies = [](const std::vector<std::string>& types, const std::string& type) {
    for (const std::string& t : types) {
      if (t == type) return true;
    }
    return false;
  };
  if (principal_ok && !applies(action->principal_types, request.principal.type)) {
    out.push_back({Part::kPrincipal,
                   absl::StrCat("principal type `", request.principal.type,
                                "` is not valid for action `", request.action.ToString(),
                                "`: it applies to principals of type ",
                                TypeList(action->principal_types))});
  }
  if (resource_ok && !applies(action->resource_types, request.resource.type)) {
    out.push_back({Part::kResource,
                   absl::StrCat("resource type `", request.resource.type,
                                "` is not valid for action `", request.action.ToString(),
                                "`: it applies to resources of type ",
                                TypeList(action->resource_types))});
  }
  if (check_context) {
    if (auto m = CheckUidsIn(request.context, schema)) {
      out.push_back({Part::kContext, absl::StrCat("context: ", *m)});
    } else if (auto m = CheckValueType(request.context, action->context)) {
      out.push_back({Part::kContext, absl::StrCat("context of action `", request.action.ToString(),
                                                  "`: ", *m)});
    }
  }
  return out;
}

}  // namespace writ::internal

namespace writ {

absl::Status ValidateRequest(const Schema& schema, const Request& request) {
  std::vector<internal::RequestProblem> problems =
      internal::CheckRequest(request, internal::SchemaData::Of(schema));
  if (problems.empty()) return absl::OkStatus();
  std::vector<std::string> messages;
  for (const internal::RequestProblem& p : problems) messages.push_back(p.message);
  return absl::InvalidArgumentError(
      absl::StrCat("request does not conform to the schema: ", absl::StrJoin(messages, "; ")));
}

absl::Status ValidateEntities(const Schema& schema, const Entities& entities) {
  constexpr std::size_t kMaxReported = 5;
  const internal::SchemaData& data = internal::SchemaData::Of(schema);
  // In uid order, so that the message does not depend on the hash map's.
  std::vector<const Entity*> sorted;
  sorted.reserve(entities.size());
  for (const auto& [uid, e] : entities) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(),
            [](const Entity* a, const Entity* b) { return a->uid < b->uid; });
  std::vector<std::string> messages;
  for (const Entity* e : sorted) {
    for (std::string& m : internal::CheckEntity(*e, data)) {
      if (messages.size() < kMaxReported) messages.push_back(std::move(m));
    }
  }
  if (messages.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("entities do not conform to the schema: ", absl::StrJoin(messages, "; ")));
}

}  // namespace writ
