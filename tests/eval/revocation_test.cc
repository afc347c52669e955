// Tests for writ::RevocationList: revoke, restore, growth past many uids, and
// reading revocation files with located errors. Decisions with revocation
// are in tests/compile/lifecycle_test.cc; revoking while other threads decide
// is EngineTest.ConcurrentRevocationTakesEffectOnTheNextDecision (TSan).
#include "writ/revocation.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace writ {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

TEST(RevocationListTest, RevokeAndRestore) {
  RevocationList list;
  EXPECT_FALSE(list.Contains({"Credential", "k1"}));
  ASSERT_TRUE(list.Revoke({"Credential", "k1"}).ok());
  ASSERT_TRUE(list.Revoke({"Credential", "k1"}).ok());   // again: no change
  EXPECT_TRUE(list.Contains({"Credential", "k1"}));
  EXPECT_FALSE(list.Contains({"Credential", "k2"}));
  EXPECT_FALSE(list.Contains({"Other", "k1"}));
  EXPECT_EQ(list.size(), 1u);
  EXPECT_TRUE(list.Restore({"Credential", "k1"}));
  EXPECT_FALSE(list.Restore({"Credential", "k1"}));
  EXPECT_FALSE(list.Restore({"Credential", "never"}));
  EXPECT_FALSE(list.Contains({"Credential", "k1"}));
  EXPECT_EQ(list.size(), 0u);
  ASSERT_TRUE(list.Revoke({"Credential", "k1"}).ok());   // re-revoking reuses the uid's slot
  EXPECT_THAT(list.List(), ElementsAre(EntityUid{"Credential", "k1"}));
}

TEST(RevocationListTest, GrowsWithoutLosingAnything) {
  RevocationList list;
  for (int i = 0; i < 20000; ++i) ASSERT_TRUE(list.Revoke({"W", std::to_string(i)}).ok());
  for (int i = 0; i < 20000; i += 2) list.Restore({"W", std::to_string(i)});
  EXPECT_EQ(list.size(), 10000u);
  for (int i = 0; i < 20000; ++i) EXPECT_EQ(list.Contains({"W", std::to_string(i)}), i % 2 == 1) << i;
  EXPECT_EQ(list.List().size(), 10000u);
}

TEST(RevocationListTest, ReadsFilesAndLocatesMistakes) {
  std::vector<Issue> issues;
  absl::StatusOr<std::shared_ptr<RevocationList>> list = RevocationList::FromText(
      "# revoked after INC-7\nCredential::\"key-1\"\n\n  Workload::\"spiffe://acme/ns/a/sa/b\"  \r\n", "r.txt",
      &issues);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_THAT((*list)->List(), UnorderedElementsAre(EntityUid{"Credential", "key-1"},
                                                    EntityUid{"Workload", "spiffe://acme/ns/a/sa/b"}));
  list = RevocationList::FromText("Credential::\"key-1\"\n  key-2\nA::\"x\" trailing\n", "r.txt", &issues);
  EXPECT_FALSE(list.ok());
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(RenderIssues({issues[0]}),
            "r.txt:2:3: error: `key-2` is not an entity uid\n"
            "    key-2\n"
            "    ^~~~~\n"
            "  note: write one uid per line as Type::\"id\"\n");
  EXPECT_EQ(issues[1].line, 3u);
}

}  // namespace
}  // namespace writ
