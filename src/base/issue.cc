// Base: rendering issues as compilers do (file:line:col, source line, caret).
#include "writ/issue.h"

#include "absl/strings/str_cat.h"

namespace writ {
namespace {

absl::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

}  // namespace

bool HasErrors(absl::Span<const Issue> issues) {
  for (const Issue& i : issues) {
    if (i.severity == Severity::kError) return true;
  }
  return false;
}

std::string IssueLocation(const Issue& issue) {
  if (issue.line == 0) return issue.file;
  return absl::StrCat(issue.file, ":", issue.line, ":", issue.column);
}

std::string RenderIssue(const Issue& issue) {
  std::string out = IssueLocation(issue);
  if (!out.empty()) out += ": ";
  absl::StrAppend(&out, SeverityName(issue.severity), ": ", issue.message, "\n");
  if (issue.line != 0 && !issue.source_line.empty()) {
    absl::StrAppend(&out, "  ", issue.source_line, "\n  ");
    // Keep tabs so the caret lines up; count UTF-8 lead bytes as one column.
    for (std::uint32_t i = 0; i + 1 < issue.column && i < issue.source_line.size(); ++i) {
      char c = issue.source_line[i];
      if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
      out += c == '\t' ? '\t' : ' ';
    }
    out += '^';
    // One '~' for each further character under the span.
    for (std::uint32_t i = issue.column; i < issue.column - 1 + issue.length &&
                                         i < issue.source_line.size();
         ++i) {
      if ((static_cast<unsigned char>(issue.source_line[i]) & 0xC0) != 0x80) out += '~';
    }
    out += '\n';
  }
  if (!issue.hint.empty()) absl::StrAppend(&out, "  note: ", issue.hint, "\n");
  return out;
}

std::string RenderIssues(absl::Span<const Issue> issues) {
  std::string out;
  for (const Issue& i : issues) out += RenderIssue(i);
  return out;
}

}  // namespace writ
