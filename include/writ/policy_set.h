// writ/policy_set.h — a set of parsed Cedar policies, each with its id.
//
// Example:
//   writ::PolicySet policies;
//   std::vector<writ::Issue> issues;
//   if (absl::Status s = policies.Add(text, "app.cedar", &issues); !s.ok()) {
//     std::cerr << writ::RenderIssues(issues);
//   }
#ifndef WRIT_POLICY_SET_H_
#define WRIT_POLICY_SET_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <optional>

#include "absl/status/status.h"
#include "writ/issue.h"
#include "writ/limits.h"
#include "writ/value.h"

namespace writ {

namespace internal {
struct PolicySetData;
}

enum class Effect : std::uint8_t { kPermit, kForbid };

struct ParseOptions {
  // Pure Cedar: reject writ's workload extensions.
  bool strict = false;
};

// Read-only facts about one policy.
struct PolicyInfo {
  std::string id;
  Effect effect = Effect::kPermit;
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  bool is_template = false;
  // A template-linked policy: the id of its template ("" otherwise). Its
  // file, line and column are its template's.
  std::string template_id;
};

// A link of a template (Cedar's template-linked policy): the template's id,
// the new policy's id, and a value for each of the template's slots.
struct TemplateLink {
  std::string template_id;
  std::string link_id;
  std::optional<EntityUid> principal;   // ?principal
  std::optional<EntityUid> resource;    // ?resource

  friend bool operator==(const TemplateLink&, const TemplateLink&) = default;
};

// Which part of a TemplateLink PolicySet::Link refused, to locate the error.
enum class LinkPart : std::uint8_t {
  kTemplateId,   // no such template, or a static policy
  kLinkId,       // the id is taken
  kArgs,         // a slot without a value, or a value without a slot
};

// Copies share the parsed policies and are independent: changing one (Add,
// Link) leaves the others as they were. Safe to read from many threads; not
// to change while another thread reads the same object.
class PolicySet {
 public:
  PolicySet();
  ~PolicySet();
  PolicySet(const PolicySet&);
  PolicySet& operator=(const PolicySet&);
  PolicySet(PolicySet&&) noexcept;
  PolicySet& operator=(PolicySet&&) noexcept;

  // Parses every policy in `text` (named `source_name` in issues) and adds
  // them with ids `policyN`, N counting on from the policies already here.
  // Every mistake is appended to `issues` (which may be null); on any error
  // nothing is added and InvalidArgument is returned.
  absl::Status Add(std::string_view text, std::string_view source_name,
                   std::vector<Issue>* issues, const ParseOptions& options = {});

  // Links the template `link.template_id` (its id, or the name its
  // `@id("...")` annotation gives it, as the Cedar CLI names templates) as
  // Cedar's PolicySet::link does:
  // adds the policy `link.link_id`, the template with its slots filled (a
  // policy decided like any other, and reported by its link id in reasons
  // and errors). InvalidArgument, with Cedar's message, and nothing added
  // when there is no template of that id (a static or linked policy is not
  // one: "expected a template, but a static policy was provided"), when a
  // slot of the template has no value or a value has no slot, or when the
  // link id is taken by a policy, template or link. `part` (may be null)
  // says which part of the link is wrong. Policies added later still count
  // on from the last `policyN`.
  //
  // Example:
  //   writ::TemplateLink link{"policy0", "grant-17", writ::EntityUid{"Workload", "ci"}, std::nullopt};
  //   absl::Status s = policies.Link(link);
  absl::Status Link(const TemplateLink& link, LinkPart* part = nullptr);

  // Policies, templates and links, in order (links after the policies and
  // templates added before them).
  std::size_t size() const;
  std::vector<PolicyInfo> policies() const;
  // The links, in the order they were made.
  std::vector<TemplateLink> links() const;

 private:
  friend struct internal::PolicySetData;
  std::shared_ptr<internal::PolicySetData> data_;
};

}  // namespace writ

#endif  // WRIT_POLICY_SET_H_
