// Small string helpers shared across the pipeline.
#ifndef WRIT_SRC_BASE_STRINGS_H_
#define WRIT_SRC_BASE_STRINGS_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace writ::internal {

// Debian 12's Abseil is built with its own absl::string_view
// (ABSL_OPTION_USE_STD_STRING_VIEW 0), so std::string_view does not convert
// to it implicitly. Av() bridges the two at call sites of StrCat and friends.
inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// The value of a hexadecimal digit (either case), or -1.
inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace writ::internal

#endif  // WRIT_SRC_BASE_STRINGS_H_
