// Parse: the lexer — Boost.Spirit X3 rules for Cedar's tokens, and string
// unescaping.
#include "src/parse/lexer.h"

#include <array>

#include <boost/spirit/home/x3.hpp>

#include "absl/strings/str_cat.h"
#include "src/base/strings.h"
#include "src/base/utf8.h"

namespace writ::internal {
namespace {

namespace x3 = boost::spirit::x3;

// Cedar's tokens are ASCII. The rules use explicit character sets, not
// x3::space/alpha/digit: those classify through <cctype> and assert (or, in
// release builds, have undefined behaviour) on bytes above 0x7f, which any
// UTF-8 text outside a string literal contains.
// Whitespace is Unicode's White_Space, as in Cedar's lexer (a regex `\s`):
// the ASCII spaces and, in UTF-8, U+0085 U+00A0 U+1680 U+2000-200A U+2028
// U+2029 U+202F U+205F U+3000.
const auto kSpace = x3::char_(" \t\n\r\v\f") | x3::lit("\xC2\x85") | "\xC2\xA0" | "\xE1\x9A\x80" |
                    (x3::lit("\xE2\x80") >> x3::char_("\x80-\x8A\xA8\xA9\xAF")) | "\xE2\x81\x9F" |
                    "\xE3\x80\x80";
const auto kComment = x3::lit("//") >> *(x3::char_ - x3::eol);
const auto kSkip = *(kSpace | kComment);
const auto kIdentRule = x3::char_("a-zA-Z_") >> *x3::char_("a-zA-Z0-9_");
const auto kIntRule = +x3::char_("0-9");
const auto kStringRule = x3::char_('"') >> *((x3::char_('\\') >> x3::char_) | (x3::char_ - '"' - '\\')) >>
                         x3::char_('"');
const auto kSlotRule = x3::char_('?') >> kIdentRule;

// Longest first, so that `==` wins over `=`.
constexpr std::array<std::string_view, 27> kPuncts = {
    "::", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", "{", "}", ",",
    ";",  ":",  ".",  "<",  ">",  "!",  "-",  "+", "*", "/", "%", "=", "@"};

template <typename Rule>
std::size_t Match(const Rule& rule, std::string_view text, std::size_t at) {
  auto it = text.begin() + at;
  if (x3::parse(it, text.end(), x3::raw[rule])) return static_cast<std::size_t>(it - text.begin()) - at;
  return 0;
}

}  // namespace

Token LexToken(std::string_view text, std::uint32_t offset) {
  auto it = text.begin() + std::min<std::size_t>(offset, text.size());
  x3::parse(it, text.end(), kSkip);
  const auto at = static_cast<std::uint32_t>(it - text.begin());
  Token t;
  auto finish = [&](Token::Kind kind, std::size_t len) {
    t.kind = kind;
    t.text = text.substr(at, len);
    t.span = {at, static_cast<std::uint32_t>(at + len)};
    return t;
  };
  if (at == text.size()) return finish(Token::Kind::kEnd, 0);
  const char c = text[at];
  if (c == '"') {
    if (std::size_t n = Match(kStringRule, text, at)) return finish(Token::Kind::kString, n);
    return finish(Token::Kind::kInvalid, text.size() - at);   // unterminated
  }
  if (std::size_t n = Match(kIdentRule, text, at)) return finish(Token::Kind::kIdent, n);
  if (std::size_t n = Match(kIntRule, text, at)) return finish(Token::Kind::kInt, n);
  if (c == '?') {
    if (std::size_t n = Match(kSlotRule, text, at)) return finish(Token::Kind::kSlot, n);
  }
  for (std::string_view p : kPuncts) {
    if (text.substr(at).starts_with(p)) return finish(Token::Kind::kPunct, p.size());
  }
  // One whole character, so that the message shows it.
  std::size_t len = 1;
  while (at + len < text.size() && (static_cast<unsigned char>(text[at + len]) & 0xC0) == 0x80) ++len;
  return finish(Token::Kind::kInvalid, len);
}

std::uint32_t SkipTrivia(std::string_view text, std::uint32_t offset, std::vector<Span>* comments) {
  auto it = text.begin() + std::min<std::size_t>(offset, text.size());
  while (true) {
    x3::parse(it, text.end(), *kSpace);
    const auto start = it;
    if (!x3::parse(it, text.end(), kComment)) break;
    comments->push_back(
        {static_cast<std::uint32_t>(start - text.begin()), static_cast<std::uint32_t>(it - text.begin())});
  }
  return static_cast<std::uint32_t>(it - text.begin());
}

std::optional<std::string> Unescape(std::string_view raw, bool pattern, std::string* literal_star_mask,
                                    std::string* error) {
  std::string out;
  auto mark = [&](bool literal_star) {
    if (literal_star_mask != nullptr) literal_star_mask->resize(out.size(), literal_star ? '1' : '0');
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r') {
      // As in Cedar (Rust's string rules): a carriage return must be escaped.
      *error = "bare carriage return in a string literal: write it as `\\r`";
      return std::nullopt;
    }
    if (raw[i] != '\\') {
      out += raw[i];
      mark(false);
      continue;
    }
    if (++i == raw.size()) {
      *error = "string ends with a lone `\\`";
      return std::nullopt;
    }
    const char e = raw[i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case '\\': out += '\\'; break;
      case '0': out += '\0'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case '*':
        if (!pattern) {
          *error = "invalid escape `\\*` (only patterns of `like` may escape `*`)";
          return std::nullopt;
        }
        out += '*';
        mark(true);
        continue;
      case 'x': {
        auto hex = [](char h) { return std::isxdigit(static_cast<unsigned char>(h)) != 0; };
        if (i + 2 >= raw.size() || !hex(raw[i + 1]) || !hex(raw[i + 2])) {
          *error = "invalid escape `\\x`: expected two hexadecimal digits";
          return std::nullopt;
        }
        const int v = std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16);
        if (v > 0x7f) {
          *error = "invalid escape `\\x`: at most \\x7f";
          return std::nullopt;
        }
        out += static_cast<char>(v);
        i += 2;
        break;
      }
      case 'u': {
        // `\u{H..H}`: 1 to 6 hexadecimal digits; `_` may separate digits
        // but not come first (Rust's rules, which Cedar follows).
        const char* const kBad = "invalid escape `\\u`: expected `\\u{` 1 to 6 hexadecimal digits `}`";
        if (i + 1 >= raw.size() || raw[i + 1] != '{') {
          *error = kBad;
          return std::nullopt;
        }
        char32_t cp = 0;
        int digits = 0;
        std::size_t k = i + 2;
        for (; k < raw.size() && raw[k] != '}'; ++k) {
          const char h = raw[k];
          if (h == '_' && digits > 0) continue;
          if (!std::isxdigit(static_cast<unsigned char>(h)) || ++digits > 6) {
            *error = kBad;
            return std::nullopt;
          }
          cp = cp * 16 + static_cast<char32_t>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (h | 0x20) - 'a' + 10);
        }
        if (k == raw.size() || digits == 0) {
          *error = kBad;
          return std::nullopt;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          *error = "invalid escape `\\u`: not a Unicode scalar value";
          return std::nullopt;
        }
        AppendUtf8(&out, cp);
        i = k;
        break;
      }
      default: {
        // Name the whole character, which may be several bytes of UTF-8.
        std::size_t len = 1;
        while (i + len < raw.size() && (static_cast<unsigned char>(raw[i + len]) & 0xC0) == 0x80) ++len;
        *error = absl::StrCat("invalid escape `\\", Av(raw.substr(i, len)), "`");
        return std::nullopt;
      }
    }
    mark(false);
  }
  return out;
}

}  // namespace writ::internal
