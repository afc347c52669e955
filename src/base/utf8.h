// UTF-8 checks shared by the parser and the JSON reader.
#ifndef WRIT_SRC_BASE_UTF8_H_
#define WRIT_SRC_BASE_UTF8_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace writ::internal {

// The length (1-4) of the valid UTF-8 sequence that starts at s[i] (i <
// s.size()), or 0 when there is none there: overlong forms, surrogates and
// code points above U+10FFFF are not valid.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i);

// The byte offset of the first invalid UTF-8 sequence in `s`, or nullopt.
std::optional<std::size_t> FindInvalidUtf8(std::string_view s);

// Appends code point `cp` (<= 0x10FFFF, not a surrogate) as UTF-8.
void AppendUtf8(std::string* out, char32_t cp);

}  // namespace writ::internal

#endif  // WRIT_SRC_BASE_UTF8_H_
