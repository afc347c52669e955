// JSON reading: runs nlohmann/json's SAX parser over the text and builds a
// located tree, rejecting what Cedar's JSON forbids (duplicate keys, floats,
// integers outside i64, deep nesting, invalid UTF-8, oversized documents).
#include "src/base/json_reader.h"

#include <algorithm>
#include <cstddef>
#include <exception>
#include <iterator>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "src/base/strings.h"
#include "src/base/utf8.h"
#include "writ/limits.h"

namespace writ::internal {

const JsonNode* JsonNode::Find(std::string_view key) const {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

std::string_view JsonKindName(JsonNode::Kind kind) {
  switch (kind) {
    case JsonNode::Kind::kNull: return "null";
    case JsonNode::Kind::kBool: return "boolean";
    case JsonNode::Kind::kInt: return "number";
    case JsonNode::Kind::kString: return "string";
    case JsonNode::Kind::kArray: return "array";
    case JsonNode::Kind::kObject: return "object";
  }
  return "value";
}

namespace {

using Json = nlohmann::json;

// A char iterator that records how far nlohmann's lexer has read, so that
// each SAX event can be given the byte span of the token just read.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* p, const char** high_water) : p_(p), high_water_(high_water) {}

  reference operator*() const { return *p_; }
  CountingIterator& operator++() {
    ++p_;
    *high_water_ = p_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  friend bool operator==(const CountingIterator& a, const CountingIterator& b) {
    return a.p_ == b.p_;
  }

 private:
  const char* p_;
  const char** high_water_;
};

bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// nlohmann's messages read "[json.exception.parse_error.101] parse error at
// line 1, column 4: syntax error while parsing value - ..."; the location is
// ours to give, and "syntax error while parsing X - " says nothing more.
std::string ParseErrorMessage(const char* what) {
  std::string_view s(what);
  if (std::size_t col = s.find(", column "); col != std::string_view::npos) {
    if (std::size_t colon = s.find(": ", col); colon != std::string_view::npos) {
      s = s.substr(colon + 2);
      if (s.substr(0, 27) == "syntax error while parsing ") {
        if (std::size_t dash = s.find(" - "); dash != std::string_view::npos) s = s.substr(dash + 3);
      }
      return std::string(s);
    }
  }
  if (s.substr(0, 1) == "[") {
    if (std::size_t close = s.find("] "); close != std::string_view::npos) {
      return std::string(s.substr(close + 2));
    }
  }
  return std::string(s);
}

// Objects with fewer than kLinearKeys members (requests, contexts, most
// entities) find a key by scanning; larger ones through an index, built
// when the object passes kLinearKeys, so that a huge object stays linear.
constexpr std::size_t kLinearKeys = 16;
using KeyIndex = absl::flat_hash_map<std::string, std::size_t>;   // key -> member

// Which member of `object` is called `key` already, if one is; `index` is
// the object's, and learns `key` as the name of the member about to be added.
std::optional<std::size_t> FindKey(const JsonNode& object, const std::string& key, KeyIndex* index) {
  const std::vector<std::string>& keys = object.keys;
  if (keys.size() < kLinearKeys) {
    auto it = std::find(keys.begin(), keys.end(), key);
    if (it == keys.end()) return std::nullopt;
    return static_cast<std::size_t>(it - keys.begin());
  }
  if (index->empty()) {
    for (std::size_t i = 0; i < keys.size(); ++i) index->try_emplace(keys[i], i);
  }
  auto [it, inserted] = index->try_emplace(key, keys.size());
  if (inserted) return std::nullopt;
  return it->second;
}

// The SAX handler: builds JsonNodes bottom-up on an explicit stack.
class TreeBuilder {
 public:
  TreeBuilder(const SourceFile& file, std::vector<Issue>* issues, const char* const* high_water)
      : file_(file), text_(file.text()), issues_(issues), high_water_(high_water) {}

  bool failed() const { return failed_; }
  std::optional<JsonNode> TakeRoot() { return std::move(root_); }

  // --- nlohmann SAX interface ---
  bool null() { return Leaf(JsonNode::Kind::kNull, LiteralSpan(4)); }
  bool boolean(bool b) {
    JsonNode n;
    n.kind = JsonNode::Kind::kBool;
    n.boolean = b;
    n.span = LiteralSpan(b ? 4 : 5);
    return Add(std::move(n));
  }
  bool number_integer(Json::number_integer_t i) {
    Span span = NumberSpan();
    // serde_json, which Cedar reads with, takes `-0` for a float (its
    // integer branch only keeps negatives that stay negative), so Cedar
    // rejects it; nlohmann reads it as the integer 0.
    if (i == 0 && span.begin < text_.size() && text_[span.begin] == '-') {
      Error(span, "`-0` is not an integer: Cedar reads `-0` as a floating-point number",
            "write `0`");
      return Leaf(JsonNode::Kind::kInt, span);
    }
    return Integer(i, span);
  }
  bool number_unsigned(Json::number_unsigned_t u) {
    Span span = NumberSpan();
    if (u > static_cast<Json::number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      return OutOfRange(span);
    }
    return Integer(static_cast<std::int64_t>(u), span);
  }
  bool number_float(Json::number_float_t, const Json::string_t& raw) {
    Span span = NumberSpan();
    // nlohmann reads integers too large for 64 bits as floats.
    if (raw.find_first_of(".eE") == std::string::npos) return OutOfRange(span);
    Error(span, absl::StrCat("`", Av(raw), "` is not an integer: Cedar has no floating-point numbers"),
          "only whole numbers between -2^63 and 2^63-1 are Cedar values");
    return Leaf(JsonNode::Kind::kInt, span);
  }
  bool string(Json::string_t& s) {
    JsonNode n;
    n.kind = JsonNode::Kind::kString;
    n.span = StringSpan();
    n.string = std::move(s);
    return Add(std::move(n));
  }
  bool binary(Json::binary_t&) { return false; }  // not produced by the JSON format

  bool start_object(std::size_t) { return Open(JsonNode::Kind::kObject); }
  bool key(Json::string_t& k) {
    Frame& f = stack_.back();
    Span span = StringSpan();
    if (std::optional<std::size_t> first = FindKey(f.node, k, &f.index)) {
      const Span at = f.node.key_spans[*first];
      Error(span, absl::StrCat("duplicate key `", Av(k), "`"),
            absl::StrFormat("first given at line %d, column %d", file_.LineOf(at.begin), file_.ColumnOf(at.begin)));
    }
    f.node.keys.push_back(std::move(k));
    f.node.key_spans.push_back(span);
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(std::size_t) { return Open(JsonNode::Kind::kArray); }
  bool end_array() { return Close(); }

  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    std::string message = ParseErrorMessage(ex.what());
    // `position` counts the bytes read, the offending one included; at the
    // end of input nothing more was read, so point just past the end.
    std::uint32_t offset;
    if (message.find("unexpected end of input") != std::string::npos) {
      offset = static_cast<std::uint32_t>(std::min(position, text_.size()));
    } else {
      offset = static_cast<std::uint32_t>(position > 0 ? position - 1 : 0);
    }
    Error(Span{offset, offset + 1}, std::move(message));
    return false;
  }

 private:
  struct Frame {
    JsonNode node;
    KeyIndex index;   // objects: their keys, once past kLinearKeys
  };

  std::uint32_t Consumed() const {
    return static_cast<std::uint32_t>(*high_water_ - text_.data());
  }
  Span LiteralSpan(std::uint32_t len) const {
    std::uint32_t end = Consumed();
    return Span{end >= len ? end - len : 0, end};
  }
  // The lexer has read the closing quote; walk back to the opening one (the
  // first quote not preceded by an odd number of backslashes).
  Span StringSpan() const {
    std::uint32_t end = Consumed();
    std::uint32_t i = end >= 2 ? end - 2 : 0;
    while (i > 0) {
      if (text_[i] == '"') {
        std::uint32_t backslashes = 0;
        while (backslashes < i && text_[i - 1 - backslashes] == '\\') ++backslashes;
        if (backslashes % 2 == 0) break;
      }
      --i;
    }
    return Span{i, end};
  }
  // The lexer has read one byte past the number (unless at the end).
  Span NumberSpan() const {
    std::uint32_t end = Consumed();
    if (end > 0 && !IsNumberChar(text_[end - 1])) --end;
    std::uint32_t begin = end;
    while (begin > 0 && IsNumberChar(text_[begin - 1])) --begin;
    return Span{begin, end};
  }

  bool Integer(std::int64_t i, Span span) {
    JsonNode n;
    n.kind = JsonNode::Kind::kInt;
    n.integer = i;
    n.span = span;
    return Add(std::move(n));
  }
  bool OutOfRange(Span span) {
    Error(span,
          absl::StrCat("integer `", Av(text_.substr(span.begin, span.end - span.begin)),
                       "` does not fit in a Cedar long"),
          "Cedar longs are 64-bit signed: -9223372036854775808 to 9223372036854775807");
    return Leaf(JsonNode::Kind::kInt, span);
  }
  bool Leaf(JsonNode::Kind kind, Span span) {
    JsonNode n;
    n.kind = kind;
    n.span = span;
    return Add(std::move(n));
  }
  bool Add(JsonNode node) {
    if (stack_.empty()) {
      root_ = std::move(node);
    } else {
      stack_.back().node.items.push_back(std::move(node));
    }
    return true;
  }
  bool Open(JsonNode::Kind kind) {
    std::uint32_t at = Consumed() - 1;
    if (stack_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
      Error(Span{at, at + 1},
            absl::StrCat("JSON nesting is deeper than ", kMaxJsonDepth, " levels"),
            "arrays and objects may nest at most kMaxJsonDepth deep");
      return false;   // stops the parser
    }
    Frame f;
    f.node.kind = kind;
    f.node.span.begin = at;
    stack_.push_back(std::move(f));
    return true;
  }
  bool Close() {
    JsonNode node = std::move(stack_.back().node);
    stack_.pop_back();
    node.span.end = Consumed();
    return Add(std::move(node));
  }
  void Error(Span span, std::string message, std::string hint = {}) {
    failed_ = true;
    // The first mistakes are enough to fix; a document of millions of
    // duplicate keys or floats must not hold an issue for each.
    if (++errors_ > kMaxReportedErrors) return;
    issues_->push_back(file_.MakeIssue(span, std::move(message), Severity::kError, std::move(hint)));
  }

  static constexpr int kMaxReportedErrors = 100;
  int errors_ = 0;
  const SourceFile& file_;
  std::string_view text_;
  std::vector<Issue>* issues_;
  const char* const* high_water_;
  std::vector<Frame> stack_;
  std::optional<JsonNode> root_;
  bool failed_ = false;
};

// The fast path: a recursive-descent reader for the documents requests and
// entities almost always are (no floats, no duplicate keys, nothing that
// needs a message). It declines, returning false, at anything
// else, and the document is then read by nlohmann's parser, which gives
// every error its message and location; the trees of the two agree (a
// differential test holds them to it).
class PlainReader {
 public:
  explicit PlainReader(std::string_view text) : scan_(text) {}

  bool Read(JsonNode* root) {
    scan_.SkipSpace();
    if (!Value(root, 0)) return false;
    scan_.SkipSpace();
    return scan_.done();
  }

 private:
  bool Value(JsonNode* n, int depth) {
    const auto begin = static_cast<std::uint32_t>(scan_.offset());
    switch (scan_.peek()) {
      case '{':
        if (!Object(n, depth)) return false;
        break;
      case '[':
        if (!Array(n, depth)) return false;
        break;
      case '"':
        if (!scan_.String(&n->string)) return false;
        n->kind = JsonNode::Kind::kString;
        break;
      case 't':
        if (!scan_.Literal("true")) return false;
        n->kind = JsonNode::Kind::kBool;
        n->boolean = true;
        break;
      case 'f':
        if (!scan_.Literal("false")) return false;
        n->kind = JsonNode::Kind::kBool;
        break;
      case 'n':
        if (!scan_.Literal("null")) return false;
        break;
      default:
        if (!scan_.Integer(&n->integer)) return false;
        n->kind = JsonNode::Kind::kInt;
        break;
    }
    n->span = Span{begin, static_cast<std::uint32_t>(scan_.offset())};
    return true;
  }

  bool Object(JsonNode* n, int depth) {
    n->kind = JsonNode::Kind::kObject;
    KeyIndex index;
    return scan_.Sequence('}', depth, [&] {
      const auto key_begin = static_cast<std::uint32_t>(scan_.offset());
      std::string key;
      if (!scan_.At('"') || !scan_.String(&key) || FindKey(*n, key, &index)) return false;
      n->key_spans.push_back(Span{key_begin, static_cast<std::uint32_t>(scan_.offset())});
      n->keys.push_back(std::move(key));
      scan_.SkipSpace();
      if (!scan_.At(':')) return false;
      scan_.Skip();
      scan_.SkipSpace();
      return Value(&n->items.emplace_back(), depth + 1);
    });
  }

  bool Array(JsonNode* n, int depth) {
    n->kind = JsonNode::Kind::kArray;
    return scan_.Sequence(']', depth, [&] { return Value(&n->items.emplace_back(), depth + 1); });
  }

  PlainScanner scan_;
};

}  // namespace

bool PlainScanner::String(std::string* out) {
  out->clear();
  ++i_;
  while (true) {
    const std::size_t run = i_;
    SkipPlainBytes();
    out->append(s_.data() + run, i_ - run);
    if (i_ >= s_.size()) return false;
    if (s_[i_] == '"') {
      ++i_;
      return true;
    }
    if (s_[i_] != '\\' || !Escape(out)) return false;   // a control character, or a bad escape
  }
}

bool PlainScanner::RawString(std::string_view* out) {
  const std::size_t start = ++i_;
  SkipPlainBytes();
  if (i_ >= s_.size() || s_[i_] != '"') return false;
  *out = s_.substr(start, i_ - start);
  ++i_;
  return true;
}

bool PlainScanner::Escape(std::string* out) {
  if (++i_ >= s_.size()) return false;
  const char c = s_[i_++];
  switch (c) {
    case '"': case '\\': case '/': out->push_back(c); return true;
    case 'b': out->push_back('\b'); return true;
    case 'f': out->push_back('\f'); return true;
    case 'n': out->push_back('\n'); return true;
    case 'r': out->push_back('\r'); return true;
    case 't': out->push_back('\t'); return true;
    case 'u': break;
    default: return false;
  }
  char32_t cp;
  if (!Hex4(&cp) || (cp >= 0xDC00 && cp <= 0xDFFF)) return false;
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    char32_t low;
    if (s_.substr(i_, 2) != "\\u") return false;
    i_ += 2;
    if (!Hex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  AppendUtf8(out, cp);
  return true;
}

bool PlainScanner::Hex4(char32_t* cp) {
  if (i_ + 4 > s_.size()) return false;
  *cp = 0;
  for (int k = 0; k < 4; ++k) {
    const int d = HexValue(s_[i_++]);
    if (d < 0) return false;
    *cp = (*cp << 4) | static_cast<char32_t>(d);
  }
  return true;
}

bool PlainScanner::Integer(std::int64_t* out) {
  if (i_ >= s_.size()) return false;
  const bool negative = s_[i_] == '-';
  if (negative) ++i_;
  const std::size_t digits = i_;
  std::uint64_t magnitude = 0;
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  for (; i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; ++i_) {
    const auto d = static_cast<std::uint64_t>(s_[i_] - '0');
    if (magnitude > (limit - d) / 10) return false;
    magnitude = magnitude * 10 + d;
  }
  const std::size_t count = i_ - digits;
  if (count == 0 || (count > 1 && s_[digits] == '0') || (negative && magnitude == 0)) return false;
  if (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E')) return false;
  *out = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
  return true;
}

std::optional<JsonNode> ReadPlainJson(std::string_view text) {
  JsonNode root;
  if (!PlainReader(text).Read(&root)) return std::nullopt;
  return root;
}

std::optional<JsonNode> ReadJson(const SourceFile& file, std::vector<Issue>* issues) {
  std::string_view text = file.text();
  if (text.size() > kMaxJsonBytes) {
    Issue issue;
    issue.file = std::string(file.name());
    issue.message = absl::StrCat("JSON document of ", text.size(), " bytes is larger than the ",
                                 kMaxJsonBytes, "-byte limit");
    issues->push_back(std::move(issue));
    return std::nullopt;
  }
  if (std::optional<std::size_t> bad = FindInvalidUtf8(text)) {
    auto at = static_cast<std::uint32_t>(*bad);
    issues->push_back(file.MakeIssue(
        Span{at, at + 1},
        absl::StrFormat("invalid UTF-8 (byte 0x%02X)", static_cast<unsigned char>(text[at]))));
    return std::nullopt;
  }
  if (std::optional<JsonNode> plain = ReadPlainJson(text)) return plain;
  return ReadJsonThoroughly(file, issues);
}

std::optional<JsonNode> ReadJsonThoroughly(const SourceFile& file, std::vector<Issue>* issues) {
  std::string_view text = file.text();
  const char* high_water = text.data();
  TreeBuilder builder(file, issues, &high_water);
  bool ok = false;
  try {
    ok = Json::sax_parse(CountingIterator(text.data(), &high_water),
                         CountingIterator(text.data() + text.size(), &high_water), &builder);
  } catch (const std::exception& e) {
    // nlohmann reports through parse_error(); this is a last resort (e.g.
    // out of memory) so that no exception leaves the reader.
    Issue issue;
    issue.file = std::string(file.name());
    issue.message = absl::StrCat("cannot read JSON: ", e.what());
    issues->push_back(std::move(issue));
    return std::nullopt;
  }
  if (!ok && !builder.failed()) {
    Issue issue;
    issue.file = std::string(file.name());
    issue.message = "cannot read JSON";
    issues->push_back(std::move(issue));
  }
  if (!ok || builder.failed()) return std::nullopt;
  return builder.TakeRoot();
}

}  // namespace writ::internal
