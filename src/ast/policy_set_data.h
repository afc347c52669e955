// AST: what a PolicySet holds — its source texts and parsed policies, shared
// immutably between copies.
#ifndef WRIT_SRC_AST_POLICY_SET_DATA_H_
#define WRIT_SRC_AST_POLICY_SET_DATA_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "src/ast/ast.h"
#include "writ/policy_set.h"

namespace writ::internal {

struct PolicySource {
  std::string name;
  std::string text;
};

struct PolicySetData {
  std::vector<std::shared_ptr<const PolicySource>> sources;
  // Parsed policies and templates, and links (copies of their template
  // with the slots filled, Policy::link_of set), in the order they were added.
  std::vector<std::shared_ptr<const Policy>> policies;
  std::vector<TemplateLink> links;                        // as made, in order
  absl::flat_hash_map<std::string, std::size_t> by_id;    // index into `policies`
  // Templates by their `@id("...")` annotation: the Cedar CLI names
  // templates so, and a links file written for it may use the name.
  absl::flat_hash_map<std::string, std::size_t> templates_by_annotation;
  std::size_t parsed = 0;                                 // policies parsed from text: the next is policyN

  static const PolicySetData& Of(const PolicySet& set) { return *set.data_; }
};

// The template `link` names (by its id or its `@id`), its slots checked
// against the link's values, as PolicySet::Link checks them (Cedar's order
// and messages): its index in `policies`, or the error, with `part` set.
// The link id is not checked.
absl::StatusOr<std::size_t> FindLinkTemplate(const PolicySetData& data, const TemplateLink& link, LinkPart* part);

}  // namespace writ::internal

#endif  // WRIT_SRC_AST_POLICY_SET_DATA_H_
