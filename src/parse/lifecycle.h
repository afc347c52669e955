// Parse: writ's lifecycle annotations — who owns a policy and when it
// applies. Read once, when a policy set is built:
//
//   @owner("team")              who answers for the policy (lint asks for it)
//   @not_before("RFC 3339")     the policy applies from this time on ...
//   @expires("RFC 3339")        ... until this time, which is already outside
//   @breakglass("ticket")       an emergency grant: needs @expires; decisions
//                               it makes say so (Decision::breakglass)
//
// Times are RFC 3339 with a zone ("2026-12-31T23:59:59Z",
// "2026-12-31T18:00:00-05:00", fractions allowed; four-digit years, 0000 to
// 9999; src/base/rfc3339.h). In strict mode (pure
// Cedar) they are plain annotations, accepted and meaningless, as every
// annotation is in Cedar: a strict engine does not expire policies.
#ifndef WRIT_SRC_PARSE_LIFECYCLE_H_
#define WRIT_SRC_PARSE_LIFECYCLE_H_

#include <vector>

#include "src/ast/ast.h"
#include "src/base/source.h"
#include "writ/issue.h"
#include "writ/policy_set.h"

namespace writ::internal {

// Sets policy->not_before, expires and breakglass from its annotations;
// appends an issue, located at the annotation, for each mistake.
void ReadLifecycle(const SourceFile& file, const ParseOptions& options, Policy* policy, std::vector<Issue>* issues);

}  // namespace writ::internal

#endif  // WRIT_SRC_PARSE_LIFECYCLE_H_
