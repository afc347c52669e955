// "Did you mean ...?": the nearest of some known names to a mistyped one,
// for the hints of parse issues, suite mistakes and evaluation errors.
#ifndef WRIT_SRC_BASE_SUGGEST_H_
#define WRIT_SRC_BASE_SUGGEST_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/types/span.h"

namespace writ::internal {

// Levenshtein distance in bytes.
std::size_t EditDistance(std::string_view a, std::string_view b);

// The first of `names` nearest to `name` within an edit distance of 2, or
// "" when none is that close (or `name` is among them).
std::string_view Nearest(std::string_view name, absl::Span<const std::string_view> names);

// "did you mean `x`?" for Nearest, or "".
std::string Suggest(std::string_view name, absl::Span<const std::string_view> names);

}  // namespace writ::internal

#endif  // WRIT_SRC_BASE_SUGGEST_H_
