#include "src/base/suggest.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

namespace writ::internal {

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view Nearest(std::string_view name, absl::Span<const std::string_view> names) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view n : names) {
    if (n == name) return "";
    // Lengths more than 2 apart are more than 2 edits apart: skip the table.
    if (n.size() + 2 < name.size() || name.size() + 2 < n.size()) continue;
    const std::size_t d = EditDistance(name, n);
    if (d < best_distance) best_distance = d, best = n;
  }
  return best;
}

std::string Suggest(std::string_view name, absl::Span<const std::string_view> names) {
  const std::string_view best = Nearest(name, names);
  return best.empty() ? "" : absl::StrCat("did you mean `", absl::string_view(best.data(), best.size()), "`?");
}

}  // namespace writ::internal
