// Fuzzing: the Cedar JSON readers (src/json, writ/json.h). Every input is
// read as entities, as a request (chains included), as a value and as an
// entity uid, without a schema and through the example pack's schema
// (schema-directed reading and request validation), in both modes, and as a
// grants file (writ/grants.h). A value that reads must survive the round trip
// through ValueToJson, and grants that read the round trip through
// GrantsToJson: written and read again, they are equal; a difference traps
// after printing both. A request the plain fast path reads must be the
// request the general reader makes of it, and one DecideJson's fast path
// decides (an engine whose policies read the context in every way that path
// treats apart) must be decided as that request is.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "src/base/utf8.h"
#include "src/json/plain_request.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/entities.h"
#include "writ/grants.h"
#include "writ/issue.h"
#include "writ/json.h"
#include "writ/policy_set.h"
#include "writ/schema.h"
#include "writ/value.h"

namespace {

// The example pack's schema; null if it does not load (then only the
// schemaless readers run, and the run says so once).
const writ::Schema* ExampleSchema() {
  static const writ::Schema* schema = [] () -> const writ::Schema* {
    std::ifstream in(WRIT_SOURCE_DIR "/policies/example/schema.cedarschema", std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    std::vector<writ::Issue> issues;
    absl::StatusOr<writ::Schema> parsed = writ::Schema::Parse(text.str(), "schema.cedarschema", &issues);
    if (!parsed.ok()) {
      std::fprintf(stderr, "json_fuzz: the example schema does not load; reading without one\n");
      return nullptr;
    }
    return new writ::Schema(*std::move(parsed));
  }();
  return schema;
}

// An engine whose policies read the context in every way the JSON path
// treats apart: paths, records read whole, the context itself, a missing
// attribute's error, sets and long strings.
const writ::Engine* ContextEngine() {
  static const writ::Engine* engine = [] () -> const writ::Engine* {
    writ::PolicySet set;
    std::vector<writ::Issue> issues;
    const bool added = set.Add(R"(
permit(principal, action, resource) when { context.credential.expires > context.now && context.env == "prod" };
permit(principal, action == Action::"whole", resource) when { context == {"env": "prod"} };
permit(principal, action == Action::"record", resource) when { context.credential == {"expires": 5} };
permit(principal, action == Action::"error", resource) when { context.missing == 1 };
permit(principal, action, resource) when { context.env == "production" && context.tags.contains("x") };
permit(principal, action, resource) when { context.a.b.c == 1 || context.a.b has d };
forbid(principal, action, resource) when { context has credential && context.credential has revoked && context.credential.revoked };
)", "fuzz.cedar", &issues).ok();
    absl::StatusOr<std::unique_ptr<writ::Engine>> compiled = writ::Engine::Compile(set);
    if (!added || !compiled.ok()) {
      std::fprintf(stderr, "json_fuzz: the context policies do not compile\n");
      __builtin_trap();
    }
    return compiled->release();
  }();
  return engine;
}

void ReadAll(std::string_view json, const writ::JsonOptions& options) {
  std::vector<writ::Issue> issues;
  if (absl::StatusOr<writ::Entities> entities = writ::EntitiesFromJson(json, "fuzz.json", &issues, options);
      entities.ok()) {
    (void)entities->size();
  }
  if (absl::StatusOr<writ::Request> request = writ::RequestFromJson(json, "fuzz.json", &issues, options);
      request.ok()) {
    (void)request->context.ToString();
  }
  (void)writ::RenderIssues(issues);
  (void)writ::IssuesToJson(issues);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  for (bool strict : {false, true}) {
    writ::JsonOptions options;
    options.strict = strict;
    ReadAll(json, options);
    if (const writ::Schema* schema = ExampleSchema()) {
      options.schema = schema;
      ReadAll(json, options);
      options.validate_request = false;
      ReadAll(json, options);
    }
  }
  std::vector<writ::Issue> issues;
  (void)writ::EntityUidFromJson(json, "fuzz.json", &issues);

  // RequestFromJson's fast path: whatever it accepts, the tree reads the same.
  if (!writ::internal::FindInvalidUtf8(json)) {
    if (std::optional<writ::Request> fast = writ::internal::ReadPlainRequest(json)) {
      issues.clear();
      absl::StatusOr<writ::Request> tree = writ::internal::RequestFromJsonTree(json, "fuzz.json", &issues, {});
      if (!tree.ok() || !issues.empty() || !(fast->principal == tree->principal) ||
          !(fast->action == tree->action) || !(fast->resource == tree->resource) ||
          !(fast->context == tree->context) || fast->now.has_value() || !fast->chain.empty()) {
        std::fprintf(stderr, "json_fuzz: the plain request reader and the tree disagree\n--- input\n%.*s\n--- %s\n",
                     static_cast<int>(json.size()), json.data(),
                     tree.ok() ? (fast->context.ToString() + " vs " + tree->context.ToString()).c_str()
                               : writ::RenderIssues(issues).c_str());
        __builtin_trap();
      }
    }
  }

  // DecideJson's fast path: whatever it decides, the Request read in full
  // is decided alike.
  writ::Decision lean;
  if (writ::internal::DecidePlainJson(*ContextEngine(), json, &lean)) {
    issues.clear();
    absl::StatusOr<writ::Request> full = writ::RequestFromJson(json, "fuzz.json", &issues);
    const std::string want = full.ok() ? writ::DecisionToJson(ContextEngine()->Decide(*full)) : "not read";
    if (writ::DecisionToJson(lean) != want) {
      std::fprintf(stderr, "json_fuzz: DecideJson's fast path decides differently\n--- input\n%.*s\n--- %s\n--- %s\n",
                   static_cast<int>(json.size()), json.data(), writ::DecisionToJson(lean).c_str(), want.c_str());
      __builtin_trap();
    }
  }

  for (bool strict : {false, true}) {
    issues.clear();
    writ::ParseOptions options;
    options.strict = strict;
    absl::StatusOr<std::vector<writ::Grant>> grants = writ::ReadGrants(json, "grants.json", options, &issues);
    (void)writ::RenderIssues(issues);
    if (!grants.ok()) continue;
    const std::string grants_written = writ::GrantsToJson(*grants);
    std::vector<writ::Issue> again_issues;
    absl::StatusOr<std::vector<writ::Grant>> again =
        writ::ReadGrants(grants_written, "written.json", options, &again_issues);
    if (!again.ok() || *again != *grants) {
      std::fprintf(stderr, "json_fuzz: GrantsToJson does not read back\n--- input\n%.*s\n--- written\n%s\n--- %s\n",
                   static_cast<int>(json.size()), json.data(), grants_written.c_str(),
                   again.ok() ? "read back different" : writ::RenderIssues(again_issues).c_str());
      __builtin_trap();
    }
  }

  issues.clear();
  absl::StatusOr<writ::Value> value = writ::ValueFromJson(json, "fuzz.json", &issues);
  if (!value.ok()) return 0;
  const std::string written = writ::ValueToJson(*value);
  std::vector<writ::Issue> again_issues;
  absl::StatusOr<writ::Value> again = writ::ValueFromJson(written, "written.json", &again_issues);
  if (!again.ok() || !(*again == *value)) {
    std::fprintf(stderr, "json_fuzz: ValueToJson does not read back\n--- input\n%.*s\n--- written\n%s\n--- %s\n",
                 static_cast<int>(json.size()), json.data(), written.c_str(),
                 again.ok() ? again->ToString().c_str() : writ::RenderIssues(again_issues).c_str());
    __builtin_trap();
  }
  return 0;
}
