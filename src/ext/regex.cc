// Extensions: `.matches` regular expressions (regex.h) — the one place writ
// calls RE2. Debian 12's RE2 (2022-06-01) takes re2::StringPiece.
#include "src/ext/regex.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "re2/re2.h"
#include "src/base/strings.h"
#include "writ/limits.h"

namespace writ::internal {

absl::StatusOr<std::shared_ptr<const Regex>> Regex::Compile(std::string_view pattern) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_log_errors(false);
  options.set_max_mem(static_cast<int64_t>(kMaxRegexMemoryBytes));
  auto re = std::make_unique<const RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    if (re->error_code() == RE2::ErrorPatternTooLarge) {
      return absl::InvalidArgumentError(absl::StrCat("regular expression too large: compiled, it needs more than ",
                                                     kMaxRegexMemoryBytes, " bytes"));
    }
    return absl::InvalidArgumentError(absl::StrCat("invalid regular expression: ", re->error()));
  }
  return std::shared_ptr<const Regex>(new Regex(std::move(re), std::string(pattern)));
}

Regex::Regex(std::unique_ptr<const re2::RE2> re, std::string pattern)
    : re_(std::move(re)), pattern_(std::move(pattern)) {}

Regex::~Regex() = default;

bool Regex::FullMatch(std::string_view text) const {
  // RE2::Match directly: FullMatch's argument-capturing wrapper costs more
  // than the match itself on short texts.
  return re_->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::ANCHOR_BOTH, nullptr, 0);
}

}  // namespace writ::internal
