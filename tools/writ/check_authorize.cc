// writ CLI: `check` (parse and report every issue) and `authorize` (decide
// one request, or one request per line of a JSON-lines file).
#include <fstream>
#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "tools/writ/cli.h"

namespace writ::cli {

int RunCheck(const Args& args, std::ostream& out, std::ostream& err) {
  const std::string format = args.One("format").value_or("text");
  if (format != "text" && format != "json") {
    err << "error: --format is `text` or `json`, not `" << format << "`\n";
    return kExitUsage;
  }
  int errors = 0;
  bool unreadable = false;
  std::size_t policies = 0;
  std::vector<Issue> all;   // for --format json
  for (const std::string& path : args.All("policies")) {
    absl::StatusOr<std::string> text = ReadFile(path, kMaxPolicyTextBytes);
    if (!text.ok()) {
      err << "error: " << text.status().message() << "\n";
      unreadable = true;
      continue;
    }
    PolicySet set;
    std::vector<Issue> issues;
    (void)set.Add(*text, path, &issues, ParseOptionsOf(args));
    policies += set.size();
    for (const Issue& i : issues) errors += i.severity == Severity::kError ? 1 : 0;
    if (format == "json") {
      all.insert(all.end(), issues.begin(), issues.end());
    } else {
      err << RenderIssues(issues);
    }
  }
  if (format == "json") {
    out << IssuesToJson(all) << "\n";
  } else {
    out << policies << (policies == 1 ? " policy, " : " policies, ") << errors
        << (errors == 1 ? " error\n" : " errors\n");
  }
  if (unreadable) return kExitUsage;
  return errors == 0 ? kExitOk : kExitProblems;
}

namespace {

// A request that could not be read is denied, with the reason as its error.
std::string UnreadableRequest(const std::string& why) {
  Decision d;
  d.errors.push_back({"", why});
  return DecisionToJson(d);
}

// Line `line` of `path` is one JSON document: its issues are located as
// path:line:column.
std::string DecideLine(const Engine& engine, std::string_view json, const std::string& path, std::size_t line,
                       const JsonOptions& options) {
  std::vector<Issue> issues;
  absl::StatusOr<Request> request = RequestFromJson(json, path, &issues, options);
  if (!request.ok()) {
    for (const Issue& i : issues) {
      if (i.severity != Severity::kError) continue;
      return UnreadableRequest(i.line == 0 ? absl::StrCat(path, ":", line, ": ", i.message)
                                           : absl::StrCat(path, ":", line, ":", i.column, ": ", i.message));
    }
    return UnreadableRequest(absl::StrCat(path, ":", line, ": ", request.status().message()));
  }
  return DecisionToJson(engine.Decide(*request));
}

}  // namespace

int RunAuthorize(const Args& args, std::ostream& out, std::ostream& err) {
  const bool one = args.Has("request");
  if (one == args.Has("requests")) {
    err << "error: give exactly one of --request FILE and --requests FILE.jsonl\n";
    return kExitUsage;
  }
  std::optional<PolicySet> policies = LoadPolicies(args.All("policies"), err, ParseOptionsOf(args));
  if (!policies) return kExitUsage;
  const JsonOptions json = JsonOptionsOf(args);
  std::optional<Entities> entities = LoadEntities(args.One("entities").value_or(""), err, json);
  if (!entities) return kExitUsage;
  std::optional<DecideOptions> options = LoadDecideOptions(args, err);
  if (!options) return kExitUsage;
  std::unique_ptr<const Engine> engine = CompileOrReport(*policies, *std::move(entities), *options, err);
  if (engine == nullptr) return kExitUsage;

  if (one) {
    const std::string path = *args.One("request");
    absl::StatusOr<std::string> text = ReadFile(path, kMaxJsonBytes);
    if (!text.ok()) {
      err << "error: " << text.status().message() << "\n";
      return kExitUsage;
    }
    std::vector<Issue> issues;
    absl::StatusOr<Request> request = RequestFromJson(*text, path, &issues, json);
    if (!request.ok()) {
      err << RenderIssues(issues);
      if (issues.empty()) err << "error: " << request.status().message() << "\n";
      return kExitUsage;
    }
    out << DecisionToJson(engine->Decide(*request)) << "\n";
    return kExitOk;
  }

  // One decision per line, in order; blank lines are decided as unreadable
  // too, so that output line N always answers input line N.
  const std::string path = *args.One("requests");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "error: " << path << ": cannot open file\n";
    return kExitUsage;
  }
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string source = absl::StrCat(path, ":", n);
    if (line.size() > kMaxJsonBytes) {
      out << UnreadableRequest(absl::StrCat(source, ": line longer than ", kMaxJsonBytes, " bytes")) << "\n";
    } else if (line.find_first_not_of(" \t") == std::string::npos) {
      out << UnreadableRequest(absl::StrCat(source, ": empty line")) << "\n";
    } else {
      out << DecideLine(*engine, line, path, n, json) << "\n";
    }
  }
  return kExitOk;
}

}  // namespace writ::cli
