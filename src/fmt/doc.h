// Fmt: a pretty-printing document (Wadler's "prettier printer", rendered
// with an explicit stack as in Lindig's strict variant) extended with
// comments. A document is built once in an arena, then rendered to fit a
// line width: each group is printed flat (its lines as spaces) when it fits
// on the rest of the line, and broken (its lines as newlines) otherwise.
//
// Comments are nodes of their own, so that they can never be lost or moved:
// - a trailing comment (`x // why`) is printed after the text before it, on
//   the same line, and the next text starts a new line;
// - a leading comment is printed on a line of its own, before the text after
//   it.
// A group that would need a newline inside it for a comment is broken.
#ifndef WRIT_SRC_FMT_DOC_H_
#define WRIT_SRC_FMT_DOC_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/types/span.h"

namespace writ::internal {

class Doc {
 public:
  using Id = std::uint32_t;

  // Text printed as it is. It must outlive rendering (the source text, or a
  // literal). It may contain newlines only in string literals: the column
  // after it is then counted from its last newline.
  Id Text(std::string_view text);
  // A space that never becomes a newline (and is not printed when a comment
  // has already ended the line).
  Id Space();
  // A space in a flat group, a newline in a broken one.
  Id Line();
  // Nothing in a flat group, a newline in a broken one.
  Id SoftLine();
  // Always a newline. A group holding one after its first text never fits.
  Id HardLine();
  // A newline and an empty line (as HardLine otherwise).
  Id BlankLine();
  // `comment` (from `//`, no newline) at the end of the current line.
  Id TrailingComment(std::string_view comment);
  // `comment` on a line of its own; with `blank_before`, after an empty line
  // (unless it is the first thing printed).
  Id LeadingComment(std::string_view comment, bool blank_before);
  // Newlines inside `doc` are indented `amount` more columns.
  Id Nest(int amount, Id doc);
  // `doc` printed flat when it fits, broken otherwise.
  Id Group(Id doc);
  Id Concat(absl::Span<const Id> parts);

  void Clear();
  std::size_t size() const { return nodes_.size(); }

  // Appends the rendering of `root` to `out`. Returns false (leaving `out`
  // partly written) when `out` would grow past `max_bytes`.
  bool Render(Id root, int line_width, std::size_t max_bytes, std::string* out) const;

 private:
  enum class Kind : std::uint8_t {
    kText, kSpace, kLine, kSoftLine, kHardLine, kBlankLine, kTrailingComment, kLeadingComment,
    kNest, kGroup, kConcat,
  };
  struct Node {
    Kind kind = Kind::kText;
    bool blank_before = false;    // kLeadingComment
    int amount = 0;               // kNest
    std::uint32_t first = 0;      // kNest, kGroup: the child; kConcat: index into children_
    std::uint32_t count = 0;      // kConcat: number of children
    std::string_view text;        // kText, comments
  };
  enum class Mode : std::uint8_t { kFlat, kBreak };
  struct Cmd {
    int indent;
    Mode mode;
    Id id;
  };
  class Renderer;

  Id Add(Node n);
  bool Fits(int width, int line_width, const Cmd& first, const std::vector<Cmd>& rest,
            std::vector<Cmd>* scratch) const;

  std::vector<Node> nodes_;
  std::vector<Id> children_;
};

// Display width of UTF-8 text: its code points.
int TextWidth(std::string_view text);

}  // namespace writ::internal

#endif  // WRIT_SRC_FMT_DOC_H_
