// bench/gen: writing a Dataset as the files `writ bench` and the Cedar peer read.
#ifndef WRIT_BENCH_GEN_WRITE_H_
#define WRIT_BENCH_GEN_WRITE_H_

#include <string>

#include "absl/status/status.h"
#include "bench/gen/dataset.h"

namespace writ::bench {

// Writes dir/policies.cedar, dir/entities.json and dir/requests.jsonl,
// creating dir.
absl::Status WriteDataset(const Dataset& d, const std::string& dir);

}  // namespace writ::bench

#endif  // WRIT_BENCH_GEN_WRITE_H_
