// The one writer of a decision's JSON form, for the forms that add to it:
// writ::DecisionToJson (writ/json.h) is its members in braces; `writ
// serve`'s decision bodies add the policy version, its decision log the
// request and time around them.
#ifndef WRIT_SRC_JSON_DECISION_JSON_H_
#define WRIT_SRC_JSON_DECISION_JSON_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "writ/authorize.h"

namespace writ::internal {

// Appends `s` as a JSON string, at most `max_bytes` of it (whole UTF-8
// sequences only); a cut string ends in "..." and the result is false. An
// invalid UTF-8 byte is written as U+FFFD. Linear in what it writes.
bool AppendJsonString(std::string* out, std::string_view s, std::size_t max_bytes = std::string_view::npos);

// Appends the members of a decision's JSON object, without the braces:
// "decision","reasons","errors" ([{"policy","message"}]), then writ's
// extensions "breakglass", "revoked" and "denied_by" (the uid of the chain
// identity that was denied, as `Type::"id"`; null when none) — only when
// they say something, or always with `every_member` (a log whose lines all
// have one shape).
// Strings are cut at `max_string_bytes` as AppendJsonString cuts them.
void AppendDecisionMembers(std::string* out, const Decision& decision, bool every_member = false,
                           std::size_t max_string_bytes = std::string_view::npos);

}  // namespace writ::internal

#endif  // WRIT_SRC_JSON_DECISION_JSON_H_
