// Base: source text line maps and located issues.
#include "src/base/source.h"

#include <algorithm>

namespace writ::internal {

SourceFile::SourceFile(std::string_view name, std::string_view text)
    : name_(name), text_(text) {
  line_starts_.push_back(0);
  for (std::size_t i = text_.find('\n'); i != std::string_view::npos; i = text_.find('\n', i + 1)) {
    line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
  }
}

std::uint32_t SourceFile::LineOf(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, text_.size());
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<std::uint32_t>(it - line_starts_.begin());
}

std::uint32_t SourceFile::ColumnOf(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, text_.size());
  return offset - line_starts_[LineOf(offset) - 1] + 1;
}

std::string_view SourceFile::LineText(std::uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  std::uint32_t begin = line_starts_[line - 1];
  std::uint32_t end = line < line_starts_.size() ? line_starts_[line] : text_.size();
  std::string_view s = text_.substr(begin, end - begin);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Issue SourceFile::MakeIssue(Span span, std::string message, Severity severity,
                            std::string hint) const {
  Issue issue;
  issue.severity = severity;
  issue.file = name_;
  issue.line = LineOf(span.begin);
  issue.column = ColumnOf(span.begin);
  issue.source_line = std::string(LineText(issue.line));
  std::uint32_t line_left = issue.source_line.size() >= issue.column - 1
                                ? issue.source_line.size() - (issue.column - 1)
                                : 0;
  std::uint32_t len = span.end > span.begin ? span.end - span.begin : 1;
  issue.length = std::max<std::uint32_t>(1, std::min(len, line_left));
  // A line too long to read (minified JSON, a generated file) is not quoted:
  // each issue would hold a copy, and a document of many mistakes on one
  // long line would hold as many copies as mistakes.
  constexpr std::size_t kMaxQuotedLineBytes = 4096;
  if (issue.source_line.size() > kMaxQuotedLineBytes) issue.source_line = std::string();
  issue.message = std::move(message);
  issue.hint = std::move(hint);
  return issue;
}

}  // namespace writ::internal
