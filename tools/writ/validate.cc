// writ CLI: `writ validate` — Cedar's validator (writ/validate.h) over policy
// files against a schema, its findings rendered like `writ check`'s issues
// (or as JSON), each naming its policy and the kind of finding.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "tools/writ/cli.h"
#include "writ/validate.h"

namespace writ::cli {

int RunValidate(const Args& args, std::ostream& out, std::ostream& err) {
  const std::string format = args.One("format").value_or("text");
  if (format != "text" && format != "json") {
    err << "error: --format is `text` or `json`, not `" << format << "`\n";
    return kExitUsage;
  }
  const std::optional<std::string> schema_path = args.One("schema");
  if (!schema_path) {
    err << "error: --schema FILE is required\n";
    return kExitUsage;
  }
  absl::StatusOr<std::string> schema_text = ReadFile(*schema_path, kMaxSchemaBytes);
  if (!schema_text.ok()) {
    err << "error: " << schema_text.status().message() << "\n";
    return kExitUsage;
  }
  std::vector<Issue> schema_issues;
  SchemaOptions schema_options;
  schema_options.strict = args.Has("strict");
  absl::StatusOr<Schema> schema = Schema::Parse(*schema_text, *schema_path, &schema_issues, schema_options);
  if (!schema.ok()) {
    err << RenderIssues(schema_issues);
    if (schema_issues.empty()) err << "error: " << schema.status().message() << "\n";
    return kExitUsage;
  }
  std::optional<PolicySet> set =
      LoadPolicies(args.All("policies"), err, ParseOptionsOf(args), args.One("template-linked").value_or(""));
  if (!set) return kExitUsage;

  ValidateOptions options;
  options.strict = args.Has("strict");
  const ValidationResult result = Validate(*schema, *set, options);
  int errors = 0, warnings = 0;
  for (const ValidationFinding& f : result.findings) {
    (f.issue.severity == Severity::kError ? errors : warnings) += 1;
  }
  if (format == "json") {
    nlohmann::json array = nlohmann::json::array();
    for (const ValidationFinding& f : result.findings) {
      nlohmann::json o = {{"policy", f.policy_id},
                          {"file", f.issue.file},
                          {"line", f.issue.line},
                          {"column", f.issue.column},
                          {"severity", f.issue.severity == Severity::kError ? "error" : "warning"},
                          {"code", f.code},
                          {"message", f.issue.message}};
      if (!f.issue.hint.empty()) o["hint"] = f.issue.hint;
      array.push_back(std::move(o));
    }
    out << array.dump(2) << "\n";
  } else {
    for (const ValidationFinding& f : result.findings) {
      Issue shown = f.issue;
      shown.message = absl::StrCat(f.policy_id, ": ", f.issue.message, " [", f.code, "]");
      err << RenderIssue(shown);
    }
    const std::size_t n = set->size();
    out << n << (n == 1 ? " policy, " : " policies, ") << errors << (errors == 1 ? " error, " : " errors, ")
        << warnings << (warnings == 1 ? " warning\n" : " warnings\n");
  }
  return errors == 0 ? kExitOk : kExitProblems;
}

}  // namespace writ::cli
