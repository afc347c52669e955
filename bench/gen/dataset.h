// bench/gen: generated benchmark inputs. A Dataset is what `writ bench`,
// Cedar's engine (bench/peers) and the Google Benchmark programs all read:
// a policy text, an entity store in Cedar's JSON, and requests in the
// `writ authorize --requests` JSON-lines form; and, for the sets that have one,
// the Cedar schema they validate against.
#ifndef WRIT_BENCH_GEN_DATASET_H_
#define WRIT_BENCH_GEN_DATASET_H_

#include <string>
#include <vector>

namespace writ::bench {

struct Dataset {
  std::string name;                    // e.g. "workload-1000", "gdrive"
  std::string policies;                // Cedar policy text
  std::string entities_json;           // Cedar entity JSON: an array
  std::vector<std::string> requests;   // one JSON request object per entry, no newline
  std::string schema;                  // Cedar schema (human-readable form); "" for none
};

}  // namespace writ::bench

#endif  // WRIT_BENCH_GEN_DATASET_H_
