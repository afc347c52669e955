// Parse: Cedar's tokens. The lexer turns policy text into tokens with byte
// spans, skipping whitespace and `//` comments; string literals are kept
// raw (quotes and escapes included) and unescaped by the parser.
#ifndef WRIT_SRC_PARSE_LEXER_H_
#define WRIT_SRC_PARSE_LEXER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/source.h"

namespace writ::internal {

struct Token {
  enum class Kind : std::uint8_t {
    kIdent,    // [_a-zA-Z][_a-zA-Z0-9]*  (keywords included)
    kInt,      // [0-9]+
    kString,   // "..." raw, quotes included
    kSlot,     // ?ident
    kPunct,    // operators and delimiters
    kEnd,      // end of input
    kInvalid,  // a character no token starts with, or an unterminated string
  };
  Kind kind = Kind::kEnd;
  std::string_view text;
  Span span;

  bool Is(std::string_view punct_or_ident) const {
    return (kind == Kind::kPunct || kind == Kind::kIdent) && text == punct_or_ident;
  }
};

// Returns the token starting at or after `offset` (after whitespace and
// comments).
Token LexToken(std::string_view text, std::uint32_t offset);

// Skips whitespace and `//` comments from `offset` exactly as LexToken does
// and returns where the next token (or the end) starts. Appends the span of
// each comment skipped to `comments`: from `//` to the end of its line, the
// line break (`\n`, `\r\n` or `\r`) excluded. For tools that keep comments
// (the formatter); the parser does not need them.
std::uint32_t SkipTrivia(std::string_view text, std::uint32_t offset, std::vector<Span>* comments);

// Unescapes a raw string token's contents (without the quotes). Cedar's
// escapes: \n \r \t \\ \0 \' \" \xHH (<= 0x7f) \u{H..H}; in a `like` pattern
// `\*` is a literal star, reported through `literal_star` (one entry per
// output byte when not null). nullopt with `error` set when invalid.
std::optional<std::string> Unescape(std::string_view raw, bool pattern,
                                    std::string* literal_star_mask, std::string* error);

}  // namespace writ::internal

#endif  // WRIT_SRC_PARSE_LEXER_H_
