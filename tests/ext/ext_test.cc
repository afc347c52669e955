// Tests for src/ext: Cedar's ipaddr, decimal, datetime and duration — the
// function table, what each constructor accepts and rejects (with Cedar's
// messages), every method, overflow, printing and the JSON constructor form.
// Expected values are ported from Cedar 4.x's own unit tests
// (cedar-policy-core/src/extensions/{ipaddr,decimal,datetime}.rs) and from
// reading its parsers; the corpus test holds every literal Cedar's
// conformance corpus uses to the printed-form round trip.
// GCC 12 with -fsanitize=address reports the moves of writ::Value's variant
// (which holds a std::string) as maybe-uninitialized: a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "src/ext/extensions.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/base/strings.h"
#include "src/ext/ext_internal.h"

namespace writ::internal {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<Value> Call(std::string_view name, std::vector<Value> args) {
  const ExtFunction* fn = FindExtFunction(name);
  if (fn == nullptr) return absl::NotFoundError(std::string(name));
  return CallExtFunction(*fn, args);
}
absl::StatusOr<Value> Construct(std::string_view ctor, std::string_view arg) {
  return Call(ctor, {Value::String(std::string(arg))});
}
Value Make(std::string_view ctor, std::string_view arg) {
  absl::StatusOr<Value> v = Construct(ctor, arg);
  EXPECT_TRUE(v.ok()) << ctor << "(\"" << arg << "\"): " << v.status();
  return v.ok() ? *v : Value();
}
// The error message of a call expected to fail.
std::string Error(std::string_view name, std::vector<Value> args) {
  absl::StatusOr<Value> v = Call(name, std::move(args));
  EXPECT_FALSE(v.ok()) << name << " returned " << (v.ok() ? v->ToString() : "");
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(v.status().message());
}
std::string CtorError(std::string_view ctor, std::string_view arg) {
  return Error(ctor, {Value::String(std::string(arg))});
}
Value Apply(std::string_view name, std::vector<Value> args) {
  absl::StatusOr<Value> v = Call(name, std::move(args));
  EXPECT_TRUE(v.ok()) << name << ": " << v.status();
  return v.ok() ? *v : Value();
}
Value Ip(std::string_view s) { return Make("ip", s); }
Value Dec(std::string_view s) { return Make("decimal", s); }
Value Dt(std::string_view s) { return Make("datetime", s); }
Value Dur(std::string_view s) { return Make("duration", s); }
Value DtMs(std::int64_t ms) { return Value::FromDatetime({ms}); }
Value DurMs(std::int64_t ms) { return Value::FromDuration({ms}); }
const Value kTrue = Value::Bool(true);
const Value kFalse = Value::Bool(false);

// ---------------------------------------------------------------------------
// The table and argument checks

TEST(ExtTableTest, EveryCedarFunctionWithItsStyleAndArity) {
  struct Row {
    std::string_view name;
    ExtFunction::Style style;
    int arity;
  };
  constexpr auto F = ExtFunction::Style::kFunction;
  constexpr auto M = ExtFunction::Style::kMethod;
  const Row want[] = {
      {"ip", F, 1},         {"isIpv4", M, 1},          {"isIpv6", M, 1},          {"isLoopback", M, 1},
      {"isMulticast", M, 1}, {"isInRange", M, 2},      {"decimal", F, 1},         {"lessThan", M, 2},
      {"lessThanOrEqual", M, 2}, {"greaterThan", M, 2}, {"greaterThanOrEqual", M, 2}, {"datetime", F, 1},
      {"duration", F, 1},   {"offset", M, 2},          {"durationSince", M, 2},   {"toDate", M, 1},
      {"toTime", M, 1},     {"toMilliseconds", M, 1},  {"toSeconds", M, 1},       {"toMinutes", M, 1},
      {"toHours", M, 1},    {"toDays", M, 1},
      // writ's spiffe type (spiffe_test.cc).
      {"spiffe", F, 1},     {"trustDomain", M, 1},     {"path", M, 1},            {"isInTrustDomain", M, 2},
      {"pathMatches", M, 2},
  };
  ASSERT_EQ(AllExtFunctions().size(), std::size(want));
  for (std::size_t i = 0; i < std::size(want); ++i) {
    const ExtFunction& f = AllExtFunctions()[i];
    EXPECT_EQ(f.name, want[i].name);
    EXPECT_EQ(f.style, want[i].style) << f.name;
    EXPECT_EQ(f.arity, want[i].arity) << f.name;
    EXPECT_EQ(f.index, i) << f.name;
    EXPECT_EQ(FindExtFunction(want[i].name), &f);
    // Strict mode (pure Cedar) finds Cedar's functions only.
    EXPECT_EQ(f.writ_only, i >= 22) << f.name;
    EXPECT_EQ(FindExtFunction(want[i].name, /*strict=*/true), f.writ_only ? nullptr : &f);
  }
  // Not Cedar functions: `unknown` is partial evaluation's; operators are not methods.
  for (auto name : {"nope", "unknown", "lessThanOrEquals", "IP", "ipaddr", "toMillis", ""}) {
    EXPECT_EQ(FindExtFunction(name), nullptr) << name;
  }
}

TEST(ExtTableTest, WrongNumberOfArgumentsIsAnEvaluationError) {
  // Cedar counts a method's receiver: `d.toDate(1)` has 2 arguments.
  EXPECT_EQ(Error("ip", {}), "wrong number of arguments provided to extension function `ip`: expected 1, got 0");
  EXPECT_EQ(Error("toDate", {DtMs(0), Value::Long(1)}),
            "wrong number of arguments provided to extension function `toDate`: expected 1, got 2");
  // Without Cedar's `variadic-is-in-range` feature (off by default), isInRange takes exactly two.
  EXPECT_EQ(Error("isInRange", {Ip("1.2.3.4"), Ip("1.0.0.0/8"), Ip("2.0.0.0/8")}),
            "wrong number of arguments provided to extension function `isInRange`: expected 2, got 3");
  EXPECT_EQ(Error("isInRange", {Ip("1.2.3.4")}),
            "wrong number of arguments provided to extension function `isInRange`: expected 2, got 1");
}

TEST(ExtTableTest, TypeErrorsNameCedarsTypes) {
  EXPECT_EQ(Error("ip", {Value::Long(1)}), "type error: expected string, got long");
  EXPECT_EQ(Error("ip", {Value::MakeSet({Value::Long(127)})}), "type error: expected string, got set");
  EXPECT_EQ(Error("decimal", {Dec("1.0")}), "type error: expected string, got decimal");
  EXPECT_EQ(Error("isIpv4", {Value::String("127.0.0.1")}), "type error: expected ipaddr, got string");
  EXPECT_EQ(Error("isInRange", {Ip("1.2.3.4"), Value::Bool(true)}), "type error: expected ipaddr, got bool");
  EXPECT_EQ(Error("lessThan", {Dec("1.0"), Value::Long(1)}), "type error: expected decimal, got long");
  EXPECT_EQ(Error("lessThan", {Value::Entity({"NS::User", "a"}), Dec("1.0")}),
            "type error: expected decimal, got (entity of type `NS::User`)");
  EXPECT_EQ(Error("offset", {DtMs(0), Value::String("7h")}), "type error: expected duration, got string");
  EXPECT_EQ(Error("offset", {DurMs(0), DurMs(0)}), "type error: expected datetime, got duration");
  EXPECT_EQ(Error("durationSince", {DtMs(0), DurMs(0)}), "type error: expected datetime, got duration");
  EXPECT_EQ(Error("toTime", {Value::MakeRecord({})}), "type error: expected datetime, got record");
  EXPECT_EQ(Error("toDays", {DtMs(0)}), "type error: expected duration, got datetime");
  // The first argument is checked first.
  EXPECT_EQ(Error("greaterThan", {Ip("1.2.3.4"), Value::Long(1)}), "type error: expected decimal, got ipaddr");
}

// ---------------------------------------------------------------------------
// ipaddr

TEST(IpTest, AcceptsAndPrintsCanonically) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"127.0.0.1", "127.0.0.1/32"},
      {"0.0.0.0", "0.0.0.0/32"},
      {"255.255.255.255", "255.255.255.255/32"},
      {"127.0.0.1/0", "127.0.0.1/0"},
      {"127.0.0.1/8", "127.0.0.1/8"},   // host bits are kept
      {"127.0.0.1/32", "127.0.0.1/32"},
      {"10.1.2.3/24", "10.1.2.3/24"},
      {"::1", "::1/128"},
      {"::", "::/128"},
      {"::/0", "::/0"},
      {"ffee::11", "ffee::11/128"},
      {"ffee::/64", "ffee::/64"},
      {"ffee::/0", "ffee::/0"},
      {"ffee::/128", "ffee::/128"},
      {"FFEE::AbCd", "ffee::abcd/128"},
      {"0001:02:003:0004::", "1:2:3:4::/128"},
      {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8/128"},
      {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0/128"},   // `::` for one group; printed without it
      {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8/128"},
      {"::1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7/128"},
      {"1:0:0:2:0:0:0:3", "1:0:0:2::3/128"},         // the longest zero run is compressed
      {"1:0:0:2:0:0:3:4", "1::2:0:0:3:4/128"},       // the first of equal runs
      {"1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7/128"},    // a single zero group is not
      {"2001:db8::ff00:42:8329", "2001:db8::ff00:42:8329/128"},
      {"::ffff:ff00:1", "::ffff:ff00:1/128"},        // IPv4-mapped, in hexadecimal: an IPv6 address
      {"::ffff:102:304", "::ffff:102:304/128"},      // printed in hex, never as ::ffff:1.2.3.4
      {"::102:304", "::102:304/128"},
      {"ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/128", "abcd:ef01:2345:6789:abcd:ef01:2345:6789/128"},  // 43 chars
  };
  for (auto [in, printed] : cases) {
    Value v = Ip(in);
    EXPECT_EQ(ExtConstructorArg(v), printed) << in;
    EXPECT_EQ(v.ToString(), absl::StrCat("ip(\"", Av(printed), "\")")) << in;
    EXPECT_EQ(Ip(printed), v) << in;
  }
  EXPECT_EQ(Apply("isIpv4", {Ip("127.0.0.1")}), kTrue);
  EXPECT_EQ(Apply("isIpv6", {Ip("127.0.0.1")}), kFalse);
  EXPECT_EQ(Apply("isIpv4", {Ip("::1")}), kFalse);
  EXPECT_EQ(Apply("isIpv6", {Ip("::1")}), kTrue);
  EXPECT_EQ(Apply("isIpv4", {Ip("::ffff:ff00:1")}), kFalse);
  EXPECT_EQ(Apply("isIpv6", {Ip("::ffff:ff00:1")}), kTrue);
  EXPECT_EQ(Apply("isIpv4", {Ip("127.0.0.1/24")}), kTrue);
  EXPECT_EQ(Apply("isIpv6", {Ip("ffee::/64")}), kTrue);
}

TEST(IpTest, Rejects) {
  const std::string_view rejected[] = {
      "", "?", ".", "0", "abc", "380.0.0.1", "256.0.0.1", "ab.ab.ab.ab", "foo::1", "1.2.3", "1.2.3.4.5",
      "1.2.3.", ".1.2.3", "1..2.3", "01.2.3.4", "1.2.3.04", "00.1.2.3", "0..65.0/28", "0.00.0", "08.41.220",
      "1.2.3.0400", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4\n", "+1.2.3.4", "1,2,3,4", "1.2.3.4:80",
      std::string_view("1.2.3.4\0", 8),   // an embedded NUL is not the end of the string
      ":", ":::", "1::2::3", ":1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8::",
      "1:2:3:4:5:6:7::8", "::1:2:3:4:5:6:7:8",   // `::` must stand for at least one group
      "12345::", "0:73:fffd:ffa33:1ff:89ff:895b:8989/8", "g::", "::g", "1:2:3:4:5:6:7:8%eth0",
      "fe80::1%eth0", "::1%1", "[::1]",
      // IPv4 embedded in IPv6 (two colons and two dots) is refused.
      "::ffff:127.0.0.1", "::127.0.0.1", "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "::1.2", "::ffff:192.168.0.0/112",
      // Prefixes.
      "127.0.0.1/8/24", "fee::/64::1", "172.0.0.1/64", "1.2.3.4/33", "ffee::/132", "::1/129", "ffee::/+1",
      "1.2.3.4/+1", "ffee::/01", "1.2.3.4/01", "1.2.3.4/00", "ffee::/1234", "::1/1280", "1.2.3.4/", "::/",
      "1.2.3.4/100", "1.2.3.4/ 1", "1.2.3.4/1 ", "1.2.3.4/-1", "::/999", "10.0.0.0/33",
      // Longer than 43 bytes.
      "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789/128 ", "0000:0000:0000:0000:0000:0000:0000:0000/0000",
  };
  for (std::string_view s : rejected) {
    EXPECT_THAT(CtorError("ip", s), HasSubstr("error while evaluating `ipaddr` extension function: "))
        << "ip(\"" << s << "\")";
  }
}

TEST(IpTest, ErrorMessagesAreCedars) {
  const std::string kPre = "error while evaluating `ipaddr` extension function: ";
  EXPECT_EQ(CtorError("ip", "380.0.0.1"), absl::StrCat(kPre, "invalid IP address: 380.0.0.1"));
  EXPECT_EQ(CtorError("ip", "::ffff:127.0.0.1"),
            absl::StrCat(kPre, "error parsing IP address from string: We do not accept IPv4 embedded in IPv6 "
                               "(e.g., ::ffff:127.0.0.1). Found: `::ffff:127.0.0.1`"));
  EXPECT_EQ(CtorError("ip", "1.2.3.x/8"),
            absl::StrCat(kPre, "error parsing IP address from the string `1.2.3.x`: invalid IP address syntax"));
  EXPECT_EQ(CtorError("ip", "172.0.0.1/64"), absl::StrCat(kPre, "error parsing prefix: 64 is larger than the limit 32"));
  EXPECT_EQ(CtorError("ip", "ffee::/1234"), absl::StrCat(kPre, "error parsing prefix: string length 4 is too large"));
  EXPECT_EQ(CtorError("ip", "1.2.3.4/100"), absl::StrCat(kPre, "error parsing prefix: string length 3 is too large"));
  EXPECT_EQ(CtorError("ip", "ffee::/+1"), absl::StrCat(kPre, "error parsing prefix `+1`: encountered non-digit"));
  EXPECT_EQ(CtorError("ip", "ffee::/01"), absl::StrCat(kPre, "error parsing prefix `01`: leading zero(s)"));
  EXPECT_EQ(CtorError("ip", "1.2.3.4/"),
            absl::StrCat(kPre, "error parsing prefix from the string ``: cannot parse integer from empty string"));
  EXPECT_EQ(CtorError("ip", "::/999"),
            absl::StrCat(kPre, "error parsing prefix from the string `999`: number too large to fit in target type"));
  EXPECT_EQ(CtorError("ip", "::/200"), absl::StrCat(kPre, "error parsing prefix: 200 is larger than the limit 128"));
  EXPECT_EQ(CtorError("ip", std::string(44, '1')),
            absl::StrCat(kPre, "error parsing IP address from string `", std::string(44, '1'),
                         "`: string length is too large"));
}

TEST(IpTest, EqualityIsOnAddressAndPrefix) {
  EXPECT_EQ(Ip("127.0.0.1"), Ip("127.0.0.1"));
  EXPECT_NE(Ip("192.168.0.1"), Ip("8.8.8.8"));
  EXPECT_NE(Ip("127.0.0.1"), Ip("::1"));
  EXPECT_NE(Ip("127.0.0.1"), Ip("192.168.0.1/24"));
  EXPECT_NE(Ip("192.168.0.1/24"), Ip("8.8.8.8/8"));
  EXPECT_EQ(Ip("10.0.0.0/32"), Ip("10.0.0.0"));
  EXPECT_NE(Ip("10.0.0.0/24"), Ip("10.0.0.0"));
  EXPECT_NE(Ip("10.0.0.0/24"), Ip("10.0.0.1/24"));   // host bits matter
  EXPECT_NE(Ip("10.0.0.1/24"), Ip("10.0.0.1/29"));
  EXPECT_EQ(Ip("::1"), Ip("0:0:0:0:0:0:0:1/128"));
  EXPECT_NE(Ip("::ffff:ff00:1"), Ip("255.0.0.1"));  // a mapped address is not the IPv4 address
}

TEST(IpTest, LoopbackAndMulticast) {
  const std::pair<std::string_view, bool> loopback[] = {
      {"127.0.0.2", true},   {"127.255.0.1", true}, {"127.0.0.0/8", true},  {"127.0.0.0/7", false},
      {"127.255.200.200/0", false}, {"128.0.0.1", false}, {"::1", true},    {"::2", false},
      {"::1/127", false},    {"::ffff:7f00:1", false}, {"::", false},
  };
  for (auto [s, want] : loopback) EXPECT_EQ(Apply("isLoopback", {Ip(s)}), Value::Bool(want)) << s;
  const std::pair<std::string_view, bool> multicast[] = {
      {"228.228.228.0", true}, {"224.0.0.0", true}, {"239.255.255.255", true}, {"240.0.0.0", false},
      {"223.255.255.255", false}, {"224.0.0.0/3", false}, {"224.0.0.0/4", true}, {"224.0.0.0/5", true},
      {"127.0.0.1", false},  {"127.0.0.1/1", false}, {"ff00::2", true},      {"ff02::1", true},
      {"ff00::/7", false},   {"ff00::/8", true},     {"ff00::/9", true},      {"fe00::", false},
  };
  for (auto [s, want] : multicast) EXPECT_EQ(Apply("isMulticast", {Ip(s)}), Value::Bool(want)) << s;
}

TEST(IpTest, IsInRange) {
  struct Case {
    std::string_view ip, range;
    bool want;
  };
  const Case cases[] = {
      // Cedar's ip_is_in_range
      {"192.168.0.1/24", "192.168.0.1/24", true}, {"192.168.0.1", "192.168.0.1/28", true},
      {"192.168.0.10", "192.168.0.1/24", true},   {"192.168.0.10", "192.168.0.1/28", true},
      {"192.168.0.75", "192.168.0.1/24", true},   {"192.168.0.75", "192.168.0.1/28", false},
      {"192.168.0.1", "192.168.0.1", true},       {"1:2:3:4::", "1:2:3:4::/48", true},
      {"1:2:3:4::", "1:2:3:4::/52", true},        {"1:2:3:6::", "1:2:3:4::/48", true},
      {"1:2:3:6::", "1:2:3:4::/52", true},        {"1:2:3:ffff::", "1:2:3:4::/48", true},
      {"1:2:3:ffff::", "1:2:3:4::/52", false},    {"1:2:3:4::", "1:2:3:4::", true},
      {"192.168.0.1", "1:2:3:4::/48", false},
      // Cedar's more_ip_semantics: a range is in a range when it is wholly inside it
      {"10.0.0.0", "10.0.0.0/24", true},          {"10.0.0.0", "10.0.0.0/32", true},
      {"10.0.0.0", "10.0.0.1/24", true},          {"10.0.0.0", "10.0.0.1/32", false},
      {"10.0.0.1", "10.0.0.0/24", true},          {"10.0.0.1", "10.0.0.1/24", true},
      {"10.0.0.0/24", "10.0.0.0/32", false},      {"10.0.0.0/32", "10.0.0.0/24", true},
      {"10.0.0.1/24", "10.0.0.0/24", true},       {"10.0.0.1/24", "10.0.0.1/24", true},
      {"10.0.0.0/24", "10.0.0.1/24", true},       {"10.0.0.0/24", "10.0.0.0/29", false},
      {"10.0.0.0/29", "10.0.0.0/24", true},       {"10.0.0.0/24", "10.0.0.1/29", false},
      {"10.0.0.0/29", "10.0.0.1/24", true},       {"10.0.0.1/24", "10.0.0.0/29", false},
      {"10.0.0.1/29", "10.0.0.0/24", true},       {"10.0.0.0/32", "10.0.0.0/32", true},
      {"10.0.0.0/32", "10.0.0.0", true},
      // Edges: whole spaces, the families never mix.
      {"1.2.3.4", "0.0.0.0/0", true},             {"0.0.0.0/0", "0.0.0.0/0", true},
      {"0.0.0.0/0", "128.0.0.0/1", false},        {"255.255.255.255", "128.0.0.0/1", true},
      {"1.2.3.4", "::/0", false},                 {"::1", "0.0.0.0/0", false},
      {"::ffff:102:304", "1.2.3.4", false},       {"::1", "::/0", true},
      {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0", true}, {"::/0", "::/1", false},
      {"8000::/1", "::/0", true},                 {"::/1", "8000::/1", false},
      {"2001:db8::1", "2001:db8::/32", true},     {"2001:db9::1", "2001:db8::/32", false},
      {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32", true},
      {"::1:0:0:0:0", "::/64", false},            {"::ffff:ffff:ffff:ffff", "::/64", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Apply("isInRange", {Ip(c.ip), Ip(c.range)}), Value::Bool(c.want)) << c.ip << " in " << c.range;
  }
}

// ---------------------------------------------------------------------------
// decimal

TEST(DecimalTest, Accepts) {
  const std::pair<std::string_view, std::int64_t> cases[] = {
      {"1.0", 10000},
      {"1.23", 12300},
      {"1.2345", 12345},
      {"-1.0", -10000},
      {"-0.5", -5000},   // the sign applies to the fraction even when the integer part is 0
      {"-0.0", 0},
      {"0.0", 0},
      {"0.0001", 1},
      {"-0.0001", -1},
      {"123.456", 1234560},
      {"007.50", 75000},
      {"000000000000000000000000000001.0", 10000},   // leading zeros do not overflow
      {"922337203685477.5807", INT64_MAX},
      {"-922337203685477.5808", INT64_MIN},
      {"-922337203685477.0", -9223372036854770000},
  };
  for (auto [s, scaled] : cases) EXPECT_EQ(Dec(s).as_decimal().scaled, scaled) << s;
}

TEST(DecimalTest, RejectsWithCedarsMessages) {
  const std::string kPre = "error while evaluating `decimal` extension function: ";
  for (std::string_view s : {"", "1", "1.", ".5", "-.5", "+1.0", "--1.0", "1.0.0", "a.b", "1e2.0", " 1.0", "1.0 ",
                             "1,0", "1.-0", "-", ".", "1.0\n", "1._0", "0x1.0"}) {
    EXPECT_EQ(CtorError("decimal", s), absl::StrCat(kPre, "`", Av(s), "` is not a well-formed decimal value")) << s;
  }
  for (std::string_view s : {"1.23456", "0.00000", "-1.00001"}) {
    EXPECT_EQ(CtorError("decimal", s), absl::StrCat(kPre, "too many digits after the decimal in `", Av(s), "`")) << s;
  }
  for (std::string_view s : {"922337203685477.5808", "-922337203685477.5809", "922337203685478.0",
                             "1000000000000000.0", "9223372036854775808.0",
                             "99999999999999999999.12345"}) {   // overflow is found before too many digits
    EXPECT_EQ(CtorError("decimal", s), absl::StrCat(kPre, "overflow when converting to decimal")) << s;
  }
}

TEST(DecimalTest, ComparisonsAndPrinting) {
  Value a = Dec("1.5"), b = Dec("1.50");
  EXPECT_EQ(a, b);
  EXPECT_EQ(Apply("lessThan", {a, Dec("1.5001")}), kTrue);
  EXPECT_EQ(Apply("lessThan", {a, b}), kFalse);
  EXPECT_EQ(Apply("lessThanOrEqual", {a, b}), kTrue);
  EXPECT_EQ(Apply("greaterThan", {a, b}), kFalse);
  EXPECT_EQ(Apply("greaterThan", {Dec("-0.0001"), Dec("-0.0002")}), kTrue);
  EXPECT_EQ(Apply("greaterThanOrEqual", {Dec("-1.0"), a}), kFalse);
  EXPECT_EQ(Apply("greaterThanOrEqual", {a, b}), kTrue);
  EXPECT_EQ(Apply("lessThan", {Dec("-922337203685477.5808"), Dec("922337203685477.5807")}), kTrue);
  // Cedar's canonical form: four fractional digits.
  EXPECT_EQ(a.ToString(), R"(decimal("1.5000"))");
  EXPECT_EQ(Dec("-0.5").ToString(), R"(decimal("-0.5000"))");
  EXPECT_EQ(Dec("-0.0").ToString(), R"(decimal("0.0000"))");
  EXPECT_EQ(Dec("-0.0001").ToString(), R"(decimal("-0.0001"))");
  EXPECT_EQ(Dec("-922337203685477.5808").ToString(), R"(decimal("-922337203685477.5808"))");
  EXPECT_EQ(Dec("922337203685477.5807").ToString(), R"(decimal("922337203685477.5807"))");
}

// ---------------------------------------------------------------------------
// datetime

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kHour = 3'600'000;

TEST(DatetimeTest, Accepts) {
  const std::pair<std::string_view, std::int64_t> cases[] = {
      {"1970-01-01", 0},
      {"1970-01-02T00:00:00Z", kDay},
      {"1970-01-01T00:00:01.500Z", 1500},
      {"1970-01-01T01:00:00+0100", 0},
      {"1970-01-01T00:00:00.001-0030", 1'800'001},
      {"1969-12-31", -kDay},
      {"1969-12-31T23:59:59.999Z", -1},
      {"2024-02-29", 1'709'164'800'000},
      {"2024-10-28", 1'730'073'600'000},               // Cedar's test_interpretation_datetime
      {"2024-10-28T01:22:33.456Z", 1'730'078'553'456},
      {"2024-10-28T10:12:13.456-0700", 1'730'135'533'456},
      {"2024-10-15T11:38:02Z", 1'728'992'282'000},
      {"2000-02-29", 951'782'400'000},                 // divisible by 400: leap
      {"0000-01-01", -62'167'219'200'000},             // year 0 exists (and is a leap year)
      {"0000-02-29", -62'167'219'200'000 + 59 * kDay},
      {"0000-01-01T00:00:00+0100", -62'167'219'200'000 - kHour},   // lands in year -1
      {"9999-12-31T23:59:59.999Z", 253'402'300'799'999},
      {"9999-12-31T23:59:59.999-2359", 253'402'300'799'999 + 23 * kHour + 59 * 60'000},
  };
  for (auto [s, ms] : cases) EXPECT_EQ(Dt(s).as_datetime().ms, ms) << s;
  // Cedar's test_parse_pos: offsets are subtracted.
  const std::pair<std::string_view, std::string_view> same[] = {
      {"2024-10-15T11:38:02.101+1134", "2024-10-15T00:04:02.101Z"},
      {"2024-10-15T11:38:02.101-1134", "2024-10-15T23:12:02.101Z"},
      {"2024-10-15T11:38:02+1134", "2024-10-15T00:04:02Z"},
      {"2024-10-15T11:38:02-1134", "2024-10-15T23:12:02Z"},
      {"2024-10-15T23:59:00+2359", "2024-10-15T00:00:00Z"},
      {"2024-10-15T00:00:00-2359", "2024-10-15T23:59:00Z"},
      {"2024-10-15T00:00:00.000+0000", "2024-10-15"},
      {"2024-10-15T00:00:00-0000", "2024-10-15"},
      {"2024-10-28T10:12:13.456-0700", "2024-10-28T17:12:13.456Z"},
  };
  for (auto [a, b] : same) EXPECT_EQ(Dt(a), Dt(b)) << a;
}

TEST(DatetimeTest, RejectsWithCedarsMessages) {
  const std::string kPre = "error while evaluating `datetime` extension function: ";
  auto expect = [&](std::string_view s, std::string_view msg) {
    EXPECT_EQ(CtorError("datetime", s), absl::StrCat(kPre, Av(msg))) << s;
  };
  for (auto s : {"", "a", "-", "-1", "11-12-13", "1111-1x-20", "0000-0a-01", "10000-01-01", "10000-01-01T00:00:00Z",
                 "22024-30-28T10:12:13.456-0700", "2024-1-01", "2024/01/01", "-2024-01-01", "+2024-01-01",
                 " 2024-01-01", "2024-01-1", "２０２４-01-01"}) {
    expect(s, "invalid date pattern");
  }
  for (auto s : {"2024-00-01", "2024-01-00", "2024-02-30", "2025-02-29", "1900-02-29", "2024-20-01", "2024-01-32",
                 "2024-01-99", "2024-04-31", "2024-13-01"}) {
    expect(s, absl::StrCat("invalid date: ", s));
  }
  for (auto s : {"2024-10-15Z", "2024-01-01T", "2024-01-01Ta", "2024-01-01T01:", "2024-01-01T01:02",
                 "2024-01-01T01:02:0b", "2024-01-01T01::02:03", "2024-01-01T01::02::03", "2024-01-01 00:00:00Z",
                 "2024-01-01t00:00:00Z", "2024-01-01T1:02:03Z", "2024-01-01X"}) {
    expect(s, "invalid hour/minute/second pattern");
  }
  for (auto s : {"2024-01-01T00:00:00", "2024-01-01T00:00:00T", "2024-01-01T00:00:00ZZ", "2024-10-15T11:38:02ZZ",
                 "2024-01-01T00:00:00x001Z", "2024-01-01T00:00:00.001ZZ", "2024-01-01T00:00:00➕0000",
                 "2024-01-01T00:00:00➖0000", "2024-01-01T00:00:00.0001Z", "2024-01-01T00:00:00.1Z",
                 "2024-01-01T00:00:00.001➖0000", "2024-01-01T00:00:00.001➕0000", "2024-01-01T00:00:00.001+00000",
                 "2024-01-01T00:00:00.001-00000", "2024-01-01T00:00:00z", "2024-01-01T00:00:00+01",
                 "2024-01-01T00:00:00+01:00", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00Z\n",
                 "2024-01-01T00:00:00.123"}) {
    expect(s, "invalid millisecond and/or offset pattern");
  }
  expect("2024-01-01T31:02:03Z", "invalid hour/minute/second: 31:02:03");
  expect("2024-01-01T24:00:00Z", "invalid hour/minute/second: 24:00:00");
  expect("2024-01-01T01:60:03Z", "invalid hour/minute/second: 01:60:03");
  expect("2016-12-31T23:59:60Z", "invalid hour/minute/second: 23:59:60");   // no leap seconds
  expect("2016-12-31T23:59:61Z", "invalid hour/minute/second: 23:59:61");
  expect("2016-12-31T00:00:00+1160", "invalid offset range: 1160");
  expect("2016-12-31T00:00:00+1199", "invalid offset range: 1199");
  expect("2016-12-31T00:00:00+2400", "invalid offset range: 240");   // Cedar prints the numbers unpadded
  expect("2016-12-31T00:00:00.000-0960", "invalid offset range: 960");
  // The order of Cedar's checks: patterns, then the date, then the time, then the offset.
  expect("2024-02-30Tgarbage", "invalid hour/minute/second pattern");
  expect("2024-02-30T00:00:00", "invalid millisecond and/or offset pattern");
  expect("2024-02-30T99:00:00+9999", "invalid date: 2024-02-30");
  expect("2024-02-28T99:00:00+9999", "invalid hour/minute/second: 99:00:00");
}

TEST(DatetimeTest, OffsetAndDurationSince) {
  const Value t = Dt("2024-10-15T11:38:02.123Z");
  EXPECT_EQ(Apply("offset", {t, Dur("1d")}), Dt("2024-10-16T11:38:02.123Z"));
  EXPECT_EQ(Apply("offset", {DtMs(0), Dur("1d")}), Dt("1970-01-02"));
  EXPECT_EQ(Apply("offset", {DtMs(0), Dur("-1d")}), Dt("1969-12-31"));
  EXPECT_EQ(Apply("offset", {Dt("2024-10-28T10:12:13.456-0700"), Dur("-7h")}), Dt("2024-10-28T10:12:13.456Z"));
  EXPECT_EQ(Apply("offset", {Dt("2024-10-28T10:12:13.456+0700"), Dur("7h")}), Dt("2024-10-28T10:12:13.456Z"));
  EXPECT_EQ(Apply("offset", {DtMs(INT64_MAX), Dur("-1ms")}), DtMs(INT64_MAX - 1));
  EXPECT_EQ(Apply("offset", {DtMs(INT64_MIN), Dur("1ms")}), DtMs(INT64_MIN + 1));
  EXPECT_EQ(Error("offset", {DtMs(INT64_MAX), Dur("1ms")}),
            "error while evaluating `offset` extension function: overflows when adding an offset: "
            "datetime(\"1970-01-01\").offset(duration(\"9223372036854775807ms\"))+(1ms)");
  EXPECT_THAT(Error("offset", {DtMs(INT64_MIN), Dur("-1ms")}), HasSubstr("overflows when adding an offset"));

  EXPECT_EQ(Apply("durationSince", {Dt("2024-10-24"), DtMs(0)}), Dur("20020d"));
  EXPECT_EQ(Apply("durationSince", {Dt("2024-10-23"), Dt("2024-10-24")}), Dur("-1d"));
  EXPECT_EQ(Apply("durationSince", {Dt("2024-10-24"), Dt("2024-10-23")}), Dur("1d"));
  EXPECT_EQ(Apply("durationSince", {Dt("2024-10-28T10:12:13.456+0700"), Dt("2024-10-28T10:12:13.456Z")}), Dur("-7h"));
  EXPECT_EQ(Apply("durationSince", {Dt("2024-10-28T10:12:13.456-0700"), Dt("2024-10-28T10:12:13.456Z")}), Dur("7h"));
  EXPECT_EQ(Error("durationSince", {Dt("2024-10-24"), DtMs(INT64_MIN)}),
            "error while evaluating `durationSince` extension function: overflows when computing the duration "
            "between datetime(\"1970-01-01\").offset(duration(\"1729728000000ms\")) and "
            "datetime(\"1970-01-01\").offset(duration(\"-9223372036854775808ms\"))");
}

TEST(DatetimeTest, ToDateAndToTimeRoundTowardThePast) {
  const Value max_in_day = Dur("23h59m59s999ms"), min_in_day = Dur("-23h59m59s999ms");
  for (auto day : {"2024-10-24", "2024-10-23", "1970-01-01", "1900-01-01", "0000-01-01", "9999-12-31"}) {
    const Value d = Dt(day);
    EXPECT_EQ(Apply("toDate", {d}), d) << day;
    EXPECT_EQ(Apply("toTime", {d}), DurMs(0)) << day;
    EXPECT_EQ(Apply("toDate", {Apply("offset", {d, max_in_day})}), d) << day;
    EXPECT_EQ(Apply("toTime", {Apply("offset", {d, max_in_day})}), max_in_day) << day;
    EXPECT_EQ(Apply("toDate", {Apply("offset", {d, min_in_day})}), Apply("offset", {d, Dur("-1d")})) << day;
    EXPECT_EQ(Apply("toTime", {Apply("offset", {d, min_in_day})}), Dur("1ms")) << day;
  }
  const Value t = Dt("2024-10-15T11:38:02.123Z");
  EXPECT_EQ(Apply("toDate", {t}), Dt("2024-10-15"));
  EXPECT_EQ(Apply("toTime", {t}), Dur("11h38m2s123ms"));
  EXPECT_EQ(Apply("toDate", {Dt("2024-10-28T10:12:13.456+0700")}), Dt("2024-10-28"));
  EXPECT_EQ(Apply("toDate", {Dt("2024-10-28T10:12:13.456-0700")}), Dt("2024-10-28"));
  EXPECT_EQ(Apply("toTime", {Dt("2024-10-28T10:12:13.456+0700")}), Dur("3h12m13s456ms"));
  EXPECT_EQ(Apply("toTime", {Dt("2024-10-28T10:12:13.456-0700")}), Dur("17h12m13s456ms"));
  EXPECT_EQ(Apply("toDate", {Dt("1969-12-31T23:00:00Z")}), Dt("1969-12-31"));
  EXPECT_EQ(Apply("toTime", {Dt("1969-12-31T23:00:00Z")}), Dur("23h"));
  EXPECT_EQ(Apply("toDate", {DtMs(-1)}), DtMs(-kDay));
  EXPECT_EQ(Apply("toTime", {DtMs(-1)}), DurMs(kDay - 1));
  EXPECT_EQ(Apply("toTime", {DtMs(-kDay)}), DurMs(0));
  EXPECT_EQ(Apply("toDate", {DtMs(INT64_MAX)}), DtMs(INT64_MAX - INT64_MAX % kDay));
  EXPECT_EQ(Apply("toTime", {DtMs(INT64_MIN)}), DurMs(INT64_MIN % kDay + kDay));
  // The day of the earliest instant starts before it: overflow.
  EXPECT_EQ(Error("toDate", {DtMs(INT64_MIN)}),
            "error while evaluating `toDate` extension function: overflows when computing the date of "
            "datetime(\"1970-01-01\").offset(duration(\"-9223372036854775808ms\"))");
  EXPECT_EQ(Apply("toDate", {DtMs(INT64_MIN - INT64_MIN % kDay)}), DtMs(INT64_MIN - INT64_MIN % kDay));
}

TEST(DatetimeTest, Printing) {
  EXPECT_EQ(Dt("2024-10-15").ToString(), R"(datetime("2024-10-15"))");
  EXPECT_EQ(Dt("2024-10-15T11:38:02Z").ToString(), R"(datetime("2024-10-15T11:38:02Z"))");
  EXPECT_EQ(Dt("2024-10-15T11:38:02.120Z").ToString(), R"(datetime("2024-10-15T11:38:02.120Z"))");
  EXPECT_EQ(Dt("2024-10-15T00:00:00.001Z").ToString(), R"(datetime("2024-10-15T00:00:00.001Z"))");
  EXPECT_EQ(Dt("2024-10-15T01:00:00+0100").ToString(), R"(datetime("2024-10-15"))");
  EXPECT_EQ(DtMs(-1).ToString(), R"(datetime("1969-12-31T23:59:59.999Z"))");
  EXPECT_EQ(Dt("0000-01-01").ToString(), R"(datetime("0000-01-01"))");
  EXPECT_EQ(Dt("9999-12-31T23:59:59.999Z").ToString(), R"(datetime("9999-12-31T23:59:59.999Z"))");
  // Beyond years 0000-9999 no datetime string exists: Cedar's own form.
  EXPECT_EQ(Dt("0000-01-01T00:00:00+0100").ToString(),
            R"(datetime("1970-01-01").offset(duration("-62167222800000ms")))");
  EXPECT_EQ(DtMs(INT64_MAX).ToString(), R"(datetime("1970-01-01").offset(duration("9223372036854775807ms")))");
  EXPECT_EQ(DtMs(253'402'300'800'000).ToString(),
            R"(datetime("1970-01-01").offset(duration("253402300800000ms")))");
}

// ---------------------------------------------------------------------------
// duration

// Cedar's test helper: `ms` written with every unit, e.g. "-1d2h3m4s5ms".
std::string AllUnits(__int128 ms) {
  const bool negative = ms < 0;
  if (negative) ms = -ms;
  auto part = [&](__int128 per) {
    const auto n = static_cast<std::uint64_t>(ms / per);
    ms %= per;
    return n;
  };
  const std::uint64_t d = part(kDay), h = part(kHour), m = part(60'000), s = part(1000), rest = part(1);
  return absl::StrCat(negative ? "-" : "", d, "d", h, "h", m, "m", s, "s", rest, "ms");
}

TEST(DurationTest, Accepts) {
  const std::pair<std::string_view, std::int64_t> cases[] = {
      {"1h", kHour},
      {"-10h", -10 * kHour},
      {"5d3ms", 5 * kDay + 3},
      {"-3h5m", -3 * kHour - 300'000},
      {"1d2h3m4s5ms", 93'784'005},
      {"1d2h3m4s50ms", 93'784'050},
      {"-1d2h3m4s50ms", -93'784'050},   // the sign applies to every part
      {"-1d2h", -93'600'000},
      {"90m", 5'400'000},
      {"1m5ms", 60'005},
      {"1ms", 1},
      {"0ms", 0},
      {"-0d", 0},
      {"0d0h0m0s0ms", 0},
      {"007s", 7000},
      {"25h", 25 * kHour},
      {"100000s", 100'000'000},
      {"9223372036854775807ms", INT64_MAX},
      {"-9223372036854775808ms", INT64_MIN},
      {"106751991167d", 106'751'991'167 * kDay},
  };
  for (auto [s, ms] : cases) EXPECT_EQ(Dur(s).as_duration().ms, ms) << s;
  EXPECT_EQ(Dur(AllUnits(INT64_MAX)).as_duration().ms, INT64_MAX);
  EXPECT_EQ(Dur(AllUnits(INT64_MIN)).as_duration().ms, INT64_MIN);
}

TEST(DurationTest, RejectsWithCedarsMessages) {
  const std::string kPre = "error while evaluating `duration` extension function: ";
  for (std::string_view s : {"", "a", "-", "-1", "1", "d", "➖1ms", "11dd", "00000mm", "-d", "-h", "-1hh", "-h2d",
                             "-ms", "1ms1s", "1ms1m", "1ms1h", "0ms1d", "1s1m", "1s1h", "0s0d", "0m0h", "0m0d",
                             "1h1d", "1ms1m1d", "1d1d", "1m1h", "1.5h", "1 d", " 1d", "1d ", "+1d", "1D", "1H",
                             "--1d", "1d-2h", "1y", "1w", "1us", "1mss", "1sm", "1dh", "1d2", "１d",
                             "99999999999999999999999d1x"}) {   // the pattern is checked before the numbers
    EXPECT_EQ(CtorError("duration", s), absl::StrCat(kPre, "invalid duration pattern")) << s;
  }
  for (std::string_view s : {"9223372036854775808ms", "-9223372036854775809ms", "18446744073709551616ms",
                             "106751991168d", "106751991167d1d", "9223372036854776s",
                             "-9223372036854775s808ms1ms"}) {
    EXPECT_THAT(CtorError("duration", s), HasSubstr("duration")) << s;
  }
  for (std::string_view s : {"9223372036854775808ms", "-9223372036854775809ms", "18446744073709551616ms",
                             "106751991168d", "9223372036854776s", "106751991167d23h59m59s999ms"}) {
    EXPECT_EQ(CtorError("duration", s), absl::StrCat(kPre, "Duration overflows internal representation")) << s;
  }
  EXPECT_EQ(CtorError("duration", AllUnits(__int128{INT64_MAX} + 1)),
            absl::StrCat(kPre, "Duration overflows internal representation"));
  EXPECT_EQ(CtorError("duration", AllUnits(__int128{INT64_MIN} - 1)),
            absl::StrCat(kPre, "Duration overflows internal representation"));
}

TEST(DurationTest, ConversionsTruncateTowardZero) {
  for (const Value& o : {Dur("10d23h59m58s999ms"), Dur("-10d23h59m58s999ms")}) {
    const std::int64_t sign = o.as_duration().ms < 0 ? -1 : 1;
    EXPECT_EQ(Apply("toDays", {o}), Value::Long(sign * 10));
    EXPECT_EQ(Apply("toHours", {o}), Value::Long(sign * (10 * 24 + 23)));
    EXPECT_EQ(Apply("toMinutes", {o}), Value::Long(sign * ((10 * 24 + 23) * 60 + 59)));
    EXPECT_EQ(Apply("toSeconds", {o}), Value::Long(sign * (((10 * 24 + 23) * 60 + 59) * 60 + 58)));
    EXPECT_EQ(Apply("toMilliseconds", {o}), Value::Long(sign * ((((10 * 24 + 23) * 60 + 59) * 60 + 58) * 1000 + 999)));
  }
  const Value d = Dur("1d2h3m4s50ms"), n = Dur("-1d2h3m4s50ms");
  EXPECT_EQ(Apply("toMilliseconds", {d}), Value::Long(93784050));
  EXPECT_EQ(Apply("toMilliseconds", {n}), Value::Long(-93784050));
  EXPECT_EQ(Apply("toSeconds", {d}), Value::Long(93784));
  EXPECT_EQ(Apply("toSeconds", {n}), Value::Long(-93784));
  EXPECT_EQ(Apply("toMinutes", {d}), Value::Long(1563));
  EXPECT_EQ(Apply("toMinutes", {n}), Value::Long(-1563));
  EXPECT_EQ(Apply("toHours", {d}), Value::Long(26));
  EXPECT_EQ(Apply("toHours", {n}), Value::Long(-26));
  EXPECT_EQ(Apply("toDays", {d}), Value::Long(1));
  EXPECT_EQ(Apply("toDays", {n}), Value::Long(-1));
  EXPECT_EQ(Apply("toSeconds", {Dur("-1ms")}), Value::Long(0));
  EXPECT_EQ(Apply("toDays", {DurMs(INT64_MIN)}), Value::Long(INT64_MIN / kDay));
  EXPECT_EQ(Apply("toMilliseconds", {DurMs(INT64_MIN)}), Value::Long(INT64_MIN));
}

TEST(DurationTest, EqualityAndPrinting) {
  EXPECT_EQ(Dur("-3d"), Dur("-72h"));
  EXPECT_EQ(Dur("1h30m"), Dur("90m"));
  EXPECT_NE(Dur("-2h"), Dur("1h"));
  EXPECT_EQ(Dur("1h").ToString(), R"(duration("3600000ms"))");
  EXPECT_EQ(Dur("-1ms").ToString(), R"(duration("-1ms"))");
  EXPECT_EQ(Dur("0d").ToString(), R"(duration("0ms"))");
  EXPECT_EQ(DurMs(INT64_MIN).ToString(), R"(duration("-9223372036854775808ms"))");
}

// ---------------------------------------------------------------------------
// The printed and JSON forms rebuild the value

void ExpectRoundTrip(const Value& v) {
  const std::string arg = ExtConstructorArg(v);
  absl::StatusOr<Value> back = Construct(ExtConstructorName(v.kind()), arg);
  ASSERT_TRUE(back.ok()) << arg << ": " << back.status();
  EXPECT_EQ(*back, v) << arg;
  EXPECT_EQ(v.ToString(), absl::StrCat(Av(ExtConstructorName(v.kind())), "(\"", arg, "\")"));
}

TEST(ExtJsonFormTest, ConstructorNames) {
  EXPECT_EQ(ExtConstructorName(Value::Kind::kIp), "ip");
  EXPECT_EQ(ExtConstructorName(Value::Kind::kDecimal), "decimal");
  EXPECT_EQ(ExtConstructorName(Value::Kind::kDatetime), "datetime");
  EXPECT_EQ(ExtConstructorName(Value::Kind::kDuration), "duration");
}

TEST(ExtJsonFormTest, RandomValuesRoundTrip) {
  std::mt19937_64 rng(20240);
  for (int i = 0; i < 20000; ++i) {
    IpAddr ip;
    ip.is_v6 = rng() % 2 == 0;
    for (int b = 0; b < (ip.is_v6 ? 16 : 4); ++b) {
      // Mostly zero bytes, to exercise "::" compression.
      ip.bytes[b] = rng() % 3 == 0 ? static_cast<std::uint8_t>(rng()) : 0;
    }
    ip.prefix_len = static_cast<std::uint8_t>(rng() % (ip.is_v6 ? 129 : 33));
    ExpectRoundTrip(Value::FromIp(ip));
    ExpectRoundTrip(Value::FromDecimal({static_cast<std::int64_t>(rng())}));
    ExpectRoundTrip(Value::FromDuration({static_cast<std::int64_t>(rng())}));
    // Years 0000-9999.
    const std::int64_t lo = -62'167'219'200'000, hi = 253'402'300'799'999;
    std::int64_t ms = lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
    if (i % 3 == 0) ms -= ms % 1000;
    if (i % 5 == 0) ms -= ((ms % kDay) + kDay) % kDay;
    ExpectRoundTrip(Value::FromDatetime({ms}));
  }
  for (std::int64_t v : {INT64_MIN, INT64_MIN + 1, std::int64_t{-1}, std::int64_t{0}, INT64_MAX}) {
    ExpectRoundTrip(Value::FromDecimal({v}));
    ExpectRoundTrip(Value::FromDuration({v}));
  }
}

TEST(ExtJsonFormTest, DatetimesBeyondTheCalendarDoNotReadBack) {
  // No string names them; the JSON writer must not produce one that reads
  // back as a different instant.
  for (std::int64_t ms : {INT64_MIN, INT64_MAX, std::int64_t{-62'167'219'200'001}, std::int64_t{253'402'300'800'000}}) {
    EXPECT_FALSE(Construct("datetime", ExtConstructorArg(DtMs(ms))).ok()) << ms;
  }
}

// Every extension literal in Cedar's conformance corpus: parsing it never
// crashes, and an accepted one prints to a form that parses back to it.
TEST(ExtCorpusTest, CorpusLiteralsRoundTrip) {
  const char* dir = std::getenv("WRIT_CORPUS_DIR");
  if (dir == nullptr || !std::filesystem::is_directory(dir)) GTEST_SKIP() << "WRIT_CORPUS_DIR is not set";
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".cedar") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (std::string ctor : {"ip", "decimal", "datetime", "duration"}) {
      const std::string open = ctor + "(\"";
      for (std::size_t at = s.find(open); at != std::string::npos; at = s.find(open, at + 1)) {
        if (at > 0 && (std::isalnum(static_cast<unsigned char>(s[at - 1])) || s[at - 1] == '_')) continue;
        const std::size_t begin = at + open.size(), end = s.find('"', begin);
        if (end == std::string::npos) break;
        const std::string arg = s.substr(begin, end - begin);
        if (arg.find('\\') != std::string::npos) continue;   // escapes: not unescaped here
        seen.emplace(ctor, arg);
      }
    }
  }
  ASSERT_GT(seen.size(), 1000u);
  int accepted = 0, beyond_calendar = 0;
  for (const auto& [ctor, arg] : seen) {
    absl::StatusOr<Value> v = Construct(ctor, arg);
    if (!v.ok()) {
      EXPECT_THAT(v.status().message(), HasSubstr("error while evaluating `")) << ctor << "(\"" << arg << "\")";
      continue;
    }
    ++accepted;
    if (v->is(Value::Kind::kDatetime) && !FormatDatetime(v->as_datetime())) {
      // E.g. "0000-01-01T00:00:00+0100", in year -1: only Cedar's offset form names it.
      EXPECT_EQ(v->ToString(), DatetimeAsOffsetExpr(v->as_datetime())) << arg;
      ++beyond_calendar;
      continue;
    }
    ExpectRoundTrip(*v);
  }
  EXPECT_GT(accepted, 500);
  EXPECT_GT(beyond_calendar, 0);
}

}  // namespace
}  // namespace writ::internal
