// The one RFC 3339 reader (src/base/rfc3339.h): what it accepts, and the
// mistake it names for each thing it refuses.
#include "src/base/rfc3339.h"

#include <string>
#include <variant>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace writ::internal {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

std::string ErrorOf(std::string_view text) {
  std::variant<absl::Time, std::string> r = ParseRfc3339(text);
  if (const std::string* e = std::get_if<std::string>(&r)) return *e;
  return "(accepted)";
}

absl::Time TimeOf(std::string_view text) {
  std::variant<absl::Time, std::string> r = ParseRfc3339(text);
  EXPECT_TRUE(std::holds_alternative<absl::Time>(r)) << text << ": " << ErrorOf(text);
  return std::holds_alternative<absl::Time>(r) ? std::get<absl::Time>(r) : absl::InfinitePast();
}

TEST(Rfc3339Test, Accepts) {
  EXPECT_EQ(TimeOf("2026-12-31T23:59:59Z"), Utc(2026, 12, 31, 23, 59, 59));
  EXPECT_EQ(TimeOf("2026-12-31t23:59:59z"), Utc(2026, 12, 31, 23, 59, 59));
  EXPECT_EQ(TimeOf("2026-12-31T18:00:00-05:00"), Utc(2026, 12, 31, 23, 0, 0));
  EXPECT_EQ(TimeOf("2027-01-01T01:30:00+01:30"), Utc(2027, 1, 1, 0, 0, 0));
  EXPECT_EQ(TimeOf("2026-11-22T12:00:00.5Z"), Utc(2026, 11, 22, 12, 0, 0) + absl::Milliseconds(500));
  EXPECT_EQ(TimeOf("2026-11-22T12:00:00.123456789123Z"), Utc(2026, 11, 22, 12, 0, 0) + absl::Nanoseconds(123456789));
  EXPECT_EQ(TimeOf("2024-02-29T00:00:00Z"), Utc(2024, 2, 29, 0, 0, 0));
  EXPECT_EQ(TimeOf("2016-12-31T23:59:60Z"), Utc(2017, 1, 1, 0, 0, 0));   // a leap second
  // The whole four-digit range.
  EXPECT_EQ(TimeOf("0000-01-01T00:00:00Z"), Utc(0, 1, 1, 0, 0, 0));
  EXPECT_EQ(TimeOf("9999-12-31T23:59:59Z"), Utc(9999, 12, 31, 23, 59, 59));
}

TEST(Rfc3339Test, YearsOutsideFourDigitsAreNamed) {
  EXPECT_THAT(ErrorOf("99999-01-01T00:00:00Z"), HasSubstr("more than four digits"));
  EXPECT_THAT(ErrorOf("10000-01-01T00:00:00Z"), HasSubstr("more than four digits"));
  EXPECT_THAT(ErrorOf("-0001-01-01T00:00:00Z"), HasSubstr("the year has a sign"));
  EXPECT_THAT(ErrorOf("+2026-01-01T00:00:00Z"), HasSubstr("the year has a sign"));
  EXPECT_THAT(ErrorOf("026-01-01T00:00:00Z"), HasSubstr("YYYY-MM-DD"));
}

TEST(Rfc3339Test, Refuses) {
  EXPECT_THAT(ErrorOf(""), HasSubstr("YYYY-MM-DD"));
  EXPECT_THAT(ErrorOf("2026-12-31"), HasSubstr("a date alone"));
  EXPECT_THAT(ErrorOf("2026-12-31 23:59:59Z"), HasSubstr("not followed by `T`"));
  EXPECT_THAT(ErrorOf("2026-12-31T23:59Z"), HasSubstr("hh:mm:ss"));
  EXPECT_THAT(ErrorOf("2026-12-31T23:59:59"), HasSubstr("no zone"));
  EXPECT_THAT(ErrorOf("2026-12-31T23:59:59.Z"), HasSubstr("no digits"));
  EXPECT_THAT(ErrorOf("2026-12-31T23:59:59+0200"), HasSubstr("+hh:mm"));
  EXPECT_THAT(ErrorOf("2026-12-31T23:59:59+24:00"), HasSubstr("out of range"));
  EXPECT_THAT(ErrorOf("2026-12-31T23:59:59ZZ"), HasSubstr("more after the zone"));
  EXPECT_THAT(ErrorOf(" 2026-12-31T23:59:59Z"), HasSubstr("YYYY-MM-DD"));
  EXPECT_THAT(ErrorOf("2026-12-31T23:59:59Z "), HasSubstr("more after the zone"));
  EXPECT_THAT(ErrorOf("2026-02-30T00:00:00Z"), HasSubstr("no such date as 2026-02-30"));
  EXPECT_THAT(ErrorOf("2026-13-01T00:00:00Z"), HasSubstr("no such date"));
  EXPECT_THAT(ErrorOf("2026-00-01T00:00:00Z"), HasSubstr("no such date"));
  EXPECT_THAT(ErrorOf("2026-12-31T24:00:00Z"), HasSubstr("no such time of day"));
  EXPECT_THAT(ErrorOf("2026-12-31T23:60:00Z"), HasSubstr("no such time of day"));
  EXPECT_THAT(ErrorOf("2026-12-31T23:59:61Z"), HasSubstr("no such time of day"));
}

}  // namespace
}  // namespace writ::internal
