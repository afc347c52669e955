// Tests for src/compile/uid_table: every inserted uid is found with its value
// whatever its length (inline keys, keys past the inline bytes, empty parts),
// and uids that differ only in where type ends and id begins stay apart.
#include "src/compile/uid_table.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace writ::internal {
namespace {

TEST(UidTableTest, FindsEveryKeyOfEveryLength) {
  std::vector<EntityUid> uids;
  for (int n = 0; n < 120; ++n) {
    for (int k = 0; k < 40; ++k) {
      uids.push_back({"T" + std::to_string(k % 3), std::string(n, 'x') + std::to_string(k)});
    }
  }
  uids.push_back({"", ""});
  uids.push_back({std::string(70000, 't'), "long type"});   // lengths past 16 bits
  UidTable table(uids.size());
  for (std::size_t i = 0; i < uids.size(); ++i) table.Insert(uids[i], static_cast<std::uint32_t>(i));
  for (std::size_t i = 0; i < uids.size(); ++i) EXPECT_EQ(table.Find(uids[i]), i) << uids[i].ToString();
  EXPECT_EQ(table.Find({"T0", "missing"}), UidTable::kMissing);
  EXPECT_EQ(table.Find({"T9", "x0"}), UidTable::kMissing);
  EXPECT_EQ(table.Find({std::string(70000, 't'), "long typ"}), UidTable::kMissing);
}

TEST(UidTableTest, TheTypeIdBoundaryMatters) {
  UidTable table(4);
  table.Insert({"ab", "c"}, 1);
  table.Insert({"a", "bc"}, 2);
  EXPECT_EQ(table.Find({"ab", "c"}), 1u);
  EXPECT_EQ(table.Find({"a", "bc"}), 2u);
  EXPECT_EQ(table.Find({"abc", ""}), UidTable::kMissing);
  // Past the inline bytes too.
  const std::string l(60, 'l');
  table.Insert({"ab" + l, "c"}, 3);
  table.Insert({"a", "b" + l + "c"}, 4);
  EXPECT_EQ(table.Find({"ab" + l, "c"}), 3u);
  EXPECT_EQ(table.Find({"a", "b" + l + "c"}), 4u);
  EXPECT_EQ(table.Find({"ab" + l + "c", ""}), UidTable::kMissing);
}

TEST(UidTableTest, AnEmptyTableFindsNothing) {
  UidTable table;
  EXPECT_EQ(table.Find({"T", "x"}), UidTable::kMissing);
}

}  // namespace
}  // namespace writ::internal
