// A seeded generator of random Cedar templates and their links, with the
// static policies the links stand for (each template written out with its
// slots filled): for the tests that hold static links (links_test.cc) and
// run-time grants (grants_test.cc) to the policies they stand for.
#ifndef WRIT_TESTS_COMPILE_RANDOM_LINKS_H_
#define WRIT_TESTS_COMPILE_RANDOM_LINKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "writ/policy_set.h"

namespace writ::testing_gen {

struct RandomLinked {
  std::string text;                 // the templates and static policies
  PolicySet linked;                 // `text`, then the links
  std::vector<TemplateLink> links;  // in the order made
  PolicySet expanded;               // the same as static policies only
  std::vector<std::string> names;   // by expanded index: the id in `linked`
};

// Six templates or static policies over entity types W, T (principals), B, F
// (resources) and actions read, write, list; each template linked 0 to 3
// times. Deterministic in `seed`.
RandomLinked GenerateLinked(std::uint64_t seed);

}  // namespace writ::testing_gen

#endif  // WRIT_TESTS_COMPILE_RANDOM_LINKS_H_
