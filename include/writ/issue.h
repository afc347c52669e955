// writ/issue.h — mistakes in policy text, entities, requests and schemas,
// reported as data: a severity, a location (file:line:col) and a message,
// with the offending source line so that a caret can be drawn under it.
#ifndef WRIT_ISSUE_H_
#define WRIT_ISSUE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace writ {

enum class Severity : std::uint8_t { kError, kWarning, kNote };

struct Issue {
  Severity severity = Severity::kError;
  std::string file;           // the source name given by the caller; may be empty
  std::uint32_t line = 0;     // 1-based; 0 when the issue has no location
  std::uint32_t column = 0;   // 1-based, in bytes
  std::uint32_t length = 0;   // bytes under the caret on that line (at least 1 drawn)
  std::string message;
  std::string source_line;    // the text of `line`, without its newline
  std::string hint;           // optional: a suggestion, rendered as "note: ..."
};

// Renders one issue in the manner of compilers:
//   policies.cedar:3:14: error: unexpected token `)`
//     permit(principal, action, ) when { true };
//                                ^
bool HasErrors(absl::Span<const Issue> issues);
std::string RenderIssue(const Issue& issue);
// Renders every issue, one after the other.
std::string RenderIssues(absl::Span<const Issue> issues);
// "file:line:col" (or just the file, or nothing, for issues without location).
std::string IssueLocation(const Issue& issue);

}  // namespace writ

#endif  // WRIT_ISSUE_H_
