// Fmt: the pretty-printing document and its renderer. Rendering walks the
// document with an explicit stack (no recursion, whatever the nesting);
// deciding whether a group fits looks ahead at most one line's worth of text.
#include "src/fmt/doc.h"

#include <algorithm>

namespace writ::internal {

int TextWidth(std::string_view text) {
  int n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

Doc::Id Doc::Add(Node n) {
  nodes_.push_back(n);
  return static_cast<Id>(nodes_.size() - 1);
}

Doc::Id Doc::Text(std::string_view text) {
  Node n;
  n.kind = Kind::kText;
  n.text = text;
  return Add(n);
}

Doc::Id Doc::Space() {
  Node n;
  n.kind = Kind::kSpace;
  return Add(n);
}

Doc::Id Doc::Line() {
  Node n;
  n.kind = Kind::kLine;
  return Add(n);
}

Doc::Id Doc::SoftLine() {
  Node n;
  n.kind = Kind::kSoftLine;
  return Add(n);
}

Doc::Id Doc::HardLine() {
  Node n;
  n.kind = Kind::kHardLine;
  return Add(n);
}

Doc::Id Doc::BlankLine() {
  Node n;
  n.kind = Kind::kBlankLine;
  return Add(n);
}

Doc::Id Doc::TrailingComment(std::string_view comment) {
  Node n;
  n.kind = Kind::kTrailingComment;
  n.text = comment;
  return Add(n);
}

Doc::Id Doc::LeadingComment(std::string_view comment, bool blank_before) {
  Node n;
  n.kind = Kind::kLeadingComment;
  n.text = comment;
  n.blank_before = blank_before;
  return Add(n);
}

Doc::Id Doc::Nest(int amount, Id doc) {
  Node n;
  n.kind = Kind::kNest;
  n.amount = amount;
  n.first = doc;
  return Add(n);
}

Doc::Id Doc::Group(Id doc) {
  Node n;
  n.kind = Kind::kGroup;
  n.first = doc;
  return Add(n);
}

Doc::Id Doc::Concat(absl::Span<const Id> parts) {
  if (parts.size() == 1) return parts[0];
  Node n;
  n.kind = Kind::kConcat;
  n.first = static_cast<std::uint32_t>(children_.size());
  n.count = static_cast<std::uint32_t>(parts.size());
  children_.insert(children_.end(), parts.begin(), parts.end());
  return Add(n);
}

void Doc::Clear() {
  nodes_.clear();
  children_.clear();
}

// Whether `first`, printed flat from a column that leaves `width` columns,
// fits: its text and then the text after it (`rest`, the renderer's stack,
// top at the back) up to the next newline. A comment decides too: a leading
// comment (or a hard line) inside the group needs a line of its own, so the
// group does not fit (unless nothing precedes it in the group: then the
// group starts on the line after it); text after a trailing comment inside
// the group would have to start a new line, so the group does not fit
// either.
bool Doc::Fits(int width, int line_width, const Cmd& first, const std::vector<Cmd>& rest,
               std::vector<Cmd>* scratch) const {
  std::vector<Cmd>& local = *scratch;
  local.assign(1, first);
  std::size_t rest_next = rest.size();
  bool in_first = true;     // still inside `first`
  bool seen_text = false;   // `first` has printed something
  bool must_break = false;  // a trailing comment ended the line
  while (true) {
    if (local.empty()) {
      in_first = false;
      if (rest_next == 0) return true;
      local.push_back(rest[--rest_next]);
    }
    const Cmd c = local.back();
    local.pop_back();
    const Node& n = nodes_[c.id];
    switch (n.kind) {
      case Kind::kText: {
        if (must_break) return !in_first;
        seen_text = true;
        const std::size_t nl = n.text.find('\n');
        if (nl == std::string_view::npos) {
          width -= TextWidth(n.text);
          if (width < 0) return false;
          break;
        }
        // A multi-line string literal: what follows starts on its last line.
        return width - TextWidth(n.text.substr(0, nl)) >= 0;
      }
      case Kind::kSpace:
        if (!must_break && --width < 0) return false;
        break;
      case Kind::kLine:
        if (c.mode == Mode::kBreak) return true;
        if (!must_break && --width < 0) return false;
        break;
      case Kind::kSoftLine:
        if (c.mode == Mode::kBreak) return true;
        break;
      case Kind::kHardLine:
      case Kind::kBlankLine:
      case Kind::kLeadingComment:
        // A line of its own: the group cannot be flat around it, but may
        // start after it.
        if (!in_first) return true;
        if (seen_text) return false;
        width = line_width - c.indent;
        break;
      case Kind::kTrailingComment:
        must_break = true;
        break;
      case Kind::kNest:
        local.push_back({c.indent + n.amount, c.mode, n.first});
        break;
      case Kind::kGroup:
        local.push_back({c.indent, c.mode, n.first});
        break;
      case Kind::kConcat:
        for (std::uint32_t i = n.count; i > 0; --i) local.push_back({c.indent, c.mode, children_[n.first + i - 1]});
        break;
    }
  }
}

class Doc::Renderer {
 public:
  Renderer(const Doc& doc, int line_width, std::size_t max_bytes, std::string* out)
      : doc_(doc), line_width_(line_width), max_bytes_(max_bytes), out_(*out) {}

  bool Run(Id root) {
    std::vector<Cmd> stack{{0, Mode::kBreak, root}};
    while (!stack.empty()) {
      const Cmd c = stack.back();
      stack.pop_back();
      const Node& n = doc_.nodes_[c.id];
      switch (n.kind) {
        case Kind::kText:
          Flush();
          out_.append(n.text);
          if (const std::size_t nl = n.text.rfind('\n'); nl != std::string_view::npos) {
            col_ = TextWidth(n.text.substr(nl + 1));
          } else {
            col_ += TextWidth(n.text);
          }
          line_has_content_ = printed_ = true;
          break;
        case Kind::kSpace:
          if (!pending_break_) pending_space_ = true;
          break;
        case Kind::kLine:
          if (c.mode == Mode::kFlat) {
            if (!pending_break_) pending_space_ = true;
          } else {
            Break(c.indent);
          }
          break;
        case Kind::kSoftLine:
          if (c.mode == Mode::kBreak) Break(c.indent);
          break;
        case Kind::kHardLine:
          Break(c.indent);
          break;
        case Kind::kBlankLine:
          Break(c.indent);
          pending_blank_ = true;
          break;
        case Kind::kTrailingComment:
          if (pending_break_) {
            Flush();
          } else {
            pending_space_ = false;
            if (line_has_content_) out_ += ' ';
          }
          out_.append(n.text);
          line_has_content_ = printed_ = true;
          Break(c.indent);
          break;
        case Kind::kLeadingComment:
          if (line_has_content_ && !pending_break_) Break(c.indent);
          if (n.blank_before && pending_break_) pending_blank_ = true;
          Flush();
          out_.append(n.text);
          line_has_content_ = printed_ = true;
          Break(line_indent_);
          break;
        case Kind::kNest:
          stack.push_back({c.indent + n.amount, c.mode, n.first});
          break;
        case Kind::kGroup: {
          Mode mode = c.mode;
          if (mode == Mode::kBreak) {
            const int start = pending_break_ ? pending_indent_ : col_ + (pending_space_ && line_has_content_ ? 1 : 0);
            if (doc_.Fits(line_width_ - start, line_width_, {c.indent, Mode::kFlat, n.first}, stack, &scratch_)) {
              mode = Mode::kFlat;
            }
          }
          stack.push_back({c.indent, mode, n.first});
          break;
        }
        case Kind::kConcat:
          for (std::uint32_t i = n.count; i > 0; --i) {
            stack.push_back({c.indent, c.mode, doc_.children_[n.first + i - 1]});
          }
          break;
      }
      if (out_.size() > max_bytes_) return false;
    }
    return true;
  }

 private:
  void Break(int indent) {
    pending_break_ = true;
    pending_indent_ = indent;
    pending_space_ = false;
  }

  // Writes the newline or space owed before the next text.
  void Flush() {
    if (pending_break_) {
      if (printed_) out_ += pending_blank_ ? "\n\n" : "\n";
      out_.append(static_cast<std::size_t>(pending_indent_), ' ');
      col_ = line_indent_ = pending_indent_;
      line_has_content_ = false;
    } else if (pending_space_ && line_has_content_) {
      out_ += ' ';
      ++col_;
    }
    pending_break_ = pending_blank_ = pending_space_ = false;
  }

  const Doc& doc_;
  const int line_width_;
  const std::size_t max_bytes_;
  std::string& out_;
  int col_ = 0;
  int line_indent_ = 0;           // indentation of the current line
  bool line_has_content_ = false;
  bool printed_ = false;          // anything written by this rendering
  bool pending_break_ = false;    // a newline is owed before the next text
  bool pending_blank_ = false;    // ... and an empty line
  int pending_indent_ = 0;        // ... and then this indentation
  bool pending_space_ = false;    // a space is owed before the next text
  std::vector<Cmd> scratch_;      // Fits's stack, kept between calls
};

bool Doc::Render(Id root, int line_width, std::size_t max_bytes, std::string* out) const {
  return Renderer(*this, line_width, max_bytes, out).Run(root);
}

}  // namespace writ::internal
