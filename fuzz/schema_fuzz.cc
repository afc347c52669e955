// Fuzzing: the schema readers (src/validate, writ/schema.h), both forms. Any
// input is parsed as Cedar schema text and as JSON schema, in both modes. A
// schema that loads must print in both forms (ToCedar, ToJson), each print
// must load again and print the same text in its own form, and the two
// prints must load into the same schema (compared as below); a failure
// traps after printing the texts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "writ/issue.h"
#include "writ/schema.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view input, const std::string& printed,
                       const std::vector<writ::Issue>& issues) {
  std::fprintf(stderr, "schema_fuzz: %s\n--- input\n%.*s\n--- printed\n%s\n--- issues\n%s\n", what,
               static_cast<int>(input.size()), input.data(), printed.c_str(), writ::RenderIssues(issues).c_str());
  __builtin_trap();
}

void RoundTrip(std::string_view input, const writ::Schema& schema, const writ::SchemaOptions& options) {
  const std::string json = schema.ToJson();
  const std::string cedar = schema.ToCedar();
  (void)schema.entity_types();
  (void)schema.actions();
  std::vector<writ::Issue> issues;
  absl::StatusOr<writ::Schema> from_json =
      writ::Schema::Parse(json, "printed.json", writ::SchemaFormat::kJson, &issues, options);
  if (!from_json.ok()) Fail("the JSON print does not load", input, json, issues);
  if (from_json->ToJson() != json) Fail("the JSON print loads into a different schema", input, json, issues);
  issues.clear();
  absl::StatusOr<writ::Schema> from_cedar =
      writ::Schema::Parse(cedar, "printed.cedarschema", writ::SchemaFormat::kCedar, &issues, options);
  if (!from_cedar.ok()) Fail("the Cedar print does not load", input, cedar, issues);
  if (from_cedar->ToCedar() != cedar) {
    Fail("the Cedar print loads into a different schema", input,
         cedar + "\n--- printed again\n" + from_cedar->ToCedar(), issues);
  }
  // Across the forms: the JSON print's schema, printed as Cedar and loaded,
  // prints the same JSON as the Cedar print's schema. (Both pass through the
  // Cedar form, which cannot hold an empty namespace `""`, and are compared
  // as JSON, whose order is by name where the Cedar form keeps the order of
  // declaration.)
  const std::string cedar_of_json = from_json->ToCedar();
  issues.clear();
  absl::StatusOr<writ::Schema> via_cedar =
      writ::Schema::Parse(cedar_of_json, "printed2.cedarschema", writ::SchemaFormat::kCedar, &issues, options);
  if (!via_cedar.ok()) Fail("the JSON print's Cedar print does not load", input, cedar_of_json, issues);
  if (via_cedar->ToJson() != from_cedar->ToJson()) {
    Fail("the JSON and Cedar prints load into different schemas", input,
         from_cedar->ToJson() + "\n--- from the JSON print\n" + via_cedar->ToJson(), issues);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)writ::Schema::DetectFormat(text, "fuzz.cedarschema");
  for (writ::SchemaFormat format : {writ::SchemaFormat::kCedar, writ::SchemaFormat::kJson}) {
    for (bool strict : {false, true}) {
      const writ::SchemaOptions options{strict};
      std::vector<writ::Issue> issues;
      absl::StatusOr<writ::Schema> schema = writ::Schema::Parse(text, "fuzz", format, &issues, options);
      (void)writ::RenderIssues(issues);
      if (schema.ok()) RoundTrip(text, *schema, options);
    }
  }
  return 0;
}
