// writ CLI: `check` (parse and report every issue) and `authorize` (decide
// one request, or one request per line of a JSON-lines file, read with the
// loader's one JSON-lines reader; through --schema when given).
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
  // Folders stand for their *.cedar files (the loader's one walker).
  std::vector<std::string> paths;
  for (const std::string& path : args.All("policies")) {
    absl::StatusOr<std::vector<std::string>> files = ListFiles(path, ".cedar");
    if (!files.ok()) {
      err << "error: " << files.status().message() << "\n";
      unreadable = true;
      continue;
    }
    paths.insert(paths.end(), files->begin(), files->end());
  }
  for (const std::string& path : paths) {
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
  // The links, against every file's policies at once (ids counting on
  // across files, as the loader gives them), when every file parsed.
  if (std::optional<std::string> links = args.One("template-linked"); links && errors == 0 && !unreadable) {
    absl::StatusOr<Source> source = ReadSourceFile(SourceKind::kTemplateLinks, *links);
    if (!source.ok()) {
      err << "error: " << source.status().message() << "\n";
      unreadable = true;
    } else {
      PolicySet set;
      for (const std::string& path : paths) {
        absl::StatusOr<std::string> text = ReadFile(path, kMaxPolicyTextBytes);
        if (text.ok()) (void)set.Add(*text, path, nullptr, ParseOptionsOf(args));
      }
      std::vector<Issue> issues;
      (void)AddTemplateLinks(source->bytes, source->name, &set, &issues);
      for (const Issue& i : issues) errors += i.severity == Severity::kError ? 1 : 0;
      if (format == "json") {
        all.insert(all.end(), issues.begin(), issues.end());
      } else {
        err << RenderIssues(issues);
      }
      policies = set.size();
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

int RunAuthorize(const Args& args, std::ostream& out, std::ostream& err) {
  const bool one = args.Has("request");
  if (one == args.Has("requests")) {
    err << "error: give exactly one of --request FILE and --requests FILE.jsonl\n";
    return kExitUsage;
  }
  std::optional<DecideOptions> options = LoadDecideOptions(args, err);
  if (!options) return kExitUsage;
  std::optional<LoadedSet> set = LoadInputs(args, err);
  if (!set) return kExitUsage;
  // Requests are read through the schema too (a handle: it outlives the set).
  const std::optional<Schema> schema = set->schema;
  JsonOptions json = JsonOptionsOf(args);
  json.schema = schema ? &*schema : nullptr;
  std::unique_ptr<const Engine> engine = CompileOrReport(*std::move(set), *options, err);
  if (engine == nullptr) return kExitUsage;

  if (one) {
    const std::string path = *args.One("request");
    absl::StatusOr<std::string> text = ReadFile(path, kMaxJsonBytes);
    if (!text.ok()) {
      err << "error: " << text.status().message() << "\n";
      return kExitUsage;
    }
    std::vector<Issue> issues;
    bool nonconforming = false;
    absl::StatusOr<Request> request = ReadRequest(*text, path, &issues, json, &nonconforming);
    if (!request.ok() && nonconforming) {
      // Well-formed, but not what the schema says: denied, never decided on
      // misread data.
      out << DecisionToJson(DenyWithError(FirstErrorText(issues, request.status()))) << "\n";
      return kExitOk;
    }
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
  absl::Status read = ReadRequestLinesFile(*args.One("requests"), json, [&](RequestLine line) {
    if (line.request) {
      out << DecisionToJson(engine->Decide(*line.request)) << "\n";
    } else if (line.blank) {
      out << DecisionToJson(DenyWithError(absl::StrCat(line.issue.file, ":", line.number, ": empty line"))) << "\n";
    } else {
      out << DecisionToJson(DenyWithError(RequestLineError(line))) << "\n";
    }
    return true;
  });
  if (!read.ok()) {
    err << "error: " << read.message() << "\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace writ::cli
