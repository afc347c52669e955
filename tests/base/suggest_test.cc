#include "src/base/suggest.h"

#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace writ::internal {
namespace {

TEST(SuggestTest, EditDistance) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("expcet", "expect"), 2u);
  EXPECT_EQ(EditDistance("isInRnge", "isInRange"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(SuggestTest, TheNearestWithinTwoEdits) {
  const std::vector<std::string_view> names = {"contains", "containsAll", "containsAny", "isEmpty"};
  EXPECT_EQ(Nearest("contain", names), "contains");
  EXPECT_EQ(Nearest("containsAl", names), "containsAll");
  EXPECT_EQ(Nearest("isempty", names), "isEmpty");
  EXPECT_EQ(Nearest("frobnicate", names), "");
  EXPECT_EQ(Nearest("contains", names), "");   // known: nothing to suggest
  EXPECT_EQ(Suggest("isEmty", names), "did you mean `isEmpty`?");
  EXPECT_EQ(Suggest("zzz", {}), "");
}

}  // namespace
}  // namespace writ::internal
