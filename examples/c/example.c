/* Example: authorizing from C with writ's C API (writ/c_api.h).
 *
 * Loads the bundled example (policies/example: policies.cedar,
 * entities.json, request.json), decides its request from JSON, decides
 * another from plain strings, revokes the caller and decides again, printing
 * each decision; then frees everything.
 *
 *   example_c [DIR]     DIR defaults to the source tree's policies/example
 *
 * Build it in your own project with find_package(writ CONFIG REQUIRED) and
 * target_link_libraries(app PRIVATE writ::writ), or with
 *   cc example.c $(pkg-config --cflags --libs writ)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "writ/c_api.h"

#ifndef WRIT_EXAMPLE_DIR
#define WRIT_EXAMPLE_DIR "policies/example"
#endif

/* Reads `dir`/`name` whole (at most `max` bytes); NULL, reported, on failure.
 * The caller frees the result with free(). */
static char* read_file(const char* dir, const char* name, size_t max) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
    fprintf(stderr, "error: path too long: %s/%s\n", dir, name);
    return NULL;
  }
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "error: %s: cannot open file\n", path);
    return NULL;
  }
  size_t size = 0, capacity = 4096;
  char* text = malloc(capacity);
  while (text != NULL) {
    if (size + 1 >= capacity) {
      char* bigger = capacity > max ? NULL : realloc(text, capacity * 2);
      if (bigger == NULL) {
        fprintf(stderr, "error: %s: larger than %zu bytes or out of memory\n", path, max);
        free(text);
        text = NULL;
        break;
      }
      text = bigger;
      capacity *= 2;
    }
    size_t n = fread(text + size, 1, capacity - size - 1, f);
    size += n;
    if (n == 0) {
      text[size] = '\0';
      break;
    }
  }
  if (text != NULL && ferror(f)) {
    fprintf(stderr, "error: %s: read error\n", path);
    free(text);
    text = NULL;
  }
  fclose(f);
  return text;
}

/* Prints a decision made from plain strings, part by part. */
static void print_decision(const char* label, const writ_decision* d) {
  size_t i;
  printf("%s: %s%s", label, writ_decision_allowed(d) ? "allow" : "deny",
         writ_decision_revoked(d) ? " (revoked)" : "");
  for (i = 0; i < writ_decision_reason_count(d); ++i) {
    printf("%s%s", i == 0 ? ", because of " : " ", writ_decision_reason(d, i));
  }
  for (i = 0; i < writ_decision_error_count(d); ++i) {
    printf("; %s failed: %s", writ_decision_error_policy(d, i), writ_decision_error_message(d, i));
  }
  printf("\n");
}

int main(int argc, char** argv) {
  const char* dir = argc > 1 ? argv[1] : WRIT_EXAMPLE_DIR;
  const char* api = "Workload::\"spiffe://prod.acme.io/ns/payments/sa/api\"";
  int status = 1;
  char* error = NULL;
  char* json = NULL;
  writ_engine* engine = NULL;
  writ_decision* d = NULL;

  char* policies = read_file(dir, "policies.cedar", WRIT_MAX_POLICY_TEXT_BYTES);
  char* entities = read_file(dir, "entities.json", WRIT_MAX_JSON_BYTES);
  char* request = read_file(dir, "request.json", WRIT_MAX_JSON_BYTES);
  if (policies == NULL || entities == NULL || request == NULL) goto done;

  printf("writ %s\n", writ_version());
  /* 1. Compile once; issues come back rendered, with file:line:col. */
  if (writ_engine_new_ex(policies, "policies.cedar", entities, "entities.json", 0, &engine,
                         &error) != WRIT_OK) {
    fprintf(stderr, "%s", error);
    goto done;
  }
  printf("%zu policies, %zu entities\n", writ_engine_policy_count(engine),
         writ_engine_entity_count(engine));

  /* 2. A request in JSON; the decision in JSON, as `writ authorize` prints it. */
  if (writ_decide_json(engine, request, &json, &error) != WRIT_OK) {
    fprintf(stderr, "request.json: %s", error);   /* nothing decided: deny */
    goto done;
  }
  printf("request.json: %s\n", json);

  /* 3. A request from plain strings, with a JSON context. */
  if (writ_decide(engine, api, "Action::\"read\"", "Bucket::\"ledger\"",
                  "{\"environment\": \"prod\", \"now\": 1795000000}", NULL, &d, &error) != WRIT_OK) {
    fprintf(stderr, "%s", error);
    goto done;
  }
  print_decision("read ledger", d);
  writ_decision_free(d);
  d = NULL;

  /* 4. Revoke the caller: the next decision, on any thread, denies it. */
  if (writ_revoke(engine, api, &error) != WRIT_OK) {
    fprintf(stderr, "%s", error);
    goto done;
  }
  if (writ_decide(engine, api, "Action::\"read\"", "Bucket::\"ledger\"",
                  "{\"environment\": \"prod\", \"now\": 1795000000}", NULL, &d, &error) != WRIT_OK) {
    fprintf(stderr, "%s", error);
    goto done;
  }
  print_decision("read ledger after revoking", d);
  status = writ_decision_revoked(d) ? 0 : 1;

done:
  writ_decision_free(d);
  writ_string_free(json);
  writ_string_free(error);
  writ_engine_free(engine);
  free(policies);
  free(entities);
  free(request);
  return status;
}
