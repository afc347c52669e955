// Issues as JSON objects, for the reports that embed them (`writ fmt`,
// `writ test`, `writ lint` with --format json). The public form is
// writ::IssuesToJson (writ/json.h).
#ifndef WRIT_SRC_JSON_ISSUE_JSON_H_
#define WRIT_SRC_JSON_ISSUE_JSON_H_

#include "nlohmann/json.hpp"
#include "writ/issue.h"

namespace writ::internal {

// {"file","line","column","length","severity","message"[,"hint"]}; severity
// is "error", "warning" or "note"; hint only when there is one.
nlohmann::json IssueJsonValue(const Issue& issue);

}  // namespace writ::internal

#endif  // WRIT_SRC_JSON_ISSUE_JSON_H_
