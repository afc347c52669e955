// Extensions: writ's `.matches("re")` — a regular expression compiled once
// (when the policy is parsed) with RE2, then matched from any number of
// threads. RE2 stays behind this class: no RE2 type in any other header.
#ifndef WRIT_SRC_EXT_REGEX_H_
#define WRIT_SRC_EXT_REGEX_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}

namespace writ::internal {

// Immutable once compiled, and so safe to share between threads.
class Regex {
 public:
  // Compiles `pattern` (RE2 syntax, UTF-8) within kMaxRegexMemoryBytes
  // (writ/limits.h). An error status (InvalidArgument) says what is wrong:
  // "invalid regular expression: missing ): (a" or that it is too large.
  static absl::StatusOr<std::shared_ptr<const Regex>> Compile(std::string_view pattern);

  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Whether the whole of `text` matches (anchored at both ends). Linear in
  // the text; no allocation once RE2's cache is warm.
  bool FullMatch(std::string_view text) const;

  // The pattern as written (unescaped).
  const std::string& pattern() const { return pattern_; }

 private:
  explicit Regex(std::unique_ptr<const re2::RE2> re, std::string pattern);
  std::unique_ptr<const re2::RE2> re_;
  std::string pattern_;
};

}  // namespace writ::internal

#endif  // WRIT_SRC_EXT_REGEX_H_
