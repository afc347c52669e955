// UTF-8 checks shared by the parser and the JSON reader.
#ifndef WRIT_SRC_BASE_UTF8_H_
#define WRIT_SRC_BASE_UTF8_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace writ::internal {

// The byte offset of the first invalid UTF-8 sequence in `s`, or nullopt.
// Rejects overlong forms, surrogates and code points above U+10FFFF.
std::optional<std::size_t> FindInvalidUtf8(std::string_view s);

// Appends code point `cp` (<= 0x10FFFF, not a surrogate) as UTF-8.
void AppendUtf8(std::string* out, char32_t cp);

}  // namespace writ::internal

#endif  // WRIT_SRC_BASE_UTF8_H_
