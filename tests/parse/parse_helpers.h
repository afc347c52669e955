// Helpers shared by the parser's tests: parse a text, read its first error.
#ifndef WRIT_TESTS_PARSE_PARSE_HELPERS_H_
#define WRIT_TESTS_PARSE_PARSE_HELPERS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/parse/parser.h"

namespace writ::internal::testing_helpers {

struct Parsed {
  std::vector<Policy> policies;
  std::vector<Issue> issues;
};

inline Parsed Parse(std::string_view text) {
  Parsed p;
  SourceFile file("t.cedar", text);
  p.policies = ParsePolicies(file, ParseOptions{}, &p.issues);
  return p;
}

inline ExprPtr Expr1(std::string_view text, std::vector<Issue>* issues = nullptr) {
  std::vector<Issue> local;
  SourceFile file("e", text);
  return ParseExpression(file, ParseOptions{}, issues != nullptr ? issues : &local);
}

// The first error's "line:col: message", or "no error".
inline std::string FirstError(std::string_view text) {
  Parsed p = Parse(text);
  if (p.issues.empty()) return "no error";
  const Issue& i = p.issues.front();
  return absl::StrCat(i.line, ":", i.column, ": ", i.message);
}

}  // namespace writ::internal::testing_helpers

#endif  // WRIT_TESTS_PARSE_PARSE_HELPERS_H_
