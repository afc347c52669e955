/* writ/c_api.h — writ's C ABI: compile Cedar policies into an engine and ask
 * it for authorization decisions from C, or from any language that calls C.
 *
 * NAME
 *   writ_engine_new, writ_engine_new_ex, writ_engine_new_sources,
 *   writ_engine_free, writ_decide_json,
 *   writ_decide, writ_decide_chain, writ_decision_*, writ_revoke,
 *   writ_restore, writ_is_revoked, writ_string_free, writ_status_string,
 *   writ_version
 *
 * SYNOPSIS
 *   #include <writ/c_api.h>
 *
 *   char* error = NULL;
 *   writ_engine* engine = writ_engine_new(policy_text, entities_json, &error);
 *   if (engine == NULL) { fprintf(stderr, "%s", error); writ_string_free(error); }
 *
 *   char* decision = NULL;
 *   if (writ_decide_json(engine, request_json, &decision, &error) == WRIT_OK) {
 *     puts(decision);            // {"decision":"allow","reasons":["policy0"],"errors":[]}
 *     writ_string_free(decision);
 *   } else {
 *     fprintf(stderr, "%s", error);   // deny: the request could not be read
 *     writ_string_free(error);
 *   }
 *
 *   writ_decision* d = NULL;
 *   if (writ_decide(engine, "Workload::\"api\"", "Action::\"read\"", "Bucket::\"ledger\"",
 *                   "{\"environment\": \"prod\"}", NULL, &d, &error) == WRIT_OK) {
 *     if (writ_decision_allowed(d)) { ... }
 *     writ_decision_free(d);
 *   }
 *   writ_engine_free(engine);
 *
 *   Link with the CMake target writ::writ (or writ::writ_capi), after
 *   find_package(writ CONFIG REQUIRED); or with `pkg-config --cflags --libs
 *   writ`. The library is C++: link with a C++-aware driver, as CMake does,
 *   or add the C++ runtime (pkg-config's writ.pc lists it).
 *
 * DESCRIPTION
 *   An engine (writ_engine) is a policy set and an entity store compiled
 *   once (writ::Engine in C++). It decides requests, each a principal, an
 *   action, a resource, a context record and optionally the request time,
 *   exactly as Cedar decides them: default deny, a satisfied forbid
 *   overrides every permit, a policy whose condition errors is skipped and
 *   reported. Each engine owns a revocation list (writ_revoke): a request
 *   whose principal, an ancestor of the principal, or context.credential is
 *   revoked is denied before any policy is considered.
 *
 *   Entity uids given as C strings are Cedar's text form `Type::"id"`, for
 *   example `Workload::"spiffe://prod.acme.io/ns/payments/sa/api"` or
 *   `Action::"read"`. JSON inputs use Cedar's JSON forms, as the `writ` CLI
 *   reads them (README.md): a request is
 *   {"principal":..,"action":..,"resource":..,"context":{..},"now":".."}.
 *   The request time `now` (RFC 3339 with a zone, such as
 *   "2026-11-22T12:00:00Z") is what lifecycle annotations (@expires,
 *   @not_before) are checked against; without it, the system clock. A
 *   request made through other identities (an agent's tool for a user) adds
 *   "chain":[uids], the identities the principal acts for, nearest first (at
 *   most 16): it is allowed only when every identity is (README: identity
 *   chains).
 *
 *   A decision in JSON is one line, the same as `writ authorize` prints:
 *   {"decision":"allow"|"deny","reasons":[ids],"errors":[{"policy":..,
 *   "message":..}]}, plus "breakglass":[ids] and "revoked":true when they
 *   apply, and for a chained request that was denied "denied_by":"Type::\"id\"",
 *   the first identity denied (whose decision it then is).
 *
 * RETURN VALUES AND ERRORS
 *   Functions that can fail return an int: WRIT_OK (0) on success, else one
 *   of the writ_status codes below; writ_status_string names each one.
 *   Constructors returning a pointer return NULL on failure.
 *
 *   Every function that can fail takes `char** error_out` (which may be
 *   NULL: then no text is made). On failure, *error_out is set to a newly
 *   allocated, NUL-terminated UTF-8 message (or to NULL if even that could
 *   not be allocated); on success it is set to NULL. Mistakes in policy
 *   text and JSON are rendered like a compiler's, every one of them, as
 *   `name:line:column: error: message`, the source line and a caret.
 *
 *   A decision call that fails made no decision: treat it as a deny. A
 *   decision call that succeeds may still carry policy errors (policies
 *   whose evaluation failed and were skipped); those are part of the
 *   decision, not failures of the call.
 *
 *   Nothing crashes on bad input: a NULL where a value is required is
 *   WRIT_INVALID_ARGUMENT, text that does not read is WRIT_INVALID_INPUT,
 *   input past a bound below is WRIT_TOO_LARGE, and running out of memory
 *   is WRIT_NO_MEMORY. No C++ exception ever leaves this API.
 *
 * OWNERSHIP
 *   - writ_engine*: from writ_engine_new / writ_engine_new_ex /
 *     writ_engine_new_sources; release with
 *     writ_engine_free.
 *   - writ_decision*: from writ_decide or writ_decide_chain; release with
 *     writ_decision_free.
 *   - char* (decision JSON, *error_out, writ_decision_to_json): the caller
 *     owns it; release with writ_string_free.
 *   - const char* (writ_decision_reason, writ_decision_error_*,
 *     writ_decision_breakglass, writ_decision_denied_by,
 *     writ_engine_warnings): borrowed; valid until
 *     the decision or engine it came from is freed. Do not free.
 *   - const char* from writ_version and writ_status_string: static.
 *   - Inputs are only read during the call; nothing keeps a pointer to them.
 *   All the free functions accept NULL and then do nothing.
 *
 * THREAD SAFETY
 *   An engine is immutable once made, except for its revocation list. Any
 *   number of threads may call writ_decide_json, writ_decide,
 *   writ_is_revoked and the engine accessors on the same engine at once,
 *   and writ_revoke / writ_restore and the grant calls (writ_grant,
 *   writ_revoke_grant, writ_close_task) may be called while other threads decide:
 *   a change is seen by every decision that starts after the call returns,
 *   on every thread, without recompiling and without blocking deciders.
 *   writ_engine_free must not run concurrently with any other call on that
 *   engine. A writ_decision may be read from many threads; free it once.
 *
 * BOUNDS
 *   Policy text: WRIT_MAX_POLICY_TEXT_BYTES per source, nesting 128 deep.
 *   Schema: WRIT_MAX_SCHEMA_BYTES.
 *   JSON (entities, request, context): WRIT_MAX_JSON_BYTES per document,
 *   nesting 128 deep. Entity uid text: WRIT_MAX_UID_BYTES. Request time:
 *   WRIT_MAX_TIME_BYTES. Source names: WRIT_MAX_NAME_BYTES. Revoked uids:
 *   WRIT_MAX_REVOKED_UIDS distinct uids per engine (ever revoked). Identity
 *   chains: WRIT_MAX_CHAIN_LENGTH identities besides the principal. Strings
 *   are scanned no further than their bound plus one byte.
 *
 * This header is C99 and C++ compatible and includes only <stddef.h>.
 */
#ifndef WRIT_C_API_H_
#define WRIT_C_API_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The bounds on inputs (the same as writ/limits.h). */
#define WRIT_MAX_POLICY_TEXT_BYTES ((size_t)64 << 20)
#define WRIT_MAX_JSON_BYTES ((size_t)256 << 20)
#define WRIT_MAX_SCHEMA_BYTES ((size_t)16 << 20)
#define WRIT_MAX_UID_BYTES WRIT_MAX_POLICY_TEXT_BYTES
#define WRIT_MAX_TIME_BYTES ((size_t)64)
#define WRIT_MAX_NAME_BYTES ((size_t)4096)
#define WRIT_MAX_REVOKED_UIDS ((size_t)1 << 22)
#define WRIT_MAX_GRANTS ((size_t)1000000)
#define WRIT_MAX_CHAIN_LENGTH ((size_t)16)

/* Result codes. */
typedef enum writ_status {
  WRIT_OK = 0,
  WRIT_INVALID_ARGUMENT = 1, /* a NULL where a value is required, an unknown flag */
  WRIT_INVALID_INPUT = 2,    /* policy text, JSON, a uid or a time that does not read */
  WRIT_TOO_LARGE = 3,        /* an input past its bound (see BOUNDS) */
  WRIT_NO_MEMORY = 4,        /* allocation failed */
  WRIT_INTERNAL = 5,         /* a bug in writ: please report it */
  WRIT_NOT_FOUND = 6         /* no grant (or task) of that id */
} writ_status;

/* Flags for writ_engine_new_ex, or-ed together. */
/* A forbid whose condition errors denies (listed in reasons and errors)
 * instead of being skipped as Cedar skips it. */
#define WRIT_FAIL_CLOSED 1u
/* Pure Cedar: writ's extensions (spiffe(), .matches, lifecycle annotations,
 * spiffe values in JSON) are rejected. */
#define WRIT_STRICT 2u

typedef struct writ_engine writ_engine;
typedef struct writ_decision writ_decision;

/* writ's version, e.g. "0.1.0". Static. */
const char* writ_version(void);

/* A short static name for a writ_status code ("ok", "invalid argument", ...);
 * "unknown status" for any other number. */
const char* writ_status_string(int status);

/* Compiles `policies` (Cedar policy text, required; ids policy0, policy1, ...
 * in order unless given with @id) and `entities_json` (Cedar's entity JSON,
 * an array; NULL or "" for no entities). Issues are located as
 * policies:LINE:COL and entities:LINE:COL. Returns NULL on failure, with
 * every issue rendered into *error_out. Default options: no WRIT_FAIL_CLOSED,
 * writ's extensions on. */
writ_engine* writ_engine_new(const char* policies, const char* entities_json, char** error_out);

/* As writ_engine_new, naming the sources in issues (`policies_name`,
 * `entities_name`; NULL: "policies", "entities") and taking `flags`
 * (WRIT_FAIL_CLOSED | WRIT_STRICT; any other bit is WRIT_INVALID_ARGUMENT).
 * On success *engine_out is the new engine; on failure it is NULL. */
int writ_engine_new_ex(const char* policies, const char* policies_name, const char* entities_json,
                       const char* entities_name, unsigned flags, writ_engine** engine_out,
                       char** error_out);

/* What a writ_source holds. */
typedef enum writ_source_kind {
  WRIT_SOURCE_POLICIES = 0, /* Cedar policy text; ids policy0, ... count on across sources */
  WRIT_SOURCE_ENTITIES = 1, /* Cedar entity JSON (an array); several merge into one store */
  WRIT_SOURCE_SCHEMA = 2,   /* a Cedar schema, human-readable or JSON form; at most one */
  WRIT_SOURCE_REVOKED = 3,  /* revoked uids, one Type::"id" per line (# comments) */
  WRIT_SOURCE_TEMPLATE_LINKS = 4 /* links of templates, the Cedar CLI's --template-linked JSON:
                                    [{"template_id", "link_id", "args": {"?principal": "T::\"id\""}}];
                                    made after every policy source */
} writ_source_kind;

/* writ_source.size for text that ends at its NUL. */
#define WRIT_NUL_TERMINATED ((size_t)-1)

/* One named input of writ_engine_new_sources. */
typedef struct writ_source {
  int kind;          /* a writ_source_kind */
  const char* name;  /* names it in issues; NULL: "policies", "entities", "schema", "revoked" or "links" */
  const char* data;  /* the bytes (required) */
  size_t size;       /* bytes at `data`, or WRIT_NUL_TERMINATED */
} writ_source;

/* Makes an engine from any number of sources (writ's loader, writ/load.h):
 * policy texts, entity documents, a schema and revocation lists, each named
 * in issues. With a schema, entities are read through it, and so are
 * requests: writ_decide_json reads a request through the schema, and a
 * request that reads but does not conform to the schema is decided as a
 * deny whose one error (policy "") says why (WRIT_OK: no policy is
 * evaluated on misread data); writ_decide reads its request the same way
 * (its context typed by the action's context in the schema). A schema that does not load fails the
 * call, as any source does: every issue is rendered into *error_out. The
 * revoked uids start the engine's revocation list (writ_revoke changes it
 * afterwards). `flags` as for writ_engine_new_ex; a kind that is not a
 * writ_source_kind is WRIT_INVALID_ARGUMENT. */
int writ_engine_new_sources(const writ_source* sources, size_t count, unsigned flags,
                            writ_engine** engine_out, char** error_out);

/* Frees `engine` (NULL: nothing). No other call on it may be running. */
void writ_engine_free(writ_engine* engine);

/* The number of compiled policies (templates excluded) and of entities.
 * 0 for NULL. */
size_t writ_engine_policy_count(const writ_engine* engine);
size_t writ_engine_entity_count(const writ_engine* engine);

/* Warnings found while making `engine` (for instance an unknown entity field
 * that was ignored), rendered like errors; NULL when there were none.
 * Borrowed from the engine. */
const char* writ_engine_warnings(const writ_engine* engine);

/* Decides one request given as JSON (see DESCRIPTION; its issues are located
 * as request:LINE:COL). On success *decision_json_out is the decision in
 * JSON, to be freed with writ_string_free. On failure (the request does not
 * read, NULLs, bounds) *decision_json_out is NULL and nothing was decided:
 * deny. */
int writ_decide_json(const writ_engine* engine, const char* request_json, char** decision_json_out,
                     char** error_out);

/* Decides one request given as plain strings: `principal`, `action` and
 * `resource` are uids in `Type::"id"` text (required); `context_json` is a
 * JSON object in Cedar's JSON forms (NULL or "": the empty record; issues
 * located as context:LINE:COL); `now` is the request time in RFC 3339 (NULL
 * or "": the system clock). On success *decision_out is the decision, to be
 * freed with writ_decision_free; on failure it is NULL: deny. */
int writ_decide(const writ_engine* engine, const char* principal, const char* action,
                const char* resource, const char* context_json, const char* now,
                writ_decision** decision_out, char** error_out);

/* As writ_decide, for a principal acting for other identities (an agent's
 * tool for the agent and its user): `chain` holds `chain_count` uids in
 * `Type::"id"` text, nearest first (may be NULL when chain_count is 0; at
 * most WRIT_MAX_CHAIN_LENGTH). Allowed only when every identity is, each
 * decided with the same action, resource, time and context plus
 * `chain_position`; a denial is the first denied identity's decision and
 * writ_decision_denied_by names it. A context that already has
 * `chain_position`, and any chain on a WRIT_STRICT engine, are
 * WRIT_INVALID_INPUT. */
int writ_decide_chain(const writ_engine* engine, const char* principal, const char* const* chain,
                      size_t chain_count, const char* action, const char* resource, const char* context_json,
                      const char* now, writ_decision** decision_out, char** error_out);

/* A decision's parts. For a NULL decision: not allowed, counts 0. Indexes at
 * or past the count give NULL. The strings are borrowed from the decision. */
int writ_decision_allowed(const writ_decision* decision);  /* 1 allow, 0 deny */
int writ_decision_revoked(const writ_decision* decision);  /* 1 when denied as revoked */
/* For a chained request that was denied (writ_decide_chain): the identity
 * denied, as `Type::"id"`; NULL otherwise. Borrowed from the decision. */
const char* writ_decision_denied_by(const writ_decision* decision);
/* The determining policies: the satisfied forbids when a forbid denied, else
 * the satisfied permits; in policy-set order. */
size_t writ_decision_reason_count(const writ_decision* decision);
const char* writ_decision_reason(const writ_decision* decision, size_t i);
/* Policies whose evaluation failed (skipped, unless WRIT_FAIL_CLOSED made an
 * erroring forbid deny): the policy id and the message. */
size_t writ_decision_error_count(const writ_decision* decision);
const char* writ_decision_error_policy(const writ_decision* decision, size_t i);
const char* writ_decision_error_message(const writ_decision* decision, size_t i);
/* The determining policies that are break-glass grants (@breakglass). */
size_t writ_decision_breakglass_count(const writ_decision* decision);
const char* writ_decision_breakglass(const writ_decision* decision, size_t i);
/* The decision as one line of JSON (as writ_decide_json gives it), to be
 * freed with writ_string_free; NULL when `decision` is NULL or memory ran
 * out. */
char* writ_decision_to_json(const writ_decision* decision);
/* Frees `decision` (NULL: nothing). */
void writ_decision_free(writ_decision* decision);

/* Revokes `uid` (`Type::"id"` text) in `engine`'s revocation list: every
 * decision that starts after the call returns, on any thread, denies a
 * request whose principal, an ancestor of the principal, or
 * context.credential is `uid`. Revoking a revoked uid changes nothing.
 * WRIT_TOO_LARGE past WRIT_MAX_REVOKED_UIDS distinct uids. May be called
 * while other threads decide. */
int writ_revoke(writ_engine* engine, const char* uid, char** error_out);

/* Restores `uid` (`Type::"id"` text); restoring a uid that is not revoked
 * is not an error. May be called while other threads decide. */
int writ_restore(writ_engine* engine, const char* uid, char** error_out);

/* Whether `uid` is revoked now: *revoked_out is 1 or 0. */
int writ_is_revoked(const writ_engine* engine, const char* uid, int* revoked_out, char** error_out);

/* Run-time grants (just-in-time access; writ/grants.h). A grant links one
 * of the engine's templates at run time, optionally for a window, and is
 * decided exactly as the same template-linked policy, reported by its link
 * id. Issuing and revoking may be called while other threads decide: a
 * change is seen by every decision that starts after the call returns,
 * without recompiling and without blocking deciders.
 *
 * writ_grant issues one grant, `grant_json` being one object of the grants
 * file's form:
 *   {"template_id": "policy0", "link_id": "grant-17",
 *    "args": {"?principal": "Workload::\"ci\""},
 *    "not_before": "2026-12-03T10:00:00Z", "expires": "2026-12-03T11:00:00Z",
 *    "owner": "alice", "reason": "deploy", "task": "CHG-1234"}
 * (every field after "args" optional; none of them under WRIT_STRICT).
 * WRIT_INVALID_INPUT when it does not read, or the engine refuses it (no
 * such template, a missing or extra slot, a link id already taken, an empty
 * or past window); WRIT_TOO_LARGE past WRIT_MAX_GRANTS live grants. */
int writ_grant(writ_engine* engine, const char* grant_json, char** error_out);

/* Revokes the grant `link_id`; WRIT_NOT_FOUND when there is none. */
int writ_revoke_grant(writ_engine* engine, const char* link_id, char** error_out);

/* Revokes every grant of `task` (a task closed); *removed_out (may be NULL)
 * is how many. WRIT_NOT_FOUND when the task has none. */
int writ_close_task(writ_engine* engine, const char* task, size_t* removed_out, char** error_out);

/* The grants held, in issue order, as a JSON array in the grants file's
 * form; the caller frees it with writ_string_free. NULL when `engine` is
 * NULL or out of memory. */
char* writ_grants_json(const writ_engine* engine);

/* Frees a string this API returned (NULL: nothing). */
void writ_string_free(char* s);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WRIT_C_API_H_ */
