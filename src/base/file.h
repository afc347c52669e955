// Reading whole input files with a bound on their size: policies, entities,
// suites, configuration.
#ifndef WRIT_SRC_BASE_FILE_H_
#define WRIT_SRC_BASE_FILE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"

namespace writ::internal {

// The whole file at `path`; an error when it cannot be opened or read, is a
// folder, or is larger than `max_bytes` (ResourceExhausted). The message
// says what went wrong, without the path ("cannot open file").
absl::StatusOr<std::string> ReadFileBounded(const std::string& path, std::size_t max_bytes);

// The same, the message starting with the path ("p.cedar: cannot open file").
absl::StatusOr<std::string> ReadNamedFile(const std::string& path, std::size_t max_bytes);

}  // namespace writ::internal

#endif  // WRIT_SRC_BASE_FILE_H_
