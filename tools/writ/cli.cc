// writ CLI: flag parsing, bounded file reading, and the CLI's adapters over
// the one loader (writ/load.h) with issues rendered to the error stream.
#include "tools/writ/cli.h"

#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "src/base/file.h"
#include "src/base/rfc3339.h"
#include "src/base/suggest.h"
#include "writ/load.h"

namespace writ::cli {

const std::vector<std::string>& Args::All(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = flags.find(name);
  return it == flags.end() ? kNone : it->second;
}

std::optional<std::string> Args::One(const std::string& name) const {
  auto it = flags.find(name);
  if (it == flags.end() || it->second.empty()) return std::nullopt;
  return it->second.front();
}

absl::StatusOr<Args> ParseArgs(const Command& cmd, const std::vector<std::string>& argv) {
  Args args;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (!absl::StartsWith(a, "--") || a == "--") {
      args.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& f : cmd.flags) {
      if (f.name == name) spec = &f;
    }
    if (spec == nullptr) {
      std::vector<std::string> known;
      for (const FlagSpec& f : cmd.flags) known.push_back("--" + f.name);
      const std::vector<std::string_view> views(known.begin(), known.end());
      const std::string hint = internal::Suggest("--" + name, views);
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, " for `writ ", cmd.name, "`", hint.empty() ? "" : "; ", hint));
    }
    auto& values = args.flags[name];
    if (!spec->takes_value) {
      if (inline_value) return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
      values.push_back("");
      continue;
    }
    if (!spec->repeated && !values.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " given twice"));
    }
    if (inline_value) {
      values.push_back(*inline_value);
    } else {
      std::size_t taken = 0;
      while (i + 1 < argv.size() && !absl::StartsWith(argv[i + 1], "--") &&
             (spec->repeated || taken == 0)) {
        values.push_back(argv[++i]);
        ++taken;
      }
      if (taken == 0) return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
    }
  }
  const int n = static_cast<int>(args.positional.size());
  if (n > cmd.max_positional) {
    // Most often a file where a flag's files were meant: name that flag.
    const std::string& extra = args.positional[static_cast<std::size_t>(cmd.max_positional)];
    std::string message = absl::StrCat("unexpected argument `", extra, "` for `writ ", cmd.name, "`");
    for (const FlagSpec& f : cmd.flags) {
      if (f.repeated) {
        absl::StrAppend(&message, "; files are given after a flag, as in `writ ", cmd.name, " --", f.name, " ", extra, "`");
        break;
      }
    }
    return absl::InvalidArgumentError(message);
  }
  if (n < cmd.min_positional) {
    return absl::InvalidArgumentError(
        absl::StrCat("`writ ", cmd.name, "` needs ", cmd.min_positional, " argument", cmd.min_positional == 1 ? "" : "s",
                     " besides its flags"));
  }
  return args;
}

std::string CommandHelp(const Command& cmd) {
  std::string out = absl::StrCat("usage: ", cmd.synopsis, "\n\n", cmd.description, "\n");
  if (!cmd.flags.empty()) out += "\nflags:\n";
  for (const FlagSpec& f : cmd.flags) {
    std::string left = absl::StrCat("  --", f.name, f.takes_value ? (f.repeated ? " FILE..." : " VALUE") : "");
    if (left.size() < 24) left.resize(24, ' ');
    absl::StrAppend(&out, left, " ", f.help, "\n");
  }
  return out;
}

absl::StatusOr<std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
  return internal::ReadNamedFile(path, max_bytes);
}

std::optional<PolicySet> LoadPolicies(const std::vector<std::string>& paths, std::ostream& err,
                                      const ParseOptions& options, const std::string& template_links) {
  FileSet files;
  files.policies = paths;
  files.template_links = template_links;
  LoadOptions load;
  load.strict = options.strict;
  std::vector<Issue> issues;
  absl::StatusOr<LoadedSet> set = LoadFiles(files, load, &issues);
  err << RenderIssues(issues);
  if (!set.ok()) return std::nullopt;
  return std::move(set->policies);
}

std::optional<Entities> LoadEntities(const std::string& path, std::ostream& err,
                                     const JsonOptions& options) {
  if (path.empty()) return Entities();
  FileSet files;
  files.entities = {path};
  LoadOptions load;
  load.strict = options.strict;
  load.json = options;
  std::vector<Issue> issues;
  absl::StatusOr<LoadedSet> set = LoadFiles(files, load, &issues);
  err << RenderIssues(issues);
  if (!set.ok()) return std::nullopt;
  return std::move(set->entities);
}

std::optional<LoadedSet> LoadInputs(const Args& args, std::ostream& err) {
  FileSet files;
  files.policies = args.All("policies");
  if (std::optional<std::string> path = args.One("entities")) files.entities = {*path};
  files.schema = args.One("schema").value_or("");
  files.revoked = args.One("revoked").value_or("");
  files.template_links = args.One("template-linked").value_or("");
  LoadOptions options;
  options.strict = args.Has("strict");
  std::vector<Issue> issues;
  absl::StatusOr<LoadedSet> set = LoadFiles(files, options, &issues);
  err << RenderIssues(issues);
  if (!set.ok()) return std::nullopt;
  return *std::move(set);
}

bool ReadClockFlags(const Args& args, DecideOptions* options, std::ostream& err) {
  options->fail_closed = args.Has("fail-closed");
  if (std::optional<std::string> now = args.One("now")) {
    std::variant<absl::Time, std::string> parsed = internal::ParseRfc3339(*now);
    if (const std::string* why = std::get_if<std::string>(&parsed)) {
      err << "error: --now must be an RFC 3339 time such as 2026-11-22T12:00:00Z, not `" << *now << "`: " << *why
          << "\n";
      return false;
    }
    const absl::Time t = std::get<absl::Time>(parsed);
    options->clock = [t] { return t; };
  }
  return true;
}

std::optional<DecideOptions> LoadDecideOptions(const Args& args, std::ostream& err) {
  if (args.Has("strict")) {
    for (const char* flag : {"now", "revoked", "fail-closed"}) {
      if (args.Has(flag)) {
        err << "error: --" << flag << " is a writ extension; --strict keeps to pure Cedar\n";
        return std::nullopt;
      }
    }
  }
  DecideOptions options;
  if (!ReadClockFlags(args, &options, err)) return std::nullopt;
  return options;
}

std::unique_ptr<const Engine> CompileOrReport(LoadedSet set, const DecideOptions& options, std::ostream& err) {
  // CompileLoaded's own type: converting the StatusOr to one of a const
  // Engine made GCC 12 -O3 warn (maybe-uninitialized) in a Release build.
  absl::StatusOr<std::unique_ptr<Engine>> engine = CompileLoaded(std::move(set), options);
  if (!engine.ok()) {
    err << "error: " << engine.status().message() << "\n";
    return nullptr;
  }
  return *std::move(engine);
}

}  // namespace writ::cli
