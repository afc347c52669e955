/* The C API from C: this file is compiled as C99 (-pedantic) and linked
 * against the library, as a C program embedding writ would be. It decides
 * both ways, reads reasons and errors, checks NULLs and rendered errors, and
 * revokes; it exits 1 on the first failed check, naming it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writ/c_api.h"

static int failures = 0;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                     \
    }                                                                 \
  } while (0)

static int contains(const char* haystack, const char* needle) {
  return haystack != NULL && strstr(haystack, needle) != NULL;
}

static const char kPolicies[] =
    "// who may read the ledger\n"
    "permit(principal in Namespace::\"payments\", action == Action::\"read\", resource == Bucket::\"ledger\")\n"
    "when { context.environment == \"prod\" };\n"
    "forbid(principal, action, resource) when { context has blocked && context.blocked };\n";

static const char kEntities[] =
    "[{\"uid\": {\"type\": \"Workload\", \"id\": \"api\"}, \"attrs\": {},"
    "  \"parents\": [{\"type\": \"Namespace\", \"id\": \"payments\"}]},"
    " {\"uid\": {\"type\": \"Namespace\", \"id\": \"payments\"}, \"attrs\": {}, \"parents\": []}]";

int main(void) {
  char* error = NULL;
  char* json = NULL;
  writ_decision* d = NULL;
  writ_engine* engine = NULL;
  int revoked = -1;

  CHECK(writ_version() != NULL && writ_version()[0] != '\0');
  CHECK(strcmp(writ_status_string(WRIT_TOO_LARGE), "input too large") == 0);

  engine = writ_engine_new(kPolicies, kEntities, &error);
  CHECK(engine != NULL);
  CHECK(error == NULL);
  if (engine == NULL) {
    fprintf(stderr, "%s", error != NULL ? error : "(no message)\n");
    writ_string_free(error);
    return 1;
  }
  CHECK(writ_engine_policy_count(engine) == 2);
  CHECK(writ_engine_entity_count(engine) == 2);

  /* Allow, from plain strings. */
  CHECK(writ_decide(engine, "Workload::\"api\"", "Action::\"read\"", "Bucket::\"ledger\"",
                    "{\"environment\": \"prod\"}", NULL, &d, &error) == WRIT_OK);
  CHECK(error == NULL);
  CHECK(writ_decision_allowed(d) == 1);
  CHECK(writ_decision_reason_count(d) == 1);
  CHECK(strcmp(writ_decision_reason(d, 0), "policy0") == 0);
  CHECK(writ_decision_reason(d, 1) == NULL);
  CHECK(writ_decision_error_count(d) == 0);
  json = writ_decision_to_json(d);
  CHECK(json != NULL && strcmp(json, "{\"decision\":\"allow\",\"reasons\":[\"policy0\"],\"errors\":[]}") == 0);
  writ_string_free(json);
  json = NULL;
  writ_decision_free(d);
  d = NULL;

  /* Deny by forbid, from JSON. */
  CHECK(writ_decide_json(engine,
                         "{\"principal\": \"Workload::\\\"api\\\"\", \"action\": \"Action::\\\"read\\\"\","
                         " \"resource\": \"Bucket::\\\"ledger\\\"\","
                         " \"context\": {\"environment\": \"prod\", \"blocked\": true}}",
                         &json, &error) == WRIT_OK);
  CHECK(json != NULL && strcmp(json, "{\"decision\":\"deny\",\"reasons\":[\"policy1\"],\"errors\":[]}") == 0);
  writ_string_free(json);
  json = NULL;

  /* A policy error is part of the decision. */
  CHECK(writ_decide(engine, "Workload::\"api\"", "Action::\"read\"", "Bucket::\"ledger\"", NULL, NULL, &d,
                    &error) == WRIT_OK);
  CHECK(writ_decision_allowed(d) == 0);
  CHECK(writ_decision_error_count(d) == 1);
  CHECK(strcmp(writ_decision_error_policy(d, 0), "policy0") == 0);
  CHECK(contains(writ_decision_error_message(d, 0), "environment"));
  writ_decision_free(d);
  d = NULL;

  /* Mistakes: rendered, located, and no decision. */
  CHECK(writ_decide_json(engine, "{\"principal\": 1}", &json, &error) == WRIT_INVALID_INPUT);
  CHECK(json == NULL);
  CHECK(contains(error, "request:1:"));
  writ_string_free(error);
  error = NULL;
  CHECK(writ_decide(engine, "api", "Action::\"read\"", "Bucket::\"ledger\"", NULL, NULL, &d, &error) ==
        WRIT_INVALID_INPUT);
  CHECK(d == NULL);
  CHECK(contains(error, "principal: error: `api` is not an entity uid"));
  writ_string_free(error);
  error = NULL;
  CHECK(writ_engine_new("permit(principal, action, resource) when { 1 + };", NULL, &error) == NULL);
  CHECK(contains(error, "policies:1:"));
  writ_string_free(error);
  error = NULL;

  /* NULLs are errors; the error text is optional. */
  CHECK(writ_decide(NULL, "a", "b", "c", NULL, NULL, &d, &error) == WRIT_INVALID_ARGUMENT);
  CHECK(contains(error, "`engine` is NULL"));
  writ_string_free(error);
  error = NULL;
  CHECK(writ_decide_json(engine, NULL, &json, NULL) == WRIT_INVALID_ARGUMENT);
  CHECK(writ_engine_new(NULL, NULL, NULL) == NULL);

  /* Revocation. */
  CHECK(writ_revoke(engine, "Namespace::\"payments\"", &error) == WRIT_OK);
  CHECK(writ_is_revoked(engine, "Namespace::\"payments\"", &revoked, &error) == WRIT_OK && revoked == 1);
  CHECK(writ_decide(engine, "Workload::\"api\"", "Action::\"read\"", "Bucket::\"ledger\"",
                    "{\"environment\": \"prod\"}", NULL, &d, &error) == WRIT_OK);
  CHECK(writ_decision_allowed(d) == 0 && writ_decision_revoked(d) == 1);
  writ_decision_free(d);
  d = NULL;
  CHECK(writ_restore(engine, "Namespace::\"payments\"", &error) == WRIT_OK);
  CHECK(writ_decide(engine, "Workload::\"api\"", "Action::\"read\"", "Bucket::\"ledger\"",
                    "{\"environment\": \"prod\"}", "2026-11-22T12:00:00Z", &d, &error) == WRIT_OK);
  CHECK(writ_decision_allowed(d) == 1);
  writ_decision_free(d);

  writ_engine_free(engine);

  /* Sources with a schema: requests are read through it; one that does not
   * conform is a deny with the reason (WRIT_OK); a bad schema fails. */
  {
    writ_source sources[3];
    writ_engine* typed = NULL;
    sources[0].kind = WRIT_SOURCE_SCHEMA;
    sources[0].name = "s.cedarschema";
    sources[0].data = "entity Workload; entity Bucket;\n"
                      "action read appliesTo { principal: Workload, resource: Bucket, context: { ip: ipaddr } };\n";
    sources[0].size = WRIT_NUL_TERMINATED;
    sources[1].kind = WRIT_SOURCE_POLICIES;
    sources[1].name = NULL;
    sources[1].data = "permit(principal, action, resource) when { context.ip.isLoopback() };";
    sources[1].size = WRIT_NUL_TERMINATED;
    sources[2].kind = WRIT_SOURCE_REVOKED;
    sources[2].name = NULL;
    sources[2].data = "Workload::\"gone\"\n";
    sources[2].size = strlen(sources[2].data);
    CHECK(writ_engine_new_sources(sources, 3, 0, &typed, &error) == WRIT_OK);
    CHECK(writ_decide_json(typed, "{\"principal\": \"Workload::\\\"api\\\"\", \"action\": \"Action::\\\"read\\\"\", "
                                  "\"resource\": \"Bucket::\\\"b\\\"\", \"context\": {\"ip\": \"127.0.0.1\"}}",
                           &json, &error) == WRIT_OK);
    CHECK(contains(json, "\"decision\":\"allow\""));
    writ_string_free(json);
    json = NULL;
    CHECK(writ_decide(typed, "Bucket::\"b\"", "Action::\"read\"", "Bucket::\"b\"", "{\"ip\": \"127.0.0.1\"}", NULL, &d,
                      &error) == WRIT_OK);
    CHECK(writ_decision_allowed(d) == 0 && writ_decision_error_count(d) == 1);
    CHECK(contains(writ_decision_error_message(d, 0), "does not conform to the schema"));
    writ_decision_free(d);
    d = NULL;
    CHECK(writ_is_revoked(typed, "Workload::\"gone\"", &revoked, &error) == WRIT_OK && revoked == 1);
    writ_engine_free(typed);
    sources[0].data = "entity Workload {";
    CHECK(writ_engine_new_sources(sources, 1, 0, &typed, &error) == WRIT_INVALID_INPUT && typed == NULL);
    CHECK(contains(error, "s.cedarschema:1:"));
    writ_string_free(error);
    error = NULL;
  }
  if (failures != 0) {
    fprintf(stderr, "%d checks failed\n", failures);
    return 1;
  }
  printf("c_api_c_test: all checks passed\n");
  return 0;
}
