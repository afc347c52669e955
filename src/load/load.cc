// Load: named sources (policies, entity documents, a schema, revocation
// lists) into one LoadedSet, every mistake located; and compiling it.
#include "writ/load.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "src/base/json_reader.h"
#include "src/base/source.h"
#include "src/base/strings.h"
#include "writ/limits.h"

namespace writ {
namespace {

Issue Unlocated(std::string_view file, std::string message) {
  Issue issue;
  issue.file = std::string(file);
  issue.message = std::move(message);
  return issue;
}

// Where entity `uid` is defined in the entity document `source` (its "uid"
// member), for the error of a uid defined twice; unlocated when it cannot
// be found (it always can in a document that read).
Issue LocateDuplicate(const Source& source, const EntityUid& uid, std::string message) {
  internal::SourceFile file(source.name, source.bytes);
  std::vector<Issue> ignored;
  if (std::optional<internal::JsonNode> doc = internal::ReadJson(file, &ignored);
      doc && doc->is(internal::JsonNode::Kind::kArray)) {
    for (const internal::JsonNode& e : doc->items) {
      if (!e.is(internal::JsonNode::Kind::kObject)) continue;
      const internal::JsonNode* u = e.Find("uid");
      if (u == nullptr) continue;
      const std::string_view text =
          std::string_view(source.bytes).substr(u->span.begin, u->span.end - u->span.begin);
      absl::StatusOr<EntityUid> read = EntityUidFromJson(text, source.name, nullptr);
      if (read.ok() && *read == uid) return file.MakeIssue(u->span, std::move(message));
    }
  }
  return Unlocated(source.name, std::move(message));
}

}  // namespace

std::string_view SourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kPolicies: return "policies";
    case SourceKind::kEntities: return "entities";
    case SourceKind::kSchema: return "schema";
    case SourceKind::kRevocations: return "revocations";
    case SourceKind::kTemplateLinks: return "template links";
  }
  return "?";
}

std::size_t MaxSourceBytes(SourceKind kind) {
  switch (kind) {
    case SourceKind::kPolicies: return kMaxPolicyTextBytes;
    case SourceKind::kEntities: return kMaxJsonBytes;
    case SourceKind::kSchema: return kMaxSchemaBytes;
    case SourceKind::kRevocations: return kMaxPolicyTextBytes;
    case SourceKind::kTemplateLinks: return kMaxJsonBytes;
  }
  return 0;
}

JsonOptions LoadedSet::JsonOptionsFor(JsonOptions base) const {
  if (schema) base.schema = &*schema;   // else base's own (a caller-given schema) stays
  return base;
}

absl::StatusOr<LoadedSet> Load(absl::Span<const Source> sources, const LoadOptions& options,
                               std::vector<Issue>* issues) {
  std::vector<Issue> local;
  if (issues == nullptr) issues = &local;
  const std::size_t first = issues->size();
  bool ok = true;
  bool too_large = false;
  LoadedSet out;

  // Every source within its bound, before any is read.
  for (const Source& s : sources) {
    if (s.bytes.size() > MaxSourceBytes(s.kind)) {
      issues->push_back(Unlocated(s.name, absl::StrCat("the ", internal::Av(SourceKindName(s.kind)), " are ", s.bytes.size(),
                                                       " bytes, more than the limit of ", MaxSourceBytes(s.kind))));
      too_large = true;
    }
  }
  if (too_large) return absl::ResourceExhaustedError("an input is larger than its limit");

  // The schema first: it directs how the entities are read.
  const Source* schema_source = nullptr;
  for (const Source& s : sources) {
    if (s.kind != SourceKind::kSchema) continue;
    if (schema_source != nullptr) {
      issues->push_back(Unlocated(s.name, absl::StrCat("a second schema (the first is ", schema_source->name,
                                                       "); give one schema")));
      ok = false;
      continue;
    }
    schema_source = &s;
    if (options.json.schema != nullptr) {
      // Two schemas, one given in the options and one among the sources:
      // which one directs the reading would be a guess.
      issues->push_back(Unlocated(s.name, "a schema source and a schema in LoadOptions::json.schema; give one"));
      ok = false;
      continue;
    }
    SchemaOptions schema_options;
    schema_options.strict = options.strict;
    const std::size_t before = issues->size();
    absl::StatusOr<Schema> schema = Schema::Parse(s.bytes, s.name, issues, schema_options);
    if (!schema.ok()) {
      if (!HasErrors(absl::MakeConstSpan(*issues).subspan(before))) {
        issues->push_back(Unlocated(s.name, std::string(schema.status().message())));
      }
      ok = false;
      continue;
    }
    out.schema = *std::move(schema);
  }
  // Entities would be misread without the schema that was asked for.
  if (schema_source != nullptr && !out.schema) return absl::InvalidArgumentError("the schema does not load");

  ParseOptions parse_options;
  parse_options.strict = options.strict;
  JsonOptions json = options.json;
  json.strict = options.strict;
  json.schema = out.schema ? &*out.schema : options.json.schema;

  // The schema's own entities (its actions, with their groups), which every
  // document read through it also holds: taken once.
  absl::flat_hash_set<EntityUid> from_schema;
  if (json.schema != nullptr) {
    absl::StatusOr<Entities> base =
        EntitiesFromJson("[]", schema_source != nullptr ? schema_source->name : "schema", issues, json);
    if (!base.ok()) {
      ok = false;
    } else {
      for (const auto& [uid, entity] : *base) from_schema.insert(uid);
      out.entities = *std::move(base);
    }
  }

  bool first_entities = true;
  bool policies_ok = true;
  for (const Source& s : sources) {
    switch (s.kind) {
      case SourceKind::kSchema: break;
      case SourceKind::kTemplateLinks: break;   // below, once every policy is in
      case SourceKind::kPolicies: {
        if (!out.policies.Add(s.bytes, s.name, issues, parse_options).ok()) ok = policies_ok = false;
        break;
      }
      case SourceKind::kEntities: {
        const std::size_t before = issues->size();
        absl::StatusOr<Entities> read = EntitiesFromJson(s.bytes, s.name, issues, json);
        if (!read.ok()) {
          if (!HasErrors(absl::MakeConstSpan(*issues).subspan(before))) {
            issues->push_back(Unlocated(s.name, std::string(read.status().message())));
          }
          ok = false;
          break;
        }
        if (first_entities && from_schema.empty()) {
          out.entities = *std::move(read);   // the common case: one document, taken whole
          first_entities = false;
          break;
        }
        first_entities = false;
        std::vector<EntityUid> twice;
        for (const auto& [uid, entity] : *read) {
          if (from_schema.contains(uid)) continue;
          if (!out.entities.Add(entity).ok()) twice.push_back(uid);
        }
        std::vector<Issue> located;
        for (const EntityUid& uid : twice) {
          located.push_back(LocateDuplicate(
              s, uid, absl::StrCat("entity ", uid.ToString(), " is also defined in an earlier entity document")));
        }
        std::sort(located.begin(), located.end(),
                  [](const Issue& a, const Issue& b) { return std::tie(a.line, a.column) < std::tie(b.line, b.column); });
        for (Issue& i : located) issues->push_back(std::move(i));
        if (!twice.empty()) ok = false;
        break;
      }
      case SourceKind::kRevocations: {
        absl::StatusOr<std::shared_ptr<RevocationList>> list = RevocationList::FromText(s.bytes, s.name, issues);
        if (!list.ok()) {
          ok = false;
          break;
        }
        std::vector<EntityUid> uids = (*list)->List();
        // List() is in no particular order; keep the set's stable.
        std::sort(uids.begin(), uids.end(),
                  [](const EntityUid& a, const EntityUid& b) { return a.ToString() < b.ToString(); });
        out.revoked.insert(out.revoked.end(), uids.begin(), uids.end());
        break;
      }
    }
  }
  // Links name templates by id: with a policy source that did not load, a
  // link's "no such template" would be a second, misleading error.
  for (const Source& s : sources) {
    if (s.kind != SourceKind::kTemplateLinks || !policies_ok) continue;
    const std::size_t before = issues->size();
    if (absl::Status st = AddTemplateLinks(s.bytes, s.name, &out.policies, issues); !st.ok()) {
      if (!HasErrors(absl::MakeConstSpan(*issues).subspan(before))) {
        issues->push_back(Unlocated(s.name, std::string(st.message())));
      }
      ok = false;
    }
  }
  if (!ok || HasErrors(absl::MakeConstSpan(*issues).subspan(first))) {
    return absl::InvalidArgumentError("the inputs do not load");
  }
  out.warnings.assign(issues->begin() + static_cast<std::ptrdiff_t>(first), issues->end());
  return out;
}

absl::StatusOr<std::unique_ptr<Engine>> CompileLoaded(LoadedSet set, const DecideOptions& options) {
  DecideOptions decide = options;
  if (decide.revoked == nullptr && !set.revoked.empty()) {
    auto list = std::make_shared<RevocationList>();
    for (const EntityUid& uid : set.revoked) {
      if (absl::Status s = list->Revoke(uid); !s.ok()) return s;
    }
    decide.revoked = std::move(list);
  }
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::Compile(set.policies, std::move(set.entities), decide);
  if (!engine.ok()) {
    return absl::Status(engine.status().code(),
                        absl::StrCat("the policies do not compile: ", engine.status().message()));
  }
  return engine;
}

}  // namespace writ
