// Random templates and links (random_links.h).
#include "tests/compile/random_links.h"

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"

namespace writ::testing_gen {
namespace {

const char* Pick(std::mt19937_64& rng, const std::vector<const char*>& from) {
  return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
}

}  // namespace

RandomLinked GenerateLinked(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<const char*> principals = {"principal == ?principal", "principal in ?principal",
                                               "principal is W in ?principal", "principal is T in ?principal",
                                               "principal", "principal == W::\"ci\"", "principal is W"};
  const std::vector<const char*> resources = {"resource == ?resource", "resource in ?resource",
                                              "resource is B in ?resource", "resource", "resource in F::\"ops\""};
  const std::vector<const char*> actions = {"action", "action == Action::\"read\"",
                                            "action in [Action::\"read\", Action::\"write\"]"};
  const std::vector<const char*> conditions = {"", " when { context.flag }", " unless { resource has open }",
                                               " when { principal.level > 2 }", " when { true }"};
  const std::vector<const char*> principal_args = {"W::\"ci\"", "W::\"bot\"", "T::\"build\"", "T::\"none\"",
                                                   "W::\"ghost\""};
  const std::vector<const char*> resource_args = {"B::\"logs\"", "F::\"ops\"", "B::\"secret\"", "F::\"x\""};
  RandomLinked out;
  std::vector<std::string> texts;   // each parsed policy's text, slots as written
  std::string linked_text;
  for (int i = 0; i < 6; ++i) {
    std::string t = absl::StrCat(rng() % 10 < 7 ? "permit" : "forbid", "(", Pick(rng, principals), ", ",
                                 Pick(rng, actions), ", ", Pick(rng, resources), ")", Pick(rng, conditions), ";\n");
    texts.push_back(t);
    linked_text += t;
  }
  out.text = linked_text;
  EXPECT_TRUE(out.linked.Add(linked_text, "t.cedar", nullptr).ok());
  std::string expanded_text;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].find('?') != std::string::npos) continue;
    expanded_text += texts[i];
    out.names.push_back(absl::StrCat("policy", i));
  }
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const bool p = texts[i].find("?principal") != std::string::npos;
    const bool r = texts[i].find("?resource") != std::string::npos;
    if (!p && !r) continue;
    const int n = static_cast<int>(rng() % 4);
    for (int k = 0; k < n; ++k) {
      const std::string pa = Pick(rng, principal_args), ra = Pick(rng, resource_args);
      TemplateLink link{absl::StrCat("policy", i), absl::StrCat("link", i, "-", k), std::nullopt, std::nullopt};
      std::vector<std::pair<std::string, std::string>> subst;
      if (p) {
        link.principal = EntityUid{pa.substr(0, 1), pa.substr(4, pa.size() - 5)};
        subst.push_back({"?principal", pa});
      }
      if (r) {
        link.resource = EntityUid{ra.substr(0, 1), ra.substr(4, ra.size() - 5)};
        subst.push_back({"?resource", ra});
      }
      EXPECT_TRUE(out.linked.Link(link).ok());
      out.links.push_back(link);
      expanded_text += absl::StrReplaceAll(texts[i], subst);
      out.names.push_back(link.link_id);
    }
  }
  EXPECT_TRUE(out.expanded.Add(expanded_text, "e.cedar", nullptr).ok()) << expanded_text;
  return out;
}


}  // namespace writ::testing_gen
