// writ/format.h — canonical formatting of Cedar policy text, comments kept.
//
// The layout is fixed (see src/fmt/format.cc for every rule): one blank line
// between policies, annotations on their own lines, `permit (principal,
// action, resource)` on one line when it fits and one scope element per line
// when it does not, each `when { ... }` / `unless { ... }` on its own line,
// operators spaced, lines of at most `line_width` columns where the text
// allows. Every `//` comment survives, beside the token it was written
// beside. Only whitespace changes, and trailing commas (`[1, 2,]`) go: the
// tokens — string literals exactly as written, escapes included — are the
// input's, so the formatted text parses into the same policies. Formatting
// formatted text changes nothing.
//
// Example:
//   std::vector<writ::Issue> issues;
//   absl::StatusOr<std::string> pretty = writ::FormatPolicies(text, "app.cedar", &issues);
//   if (!pretty.ok()) std::cerr << writ::RenderIssues(issues);
#ifndef WRIT_FORMAT_H_
#define WRIT_FORMAT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "writ/issue.h"

namespace writ {

struct FormatOptions {
  // The column limit lines are broken to fit, in characters (Unicode code
  // points). 20 to 1000.
  int line_width = 80;
  // Spaces per indentation level. 0 to 8.
  int indent = 2;
};

// Formats policy text (named `file` in issues). Text that does not parse is
// not formatted: every mistake is appended to `issues` (which may be null)
// and InvalidArgument is returned. InvalidArgument too for options out of
// range; ResourceExhausted when the formatted text would be longer than
// kMaxPolicyTextBytes. The result ends with one newline, unless it is empty
// (a text of only whitespace formats to "").
absl::StatusOr<std::string> FormatPolicies(std::string_view text, std::string_view file,
                                           std::vector<Issue>* issues, const FormatOptions& options = {});

}  // namespace writ

#endif  // WRIT_FORMAT_H_
