// A seeded generator of random Cedar policies, entities and requests for the
// differential test of the compiled engine against the reference authorizer.
// It writes every operator and extension function, mostly well-typed so that
// conditions are often true or false, sometimes ill-typed, over attributes
// that some entities lack, unknown entities, hierarchy cycles and integer
// overflow, so that errors are exercised too.
#ifndef WRIT_TESTS_COMPILE_RANDOM_GEN_H_
#define WRIT_TESTS_COMPILE_RANDOM_GEN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "writ/entities.h"
#include "writ/request.h"

namespace writ::testing_gen {

struct RandomCase {
  std::string policies;   // Cedar policy text; parses without errors
  Entities entities;
  std::vector<Request> requests;
};

struct RandomGenOptions {
  int policies = 8;
  int requests = 16;
  int max_depth = 4;
};

// Deterministic in `seed` on every platform.
RandomCase GenerateRandomCase(std::uint64_t seed, const RandomGenOptions& options = {});

}  // namespace writ::testing_gen

#endif  // WRIT_TESTS_COMPILE_RANDOM_GEN_H_
