// Parse: lifecycle annotations (see lifecycle.h).
#include "src/parse/lifecycle.h"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "src/base/rfc3339.h"
#include "src/base/strings.h"

namespace writ::internal {
namespace {

constexpr std::string_view kLifecycleKeys[] = {"owner", "not_before", "expires", "breakglass"};
constexpr std::string_view kTimeExample = kRfc3339Example;

}  // namespace

void ReadLifecycle(const SourceFile& file, const ParseOptions& options, Policy* policy, std::vector<Issue>* issues) {
  // Strict mode is exactly Cedar, where every annotation is valid and none
  // changes a decision: lifecycle keys are plain annotations there.
  if (options.strict) return;
  const Annotation* expires = nullptr;
  const Annotation* not_before = nullptr;
  const Annotation* breakglass = nullptr;
  for (const Annotation& a : policy->annotations) {
    bool lifecycle = false;
    for (std::string_view key : kLifecycleKeys) lifecycle = lifecycle || a.key == key;
    if (!lifecycle) continue;
    if (!a.value || a.value->empty()) {
      issues->push_back(file.MakeIssue(a.span, absl::StrCat("`@", a.key, "` needs a value"), Severity::kError,
                                       a.key == "owner"        ? "for example @owner(\"payments-team\")"
                                       : a.key == "breakglass" ? "for example @breakglass(\"INC-1234\")"
                                                               : absl::StrCat("for example @", a.key, "(\"",
                                                                              Av(kTimeExample), "\")")));
      continue;
    }
    if (a.key == "expires" || a.key == "not_before") {
      std::variant<absl::Time, std::string> t = ParseRfc3339(*a.value);
      if (const std::string* why = std::get_if<std::string>(&t)) {
        // Located at the string itself (the annotation when the AST came
        // from elsewhere, without a value span).
        const Span at = a.value_span.end > a.value_span.begin ? a.value_span : a.span;
        issues->push_back(file.MakeIssue(
            at, absl::StrCat("`@", a.key, "` is not an RFC 3339 time: \"", *a.value, "\": ", *why), Severity::kError,
            absl::StrCat("write a date, a time and a zone, for example \"", Av(kTimeExample), "\"")));
        continue;
      }
      (a.key == "expires" ? policy->expires : policy->not_before) = std::get<absl::Time>(t);
      (a.key == "expires" ? expires : not_before) = &a;
    } else if (a.key == "breakglass") {
      breakglass = &a;
    }
  }
  if (policy->not_before && policy->expires && *policy->not_before >= *policy->expires) {
    issues->push_back(file.MakeIssue(not_before->span, "the policy can never apply: `@not_before` is not before `@expires`"));
  }
  if (breakglass != nullptr) {
    policy->breakglass = true;
    if (expires == nullptr) {
      issues->push_back(file.MakeIssue(breakglass->span, "a break-glass policy must say when it ends",
                                       Severity::kError, absl::StrCat("add @expires(\"", Av(kTimeExample), "\")")));
    }
  }
}

}  // namespace writ::internal
