// Fmt: canonical formatting of Cedar policy text, comments kept. The text is
// first parsed by src/parse (text that does not parse is not formatted); the
// formatter then re-reads its tokens, with the comments between them, along
// Cedar's grammar and lays them out as a pretty-printing document (doc.h).
// Only whitespace changes, and trailing commas go; a final check re-lexes
// the output and compares its tokens and comments with the input's.
//
// The rules (Cedar's own formatter, `cedar format`, lays policies out the
// same way in most respects):
//
//  1. Policies are separated by one empty line; the text ends with one
//     newline. Whitespace-only text formats to nothing.
//  2. Annotations come one per line, `@key("value")` or `@key`, above the
//     effect.
//  3. The head is `permit (principal, action, resource)` on one line when it
//     fits in the line width; otherwise each scope element is on a line of
//     its own, indented, and `)` on a line of its own. `action in [...]`
//     lists break one entity per line when they do not fit either.
//  4. Each condition starts a new line: `when { expr }` when it fits,
//     otherwise `when {`, the expression indented on the lines after it, and
//     `}`. The `;` follows the last `)` or `}` directly.
//  5. Binary operators are spaced (`a == b`, `x + 1`, `e has a.b`, `s like
//     "*"`, `e is T in g`); unary ones are not (`!a`, `-x`); neither are `.`,
//     `::`, calls and indexing (`ip("1.2.3.4").isInRange(r)`, `e["a b"]`).
//  6. A chain of `||` (or of `&&`) that does not fit puts one operand per
//     line, the operator ending each line but the last. A comparison that
//     does not fit breaks after its operator, the right side indented —
//     unless the right side starts with `[`, `{` or `(`: then it stays on
//     the operator's line and breaks inside its brackets (`x == {` ...).
//  7. Sets `[a, b]`, records `{ k: v, k2: v2 }`, argument lists `f(a, b)`
//     and parenthesized expressions `(e)` stay on one line when they fit,
//     and otherwise put each element on its own indented line between the
//     brackets. Empty ones are `[]`, `{}`, `()`. Trailing commas are removed.
//  8. `if c then a else b` stays on one line when it fits; otherwise `if c`,
//     `then a` and `else b` start lines of their own (each part indented
//     under its keyword if it does not fit either).
//  9. Parentheses are kept as written; so is every token: identifiers,
//     integers, entity uids and string literals (escapes included) are
//     copied byte for byte.
// 10. Comments stay beside the token they were written beside. A comment
//     after a token on the same line stays at the end of that token's line
//     (a comment written just before a `,` or `;` moves after it); any other
//     comment is a leading comment of the token after it and goes on its own
//     line(s) above it, at that token's indentation. A group holding a
//     comment that needs a line of its own is broken. Between policies, an
//     empty line that separated comments (or comments and the policy under
//     them) is kept; other empty lines go. Trailing whitespace of comments
//     is removed.
// 11. Lines are broken to fit `line_width` (80) columns where rules 3-8
//     allow; a line that cannot be broken (a long string literal, a long
//     access chain) stays long. Indentation is `indent` (2) spaces a level.
#include "writ/format.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/base/source.h"
#include "src/base/strings.h"
#include "src/fmt/doc.h"
#include "src/parse/lexer.h"
#include "src/parse/parser.h"
#include "writ/limits.h"
#include "writ/policy_set.h"

namespace writ {
namespace internal {
namespace {

struct Comment {
  std::string_view text;      // from `//`, trailing whitespace removed
  bool blank_before = false;  // an empty line separated it from what precedes it
};

// A token with the comments around it.
struct FmtToken {
  Token tok;
  bool blank_before = false;             // an empty line separated it from what precedes it
  std::vector<Comment> leading;          // on lines before it
  std::optional<Comment> trailing;       // after it, on its line
};

struct TokenStream {
  std::vector<FmtToken> tokens;
  std::vector<Comment> end_comments;     // after the last token
};

// Thrown when the tokens do not follow the grammar, which the parser has
// already checked: a formatter bug, reported as an internal error. Caught in
// FormatPolicies; never crosses the API.
struct Unexpected {
  std::uint32_t offset;
};

// Line breaks in `s`, as the lexer ends comments: `\r\n`, `\n` or `\r`.
int LineBreaks(std::string_view s) {
  int n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n'))) ++n;
  }
  return n;
}

std::string_view CommentText(std::string_view text, Span span) {
  std::string_view c = text.substr(span.begin, span.end - span.begin);
  while (!c.empty() && (c.back() == ' ' || c.back() == '\t' || c.back() == '\v' || c.back() == '\f')) {
    c.remove_suffix(1);
  }
  return c;
}

// Every token of `text` with its comments: a comment on the line of the token
// before it (nothing else between them) is that token's trailing comment;
// every other comment leads the token after it. nullopt if a token is
// invalid.
std::optional<TokenStream> Lex(std::string_view text) {
  TokenStream ts;
  std::uint32_t pos = 0;
  std::vector<Span> spans;
  while (true) {
    spans.clear();
    const std::uint32_t next = SkipTrivia(text, pos, &spans);
    std::uint32_t prev_end = pos;
    std::vector<Comment> leading;
    for (const Span& s : spans) {
      const int breaks = LineBreaks(text.substr(prev_end, s.begin - prev_end));
      const Comment c{CommentText(text, s), breaks >= 2};
      if (breaks == 0 && prev_end == pos && !ts.tokens.empty()) {
        ts.tokens.back().trailing = c;
      } else {
        leading.push_back(c);
      }
      prev_end = s.end;
    }
    const Token t = LexToken(text, next);
    if (t.kind == Token::Kind::kEnd) {
      ts.end_comments = std::move(leading);
      return ts;
    }
    if (t.kind == Token::Kind::kInvalid) return std::nullopt;
    ts.tokens.push_back({t, LineBreaks(text.substr(prev_end, next - prev_end)) >= 2, std::move(leading), {}});
    pos = t.span.end;
  }
}

bool IsPunct(const FmtToken& t, std::string_view p) { return t.tok.kind == Token::Kind::kPunct && t.tok.text == p; }

// Rule 10's moves and rule 7's dropped commas. The comments keep their order.
// - The comments between a token and a following `,` or `;`, and the one
//   after that `,` or `;`, go after it: the first on its line, the others
//   leading the next token.
// - A `,` before `)`, `]` or `}` is dropped; its comment goes to the token
//   before it.
void Normalize(TokenStream* ts) {
  std::vector<FmtToken>& v = ts->tokens;
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (!IsPunct(v[i], ",") && !IsPunct(v[i], ";")) continue;
    std::vector<Comment> moved;
    if (v[i - 1].trailing) moved.push_back(*v[i - 1].trailing);
    moved.insert(moved.end(), v[i].leading.begin(), v[i].leading.end());
    if (v[i].trailing) moved.push_back(*v[i].trailing);
    v[i - 1].trailing.reset();
    v[i].leading.clear();
    v[i].trailing.reset();
    if (moved.empty()) continue;
    v[i].trailing = moved.front();
    std::vector<Comment>& next = i + 1 < v.size() ? v[i + 1].leading : ts->end_comments;
    next.insert(next.begin(), moved.begin() + 1, moved.end());
  }
  std::vector<FmtToken> kept;
  kept.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (IsPunct(v[i], ",") && i + 1 < v.size() && !kept.empty() &&
        (IsPunct(v[i + 1], ")") || IsPunct(v[i + 1], "]") || IsPunct(v[i + 1], "}"))) {
      // After the moves above, the token before has no trailing comment.
      if (v[i].trailing) kept.back().trailing = v[i].trailing;
      continue;
    }
    kept.push_back(std::move(v[i]));
  }
  v = std::move(kept);
}

// Builds the document of one policy at a time, reading the tokens along
// Cedar's grammar as src/parse does. Recursion follows the nesting of the
// text, which the parser has bounded (kMaxExpressionDepth).
class Builder {
 public:
  Builder(const std::vector<FmtToken>& tokens, Doc* doc, int indent) : toks_(tokens), doc_(*doc), indent_(indent) {}

  bool AtEnd() const { return i_ >= toks_.size(); }

  Doc::Id Policy() {
    first_of_policy_ = true;
    std::vector<Doc::Id> parts;
    while (Is("@")) {
      std::vector<Doc::Id> a;
      a.push_back(Tok());
      a.push_back(Tok(Token::Kind::kIdent));
      if (Is("(")) {
        a.push_back(Tok());
        a.push_back(Tok(Token::Kind::kString));
        a.push_back(Tok(")"));
      }
      parts.push_back(doc_.Concat(a));
      parts.push_back(doc_.HardLine());
    }
    if (!Is("permit") && !Is("forbid")) Fail();
    const Doc::Id effect = Tok();
    const Doc::Id open = Tok("(");
    std::vector<Doc::Id> scope;
    scope.push_back(doc_.SoftLine());
    scope.push_back(Scope("principal"));
    scope.push_back(Tok(","));
    scope.push_back(doc_.Line());
    scope.push_back(ActionScope());
    scope.push_back(Tok(","));
    scope.push_back(doc_.Line());
    scope.push_back(Scope("resource"));
    const Doc::Id close = Tok(")");
    parts.push_back(doc_.Group(doc_.Concat({effect, doc_.Space(), open, doc_.Nest(indent_, doc_.Concat(scope)),
                                            doc_.SoftLine(), close})));
    while (Is("when") || Is("unless")) {
      parts.push_back(doc_.HardLine());
      const Doc::Id keyword = Tok();
      const Doc::Id lbrace = Tok("{");
      const Doc::Id expr = Expr();
      const Doc::Id rbrace = Tok("}");
      parts.push_back(doc_.Group(doc_.Concat({keyword, doc_.Space(), lbrace,
                                              doc_.Nest(indent_, doc_.Concat({doc_.Line(), expr})), doc_.Line(),
                                              rbrace})));
    }
    parts.push_back(Tok(";"));
    return doc_.Concat(parts);
  }

 private:
  // --- tokens -----------------------------------------------------------------

  const Token* Peek(std::size_t ahead = 0) const {
    return i_ + ahead < toks_.size() ? &toks_[i_ + ahead].tok : nullptr;
  }
  bool Is(std::string_view p, std::size_t ahead = 0) const {
    const Token* t = Peek(ahead);
    return t != nullptr && t->Is(p) && t->kind != Token::Kind::kString;
  }
  bool IsKind(Token::Kind kind, std::size_t ahead = 0) const {
    const Token* t = Peek(ahead);
    return t != nullptr && t->kind == kind;
  }
  [[noreturn]] void Fail() const {
    throw Unexpected{i_ < toks_.size() ? toks_[i_].tok.span.begin : (toks_.empty() ? 0 : toks_.back().tok.span.end)};
  }

  // The current token, with its comments.
  Doc::Id Tok() {
    if (AtEnd()) Fail();
    const FmtToken& t = toks_[i_++];
    const bool top = first_of_policy_;
    first_of_policy_ = false;
    std::vector<Doc::Id> parts;
    for (std::size_t k = 0; k < t.leading.size(); ++k) {
      // Between policies, empty lines separating comments are kept.
      parts.push_back(doc_.LeadingComment(t.leading[k].text, top && k > 0 && t.leading[k].blank_before));
    }
    if (top && !t.leading.empty() && t.blank_before) parts.push_back(doc_.BlankLine());
    parts.push_back(doc_.Text(t.tok.text));
    if (t.trailing) parts.push_back(doc_.TrailingComment(t.trailing->text));
    return doc_.Concat(parts);
  }
  Doc::Id Tok(std::string_view expected) {
    if (!Is(expected)) Fail();
    return Tok();
  }
  Doc::Id Tok(Token::Kind kind) {
    if (!IsKind(kind)) Fail();
    return Tok();
  }

  // `open` elements separated by `,` `close` (rule 7); `spaced`: `{ a }`.
  template <typename Element>
  Doc::Id List(std::string_view open, std::string_view close, bool spaced, Element element) {
    const Doc::Id o = Tok(open);
    if (Is(close)) {
      const Doc::Id c = Tok();
      return doc_.Concat({o, c});
    }
    std::vector<Doc::Id> inner;
    inner.push_back(spaced ? doc_.Line() : doc_.SoftLine());
    while (true) {
      inner.push_back(element());
      if (!Is(",")) break;
      inner.push_back(Tok());
      inner.push_back(doc_.Line());
    }
    const Doc::Id c = Tok(close);
    const Doc::Id last = spaced ? doc_.Line() : doc_.SoftLine();
    return doc_.Group(doc_.Concat({o, doc_.Nest(indent_, doc_.Concat(inner)), last, c}));
  }

  // --- names and scope --------------------------------------------------------

  // Ident ('::' Ident)*, stopping before `::` followed by a string.
  Doc::Id Path() {
    std::vector<Doc::Id> parts;
    parts.push_back(Tok(Token::Kind::kIdent));
    while (Is("::") && IsKind(Token::Kind::kIdent, 1)) {
      parts.push_back(Tok());
      parts.push_back(Tok());
    }
    return doc_.Concat(parts);
  }

  Doc::Id EntityRef() {
    const Doc::Id path = Path();
    const Doc::Id colons = Tok("::");
    const Doc::Id id = Tok(Token::Kind::kString);
    return doc_.Concat({path, colons, id});
  }

  // `(`* (entity | slot) `)`*.
  Doc::Id EntityOrSlot() {
    std::vector<Doc::Id> parts;
    int parens = 0;
    for (; Is("("); ++parens) parts.push_back(Tok());
    parts.push_back(IsKind(Token::Kind::kSlot) ? Tok() : EntityRef());
    for (; parens > 0; --parens) parts.push_back(Tok(")"));
    return doc_.Concat(parts);
  }

  Doc::Id Scope(std::string_view var) {
    std::vector<Doc::Id> parts;
    parts.push_back(Tok(var));
    if (Is("==") || Is("in")) {
      parts.push_back(doc_.Space());
      parts.push_back(Tok());
      parts.push_back(doc_.Space());
      parts.push_back(EntityOrSlot());
    } else if (Is("is")) {
      parts.push_back(doc_.Space());
      parts.push_back(Tok());
      parts.push_back(doc_.Space());
      parts.push_back(Path());
      if (Is("in")) {
        parts.push_back(doc_.Space());
        parts.push_back(Tok());
        parts.push_back(doc_.Space());
        parts.push_back(EntityOrSlot());
      }
    }
    return doc_.Concat(parts);
  }

  Doc::Id ActionScope() {
    std::vector<Doc::Id> parts;
    parts.push_back(Tok("action"));
    if (!Is("==") && !Is("in")) return parts.front();
    parts.push_back(doc_.Space());
    parts.push_back(Tok());
    parts.push_back(doc_.Space());
    // `(`* then a list or an entity, then as many `)`.
    int parens = 0;
    for (; Is("("); ++parens) parts.push_back(Tok());
    if (Is("[")) {
      parts.push_back(List("[", "]", false, [this] { return EntityOrSlot(); }));
    } else {
      parts.push_back(EntityRef());
    }
    for (; parens > 0; --parens) parts.push_back(Tok(")"));
    return doc_.Concat(parts);
  }

  // --- expressions ------------------------------------------------------------

  Doc::Id Expr() {
    if (!Is("if")) return Or();
    auto part = [this](Doc::Id keyword, Doc::Id e) {
      return doc_.Group(doc_.Concat({keyword, doc_.Nest(indent_, doc_.Concat({doc_.Line(), e}))}));
    };
    const Doc::Id if_kw = Tok();
    const Doc::Id cond = Expr();
    const Doc::Id then_kw = Tok("then");
    const Doc::Id then_e = Expr();
    const Doc::Id else_kw = Tok("else");
    const Doc::Id else_e = Expr();
    return doc_.Group(doc_.Concat({part(if_kw, cond), doc_.Line(), part(then_kw, then_e), doc_.Line(),
                                   part(else_kw, else_e)}));
  }

  template <typename Operand>
  Doc::Id Chain(std::string_view op, Operand operand) {
    const Doc::Id first = operand();
    if (!Is(op)) return first;
    std::vector<Doc::Id> parts{first};
    while (Is(op)) {
      parts.push_back(doc_.Space());
      parts.push_back(Tok());
      parts.push_back(doc_.Line());
      parts.push_back(operand());
    }
    return doc_.Group(doc_.Concat(parts));
  }

  Doc::Id Or() {
    return Chain("||", [this] { return And(); });
  }
  Doc::Id And() {
    return Chain("&&", [this] { return Relation(); });
  }

  bool AtRelOp() const {
    if (Is("in")) return true;
    if (!IsKind(Token::Kind::kPunct)) return false;
    for (std::string_view op : {"==", "!=", "<", "<=", ">", ">="}) {
      if (Is(op)) return true;
    }
    return false;
  }

  Doc::Id Relation() {
    const Doc::Id lhs = Add();
    if (AtRelOp()) {
      const Doc::Id op = Tok();
      // `x == {`, `x in [`, `x < (`: the bracket stays on the operator's line
      // and breaks inside instead.
      const bool hug = Is("[") || Is("{") || Is("(");
      const Doc::Id rhs = Add();
      if (hug) return doc_.Concat({lhs, doc_.Space(), op, doc_.Space(), rhs});
      return doc_.Group(doc_.Concat({lhs, doc_.Space(), op, doc_.Nest(indent_, doc_.Concat({doc_.Line(), rhs}))}));
    }
    std::vector<Doc::Id> parts{lhs};
    auto keyword = [&] {
      parts.push_back(doc_.Space());
      parts.push_back(Tok());
      parts.push_back(doc_.Space());
    };
    if (Is("has")) {
      keyword();
      if (IsKind(Token::Kind::kString)) {
        parts.push_back(Tok());
      } else {
        parts.push_back(Tok(Token::Kind::kIdent));
        while (Is(".")) {
          parts.push_back(Tok());
          parts.push_back(Tok(Token::Kind::kIdent));
        }
      }
    } else if (Is("like")) {
      keyword();
      parts.push_back(Tok(Token::Kind::kString));
    } else if (Is("is")) {
      keyword();
      parts.push_back(Path());
      if (Is("in")) {
        keyword();
        parts.push_back(Add());
      }
    }
    return doc_.Concat(parts);
  }

  Doc::Id Add() {
    std::vector<Doc::Id> parts{Mult()};
    while (Is("+") || Is("-")) {
      parts.push_back(doc_.Space());
      parts.push_back(Tok());
      parts.push_back(doc_.Space());
      parts.push_back(Mult());
    }
    return doc_.Concat(parts);
  }

  Doc::Id Mult() {
    std::vector<Doc::Id> parts{Unary()};
    while (Is("*")) {
      parts.push_back(doc_.Space());
      parts.push_back(Tok());
      parts.push_back(doc_.Space());
      parts.push_back(Unary());
    }
    return doc_.Concat(parts);
  }

  Doc::Id Unary() {
    std::vector<Doc::Id> parts;
    while (Is("!") || Is("-")) parts.push_back(Tok());
    parts.push_back(Member());
    return doc_.Concat(parts);
  }

  Doc::Id Member() {
    std::vector<Doc::Id> parts{Primary()};
    while (true) {
      if (Is(".")) {
        parts.push_back(Tok());
        parts.push_back(Tok(Token::Kind::kIdent));
        if (Is("(")) parts.push_back(List("(", ")", false, [this] { return Expr(); }));
      } else if (Is("[")) {
        parts.push_back(Tok());
        parts.push_back(Expr());
        parts.push_back(Tok("]"));
      } else {
        return doc_.Concat(parts);
      }
    }
  }

  Doc::Id Primary() {
    const Token* t = Peek();
    if (t == nullptr) Fail();
    switch (t->kind) {
      case Token::Kind::kInt:
      case Token::Kind::kString:
      case Token::Kind::kSlot:
        return Tok();
      case Token::Kind::kPunct:
        if (Is("(")) {
          const Doc::Id open = Tok();
          const Doc::Id e = Expr();
          const Doc::Id close = Tok(")");
          return doc_.Group(
              doc_.Concat({open, doc_.Nest(indent_, doc_.Concat({doc_.SoftLine(), e})), doc_.SoftLine(), close}));
        }
        if (Is("[")) return List("[", "]", false, [this] { return Expr(); });
        if (Is("{")) return List("{", "}", true, [this] { return RecordEntry(); });
        Fail();
      case Token::Kind::kIdent:
        break;
      case Token::Kind::kEnd:
      case Token::Kind::kInvalid:
        Fail();
    }
    if (Is("true") || Is("false")) return Tok();
    for (std::string_view var : {"principal", "action", "resource", "context"}) {
      if (Is(var) && !Is("::", 1)) return Tok();
    }
    const Doc::Id path = Path();
    if (Is("::")) {
      const Doc::Id colons = Tok();
      const Doc::Id id = Tok(Token::Kind::kString);
      return doc_.Concat({path, colons, id});
    }
    if (Is("(")) return doc_.Concat({path, List("(", ")", false, [this] { return Expr(); })});
    Fail();
  }

  Doc::Id RecordEntry() {
    const Doc::Id key = IsKind(Token::Kind::kString) ? Tok() : Tok(Token::Kind::kIdent);
    const Doc::Id colon = Tok(":");
    const Doc::Id value = Expr();
    return doc_.Concat({key, colon, doc_.Space(), value});
  }

  const std::vector<FmtToken>& toks_;
  Doc& doc_;
  const int indent_;
  std::size_t i_ = 0;
  bool first_of_policy_ = false;
};

// Comments in text order.
std::vector<std::string_view> AllComments(const TokenStream& ts) {
  std::vector<std::string_view> out;
  for (const FmtToken& t : ts.tokens) {
    for (const Comment& c : t.leading) out.push_back(c.text);
    if (t.trailing) out.push_back(t.trailing->text);
  }
  for (const Comment& c : ts.end_comments) out.push_back(c.text);
  return out;
}

// The formatter's promise, checked on every run: the output has the input's
// tokens (less dropped commas) and comments, in the same order.
bool SameTokensAndComments(const TokenStream& expected, std::string_view out) {
  std::optional<TokenStream> got = Lex(out);
  if (!got || got->tokens.size() != expected.tokens.size()) return false;
  for (std::size_t i = 0; i < got->tokens.size(); ++i) {
    if (got->tokens[i].tok.text != expected.tokens[i].tok.text) return false;
  }
  return AllComments(*got) == AllComments(expected);
}

}  // namespace
}  // namespace internal

absl::StatusOr<std::string> FormatPolicies(std::string_view text, std::string_view file,
                                           std::vector<Issue>* issues, const FormatOptions& options) {
  using internal::Av;
  using internal::Doc;
  if (options.line_width < 20 || options.line_width > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("line width ", options.line_width, " is not in 20..1000"));
  }
  if (options.indent < 0 || options.indent > 8) {
    return absl::InvalidArgumentError(absl::StrCat("indent ", options.indent, " is not in 0..8"));
  }
  std::vector<Issue> local;
  if (issues == nullptr) issues = &local;
  const internal::SourceFile source(file, text);
  const std::size_t issues_before = issues->size();
  (void)internal::ParsePolicies(source, ParseOptions{}, issues);
  for (std::size_t i = issues_before; i < issues->size(); ++i) {
    const Issue& issue = (*issues)[i];
    if (issue.severity == Severity::kError) {
      return absl::InvalidArgumentError(absl::StrCat(IssueLocation(issue), ": ", issue.message));
    }
  }

  std::optional<internal::TokenStream> tokens = internal::Lex(text);
  auto internal_error = [&](std::uint32_t offset) {
    return absl::InternalError(absl::StrCat("formatter failed at ", Av(file), ":", source.LineOf(offset), ":",
                                            source.ColumnOf(offset), " (a bug in writ: please report it)"));
  };
  if (!tokens) return internal_error(0);
  internal::Normalize(&*tokens);

  std::string out;
  Doc doc;
  auto too_long = [] {
    return absl::ResourceExhaustedError(
        absl::StrCat("formatted text would be longer than the limit of ", kMaxPolicyTextBytes, " bytes"));
  };
  try {
    internal::Builder builder(tokens->tokens, &doc, options.indent);
    while (!builder.AtEnd()) {
      doc.Clear();
      const Doc::Id root = builder.Policy();
      if (!out.empty()) out += "\n\n";
      if (!doc.Render(root, options.line_width, kMaxPolicyTextBytes, &out)) return too_long();
    }
  } catch (const internal::Unexpected& e) {
    return internal_error(e.offset);
  }
  const std::vector<internal::Comment>& end = tokens->end_comments;
  if (!end.empty()) {
    doc.Clear();
    std::vector<Doc::Id> parts;
    for (std::size_t k = 0; k < end.size(); ++k) {
      parts.push_back(doc.LeadingComment(end[k].text, k > 0 && end[k].blank_before));
    }
    if (!out.empty()) out += end.front().blank_before ? "\n\n" : "\n";
    if (!doc.Render(doc.Concat(parts), options.line_width, kMaxPolicyTextBytes, &out)) return too_long();
  }
  if (!out.empty()) out += '\n';
  if (out.size() > kMaxPolicyTextBytes) return too_long();
  if (!internal::SameTokensAndComments(*tokens, out)) {
    return absl::InternalError(
        absl::StrCat("formatting ", Av(file), " changed its tokens or comments (a bug in writ: please report it)"));
  }
  return out;
}

}  // namespace writ
