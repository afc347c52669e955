// writ CLI: shared pieces of the commands — flag parsing, bounded file
// reading, loading policies and entities with rendered issues.
#ifndef WRIT_TOOLS_WRIT_CLI_H_
#define WRIT_TOOLS_WRIT_CLI_H_

#include <cstddef>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "writ/load.h"
#include "writ/writ.h"

namespace writ::cli {

// Exit codes, the same for every command.
inline constexpr int kExitOk = 0;        // success, whatever the decisions
inline constexpr int kExitProblems = 1;  // check found errors, conformance failures
inline constexpr int kExitUsage = 2;     // bad flags, unreadable or invalid inputs

struct FlagSpec {
  std::string name;       // without the leading "--"
  bool takes_value;
  bool repeated;          // takes one or more values (--policies a b c)
  std::string help;
};

struct Command {
  std::string name;
  std::string synopsis;
  std::string description;
  std::vector<FlagSpec> flags;
  int min_positional = 0;
  int max_positional = 0;
  int (*run)(const struct Args&, std::ostream& out, std::ostream& err);
};

struct Args {
  std::map<std::string, std::vector<std::string>> flags;   // name -> values ("" for switches)
  std::vector<std::string> positional;

  bool Has(const std::string& name) const { return flags.count(name) > 0; }
  const std::vector<std::string>& All(const std::string& name) const;
  std::optional<std::string> One(const std::string& name) const;
};

// Parses argv (after the command name) against `cmd`. On error, returns a
// message for the user.
absl::StatusOr<Args> ParseArgs(const Command& cmd, const std::vector<std::string>& argv);
std::string CommandHelp(const Command& cmd);

// Reads a whole file, refusing files larger than `max_bytes`.
absl::StatusOr<std::string> ReadFile(const std::string& path, std::size_t max_bytes);

// Loads every policy file or folder (its *.cedar files) into one set (ids
// counting on across files), through the one loader (writ/load.h). Issues
// are rendered to `err`; nullopt when any file failed. `template_links`
// (when not empty) is a links file (--template-linked) made after them.
std::optional<PolicySet> LoadPolicies(const std::vector<std::string>& paths, std::ostream& err,
                                      const ParseOptions& options = {}, const std::string& template_links = "");
// --strict: pure Cedar, writ's extensions rejected in policies, entities and
// requests.
inline ParseOptions ParseOptionsOf(const Args& args) { return {.strict = args.Has("strict")}; }
inline JsonOptions JsonOptionsOf(const Args& args) {
  JsonOptions options;
  options.strict = args.Has("strict");
  return options;
}
// Loads an entity file (or an empty store when `path` is empty).
std::optional<Entities> LoadEntities(const std::string& path, std::ostream& err,
                                     const JsonOptions& options = {});
// The inputs of a deciding command through the one loader: --policies
// (files or folders), --entities, --schema (either form; entities are read
// through it) and --revoked, with --strict. Issues are rendered to `err`;
// nullopt when anything does not load (a schema that does not load
// included: never a silently empty one).
std::optional<LoadedSet> LoadInputs(const Args& args, std::ostream& err);
// The flag of LoadInputs beyond the decide flags.
inline FlagSpec SchemaFlag() {
  return {"schema", true, false, "Cedar schema (.cedarschema or JSON): entities and requests are read through it"};
}
// --template-linked FILE (read by LoadInputs): the Cedar CLI's links file.
inline FlagSpec TemplateLinkedFlag() {
  return {"template-linked", true, false, "links of templates (JSON: the Cedar CLI's --template-linked file)"};
}

// The deciding options of --now (the time of requests without their own)
// and --fail-closed (--revoked is read by LoadInputs); nullopt (reported to
// `err`) when a value does not read, or when --strict forbids them (they
// are writ extensions).
std::optional<DecideOptions> LoadDecideOptions(const Args& args, std::ostream& err);
// The part of it that reads --now (a fixed clock) and --fail-closed into
// `options`; false (reported to `err`) when --now does not read.
bool ReadClockFlags(const Args& args, DecideOptions* options, std::ostream& err);
// The flags LoadDecideOptions reads, for the command table.
inline const std::vector<FlagSpec>& DecideFlags() {
  static const std::vector<FlagSpec> kFlags = {
      {"now", true, false, "time of requests without their own \"now\" (RFC 3339; default: the clock)"},
      {"revoked", true, false, "revoked uids, one Type::\"id\" per line (# comments)"},
      {"fail-closed", false, false, "a forbid whose condition errors denies (Cedar: skipped)"},
      {"strict", false, false, "exactly Cedar: reject spiffe, matches, now and the extension flags"}};
  return kFlags;
}

// Compiles a loaded set (with its revoked uids), or reports why not to
// `err` and returns null.
std::unique_ptr<const Engine> CompileOrReport(LoadedSet set, const DecideOptions& options, std::ostream& err);

int RunCheck(const Args& args, std::ostream& out, std::ostream& err);
int RunAuthorize(const Args& args, std::ostream& out, std::ostream& err);
int RunConformance(const Args& args, std::ostream& out, std::ostream& err);
int RunCompile(const Args& args, std::ostream& out, std::ostream& err);
int RunBench(const Args& args, std::ostream& out, std::ostream& err);
int RunFmt(const Args& args, std::ostream& out, std::ostream& err);
int RunTest(const Args& args, std::ostream& out, std::ostream& err);
int RunLint(const Args& args, std::ostream& out, std::ostream& err);
int RunSchema(const Args& args, std::ostream& out, std::ostream& err);
int RunServe(const Args& args, std::ostream& out, std::ostream& err);
int RunValidate(const Args& args, std::ostream& out, std::ostream& err);
// `writ bundle SUBCOMMAND ...`: `args.positional` holds the words after
// `bundle`, unparsed (main passes them as they are).
int RunBundle(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace writ::cli

#endif  // WRIT_TOOLS_WRIT_CLI_H_
