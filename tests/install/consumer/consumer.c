/* A C consumer of the installed package (through CMake's writ::writ_capi
 * and through pkg-config): one engine, one decision, everything freed. */
#include <stdio.h>
#include <string.h>

#include "writ/c_api.h"

int main(void) {
  char* error = NULL;
  char* json = NULL;
  int ok = 0;
  writ_engine* engine =
      writ_engine_new("permit(principal == Workload::\"api\", action == Action::\"read\", resource);", NULL,
                      &error);
  if (engine == NULL) {
    fprintf(stderr, "%s", error != NULL ? error : "out of memory\n");
    writ_string_free(error);
    return 2;
  }
  if (writ_decide_json(engine,
                       "{\"principal\": \"Workload::\\\"api\\\"\", \"action\": \"Action::\\\"read\\\"\","
                       " \"resource\": \"Bucket::\\\"b\\\"\"}",
                       &json, &error) == WRIT_OK) {
    printf("consumer_c (writ %s): %s\n", writ_version(), json);
    ok = strstr(json, "\"decision\":\"allow\"") != NULL;
  } else {
    fprintf(stderr, "%s", error != NULL ? error : "out of memory\n");
  }
  writ_string_free(json);
  writ_string_free(error);
  writ_engine_free(engine);
  return ok ? 0 : 1;
}
