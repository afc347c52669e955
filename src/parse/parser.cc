// Parse: Cedar policy text -> AST. A recursive-descent parser over the X3
// lexer's tokens, following Cedar's grammar (grammar.lalrpop) and its
// CST-to-AST checks. Recursion is guarded before it deepens; a mistake ends
// the current policy with an issue and parsing resumes after its `;`.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/base/strings.h"
#include "src/base/suggest.h"
#include "src/base/utf8.h"
#include "src/ext/extensions.h"
#include "src/ext/regex.h"
#include "src/parse/lexer.h"
#include "src/parse/parser.h"
#include "writ/limits.h"

namespace writ::internal {
namespace {

// Thrown inside the parser only, to abandon the current policy; caught at
// the policy (or entry point) level. Never crosses the parser's API.
struct Abandon {};

constexpr std::string_view kReserved[] = {"true", "false", "if", "then", "else", "in", "is", "like", "has"};
bool IsReserved(std::string_view s) {
  return std::find(std::begin(kReserved), std::end(kReserved), s) != std::end(kReserved);
}

std::string Describe(const Token& t) {
  switch (t.kind) {
    case Token::Kind::kEnd: return "end of input";
    case Token::Kind::kString: return "a string literal";
    case Token::Kind::kInt: return absl::StrCat("`", Av(t.text), "`");
    case Token::Kind::kInvalid:
      return t.text.starts_with("\"") ? "an unterminated string" : absl::StrCat("`", Av(t.text), "`");
    default: return absl::StrCat("`", Av(t.text), "`");
  }
}

constexpr std::string_view kBuiltinMethods[] = {"contains", "containsAll", "containsAny",
                                                "isEmpty",  "getTag",      "hasTag"};

// Desugaring `e has a.b.c` copies `e` once per extra path element; past this
// many copied nodes the expression is rejected, so that a short text cannot
// grow into a huge tree.
constexpr std::size_t kMaxCopiedNodes = std::size_t{1} << 20;

// Recursion bounded by kMaxExpressionHeight, like every walk over an Expr.
std::size_t CountNodes(const Expr& e) {
  std::size_t n = 1;
  for (const ExprPtr& a : e.args) n += CountNodes(*a);
  return n;
}

ExprPtr CloneExpr(const Expr& e) {
  auto c = std::make_unique<Expr>();
  c->kind = e.kind;
  c->span = e.span;
  c->height = e.height;
  c->var = e.var;
  c->slot = e.slot;
  c->unary_op = e.unary_op;
  c->binary_op = e.binary_op;
  c->literal = e.literal;
  c->name = e.name;
  c->keys = e.keys;
  c->pattern = e.pattern;
  c->regex = e.regex;
  for (const ExprPtr& a : e.args) c->args.push_back(CloneExpr(*a));
  return c;
}

class Parser {
 public:
  // `deep_regions`: byte ranges the nesting pre-scan already reported as too
  // deep (sorted); hitting the depth limit inside one adds no second issue.
  // `strict`: pure Cedar, writ's extensions unknown (ParseOptions::strict).
  Parser(const SourceFile& file, std::vector<Issue>* issues, std::vector<Span> deep_regions = {},
         bool strict = false)
      : file_(file), issues_(issues), deep_regions_(std::move(deep_regions)), strict_(strict) {
    tok_ = LexToken(file_.text(), 0);
  }

  std::vector<Policy> Policies() {
    std::vector<Policy> out;
    while (tok_.kind != Token::Kind::kEnd) {
      try {
        out.push_back(ParsePolicy());
      } catch (const Abandon&) {
        Recover();
      }
    }
    return out;
  }

  ExprPtr WholeExpression() {
    try {
      ExprPtr e = ParseExpr();
      if (tok_.kind != Token::Kind::kEnd) Fail(tok_.span, absl::StrCat("unexpected ", Describe(tok_), " after the expression"));
      return e;
    } catch (const Abandon&) {
      return nullptr;
    }
  }

  std::optional<EntityUid> WholeEntityUid() {
    try {
      std::string type = ParsePath();
      Expect("::");
      EntityUid uid{std::move(type), ParseStringToken(false)};
      if (tok_.kind != Token::Kind::kEnd) return std::nullopt;
      return uid;
    } catch (const Abandon&) {
      return std::nullopt;
    }
  }

  std::optional<std::string> WholeTypeName() {
    try {
      std::string type = ParsePath();
      if (tok_.kind != Token::Kind::kEnd) return std::nullopt;
      return type;
    } catch (const Abandon&) {
      return std::nullopt;
    }
  }

 private:
  // --- tokens -----------------------------------------------------------------

  void Advance() {
    prev_end_ = tok_.span.end;
    tok_ = LexToken(file_.text(), tok_.span.end);
  }
  Token Peek2() const { return LexToken(file_.text(), tok_.span.end); }
  bool Accept(std::string_view p) {
    if (!tok_.Is(p) || tok_.kind == Token::Kind::kString) return false;
    Advance();
    return true;
  }
  [[noreturn]] void Fail(Span span, std::string message, std::string hint = {}) {
    issues_->push_back(file_.MakeIssue(span, std::move(message), Severity::kError, std::move(hint)));
    throw Abandon{};
  }
  [[noreturn]] void Unexpected(std::string_view expected, std::string hint = {}) {
    if (tok_.kind == Token::Kind::kInvalid && tok_.text.starts_with("\"")) {
      Fail({tok_.span.begin, tok_.span.begin + 1}, "unterminated string literal");
    }
    Fail(tok_.span, absl::StrCat("unexpected ", Describe(tok_), ", expected ", Av(expected)), std::move(hint));
  }
  void Expect(std::string_view p) {
    if (!Accept(p)) Unexpected(absl::StrCat("`", Av(p), "`"));
  }
  std::string ExpectIdent(std::string_view what) {
    if (tok_.kind != Token::Kind::kIdent) Unexpected(what);
    std::string s(tok_.text);
    Advance();
    return s;
  }
  // An identifier naming an attribute or method: reserved words and
  // `__cedar` are rejected, as Cedar does (`.if`, `has true`, `{in: 1}`).
  std::string ExpectAttrIdent(std::string_view what) {
    if (tok_.kind == Token::Kind::kIdent && (IsReserved(tok_.text) || tok_.text == "__cedar")) {
      Fail(tok_.span, absl::StrCat("`", Av(tok_.text), "` is reserved and cannot be used as an attribute name"),
           tok_.text == "__cedar" ? "" : absl::StrCat("write it as a string: [\"", Av(tok_.text), "\"]"));
    }
    return ExpectIdent(what);
  }

  // Skips to just past the next `;` outside brackets (or to the end).
  void Recover() {
    int depth = 0;
    while (tok_.kind != Token::Kind::kEnd) {
      if (tok_.kind == Token::Kind::kInvalid && tok_.text.starts_with("\"")) {
        tok_ = {Token::Kind::kEnd, {}, {static_cast<std::uint32_t>(file_.text().size()),
                                        static_cast<std::uint32_t>(file_.text().size())}};
        return;
      }
      if (tok_.kind == Token::Kind::kPunct) {
        if (tok_.text == "(" || tok_.text == "[" || tok_.text == "{") ++depth;
        if (tok_.text == ")" || tok_.text == "]" || tok_.text == "}") depth = std::max(0, depth - 1);
        if (tok_.text == ";" && depth == 0) {
          Advance();
          return;
        }
      }
      Advance();
    }
  }

  // --- nodes ------------------------------------------------------------------
  // Builders return mutable nodes; they become ExprPtr (const) when stored.
  using NodePtr = std::unique_ptr<Expr>;

  NodePtr Node(Expr::Kind kind, std::uint32_t begin, std::vector<ExprPtr> args = {}) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->span = {begin, prev_end_};
    int h = 0;
    for (const ExprPtr& a : args) h = std::max<int>(h, a->height);
    if (h + 1 > kMaxExpressionHeight) {
      Fail(e->span, absl::StrCat("expression too large: more than ", kMaxExpressionHeight,
                                 " nested operations (split it, or use a set and `contains`)"));
    }
    e->height = static_cast<std::uint16_t>(h + 1);
    e->args = std::move(args);
    return e;
  }
  NodePtr Unary(UnaryOp op, std::uint32_t begin, ExprPtr a) {
    std::vector<ExprPtr> args;
    args.push_back(std::move(a));
    NodePtr e = Node(Expr::Kind::kUnary, begin, std::move(args));
    e->unary_op = op;
    return e;
  }
  NodePtr Binary(Expr::Kind kind, BinaryOp op, std::uint32_t begin, ExprPtr a, ExprPtr b) {
    std::vector<ExprPtr> args;
    args.push_back(std::move(a));
    args.push_back(std::move(b));
    NodePtr e = Node(kind, begin, std::move(args));
    e->binary_op = op;
    return e;
  }
  NodePtr WithName(Expr::Kind kind, std::uint32_t begin, ExprPtr a, std::string name) {
    std::vector<ExprPtr> args;
    args.push_back(std::move(a));
    NodePtr e = Node(kind, begin, std::move(args));
    e->name = std::move(name);
    return e;
  }
  NodePtr Literal(std::uint32_t begin, Value v) {
    NodePtr e = Node(Expr::Kind::kLiteral, begin);
    e->literal = std::move(v);
    return e;
  }

  // --- literals and names -----------------------------------------------------

  std::string ParseStringToken(bool pattern, std::string* star_mask = nullptr) {
    if (tok_.kind != Token::Kind::kString) Unexpected("a string literal");
    std::string error;
    std::string_view raw = tok_.text.substr(1, tok_.text.size() - 2);
    std::optional<std::string> s = Unescape(raw, pattern, star_mask, &error);
    if (!s) Fail(tok_.span, error);
    Advance();
    return *std::move(s);
  }

  // Ident ('::' Ident)* — stops before `::` followed by a string.
  std::string ParsePath() {
    std::string path;
    while (true) {
      if (tok_.kind != Token::Kind::kIdent) Unexpected("a name");
      if (IsReserved(tok_.text) || tok_.text == "__cedar") {
        Fail(tok_.span, absl::StrCat("`", Av(tok_.text), "` is a reserved word and cannot be part of a name"));
      }
      absl::StrAppend(&path, path.empty() ? "" : "::", Av(tok_.text));
      Advance();
      if (!tok_.Is("::")) return path;
      Token next = Peek2();
      if (next.kind != Token::Kind::kIdent) return path;
      Advance();
    }
  }

  EntityUid ParseEntityRef() {
    std::string type = ParsePath();
    Expect("::");
    return {std::move(type), ParseStringToken(false)};
  }

  // --- policies ---------------------------------------------------------------

  Policy ParsePolicy() {
    Policy p;
    in_condition_ = false;
    const std::uint32_t begin = tok_.span.begin;
    std::unordered_set<std::string> annotation_keys;   // linear time for many annotations
    while (tok_.Is("@")) {
      Annotation a;
      a.span.begin = tok_.span.begin;
      Advance();
      a.key_span = tok_.span;
      a.key = ExpectIdent("an annotation name");
      if (Accept("(")) {
        a.value_span = tok_.span;
        a.value = ParseStringToken(false);
        Expect(")");
      }
      a.span.end = prev_end_;
      if (!annotation_keys.insert(a.key).second) {
        Fail(a.key_span, absl::StrCat("duplicate annotation `@", a.key, "`"));
      }
      p.annotations.push_back(std::move(a));
    }
    p.effect_span = tok_.span;
    if (tok_.Is("permit")) {
      p.effect = Effect::kPermit;
    } else if (tok_.Is("forbid")) {
      p.effect = Effect::kForbid;
    } else {
      Unexpected("`permit` or `forbid`");
    }
    Advance();
    Expect("(");
    p.principal = ParseScope("principal", SlotKind::kPrincipal);
    Expect(",");
    p.action = ParseActionScope();
    Expect(",");
    p.resource = ParseScope("resource", SlotKind::kResource);
    // Cedar allows a trailing comma: `permit(principal, action, resource,)`.
    if (Accept(",") && !tok_.Is(")")) {
      Fail(tok_.span, "a policy scope has exactly three parts: principal, action, resource");
    }
    Expect(")");
    while (tok_.Is("when") || tok_.Is("unless")) {
      Condition c;
      c.span.begin = tok_.span.begin;
      c.is_when = tok_.Is("when");
      Advance();
      Expect("{");
      if (tok_.Is("}")) Fail(tok_.span, "empty condition: write an expression between the braces");
      in_condition_ = true;
      c.expr = ParseExpr();
      in_condition_ = false;
      Expect("}");
      c.span.end = prev_end_;
      p.conditions.push_back(std::move(c));
    }
    if (!tok_.Is(";")) Unexpected("`when`, `unless` or `;`");
    Advance();
    p.span = {begin, prev_end_};
    p.is_template = p.principal.slot.has_value() || p.resource.slot.has_value();
    return p;
  }

  // Cedar accepts the entities of a scope in parentheses, `principal ==
  // (User::"a")`, `action in ([Action::"a"])`: OpenParens counts them,
  // CloseParens expects as many.
  int OpenParens() {
    int n = 0;
    while (Accept("(")) ++n;
    return n;
  }
  void CloseParens(int n) {
    for (; n > 0; --n) Expect(")");
  }

  void EntityOrSlot(ScopeConstraint* c, SlotKind slot) {
    const int parens = OpenParens();
    EntityOrSlotInner(c, slot);
    CloseParens(parens);
  }

  void EntityOrSlotInner(ScopeConstraint* c, SlotKind slot) {
    if (tok_.kind == Token::Kind::kSlot) {
      const bool ok = (slot == SlotKind::kPrincipal && tok_.text == "?principal") ||
                      (slot == SlotKind::kResource && tok_.text == "?resource");
      if (!ok) Fail(tok_.span, absl::StrCat("unexpected slot `", Av(tok_.text), "` here"));
      c->slot = slot;
      Advance();
      return;
    }
    if (tok_.Is("[")) Fail(tok_.span, "only `action` may be constrained by a list of entities");
    c->entity = ParseEntityRef();
  }

  ScopeConstraint ParseScope(std::string_view var, SlotKind slot) {
    ScopeConstraint c;
    c.span.begin = tok_.span.begin;
    if (!tok_.Is(var)) Unexpected(absl::StrCat("`", Av(var), "`"));
    Advance();
    if (Accept("==")) {
      c.kind = ScopeConstraint::Kind::kEq;
      EntityOrSlot(&c, slot);
    } else if (Accept("in")) {
      c.kind = ScopeConstraint::Kind::kIn;
      EntityOrSlot(&c, slot);
    } else if (Accept("is")) {
      c.kind = ScopeConstraint::Kind::kIs;
      c.entity_type = ParsePath();
      if (Accept("in")) {
        c.kind = ScopeConstraint::Kind::kIsIn;
        EntityOrSlot(&c, slot);
      }
    }
    c.span.end = prev_end_;
    return c;
  }

  EntityUid ParseActionRef() {
    const int parens = OpenParens();
    const Span at = tok_.span;
    EntityUid uid = ParseEntityRef();
    CloseParens(parens);
    if (uid.type != "Action" && !uid.type.ends_with("::Action")) {
      Fail({at.begin, prev_end_}, absl::StrCat("expected an action entity (type `Action`), found `", uid.type, "`"));
    }
    return uid;
  }

  ActionConstraint ParseActionScope() {
    ActionConstraint c;
    c.span.begin = tok_.span.begin;
    if (!tok_.Is("action")) Unexpected("`action`");
    Advance();
    if (Accept("==")) {
      c.kind = ActionConstraint::Kind::kEq;
      c.entities.push_back(ParseActionRef());
    } else if (Accept("in")) {
      // `(` `[` is a parenthesized list; `(` alone a parenthesized entity.
      int parens = 0;
      while (tok_.Is("(") && Peek2().Is("(")) {
        Advance();
        ++parens;
      }
      if (tok_.Is("(") && Peek2().Is("[")) {
        Advance();
        ++parens;
      }
      if (Accept("[")) {
        c.kind = ActionConstraint::Kind::kInList;
        while (!tok_.Is("]")) {
          c.entities.push_back(ParseActionRef());
          if (!Accept(",")) break;
        }
        Expect("]");
        CloseParens(parens);
      } else {
        c.kind = ActionConstraint::Kind::kIn;
        c.entities.push_back(ParseActionRef());
        CloseParens(parens);
      }
    } else if (tok_.Is("is")) {
      Fail(tok_.span, "`is` is not allowed on `action` in a policy scope");
    }
    c.span.end = prev_end_;
    return c;
  }

  // --- expressions ------------------------------------------------------------

  bool InDeepRegion(std::uint32_t at) const {
    for (const Span& r : deep_regions_) {
      if (at >= r.begin && at <= r.end) return true;
    }
    return false;
  }

  // Guards recursion: every path that re-enters ParseExpr passes here first.
  struct DepthGuard {
    explicit DepthGuard(Parser* p) : parser(p) {
      if (++parser->depth_ > kMaxExpressionDepth) {
        --parser->depth_;   // the destructor does not run when the constructor throws
        if (parser->InDeepRegion(parser->tok_.span.begin)) throw Abandon{};
        parser->Fail(parser->tok_.span, absl::StrCat("expression nested too deeply: more than ",
                                                     kMaxExpressionDepth, " levels"));
      }
    }
    ~DepthGuard() { --parser->depth_; }
    Parser* parser;
  };

  ExprPtr ParseExpr() {
    DepthGuard guard(this);
    const std::uint32_t begin = tok_.span.begin;
    if (Accept("if")) {
      std::vector<ExprPtr> args;
      args.push_back(ParseExpr());
      Expect("then");
      args.push_back(ParseExpr());
      Expect("else");
      args.push_back(ParseExpr());
      return Node(Expr::Kind::kIf, begin, std::move(args));
    }
    return ParseOr();
  }

  ExprPtr ParseOr() {
    const std::uint32_t begin = tok_.span.begin;
    ExprPtr e = ParseAnd();
    while (Accept("||")) e = Binary(Expr::Kind::kOr, BinaryOp::kEq, begin, std::move(e), ParseAnd());
    return e;
  }

  ExprPtr ParseAnd() {
    const std::uint32_t begin = tok_.span.begin;
    ExprPtr e = ParseRelation();
    while (Accept("&&")) e = Binary(Expr::Kind::kAnd, BinaryOp::kEq, begin, std::move(e), ParseRelation());
    return e;
  }

  std::optional<BinaryOp> RelOp() const {
    if (tok_.kind != Token::Kind::kPunct && !tok_.Is("in")) return std::nullopt;
    if (tok_.Is("==")) return BinaryOp::kEq;
    if (tok_.Is("!=")) return BinaryOp::kNe;
    if (tok_.Is("<")) return BinaryOp::kLt;
    if (tok_.Is("<=")) return BinaryOp::kLe;
    if (tok_.Is(">")) return BinaryOp::kGt;
    if (tok_.Is(">=")) return BinaryOp::kGe;
    if (tok_.Is("in")) return BinaryOp::kIn;
    return std::nullopt;
  }

  ExprPtr ParseRelation() {
    const std::uint32_t begin = tok_.span.begin;
    ExprPtr e = ParseAdd();
    if (std::optional<BinaryOp> op = RelOp()) {
      Advance();
      e = Binary(Expr::Kind::kBinary, *op, begin, std::move(e), ParseAdd());
      if (RelOp()) Fail(tok_.span, "comparisons do not chain: add parentheses or `&&`");
      return e;
    }
    if (tok_.Is("=")) Fail(tok_.span, "unexpected `=`", "use `==` to compare");
    if (Accept("has")) return ParseHas(begin, std::move(e));
    if (Accept("like")) {
      std::string stars;
      std::string text = ParseStringToken(true, &stars);
      NodePtr like = WithName(Expr::Kind::kLike, begin, std::move(e), "");
      auto& pattern = like->pattern;
      for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '*' && stars[i] == '0') {
          if (pattern.empty() || !pattern.back().wildcard) pattern.push_back({true, ""});
          continue;
        }
        if (pattern.empty() || pattern.back().wildcard) pattern.push_back({false, ""});
        pattern.back().literal += text[i];
      }
      like->span.end = prev_end_;
      return like;
    }
    if (Accept("is")) {
      std::string type = ParsePath();
      if (Accept("in")) {
        ExprPtr copy = CloneExpr(*e);
        ExprPtr is = WithName(Expr::Kind::kIs, begin, std::move(e), std::move(type));
        ExprPtr in = Binary(Expr::Kind::kBinary, BinaryOp::kIn, begin, std::move(copy), ParseAdd());
        return Binary(Expr::Kind::kAnd, BinaryOp::kEq, begin, std::move(is), std::move(in));
      }
      return WithName(Expr::Kind::kIs, begin, std::move(e), std::move(type));
    }
    return e;
  }

  // `e has a`, `e has "a b"`, and `e has a.b.c` as
  // `e has a && e.a has b && e.a.b has c`.
  ExprPtr ParseHas(std::uint32_t begin, ExprPtr target) {
    std::vector<std::string> path;
    if (tok_.kind == Token::Kind::kString) {
      path.push_back(ParseStringToken(false));
    } else {
      path.push_back(ExpectAttrIdent("an attribute name"));
      while (Accept(".")) path.push_back(ExpectAttrIdent("an attribute name"));
    }
    if (path.size() > 1 && CountNodes(*target) * (path.size() - 1) > kMaxCopiedNodes) {
      Fail({begin, prev_end_}, absl::StrCat("expression too large: `has` with a path of ", path.size(),
                                            " attributes repeats its left-hand side too often"));
    }
    ExprPtr object = std::move(target);
    ExprPtr result;
    for (std::size_t i = 0; i < path.size(); ++i) {
      const bool last = i + 1 == path.size();
      ExprPtr has = WithName(Expr::Kind::kHasAttr, begin, last ? std::move(object) : CloneExpr(*object), path[i]);
      result = result ? Binary(Expr::Kind::kAnd, BinaryOp::kEq, begin, std::move(result), std::move(has))
                      : std::move(has);
      if (!last) object = WithName(Expr::Kind::kGetAttr, begin, std::move(object), path[i]);
    }
    return result;
  }

  ExprPtr ParseAdd() {
    const std::uint32_t begin = tok_.span.begin;
    ExprPtr e = ParseMult();
    while (tok_.Is("+") || tok_.Is("-")) {
      const BinaryOp op = tok_.Is("+") ? BinaryOp::kAdd : BinaryOp::kSub;
      Advance();
      e = Binary(Expr::Kind::kBinary, op, begin, std::move(e), ParseMult());
    }
    return e;
  }

  ExprPtr ParseMult() {
    const std::uint32_t begin = tok_.span.begin;
    ExprPtr e = ParseUnary();
    while (true) {
      if (tok_.Is("/") || tok_.Is("%")) {
        Fail(tok_.span, absl::StrCat("`", Av(tok_.text), "` is not an operator in Cedar"),
             "Cedar has `+`, `-` and `*` on integers only");
      }
      if (!Accept("*")) return e;
      e = Binary(Expr::Kind::kBinary, BinaryOp::kMul, begin, std::move(e), ParseUnary());
    }
  }

  ExprPtr ParseUnary() {
    const std::uint32_t begin = tok_.span.begin;
    if (!tok_.Is("!") && !tok_.Is("-")) return ParseMember();
    const std::string op(tok_.text);
    int count = 0;
    while (tok_.Is(op)) {
      ++count;
      Advance();
    }
    if (count > 4) Fail({begin, prev_end_}, absl::StrCat("too many `", op, "` in a row (at most 4)"));
    if (tok_.Is("!") || tok_.Is("-")) Unexpected("an expression (put the inner operator in parentheses)");
    ExprPtr e;
    const Token after = tok_.kind == Token::Kind::kInt ? Peek2() : Token{};
    if (op == "-" && tok_.kind == Token::Kind::kInt && !after.Is(".") && !after.Is("[")) {
      // `-` on a bare integer literal is a negative literal, so i64's minimum
      // parses (as in Cedar, `-5.a` stays `-(5.a)`).
      const Token lit = tok_;
      std::uint64_t magnitude = 0;
      if (!absl::SimpleAtoi(Av(lit.text), &magnitude) || magnitude > (std::uint64_t{1} << 63)) {
        Fail(lit.span, absl::StrCat("integer literal `-", Av(lit.text), "` is out of range"));
      }
      Advance();
      const std::int64_t v = magnitude == (std::uint64_t{1} << 63) ? std::numeric_limits<std::int64_t>::min()
                                                                     : -static_cast<std::int64_t>(magnitude);
      e = Literal(begin, Value::Long(v));
      --count;
    } else {
      e = ParseMember();
    }
    for (int i = 0; i < count; ++i) e = Unary(op == "!" ? UnaryOp::kNot : UnaryOp::kNeg, begin, std::move(e));
    return e;
  }

  ExprPtr ParseMember() {
    const std::uint32_t begin = tok_.span.begin;
    return ParseAccessors(begin, ParsePrimary());
  }

  std::vector<ExprPtr> ParseArgs(std::string_view close) {
    std::vector<ExprPtr> args;
    while (!tok_.Is(close)) {
      args.push_back(ParseExpr());
      if (!Accept(",")) break;
    }
    Expect(close);
    return args;
  }

  ExprPtr ParseAccessors(std::uint32_t begin, ExprPtr e) {
    while (true) {
      if (Accept(".")) {
        const Span name_span = tok_.span;
        std::string name = ExpectAttrIdent("an attribute or method name");
        if (Accept("(")) {
          std::vector<ExprPtr> args = ParseArgs(")");
          e = MethodCall(begin, name_span, name, std::move(e), std::move(args));
        } else {
          e = WithName(Expr::Kind::kGetAttr, begin, std::move(e), std::move(name));
        }
      } else if (tok_.Is("[")) {
        Advance();
        if (tok_.kind != Token::Kind::kString) Unexpected("a string literal (the attribute name)");
        std::string name = ParseStringToken(false);
        Expect("]");
        e = WithName(Expr::Kind::kGetAttr, begin, std::move(e), std::move(name));
      } else {
        return e;
      }
    }
  }

  std::vector<std::string_view> MethodNames() const {
    std::vector<std::string_view> names(std::begin(kBuiltinMethods), std::end(kBuiltinMethods));
    if (!strict_) names.push_back("matches");
    for (const ExtFunction& f : AllExtFunctions()) {
      if (f.style == ExtFunction::Style::kMethod && !(strict_ && f.writ_only)) names.push_back(f.name);
    }
    return names;
  }

  // In strict mode, the note on an unknown function or method that is one of
  // writ's extensions.
  std::string StrictHint(const std::string& name) const {
    if (!strict_ || (FindExtFunction(name) == nullptr && !IsWritOnlyMethod(name))) return "";
    return absl::StrCat("`", name, "` is a writ extension, not Cedar: check without strict mode to use it");
  }

  // Literal arguments of writ's extension functions are checked here, so a
  // malformed one is an issue at its location rather than an error on every
  // request (Cedar's own functions check theirs when evaluated, as in Cedar).
  void CheckLiteralArgs(const ExtFunction& fn, const std::vector<ExprPtr>& args) {
    if (args.size() != static_cast<std::size_t>(fn.arity)) return;   // an evaluation error, as in Cedar
    for (std::size_t i = 0; i < args.size(); ++i) {
      const Expr& a = *args[i];
      if (a.kind != Expr::Kind::kLiteral) continue;
      if (absl::Status s = CheckLiteralArgument(fn, i, a.literal); !s.ok()) {
        Fail(a.span, std::string(s.message()), LiteralArgumentHint(fn));
      }
    }
  }

  // `e.matches("re")`: the pattern is a string literal, compiled here once.
  ExprPtr Matches(std::uint32_t begin, Span at, ExprPtr receiver, std::vector<ExprPtr> args) {
    CheckArity(at, "matches", args.size(), 1);
    const Expr& pattern = *args[0];
    if (pattern.kind != Expr::Kind::kLiteral || !pattern.literal.is(Value::Kind::kString)) {
      Fail(pattern.span, "the pattern of matches must be a string literal",
           "write the regular expression in quotes, e.g. `context.host.matches(\"[a-z]+\\\\.example\\\\.com\")`");
    }
    // One compiled program per distinct pattern in the file: a generated set
    // repeats its patterns across thousands of policies.
    std::shared_ptr<const Regex>& cached = regexes_[pattern.literal.as_string()];
    absl::StatusOr<std::shared_ptr<const Regex>> re =
        cached != nullptr ? cached : Regex::Compile(pattern.literal.as_string());
    if (re.ok()) cached = *re;
    if (!re.ok()) {
      Fail(pattern.span, std::string(re.status().message()),
           "the syntax is RE2's (https://github.com/google/re2/wiki/Syntax); the whole string must match");
    }
    std::string text = pattern.literal.as_string();
    std::vector<ExprPtr> operand;
    operand.push_back(std::move(receiver));
    NodePtr e = Node(Expr::Kind::kMatches, begin, std::move(operand));
    e->name = std::move(text);
    e->regex = *std::move(re);
    return e;
  }

  void CheckArity(Span at, std::string_view name, std::size_t got, std::size_t want) {
    if (got != want) {
      Fail(at, absl::StrCat("`", Av(name), "` takes ", want, want == 1 ? " argument" : " arguments", ", ", got,
                            " given"));
    }
  }

  ExprPtr MethodCall(std::uint32_t begin, Span at, const std::string& name, ExprPtr receiver,
                     std::vector<ExprPtr> args) {
    static const std::pair<std::string_view, BinaryOp> kBinaryMethods[] = {
        {"contains", BinaryOp::kContains}, {"containsAll", BinaryOp::kContainsAll},
        {"containsAny", BinaryOp::kContainsAny}, {"getTag", BinaryOp::kGetTag}, {"hasTag", BinaryOp::kHasTag}};
    for (const auto& [n, op] : kBinaryMethods) {
      if (name == n) {
        CheckArity(at, name, args.size(), 1);
        return Binary(Expr::Kind::kBinary, op, begin, std::move(receiver), std::move(args[0]));
      }
    }
    if (name == "isEmpty") {
      CheckArity(at, name, args.size(), 0);
      return Unary(UnaryOp::kIsEmpty, begin, std::move(receiver));
    }
    if (name == "matches" && !strict_) return Matches(begin, at, std::move(receiver), std::move(args));
    const ExtFunction* fn = FindExtFunction(name, strict_);
    if (fn == nullptr || fn->style != ExtFunction::Style::kMethod) {
      std::string hint = StrictHint(name);
      if (hint.empty()) {
        hint = fn != nullptr ? absl::StrCat("`", name, "` is a function: call it as `", name, "(...)`")
                             : Suggest(name, MethodNames());
      }
      Fail(at, absl::StrCat("`", name, "` is not a method"), std::move(hint));
    }
    // As in Cedar, a wrong number of arguments to an extension function is an
    // evaluation error, not a parse error.
    args.insert(args.begin(), std::move(receiver));
    CheckLiteralArgs(*fn, args);
    NodePtr e = Node(Expr::Kind::kExtCall, begin, std::move(args));
    e->name = name;
    return e;
  }

  ExprPtr FunctionCall(std::uint32_t begin, Span at, const std::string& name) {
    std::vector<ExprPtr> args = ParseArgs(")");
    const ExtFunction* fn = FindExtFunction(name, strict_);
    if (fn == nullptr || fn->style != ExtFunction::Style::kFunction) {
      std::vector<std::string_view> names;
      for (const ExtFunction& f : AllExtFunctions()) {
        if (f.style == ExtFunction::Style::kFunction && !(strict_ && f.writ_only)) names.push_back(f.name);
      }
      const bool builtin_method =
          std::find(std::begin(kBuiltinMethods), std::end(kBuiltinMethods), name) != std::end(kBuiltinMethods) ||
          (!strict_ && IsWritOnlyMethod(name));
      std::string hint = StrictHint(name);
      if (hint.empty()) {
        hint = fn != nullptr || builtin_method
                   ? absl::StrCat("`", name, "` is a method: call it as `value.", name, "(...)`")
                   : Suggest(name, names);
      }
      Fail(at, absl::StrCat("`", name, "` is not a function"), std::move(hint));
    }
    CheckLiteralArgs(*fn, args);
    NodePtr e = Node(Expr::Kind::kExtCall, begin, std::move(args));
    e->name = name;
    return e;
  }

  ExprPtr ParsePrimary() {
    const std::uint32_t begin = tok_.span.begin;
    switch (tok_.kind) {
      case Token::Kind::kInt: {
        std::int64_t v = 0;
        if (!absl::SimpleAtoi(Av(tok_.text), &v)) {
          Fail(tok_.span, absl::StrCat("integer literal `", Av(tok_.text), "` is out of range"),
               "integers are 64-bit signed");
        }
        Advance();
        return Literal(begin, Value::Long(v));
      }
      case Token::Kind::kString:
        return Literal(begin, Value::String(ParseStringToken(false)));
      case Token::Kind::kSlot: {
        NodePtr e = Node(Expr::Kind::kSlot, begin);
        if (tok_.text == "?principal") {
          e->slot = SlotKind::kPrincipal;
        } else if (tok_.text == "?resource") {
          e->slot = SlotKind::kResource;
        } else {
          Fail(tok_.span, absl::StrCat("unknown slot `", Av(tok_.text), "`"), "the slots are ?principal and ?resource");
        }
        if (in_condition_) {
          Fail(tok_.span, absl::StrCat("slot `", Av(tok_.text), "` is not allowed in a condition"),
               "slots may appear only in the policy scope (`principal == ?principal`, `resource in ?resource`)");
        }
        Advance();
        e->span.end = prev_end_;
        return e;
      }
      case Token::Kind::kPunct:
        if (Accept("(")) {
          ExprPtr e = ParseExpr();
          Expect(")");
          return e;
        }
        if (Accept("[")) return Node(Expr::Kind::kSet, begin, ParseArgs("]"));
        if (Accept("{")) return ParseRecord(begin);
        Unexpected("an expression");
      case Token::Kind::kIdent:
        break;
      case Token::Kind::kEnd:
      case Token::Kind::kInvalid:
        Unexpected("an expression");
    }
    // Identifiers: literals, variables, entity references, function calls.
    if (Accept("true")) return Literal(begin, Value::Bool(true));
    if (Accept("false")) return Literal(begin, Value::Bool(false));
    static const std::pair<std::string_view, Var> kVars[] = {
        {"principal", Var::kPrincipal}, {"action", Var::kAction}, {"resource", Var::kResource},
        {"context", Var::kContext}};
    const Token next = Peek2();
    for (const auto& [name, var] : kVars) {
      if (tok_.Is(name) && !next.Is("::")) {
        Advance();
        NodePtr e = Node(Expr::Kind::kVar, begin);
        e->var = var;
        return e;
      }
    }
    if (IsReserved(tok_.text)) Unexpected("an expression");
    const Span name_span = tok_.span;
    std::string path = ParsePath();
    if (Accept("::")) {
      EntityUid uid{std::move(path), ParseStringToken(false)};
      return Literal(begin, Value::Entity(std::move(uid)));
    }
    if (Accept("(")) return FunctionCall(begin, {name_span.begin, prev_end_ - 1}, path);
    Fail({name_span.begin, prev_end_}, absl::StrCat("unknown variable `", path, "`"),
         "the variables are principal, action, resource and context; an entity is written Type::\"id\"");
  }

  ExprPtr ParseRecord(std::uint32_t begin) {
    std::vector<ExprPtr> values;
    std::vector<std::string> keys;
    std::unordered_set<std::string> seen;   // linear time for large records
    while (!tok_.Is("}")) {
      const Span key_span = tok_.span;
      std::string key;
      if (tok_.kind == Token::Kind::kString) {
        key = ParseStringToken(false);
      } else {
        key = ExpectAttrIdent("a record key (a name or a string)");
      }
      if (!seen.insert(key).second) {
        Fail(key_span, absl::StrCat("duplicate key `", key, "` in record literal"));
      }
      Expect(":");
      keys.push_back(std::move(key));
      values.push_back(ParseExpr());
      if (!Accept(",")) break;
    }
    Expect("}");
    NodePtr e = Node(Expr::Kind::kRecord, begin, std::move(values));
    e->keys = std::move(keys);
    return e;
  }

  const SourceFile& file_;
  std::vector<Issue>* issues_;
  Token tok_;
  std::uint32_t prev_end_ = 0;
  int depth_ = 0;
  bool in_condition_ = false;
  std::vector<Span> deep_regions_;
  bool strict_ = false;
  absl::flat_hash_map<std::string, std::shared_ptr<const Regex>> regexes_;   // by pattern
};

// Pre-scan: bracket nesting (`(`, `[`, `{`), skipping strings and comments,
// before the parser recurses. Each excursion deeper than kMaxExpressionDepth
// is one issue at the bracket that crossed the limit; its range (to the
// matching close, or the end) is returned so the parser does not repeat it.
std::vector<Span> ScanNesting(const SourceFile& file, std::vector<Issue>* issues) {
  const std::string_view text = file.text();
  std::vector<Span> regions;
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '(' || c == '[' || c == '{') {
      if (++depth == kMaxExpressionDepth + 1) {
        const auto at = static_cast<std::uint32_t>(i);
        issues->push_back(file.MakeIssue({at, at + 1}, absl::StrCat("brackets nested too deeply: more than ",
                                                                    kMaxExpressionDepth, " levels")));
        regions.push_back({at, static_cast<std::uint32_t>(text.size())});
      }
    } else if (c == ')' || c == ']' || c == '}') {
      if (depth == kMaxExpressionDepth + 1) regions.back().end = static_cast<std::uint32_t>(i);
      depth = std::max(0, depth - 1);
    }
  }
  return regions;
}

// Checks that hold for the whole text; false when parsing must not start.
bool CheckText(const SourceFile& file, std::vector<Issue>* issues) {
  if (file.text().size() > kMaxPolicyTextBytes) {
    issues->push_back(file.MakeIssue({0, 0}, absl::StrCat("policy text is ", file.text().size(),
                                                           " bytes, more than the limit of ", kMaxPolicyTextBytes)));
    return false;
  }
  if (std::optional<std::size_t> bad = FindInvalidUtf8(file.text())) {
    const auto at = static_cast<std::uint32_t>(*bad);
    issues->push_back(file.MakeIssue({at, at + 1}, "invalid UTF-8"));
    return false;
  }
  return true;
}

}  // namespace

std::vector<Policy> ParsePolicies(const SourceFile& file, const ParseOptions& options,
                                  std::vector<Issue>* issues) {
  if (!CheckText(file, issues)) return {};
  std::vector<Issue> scanned;
  std::vector<Issue> parsed;
  std::vector<Span> deep = ScanNesting(file, &scanned);
  std::vector<Policy> policies = Parser(file, &parsed, std::move(deep), options.strict).Policies();
  // Both lists are in source order; report them merged, in source order.
  std::merge(std::make_move_iterator(scanned.begin()), std::make_move_iterator(scanned.end()),
             std::make_move_iterator(parsed.begin()), std::make_move_iterator(parsed.end()),
             std::back_inserter(*issues), [](const Issue& x, const Issue& y) {
               return std::pair(x.line, x.column) < std::pair(y.line, y.column);
             });
  return policies;
}

ExprPtr ParseExpression(const SourceFile& file, const ParseOptions& options, std::vector<Issue>* issues) {
  if (!CheckText(file, issues)) return nullptr;
  std::vector<Span> deep = ScanNesting(file, issues);
  if (!deep.empty()) return nullptr;
  return Parser(file, issues, {}, options.strict).WholeExpression();
}

namespace {

// A type name in its plain form: identifiers, none reserved, joined by `::`
// with no spaces or comments (how requests and entities name types).
bool IsPlainTypeName(std::string_view text) {
  auto ident_start = [](char c) { return absl::ascii_isalpha(c) || c == '_'; };
  auto ident_char = [](char c) { return absl::ascii_isalnum(c) || c == '_'; };
  std::size_t i = 0;
  while (true) {
    const std::size_t begin = i;
    if (i == text.size() || !ident_start(text[i])) return false;
    while (i < text.size() && ident_char(text[i])) ++i;
    const std::string_view name = text.substr(begin, i - begin);
    if (IsReserved(name) || name == "__cedar") return false;
    if (i == text.size()) return true;
    if (text.substr(i, 2) != "::") return false;
    i += 2;
  }
}

}  // namespace

// Must never accept what the parser rejects, nor read anything differently.
bool SplitPlainEntityUid(std::string_view text, std::string_view* type, std::string_view* id) {
  if (text.size() > kMaxPolicyTextBytes) return false;
  const std::size_t sep = text.find("::\"");   // a type name holds no quote
  if (sep == std::string_view::npos || !IsPlainTypeName(text.substr(0, sep))) return false;
  const std::string_view quoted = text.substr(sep + 2);
  if (quoted.size() < 2 || quoted.back() != '"') return false;
  *id = quoted.substr(1, quoted.size() - 2);
  // (A loop: find_first_of calls memchr once per byte.)
  if (std::any_of(id->begin(), id->end(), [](char c) { return c == '\\' || c == '"' || c == '\r'; })) return false;
  *type = text.substr(0, sep);
  return true;
}

std::optional<EntityUid> ParseEntityUid(std::string_view text) {
  if (FindInvalidUtf8(text) || text.size() > kMaxPolicyTextBytes) return std::nullopt;
  std::string_view type, id;
  if (SplitPlainEntityUid(text, &type, &id)) return EntityUid{std::string(type), std::string(id)};
  std::vector<Issue> ignored;
  SourceFile file("", text);
  return Parser(file, &ignored).WholeEntityUid();
}

std::optional<std::string> ParseEntityTypeName(std::string_view text) {
  if (FindInvalidUtf8(text) || text.size() > kMaxPolicyTextBytes) return std::nullopt;
  if (IsPlainTypeName(text)) return std::string(text);
  std::vector<Issue> ignored;
  SourceFile file("", text);
  return Parser(file, &ignored).WholeTypeName();
}

}  // namespace writ::internal
