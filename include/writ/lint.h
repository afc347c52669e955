// writ/lint.h — governance checks over a policy set (`writ lint`): who owns
// each policy, which time-boxed policies have expired or are about to, which
// break-glass grants last too long, which permits grant too much, and which
// policies are redundant.
//
// Each finding is an Issue located at the policy's `permit`/`forbid` keyword
// or at the annotation or scope element concerned, whose message opens with
// the rule's code in brackets ("[owner-missing] policy0 has no `@owner`") and
// whose hint says what to do. LintRule() reads the code back.
//
// The rules, their codes and severities:
//
//   code                  severity  finding
//   owner-missing         warning   the policy has no `@owner("...")`
//   expired               warning   `@expires` is at or before `now`: the
//                                   policy no longer applies (a policy applies
//                                   while now < expires)
//   expiring-soon         warning   `@expires` is after `now` and at most
//                                   `expiring_within_days` days later
//                                   (exactly N days counts); not reported for
//                                   break-glass policies, which are meant to
//                                   be short-lived
//   breakglass-too-long   error     a `@breakglass` policy whose `@expires` is
//                                   more than `breakglass_max_days` days after
//                                   `now` (exactly N days is allowed)
//   unconstrained-permit  warning   a `permit` whose principal or resource is
//                                   unconstrained (`principal`, `resource`)
//                                   and that has no `when`/`unless` condition
//   duplicate             warning   the policy is the same as an earlier one
//                                   (see "Redundancy" below); reported on the
//                                   later one
//   shadowed              warning   another policy covers this one strictly
//                                   (see below), so this one never changes a
//                                   decision
//   template-unlinked     warning   a template no link of the set uses (only
//                                   with LintOptions::links_complete: the
//                                   set holds every link, `writ lint
//                                   --template-linked FILE`)
//
// Template-linked policies are not linted themselves: each is its template
// with the slots filled, and the template is.
//
// Redundancy. Policy A *covers* policy B when all of these hold:
//   - same effect, and both or neither are break-glass;
//   - A has no condition, or A's conditions are B's (same `when`/`unless`
//     clauses in the same order, compared structurally: operators, names and
//     literals, not spelling, spacing or comments);
//   - A's principal scope contains B's, and so does its resource scope, by
//     the scope alone (no entity hierarchy is known to lint, so `in E` holds
//     E itself and nothing else is assumed): unconstrained contains every
//     scope; `in E` contains `== E` and `is T in E`; `is T` contains
//     `== T::"x"` and `is T in E`; `is T in E` contains `== E` when E is a T;
//     every scope contains itself (a slot `?principal` is a value like an
//     entity);
//   - A's action scope contains B's: unconstrained contains all;
//     `action in [...]` (or `in A`) contains `== X` and `in [...]` whose
//     actions it all lists; `== X` contains only `== X`;
//   - A's lifecycle window [@not_before, @expires) contains B's (a missing
//     bound is unbounded).
// Then whenever B applies to a request, A applies too with the same effect,
// and when B's condition errors A's does too or A has none: removing B
// changes no decision (only the lists of reasons and errors). Two policies
// covering each other are the same in every respect above: the later is a
// `duplicate` of the earliest. A policy covered by one it does not cover is
// `shadowed` by it (the first such policy, in id order, is named).
//
// Cost: linear in the size of the policies, plus, for the redundancy rules,
// a handful of hash lookups per policy and a check of the policies sharing
// its effect, conditions, principal and resource scopes and one of its
// actions — at most kMaxLintComparisons of them, in id order: past that
// bound (a set built to be pathological: thousands of policies alike but
// for their action or lifecycle window), further ones are not examined and
// a redundancy may go unreported.
//
// Example:
//   writ::LintOptions options;                 // now: the clock
//   options.breakglass_max_days = 3;
//   absl::StatusOr<std::vector<writ::Issue>> findings = writ::Lint(policies, options);
//   if (findings.ok()) std::cerr << writ::RenderIssues(*findings);
#ifndef WRIT_LINT_H_
#define WRIT_LINT_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "writ/issue.h"
#include "writ/policy_set.h"

namespace writ {

// The rule codes, as they open findings' messages.
inline constexpr std::string_view kLintOwnerMissing = "owner-missing";
inline constexpr std::string_view kLintExpired = "expired";
inline constexpr std::string_view kLintExpiringSoon = "expiring-soon";
inline constexpr std::string_view kLintBreakglassTooLong = "breakglass-too-long";
inline constexpr std::string_view kLintUnconstrainedPermit = "unconstrained-permit";
inline constexpr std::string_view kLintDuplicate = "duplicate";
inline constexpr std::string_view kLintShadowed = "shadowed";
inline constexpr std::string_view kLintTemplateUnlinked = "template-unlinked";

// Bound on the day counts of LintOptions (100 years).
inline constexpr int kMaxLintDays = 36'500;
// Bound on the policies each policy is compared with for `duplicate` and
// `shadowed` (see "Cost" above).
inline constexpr std::size_t kMaxLintComparisons = 4096;

struct LintOptions {
  // The time the lifecycle rules measure from (default: the clock when the
  // options are made).
  absl::Time now = absl::Now();
  // breakglass-too-long: break-glass policies may expire at most this many
  // days after `now`. In [0, kMaxLintDays].
  int breakglass_max_days = 7;
  // expiring-soon: policies expiring at most this many days after `now` are
  // reported. In [0, kMaxLintDays]; 0 reports none.
  int expiring_within_days = 14;
  // template-unlinked: the set's links are all the links there are, so a
  // template none of them uses is dead.
  bool links_complete = false;
};

// Every finding over `policies`, in policy order (and, for one policy, in the
// order of the table above). InvalidArgument when an option is out of range.
absl::StatusOr<std::vector<Issue>> Lint(const PolicySet& policies, const LintOptions& options);

// The rule code a finding's message opens with ("owner-missing"), or "" when
// the message does not open with `[code] `. The view points into `issue`.
std::string_view LintRule(const Issue& issue);
// The message without its `[code] ` prefix.
std::string_view LintMessage(const Issue& issue);

}  // namespace writ

#endif  // WRIT_LINT_H_
