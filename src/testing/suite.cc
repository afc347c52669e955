// Testing: reading test suites — YAML (yaml-cpp, confined to this file) into
// TestSuite, with every mistake located at file:line:col; the files a suite
// names are loaded by the one loader (writ/load.h), and suite files are
// found with its one folder walker.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "src/base/rfc3339.h"
#include "src/base/source.h"
#include "src/base/strings.h"
#include "src/base/file.h"
#include "src/base/suggest.h"
#include "src/base/utf8.h"
#include "src/ext/extensions.h"
#include "src/parse/parser.h"
#include "writ/json.h"
#include "writ/limits.h"
#include "writ/load.h"
#include "writ/revocation.h"
#include "writ/testing.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/yaml.h"

namespace writ {
namespace {

namespace fs = std::filesystem;
using internal::Av;

constexpr std::string_view kSuffix = ".test.yaml";
constexpr std::size_t kMaxQuotedLine = 400;
constexpr std::string_view kEntityRefHint = "write an entity as Type::\"id\", e.g. Workload::\"api\"";

// Counts a YAML text's documents (their start marks), at most `max`, with
// yaml-cpp's event parser, building nothing. YAML::LoadAll cannot be used:
// on some inputs (a `,` at the top level) yaml-cpp 0.7 reports an empty
// document forever and LoadAll collects them until memory runs out.
class DocumentCounter : public YAML::EventHandler {
 public:
  static std::vector<YAML::Mark> Starts(const std::string& text, std::size_t max) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentCounter counter;
    while (counter.starts_.size() < max && parser.HandleNextDocument(counter)) {
    }
    return counter.starts_;
  }

  void OnDocumentStart(const YAML::Mark& mark) override { starts_.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  std::vector<YAML::Mark> starts_;
};

Issue Unlocated(std::string file, std::string message) {
  Issue issue;
  issue.file = std::move(file);
  issue.message = std::move(message);
  return issue;
}


std::string Join(const std::vector<std::string_view>& items) {
  std::string out;
  for (std::string_view item : items) absl::StrAppend(&out, out.empty() ? "" : ", ", Av(item));
  return out;
}

bool IsYamlNull(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

bool IsDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = base == 8    ? (c >= '0' && c <= '7')
                    : base == 10 ? (c >= '0' && c <= '9')
                                 : std::isxdigit(static_cast<unsigned char>(c)) != 0;
    if (!ok) return false;
  }
  return true;
}

// YAML 1.2 core schema floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?,
// [-+]?.inf and .nan in their three spellings.
bool IsYamlFloat(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s == ".inf" || s == ".Inf" || s == ".INF") return true;
  std::size_t i = 0, digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  bool dot = false;
  if (i < s.size() && s[i] == '.') {
    dot = true;
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  bool exponent = false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    exponent = true;
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!IsDigits(s.substr(i), 10)) return false;
    i = s.size();
  }
  return i == s.size() && (dot || exponent);
}

// Reads one suite. All yaml-cpp use is here.
class SuiteReader {
 public:
  SuiteReader(std::string_view text, TestSuite* suite)
      : text_(text), source_(suite->file, text_), suite_(suite),
        base_(fs::path(suite->file).parent_path()) {}

  void Read() {
    if (text_.size() > kMaxTestSuiteBytes) {
      suite_->issues.push_back(Unlocated(suite_->file, absl::StrCat("a suite holds at most ", kMaxTestSuiteBytes,
                                                                    " bytes; this one has ", text_.size())));
      return;
    }
    if (std::optional<std::size_t> bad = internal::FindInvalidUtf8(text_)) {
      const auto at = static_cast<std::uint32_t>(*bad);
      suite_->issues.push_back(source_.MakeIssue({at, at + 1}, "invalid UTF-8"));
      return;
    }
    YAML::Node doc;
    std::vector<YAML::Mark> starts;
    try {
      const std::string text(text_);
      doc = YAML::Load(text);   // the first document
      starts = DocumentCounter::Starts(text, 2);
    } catch (const YAML::DeepRecursion& e) {
      ErrorAt(e.mark, 1, absl::StrCat("invalid YAML: nested more than ", e.depth(), " deep"));
      return;
    } catch (const YAML::Exception& e) {
      ErrorAt(e.mark, 1, absl::StrCat("invalid YAML: ", e.msg));
      return;
    } catch (const std::exception& e) {
      suite_->issues.push_back(Unlocated(suite_->file, absl::StrCat("cannot read the suite: ", e.what())));
      return;
    }
    if (starts.size() > 1) {
      ErrorAt(starts[1], 1, "a suite file holds one YAML document; this is a second one",
              "put each suite in its own *.test.yaml file");
      return;
    }
    if (doc.IsNull()) {
      suite_->issues.push_back(Unlocated(suite_->file, "the suite is empty; it needs at least `policies` and `cases`"));
      return;
    }
    try {
      ReadSuite(doc);
    } catch (const std::exception& e) {
      // yaml-cpp throws only on misuse (e.g. an invalid node); report rather than crash.
      suite_->issues.push_back(Unlocated(suite_->file, absl::StrCat("cannot read the suite: ", e.what())));
      suite_->loaded = false;
      suite_->cases.clear();
    }
  }

 private:
  struct Field {
    YAML::Node key;
    YAML::Node value;
  };
  using Fields = std::map<std::string, Field, std::less<>>;

  // ---- issues ----

  void Push(Issue issue) {
    if (stopped_) return;
    const bool error = issue.severity == Severity::kError;
    suite_->issues.push_back(std::move(issue));
    if (error && ++errors_ >= kMaxTestSuiteErrors) {
      suite_->issues.push_back(Unlocated(suite_->file, absl::StrCat("more than ", kMaxTestSuiteErrors,
                                                                    " errors; the rest of the suite is not read")));
      stopped_ = true;
    }
  }

  // The byte offset of a yaml-cpp mark (0-based line and byte column).
  std::uint32_t Offset(const YAML::Mark& mark) const {
    if (mark.line < 0 || mark.column < 0) return 0;
    const std::string_view line = source_.LineText(static_cast<std::uint32_t>(mark.line) + 1);
    if (line.data() == nullptr) return static_cast<std::uint32_t>(text_.size());
    const std::size_t start = static_cast<std::size_t>(line.data() - text_.data());
    return static_cast<std::uint32_t>(std::min(start + static_cast<std::size_t>(mark.column), text_.size()));
  }

  void ErrorAt(const YAML::Mark& mark, std::uint32_t length, std::string message, std::string hint = {},
               Severity severity = Severity::kError) {
    const std::uint32_t at = Offset(mark);
    Issue issue = source_.MakeIssue({at, at + length}, std::move(message), severity, std::move(hint));
    // A line too long to read is not quoted under the message.
    if (issue.source_line.size() > kMaxQuotedLine) issue.source_line.clear();
    Push(std::move(issue));
  }

  // How many bytes the node takes on its first line: a scalar's text
  // (quotes included), else 1.
  std::uint32_t Length(const YAML::Node& n) const {
    if (!n.IsScalar()) return 1;
    const std::uint32_t at = Offset(n.Mark());
    const std::string_view rest = text_.substr(at);
    const std::string& s = n.Scalar();
    if (absl::StartsWith(Av(rest), s) && !s.empty()) return static_cast<std::uint32_t>(s.size());
    if (!rest.empty() && (rest[0] == '"' || rest[0] == '\'')) {
      for (std::size_t i = 1; i < rest.size() && rest[i] != '\n'; ++i) {
        if (rest[0] == '"' && rest[i] == '\\') {
          ++i;
        } else if (rest[i] == rest[0]) {
          return static_cast<std::uint32_t>(i + 1);
        }
      }
    }
    return 1;
  }

  void Error(const YAML::Node& n, std::string message, std::string hint = {}) {
    ErrorAt(n.Mark(), Length(n), std::move(message), std::move(hint));
  }

  // ---- generic readers ----

  // Counts a node read; false (and one error) past kMaxTestSuiteNodes.
  bool Visit(const YAML::Node& n) {
    if (++nodes_ <= kMaxTestSuiteNodes) return true;
    if (nodes_ == kMaxTestSuiteNodes + 1) {
      Error(n, absl::StrCat("the suite has more than ", kMaxTestSuiteNodes,
                            " YAML nodes (aliases counted each time they are used)"));
      stopped_ = true;
    }
    return false;
  }

  // The fields of a map, each key one of `known`. Unknown and repeated keys
  // are errors (and left out); nullopt when `n` is not a map.
  std::optional<Fields> ReadFields(const YAML::Node& n, std::string_view what,
                                   const std::vector<std::string_view>& known) {
    if (!n.IsMap()) {
      Error(n, absl::StrCat(Av(what), " must be a map of fields (", Join(known), ")"));
      return std::nullopt;
    }
    Fields fields;
    for (auto it = n.begin(); it != n.end() && !stopped_; ++it) {
      if (!Visit(it->first)) return std::nullopt;
      const YAML::Node key = it->first;   // a copy: `it->` is a temporary proxy
      if (!key.IsScalar()) {
        Error(key, absl::StrCat("a field name in ", Av(what), " must be a plain word"));
        continue;
      }
      const std::string& name = key.Scalar();
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string hint = internal::Suggest(name, known);
        absl::StrAppend(&hint, hint.empty() ? "" : " ", "the fields of ", Av(what), " are: ", Join(known));
        Error(key, absl::StrCat("unknown field `", name, "` in ", Av(what)), std::move(hint));
        continue;
      }
      if (fields.count(name) > 0) {
        Error(key, absl::StrCat("field `", name, "` is given twice in ", Av(what)));
        continue;
      }
      fields.emplace(name, Field{key, it->second});
    }
    return fields;
  }

  static const Field* Find(const Fields& fields, std::string_view name) {
    auto it = fields.find(name);
    return it == fields.end() ? nullptr : &it->second;
  }

  // A field's value must be present (not YAML null); an error otherwise.
  bool HasValue(const Field& f) {
    if (f.value.IsNull() || !f.value.IsDefined()) {
      Error(f.key, absl::StrCat("field `", f.key.Scalar(), "` has no value"));
      return false;
    }
    return true;
  }

  // A string-valued scalar (any scalar: quoted or plain, read as text).
  std::optional<std::string> Text(const Field& f, std::string_view what) {
    if (!HasValue(f)) return std::nullopt;
    if (!Visit(f.value)) return std::nullopt;
    if (!f.value.IsScalar()) {
      Error(f.value, absl::StrCat("`", f.key.Scalar(), "` must be ", Av(what)));
      return std::nullopt;
    }
    return f.value.Scalar();
  }

  // A scalar or a list of scalars, as text; each with its node.
  std::optional<std::vector<std::pair<std::string, YAML::Node>>> TextList(const Field& f, std::string_view what,
                                                                         bool allow_empty) {
    if (!HasValue(f)) return std::nullopt;
    std::vector<std::pair<std::string, YAML::Node>> out;
    if (f.value.IsScalar()) {
      if (!Visit(f.value)) return std::nullopt;
      out.emplace_back(f.value.Scalar(), f.value);
      return out;
    }
    if (!f.value.IsSequence()) {
      Error(f.value, absl::StrCat("`", f.key.Scalar(), "` must be ", Av(what), " or a list of them"));
      return std::nullopt;
    }
    bool ok = true;
    for (auto it = f.value.begin(); it != f.value.end() && !stopped_; ++it) {
      const YAML::Node& item = *it;
      if (!Visit(item)) return std::nullopt;
      if (!item.IsScalar()) {
        Error(item, absl::StrCat("each item of `", f.key.Scalar(), "` must be ", Av(what)));
        ok = false;
        continue;
      }
      out.emplace_back(item.Scalar(), item);
    }
    if (!ok || stopped_) return std::nullopt;
    if (out.empty() && !allow_empty) {
      Error(f.value, absl::StrCat("`", f.key.Scalar(), "` is an empty list"));
      return std::nullopt;
    }
    return out;
  }

  std::optional<bool> Bool(const Field& f) {
    std::optional<std::string> s = Text(f, "true or false");
    if (!s) return std::nullopt;
    if (*s == "true" || *s == "True" || *s == "TRUE") return true;
    if (*s == "false" || *s == "False" || *s == "FALSE") return false;
    Error(f.value, absl::StrCat("`", f.key.Scalar(), "` must be true or false, not `", *s, "`"));
    return std::nullopt;
  }

  std::optional<absl::Time> Time(const Field& f) {
    std::optional<std::string> s = Text(f, "an RFC 3339 time");
    if (!s) return std::nullopt;
    std::variant<absl::Time, std::string> t = internal::ParseRfc3339(*s);
    if (const std::string* why = std::get_if<std::string>(&t)) {
      Error(f.value, absl::StrCat("`", *s, "` is not an RFC 3339 time: ", *why),
            "write a time with its zone, e.g. \"2026-11-22T12:00:00Z\"");
      return std::nullopt;
    }
    return std::get<absl::Time>(t);
  }

  std::optional<std::string> Name(const Field& f) {
    std::optional<std::string> s = Text(f, "a name");
    if (!s) return std::nullopt;
    if (s->find_first_of("\n\r") != std::string::npos || s->empty()) {
      Error(f.value, "a name is one non-empty line");
      return std::nullopt;
    }
    return s;
  }

  std::optional<EntityUid> Uid(const std::string& text, const YAML::Node& n) {
    if (std::optional<EntityUid> uid = internal::ParseEntityUid(text)) return uid;
    Error(n, absl::StrCat("`", text, "` is not an entity reference"), std::string(kEntityRefHint));
    return std::nullopt;
  }

  // A path relative to the suite's folder, as shown in issues.
  std::string Resolve(const std::string& name) const {
    const fs::path p(name);
    return (p.is_absolute() || base_.empty() ? p : base_ / p).lexically_normal().string();
  }

  // ---- the suite ----

  void ReadSuite(const YAML::Node& root) {
    const std::size_t errors_before = errors_;
    std::optional<Fields> fields =
        ReadFields(root, "a suite",
                   {"name", "schema", "policies", "template_links", "entities", "now", "revoked", "fail_closed",
                    "cases"});
    if (!fields) return;
    if (const Field* f = Find(*fields, "name")) {
      if (std::optional<std::string> name = Name(*f)) suite_->name = *name;
    }
    // The files of the suite's own fields, loaded together by the one
    // loader (writ/load.h): the schema first, which the entities (and the
    // cases' requests) are read through.
    std::vector<Pending> sources;
    if (const Field* f = Find(*fields, "schema")) {
      if (std::optional<std::string> name = Text(*f, "a schema file (.cedarschema or JSON)")) {
        ReadSource(SourceKind::kSchema, Resolve(*name), f->value, "schema file", &sources);
      }
    }
    if (const Field* f = Find(*fields, "policies")) {
      PolicySources(*f, &sources);
    } else {
      Error(root, "the suite has no `policies`", "name the policy files or folders: policies: [app.cedar]");
    }
    if (const Field* f = Find(*fields, "template_links")) {
      if (std::optional<std::string> name = Text(*f, "a template links file (the Cedar CLI's --template-linked JSON)")) {
        ReadSource(SourceKind::kTemplateLinks, Resolve(*name), f->value, "template links file", &sources);
      }
    }
    if (const Field* f = Find(*fields, "entities")) EntitySources(*f, &sources);
    if (const Field* f = Find(*fields, "now")) suite_->now = Time(*f);
    if (const Field* f = Find(*fields, "revoked")) LoadRevoked(*f, &sources);
    if (std::optional<LoadedSet> set = LoadSources(sources, nullptr)) {
      suite_->policies = std::move(set->policies);
      suite_->entities = std::move(set->entities);
      suite_->schema = std::move(set->schema);
      if (!set->revoked.empty() || HasRevocationFile(sources)) {
        auto list = std::make_shared<RevocationList>();
        for (const EntityUid& uid : set->revoked) {
          if (absl::Status s = list->Revoke(uid); !s.ok()) Error(root, std::string(s.message()));
        }
        suite_->options.revoked = std::move(list);
      }
    }
    if (const Field* f = Find(*fields, "fail_closed")) {
      if (std::optional<bool> b = Bool(*f)) suite_->options.fail_closed = *b;
    }
    suite_->loaded = errors_ == errors_before && !stopped_;
    if (suite_->loaded) {
      for (const PolicyInfo& p : suite_->policies.policies()) policy_ids_.insert(p.id);
    }
    const Field* cases = Find(*fields, "cases");
    if (cases == nullptr) {
      Error(root, "the suite has no `cases`");
      return;
    }
    if (!HasValue(*cases)) return;
    if (!cases->value.IsSequence()) {
      Error(cases->value, "`cases` must be a list of cases");
      return;
    }
    if (cases->value.size() == 0) {
      Error(cases->value, "`cases` is empty");
      return;
    }
    std::size_t index = 0;
    for (auto it = cases->value.begin(); it != cases->value.end() && !stopped_; ++it) {
      ReadCase(*it, ++index);
    }
    if (!suite_->loaded) suite_->cases.clear();
  }

  // A file the suite names, read as a source of the loader; `node` is where
  // a problem with it is reported.
  struct Pending {
    Source source;
    YAML::Node node;
    std::string what;   // "policy file", "entity file", ...
  };

  void ReadSource(SourceKind kind, const std::string& path, const YAML::Node& node, std::string_view what,
                  std::vector<Pending>* out) {
    absl::StatusOr<Source> source = ReadSourceFile(kind, path);
    if (!source.ok()) {
      // The message starts with the path; say it the suite's way.
      std::string why(source.status().message());
      if (absl::StartsWith(why, path + ": ")) why.erase(0, path.size() + 2);
      Error(node, absl::StrCat("cannot read ", Av(what), " `", path, "`: ", why),
            "paths are relative to the suite's folder");
      return;
    }
    out->push_back({*std::move(source), node, std::string(what)});
  }

  // The policy files or folders of `policies`, walked with the loader's one
  // walker.
  void PolicySources(const Field& f, std::vector<Pending>* out) {
    std::optional<std::vector<std::pair<std::string, YAML::Node>>> names =
        TextList(f, "a policy file or folder", /*allow_empty=*/false);
    if (!names) return;
    for (const auto& [name, node] : *names) {
      const std::string path = Resolve(name);
      std::error_code ec;
      if (!fs::exists(path, ec)) {
        Error(node, absl::StrCat("policy file `", path, "` does not exist"),
              "paths are relative to the suite's folder");
        continue;
      }
      absl::StatusOr<std::vector<std::string>> files = ListFiles(path, ".cedar");
      if (!files.ok()) {
        Error(node, absl::StrCat("cannot read folder `", path, "`: ", files.status().message()));
        continue;
      }
      if (files->empty()) {
        Error(node, absl::StrCat("folder `", path, "` has no *.cedar files"));
        continue;
      }
      for (const std::string& file : *files) ReadSource(SourceKind::kPolicies, file, node, "policy file", out);
    }
  }

  // The entity files of an `entities` field; false when one is named wrongly.
  bool EntitySources(const Field& f, std::vector<Pending>* out) {
    std::optional<std::vector<std::pair<std::string, YAML::Node>>> names =
        TextList(f, "an entity file (Cedar entity JSON)", /*allow_empty=*/false);
    if (!names) return false;
    const std::size_t errors_before = errors_;
    for (const auto& [name, node] : *names) ReadSource(SourceKind::kEntities, Resolve(name), node, "entity file", out);
    return errors_ == errors_before;
  }

  static bool HasRevocationFile(const std::vector<Pending>& sources) {
    for (const Pending& p : sources) {
      if (p.source.kind == SourceKind::kRevocations) return true;
    }
    return false;
  }

  // Loads `sources` with the one loader (`schema`, when given, directs the
  // entities' reading if no schema is among the sources). Each source with
  // errors is reported at the suite field that named it, its own issues
  // after; nullopt on any error.
  std::optional<LoadedSet> LoadSources(const std::vector<Pending>& pending, const Schema* schema) {
    std::vector<Source> sources;
    sources.reserve(pending.size());
    for (const Pending& p : pending) sources.push_back(p.source);
    LoadOptions options;
    options.json.schema = schema;
    std::vector<Issue> issues;
    absl::StatusOr<LoadedSet> set = Load(sources, options, &issues);
    std::vector<bool> reported(issues.size(), false);
    absl::flat_hash_set<std::string> seen;
    for (const Pending& p : pending) {
      if (!seen.insert(p.source.name).second) continue;
      bool failed = false;
      for (const Issue& i : issues) failed = failed || (i.file == p.source.name && i.severity == Severity::kError);
      if (failed) {
        const std::string_view kind = SourceKindName(p.source.kind);
        Error(p.node, p.source.kind == SourceKind::kRevocations
                          ? absl::StrCat("revocation file `", p.source.name, "` does not load (errors below)")
                          : absl::StrCat("the ", Av(kind), " in `", p.source.name, "` do not load (errors below)"));
      }
      for (std::size_t k = 0; k < issues.size(); ++k) {
        if (!reported[k] && issues[k].file == p.source.name) {
          Push(issues[k]);
          reported[k] = true;
        }
      }
    }
    for (std::size_t k = 0; k < issues.size(); ++k) {
      if (!reported[k]) Push(issues[k]);
    }
    if (!set.ok()) return std::nullopt;
    return *std::move(set);
  }

  // Entity files, merged into one store; null on any error.
  std::optional<Entities> LoadEntities(const Field& f) {
    std::vector<Pending> sources;
    if (!EntitySources(f, &sources)) return std::nullopt;
    std::optional<LoadedSet> set = LoadSources(sources, suite_->schema ? &*suite_->schema : nullptr);
    if (!set) return std::nullopt;
    return std::move(set->entities);
  }

  void LoadRevoked(const Field& f, std::vector<Pending>* sources) {
    if (!HasValue(f)) return;
    auto list = std::make_shared<RevocationList>();
    if (f.value.IsScalar()) {
      if (!Visit(f.value)) return;
      const std::string path = Resolve(f.value.Scalar());
      absl::StatusOr<Source> source = ReadSourceFile(SourceKind::kRevocations, path);
      if (!source.ok()) {
        std::string why(source.status().message());
        if (absl::StartsWith(why, path + ": ")) why.erase(0, path.size() + 2);
        Error(f.value, absl::StrCat("cannot read revocation file `", path, "`: ", why),
              "`revoked` is a list of Type::\"id\", or a file of them relative to the suite's folder");
        return;
      }
      sources->push_back({*std::move(source), f.value, "revocation file"});
      return;
    }
    std::optional<std::vector<std::pair<std::string, YAML::Node>>> uids =
        TextList(f, "an entity Type::\"id\"", /*allow_empty=*/true);
    if (!uids) return;
    bool ok = true;
    for (const auto& [text, node] : *uids) {
      std::optional<EntityUid> uid = Uid(text, node);
      if (!uid) {
        ok = false;
      } else if (absl::Status s = list->Revoke(*uid); !s.ok()) {
        Error(node, std::string(s.message()));
        ok = false;
      }
    }
    if (ok) suite_->options.revoked = std::move(list);
  }

  // ---- cases ----

  // The entity (or entities, for a list) of `principal`, `action` or
  // `resource`; `listed` tells whether a list was written.
  std::optional<std::vector<EntityUid>> Uids(const Field& f, bool* listed) {
    *listed = f.value.IsSequence();
    std::optional<std::vector<std::pair<std::string, YAML::Node>>> items =
        TextList(f, "an entity Type::\"id\"", /*allow_empty=*/false);
    if (!items) return std::nullopt;
    std::vector<EntityUid> out;
    bool ok = true;
    for (const auto& [text, node] : *items) {
      if (std::optional<EntityUid> uid = Uid(text, node)) {
        out.push_back(*std::move(uid));
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return out;
  }

  std::optional<std::vector<std::string>> PolicyIds(const Field& f) {
    std::optional<std::vector<std::pair<std::string, YAML::Node>>> items =
        TextList(f, "a policy id", /*allow_empty=*/true);
    if (!items) return std::nullopt;
    std::vector<std::string> out;
    bool ok = true;
    for (const auto& [id, node] : *items) {
      if (suite_->loaded && policy_ids_.count(id) == 0) {
        Error(node, absl::StrCat("no policy `", id, "` in this suite's policies"),
              policy_ids_.empty() ? std::string("the suite has no policies")
                                  : absl::StrCat("ids are policy0 to policy", policy_ids_.size() - 1,
                                                 ", in file order"));
        ok = false;
      }
      out.push_back(id);
    }
    if (!ok) return std::nullopt;
    return out;
  }

  // The case's own entities, shared by its expansions; files already read
  // for an earlier case are read once.
  std::optional<std::shared_ptr<const Entities>> CaseEntities(const Field& f) {
    std::string key;
    if (f.value.IsScalar()) {
      key = Resolve(f.value.Scalar());
    } else if (f.value.IsSequence()) {
      for (auto it = f.value.begin(); it != f.value.end(); ++it) {
        absl::StrAppend(&key, it->IsScalar() ? Resolve(it->Scalar()) : std::string("\n?"), "\n");
      }
    }
    if (auto it = case_entities_.find(key); it != case_entities_.end() && !key.empty()) return it->second;
    std::optional<Entities> e = LoadEntities(f);
    if (!e) return std::nullopt;
    auto shared = std::make_shared<const Entities>(*std::move(e));
    case_entities_.emplace(key, shared);
    return shared;
  }

  void ReadCase(const YAML::Node& n, std::size_t index) {
    if (!Visit(n)) return;
    const std::string what = absl::StrCat("case ", index);
    const std::size_t errors_before = errors_;
    std::optional<Fields> fields =
        ReadFields(n, what, {"name", "principal", "action", "resource", "chain", "context", "expect", "reasons",
                             "errors", "breakglass", "revoked", "denied_by", "now", "entities"});
    if (!fields) return;
    std::string name = what;
    if (const Field* f = Find(*fields, "name")) {
      if (std::optional<std::string> s = Name(*f)) name = *s;
    }
    std::vector<EntityUid> dims[3];
    bool listed[3] = {false, false, false};
    static constexpr std::string_view kDims[3] = {"principal", "action", "resource"};
    for (int d = 0; d < 3; ++d) {
      const Field* f = Find(*fields, kDims[d]);
      if (f == nullptr) {
        Error(n, absl::StrCat(Av(what), " (", name, ") has no `", Av(kDims[d]), "`"), std::string(kEntityRefHint));
        continue;
      }
      if (std::optional<std::vector<EntityUid>> uids = Uids(*f, &listed[d])) dims[d] = *std::move(uids);
    }
    Value context = Value::MakeRecord(Value::Record{});
    if (const Field* f = Find(*fields, "context")) {
      if (HasValue(*f)) {
        if (!f->value.IsMap()) {
          Error(f->value, "`context` must be a map of attributes, e.g. {environment: prod}");
        } else if (std::optional<Value> v = ToValue(f->value, 1)) {
          context = *std::move(v);
          if (!context.is(Value::Kind::kRecord)) {
            Error(f->value, "`context` must be a record, not an entity or extension value");
          }
        }
      }
    }
    std::vector<EntityUid> chain;
    if (const Field* f = Find(*fields, "chain")) ReadChain(*f, context, &chain);
    TestExpectation expect;
    if (const Field* f = Find(*fields, "expect")) {
      if (std::optional<std::string> s = Text(*f, "allow or deny")) {
        if (*s == "allow" || *s == "deny") {
          expect.allow = *s == "allow";
        } else {
          Error(f->value, absl::StrCat("`expect` must be allow or deny, not `", *s, "`"));
        }
      }
    } else {
      Error(n, absl::StrCat(Av(what), name == what ? "" : absl::StrCat(" (", name, ")"), " has no `expect`"),
            "write expect: allow, or expect: deny");
    }
    if (const Field* f = Find(*fields, "reasons")) expect.reasons = PolicyIds(*f);
    if (const Field* f = Find(*fields, "errors")) expect.errors = PolicyIds(*f);
    if (const Field* f = Find(*fields, "breakglass")) expect.breakglass = PolicyIds(*f);
    if (const Field* f = Find(*fields, "revoked")) expect.revoked = Bool(*f);
    if (const Field* f = Find(*fields, "denied_by")) {
      if (std::optional<std::string> s = Text(*f, "an entity Type::\"id\", or none")) {
        if (*s == "none") {
          expect.denied_by.emplace();
        } else if (std::optional<EntityUid> uid = Uid(*s, f->value)) {
          expect.denied_by.emplace(*std::move(uid));
        }
      }
    }
    std::optional<absl::Time> now = suite_->now;
    if (const Field* f = Find(*fields, "now")) now = Time(*f);
    std::shared_ptr<const Entities> entities;
    if (const Field* f = Find(*fields, "entities")) {
      if (HasValue(*f)) {
        if (std::optional<std::shared_ptr<const Entities>> e = CaseEntities(*f)) entities = *std::move(e);
      }
    }
    if (errors_ != errors_before || stopped_) return;

    const std::size_t expansions = dims[0].size() * dims[1].size() * dims[2].size();
    if (expansions > kMaxTestCasesPerSuite - std::min(kMaxTestCasesPerSuite, suite_->cases.size())) {
      Error(n, absl::StrCat("the suite expands to more than ", kMaxTestCasesPerSuite, " cases"),
            "split it into several suites");
      stopped_ = true;
      return;
    }
    const YAML::Mark mark = n.Mark();
    for (const EntityUid& principal : dims[0]) {
      for (const EntityUid& action : dims[1]) {
        for (const EntityUid& resource : dims[2]) {
          TestCase c;
          c.name = name;
          const EntityUid* values[3] = {&principal, &action, &resource};
          std::vector<std::string> labels;
          for (int d = 0; d < 3; ++d) {
            if (listed[d]) labels.push_back(absl::StrCat(Av(kDims[d]), "=", values[d]->ToString()));
          }
          if (!labels.empty()) absl::StrAppend(&c.name, " [", absl::StrJoin(labels, ", "), "]");
          c.file = suite_->file;
          c.line = static_cast<std::uint32_t>(mark.line + 1);
          c.column = static_cast<std::uint32_t>(mark.column + 1);
          c.request.principal = principal;
          c.request.action = action;
          c.request.resource = resource;
          c.request.context = context;
          c.request.chain = chain;
          c.request.now = now;
          c.entities = entities;
          c.expect = expect;
          if (suite_->schema && !ReadThroughSchema(&c.request, n, c.name)) continue;
          suite_->cases.push_back(std::move(c));
        }
      }
    }
  }

  // A case's `chain`: the identities its principal acts for, nearest first
  // (a Type::"id" or a list of them), at most kMaxChainLength; a chain
  // leaves `chain_position` of the context to itself.
  void ReadChain(const Field& f, const Value& context, std::vector<EntityUid>* chain) {
    std::optional<std::vector<std::pair<std::string, YAML::Node>>> items =
        TextList(f, "an entity Type::\"id\"", /*allow_empty=*/true);
    if (!items) return;
    if (items->size() > kMaxChainLength) {
      Error(f.value, absl::StrCat("`chain` has ", items->size(), " identities; at most ", kMaxChainLength,
                                  " are allowed"));
      return;
    }
    for (const auto& [text, node] : *items) {
      if (std::optional<EntityUid> uid = Uid(text, node)) chain->push_back(*std::move(uid));
    }
    if (!chain->empty() && context.is(Value::Kind::kRecord) &&
        context.as_record().count("chain_position") != 0) {
      Error(f.value, "the case has a `chain`, and its context already has `chain_position`, which a chain "
                     "gives each identity's decision",
            "rename the context attribute");
    }
  }

  // `chain` as a member of a JSON request (with its comma), or nothing.
  static std::string ChainJson(const std::vector<EntityUid>& chain) {
    if (chain.empty()) return "";
    std::string out = ",\"chain\":[";
    for (std::size_t i = 0; i < chain.size(); ++i) {
      absl::StrAppend(&out, i == 0 ? "" : ",", ValueToJson(Value::Entity(chain[i])));
    }
    return out + "]";
  }

  // A case's request read through the suite's schema, as a JSON request is
  // (writ/json.h): context values typed by the action's context (a string
  // where the schema has an ipaddr becomes one), then checked as Cedar
  // validates requests. False (an error at the case) when it does not
  // conform.
  bool ReadThroughSchema(Request* request, const YAML::Node& n, const std::string& name) {
    const std::string json = absl::StrCat(
        "{\"principal\":", ValueToJson(Value::Entity(request->principal)),
        ",\"action\":", ValueToJson(Value::Entity(request->action)),
        ",\"resource\":", ValueToJson(Value::Entity(request->resource)),
        ",\"context\":", ValueToJson(request->context), ChainJson(request->chain), "}");
    JsonOptions options;
    options.schema = &*suite_->schema;
    std::vector<Issue> issues;
    absl::StatusOr<Request> read = RequestFromJson(json, suite_->file, &issues, options);
    if (!read.ok()) {
      std::string why;
      for (const Issue& i : issues) {
        if (i.severity == Severity::kError) absl::StrAppend(&why, why.empty() ? "" : "; ", i.message);
      }
      Error(n, absl::StrCat(name, ": the request does not conform to the schema: ",
                            why.empty() ? std::string(read.status().message()) : why));
      return false;
    }
    const std::optional<absl::Time> now = request->now;
    *request = *std::move(read);
    request->now = now;
    return true;
  }

  // ---- context values ----

  std::optional<Value> ToValue(const YAML::Node& n, int depth) {
    if (!Visit(n) || stopped_) return std::nullopt;
    if (depth > kMaxJsonDepth) {
      Error(n, absl::StrCat("values nest at most ", kMaxJsonDepth, " deep"));
      return std::nullopt;
    }
    switch (n.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        Error(n, "Cedar has no null value", "write \"\" for an empty string, or leave the attribute out");
        return std::nullopt;
      case YAML::NodeType::Scalar: return Scalar(n);
      case YAML::NodeType::Sequence: {
        std::vector<Value> elements;
        bool ok = true;
        for (auto it = n.begin(); it != n.end() && !stopped_; ++it) {
          if (std::optional<Value> v = ToValue(*it, depth + 1)) {
            elements.push_back(*std::move(v));
          } else {
            ok = false;
          }
        }
        if (!ok || stopped_) return std::nullopt;
        return Value::MakeSet(std::move(elements));
      }
      case YAML::NodeType::Map: return Map(n, depth);
    }
    return std::nullopt;
  }

  std::optional<Value> Scalar(const YAML::Node& n) {
    const std::string& s = n.Scalar();
    const std::string& tag = n.Tag();
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return Value::String(s);
    if (tag != "?") {
      Error(n, absl::StrCat("unsupported YAML tag `", tag, "`"),
            "values are strings, true/false, integers, lists and maps; `!!str` makes a string");
      return std::nullopt;
    }
    if (IsYamlNull(s)) {
      Error(n, "Cedar has no null value", "write \"\" for an empty string, or leave the attribute out");
      return std::nullopt;
    }
    if (s == "true" || s == "True" || s == "TRUE") return Value::Bool(true);
    if (s == "false" || s == "False" || s == "FALSE") return Value::Bool(false);
    std::string_view digits = s;
    const bool negative = !digits.empty() && digits[0] == '-';
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
    int base = 0;
    if (IsDigits(digits, 10)) {
      base = 10;
    } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
      base = s[1] == 'x' ? 16 : 8;
      digits = std::string_view(s).substr(2);
      if (!IsDigits(digits, base)) base = 0;
    }
    if (base != 0) {
      std::uint64_t magnitude = 0;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
      const std::uint64_t limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
      if (ec != std::errc() || end != digits.data() + digits.size() || magnitude > limit) {
        Error(n, absl::StrCat("`", s, "` is outside Cedar's 64-bit integers"), "quote it for a string");
        return std::nullopt;
      }
      // Two's complement: -(2^63) is representable though 2^63 is not.
      return Value::Long(negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude));
    }
    if (IsYamlFloat(s)) {
      Error(n, absl::StrCat("`", s, "` is a floating-point number, which Cedar does not have"),
            absl::StrCat("quote it for a string, or write {__extn: {fn: decimal, arg: \"", s, "\"}}"));
      return std::nullopt;
    }
    return Value::String(s);
  }

  std::optional<Value> Map(const YAML::Node& n, int depth) {
    // The escapes of Cedar's JSON: a map whose only key is __entity or __extn.
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      const std::string& key = it->first.Scalar();
      if (key != "__entity" && key != "__extn") continue;
      if (n.size() != 1) {
        Error(it->first, absl::StrCat("`", key, "` must be the only key of its map"));
        return std::nullopt;
      }
      return key == "__entity" ? EntityEscape(it->second) : ExtnEscape(it->second);
    }
    Value::Record record;
    bool ok = true;
    for (auto it = n.begin(); it != n.end() && !stopped_; ++it) {
      const YAML::Node key = it->first;   // a copy: `it->` is a temporary proxy
      if (!Visit(key)) return std::nullopt;
      if (!key.IsScalar()) {
        Error(key, "a record's attribute names are strings");
        ok = false;
        continue;
      }
      std::optional<Value> v = ToValue(it->second, depth + 1);
      if (!v) {
        ok = false;
        continue;
      }
      if (!record.emplace(key.Scalar(), *std::move(v)).second) {
        Error(key, absl::StrCat("attribute `", key.Scalar(), "` is given twice"));
        ok = false;
      }
    }
    if (!ok || stopped_) return std::nullopt;
    return Value::MakeRecord(std::move(record));
  }

  std::optional<Value> EntityEscape(const YAML::Node& body) {
    const std::size_t errors_before = errors_;
    std::optional<Fields> fields = ReadFields(body, "`__entity`", {"type", "id"});
    if (!fields || errors_ != errors_before) return std::nullopt;
    const Field* type = Find(*fields, "type");
    const Field* id = Find(*fields, "id");
    if (type == nullptr || id == nullptr) {
      Error(body, "`__entity` needs both `type` and `id`", "{__entity: {type: Workload, id: api}}");
      return std::nullopt;
    }
    std::optional<std::string> type_text = Text(*type, "an entity type name");
    std::optional<std::string> id_text = Text(*id, "a string");
    if (!type_text || !id_text) return std::nullopt;
    std::optional<std::string> type_name = internal::ParseEntityTypeName(*type_text);
    if (!type_name) {
      Error(type->value, absl::StrCat("`", *type_text, "` is not an entity type name"),
            "a type is a name such as Workload or Acme::Workload");
      return std::nullopt;
    }
    return Value::Entity(EntityUid{*std::move(type_name), *std::move(id_text)});
  }

  std::optional<Value> ExtnEscape(const YAML::Node& body) {
    const std::size_t errors_before = errors_;
    std::optional<Fields> fields = ReadFields(body, "`__extn`", {"fn", "arg"});
    if (!fields || errors_ != errors_before) return std::nullopt;
    const Field* fn = Find(*fields, "fn");
    const Field* arg = Find(*fields, "arg");
    if (fn == nullptr || arg == nullptr) {
      Error(body, "`__extn` needs both `fn` and `arg`", "{__extn: {fn: ip, arg: \"10.0.0.1\"}}");
      return std::nullopt;
    }
    std::optional<std::string> fn_name = Text(*fn, "an extension constructor name");
    std::optional<std::string> arg_text = Text(*arg, "a string");
    if (!fn_name || !arg_text) return std::nullopt;
    const internal::ExtFunction* f = internal::FindExtFunction(*fn_name);
    if (f == nullptr || f->style != internal::ExtFunction::Style::kFunction || f->arity != 1) {
      std::vector<std::string_view> constructors;
      for (const internal::ExtFunction& e : internal::AllExtFunctions()) {
        if (e.style == internal::ExtFunction::Style::kFunction && e.arity == 1) constructors.push_back(e.name);
      }
      Error(fn->value, absl::StrCat("`", *fn_name, "` is not an extension constructor"),
            absl::StrCat("the constructors are ", Join(constructors)));
      return std::nullopt;
    }
    const Value argument = Value::String(*arg_text);
    absl::StatusOr<Value> v = internal::CallExtFunction(*f, absl::MakeConstSpan(&argument, 1));
    if (!v.ok()) {
      Error(arg->value, absl::StrCat("invalid `", *fn_name, "` value: ", v.status().message()));
      return std::nullopt;
    }
    return *std::move(v);
  }

  std::string_view text_;
  internal::SourceFile source_;
  TestSuite* suite_;
  fs::path base_;
  std::size_t nodes_ = 0;
  std::size_t errors_ = 0;
  bool stopped_ = false;
  absl::flat_hash_set<std::string> policy_ids_;
  std::map<std::string, std::shared_ptr<const Entities>> case_entities_;
};

}  // namespace

std::vector<std::string> FindTestSuites(absl::Span<const std::string> paths, std::vector<Issue>* issues) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      if (issues != nullptr) issues->push_back(Unlocated(path, "no such file or folder"));
      continue;
    }
    // The loader's one walker: sorted, hidden folders skipped.
    absl::StatusOr<std::vector<std::string>> found = ListFiles(path, kSuffix);
    if (!found.ok()) {
      if (issues != nullptr) issues->push_back(Unlocated(path, std::string(found.status().message())));
      continue;
    }
    for (std::string& file : *found) {
      // `writ test` (the current folder) shows `a.test.yaml`, not `./a.test.yaml`.
      if ((path == "." || path == "./") && absl::StartsWith(file, "./")) file.erase(0, 2);
      files.push_back(std::move(file));
    }
  }
  return files;
}

TestSuite ParseTestSuite(std::string_view yaml, const std::string& path) {
  TestSuite suite;
  suite.file = path;
  suite.name = path;
  SuiteReader(yaml, &suite).Read();
  return suite;
}

TestSuite LoadTestSuite(const std::string& path) {
  absl::StatusOr<std::string> text = internal::ReadFileBounded(path, kMaxTestSuiteBytes);
  if (!text.ok()) {
    TestSuite suite;
    suite.file = path;
    suite.name = path;
    suite.issues.push_back(Unlocated(path, std::string(text.status().message())));
    return suite;
  }
  return ParseTestSuite(*text, path);
}

}  // namespace writ
