// writ CLI: `schema` — reads a Cedar schema in either form, resolves it, and
// prints it in the form --to names (`json` or `cedarschema`), keeping its
// namespaces, common types and order.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/writ/cli.h"
#include "writ/limits.h"
#include "writ/schema.h"

namespace writ::cli {

int RunSchema(const Args& args, std::ostream& out, std::ostream& err) {
  const std::string to = args.One("to").value_or("");
  if (to != "json" && to != "cedarschema" && to != "cedar") {
    err << "writ schema: --to must be `json` or `cedarschema`"
        << (to.empty() ? std::string() : ", not `" + to + "`") << "\n";
    return kExitUsage;
  }
  const std::string& path = args.positional.front();
  absl::StatusOr<std::string> text = ReadFile(path, kMaxSchemaBytes);
  if (!text.ok()) {
    err << "writ schema: " << text.status().message() << "\n";
    return kExitUsage;
  }
  SchemaOptions options;
  options.strict = args.Has("strict");
  std::vector<Issue> issues;
  absl::StatusOr<Schema> schema = Schema::Parse(*text, path, &issues, options);
  err << RenderIssues(issues);
  if (!schema.ok()) return kExitUsage;
  out << (to == "json" ? schema->ToJson() : schema->ToCedar());
  return kExitOk;
}

}  // namespace writ::cli
