// Load: template links — the Cedar CLI's `--template-linked` file (a JSON
// array of {"template_id", "link_id", "args": {"?principal": "T::\"id\"", ...}})
// applied to a policy set with PolicySet::Link, each mistake located in the
// JSON.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/base/json_reader.h"
#include "src/base/source.h"
#include "src/base/strings.h"
#include "src/parse/parser.h"
#include "writ/load.h"

namespace writ {
namespace {

using internal::JsonNode;

constexpr std::string_view kShape =
    "a link is {\"template_id\": \"policy0\", \"link_id\": \"...\", \"args\": {\"?principal\": \"Type::\\\"id\\\"\"}}";

}  // namespace

absl::Status AddTemplateLinks(std::string_view json, std::string_view source_name, PolicySet* policies,
                              std::vector<Issue>* issues) {
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
                                     Severity::kError, std::string(kShape)));
    return absl::InvalidArgumentError(issues->back().message);
  }
  bool ok = true;
  auto fail = [&](internal::Span span, std::string message, std::string hint = "") {
    issues->push_back(file.MakeIssue(span, std::move(message), Severity::kError, std::move(hint)));
    ok = false;
  };
  for (const JsonNode& item : doc->items) {
    if (!item.is(JsonNode::Kind::kObject)) {
      fail(item.span, absl::StrCat("a link is a JSON object, not ", internal::Av(internal::JsonKindName(item.kind))),
           std::string(kShape));
      continue;
    }
    const JsonNode* template_id = nullptr;
    const JsonNode* link_id = nullptr;
    const JsonNode* args = nullptr;
    bool item_ok = true;
    for (std::size_t i = 0; i < item.keys.size(); ++i) {
      const std::string& key = item.keys[i];
      if (key == "template_id") {
        template_id = &item.items[i];
      } else if (key == "link_id") {
        link_id = &item.items[i];
      } else if (key == "args") {
        args = &item.items[i];
      } else {
        fail(item.key_spans[i], absl::StrCat("unknown field `", internal::Av(key), "` in a link"),
             "a link has template_id, link_id and args");
        item_ok = false;
      }
    }
    for (const auto& [name, node] : {std::pair<std::string_view, const JsonNode*>{"template_id", template_id},
                                     {"link_id", link_id},
                                     {"args", args}}) {
      if (node == nullptr) {
        fail(item.span, absl::StrCat("missing field `", internal::Av(name), "`"), std::string(kShape));
        item_ok = false;
      } else if (name != "args" && !node->is(JsonNode::Kind::kString)) {
        fail(node->span, absl::StrCat("`", internal::Av(name), "` is a string, not ", internal::Av(internal::JsonKindName(node->kind))));
        item_ok = false;
      }
    }
    TemplateLink link;
    if (args != nullptr) {
      if (!args->is(JsonNode::Kind::kObject)) {
        fail(args->span, absl::StrCat("`args` is an object of slots, not ", internal::Av(internal::JsonKindName(args->kind))),
             "\"args\": {\"?principal\": \"Type::\\\"id\\\"\", \"?resource\": \"Type::\\\"id\\\"\"}");
        item_ok = false;
      } else {
        for (std::size_t i = 0; i < args->keys.size(); ++i) {
          const std::string& slot = args->keys[i];
          const JsonNode& value = args->items[i];
          std::optional<EntityUid>* target = slot == "?principal" ? &link.principal
                                             : slot == "?resource" ? &link.resource
                                                                   : nullptr;
          if (target == nullptr) {
            // Cedar: "Invalid SlotId! Expected ?principal|?resource, got: ..."
            fail(args->key_spans[i], absl::StrCat("invalid slot `", internal::Av(slot), "`"),
                 "the slots are ?principal and ?resource");
            item_ok = false;
            continue;
          }
          if (!value.is(JsonNode::Kind::kString)) {
            fail(value.span, absl::StrCat("the value of `", internal::Av(slot), "` is an entity uid string, not ",
                                          internal::Av(internal::JsonKindName(value.kind))),
                 "an entity uid as in a policy: \"Type::\\\"id\\\"\"");
            item_ok = false;
            continue;
          }
          *target = internal::ParseEntityUid(value.string);
          if (!*target) {
            fail(value.span, absl::StrCat("`", internal::Av(value.string), "` is not an entity uid"),
                 "an entity uid as in a policy: \"Type::\\\"id\\\"\"");
            item_ok = false;
          }
        }
      }
    }
    if (!item_ok) continue;
    link.template_id = template_id->string;
    link.link_id = link_id->string;
    LinkPart part = LinkPart::kLinkId;
    if (absl::Status s = policies->Link(link, &part); !s.ok()) {
      const JsonNode* where = link_id;
      switch (part) {
        case LinkPart::kTemplateId: where = template_id; break;
        case LinkPart::kLinkId: where = link_id; break;
        case LinkPart::kArgs: where = args; break;
      }
      fail(where->span, absl::StrCat("cannot link `", internal::Av(link.link_id), "`: ", s.message()));
      if (s.code() == absl::StatusCode::kResourceExhausted) return s;
    }
  }
  if (!ok) return absl::InvalidArgumentError("the template links do not load");
  return absl::OkStatus();
}

}  // namespace writ
