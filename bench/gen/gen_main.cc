// writ-bench-gen: writes a benchmark dataset (policies.cedar, entities.json,
// requests.jsonl) for `writ bench`, Cedar's engine (bench/peers) and people.
//
//   writ-bench-gen --set workload|gdrive|github|tinytodo [--n N] [--requests R]
//                  [--seed S] --out DIR
//
// Exits 2 on a usage error, 1 when the files cannot be written.
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "bench/gen/oopsla.h"
#include "bench/gen/workload.h"
#include "bench/gen/write.h"

namespace {

constexpr const char* kUsage =
    "usage: writ-bench-gen --set workload|gdrive|github|tinytodo [--n N] [--requests R] [--seed S] --out DIR\n"
    "  --n         workload: permit policies (default 1000); the others: entities of each\n"
    "              main type (default 100; the store grows with its square, see oopsla.h)\n"
    "  --requests  workload: requests, all distinct (default 10000); the others generate their own\n"
    "  --seed      generator seed (default 42)\n";

int Usage(const std::string& why) {
  std::cerr << "writ-bench-gen: " << why << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string set, out;
  int n = -1, requests = 10000;
  std::uint64_t seed = 42;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 == args.size()) return Usage(flag + " needs a value");
    const std::string& value = args[++i];
    if (flag == "--set") {
      set = value;
    } else if (flag == "--out") {
      out = value;
    } else if (flag == "--n") {
      if (!absl::SimpleAtoi(value, &n) || n < 1 || n > 1'000'000) return Usage("--n takes 1 to 1000000");
    } else if (flag == "--requests") {
      if (!absl::SimpleAtoi(value, &requests) || requests < 1 || requests > 10'000'000) {
        return Usage("--requests takes 1 to 10000000");
      }
    } else if (flag == "--seed") {
      if (!absl::SimpleAtoi(value, &seed)) return Usage("--seed takes an unsigned integer");
    } else {
      return Usage("unknown flag " + flag);
    }
  }
  if (out.empty()) return Usage("--out DIR is required");
  writ::bench::Dataset d;
  if (set == "workload") {
    d = writ::bench::MakeWorkloadDataset(n > 0 ? n : 1000, requests, seed);
  } else if (set == "gdrive") {
    d = writ::bench::MakeGdrive(n > 0 ? n : 100, seed);
  } else if (set == "github") {
    d = writ::bench::MakeGithub(n > 0 ? n : 100, seed);
  } else if (set == "tinytodo") {
    d = writ::bench::MakeTinytodo(n > 0 ? n : 100, seed);
  } else {
    return Usage("--set must be workload, gdrive, github or tinytodo");
  }
  if (absl::Status s = writ::bench::WriteDataset(d, out); !s.ok()) {
    std::cerr << "writ-bench-gen: " << s.message() << "\n";
    return 1;
  }
  return 0;
}
