// Parse: the lexer — Boost.Spirit X3 rules for Cedar's tokens, and string
// unescaping.
#include "src/parse/lexer.h"

#include <array>

#include <boost/spirit/home/x3.hpp>

#include "absl/strings/str_cat.h"
#include "src/base/utf8.h"

namespace writ::internal {
namespace {

namespace x3 = boost::spirit::x3;

// Cedar's tokens are ASCII. The rules use explicit character sets, not
// x3::space/alpha/digit: those classify through <cctype> and assert (or, in
// release builds, have undefined behaviour) on bytes above 0x7f, which any
// UTF-8 text outside a string literal contains.
const auto kSpace = x3::char_(" \t\n\r\v\f");
const auto kSkip = *(kSpace | (x3::lit("//") >> *(x3::char_ - x3::eol)));
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

std::optional<std::string> Unescape(std::string_view raw, bool pattern, std::string* literal_star_mask,
                                    std::string* error) {
  std::string out;
  auto mark = [&](bool literal_star) {
    if (literal_star_mask != nullptr) literal_star_mask->resize(out.size(), literal_star ? '1' : '0');
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
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
        const std::size_t close = raw.find('}', i);
        if (i + 1 >= raw.size() || raw[i + 1] != '{' || close == std::string_view::npos ||
            close - i - 2 < 1 || close - i - 2 > 6) {
          *error = "invalid escape `\\u`: expected `\\u{` 1 to 6 hexadecimal digits `}`";
          return std::nullopt;
        }
        char32_t cp = 0;
        for (std::size_t k = i + 2; k < close; ++k) {
          const char h = raw[k];
          if (!std::isxdigit(static_cast<unsigned char>(h))) {
            *error = "invalid escape `\\u`: not a hexadecimal digit";
            return std::nullopt;
          }
          cp = cp * 16 + static_cast<char32_t>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (h | 0x20) - 'a' + 10);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          *error = "invalid escape `\\u`: not a Unicode scalar value";
          return std::nullopt;
        }
        AppendUtf8(&out, cp);
        i = close;
        break;
      }
      default:
        *error = absl::StrCat("invalid escape `\\", std::string(1, e), "`");
        return std::nullopt;
    }
    mark(false);
  }
  return out;
}

}  // namespace writ::internal
