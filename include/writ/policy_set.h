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

#include "absl/status/status.h"
#include "writ/issue.h"
#include "writ/limits.h"

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
};

// Immutable once built; copies share the parsed policies. Safe to read from
// many threads.
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

  std::size_t size() const;
  std::vector<PolicyInfo> policies() const;

 private:
  friend struct internal::PolicySetData;
  std::shared_ptr<internal::PolicySetData> data_;
};

}  // namespace writ

#endif  // WRIT_POLICY_SET_H_
