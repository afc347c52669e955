// Load: template links — the Cedar CLI's `--template-linked` file (a JSON
// array of {"template_id", "link_id", "args": {"?principal": "T::\"id\"", ...}})
// applied to a policy set with PolicySet::Link, each mistake located in the
// JSON; and ReadLinkObject, one link object, which the grants reader shares.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/base/json_reader.h"
#include "src/base/source.h"
#include "src/base/strings.h"
#include "src/load/link_json.h"
#include "src/parse/parser.h"
#include "writ/load.h"

namespace writ {
namespace internal {

bool ReadLinkObject(const SourceFile& file, const JsonNode& item, std::string_view what, std::string_view fields,
                    const std::function<OtherKey(std::size_t)>& other, TemplateLink* link, LinkNodes* nodes,
                    std::vector<Issue>* issues) {
  bool item_ok = true;
  auto fail = [&](Span span, std::string message, std::string hint = "") {
    issues->push_back(file.MakeIssue(span, std::move(message), Severity::kError, std::move(hint)));
    item_ok = false;
  };
  if (!item.is(JsonNode::Kind::kObject)) {
    fail(item.span, absl::StrCat(Av(what), " is a JSON object, not ", Av(JsonKindName(item.kind))),
         std::string(kLinkShape));
    return false;
  }
  *nodes = LinkNodes{};
  for (std::size_t i = 0; i < item.keys.size(); ++i) {
    const std::string& key = item.keys[i];
    if (key == "template_id") {
      nodes->template_id = &item.items[i];
    } else if (key == "link_id") {
      nodes->link_id = &item.items[i];
    } else if (key == "args") {
      nodes->args = &item.items[i];
    } else {
      switch (other ? other(i) : OtherKey::kUnknown) {
        case OtherKey::kTaken:
          break;
        case OtherKey::kFailed:
          item_ok = false;
          break;
        case OtherKey::kUnknown:
          fail(item.key_spans[i], absl::StrCat("unknown field `", Av(key), "` in ", Av(what)), std::string(fields));
          break;
      }
    }
  }
  for (const auto& [name, node] : {std::pair<std::string_view, const JsonNode*>{"template_id", nodes->template_id},
                                   {"link_id", nodes->link_id},
                                   {"args", nodes->args}}) {
    if (node == nullptr) {
      fail(item.span, absl::StrCat("missing field `", Av(name), "`"), std::string(kLinkShape));
    } else if (name != "args" && !node->is(JsonNode::Kind::kString)) {
      fail(node->span, absl::StrCat("`", Av(name), "` is a string, not ", Av(JsonKindName(node->kind))));
    }
  }
  *link = TemplateLink{};
  if (const JsonNode* args = nodes->args) {
    if (!args->is(JsonNode::Kind::kObject)) {
      fail(args->span, absl::StrCat("`args` is an object of slots, not ", Av(JsonKindName(args->kind))),
           "\"args\": {\"?principal\": \"Type::\\\"id\\\"\", \"?resource\": \"Type::\\\"id\\\"\"}");
    } else {
      for (std::size_t i = 0; i < args->keys.size(); ++i) {
        const std::string& slot = args->keys[i];
        const JsonNode& value = args->items[i];
        std::optional<EntityUid>* target = slot == "?principal" ? &link->principal
                                           : slot == "?resource" ? &link->resource
                                                                 : nullptr;
        if (target == nullptr) {
          // Cedar: "Invalid SlotId! Expected ?principal|?resource, got: ..."
          fail(args->key_spans[i], absl::StrCat("invalid slot `", Av(slot), "`"),
               "the slots are ?principal and ?resource");
          continue;
        }
        if (!value.is(JsonNode::Kind::kString)) {
          fail(value.span, absl::StrCat("the value of `", Av(slot), "` is an entity uid string, not ",
                                        Av(JsonKindName(value.kind))),
               "an entity uid as in a policy: \"Type::\\\"id\\\"\"");
          continue;
        }
        *target = ParseEntityUid(value.string);
        if (!*target) {
          fail(value.span, absl::StrCat("`", Av(value.string), "` is not an entity uid"),
               "an entity uid as in a policy: \"Type::\\\"id\\\"\"");
        }
      }
    }
  }
  if (!item_ok) return false;
  link->template_id = nodes->template_id->string;
  link->link_id = nodes->link_id->string;
  return true;
}

}  // namespace internal

absl::Status AddTemplateLinks(std::string_view json, std::string_view source_name, PolicySet* policies,
                              std::vector<Issue>* issues) {
  using internal::JsonNode;
  std::vector<Issue> local;
  if (issues == nullptr) issues = &local;
  // As the Cedar CLI: an empty file holds no links.
  if (json.empty()) return absl::OkStatus();
  const internal::SourceFile file(source_name, json);
  std::optional<JsonNode> doc = internal::ReadJson(file, issues);
  if (!doc) return absl::InvalidArgumentError("the template links do not read");
  if (!doc->is(JsonNode::Kind::kArray)) {
    issues->push_back(file.MakeIssue(doc->span, absl::StrCat("template links are a JSON array of links, not ",
                                                             internal::Av(internal::JsonKindName(doc->kind))),
                                     Severity::kError, std::string(internal::kLinkShape)));
    return absl::InvalidArgumentError(issues->back().message);
  }
  bool ok = true;
  for (const JsonNode& item : doc->items) {
    TemplateLink link;
    internal::LinkNodes nodes;
    if (!internal::ReadLinkObject(file, item, "a link", "a link has template_id, link_id and args", {}, &link, &nodes,
                                  issues)) {
      ok = false;
      continue;
    }
    LinkPart part = LinkPart::kLinkId;
    if (absl::Status s = policies->Link(link, &part); !s.ok()) {
      const JsonNode* where = nodes.link_id;
      switch (part) {
        case LinkPart::kTemplateId: where = nodes.template_id; break;
        case LinkPart::kLinkId: where = nodes.link_id; break;
        case LinkPart::kArgs: where = nodes.args; break;
      }
      issues->push_back(file.MakeIssue(where->span, absl::StrCat("cannot link `", internal::Av(link.link_id), "`: ", s.message())));
      ok = false;
      if (s.code() == absl::StatusCode::kResourceExhausted) return s;
    }
  }
  if (!ok) return absl::InvalidArgumentError("the template links do not load");
  return absl::OkStatus();
}

}  // namespace writ
