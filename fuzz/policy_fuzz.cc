// Fuzzing: the policy parser (src/parse) and the formatter (src/fmt). Any
// text is parsed, its issues rendered, and a policy set built from it; text
// that parses is formatted, and the formatted text must parse into the same
// policies (compared on the ASTs, src/lint/ast_equal.h) and format to itself
// (idempotence). A formatter failure on text that parses is a bug, as is any
// difference: each traps after printing both sides.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/ast/ast.h"
#include "src/base/source.h"
#include "src/lint/ast_equal.h"
#include "src/parse/parser.h"
#include "writ/format.h"
#include "writ/issue.h"
#include "writ/policy_set.h"

namespace {

using writ::internal::Policy;

[[noreturn]] void Fail(const char* what, std::string_view input, std::string_view output) {
  std::fprintf(stderr, "policy_fuzz: %s\n--- input\n%.*s\n--- formatted\n%.*s\n---\n", what,
               static_cast<int>(input.size()), input.data(), static_cast<int>(output.size()), output.data());
  __builtin_trap();
}

bool SamePolicy(const Policy& a, const Policy& b) {
  if (a.effect != b.effect || a.is_template != b.is_template) return false;
  if (a.annotations.size() != b.annotations.size()) return false;
  for (std::size_t i = 0; i < a.annotations.size(); ++i) {
    if (a.annotations[i].key != b.annotations[i].key || a.annotations[i].value != b.annotations[i].value) {
      return false;
    }
  }
  return writ::internal::SameScope(a.principal, b.principal) && a.action.kind == b.action.kind &&
         a.action.entities == b.action.entities && writ::internal::SameScope(a.resource, b.resource) &&
         writ::internal::SameConditions(a.conditions, b.conditions);
}

std::vector<Policy> Parse(std::string_view text, std::vector<writ::Issue>* issues) {
  const writ::internal::SourceFile file("fuzz.cedar", text);
  return writ::internal::ParsePolicies(file, writ::ParseOptions{}, issues);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<writ::Issue> issues;
  const std::vector<Policy> policies = Parse(text, &issues);
  (void)writ::RenderIssues(issues);

  // The public entry point too (ids, lifecycle annotations), in both modes.
  for (bool strict : {false, true}) {
    writ::PolicySet set;
    std::vector<writ::Issue> set_issues;
    if (set.Add(text, "fuzz.cedar", &set_issues, writ::ParseOptions{strict}).ok()) (void)set.policies();
    (void)writ::RenderIssues(set_issues);
  }
  if (writ::HasErrors(issues)) return 0;

  // The width and indentation vary with the input, so that narrow layouts
  // (every group broken) are reached as well as wide ones.
  writ::FormatOptions options;
  options.line_width = 20 + static_cast<int>(size % 100);
  options.indent = static_cast<int>(size % 9);
  std::vector<writ::Issue> format_issues;
  const absl::StatusOr<std::string> formatted = writ::FormatPolicies(text, "fuzz.cedar", &format_issues, options);
  if (!formatted.ok()) {
    if (absl::IsResourceExhausted(formatted.status())) return 0;   // a documented limit
    Fail(std::string(formatted.status().message()).c_str(), text, "");
  }
  std::vector<writ::Issue> reparse_issues;
  const std::vector<Policy> again = Parse(*formatted, &reparse_issues);
  if (writ::HasErrors(reparse_issues)) {
    Fail(("formatted text does not parse: " + writ::RenderIssues(reparse_issues)).c_str(), text, *formatted);
  }
  if (again.size() != policies.size()) Fail("formatted text has a different number of policies", text, *formatted);
  for (std::size_t i = 0; i < policies.size(); ++i) {
    if (!SamePolicy(policies[i], again[i])) Fail("formatted text parses into different policies", text, *formatted);
  }
  const absl::StatusOr<std::string> twice = writ::FormatPolicies(*formatted, "fuzz.cedar", nullptr, options);
  if (!twice.ok()) Fail("formatted text does not format", text, *formatted);
  if (*twice != *formatted) Fail("formatting is not idempotent", *formatted, *twice);
  return 0;
}
