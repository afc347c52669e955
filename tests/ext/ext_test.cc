// Tests for src/ext: Cedar's ipaddr, decimal, datetime and duration — what
// each constructor accepts and rejects, every method, overflow, printing.
#include "src/ext/extensions.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace writ::internal {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<Value> Call(std::string_view name, std::vector<Value> args) {
  const ExtFunction* fn = FindExtFunction(name);
  if (fn == nullptr) return absl::NotFoundError(std::string(name));
  return CallExtFunction(*fn, args);
}
Value Make(std::string_view ctor, std::string_view arg) {
  absl::StatusOr<Value> v = Call(ctor, {Value::String(std::string(arg))});
  EXPECT_TRUE(v.ok()) << ctor << "(" << arg << "): " << v.status();
  return v.ok() ? *v : Value();
}
bool Accepts(std::string_view ctor, std::string_view arg) { return Call(ctor, {Value::String(std::string(arg))}).ok(); }
Value Method(std::string_view name, std::vector<Value> args) {
  absl::StatusOr<Value> v = Call(name, std::move(args));
  EXPECT_TRUE(v.ok()) << name << ": " << v.status();
  return v.ok() ? *v : Value();
}

TEST(ExtTableTest, NamesStylesArities) {
  EXPECT_EQ(AllExtFunctions().size(), 22u);
  for (std::size_t i = 0; i < AllExtFunctions().size(); ++i) EXPECT_EQ(AllExtFunctions()[i].index, i);
  EXPECT_EQ(FindExtFunction("ip")->style, ExtFunction::Style::kFunction);
  EXPECT_EQ(FindExtFunction("isInRange")->arity, 2);
  EXPECT_EQ(FindExtFunction("toDays")->style, ExtFunction::Style::kMethod);
  EXPECT_EQ(FindExtFunction("nope"), nullptr);
  EXPECT_THAT(Call("ip", {}).status().message(), HasSubstr("takes 1 arguments"));
  EXPECT_THAT(Call("ip", {Value::Long(1)}).status().message(), HasSubstr("type error"));
}

TEST(IpTest, Accepts) {
  for (auto s : {"127.0.0.1", "0.0.0.0/0", "10.1.2.3/24", "::1", "::", "ffee::/64", "1:2:3:4:5:6:7:8/128",
                 "2001:db8::ff00:42:8329"}) {
    EXPECT_TRUE(Accepts("ip", s)) << s;
  }
}

TEST(IpTest, Rejects) {
  for (auto s : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/01",
                 "1.2.3.4/+1", "::1/129", "::ffff:1.2.3.4", "fe80::1%eth0", "1.2.3.4 ", "abc", "::1/1280"}) {
    EXPECT_FALSE(Accepts("ip", s)) << s;
  }
}

TEST(IpTest, Methods) {
  EXPECT_EQ(Method("isIpv4", {Make("ip", "1.2.3.4")}), Value::Bool(true));
  EXPECT_EQ(Method("isIpv6", {Make("ip", "1.2.3.4")}), Value::Bool(false));
  EXPECT_EQ(Method("isLoopback", {Make("ip", "127.255.0.1")}), Value::Bool(true));
  EXPECT_EQ(Method("isLoopback", {Make("ip", "127.0.0.0/7")}), Value::Bool(false));
  EXPECT_EQ(Method("isLoopback", {Make("ip", "::1")}), Value::Bool(true));
  EXPECT_EQ(Method("isLoopback", {Make("ip", "::2")}), Value::Bool(false));
  EXPECT_EQ(Method("isMulticast", {Make("ip", "239.1.1.1")}), Value::Bool(true));
  EXPECT_EQ(Method("isMulticast", {Make("ip", "224.0.0.0/3")}), Value::Bool(false));
  EXPECT_EQ(Method("isMulticast", {Make("ip", "ff02::1")}), Value::Bool(true));
  EXPECT_EQ(Method("isInRange", {Make("ip", "10.1.2.3"), Make("ip", "10.0.0.0/8")}), Value::Bool(true));
  EXPECT_EQ(Method("isInRange", {Make("ip", "10.0.0.0/7"), Make("ip", "10.0.0.0/8")}), Value::Bool(false));
  EXPECT_EQ(Method("isInRange", {Make("ip", "10.0.0.0/24"), Make("ip", "10.0.0.0/24")}), Value::Bool(true));
  EXPECT_EQ(Method("isInRange", {Make("ip", "1.2.3.4"), Make("ip", "::/0")}), Value::Bool(false));
  EXPECT_EQ(Method("isInRange", {Make("ip", "2001:db8::1"), Make("ip", "2001:db8::/32")}), Value::Bool(true));
  EXPECT_EQ(Method("isInRange", {Make("ip", "2001:db9::1"), Make("ip", "2001:db8::/32")}), Value::Bool(false));
  EXPECT_EQ(Method("isInRange", {Make("ip", "::1"), Make("ip", "::/0")}), Value::Bool(true));
}

TEST(IpTest, EqualityKeepsHostBitsAndPrefix) {
  EXPECT_EQ(Make("ip", "10.0.0.1"), Make("ip", "10.0.0.1/32"));
  EXPECT_NE(Make("ip", "10.0.0.1/24"), Make("ip", "10.0.0.0/24"));
  EXPECT_EQ(Make("ip", "10.0.0.1/24").ToString(), R"(ip("10.0.0.1/24"))");
  EXPECT_EQ(Make("ip", "::1").ToString(), R"(ip("::1/128"))");
}

TEST(DecimalTest, AcceptsAndRejects) {
  EXPECT_EQ(Make("decimal", "1.23").as_decimal().scaled, 12300);
  EXPECT_EQ(Make("decimal", "-0.5").as_decimal().scaled, -5000);
  EXPECT_EQ(Make("decimal", "922337203685477.5807").as_decimal().scaled, INT64_MAX);
  EXPECT_EQ(Make("decimal", "-922337203685477.5808").as_decimal().scaled, INT64_MIN);
  for (auto s : {"1", "1.", ".5", "1.23456", "+1.0", "--1.0", "1.0.0", "a.b", "922337203685477.5808", "1e2.0", " 1.0"}) {
    EXPECT_FALSE(Accepts("decimal", s)) << s;
  }
}

TEST(DecimalTest, ComparisonsAndPrinting) {
  Value a = Make("decimal", "1.5"), b = Make("decimal", "1.50");
  EXPECT_EQ(a, b);
  EXPECT_EQ(Method("lessThan", {a, Make("decimal", "1.5001")}), Value::Bool(true));
  EXPECT_EQ(Method("lessThanOrEqual", {a, b}), Value::Bool(true));
  EXPECT_EQ(Method("greaterThan", {a, b}), Value::Bool(false));
  EXPECT_EQ(Method("greaterThanOrEqual", {Make("decimal", "-1.0"), a}), Value::Bool(false));
  EXPECT_EQ(a.ToString(), R"(decimal("1.5000"))");
  EXPECT_EQ(Make("decimal", "-0.0001").ToString(), R"(decimal("-0.0001"))");
  EXPECT_EQ(Make("decimal", "-922337203685477.5808").ToString(), R"(decimal("-922337203685477.5808"))");
  EXPECT_THAT(Call("lessThan", {a, Value::Long(1)}).status().message(), HasSubstr("expected decimal, got long"));
}

TEST(DatetimeTest, Accepts) {
  EXPECT_EQ(Make("datetime", "1970-01-01").as_datetime().ms, 0);
  EXPECT_EQ(Make("datetime", "1970-01-02T00:00:00Z").as_datetime().ms, 86'400'000);
  EXPECT_EQ(Make("datetime", "1970-01-01T00:00:01.500Z").as_datetime().ms, 1500);
  EXPECT_EQ(Make("datetime", "1970-01-01T01:00:00+0100").as_datetime().ms, 0);
  EXPECT_EQ(Make("datetime", "1970-01-01T00:00:00.001-0030").as_datetime().ms, 1'800'001);
  EXPECT_EQ(Make("datetime", "1969-12-31").as_datetime().ms, -86'400'000);
  EXPECT_EQ(Make("datetime", "2024-02-29").as_datetime().ms, 1'709'164'800'000);
  EXPECT_TRUE(Accepts("datetime", "0000-01-01"));
  EXPECT_TRUE(Accepts("datetime", "9999-12-31T23:59:59.999Z"));
}

TEST(DatetimeTest, Rejects) {
  for (auto s : {"", "2024-1-01", "2024-02-30", "2023-02-29", "2024-13-01", "2024-01-01T", "2024-01-01T00:00:00",
                 "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z", "2024-01-01T00:00:00.1Z",
                 "2024-01-01T00:00:00+2400", "2024-01-01T00:00:00+0060", "2024-01-01 00:00:00Z", "2024-01-01Z",
                 "12024-01-01", "2024-01-01T00:00:00z"}) {
    EXPECT_FALSE(Accepts("datetime", s)) << s;
  }
}

TEST(DatetimeTest, Methods) {
  Value t = Make("datetime", "2024-10-15T11:38:02.123Z");
  Value d = Make("duration", "1d");
  EXPECT_EQ(Method("offset", {t, d}), Make("datetime", "2024-10-16T11:38:02.123Z"));
  EXPECT_EQ(Method("durationSince", {Make("datetime", "2024-10-16"), Make("datetime", "2024-10-15")}), d);
  EXPECT_EQ(Method("toDate", {t}), Make("datetime", "2024-10-15"));
  EXPECT_EQ(Method("toTime", {t}), Make("duration", "11h38m2s123ms"));
  Value before = Make("datetime", "1969-12-31T23:00:00Z");
  EXPECT_EQ(Method("toDate", {before}), Make("datetime", "1969-12-31"));
  EXPECT_EQ(Method("toTime", {before}), Make("duration", "23h"));
  EXPECT_EQ(Method("toTime", {Make("datetime", "1969-12-31")}), Make("duration", "0ms"));
  Value max = Value::FromDatetime({INT64_MAX});
  EXPECT_THAT(Call("offset", {max, Make("duration", "1ms")}).status().message(), HasSubstr("overflow"));
  EXPECT_THAT(Call("durationSince", {Value::FromDatetime({INT64_MIN}), Make("datetime", "1970-01-02")}).status().message(),
              HasSubstr("overflow"));
  EXPECT_THAT(Call("toDate", {Value::FromDatetime({INT64_MIN})}).status().message(), HasSubstr("overflow"));
  EXPECT_THAT(Call("offset", {t, t}).status().message(), HasSubstr("expected duration, got datetime"));
  EXPECT_EQ(t.ToString(), R"(datetime("2024-10-15T11:38:02.123Z"))");
}

TEST(DurationTest, AcceptsAndRejects) {
  EXPECT_EQ(Make("duration", "1d2h3m4s5ms").as_duration().ms, 93'784'005);
  EXPECT_EQ(Make("duration", "-1d2h").as_duration().ms, -93'600'000);
  EXPECT_EQ(Make("duration", "90m").as_duration().ms, 5'400'000);
  EXPECT_EQ(Make("duration", "0ms").as_duration().ms, 0);
  EXPECT_EQ(Make("duration", "-9223372036854775808ms").as_duration().ms, INT64_MIN);
  EXPECT_EQ(Make("duration", "9223372036854775807ms").as_duration().ms, INT64_MAX);
  for (auto s : {"", "-", "1", "d", "1h1d", "1d1d", "1ms1s", "1.5h", "1 d", "+1d", "1D", "9223372036854775808ms",
                 "106751991167301d", "-9223372036854775809ms", "1m1h"}) {
    EXPECT_FALSE(Accepts("duration", s)) << s;
  }
}

TEST(DurationTest, ConversionsTruncate) {
  Value d = Make("duration", "-1d23h59m59s999ms");
  EXPECT_EQ(Method("toDays", {d}), Value::Long(-1));
  EXPECT_EQ(Method("toHours", {d}), Value::Long(-47));
  EXPECT_EQ(Method("toMinutes", {Make("duration", "119s")}), Value::Long(1));
  EXPECT_EQ(Method("toSeconds", {Make("duration", "1999ms")}), Value::Long(1));
  EXPECT_EQ(Method("toMilliseconds", {Make("duration", "2s")}), Value::Long(2000));
  EXPECT_EQ(Make("duration", "1h").ToString(), R"(duration("3600000ms"))");
}

TEST(ExtJsonFormTest, ConstructorArgsRebuildTheValue) {
  for (Value v : {Make("ip", "10.0.0.1/8"), Make("decimal", "-3.1400"), Make("datetime", "2001-02-03T04:05:06.007Z"),
                  Make("duration", "-5ms")}) {
    EXPECT_EQ(Make(ExtConstructorName(v.kind()), ExtConstructorArg(v)), v) << v.ToString();
  }
}

}  // namespace
}  // namespace writ::internal
