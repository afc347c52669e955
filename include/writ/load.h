// writ/load.h — loading: one way from named inputs to a policy set, an
// entity store, an optional schema and a revocation list, used by the `writ`
// CLI, `writ serve`, `writ test` and the C ABI alike.
//
// The loader works on named in-memory sources (a kind, a name for issues,
// the bytes); files and folders are thin adapters that turn paths into
// sources. Every mistake is an Issue located at name:line:col; a load either
// gives the whole set or fails (never a partial set), and never throws.
//
// Example:
//   std::vector<writ::Source> sources = {
//       {writ::SourceKind::kSchema, "nhi.cedarschema", schema_text},
//       {writ::SourceKind::kPolicies, "app.cedar", policy_text},
//       {writ::SourceKind::kEntities, "entities.json", entities_json}};
//   std::vector<writ::Issue> issues;
//   absl::StatusOr<writ::LoadedSet> set = writ::Load(sources, {}, &issues);
//   if (!set.ok()) { std::cerr << writ::RenderIssues(issues); return; }
//   absl::StatusOr<std::unique_ptr<const writ::Engine>> engine = writ::CompileLoaded(*std::move(set));
#ifndef WRIT_LOAD_H_
#define WRIT_LOAD_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/entities.h"
#include "writ/issue.h"
#include "writ/json.h"
#include "writ/policy_set.h"
#include "writ/request.h"
#include "writ/revocation.h"
#include "writ/schema.h"

namespace writ {

// What a source holds. (Bundles will be a kind too.)
enum class SourceKind : std::uint8_t {
  kPolicies,        // Cedar policy text
  kEntities,        // Cedar entity JSON (an array); several documents merge into one store
  kSchema,          // a Cedar schema in either form (writ/schema.h); at most one
  kRevocations,     // revoked uids, one Type::"id" per line (writ/revocation.h)
  kTemplateLinks,   // links of templates, the Cedar CLI's --template-linked file (AddTemplateLinks)
};

// "policies", "entities", "schema", "revocations", "template links".
std::string_view SourceKindName(SourceKind kind);
// The bound on one source of `kind` (writ/limits.h): kMaxPolicyTextBytes,
// kMaxJsonBytes, kMaxSchemaBytes, kMaxPolicyTextBytes, kMaxJsonBytes.
std::size_t MaxSourceBytes(SourceKind kind);

struct Source {
  SourceKind kind = SourceKind::kPolicies;
  std::string name;    // names the source in issues: a path, "policies", ...
  std::string bytes;
};

struct LoadOptions {
  // Pure Cedar: writ's extensions are rejected in policies
  // (ParseOptions::strict), in JSON (JsonOptions::strict) and in the schema
  // (SchemaOptions::strict).
  bool strict = false;
  // How entity JSON is read. Its `strict` is taken from above. Its
  // `schema` (not owned; must outlive the load) is for sources that carry
  // none: when set, the entities are read through it and its actions join
  // the store, but it is not put in the set (LoadedSet::schema stays empty).
  // A schema source together with a schema here is an error (as two schema
  // sources are): give the schema one way.
  JsonOptions json;
};

// A loaded set, not yet compiled.
struct LoadedSet {
  PolicySet policies;        // every policy source, in order: ids policy0, policy1, ... across them;
                             // then the template links, in order
  Entities entities;         // every entity document, merged (with the schema's actions)
  std::optional<Schema> schema;
  std::vector<EntityUid> revoked;   // the revocation sources' uids, in order
  std::vector<Issue> warnings;      // what loaded with a warning

  // The options to read requests (and further entities) with: `base` with
  // the set's schema (valid while this set lives and is not moved) when it
  // has one; otherwise `base` as given, its own schema (the caller's, as
  // given to Load in LoadOptions::json) included.
  JsonOptions JsonOptionsFor(JsonOptions base) const;
};

// Reads every source: policies in the order given (the template links after
// every policy source, so that a link may name any template), entity documents read
// through the schema (when there is one) and merged into one store — a uid
// defined in two documents is an error located at its second definition —,
// the schema first of all, the revocation lists. Every mistake (and
// warning) is appended to `issues` (which may be null), located at the
// source's name; on any error InvalidArgument (or ResourceExhausted past a
// bound) and nothing else. More than one schema source is an error, and so
// is a schema source when LoadOptions::json.schema is set.
absl::StatusOr<LoadedSet> Load(absl::Span<const Source> sources, const LoadOptions& options,
                               std::vector<Issue>* issues);

// Links templates of `policies` as the Cedar CLI's `--template-linked FILE`
// does: `json` is an array of links,
//   [{"template_id": "policy0", "link_id": "grant-17",
//     "args": {"?principal": "Workload::\"ci\"", "?resource": "Bucket::\"logs\""}}]
// each arg an entity uid written as in a policy; empty text holds no links.
// Each link is made with PolicySet::Link, in order. Every mistake (a field
// missing, unknown or of the wrong type, a slot name other than ?principal
// and ?resource, a value that is not an entity uid, and Link's refusals: no
// such template, a missing or extra slot, an id taken) is an issue located
// at the offending part of its link; the links that are right are still
// made. InvalidArgument when any was wrong.
absl::Status AddTemplateLinks(std::string_view json, std::string_view source_name, PolicySet* policies,
                              std::vector<Issue>* issues);

// Compiles a loaded set (its entities are moved into the engine). The
// revocation list in `options` is used as given (the set's `revoked` uids
// are not added to it: the caller owns that list); when it is null and the
// set has revoked uids, a new list holding them is used. The error says
// "the policies do not compile: ...".
absl::StatusOr<std::unique_ptr<Engine>> CompileLoaded(LoadedSet set, const DecideOptions& options = {});

// ---- Files and folders: thin adapters over the sources ----

// Files listed from one folder, at most.
inline constexpr std::size_t kMaxFolderFiles = 10'000;

// The one folder walker. For a folder: the regular files under it,
// recursively, whose names end in `suffix` (and are longer than it), sorted
// by path; folders whose names start with `.` are skipped (`.git`, and the
// `..data` copies of a Kubernetes ConfigMap volume). Anything else (a file,
// or a path that does not exist) is returned as it is, for reading to
// report. An error when a folder cannot be listed, or holds more than
// kMaxFolderFiles matching files (ResourceExhausted); the message starts
// with the path.
absl::StatusOr<std::vector<std::string>> ListFiles(const std::string& path, std::string_view suffix);

// The file at `path` as a source of `kind` named by the path, bounded by
// MaxSourceBytes(kind). The error message starts with the path
// ("p.cedar: cannot open file").
absl::StatusOr<Source> ReadSourceFile(SourceKind kind, const std::string& path);

// Input files by role.
struct FileSet {
  std::vector<std::string> policies;   // files or folders (their *.cedar files)
  std::vector<std::string> entities;   // entity JSON files, merged
  std::string schema;                  // "" for none
  std::string revoked;                 // "" for none
  std::string template_links;          // "" for none: the Cedar CLI's --template-linked file
};

// Reads every file of `files` into `sources` (folders walked with
// ListFiles), in role order: schema, policies, entities, revocations,
// template links. A file
// that cannot be read is an error issue ("error: PATH: why", unlocated) and
// the others are still read; false when any was.
bool ReadFileSet(const FileSet& files, std::vector<Source>* sources, std::vector<Issue>* issues);
// ReadFileSet, then Load: every problem of every file in `issues`.
absl::StatusOr<LoadedSet> LoadFiles(const FileSet& files, const LoadOptions& options, std::vector<Issue>* issues);

// ---- Requests ----

// Reads one request (RequestFromJson) with `options`. When a schema is set
// and rejects a request that reads without it, `*nonconforming` (which may
// be null) is set: such a request is to be denied with the reason
// (NonconformingDecision), not treated as malformed input. Otherwise as
// RequestFromJson.
absl::StatusOr<Request> ReadRequest(std::string_view json, std::string_view source_name,
                                    std::vector<Issue>* issues, const JsonOptions& options,
                                    bool* nonconforming = nullptr);

// "name:line:col: message" of the first error issue (the status's message
// when there is none).
std::string FirstErrorText(absl::Span<const Issue> issues, const absl::Status& status);
// A deny decision whose one error (policy "") is `why`: what a request that
// cannot be decided gets.
Decision DenyWithError(std::string why);

// One line of a JSON-lines request file.
struct RequestLine {
  std::size_t number = 0;           // 1-based
  bool blank = false;               // only spaces and tabs: no request, no issue
  std::optional<Request> request;   // the request, when the line read
  // Otherwise why not: file = the source name, line = number, column in the
  // line (0 when the mistake has no column). A request the schema rejects
  // is such a line too.
  Issue issue;
};
// "NAME:LINE:COLUMN: message" of a line that did not read (without the
// column when the mistake has none): the error `writ authorize --requests`
// denies the line with.
std::string RequestLineError(const RequestLine& line);

// Reads `in` one request per line (a trailing '\r' is dropped), calling
// `each` for every line in order, blank ones included, until it returns
// false. A line longer than kMaxJsonBytes, or that does not read, is an
// issue for that line only. Fails only when the stream itself does.
absl::Status ReadRequestLines(std::istream& in, std::string_view source_name, const JsonOptions& options,
                              const std::function<bool(RequestLine)>& each);
// The same for the file at `path` (named by it); an error ("PATH: cannot
// open file") when it cannot be opened.
absl::Status ReadRequestLinesFile(const std::string& path, const JsonOptions& options,
                                  const std::function<bool(RequestLine)>& each);

}  // namespace writ

#endif  // WRIT_LOAD_H_
