// Load: one link object of a links file read from its JSON tree — the
// Cedar CLI's {"template_id", "link_id", "args"} — shared by the template
// links reader (links.cc) and the grants reader (grants.cc), which adds its
// own fields; and one grant alone, for writ serve's admin API.
#ifndef WRIT_SRC_LOAD_LINK_JSON_H_
#define WRIT_SRC_LOAD_LINK_JSON_H_

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "src/base/json_reader.h"
#include "src/base/source.h"
#include "absl/status/statusor.h"
#include "writ/grants.h"
#include "writ/issue.h"
#include "writ/policy_set.h"

namespace writ::internal {

// The shape of a link, for hints.
inline constexpr std::string_view kLinkShape =
    "a link is {\"template_id\": \"policy0\", \"link_id\": \"...\", \"args\": {\"?principal\": \"Type::\\\"id\\\"\"}}";

// Where each part of a link was read, to locate a later refusal.
struct LinkNodes {
  const JsonNode* template_id = nullptr;
  const JsonNode* link_id = nullptr;
  const JsonNode* args = nullptr;
};

// What a reader says of a member other than template_id, link_id and args.
enum class OtherKey : std::uint8_t {
  kTaken,     // it is the reader's: read (or reported) by it
  kFailed,    // the reader reported an issue about it: the object fails
  kUnknown,   // not the reader's: reported as an unknown field here
};

// Reads `item` (an element of a links array) into `link`: every mistake is
// an issue located in `file`, and the result is false. `what` names the
// object in messages ("a link", "a grant"); `other` is asked about each
// member not of Cedar's three (its index in item.keys), and may be empty
// (every such member is then unknown); `fields` lists the members a
// `what` has, for the unknown-field hint.
bool ReadLinkObject(const SourceFile& file, const JsonNode& item, std::string_view what, std::string_view fields,
                    const std::function<OtherKey(std::size_t)>& other, TemplateLink* link, LinkNodes* nodes,
                    std::vector<Issue>* issues);

// The grants reader (grants.cc) for one grant object alone, `json` being
// that object (writ serve's POST /v1/grants body): every mistake an issue
// located in it, as ReadGrants locates them in a file.
absl::StatusOr<Grant> ReadOneGrant(std::string_view json, std::string_view source_name, const ParseOptions& options,
                                   std::vector<Issue>* issues);

}  // namespace writ::internal

#endif  // WRIT_SRC_LOAD_LINK_JSON_H_
