// Load: grants files (writ/grants.h) — the Cedar CLI's links format plus
// writ's grant fields (a window, owner, reason, task), each mistake located
// in the JSON; one link object is read as the template links reader reads
// it (ReadLinkObject, links.cc). And their JSON form, written back.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "src/base/json_reader.h"
#include "src/base/rfc3339.h"
#include "src/base/source.h"
#include "src/base/strings.h"
#include "src/json/decision_json.h"
#include "src/load/link_json.h"
#include "writ/grants.h"
#include "writ/limits.h"

namespace writ {
namespace {

using internal::Av;
using internal::JsonNode;

constexpr std::string_view kGrantFields =
    "a grant has template_id, link_id, args, not_before, expires, owner, reason and task";
constexpr std::string_view kGrantShape =
    "a grant is {\"template_id\": \"policy0\", \"link_id\": \"grant-17\", \"args\": {\"?principal\": "
    "\"Type::\\\"id\\\"\"}, \"expires\": \"2026-12-31T23:59:59Z\", \"task\": \"CHG-1\"}";

// Reads one element of a grants array. `link_id_node` is where its link id
// was read (for the duplicate check); null when the grant fails.
bool ReadGrantObject(const internal::SourceFile& file, const JsonNode& item, const ParseOptions& options, Grant* grant,
                     const JsonNode** link_id_node, std::vector<Issue>* issues) {
  *link_id_node = nullptr;
  *grant = Grant{};
  const JsonNode* not_before = nullptr;
  const JsonNode* expires = nullptr;
  auto fail = [&](internal::Span span, std::string message, std::string hint = "") {
    issues->push_back(file.MakeIssue(span, std::move(message), Severity::kError, std::move(hint)));
  };
  auto other = [&](std::size_t i) -> internal::OtherKey {
    const std::string& key = item.keys[i];
    const JsonNode& value = item.items[i];
    std::string* text = key == "owner"    ? &grant->owner
                        : key == "reason" ? &grant->reason
                        : key == "task"   ? &grant->task
                                          : nullptr;
    const bool is_time = key == "not_before" || key == "expires";
    if (text == nullptr && !is_time) return internal::OtherKey::kUnknown;
    if (options.strict) {
      fail(item.key_spans[i],
           absl::StrCat("`", Av(key), "` is a writ grant field: strict mode reads only Cedar's links format"),
           "leave it out, or read without --strict");
      return internal::OtherKey::kFailed;
    }
    if (!value.is(JsonNode::Kind::kString)) {
      fail(value.span, absl::StrCat("`", Av(key), "` is a string, not ", Av(internal::JsonKindName(value.kind))),
           is_time ? absl::StrCat("an RFC 3339 time, e.g. \"", Av(internal::kRfc3339Example), "\"") : "");
      return internal::OtherKey::kFailed;
    }
    if (is_time) {
      (key == "expires" ? expires : not_before) = &value;
      return internal::OtherKey::kTaken;
    }
    if (value.string.size() > kMaxGrantFieldBytes) {
      fail(value.span, absl::StrCat("`", Av(key), "` is longer than ", kMaxGrantFieldBytes, " bytes"));
      return internal::OtherKey::kFailed;
    }
    *text = value.string;
    return internal::OtherKey::kTaken;
  };
  internal::LinkNodes nodes;
  bool ok = internal::ReadLinkObject(file, item, "a grant", kGrantFields, other, &grant->link, &nodes, issues);
  for (auto [node, target] : {std::pair<const JsonNode*, std::optional<absl::Time>*>{not_before, &grant->not_before},
                              {expires, &grant->expires}}) {
    if (node == nullptr) continue;
    std::variant<absl::Time, std::string> t = internal::ParseRfc3339(node->string);
    if (const std::string* why = std::get_if<std::string>(&t)) {
      fail(node->span, absl::StrCat("`", Av(node->string), "` is not an RFC 3339 time: ", Av(*why)),
           absl::StrCat("e.g. \"", Av(internal::kRfc3339Example), "\""));
      ok = false;
    } else {
      *target = std::get<absl::Time>(t);
    }
  }
  if (grant->not_before && grant->expires && *grant->expires <= *grant->not_before) {
    fail(expires->span, "the grant's window is empty: `expires` is not after `not_before`");
    ok = false;
  }
  if (!ok) return false;
  if (grant->link.link_id.empty()) {
    fail(nodes.link_id->span, "a grant's `link_id` is empty");
    return false;
  }
  if (grant->link.link_id.size() > kMaxGrantFieldBytes) {
    fail(nodes.link_id->span, absl::StrCat("`link_id` is longer than ", kMaxGrantFieldBytes, " bytes"));
    return false;
  }
  *link_id_node = nodes.link_id;
  return true;
}

// RFC 3339 in UTC, with as many fraction digits as the time has (none for
// whole seconds), so that reading it back gives the same time.
std::string Rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone()); }

}  // namespace

absl::StatusOr<std::vector<Grant>> ReadGrants(std::string_view json, std::string_view source_name,
                                              const ParseOptions& options, std::vector<Issue>* issues) {
  std::vector<Issue> local;
  if (issues == nullptr) issues = &local;
  std::vector<Grant> out;
  if (json.empty()) return out;   // as a links file: no grants
  const internal::SourceFile file(source_name, json);
  std::optional<JsonNode> doc = internal::ReadJson(file, issues);
  if (!doc) return absl::InvalidArgumentError("the grants do not read");
  if (!doc->is(JsonNode::Kind::kArray)) {
    issues->push_back(file.MakeIssue(doc->span,
                                     absl::StrCat("grants are a JSON array of grants, not ",
                                                  Av(internal::JsonKindName(doc->kind))),
                                     Severity::kError, std::string(kGrantShape)));
    return absl::InvalidArgumentError(issues->back().message);
  }
  if (doc->items.size() > kMaxGrants) {
    issues->push_back(file.MakeIssue(doc->span, absl::StrCat("more than ", kMaxGrants, " grants")));
    return absl::ResourceExhaustedError(issues->back().message);
  }
  bool ok = true;
  // Link id -> where it was first read.
  absl::flat_hash_map<std::string, internal::Span> seen;
  for (const JsonNode& item : doc->items) {
    Grant grant;
    const JsonNode* link_id = nullptr;
    if (!ReadGrantObject(file, item, options, &grant, &link_id, issues)) {
      ok = false;
      continue;
    }
    auto [it, inserted] = seen.try_emplace(grant.link.link_id, link_id->span);
    if (!inserted) {
      issues->push_back(file.MakeIssue(
          link_id->span,
          absl::StrCat("duplicate link id `", Av(grant.link.link_id), "`: a grant at ", file.LineOf(it->second.begin),
                       ":", file.ColumnOf(it->second.begin), " has it"),
          Severity::kError, "each grant's link_id is its own"));
      ok = false;
      continue;
    }
    out.push_back(std::move(grant));
  }
  if (!ok) return absl::InvalidArgumentError("the grants do not load");
  return out;
}

namespace internal {

absl::StatusOr<Grant> ReadOneGrant(std::string_view json, std::string_view source_name, const ParseOptions& options,
                                   std::vector<Issue>* issues) {
  std::vector<Issue> local;
  if (issues == nullptr) issues = &local;
  const SourceFile file(source_name, json);
  std::optional<JsonNode> doc = ReadJson(file, issues);
  if (!doc) return absl::InvalidArgumentError("the grant does not read");
  Grant grant;
  const JsonNode* link_id = nullptr;
  if (!ReadGrantObject(file, *doc, options, &grant, &link_id, issues)) {
    return absl::InvalidArgumentError("the grant does not load");
  }
  return grant;
}

}  // namespace internal

std::string GrantToJson(const Grant& grant) {
  std::string out = "{\"template_id\":";
  internal::AppendJsonString(&out, grant.link.template_id);
  out += ",\"link_id\":";
  internal::AppendJsonString(&out, grant.link.link_id);
  out += ",\"args\":{";
  bool first = true;
  for (const auto& [slot, uid] : {std::pair<std::string_view, const std::optional<EntityUid>*>{"?principal", &grant.link.principal},
                                  {"?resource", &grant.link.resource}}) {
    if (!uid->has_value()) continue;
    if (!first) out += ",";
    first = false;
    internal::AppendJsonString(&out, slot);
    out += ":";
    internal::AppendJsonString(&out, (*uid)->ToString());
  }
  out += "}";
  if (grant.not_before) absl::StrAppend(&out, ",\"not_before\":\"", Rfc3339(*grant.not_before), "\"");
  if (grant.expires) absl::StrAppend(&out, ",\"expires\":\"", Rfc3339(*grant.expires), "\"");
  for (const auto& [name, value] : {std::pair<std::string_view, const std::string*>{"owner", &grant.owner},
                                    {"reason", &grant.reason},
                                    {"task", &grant.task}}) {
    if (value->empty()) continue;
    absl::StrAppend(&out, ",\"", Av(name), "\":");
    internal::AppendJsonString(&out, *value);
  }
  out += "}";
  return out;
}

std::string GrantsToJson(const std::vector<Grant>& grants) {
  // One grant a line, so that a person (or diff) can read the file.
  if (grants.empty()) return "[]\n";
  std::string out = "[\n";
  for (std::size_t i = 0; i < grants.size(); ++i) {
    absl::StrAppend(&out, "  ", GrantToJson(grants[i]), i + 1 < grants.size() ? ",\n" : "\n");
  }
  out += "]\n";
  return out;
}

}  // namespace writ
