// writ/grants.h — just-in-time access: grants issued and revoked while an
// engine decides.
//
// A grant is a link of a template (Cedar's template-linked policy,
// writ/policy_set.h) made at run time, optionally with a window of validity
// and who issued it, why, and for which task. The engine compiled the
// template once; a grant only adds index rows, so issuing or revoking one
// does not recompile anything and never blocks a decision
// (Engine::AddGrant, writ/engine.h). A grant is decided exactly as the same
// link made with PolicySet::Link would be, while the request time is in
// [not_before, expires); it is reported by its link id in reasons and errors,
// after every static policy and link, in the order grants were issued.
//
// Example:
//   writ::Grant g;
//   g.link = {"deploy-window", "grant-17", writ::EntityUid{"Workload", "ci"}, std::nullopt};
//   g.expires = absl::Now() + absl::Minutes(30);
//   g.task = "CHG-1234";
//   absl::Status s = engine->AddGrant(g);   // the next decision sees it
#ifndef WRIT_GRANTS_H_
#define WRIT_GRANTS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "writ/issue.h"
#include "writ/limits.h"
#include "writ/policy_set.h"

namespace writ {

struct Grant {
  TemplateLink link;                       // template_id, link_id and slot values
  std::optional<absl::Time> not_before;    // unset: from issue
  std::optional<absl::Time> expires;       // unset: until revoked
  std::string owner;                       // who issued it
  std::string reason;                      // why
  std::string task;                        // the task it belongs to ("" for none)

  friend bool operator==(const Grant&, const Grant&) = default;
};

// Bounds on the grants an engine accepts (DecideOptions::grant_limits).
struct GrantLimits {
  // Live grants at once; past it, AddGrant is ResourceExhausted.
  std::size_t max_grants = kMaxGrants;
  // When set, the longest window a grant may have, from when it is issued
  // (or its not_before, if later) to its expires; a grant without expires is
  // then refused too ("short-lived" access).
  std::optional<absl::Duration> max_window;
};

// Reads a grants file: a JSON array of grants in the Cedar CLI's links format
// plus writ's grant fields,
//   [{"template_id": "deploy-window", "link_id": "grant-17",
//     "args": {"?principal": "Workload::\"ci\""},
//     "not_before": "2026-12-03T10:00:00Z", "expires": "2026-12-03T11:00:00Z",
//     "owner": "alice", "reason": "CHG-1234 deploy", "task": "CHG-1234"}]
// (times in RFC 3339; every field after "args" optional). With
// `options.strict` the grant fields are refused: only Cedar's links format is
// read. Every mistake is an issue located in the JSON; on any, nothing is
// returned. Empty text holds no grants.
absl::StatusOr<std::vector<Grant>> ReadGrants(std::string_view json, std::string_view source_name,
                                              const ParseOptions& options, std::vector<Issue>* issues);

// One grant as a JSON object of the grants file's form (fields that are
// unset or empty left out), and a whole file: ReadGrants(GrantsToJson(g))
// gives g back.
std::string GrantToJson(const Grant& grant);
std::string GrantsToJson(const std::vector<Grant>& grants);

}  // namespace writ

#endif  // WRIT_GRANTS_H_
