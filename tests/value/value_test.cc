// Tests for src/value: canonical sets and records, equality, ordering, printing.
#include "writ/value.h"

#include "gtest/gtest.h"

namespace writ {
namespace {

TEST(ValueTest, SetsAreSortedAndDeduplicated) {
  Value a = Value::MakeSet({Value::Long(3), Value::Long(1), Value::Long(3), Value::String("x")});
  Value b = Value::MakeSet({Value::String("x"), Value::Long(1), Value::Long(3)});
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.as_set().size(), 3u);
  EXPECT_EQ(a.as_set()[0], Value::Long(1));
}

TEST(ValueTest, DifferentKindsAreUnequal) {
  EXPECT_NE(Value::Long(1), Value::Bool(true));
  EXPECT_NE(Value::String("1"), Value::Long(1));
  EXPECT_NE(Value::MakeSet({}), Value::MakeRecord(Value::Record{}));
}

TEST(ValueTest, RecordsCompareByContent) {
  Value a = Value::MakeRecord({{"b", Value::Long(2)}, {"a", Value::Long(1)}});
  Value b = Value::MakeRecord({{"a", Value::Long(1)}, {"b", Value::Long(2)}});
  Value c = Value::MakeRecord({{"a", Value::Long(1)}});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_LT(c, a);
}

TEST(ValueTest, NestedSetsOfRecordsAreCanonical) {
  Value r1 = Value::MakeRecord({{"k", Value::MakeSet({Value::Long(2), Value::Long(1)})}});
  Value r2 = Value::MakeRecord({{"k", Value::MakeSet({Value::Long(1), Value::Long(2)})}});
  EXPECT_EQ(Value::MakeSet({r1, r2}).as_set().size(), 1u);
}

TEST(ValueTest, EntitiesCompareByTypeThenId) {
  Value a = Value::Entity({"User", "alice"});
  EXPECT_EQ(a, Value::Entity({"User", "alice"}));
  EXPECT_NE(a, Value::Entity({"Group", "alice"}));
  EXPECT_NE(a, Value::Entity({"User", "bob"}));
}

TEST(ValueTest, PrintsCedarSyntax) {
  Value v = Value::MakeSet({Value::Long(-1), Value::String("a\"b\n"),
                            Value::Entity({"Ns::User", "al\\ice"}), Value::Bool(true)});
  EXPECT_EQ(v.ToString(), R"([true, -1, "a\"b\n", Ns::User::"al\\ice"])");
  EXPECT_EQ(Value::MakeRecord({{"x y", Value::MakeSet({})}}).ToString(), R"({"x y": []})");
}

TEST(ValueTest, QuotesControlCharacters) {
  EXPECT_EQ(QuoteCedarString(std::string("a\0b\x01\t", 5)), R"("a\0b\u{1}\t")");
}

TEST(ValueTest, KindNames) {
  EXPECT_EQ(Value::KindName(Value::Kind::kIp), "ipaddr");
  EXPECT_EQ(Value::KindName(Value::Kind::kRecord), "record");
}

}  // namespace
}  // namespace writ
