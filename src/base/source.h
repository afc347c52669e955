// Source text with a line map: turns byte spans into issues with file:line:col
// and the source line for the caret.
#ifndef WRIT_SRC_BASE_SOURCE_H_
#define WRIT_SRC_BASE_SOURCE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "writ/issue.h"

namespace writ::internal {

// A half-open byte range [begin, end) in one source text.
struct Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

class SourceFile {
 public:
  // `text` must outlive the SourceFile.
  SourceFile(std::string_view name, std::string_view text);

  std::string_view name() const { return name_; }
  std::string_view text() const { return text_; }

  // 1-based line and byte column of `offset` (clamped to the text).
  std::uint32_t LineOf(std::uint32_t offset) const;
  std::uint32_t ColumnOf(std::uint32_t offset) const;
  std::string_view LineText(std::uint32_t line) const;

  // An issue located at `span` (its first line; the caret covers the part of
  // the span on that line).
  Issue MakeIssue(Span span, std::string message, Severity severity = Severity::kError,
                  std::string hint = {}) const;

 private:
  std::string name_;
  std::string_view text_;
  std::vector<std::uint32_t> line_starts_;
};

}  // namespace writ::internal

#endif  // WRIT_SRC_BASE_SOURCE_H_
