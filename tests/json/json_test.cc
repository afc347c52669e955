// Tests for Cedar's JSON forms: values, entity references, entities,
// requests and decisions, the located issues for every kind of mistake, and
// the conformance corpus's entities and requests.
#include "writ/json.h"

#include <sys/mman.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "writ/limits.h"

namespace writ {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The first error among `issues`, or a dummy one when there is none.
Issue FirstError(const std::vector<Issue>& issues) {
  for (const Issue& i : issues) {
    if (i.severity == Severity::kError) return i;
  }
  return Issue{Severity::kNote, "", 0, 0, 0, "(no error)", "", ""};
}

}  // namespace

void PrintTo(const Issue& issue, std::ostream* os) { *os << RenderIssue(issue); }

namespace {

bool HasWarning(const std::vector<Issue>& issues) {
  for (const Issue& i : issues) {
    if (i.severity == Severity::kWarning) return true;
  }
  return false;
}

Value Rec(std::vector<std::pair<std::string, Value>> fields) {
  return Value::MakeRecord(Value::Record(fields.begin(), fields.end()));
}

// Reads `json` as a value; expects success and no issues at all.
Value Read(std::string_view json) {
  std::vector<Issue> issues;
  absl::StatusOr<Value> v = ValueFromJson(json, "v.json", &issues);
  EXPECT_TRUE(v.ok()) << v.status() << "\n" << RenderIssues(issues);
  EXPECT_THAT(issues, IsEmpty()) << RenderIssues(issues);
  return v.ok() ? *v : Value();
}

// Reads `json` as a value; expects failure and returns the first error.
Issue ValueError(std::string_view json) {
  std::vector<Issue> issues;
  absl::StatusOr<Value> v = ValueFromJson(json, "v.json", &issues);
  EXPECT_FALSE(v.ok()) << json;
  if (!v.ok()) {
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  }
  Issue first = FirstError(issues);
  EXPECT_EQ(first.file, "v.json");
  return first;
}

#define EXPECT_AT(issue, l, c)        \
  do {                                \
    Issue _i = (issue);               \
    EXPECT_EQ(_i.line, (l)) << _i.message; \
    EXPECT_EQ(_i.column, (c)) << _i.message; \
  } while (0)

// ---------------------------------------------------------------- values

TEST(ValueFromJson, Primitives) {
  EXPECT_EQ(Read("true"), Value::Bool(true));
  EXPECT_EQ(Read(" false "), Value::Bool(false));
  EXPECT_EQ(Read("42"), Value::Long(42));
  EXPECT_EQ(Read("-7"), Value::Long(-7));
  EXPECT_EQ(Read("9223372036854775807"), Value::Long(INT64_MAX));
  EXPECT_EQ(Read("-9223372036854775808"), Value::Long(INT64_MIN));
  EXPECT_EQ(Read(R"("a\"b\\c\n\u00e9\ud83d\ude00")"),
            Value::String("a\"b\\c\n\xC3\xA9\xF0\x9F\x98\x80"));
  EXPECT_EQ(Read("\"caf\xC3\xA9\""), Value::String("caf\xC3\xA9"));
}

TEST(ValueFromJson, ArraysAreSetsAndObjectsAreRecords) {
  EXPECT_EQ(Read("[3, 1, 3, 2]"),
            Value::MakeSet({Value::Long(1), Value::Long(2), Value::Long(3)}));
  EXPECT_EQ(Read("[]"), Value::MakeSet({}));
  EXPECT_EQ(Read(R"({"b": [true], "a": {"x": "y"}})"),
            Rec({{"a", Rec({{"x", Value::String("y")}})},
                               {"b", Value::MakeSet({Value::Bool(true)})}}));
  EXPECT_EQ(Read("{}"), Value::MakeRecord(Value::Record{}));
}

TEST(ValueFromJson, EntityEscape) {
  EXPECT_EQ(Read(R"({"__entity": {"type": "Ns::User", "id": "alice"}})"),
            Value::Entity({"Ns::User", "alice"}));
  // Extra members inside the escape are ignored, as Cedar does.
  EXPECT_EQ(Read(R"({"__entity": {"id": "", "type": "A", "x": 1}})"), Value::Entity({"A", ""}));
}

TEST(ValueFromJson, TypeAndIdWithoutEscapeIsARecord) {
  // Without a schema, Cedar reads {"type","id"} as a plain record.
  EXPECT_EQ(Read(R"({"type": "User", "id": "alice"})"),
            Rec({{"id", Value::String("alice")}, {"type", Value::String("User")}}));
}

TEST(ValueFromJson, MalformedEscapesAreRecordsWithAWarning) {
  for (std::string_view json : {
           R"({"__extn": {"fn": "ip"}})",
           R"({"__extn": "ip"})",
           R"({"__entity": {"type": "A"}})",
           R"({"__entity": {"type": "A", "id": 1}})",
       }) {
    std::vector<Issue> issues;
    absl::StatusOr<Value> v = ValueFromJson(json, "v.json", &issues);
    ASSERT_TRUE(v.ok()) << json << ": " << v.status();
    EXPECT_TRUE(v->is(Value::Kind::kRecord)) << json;
    EXPECT_TRUE(HasWarning(issues)) << json;
    EXPECT_FALSE(HasErrors(issues)) << json;
  }
  // An escape key beside other keys is an ordinary record (Cedar 4.5+).
  EXPECT_TRUE(Read(R"({"__entity": {"type": "A", "id": "b"}, "x": 1})").is(Value::Kind::kRecord));
}

TEST(ValueFromJson, ExtensionEscape) {
  Value ip = Read(R"({"__extn": {"fn": "ip", "arg": "10.0.0.1"}})");
  ASSERT_TRUE(ip.is(Value::Kind::kIp));
  EXPECT_EQ(ip.as_ip().bytes[0], 10);
  EXPECT_TRUE(Read(R"({"__extn": {"fn": "decimal", "arg": "1.5"}})").is(Value::Kind::kDecimal));
  EXPECT_TRUE(
      Read(R"({"__extn": {"fn": "datetime", "arg": "2024-01-01"}})").is(Value::Kind::kDatetime));
  EXPECT_TRUE(Read(R"({"__extn": {"fn": "duration", "arg": "1h"}})").is(Value::Kind::kDuration));
  // The multi-argument form (Cedar 4.3+), with nested escapes.
  Value offset = Read(R"({"__extn": {"fn": "offset", "args": [
      {"__extn": {"fn": "datetime", "arg": "1970-01-01"}},
      {"__extn": {"fn": "duration", "arg": "1ms"}}]}})");
  EXPECT_TRUE(offset.is(Value::Kind::kDatetime));
}

TEST(ValueFromJson, ExtensionErrors) {
  Issue unknown = ValueError(R"({"__extn": {"fn": "nope", "arg": "x"}})");
  EXPECT_THAT(unknown.message, HasSubstr("`nope` does not exist"));
  EXPECT_AT(unknown, 1u, 19u);
  Issue bad_arg = ValueError("{\"a\":\n  {\"__extn\": {\"fn\": \"ip\", \"arg\": \"not an ip\"}}}");
  EXPECT_THAT(bad_arg.message, HasSubstr("invalid `__extn` escape"));
  EXPECT_AT(bad_arg, 2u, 34u);
  Issue arity = ValueError(R"({"__extn": {"fn": "ip", "args": ["1.2.3.4", "x"]}})");
  EXPECT_THAT(arity.message, HasSubstr("expected 1 arguments for function ip but 2"));
  EXPECT_AT(arity, 1u, 33u);
  Issue wrong_kind = ValueError(R"({"__extn": {"fn": "ip", "arg": 5}})");
  EXPECT_AT(wrong_kind, 1u, 32u);
}

TEST(ValueFromJson, BadEntityTypeName) {
  Issue i = ValueError(R"({"__entity": {"type": "Not A Name", "id": "x"}})");
  EXPECT_THAT(i.message, HasSubstr("`Not A Name` is not a valid entity type name"));
  EXPECT_AT(i, 1u, 23u);
  // Cedar wants the normalized form: no spaces around `::`.
  ValueError(R"({"__entity": {"type": "A :: B", "id": "x"}})");
  ValueError(R"({"__entity": {"type": "", "id": "x"}})");
}

TEST(ValueFromJson, NullIsAnError) {
  Issue i = ValueError("{\"a\": [1,\n null]}");
  EXPECT_THAT(i.message, HasSubstr("`null`"));
  EXPECT_AT(i, 2u, 2u);
  EXPECT_EQ(i.length, 4u);
}

TEST(ValueFromJson, ExprEscapeIsAnError) {
  Issue i = ValueError(R"([{"__expr": "1 + 1"}])");
  EXPECT_THAT(i.message, HasSubstr("`__expr` escape is no longer supported"));
  EXPECT_AT(i, 1u, 2u);
}

TEST(ValueFromJson, FloatsAreErrors) {
  Issue f = ValueError("{\"a\": 1.5}");
  EXPECT_THAT(f.message, HasSubstr("`1.5` is not an integer"));
  EXPECT_AT(f, 1u, 7u);
  EXPECT_EQ(f.length, 3u);
  EXPECT_AT(ValueError("[1e3]"), 1u, 2u);
  EXPECT_AT(ValueError("[0, -2.0E+1]"), 1u, 5u);
  EXPECT_AT(ValueError("1.0"), 1u, 1u);   // at the end of input
  // serde_json (and so Cedar) reads `-0` as a float; plain 0 is fine.
  Issue neg_zero = ValueError("{\"a\": [1,\n -0]}");
  EXPECT_THAT(neg_zero.message, HasSubstr("`-0` is not an integer"));
  EXPECT_AT(neg_zero, 2u, 2u);
  EXPECT_EQ(neg_zero.length, 2u);
  EXPECT_AT(ValueError("-0"), 1u, 1u);
  EXPECT_EQ(Read("[0, -1]"), Value::MakeSet({Value::Long(0), Value::Long(-1)}));
}

TEST(ValueFromJson, IntegersOutsideI64AreErrors) {
  Issue big = ValueError("[1,\n 9223372036854775808]");
  EXPECT_THAT(big.message, HasSubstr("`9223372036854775808` does not fit in a Cedar long"));
  EXPECT_AT(big, 2u, 2u);
  EXPECT_AT(ValueError("[-9223372036854775809]"), 1u, 2u);
  EXPECT_AT(ValueError("{\"x\":123456789012345678901234567890}"), 1u, 6u);
}

TEST(ValueFromJson, DuplicateKeysAreErrors) {
  std::vector<Issue> issues;
  absl::StatusOr<Value> v =
      ValueFromJson("{\n  \"a\": 1,\n  \"b\": {\"a\": 2},\n  \"a\": 3\n}", "dup.json", &issues);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("dup.json:4:3: duplicate key `a`"));
  Issue i = FirstError(issues);
  EXPECT_AT(i, 4u, 3u);
  EXPECT_EQ(i.length, 3u);
  EXPECT_EQ(i.source_line, "  \"a\": 3");
  EXPECT_THAT(i.hint, HasSubstr("line 2, column 3"));
  // Keys are compared decoded: "\u0061" is "a".
  EXPECT_AT(ValueError(R"({"a": 1, "\u0061": 2})"), 1u, 10u);
  // Nested, and inside escapes too.
  EXPECT_AT(ValueError(R"([{"x": {"k": 1, "k": 2}}])"), 1u, 17u);
  EXPECT_AT(ValueError(R"({"__entity": {"type": "A", "id": "b", "id": "c"}})"), 1u, 39u);
}

// Small objects find duplicates by scanning, large ones through an index
// built at the 16th key: a duplicate is found on either side of that line,
// with the location of its first occurrence.
TEST(ValueFromJson, DuplicateKeysInLargeObjectsAreErrors) {
  auto object = [](int n, const std::string& extra) {
    std::string s = "{";
    for (int i = 0; i < n; ++i) absl::StrAppend(&s, "\"k", i, "\":", i, ",\n");
    return s + extra + "}";
  };
  for (int n : {15, 16, 17, 40}) {
    SCOPED_TRACE(n);
    EXPECT_TRUE(ValueFromJson(object(n, "\"last\":0"), "big.json", nullptr).ok());
    for (int first : {0, 14, n - 1}) {
      std::vector<Issue> issues;
      absl::StatusOr<Value> v = ValueFromJson(object(n, absl::StrCat("\"k", first, "\":0")), "big.json", &issues);
      ASSERT_FALSE(v.ok());
      Issue i = FirstError(issues);
      EXPECT_THAT(i.message, HasSubstr(absl::StrCat("duplicate key `k", first, "`")));
      EXPECT_AT(i, static_cast<std::uint32_t>(n) + 1, 1u);
      EXPECT_THAT(i.hint, HasSubstr(absl::StrCat("line ", first + 1, ", column ", first == 0 ? 2 : 1)));
    }
  }
}

TEST(ValueFromJson, MalformedJsonIsLocated) {
  Issue eof = ValueError("{\"a\": [1, 2");
  EXPECT_THAT(eof.message, HasSubstr("unexpected end of input"));
  EXPECT_AT(eof, 1u, 12u);
  Issue comma = ValueError("[1,\n]");
  EXPECT_EQ(comma.message, "unexpected ']'; expected '[', '{', or a literal");
  EXPECT_AT(comma, 2u, 1u);
  EXPECT_AT(ValueError("{\"a\" 1}"), 1u, 6u);
  EXPECT_AT(ValueError("[1] x"), 1u, 5u);
  EXPECT_AT(ValueError("[tru]"), 1u, 5u);
  EXPECT_AT(ValueError("\"abc"), 1u, 5u);
  EXPECT_AT(ValueError("[\"a\nb\"]"), 1u, 4u);   // a raw control character (the LF)
  EXPECT_AT(ValueError(R"(["\ud800"])"), 1u, 9u);   // a lone surrogate
  Issue empty = ValueError("");
  EXPECT_AT(empty, 1u, 1u);
  ValueError("   ");
  ValueError("[1, 2] [3]");
}

TEST(ValueFromJson, InvalidUtf8IsLocated) {
  Issue i = ValueError("{\"a\":\n \"ok\xC3\x28\"}");
  EXPECT_THAT(i.message, HasSubstr("invalid UTF-8"));
  EXPECT_AT(i, 2u, 5u);
  EXPECT_AT(ValueError("[\"\xED\xA0\x80\"]"), 1u, 3u);   // an encoded surrogate
  EXPECT_AT(ValueError("[\"\xC0\xAF\"]"), 1u, 3u);       // an overlong form
  EXPECT_AT(ValueError("\xFF"), 1u, 1u);
}

TEST(ValueFromJson, NestingLimit) {
  std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(ValueFromJson(ok, "deep.json", nullptr).ok());
  std::string too_deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  Issue i = ValueError(too_deep);
  EXPECT_THAT(i.message, HasSubstr(absl::StrCat("deeper than ", kMaxJsonDepth, " levels")));
  EXPECT_AT(i, 1u, static_cast<std::uint32_t>(kMaxJsonDepth + 1));
  // Mixed objects and arrays count alike.
  std::string mixed;
  for (int d = 0; d <= kMaxJsonDepth; ++d) mixed += d % 2 ? "[" : "{\"k\":";
  EXPECT_THAT(ValueError(mixed).message, HasSubstr("deeper than"));
}

TEST(ValueFromJson, HundredThousandDeepIsACleanError) {
  constexpr int kDepth = 100'000;
  std::string arrays = std::string(kDepth, '[') + std::string(kDepth, ']');
  EXPECT_AT(ValueError(arrays), 1u, static_cast<std::uint32_t>(kMaxJsonDepth + 1));
  std::string objects;
  for (int d = 0; d < kDepth; ++d) objects += "{\"a\":";
  EXPECT_THAT(ValueError(objects).message, HasSubstr("deeper than"));
  // Unterminated too, and through every reader.
  std::string open(kDepth, '[');
  EXPECT_FALSE(EntitiesFromJson(open, "e.json", nullptr).ok());
  EXPECT_FALSE(RequestFromJson("{\"context\":" + open, "r.json", nullptr).ok());
  EXPECT_FALSE(EntityUidFromJson(open, "u.json", nullptr).ok());
}

TEST(ValueFromJson, DocumentSizeLimitIsCheckedBeforeReading) {
  // An untouched anonymous mapping: the limit must be enforced without
  // reading a byte of it.
  const std::size_t size = kMaxJsonBytes + 1;
  void* p = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  std::vector<Issue> issues;
  absl::StatusOr<Value> v =
      ValueFromJson(std::string_view(static_cast<const char*>(p), size), "big.json", &issues);
  munmap(p, size);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("larger than the limit"));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].file, "big.json");
}

TEST(ValueFromJson, NullIssuesPointerIsAllowed) {
  absl::StatusOr<Value> v = ValueFromJson("[1,", "x.json", nullptr);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("x.json:1:4:"));
}

TEST(ValueFromJson, ErrorsAreCollectedAcrossSiblings) {
  std::vector<Issue> issues;
  EXPECT_FALSE(ValueFromJson("{\"a\": null,\n \"b\": null}", "v.json", &issues).ok());
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_AT(issues[1], 2u, 7u);
}

// ---------------------------------------------------------------- writing

TEST(ValueToJson, CedarForm) {
  EXPECT_EQ(ValueToJson(Value::Bool(true)), "true");
  EXPECT_EQ(ValueToJson(Value::Long(-3)), "-3");
  EXPECT_EQ(ValueToJson(Value::String("a\"b\n\xC3\xA9")), R"("a\"b\n)" "\xC3\xA9\"");
  EXPECT_EQ(ValueToJson(Value::MakeSet({Value::Long(2), Value::Long(1)})), "[1,2]");
  EXPECT_EQ(ValueToJson(Rec({{"b", Value::Long(1)}, {"a", Value::MakeSet({})}})),
            R"({"a":[],"b":1})");
  EXPECT_EQ(ValueToJson(Value::Entity({"Ns::User", "al\"ice"})),
            R"({"__entity":{"type":"Ns::User","id":"al\"ice"}})");
  IpAddr ip;
  ip.bytes = {10, 0, 0, 1};
  ip.prefix_len = 32;
  std::string ip_json = ValueToJson(Value::FromIp(ip));
  EXPECT_THAT(ip_json, HasSubstr(R"({"__extn":{"fn":"ip","arg":"10.0.0.1)"));
  // Invalid UTF-8 (which no reader produces) is replaced, not thrown over.
  EXPECT_EQ(ValueToJson(Value::String("a\xFF")), "\"a\xEF\xBF\xBD\"");
}

TEST(ValueToJson, RoundTrip) {
  for (std::string_view json : {
           R"(true)",
           R"(-9223372036854775808)",
           R"("\u0000 and \t")",
           R"([1, "a", [true, false], {"k": []}])",
           R"({"p": {"__entity": {"type": "A::B", "id": "x"}}, "q": [{"__entity": {"type": "C", "id": ""}}]})",
           R"({"ip": {"__extn": {"fn": "ip", "arg": "192.168.0.1"}}})",
           R"([{"__extn": {"fn": "decimal", "arg": "1.2300"}}, {"__extn": {"fn": "duration", "arg": "1h"}}])",
           R"({"t": {"__extn": {"fn": "datetime", "arg": "2024-10-15T11:35:00Z"}}})",
           // Before year 0: no datetime string exists; written as an offset
           // call (found by fuzz/json_fuzz, fuzz/regressions/json_fuzz/).
           R"({"t": {"__extn": {"fn": "offset", "args": [{"__extn": {"fn": "datetime", "arg": "1970-01-01"}},)"
           R"({"__extn": {"fn": "duration", "arg": "-8101986847143815834ms"}}]}}})",
       }) {
    Value v = Read(json);
    std::string once = ValueToJson(v);
    Value back = Read(once);
    EXPECT_EQ(back, v) << json << " -> " << once;
    EXPECT_EQ(ValueToJson(back), once);
  }
}

// A record of many keys is written in time linear in its size: ordered_json's
// operator[] scanned the object for every key (O(n^2): 40,000 context keys
// took seconds in `writ serve`'s log and the C ABI). 200,000 keys take a
// fraction of a second now and would take minutes (past ctest's timeout)
// the old way.
TEST(ValueToJson, ManyKeysInLinearTime) {
  std::vector<std::pair<std::string, Value>> fields;
  constexpr int kKeys = 200'000;
  fields.reserve(kKeys);
  for (int i = 0; i < kKeys; ++i) fields.emplace_back("k" + std::to_string(i), Value::Long(i));
  Value v = Rec(std::move(fields));
  std::string json = ValueToJson(v);
  EXPECT_EQ(Read(json), v);
}

TEST(DecisionToJson, ExactForm) {
  Decision d;
  d.allowed = true;
  d.reasons = {"policy0"};
  d.errors = {{"policy2", "type error: expected long, got \"string\""}};
  EXPECT_EQ(DecisionToJson(d),
            R"({"decision":"allow","reasons":["policy0"],"errors":[{"policy":"policy2",)"
            R"("message":"type error: expected long, got \"string\""}]})");
  EXPECT_EQ(DecisionToJson(Decision{}), R"({"decision":"deny","reasons":[],"errors":[]})");
  Decision bad;
  bad.errors = {{"p", "bad \xFF byte"}};
  EXPECT_THAT(DecisionToJson(bad), HasSubstr("bad \xEF\xBF\xBD byte"));   // no exception
  Decision ext;
  ext.breakglass = {"bg1", "bg2"};
  ext.revoked = true;
  EXPECT_EQ(DecisionToJson(ext),
            R"({"decision":"deny","reasons":[],"errors":[],"breakglass":["bg1","bg2"],"revoked":true})");
}

// Plain ASCII is copied, everything else escaped: either way the text reads
// back as the strings written.
TEST(DecisionToJson, EscapesWhatJsonRequires) {
  const std::vector<std::string> strings = {"plain id", "quote \" and \\ backslash", "tab\tnew\nline\x01",
                                            "caf\xC3\xA9 \xE2\x9C\x93", "", "del\x7F", "~!@#$%^&*()"};
  Decision d;
  d.allowed = true;
  d.reasons = strings;
  d.breakglass = strings;
  for (const std::string& s : strings) d.errors.push_back({s, s + "!"});
  const nlohmann::json j = nlohmann::json::parse(DecisionToJson(d));
  EXPECT_EQ(j["decision"], "allow");
  EXPECT_EQ(j["reasons"].get<std::vector<std::string>>(), strings);
  EXPECT_EQ(j["breakglass"].get<std::vector<std::string>>(), strings);
  ASSERT_EQ(j["errors"].size(), strings.size());
  for (std::size_t i = 0; i < strings.size(); ++i) {
    EXPECT_EQ(j["errors"][i]["policy"], strings[i]);
    EXPECT_EQ(j["errors"][i]["message"], strings[i] + "!");
  }
}

// ---------------------------------------------------------------- entity refs

TEST(EntityUidFromJson, EveryForm) {
  EntityUid want{"Ns::User", "alice"};
  for (std::string_view json : {
           R"({"type": "Ns::User", "id": "alice"})",
           R"({"__entity": {"type": "Ns::User", "id": "alice"}})",
           R"("Ns::User::\"alice\"")",
       }) {
    std::vector<Issue> issues;
    absl::StatusOr<EntityUid> uid = EntityUidFromJson(json, "u.json", &issues);
    ASSERT_TRUE(uid.ok()) << json << ": " << uid.status();
    EXPECT_EQ(*uid, want);
  }
}

TEST(EntityUidFromJson, Errors) {
  std::vector<Issue> issues;
  EXPECT_FALSE(EntityUidFromJson("\"alice\"", "u.json", &issues).ok());
  EXPECT_AT(FirstError(issues), 1u, 1u);
  issues.clear();
  EXPECT_FALSE(EntityUidFromJson(R"({"type": "User"})", "u.json", &issues).ok());
  EXPECT_THAT(FirstError(issues).message, HasSubstr("missing `id`"));
  issues.clear();
  EXPECT_FALSE(EntityUidFromJson(R"({"type": "User", "id": 7})", "u.json", &issues).ok());
  EXPECT_AT(FirstError(issues), 1u, 24u);
  issues.clear();
  EXPECT_FALSE(EntityUidFromJson("[1]", "u.json", &issues).ok());
  EXPECT_THAT(FirstError(issues).message, HasSubstr("expected an entity reference, but got `[1]`"));
  issues.clear();
  EXPECT_FALSE(EntityUidFromJson(R"({"__expr": "User::\"a\""})", "u.json", &issues).ok());
  EXPECT_THAT(FirstError(issues).message, HasSubstr("`__expr`"));
}

// ---------------------------------------------------------------- entities

constexpr std::string_view kEntities = R"([
  {"uid": {"type": "User", "id": "alice"},
   "attrs": {"age": 30, "manager": {"__entity": {"type": "User", "id": "bob"}},
             "addr": {"__extn": {"fn": "ip", "arg": "10.1.2.3"}}, "tags": ["a", "b"]},
   "parents": [{"type": "Group", "id": "admins"}, {"__entity": {"type": "Group", "id": "all"}}],
   "tags": {"env": "prod"}},
  {"uid": {"__entity": {"type": "Group", "id": "admins"}}, "attrs": {}, "parents": []},
  {"uid": {"type": "Action", "id": "read"}, "attrs": {},
   "parents": [{"type": "Action", "id": "any"}]}
])";

TEST(EntitiesFromJson, ReadsEveryField) {
  std::vector<Issue> issues;
  absl::StatusOr<Entities> es = EntitiesFromJson(kEntities, "e.json", &issues);
  ASSERT_TRUE(es.ok()) << es.status() << RenderIssues(issues);
  EXPECT_THAT(issues, IsEmpty());
  EXPECT_EQ(es->size(), 3u);
  const Entity* alice = es->Find({"User", "alice"});
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->attrs.at("age"), Value::Long(30));
  EXPECT_EQ(alice->attrs.at("manager"), Value::Entity({"User", "bob"}));
  EXPECT_TRUE(alice->attrs.at("addr").is(Value::Kind::kIp));
  EXPECT_EQ(alice->parents, (std::vector<EntityUid>{{"Group", "admins"}, {"Group", "all"}}));
  EXPECT_EQ(alice->tags.at("env"), Value::String("prod"));
  EXPECT_TRUE(es->IsDescendantOf({"User", "alice"}, {"Group", "all"}));
  const Entity* admins = es->Find({"Group", "admins"});
  ASSERT_NE(admins, nullptr);
  EXPECT_TRUE(admins->tags.empty());
  EXPECT_TRUE(EntitiesFromJson("[]", "e.json", nullptr)->size() == 0);
}

Issue EntitiesError(std::string_view json) {
  std::vector<Issue> issues;
  absl::StatusOr<Entities> es = EntitiesFromJson(json, "e.json", &issues);
  EXPECT_FALSE(es.ok()) << json;
  return FirstError(issues);
}

TEST(EntitiesFromJson, Errors) {
  // Cedar rejects a second entry for a uid that differs from the first...
  Issue dup = EntitiesError(
      "[{\"uid\": {\"type\": \"A\", \"id\": \"1\"}, \"attrs\": {}, \"parents\": []},\n"
      " {\"uid\": {\"type\": \"A\", \"id\": \"1\"}, \"attrs\": {\"x\": 1}, \"parents\": []}]");
  EXPECT_THAT(dup.message, HasSubstr("duplicate entity entry `A::\"1\"`"));
  EXPECT_AT(dup, 2u, 10u);
  EXPECT_THAT(dup.hint, HasSubstr("line 1, column 10"));
  // ...and accepts one equal to it (parents compared as a set): a warning here.
  std::vector<Issue> same_issues;
  absl::StatusOr<Entities> same = EntitiesFromJson(
      "[{\"uid\": {\"type\": \"A\", \"id\": \"1\"}, \"attrs\": {}, \"parents\": [{\"type\": \"G\", \"id\": \"g\"}, {\"type\": \"G\", \"id\": \"h\"}]},\n"
      " {\"uid\": {\"type\": \"A\", \"id\": \"1\"}, \"attrs\": {}, \"parents\": [{\"type\": \"G\", \"id\": \"h\"}, {\"type\": \"G\", \"id\": \"g\"}]}]",
      "e.json", &same_issues);
  ASSERT_TRUE(same.ok()) << RenderIssues(same_issues);
  EXPECT_EQ(same->size(), 1u);
  ASSERT_EQ(same_issues.size(), 1u);
  EXPECT_EQ(same_issues[0].severity, Severity::kWarning);
  EXPECT_THAT(same_issues[0].message, HasSubstr("listed twice; the entries are equal"));

  Issue not_array = EntitiesError(R"({"uid": {"type": "A", "id": "1"}})");
  EXPECT_THAT(not_array.message, HasSubstr("must be a JSON array"));

  Issue no_uid = EntitiesError(R"([{"attrs": {}, "parents": []}])");
  EXPECT_THAT(no_uid.message, HasSubstr("missing `uid`"));
  EXPECT_AT(no_uid, 1u, 2u);

  // Cedar requires `attrs` and `parents`; `tags` is optional.
  EXPECT_THAT(EntitiesError(R"([{"uid": {"type": "A", "id": "1"}, "parents": []}])").message,
              HasSubstr("missing `attrs`"));
  EXPECT_THAT(EntitiesError(R"([{"uid": {"type": "A", "id": "1"}, "attrs": {}}])").message,
              HasSubstr("missing `parents`"));

  Issue bad_attrs = EntitiesError(R"([{"uid": {"type": "A", "id": "1"}, "attrs": [], "parents": []}])");
  EXPECT_AT(bad_attrs, 1u, 45u);
  Issue null_tag = EntitiesError(
      R"([{"uid": {"type": "A", "id": "1"}, "attrs": {}, "parents": [], "tags": {"t": null}}])");
  EXPECT_AT(null_tag, 1u, 78u);
  // Entity references in entity JSON are objects, not strings.
  Issue string_uid = EntitiesError(R"([{"uid": "A::\"1\"", "attrs": {}, "parents": []}])");
  EXPECT_AT(string_uid, 1u, 10u);
  Issue action_parent = EntitiesError(
      R"([{"uid": {"type": "Ns::Action", "id": "r"}, "attrs": {}, "parents": [{"type": "Ns::Group", "id": "g"}]}])");
  EXPECT_THAT(action_parent.message, HasSubstr("has a non-action parent"));
  EXPECT_AT(action_parent, 1u, 70u);
  Issue bad_type = EntitiesError(R"([{"uid": {"type": "9A", "id": "1"}, "attrs": {}, "parents": []}])");
  EXPECT_AT(bad_type, 1u, 19u);
  Issue dup_key = EntitiesError(
      "[{\"uid\": {\"type\": \"A\", \"id\": \"1\"}, \"attrs\": {}, \"parents\": [],\n  \"attrs\": {}}]");
  EXPECT_AT(dup_key, 2u, 3u);
}

TEST(EntitiesFromJson, UnknownFieldsAreWarnings) {
  std::vector<Issue> issues;
  absl::StatusOr<Entities> es = EntitiesFromJson(
      R"([{"uid": {"type": "A", "id": "1"}, "attrs": {}, "parents": [], "parent": []}])", "e.json",
      &issues);
  ASSERT_TRUE(es.ok()) << es.status();
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].severity, Severity::kWarning);
  EXPECT_THAT(issues[0].message, HasSubstr("`parent`"));
  EXPECT_AT(issues[0], 1u, 64u);
}

TEST(EntitiesFromJson, ReportsEveryBadEntity) {
  std::vector<Issue> issues;
  EXPECT_FALSE(EntitiesFromJson("[{\"uid\": 1, \"attrs\": {}, \"parents\": []},\n"
                                " {\"uid\": 2, \"attrs\": {}, \"parents\": []}]",
                                "e.json", &issues)
                   .ok());
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_AT(issues[1], 2u, 10u);
}

// ---------------------------------------------------------------- requests

TEST(RequestFromJson, EveryForm) {
  std::vector<Issue> issues;
  absl::StatusOr<Request> r = RequestFromJson(R"({
    "principal": {"type": "User", "id": "alice"},
    "action": {"__entity": {"type": "Action", "id": "read"}},
    "resource": "Doc::\"d1\"",
    "context": {"mfa": true, "src": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}}}
  })", "r.json", &issues);
  ASSERT_TRUE(r.ok()) << r.status() << RenderIssues(issues);
  EXPECT_EQ(r->principal, (EntityUid{"User", "alice"}));
  EXPECT_EQ(r->action, (EntityUid{"Action", "read"}));
  EXPECT_EQ(r->resource, (EntityUid{"Doc", "d1"}));
  EXPECT_EQ(r->context.as_record().at("mfa"), Value::Bool(true));
  EXPECT_TRUE(r->context.as_record().at("src").is(Value::Kind::kIp));
}

TEST(RequestFromJson, MissingContextIsEmptyAndTestFieldsAreIgnored) {
  absl::StatusOr<Request> r = RequestFromJson(R"({
    "description": "Request 0", "principal": {"type": "U", "id": ""},
    "action": {"type": "Action", "id": "a"}, "resource": {"type": "R", "id": "r"},
    "validateRequest": true, "decision": "allow", "reason": ["policy0"], "errors": []
  })", "r.json", nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->context.as_record().empty());
}

TEST(RequestFromJson, Errors) {
  std::vector<Issue> issues;
  EXPECT_FALSE(RequestFromJson(
                   "{\"principal\": \"U::\\\"a\\\"\", \"action\": \"Action::\\\"a\\\"\",\n"
                   " \"resource\": \"R::\\\"r\\\"\", \"time\": 5}",
                   "r.json", &issues)
                   .ok());
  EXPECT_THAT(FirstError(issues).message, HasSubstr("unknown request field `time`"));
  EXPECT_AT(FirstError(issues), 2u, 26u);

  // writ's request time: an RFC 3339 string.
  issues.clear();
  EXPECT_FALSE(RequestFromJson(R"({"principal": "U::\"a\"", "action": "Action::\"a\"", "resource": "R::\"r\"",
                                   "now": "2026-11-22 12:00"})",
                               "r.json", &issues)
                   .ok());
  EXPECT_THAT(FirstError(issues).message, HasSubstr("`now` must be an RFC 3339 time"));
  EXPECT_AT(FirstError(issues), 2u, 43u);
  // RFC 3339 years have four digits (issue 14, defect 4).
  for (const char* year : {"99999", "-0001", "+2026"}) {
    issues.clear();
    EXPECT_FALSE(RequestFromJson(absl::StrCat(R"({"principal": "U::\"a\"", "action": "Action::\"a\"",
"resource": "R::\"r\"", "now": ")", year, R"(-01-01T00:00:00Z"})"),
                                 "r.json", &issues)
                     .ok())
        << year;
    EXPECT_THAT(FirstError(issues).message, HasSubstr("`now` must be an RFC 3339 time: the year has")) << year;
    EXPECT_AT(FirstError(issues), 2u, 32u);
  }
  absl::StatusOr<Request> timed = RequestFromJson(
      R"({"principal": "U::\"a\"", "action": "Action::\"a\"", "resource": "R::\"r\"", "now": "2026-11-22T13:00:00+01:00"})",
      "r.json", nullptr);
  ASSERT_TRUE(timed.ok()) << timed.status();
  EXPECT_EQ(timed->now, absl::FromUnixSeconds(1795348800));

  issues.clear();
  EXPECT_FALSE(RequestFromJson(R"({"action": "Action::\"a\"", "resource": "R::\"r\""})", "r.json",
                               &issues)
                   .ok());
  EXPECT_THAT(FirstError(issues).message, HasSubstr("missing `principal`"));

  issues.clear();
  EXPECT_FALSE(RequestFromJson(
                   R"({"principal": "U::\"a\"", "action": "Action::\"a\"", "resource": "R::\"r\"", "context": [1]})",
                   "r.json", &issues)
                   .ok());
  EXPECT_THAT(FirstError(issues).message, HasSubstr("`context` must be a record, not set"));
  EXPECT_AT(FirstError(issues), 1u, 89u);

  issues.clear();
  EXPECT_FALSE(RequestFromJson(
                   R"({"principal": "U::\"a\"", "action": "Action::\"a\"", "resource": "R::\"r\"", "context": {"__entity": {"type": "A", "id": "b"}}})",
                   "r.json", &issues)
                   .ok());
  EXPECT_THAT(FirstError(issues).message, HasSubstr("must be a record, not entity"));

  issues.clear();
  EXPECT_FALSE(RequestFromJson("[]", "r.json", &issues).ok());
  EXPECT_THAT(FirstError(issues).message, HasSubstr("must be a JSON object"));

  issues.clear();
  EXPECT_FALSE(RequestFromJson(R"({"principal": 1, "action": 2, "resource": 3})", "r.json", &issues)
                   .ok());
  EXPECT_EQ(issues.size(), 3u);
}

// ---------------------------------------------------------------- corpora

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string CorpusDir() {
  const char* dir = std::getenv("WRIT_CORPUS_DIR");
  if (dir == nullptr || !std::filesystem::is_directory(dir)) return "";
  return dir;
}

TEST(Corpus, EveryEntitiesFileLoads) {
  std::string dir = CorpusDir();
  if (dir.empty()) GTEST_SKIP() << "WRIT_CORPUS_DIR is not set to Cedar's unpacked corpus";
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (!name.ends_with(".entities.json")) continue;
    ++files;
    std::vector<Issue> issues;
    absl::StatusOr<Entities> es = EntitiesFromJson(Slurp(e.path()), name, &issues);
    EXPECT_TRUE(es.ok()) << es.status() << "\n" << RenderIssues(issues);
    EXPECT_THAT(issues, IsEmpty()) << RenderIssues(issues);
  }
  EXPECT_GT(files, 1000);
}

TEST(Corpus, EveryRequestReads) {
  std::string dir = CorpusDir();
  if (dir.empty()) GTEST_SKIP() << "WRIT_CORPUS_DIR is not set to Cedar's unpacked corpus";
  int requests = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (!name.ends_with(".json") || name.ends_with(".entities.json")) continue;
    nlohmann::json test = nlohmann::json::parse(Slurp(e.path()), nullptr, false);
    ASSERT_FALSE(test.is_discarded()) << name;
    for (const nlohmann::json& r : test["requests"]) {
      ++requests;
      std::vector<Issue> issues;
      absl::StatusOr<Request> req = RequestFromJson(r.dump(), name, &issues);
      EXPECT_TRUE(req.ok()) << req.status() << "\n" << RenderIssues(issues);
    }
  }
  EXPECT_GT(requests, 10000);
}

TEST(Corpus, SampleDataAndHandWrittenTests) {
  std::filesystem::path root = WRIT_CONFORMANCE_DIR;
  if (!std::filesystem::is_directory(root)) GTEST_SKIP() << "no conformance directory at " << root;
  int entity_files = 0, requests = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".json") continue;
    std::string text = Slurp(e.path());
    if (e.path().filename() == "entities.json" || e.path().string().ends_with(".entities.json")) {
      ++entity_files;
      std::vector<Issue> issues;
      absl::StatusOr<Entities> es = EntitiesFromJson(text, e.path().string(), &issues);
      EXPECT_TRUE(es.ok()) << es.status() << "\n" << RenderIssues(issues);
      continue;
    }
    nlohmann::json test = nlohmann::json::parse(text, nullptr, false);
    if (test.is_discarded() || !test.is_object() || !test.contains("requests")) continue;
    for (const nlohmann::json& r : test["requests"]) {
      ++requests;
      std::vector<Issue> issues;
      absl::StatusOr<Request> req = RequestFromJson(r.dump(), e.path().string(), &issues);
      EXPECT_TRUE(req.ok()) << req.status() << "\n" << RenderIssues(issues);
    }
  }
  EXPECT_GE(entity_files, 2);
  EXPECT_GT(requests, 0);
}

}  // namespace
}  // namespace writ
