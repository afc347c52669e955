// C ABI (writ/c_api.h): opaque handles over writ::Engine, writ::Decision and
// a per-engine writ::RevocationList; engines are made through the one loader
// (writ/load.h), with an optional schema requests are read through. Every entry point catches everything, so
// no exception crosses into C; strings handed to C are malloc'ed copies.
#include "writ/c_api.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include <string.h>   // strnlen (POSIX)

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "src/base/rfc3339.h"
#include "src/base/strings.h"
#include "src/base/utf8.h"
#include "src/eval/chain.h"
#include "src/json/plain_request.h"
#include "src/load/link_json.h"
#include "src/parse/parser.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/entities.h"
#include "writ/issue.h"
#include "writ/json.h"
#include "writ/limits.h"
#include "writ/load.h"
#include "writ/policy_set.h"
#include "writ/request.h"
#include "writ/grants.h"
#include "writ/revocation.h"
#include "writ/schema.h"

#ifndef WRIT_VERSION_STRING
#error "WRIT_VERSION_STRING is defined by src/capi/CMakeLists.txt"
#endif

static_assert(WRIT_MAX_POLICY_TEXT_BYTES == writ::kMaxPolicyTextBytes);
static_assert(WRIT_MAX_JSON_BYTES == writ::kMaxJsonBytes);
static_assert(WRIT_MAX_SCHEMA_BYTES == writ::kMaxSchemaBytes);
static_assert(WRIT_MAX_REVOKED_UIDS == writ::kMaxRevocationUids);
static_assert(WRIT_MAX_GRANTS == writ::kMaxGrants);
static_assert(WRIT_MAX_CHAIN_LENGTH == writ::kMaxChainLength);

// The handles C sees as incomplete types.
struct writ_engine {
  std::unique_ptr<writ::Engine> engine;   // grants change it
  std::shared_ptr<writ::RevocationList> revoked;
  std::optional<writ::Schema> schema;   // requests are read through it (json_options.schema points here)
  writ::JsonOptions json_options;
  std::string warnings;   // rendered; empty when there were none
};

struct writ_decision {
  writ::Decision decision;
  std::string denied_by;   // decision.denied_by as `Type::"id"`; empty when unset
};

namespace writ::internal {
namespace {

// Copies `parts` into one malloc'ed, NUL-terminated string; NULL when out of
// memory. Never throws, so it is safe inside catch blocks.
char* CopyParts(std::initializer_list<std::string_view> parts) noexcept {
  std::size_t size = 1;
  for (std::string_view p : parts) size += p.size();
  char* out = static_cast<char*>(std::malloc(size));
  if (out == nullptr) return nullptr;
  char* at = out;
  for (std::string_view p : parts) {
    if (!p.empty()) std::memcpy(at, p.data(), p.size());
    at += p.size();
  }
  *at = '\0';
  return out;
}

// Reports failure `code` with `message` (when the caller asked for text).
int Fail(char** error_out, int code, std::initializer_list<std::string_view> message) noexcept {
  if (error_out != nullptr) *error_out = CopyParts(message);
  return code;
}
int Fail(char** error_out, int code, std::string_view message) noexcept {
  return Fail(error_out, code, {message});
}

// An error with no line: "name: error: message" and its note, as issues
// without a location render.
std::string NamedError(std::string_view name, std::string message, std::string hint = {}) {
  Issue issue;
  issue.file = std::string(name);
  issue.message = std::move(message);
  issue.hint = std::move(hint);
  return RenderIssue(issue);
}

// The writ_status for a failed absl::Status.
int CodeOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return WRIT_INVALID_INPUT;
    case absl::StatusCode::kResourceExhausted: return WRIT_TOO_LARGE;
    case absl::StatusCode::kNotFound: return WRIT_NOT_FOUND;
    default: return WRIT_INTERNAL;
  }
}

// Rendered errors (and the warnings beside them) of a failed read; the
// status message when no issue says more.
std::string FailureText(const std::vector<Issue>& issues, const absl::Status& status) {
  if (HasErrors(issues)) return RenderIssues(issues);
  return absl::StrCat(status.message(), "\n");
}

// Runs `body`, turning any exception into an error code and message.
template <typename F>
int Guard(char** error_out, F&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(error_out, WRIT_NO_MEMORY, "error: out of memory\n");
  } catch (const std::exception& e) {
    return Fail(error_out, WRIT_INTERNAL, {"error: internal error: ", e.what(), "\n"});
  } catch (...) {
    return Fail(error_out, WRIT_INTERNAL, "error: internal error: unknown exception\n");
  }
}

// The length of `s` if it is at most `max` bytes; reads at most max+1 bytes.
std::optional<std::size_t> BoundedLength(const char* s, std::size_t max) {
  std::size_t n = strnlen(s, max + 1);
  if (n > max) return std::nullopt;
  return n;
}

int TooLarge(char** error_out, std::string_view name, std::size_t max) {
  return Fail(error_out, WRIT_TOO_LARGE,
              NamedError(name, absl::StrCat("larger than the limit of ", max, " bytes")));
}

int NullArgument(char** error_out, std::string_view function, std::string_view argument) {
  return Fail(error_out, WRIT_INVALID_ARGUMENT,
              {"error: ", function, ": `", argument, "` is NULL\n"});
}

// Reads a uid in `Type::"id"` text; on failure returns nullopt after
// setting *code and *error_out.
std::optional<EntityUid> ReadUid(const char* text, std::string_view name, int* code,
                                 char** error_out) {
  std::optional<std::size_t> n = BoundedLength(text, WRIT_MAX_UID_BYTES);
  if (!n) {
    *code = TooLarge(error_out, name, WRIT_MAX_UID_BYTES);
    return std::nullopt;
  }
  std::string_view view(text, *n);
  if (std::optional<EntityUid> uid = ParseEntityUid(view)) return uid;
  if (std::optional<std::size_t> bad = FindInvalidUtf8(view)) {
    *code = Fail(error_out, WRIT_INVALID_INPUT,
                 NamedError(name, absl::StrCat("invalid UTF-8 at byte ", *bad)));
    return std::nullopt;
  }
  constexpr std::size_t kShown = 80;
  std::string shown(view.substr(0, kShown));
  if (view.size() > kShown) {
    while (!shown.empty() && (static_cast<unsigned char>(shown.back()) & 0xC0) == 0x80) shown.pop_back();
    if (!shown.empty() && (static_cast<unsigned char>(shown.back()) & 0x80) != 0) shown.pop_back();
    shown += "...";
  }
  *code = Fail(error_out, WRIT_INVALID_INPUT,
               NamedError(name, absl::StrCat("`", Av(shown), "` is not an entity uid"),
                          "write Type::\"id\", for example Workload::\"api\" or Action::\"read\""));
  return std::nullopt;
}

// The bound on a source of each writ_source_kind, and its default name.
struct KindInfo {
  SourceKind kind;
  std::size_t max_bytes;
  std::string_view default_name;
};
std::optional<KindInfo> KindOf(int kind) {
  switch (kind) {
    case WRIT_SOURCE_POLICIES: return KindInfo{SourceKind::kPolicies, WRIT_MAX_POLICY_TEXT_BYTES, "policies"};
    case WRIT_SOURCE_ENTITIES: return KindInfo{SourceKind::kEntities, WRIT_MAX_JSON_BYTES, "entities"};
    case WRIT_SOURCE_SCHEMA: return KindInfo{SourceKind::kSchema, WRIT_MAX_SCHEMA_BYTES, "schema"};
    case WRIT_SOURCE_REVOKED: return KindInfo{SourceKind::kRevocations, WRIT_MAX_POLICY_TEXT_BYTES, "revoked"};
    case WRIT_SOURCE_TEMPLATE_LINKS: return KindInfo{SourceKind::kTemplateLinks, WRIT_MAX_JSON_BYTES, "links"};
    default: return std::nullopt;
  }
}

// Every engine is made here: the sources through the one loader
// (writ/load.h), then compiled.
int NewEngineFromSources(std::vector<Source> sources, unsigned flags, writ_engine** engine_out,
                         char** error_out) {
  std::string_view pname = "policies";
  for (const Source& s : sources) {
    if (s.kind == SourceKind::kPolicies) {
      pname = s.name;
      break;
    }
  }
  auto handle = std::make_unique<writ_engine>();
  LoadOptions load;
  load.strict = (flags & WRIT_STRICT) != 0;
  std::vector<Issue> issues;
  absl::StatusOr<LoadedSet> set = Load(sources, load, &issues);
  if (!set.ok()) return Fail(error_out, CodeOf(set.status()), FailureText(issues, set.status()));

  handle->json_options.strict = load.strict;
  handle->revoked = std::make_shared<RevocationList>();
  for (const EntityUid& uid : set->revoked) {
    if (absl::Status s = handle->revoked->Revoke(uid); !s.ok()) {
      return Fail(error_out, CodeOf(s), NamedError("revoked", std::string(s.message())));
    }
  }
  handle->schema = set->schema;
  if (handle->schema) handle->json_options.schema = &*handle->schema;   // the handle does not move
  DecideOptions options;
  options.fail_closed = (flags & WRIT_FAIL_CLOSED) != 0;
  options.revoked = handle->revoked;
  absl::StatusOr<std::unique_ptr<Engine>> engine = CompileLoaded(*std::move(set), options);
  if (!engine.ok()) {
    return Fail(error_out, CodeOf(engine.status()), NamedError(pname, std::string(engine.status().message())));
  }
  handle->engine = *std::move(engine);
  handle->warnings = RenderIssues(issues);   // only warnings are left: errors returned above
  *engine_out = handle.release();
  return WRIT_OK;
}

int CheckFlags(unsigned flags, std::string_view fn, char** error_out) {
  if ((flags & ~(WRIT_FAIL_CLOSED | WRIT_STRICT)) == 0) return WRIT_OK;
  return Fail(error_out, WRIT_INVALID_ARGUMENT,
              absl::StrCat("error: ", Av(fn), ": unknown flags 0x", absl::Hex(flags & ~(WRIT_FAIL_CLOSED | WRIT_STRICT)),
                           "\n"));
}

int NewEngine(const char* policies, const char* policies_name, const char* entities_json,
              const char* entities_name, unsigned flags, writ_engine** engine_out,
              char** error_out) {
  constexpr std::string_view kFn = "writ_engine_new";
  if (engine_out == nullptr) return NullArgument(error_out, kFn, "engine_out");
  *engine_out = nullptr;
  if (policies == nullptr) return NullArgument(error_out, kFn, "policies");
  if (int code = CheckFlags(flags, "writ_engine_new_ex", error_out); code != WRIT_OK) return code;
  std::string_view pname = "policies";
  std::string_view ename = "entities";
  for (auto [in, out, what] : {std::tuple{policies_name, &pname, "policies_name"},
                               std::tuple{entities_name, &ename, "entities_name"}}) {
    if (in == nullptr) continue;
    std::optional<std::size_t> n = BoundedLength(in, WRIT_MAX_NAME_BYTES);
    if (!n) return TooLarge(error_out, what, WRIT_MAX_NAME_BYTES);
    *out = std::string_view(in, *n);
  }

  std::optional<std::size_t> policies_size = BoundedLength(policies, WRIT_MAX_POLICY_TEXT_BYTES);
  if (!policies_size) return TooLarge(error_out, pname, WRIT_MAX_POLICY_TEXT_BYTES);
  std::vector<Source> sources;
  sources.push_back({SourceKind::kPolicies, std::string(pname), std::string(policies, *policies_size)});
  if (entities_json != nullptr && entities_json[0] != '\0') {
    std::optional<std::size_t> n = BoundedLength(entities_json, WRIT_MAX_JSON_BYTES);
    if (!n) return TooLarge(error_out, ename, WRIT_MAX_JSON_BYTES);
    sources.push_back({SourceKind::kEntities, std::string(ename), std::string(entities_json, *n)});
  }
  return NewEngineFromSources(std::move(sources), flags, engine_out, error_out);
}

int NewEngineSources(const writ_source* in, size_t count, unsigned flags, writ_engine** engine_out,
                     char** error_out) {
  constexpr std::string_view kFn = "writ_engine_new_sources";
  if (engine_out == nullptr) return NullArgument(error_out, kFn, "engine_out");
  *engine_out = nullptr;
  if (in == nullptr && count != 0) return NullArgument(error_out, kFn, "sources");
  if (int code = CheckFlags(flags, kFn, error_out); code != WRIT_OK) return code;
  std::vector<Source> sources;
  sources.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const writ_source& s = in[i];
    std::optional<KindInfo> kind = KindOf(s.kind);
    if (!kind) {
      return Fail(error_out, WRIT_INVALID_ARGUMENT,
                  absl::StrCat("error: ", Av(kFn), ": sources[", i, "].kind ", s.kind, " is not a writ_source_kind\n"));
    }
    std::string_view name = kind->default_name;
    if (s.name != nullptr) {
      std::optional<std::size_t> n = BoundedLength(s.name, WRIT_MAX_NAME_BYTES);
      if (!n) return TooLarge(error_out, absl::StrCat("sources[", i, "].name"), WRIT_MAX_NAME_BYTES);
      name = std::string_view(s.name, *n);
    }
    if (s.data == nullptr) return NullArgument(error_out, kFn, absl::StrCat("sources[", i, "].data"));
    std::size_t size = s.size;
    if (size == WRIT_NUL_TERMINATED) {
      std::optional<std::size_t> n = BoundedLength(s.data, kind->max_bytes);
      if (!n) return TooLarge(error_out, name, kind->max_bytes);
      size = *n;
    } else if (size > kind->max_bytes) {
      return TooLarge(error_out, name, kind->max_bytes);
    }
    sources.push_back({kind->kind, std::string(name), std::string(s.data, size)});
  }
  return NewEngineFromSources(std::move(sources), flags, engine_out, error_out);
}

// writ_decide with a schema: the request (its uids and the context text,
// already read once without the schema so that its mistakes are located in
// `context`) read again as one JSON request through the schema, so that the
// context is typed by the action's and the request is checked as
// writ_decide_json checks it. False, with the reason, when it does not
// conform.
bool ReadThroughSchema(const writ_engine& engine, const char* context_json, Request* request, std::string* why) {
  const std::string_view context =
      context_json == nullptr || context_json[0] == '\0' ? std::string_view("{}") : std::string_view(context_json);
  std::string json = absl::StrCat(
      "{\"principal\":", ValueToJson(Value::Entity(request->principal)),
      ",\"action\":", ValueToJson(Value::Entity(request->action)),
      ",\"resource\":", ValueToJson(Value::Entity(request->resource)), ",\"context\":", Av(context));
  if (!request->chain.empty()) {   // read (and validated) with the rest
    json += ",\"chain\":[";
    for (std::size_t i = 0; i < request->chain.size(); ++i) {
      absl::StrAppend(&json, i == 0 ? "" : ",", ValueToJson(Value::Entity(request->chain[i])));
    }
    json += "]";
  }
  json += "}";
  std::vector<Issue> issues;
  absl::StatusOr<Request> read = RequestFromJson(json, "request", &issues, engine.json_options);
  if (!read.ok()) {
    *why = FirstErrorText(issues, read.status());
    return false;
  }
  const std::optional<absl::Time> now = request->now;
  *request = *std::move(read);
  request->now = now;
  return true;
}

// writ_decide's context is read without the schema first (there is no
// action context to type it by yet).
JsonOptions ContextOptions(const writ_engine& engine) {
  JsonOptions options = engine.json_options;
  options.schema = nullptr;
  return options;
}

// Reads a request's context (a JSON record) and time into `request`.
int ReadContextAndTime(const writ_engine& engine, const char* context_json, const char* now,
                       Request* request, char** error_out) {
  if (context_json != nullptr && context_json[0] != '\0') {
    std::optional<std::size_t> n = BoundedLength(context_json, WRIT_MAX_JSON_BYTES);
    if (!n) return TooLarge(error_out, "context", WRIT_MAX_JSON_BYTES);
    std::vector<Issue> issues;
    absl::StatusOr<Value> context =
        ValueFromJson(std::string_view(context_json, *n), "context", &issues, ContextOptions(engine));
    if (!context.ok()) {
      return Fail(error_out, CodeOf(context.status()), FailureText(issues, context.status()));
    }
    if (!context->is(Value::Kind::kRecord)) {
      return Fail(error_out, WRIT_INVALID_INPUT,
                  NamedError("context", absl::StrCat("the context must be a JSON object (a record), not ",
                                                     Av(Value::KindName(context->kind()))),
                             "write {\"environment\": \"prod\"}, or pass NULL for no context"));
    }
    request->context = *std::move(context);
  }
  if (now != nullptr && now[0] != '\0') {
    std::optional<std::size_t> n = BoundedLength(now, WRIT_MAX_TIME_BYTES);
    if (!n) return TooLarge(error_out, "now", WRIT_MAX_TIME_BYTES);
    if (FindInvalidUtf8(std::string_view(now, *n))) {
      return Fail(error_out, WRIT_INVALID_INPUT, NamedError("now", "invalid UTF-8 in the time"));
    }
    std::variant<absl::Time, std::string> t = internal::ParseRfc3339(std::string_view(now, *n));
    if (const std::string* why = std::get_if<std::string>(&t)) {
      return Fail(error_out, WRIT_INVALID_INPUT,
                  NamedError("now", absl::StrCat("`", absl::string_view(now, *n),
                                                 "` is not an RFC 3339 time: ", *why),
                             "for example 2026-11-22T12:00:00Z"));
    }
    request->now = std::get<absl::Time>(t);
  }
  return WRIT_OK;
}

// writ_decide and writ_decide_chain: a request given as plain strings, with
// the identities the principal acts for (`chain`, nearest first; none when
// chain_count is 0).
int DecideStrings(std::string_view fn, const writ_engine* engine, const char* principal, const char* const* chain,
                  std::size_t chain_count, const char* action, const char* resource, const char* context_json,
                  const char* now, writ_decision** decision_out, char** error_out) {
  if (error_out != nullptr) *error_out = nullptr;
  if (decision_out == nullptr) return NullArgument(error_out, fn, "decision_out");
  *decision_out = nullptr;
  if (engine == nullptr) return NullArgument(error_out, fn, "engine");
  if (principal == nullptr) return NullArgument(error_out, fn, "principal");
  if (action == nullptr) return NullArgument(error_out, fn, "action");
  if (resource == nullptr) return NullArgument(error_out, fn, "resource");
  if (chain_count > 0 && chain == nullptr) return NullArgument(error_out, fn, "chain");
  return Guard(error_out, [&] {
    Request request;
    int code = WRIT_OK;
    for (auto [text, name, out] : {std::tuple{principal, "principal", &request.principal},
                                   std::tuple{action, "action", &request.action},
                                   std::tuple{resource, "resource", &request.resource}}) {
      std::optional<EntityUid> uid = ReadUid(text, name, &code, error_out);
      if (!uid) return code;
      *out = *std::move(uid);
    }
    if (chain_count > 0) {
      if (engine->json_options.strict) {
        return Fail(error_out, WRIT_INVALID_INPUT,
                    NamedError("chain", "a chain (the identities the principal acts for) is a writ extension, not Cedar",
                               "decide it on an engine made without WRIT_STRICT"));
      }
      if (chain_count > WRIT_MAX_CHAIN_LENGTH) {
        return Fail(error_out, WRIT_TOO_LARGE,
                    NamedError("chain", absl::StrCat(chain_count, " identities; at most ", WRIT_MAX_CHAIN_LENGTH,
                                                     " are allowed")));
      }
      for (std::size_t i = 0; i < chain_count; ++i) {
        const std::string name = absl::StrCat("chain[", i, "]");
        if (chain[i] == nullptr) return NullArgument(error_out, fn, name);
        std::optional<EntityUid> uid = ReadUid(chain[i], name, &code, error_out);
        if (!uid) return code;
        request.chain.push_back(*std::move(uid));
      }
    }
    code = ReadContextAndTime(*engine, context_json, now, &request, error_out);
    if (code != WRIT_OK) return code;
    if (!request.chain.empty() && request.context.as_record().count(kChainPositionAttribute) != 0) {
      return Fail(error_out, WRIT_INVALID_INPUT,
                  NamedError("context", absl::StrCat("the context has `", kChainPositionAttribute,
                                                     "`, which a request with a chain gives each identity's decision"),
                             "rename the attribute"));
    }
    auto decision = std::make_unique<writ_decision>();
    std::string nonconforming;
    if (engine->schema && !ReadThroughSchema(*engine, context_json, &request, &nonconforming)) {
      decision->decision = DenyWithError(absl::StrCat("request does not conform to the schema: ", nonconforming));
    } else {
      engine->engine->Decide(request, &decision->decision);
    }
    if (decision->decision.denied_by) decision->denied_by = decision->decision.denied_by->ToString();
    *decision_out = decision.release();
    return static_cast<int>(WRIT_OK);
  });
}

}  // namespace
}  // namespace writ::internal

using writ::internal::Fail;
using writ::internal::Guard;
using writ::internal::NullArgument;

extern "C" {

const char* writ_version(void) { return WRIT_VERSION_STRING; }

const char* writ_status_string(int status) {
  switch (status) {
    case WRIT_OK: return "ok";
    case WRIT_INVALID_ARGUMENT: return "invalid argument";
    case WRIT_INVALID_INPUT: return "invalid input";
    case WRIT_TOO_LARGE: return "input too large";
    case WRIT_NO_MEMORY: return "out of memory";
    case WRIT_INTERNAL: return "internal error";
    case WRIT_NOT_FOUND: return "not found";
    default: return "unknown status";
  }
}

int writ_engine_new_ex(const char* policies, const char* policies_name, const char* entities_json,
                       const char* entities_name, unsigned flags, writ_engine** engine_out,
                       char** error_out) {
  if (error_out != nullptr) *error_out = nullptr;
  return Guard(error_out, [&] {
    return writ::internal::NewEngine(policies, policies_name, entities_json, entities_name, flags,
                                     engine_out, error_out);
  });
}

int writ_engine_new_sources(const writ_source* sources, size_t count, unsigned flags, writ_engine** engine_out,
                            char** error_out) {
  if (error_out != nullptr) *error_out = nullptr;
  return Guard(error_out, [&] {
    return writ::internal::NewEngineSources(sources, count, flags, engine_out, error_out);
  });
}

writ_engine* writ_engine_new(const char* policies, const char* entities_json, char** error_out) {
  writ_engine* engine = nullptr;
  (void)writ_engine_new_ex(policies, nullptr, entities_json, nullptr, 0, &engine, error_out);
  return engine;
}

void writ_engine_free(writ_engine* engine) { delete engine; }

size_t writ_engine_policy_count(const writ_engine* engine) {
  return engine == nullptr ? 0 : engine->engine->policy_count();
}

size_t writ_engine_entity_count(const writ_engine* engine) {
  return engine == nullptr ? 0 : engine->engine->entity_count();
}

const char* writ_engine_warnings(const writ_engine* engine) {
  if (engine == nullptr || engine->warnings.empty()) return nullptr;
  return engine->warnings.c_str();
}

int writ_decide_json(const writ_engine* engine, const char* request_json, char** decision_json_out,
                     char** error_out) {
  if (error_out != nullptr) *error_out = nullptr;
  constexpr std::string_view kFn = "writ_decide_json";
  if (decision_json_out == nullptr) return NullArgument(error_out, kFn, "decision_json_out");
  *decision_json_out = nullptr;
  if (engine == nullptr) return NullArgument(error_out, kFn, "engine");
  if (request_json == nullptr) return NullArgument(error_out, kFn, "request_json");
  return Guard(error_out, [&] {
    std::optional<std::size_t> n = writ::internal::BoundedLength(request_json, WRIT_MAX_JSON_BYTES);
    if (!n) return writ::internal::TooLarge(error_out, "request", WRIT_MAX_JSON_BYTES);
    const std::string_view text(request_json, *n);
    writ::Decision decision;
    // Straight from the text when it can (writ::DecideJson's fast path);
    // else read in full, through the schema when there is one.
    if (engine->json_options.schema != nullptr || !writ::internal::DecidePlainJson(*engine->engine, text, &decision)) {
      std::vector<writ::Issue> issues;
      bool nonconforming = false;
      absl::StatusOr<writ::Request> request =
          writ::ReadRequest(text, "request", &issues, engine->json_options, &nonconforming);
      if (!request.ok() && !nonconforming) {
        return Fail(error_out, writ::internal::CodeOf(request.status()),
                    writ::internal::FailureText(issues, request.status()));
      }
      if (request.ok()) {
        engine->engine->Decide(*request, &decision);
      } else {
        // Well-formed but not what the engine's schema says: a deny with the
        // reason, never a decision on misread data.
        decision = writ::DenyWithError(absl::StrCat("request does not conform to the schema: ",
                                                    writ::FirstErrorText(issues, request.status())));
      }
    }
    const std::string json = writ::DecisionToJson(decision);
    char* out = writ::internal::CopyParts({json});
    if (out == nullptr) return Fail(error_out, WRIT_NO_MEMORY, "error: out of memory\n");
    *decision_json_out = out;
    return static_cast<int>(WRIT_OK);
  });
}

int writ_decide(const writ_engine* engine, const char* principal, const char* action,
                const char* resource, const char* context_json, const char* now,
                writ_decision** decision_out, char** error_out) {
  return writ::internal::DecideStrings("writ_decide", engine, principal, nullptr, 0, action, resource,
                                       context_json, now, decision_out, error_out);
}

int writ_decide_chain(const writ_engine* engine, const char* principal, const char* const* chain,
                      size_t chain_count, const char* action, const char* resource, const char* context_json,
                      const char* now, writ_decision** decision_out, char** error_out) {
  return writ::internal::DecideStrings("writ_decide_chain", engine, principal, chain, chain_count, action,
                                       resource, context_json, now, decision_out, error_out);
}

int writ_decision_allowed(const writ_decision* decision) {
  return decision != nullptr && decision->decision.allowed ? 1 : 0;
}

int writ_decision_revoked(const writ_decision* decision) {
  return decision != nullptr && decision->decision.revoked ? 1 : 0;
}

const char* writ_decision_denied_by(const writ_decision* decision) {
  return decision == nullptr || decision->denied_by.empty() ? nullptr : decision->denied_by.c_str();
}

size_t writ_decision_reason_count(const writ_decision* decision) {
  return decision == nullptr ? 0 : decision->decision.reasons.size();
}

const char* writ_decision_reason(const writ_decision* decision, size_t i) {
  if (i >= writ_decision_reason_count(decision)) return nullptr;
  return decision->decision.reasons[i].c_str();
}

size_t writ_decision_error_count(const writ_decision* decision) {
  return decision == nullptr ? 0 : decision->decision.errors.size();
}

const char* writ_decision_error_policy(const writ_decision* decision, size_t i) {
  if (i >= writ_decision_error_count(decision)) return nullptr;
  return decision->decision.errors[i].policy_id.c_str();
}

const char* writ_decision_error_message(const writ_decision* decision, size_t i) {
  if (i >= writ_decision_error_count(decision)) return nullptr;
  return decision->decision.errors[i].message.c_str();
}

size_t writ_decision_breakglass_count(const writ_decision* decision) {
  return decision == nullptr ? 0 : decision->decision.breakglass.size();
}

const char* writ_decision_breakglass(const writ_decision* decision, size_t i) {
  if (i >= writ_decision_breakglass_count(decision)) return nullptr;
  return decision->decision.breakglass[i].c_str();
}

char* writ_decision_to_json(const writ_decision* decision) {
  if (decision == nullptr) return nullptr;
  try {
    const std::string json = writ::DecisionToJson(decision->decision);
    return writ::internal::CopyParts({json});
  } catch (...) {   // std::bad_alloc: the documented NULL
    return nullptr;
  }
}

void writ_decision_free(writ_decision* decision) { delete decision; }

int writ_revoke(writ_engine* engine, const char* uid, char** error_out) {
  if (error_out != nullptr) *error_out = nullptr;
  if (engine == nullptr) return NullArgument(error_out, "writ_revoke", "engine");
  if (uid == nullptr) return NullArgument(error_out, "writ_revoke", "uid");
  return Guard(error_out, [&] {
    int code = WRIT_OK;
    std::optional<writ::EntityUid> parsed = writ::internal::ReadUid(uid, "uid", &code, error_out);
    if (!parsed) return code;
    if (absl::Status s = engine->revoked->Revoke(*parsed); !s.ok()) {
      return Fail(error_out, writ::internal::CodeOf(s),
                  writ::internal::NamedError("uid", std::string(s.message())));
    }
    return static_cast<int>(WRIT_OK);
  });
}

int writ_restore(writ_engine* engine, const char* uid, char** error_out) {
  if (error_out != nullptr) *error_out = nullptr;
  if (engine == nullptr) return NullArgument(error_out, "writ_restore", "engine");
  if (uid == nullptr) return NullArgument(error_out, "writ_restore", "uid");
  return Guard(error_out, [&] {
    int code = WRIT_OK;
    std::optional<writ::EntityUid> parsed = writ::internal::ReadUid(uid, "uid", &code, error_out);
    if (!parsed) return code;
    (void)engine->revoked->Restore(*parsed);
    return static_cast<int>(WRIT_OK);
  });
}

int writ_grant(writ_engine* engine, const char* grant_json, char** error_out) {
  if (error_out != nullptr) *error_out = nullptr;
  if (engine == nullptr) return NullArgument(error_out, "writ_grant", "engine");
  if (grant_json == nullptr) return NullArgument(error_out, "writ_grant", "grant_json");
  return Guard(error_out, [&] {
    std::optional<std::size_t> n = writ::internal::BoundedLength(grant_json, WRIT_MAX_JSON_BYTES);
    if (!n) return writ::internal::TooLarge(error_out, "grant", WRIT_MAX_JSON_BYTES);
    std::vector<writ::Issue> issues;
    writ::ParseOptions options;
    options.strict = engine->json_options.strict;
    absl::StatusOr<writ::Grant> grant =
        writ::internal::ReadOneGrant(std::string_view(grant_json, *n), "grant", options, &issues);
    if (!grant.ok()) {
      return Fail(error_out, writ::internal::CodeOf(grant.status()),
                  writ::internal::FailureText(issues, grant.status()));
    }
    if (absl::Status s = engine->engine->AddGrant(*grant); !s.ok()) {
      return Fail(error_out, writ::internal::CodeOf(s), writ::internal::NamedError("grant", std::string(s.message())));
    }
    return static_cast<int>(WRIT_OK);
  });
}

int writ_revoke_grant(writ_engine* engine, const char* link_id, char** error_out) {
  if (error_out != nullptr) *error_out = nullptr;
  if (engine == nullptr) return NullArgument(error_out, "writ_revoke_grant", "engine");
  if (link_id == nullptr) return NullArgument(error_out, "writ_revoke_grant", "link_id");
  return Guard(error_out, [&] {
    std::optional<std::size_t> n = writ::internal::BoundedLength(link_id, writ::kMaxGrantFieldBytes);
    if (!n) return writ::internal::TooLarge(error_out, "link_id", writ::kMaxGrantFieldBytes);
    absl::StatusOr<writ::Grant> removed = engine->engine->RemoveGrant(std::string_view(link_id, *n));
    if (!removed.ok()) {
      return Fail(error_out, writ::internal::CodeOf(removed.status()),
                  writ::internal::NamedError("link_id", std::string(removed.status().message())));
    }
    return static_cast<int>(WRIT_OK);
  });
}

int writ_close_task(writ_engine* engine, const char* task, size_t* removed_out, char** error_out) {
  if (error_out != nullptr) *error_out = nullptr;
  if (removed_out != nullptr) *removed_out = 0;
  if (engine == nullptr) return NullArgument(error_out, "writ_close_task", "engine");
  if (task == nullptr) return NullArgument(error_out, "writ_close_task", "task");
  return Guard(error_out, [&] {
    std::optional<std::size_t> n = writ::internal::BoundedLength(task, writ::kMaxGrantFieldBytes);
    if (!n) return writ::internal::TooLarge(error_out, "task", writ::kMaxGrantFieldBytes);
    const std::size_t removed = engine->engine->RemoveTask(std::string_view(task, *n)).size();
    if (removed_out != nullptr) *removed_out = removed;
    if (removed == 0) {
      return Fail(error_out, WRIT_NOT_FOUND,
                  writ::internal::NamedError("task", absl::StrCat("no grant has the task `", task, "`")));
    }
    return static_cast<int>(WRIT_OK);
  });
}

char* writ_grants_json(const writ_engine* engine) {
  if (engine == nullptr) return nullptr;
  try {
    const std::string json = writ::GrantsToJson(engine->engine->grants());
    return writ::internal::CopyParts({json});
  } catch (...) {
    return nullptr;
  }
}

int writ_is_revoked(const writ_engine* engine, const char* uid, int* revoked_out, char** error_out) {
  if (error_out != nullptr) *error_out = nullptr;
  if (revoked_out == nullptr) return NullArgument(error_out, "writ_is_revoked", "revoked_out");
  *revoked_out = 0;
  if (engine == nullptr) return NullArgument(error_out, "writ_is_revoked", "engine");
  if (uid == nullptr) return NullArgument(error_out, "writ_is_revoked", "uid");
  return Guard(error_out, [&] {
    int code = WRIT_OK;
    std::optional<writ::EntityUid> parsed = writ::internal::ReadUid(uid, "uid", &code, error_out);
    if (!parsed) return code;
    *revoked_out = engine->revoked->Contains(*parsed) ? 1 : 0;
    return static_cast<int>(WRIT_OK);
  });
}

void writ_string_free(char* s) { std::free(s); }

}  // extern "C"
