// JSON reading: text -> a small located document tree. nlohmann/json's SAX
// parser does the lexing; this layer adds what Cedar's inputs need and
// nlohmann does not give: byte spans on every value and key, rejection of
// duplicate keys, of numbers that are not 64-bit signed integers and of
// nesting deeper than kMaxJsonDepth (checked while parsing, before anything
// recurses).
#ifndef WRIT_SRC_BASE_JSON_READER_H_
#define WRIT_SRC_BASE_JSON_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/source.h"
#include "writ/issue.h"
#include "writ/limits.h"

namespace writ::internal {

// One JSON value with its location. Objects keep their members in document
// order; their keys are unique (the reader rejects duplicates).
// INVARIANT: a tree returned by ReadJson is at most kMaxJsonDepth deep, so
// code walking it may recurse.
struct JsonNode {
  enum class Kind : std::uint8_t { kNull, kBool, kInt, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  Span span;                          // the whole value, brackets included
  bool boolean = false;               // kBool
  std::int64_t integer = 0;           // kInt
  std::string string;                 // kString (decoded)
  std::vector<JsonNode> items;        // kArray elements; kObject member values
  std::vector<std::string> keys;      // kObject member names, parallel to items
  std::vector<Span> key_spans;        // kObject member name locations

  bool is(Kind k) const { return kind == k; }
  // The member called `key`, or nullptr. Requires kObject.
  const JsonNode* Find(std::string_view key) const;
};

// "null", "boolean", "number", "string", "array", "object".
std::string_view JsonKindName(JsonNode::Kind kind);

// Reads the whole of `file` as one JSON document. On any error appends
// located issues and returns nullopt.
std::optional<JsonNode> ReadJson(const SourceFile& file, std::vector<Issue>* issues);

// ReadJson's two ways, for the test that holds them to the same trees.
// ReadPlainJson: the fast path, for documents with no floats, duplicate
// keys, malformed escapes or anything else that needs a message; nullopt
// when it declines. ReadJsonThoroughly: nlohmann's parser, any document, every
// error located. Both expect text within kMaxJsonBytes and valid UTF-8
// (ReadJson checks those first).
std::optional<JsonNode> ReadPlainJson(std::string_view text);
std::optional<JsonNode> ReadJsonThoroughly(const SourceFile& file, std::vector<Issue>* issues);

// The fast path's tokens, for readers that build their result straight from
// the text (ReadPlainJson's tree; src/json's plain requests): each method
// reads one JSON token at the current position, or declines (false) at
// anything that needs nlohmann's parser for its message — a float, an
// integer outside i64, a control character, an escape nlohmann would refuse.
// The text must be valid UTF-8 within kMaxJsonBytes.
class PlainScanner {
 public:
  explicit PlainScanner(std::string_view text) : s_(text) {}

  std::size_t offset() const { return i_; }
  bool done() const { return i_ == s_.size(); }
  // The next byte ('\0' at the end), and stepping over it.
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void Skip() { ++i_; }
  bool At(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
  }

  // At '"': the string, decoded into `out`.
  bool String(std::string* out);
  // At '"': a string with no escape, as it is in the text (declines one
  // with an escape, which String reads).
  bool RawString(std::string_view* out);
  // -?(0|[1-9][0-9]*) within a signed 64-bit integer, and not -0.
  bool Integer(std::int64_t* out);
  // `true`, `false` or `null`.
  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  // At the opening bracket of an object or array `depth` deep (declined at
  // kMaxJsonDepth): `member` reads each member or element, and this the
  // commas between them and `close` after them.
  template <typename F>
  bool Sequence(char close, int depth, F member) {
    if (depth >= kMaxJsonDepth) return false;
    ++i_;
    SkipSpace();
    if (At(close)) {
      ++i_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (!member()) return false;
      SkipSpace();
      if (At(',')) {
        ++i_;
      } else if (At(close)) {
        ++i_;
        return true;
      } else {
        return false;
      }
    }
  }

 private:
  // Steps over string bytes that need no decoding: not a quote, an escape
  // or a control character.
  void SkipPlainBytes() {
    while (i_ < s_.size() && s_[i_] != '"' && s_[i_] != '\\' && static_cast<unsigned char>(s_[i_]) >= 0x20) ++i_;
  }
  bool Escape(std::string* out);
  bool Hex4(char32_t* cp);

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace writ::internal

#endif  // WRIT_SRC_BASE_JSON_READER_H_
