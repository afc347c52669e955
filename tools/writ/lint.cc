// writ CLI: `lint` — governance checks over policy files (writ/lint.h):
// owners, expiries, break-glass lifetimes, unconstrained permits, duplicate
// and shadowed policies; with --schema, Cedar's validator's findings too;
// human or JSON output.
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "src/base/rfc3339.h"
#include "src/json/issue_json.h"
#include "tools/writ/cli.h"
#include "writ/lint.h"
#include "writ/load.h"
#include "writ/validate.h"

namespace writ::cli {
namespace {

// The shared JSON form of an issue (src/json/issue_json.h) with the rule's
// code apart from its message, and the hint always present.
nlohmann::json FindingJson(const Issue& i) {
  nlohmann::json j = internal::IssueJsonValue(i);
  j["code"] = std::string(LintRule(i));
  j["message"] = std::string(LintMessage(i));
  j["hint"] = i.hint;
  return j;
}

// Reads --NAME as a day count in [0, kMaxLintDays] into `*days` (left alone
// when the flag is absent); false, reported to `err`, when it does not read.
bool ReadDays(const Args& args, const std::string& name, int* days, std::ostream& err) {
  const std::optional<std::string> text = args.One(name);
  if (!text) return true;
  int n = 0;
  if (!absl::SimpleAtoi(*text, &n) || n < 0 || n > kMaxLintDays) {
    err << "writ lint: --" << name << " must be a whole number of days from 0 to " << kMaxLintDays << ", not `"
        << *text << "`\n";
    return false;
  }
  *days = n;
  return true;
}

}  // namespace

int RunLint(const Args& args, std::ostream& out, std::ostream& err) {
  const std::string format = args.One("format").value_or("human");
  if (format != "human" && format != "text" && format != "json") {
    err << "writ lint: --format must be `human` (or `text`) or `json`, not `" << format << "`\n";
    return kExitUsage;
  }
  LintOptions options;
  if (const std::optional<std::string> now = args.One("now")) {
    std::variant<absl::Time, std::string> parsed = internal::ParseRfc3339(*now);
    if (const std::string* why = std::get_if<std::string>(&parsed)) {
      err << "writ lint: --now must be an RFC 3339 time such as 2026-11-22T12:00:00Z, not `" << *now << "`: " << *why
          << "\n";
      return kExitUsage;
    }
    options.now = std::get<absl::Time>(parsed);
  }
  if (!ReadDays(args, "breakglass-max-days", &options.breakglass_max_days, err) ||
      !ReadDays(args, "expiring-within-days", &options.expiring_within_days, err)) {
    return kExitUsage;
  }
  // The policies (and --schema) through the one loader; a schema that does
  // not load is an input error, never a silently skipped check.
  FileSet files;
  files.policies = args.All("policies");
  files.schema = args.One("schema").value_or("");
  files.template_links = args.One("template-linked").value_or("");
  options.links_complete = !files.template_links.empty();
  std::vector<Issue> load_issues;
  absl::StatusOr<LoadedSet> set = LoadFiles(files, {}, &load_issues);
  err << RenderIssues(load_issues);
  if (!set.ok()) return kExitUsage;
  const std::optional<PolicySet> policies = set->policies;
  absl::StatusOr<std::vector<Issue>> findings = Lint(*policies, options);
  if (!findings.ok()) {
    err << "writ lint: " << findings.status().message() << "\n";
    return kExitUsage;
  }
  // With a schema, the validator's findings too (writ/validate.h), each
  // with its code as the lint rules have theirs.
  if (set->schema) {
    const ValidationResult validation = Validate(*set->schema, *policies);
    for (const ValidationFinding& f : validation.findings) {
      Issue i = f.issue;
      i.message = absl::StrCat("[", f.code, "] ", f.policy_id, ": ", i.message);
      findings->push_back(std::move(i));
    }
  }
  int errors = 0;
  for (const Issue& i : *findings) errors += i.severity == Severity::kError ? 1 : 0;
  const int warnings = static_cast<int>(findings->size()) - errors;
  if (format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const Issue& i : *findings) list.push_back(FindingJson(i));
    out << list.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";   // bad UTF-8: U+FFFD
  } else {
    out << RenderIssues(*findings);
    out << policies->size() << (policies->size() == 1 ? " policy, " : " policies, ") << errors
        << (errors == 1 ? " error, " : " errors, ") << warnings << (warnings == 1 ? " warning\n" : " warnings\n");
  }
  const bool fail = errors > 0 || (args.Has("warnings-as-errors") && warnings > 0);
  return fail ? kExitProblems : kExitOk;
}

}  // namespace writ::cli
