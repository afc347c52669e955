// Tests for JSON read through a schema (JsonOptions::schema): entity
// references and extension values typed by the schema, entity conformance,
// the schema's action entities, request validation (and ValidateRequest /
// ValidateEntities for data built in C++), hierarchy cycles in both loading
// paths, and Cedar's hand-written tests read through their schemas.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "writ/engine.h"
#include "writ/json.h"
#include "writ/policy_set.h"
#include "writ/schema.h"
#include "writ/schema_check.h"

namespace writ {

void PrintTo(const Issue& issue, std::ostream* os) { *os << RenderIssue(issue); }

namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kSchema = R"(
entity Org;
entity Group in [Org];
entity User in [Group] {
  name: String,
  age?: Long,
  manager?: User,
  home: ipaddr,
  limit?: decimal,
  since?: datetime,
  ttl?: duration,
  friends?: Set<User>,
  address?: { street: String, zip?: Long },
};
entity Doc in [Group] tags String;
entity Team in [Team];
entity Color enum ["red", "blue"];
action read, write appliesTo {
  principal: [User],
  resource: [Doc],
  context: { ip: ipaddr, level?: Long, by?: User },
};
action "all";
action view in ["all"] appliesTo { principal: [User], resource: [Doc, Color] };
)";

const Schema& TestSchema() {
  static const Schema* schema = [] {
    std::vector<Issue> issues;
    absl::StatusOr<Schema> s = Schema::Parse(kSchema, "test.cedarschema", &issues);
    EXPECT_TRUE(s.ok()) << s.status() << "\n" << RenderIssues(issues);
    return new Schema(s.ok() ? *s : Schema());
  }();
  return *schema;
}

JsonOptions WithSchema() {
  JsonOptions o;
  o.schema = &TestSchema();
  return o;
}

Issue FirstError(const std::vector<Issue>& issues) {
  for (const Issue& i : issues) {
    if (i.severity == Severity::kError) return i;
  }
  return Issue{Severity::kNote, "", 0, 0, 0, "(no error)", "", ""};
}

Entities ReadEntities(std::string_view json) {
  std::vector<Issue> issues;
  absl::StatusOr<Entities> es = EntitiesFromJson(json, "e.json", &issues, WithSchema());
  EXPECT_TRUE(es.ok()) << es.status() << "\n" << RenderIssues(issues);
  EXPECT_THAT(issues, IsEmpty()) << RenderIssues(issues);
  return es.ok() ? *std::move(es) : Entities();
}

Issue EntitiesError(std::string_view json, const JsonOptions& options = WithSchema()) {
  std::vector<Issue> issues;
  absl::StatusOr<Entities> es = EntitiesFromJson(json, "e.json", &issues, options);
  EXPECT_FALSE(es.ok()) << json;
  return FirstError(issues);
}

Issue RequestError(std::string_view json, const JsonOptions& options = WithSchema()) {
  std::vector<Issue> issues;
  absl::StatusOr<Request> r = RequestFromJson(json, "r.json", &issues, options);
  EXPECT_FALSE(r.ok()) << json;
  return FirstError(issues);
}

Entity Ent(EntityUid uid, std::vector<EntityUid> parents = {}, Value::Record attrs = {}) {
  Entity e;
  e.uid = std::move(uid);
  e.parents = std::move(parents);
  e.attrs = std::move(attrs);
  return e;
}

#define EXPECT_AT(issue, l, c)                   \
  do {                                           \
    Issue _i = (issue);                          \
    EXPECT_EQ(_i.line, (l)) << _i.message;       \
    EXPECT_EQ(_i.column, (c)) << _i.message;     \
  } while (0)

// An entity of type User with `attrs` (JSON object text) on line 2.
std::string UserWith(std::string_view attrs, std::string_view parents = "[]") {
  return "[{\"uid\": {\"type\": \"User\", \"id\": \"a\"},\n \"attrs\": " + std::string(attrs) +
         ", \"parents\": " + std::string(parents) + "}]";
}

// ------------------------------------------------------ typed reading

TEST(SchemaEntities, TypeAndIdIsAnEntityWhereTheSchemaSaysSo) {
  Entities es = ReadEntities(UserWith(
      R"({"name": "A", "home": "10.0.0.1", "manager": {"type": "User", "id": "b"},
          "friends": [{"type": "User", "id": "c"}, {"__entity": {"type": "User", "id": "d"}}],
          "address": {"street": "x"}})"));
  const Entity* a = es.Find({"User", "a"});
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->attrs.at("manager"), Value::Entity({"User", "b"}));
  EXPECT_EQ(a->attrs.at("friends"),
            Value::MakeSet({Value::Entity({"User", "c"}), Value::Entity({"User", "d"})}));
  EXPECT_TRUE(a->attrs.at("address").is(Value::Kind::kRecord));
  // Without a schema the same object is a record.
  std::vector<Issue> issues;
  absl::StatusOr<Entities> plain = EntitiesFromJson(
      UserWith(R"({"manager": {"type": "User", "id": "b"}})"), "e.json", &issues);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->Find({"User", "a"})->attrs.at("manager").is(Value::Kind::kRecord));
}

TEST(SchemaEntities, ExtensionValuesFromBareStringsAndEscapes) {
  Entities es = ReadEntities(UserWith(
      R"({"name": "A", "home": "10.0.0.1", "limit": "1.5", "since": "2024-10-15T11:35:00Z",
          "ttl": {"fn": "duration", "arg": "1h"}})"));
  const Entity* a = es.Find({"User", "a"});
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->attrs.at("home").is(Value::Kind::kIp));
  EXPECT_TRUE(a->attrs.at("limit").is(Value::Kind::kDecimal));
  EXPECT_TRUE(a->attrs.at("since").is(Value::Kind::kDatetime));
  EXPECT_TRUE(a->attrs.at("ttl").is(Value::Kind::kDuration));
  Entities escaped = ReadEntities(
      UserWith(R"({"name": "A", "home": {"__extn": {"fn": "ip", "arg": "10.0.0.0/8"}}})"));
  EXPECT_TRUE(escaped.Find({"User", "a"})->attrs.at("home").is(Value::Kind::kIp));
}

TEST(SchemaEntities, BadExtensionStringIsLocated) {
  Issue i = EntitiesError(UserWith(R"({"name": "A", "home": "not an ip"})"));
  EXPECT_THAT(i.message, HasSubstr("is not a valid ipaddr"));
  EXPECT_AT(i, 2u, 33u);
  Issue wrong_fn = EntitiesError(
      UserWith(R"({"name": "A", "home": {"__extn": {"fn": "decimal", "arg": "1.0"}}})"));
  EXPECT_THAT(wrong_fn.message, HasSubstr("expected ipaddr, found decimal"));
  EXPECT_AT(wrong_fn, 2u, 33u);
}

// ------------------------------------------------------ entity conformance

TEST(SchemaEntities, UnknownEntityType) {
  Issue i = EntitiesError(R"([{"uid": {"type": "Robot", "id": "r"}, "attrs": {}, "parents": []}])");
  EXPECT_THAT(i.message, HasSubstr("has type `Robot`, which is not declared in the schema"));
  EXPECT_AT(i, 1u, 10u);
}

TEST(SchemaEntities, AttributeOfTheWrongType) {
  Issue i = EntitiesError(UserWith(R"({"name": 5, "home": "10.0.0.1"})"));
  EXPECT_THAT(i.message, HasSubstr("expected String, found long `5`"));
  EXPECT_AT(i, 2u, 20u);
  Issue entity = EntitiesError(
      UserWith(R"({"name": "A", "home": "10.0.0.1", "manager": {"type": "Doc", "id": "d"}})"));
  EXPECT_THAT(entity.message, HasSubstr("expected User, found entity `Doc::\"d\"`"));
  EXPECT_AT(entity, 2u, 56u);
  Issue nested = EntitiesError(
      UserWith(R"({"name": "A", "home": "10.0.0.1", "address": {"street": "s", "zip": "z"}})"));
  EXPECT_THAT(nested.message, HasSubstr("expected Long, found string"));
  EXPECT_AT(nested, 2u, 79u);
  Issue set = EntitiesError(UserWith(R"({"name": "A", "home": "10.0.0.1", "friends": "x"})"));
  EXPECT_THAT(set.message, HasSubstr("expected Set<User> (a JSON array)"));
}

TEST(SchemaEntities, MissingRequiredAttribute) {
  Issue i = EntitiesError(UserWith(R"({"name": "A"})"));
  EXPECT_THAT(i.message, HasSubstr("missing the required attribute `home` (ipaddr)"));
  EXPECT_AT(i, 2u, 11u);
  Issue nested = EntitiesError(UserWith(R"({"name": "A", "home": "10.0.0.1", "address": {}})"));
  EXPECT_THAT(nested.message, HasSubstr("record is missing the required attribute `street`"));
}

TEST(SchemaEntities, UndeclaredAttribute) {
  Issue i = EntitiesError(UserWith(R"({"name": "A", "home": "10.0.0.1", "shoe": 42})"));
  EXPECT_THAT(i.message, HasSubstr("attribute `shoe` of `User::\"a\"` is not declared for type `User`"));
  EXPECT_AT(i, 2u, 45u);
}

TEST(SchemaEntities, ParentOfATypeNotInMemberOf) {
  // Org is an ancestor type of User through Group: allowed directly too.
  ReadEntities(UserWith(R"({"name": "A", "home": "10.0.0.1"})", R"([{"type": "Org", "id": "o"}])"));
  Issue i = EntitiesError(
      UserWith(R"({"name": "A", "home": "10.0.0.1"})", R"([{"type": "Doc", "id": "d"}])"));
  EXPECT_THAT(i.message, HasSubstr("may not have a parent of type `Doc`"));
  EXPECT_AT(i, 2u, 58u);
}

TEST(SchemaEntities, Tags) {
  Entities es = ReadEntities(
      R"([{"uid": {"type": "Doc", "id": "d"}, "attrs": {}, "parents": [], "tags": {"t": "x"}}])");
  EXPECT_EQ(es.Find({"Doc", "d"})->tags.at("t"), Value::String("x"));
  Issue wrong = EntitiesError(
      R"([{"uid": {"type": "Doc", "id": "d"}, "attrs": {}, "parents": [], "tags": {"t": 1}}])");
  EXPECT_THAT(wrong.message, HasSubstr("expected String, found long `1`"));
  EXPECT_AT(wrong, 1u, 80u);
  Issue none = EntitiesError(
      R"([{"uid": {"type": "Org", "id": "o"}, "attrs": {}, "parents": [], "tags": {"t": "x"}}])");
  EXPECT_THAT(none.message, HasSubstr("declares no tags"));
  EXPECT_AT(none, 1u, 75u);
}

TEST(SchemaEntities, EnumeratedIds) {
  ReadEntities(R"([{"uid": {"type": "Color", "id": "red"}, "attrs": {}, "parents": []}])");
  Issue i = EntitiesError(R"([{"uid": {"type": "Color", "id": "green"}, "attrs": {}, "parents": []}])");
  EXPECT_THAT(i.message, HasSubstr("\"green\" is not one of its ids [\"red\", \"blue\"]"));
  EXPECT_AT(i, 1u, 10u);
}

TEST(SchemaEntities, SchemaActionsJoinTheStoreWithTheirGroups) {
  Entities es = ReadEntities("[]");
  const Entity* view = es.Find({"Action", "view"});
  ASSERT_NE(view, nullptr);
  EXPECT_TRUE(es.IsDescendantOf({"Action", "view"}, {"Action", "all"}));
  EXPECT_NE(es.Find({"Action", "read"}), nullptr);
  EXPECT_EQ(es.size(), 4u);
  // An action entity in the JSON that matches its declaration is accepted
  // (Cedar checks it, then uses the schema's).
  Entities listed = ReadEntities(
      R"([{"uid": {"type": "Action", "id": "view"}, "attrs": {}, "parents": [{"type": "Action", "id": "all"}]}])");
  EXPECT_TRUE(listed.IsDescendantOf({"Action", "view"}, {"Action", "all"}));
  EXPECT_EQ(listed.size(), 4u);
}

TEST(SchemaEntities, ActionEntitiesMustMatchTheSchema) {
  Issue undeclared = EntitiesError(
      R"([{"uid": {"type": "Action", "id": "fly"}, "attrs": {}, "parents": []}])");
  EXPECT_THAT(undeclared.message, HasSubstr("not declared as an action in the schema"));
  EXPECT_AT(undeclared, 1u, 10u);
  Issue groups = EntitiesError(
      R"([{"uid": {"type": "Action", "id": "view"}, "attrs": {}, "parents": []}])");
  EXPECT_THAT(groups.message, HasSubstr("does not match its declaration in the schema"));
  EXPECT_THAT(groups.hint, HasSubstr("`Action::\"all\"`"));
  Issue attrs = EntitiesError(
      R"([{"uid": {"type": "Action", "id": "read"}, "attrs": {"a": 1}, "parents": []}])");
  EXPECT_THAT(attrs.message, HasSubstr("does not match its declaration"));
  Issue parent = EntitiesError(
      R"([{"uid": {"type": "Org", "id": "o"}, "attrs": {"a": {"type": "Action", "id": "nope"}}, "parents": []}])");
  EXPECT_THAT(parent.message, HasSubstr("not declared for type `Org`"));
}

TEST(SchemaEntities, EveryBadEntityIsReported) {
  std::vector<Issue> issues;
  absl::StatusOr<Entities> es = EntitiesFromJson(
      R"([{"uid": {"type": "Robot", "id": "r"}, "attrs": {}, "parents": []},
          {"uid": {"type": "Color", "id": "green"}, "attrs": {}, "parents": []}])",
      "e.json", &issues, WithSchema());
  EXPECT_FALSE(es.ok());
  EXPECT_EQ(issues.size(), 2u) << RenderIssues(issues);
}

// ------------------------------------------------------ requests

constexpr std::string_view kGoodRequest =
    R"({"principal": {"type": "User", "id": "a"}, "action": {"type": "Action", "id": "read"},
 "resource": {"type": "Doc", "id": "d"}, "context": {"ip": "10.1.2.3", "by": {"type": "User", "id": "b"}}})";

TEST(SchemaRequest, ContextIsReadThroughTheActionsContextType) {
  std::vector<Issue> issues;
  absl::StatusOr<Request> r = RequestFromJson(kGoodRequest, "r.json", &issues, WithSchema());
  ASSERT_TRUE(r.ok()) << r.status() << "\n" << RenderIssues(issues);
  EXPECT_TRUE(r->context.as_record().at("ip").is(Value::Kind::kIp));
  EXPECT_EQ(r->context.as_record().at("by"), Value::Entity({"User", "b"}));
  EXPECT_TRUE(ValidateRequest(TestSchema(), *r).ok());
}

TEST(SchemaRequest, UndeclaredAction) {
  Issue i = RequestError(
      R"({"principal": {"type": "User", "id": "a"}, "action": {"type": "Action", "id": "fly"},
 "resource": {"type": "Doc", "id": "d"}})");
  EXPECT_THAT(i.message, HasSubstr("action `Action::\"fly\"` is not declared in the schema"));
  EXPECT_AT(i, 1u, 54u);
}

TEST(SchemaRequest, PrincipalAndResourceTypes) {
  Issue p = RequestError(
      R"({"principal": {"type": "Doc", "id": "a"}, "action": {"type": "Action", "id": "read"},
 "resource": {"type": "Doc", "id": "d"}, "context": {"ip": "10.1.2.3"}})");
  EXPECT_THAT(p.message, HasSubstr("principal type `Doc` is not valid for action `Action::\"read\"`"));
  EXPECT_THAT(p.message, HasSubstr("[User]"));
  EXPECT_AT(p, 1u, 15u);
  Issue r = RequestError(
      R"({"principal": {"type": "User", "id": "a"}, "action": {"type": "Action", "id": "read"},
 "resource": {"type": "Robot", "id": "d"}, "context": {"ip": "10.1.2.3"}})");
  EXPECT_THAT(r.message, HasSubstr("resource `Robot::\"d\"` has type `Robot`, which is not declared"));
  EXPECT_AT(r, 2u, 14u);
  Issue e = RequestError(
      R"({"principal": {"type": "User", "id": "a"}, "action": {"type": "Action", "id": "view"},
 "resource": {"type": "Color", "id": "green"}})");
  EXPECT_THAT(e.message, HasSubstr("not one of its ids"));
  // An action without appliesTo applies to nothing.
  Issue none = RequestError(
      R"({"principal": {"type": "User", "id": "a"}, "action": {"type": "Action", "id": "all"},
 "resource": {"type": "Doc", "id": "d"}})");
  EXPECT_THAT(none.message, HasSubstr("it applies to principals of type none"));
}

TEST(SchemaRequest, ContextMustConform) {
  Issue missing = RequestError(
      R"({"principal": {"type": "User", "id": "a"}, "action": {"type": "Action", "id": "read"},
 "resource": {"type": "Doc", "id": "d"}, "context": {}})");
  EXPECT_THAT(missing.message, HasSubstr("context is missing the required attribute `ip`"));
  EXPECT_AT(missing, 2u, 53u);
  Issue extra = RequestError(
      R"({"principal": {"type": "User", "id": "a"}, "action": {"type": "Action", "id": "read"},
 "resource": {"type": "Doc", "id": "d"}, "context": {"ip": "10.1.2.3", "x": 1}})");
  EXPECT_THAT(extra.message, HasSubstr("context attribute `x` is not declared in the schema"));
  EXPECT_AT(extra, 2u, 72u);
  Issue wrong = RequestError(
      R"({"principal": {"type": "User", "id": "a"}, "action": {"type": "Action", "id": "read"},
 "resource": {"type": "Doc", "id": "d"}, "context": {"ip": "10.1.2.3", "level": "high"}})");
  EXPECT_THAT(wrong.message, HasSubstr("expected Long, found string `\"high\"`"));
  EXPECT_AT(wrong, 2u, 81u);
}

TEST(SchemaRequest, WithoutValidationOnlyReadingIsChecked) {
  constexpr std::string_view json =
      R"({"principal": {"type": "Doc", "id": "a"}, "action": {"type": "Action", "id": "read"},
 "resource": {"type": "Doc", "id": "d"}, "context": {"ip": "10.1.2.3", "level": "high"}})";
  JsonOptions options = WithSchema();
  options.validate_request = false;
  std::vector<Issue> issues;
  absl::StatusOr<Request> r = RequestFromJson(json, "r.json", &issues, options);
  ASSERT_TRUE(r.ok()) << r.status() << "\n" << RenderIssues(issues);
  EXPECT_TRUE(r->context.as_record().at("ip").is(Value::Kind::kIp));
  EXPECT_FALSE(ValidateRequest(TestSchema(), *r).ok());
  // Reading still needs the action's context type.
  Issue undeclared = RequestError(
      R"({"principal": {"type": "User", "id": "a"}, "action": {"type": "Action", "id": "fly"},
 "resource": {"type": "Doc", "id": "d"}})",
      options);
  EXPECT_THAT(undeclared.message, HasSubstr("not declared in the schema"));
}

TEST(ValidateRequest, RequestsBuiltInCpp) {
  Request r;
  r.principal = {"User", "a"};
  r.action = {"Action", "read"};
  r.resource = {"Doc", "d"};
  absl::Status missing = ValidateRequest(TestSchema(), r);
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(missing.message()), HasSubstr("required attribute `ip` is missing"));
  r.context = Value::MakeRecord({{"ip", Value::String("10.0.0.1")}});
  EXPECT_THAT(std::string(ValidateRequest(TestSchema(), r).message()),
              HasSubstr("in `ip`: expected ipaddr, found string"));
  r.action = {"Action", "fly"};
  EXPECT_THAT(std::string(ValidateRequest(TestSchema(), r).message()),
              HasSubstr("action `Action::\"fly\"` is not declared"));
}

TEST(ValidateEntities, StoresBuiltInCpp) {
  Entities es;
  ASSERT_TRUE(es.Add(Ent({"User", "a"}, {}, {{"name", Value::String("A")}})).ok());
  absl::Status s = ValidateEntities(TestSchema(), es);
  EXPECT_THAT(std::string(s.message()), HasSubstr("missing the required attribute `home`"));
  Entities ok;
  ASSERT_TRUE(ok.Add(Ent({"Group", "g"}, {{"Org", "o"}})).ok());
  EXPECT_TRUE(ValidateEntities(TestSchema(), ok).ok());
  ASSERT_TRUE(ok.Add(Ent({"Org", "o"}, {{"Group", "g"}})).ok());
  EXPECT_THAT(std::string(ValidateEntities(TestSchema(), ok).message()),
              HasSubstr("may not have a parent of type `Group`"));
}

// ------------------------------------------------------ cycles

constexpr std::string_view kCycle =
    R"([{"uid": {"type": "Team", "id": "a"}, "attrs": {}, "parents": [{"type": "Team", "id": "b"}]},
 {"uid": {"type": "Team", "id": "b"}, "attrs": {}, "parents": [{"type": "Team", "id": "a"}]}])";

TEST(Cycles, EntitiesFromJsonRejectsACycleAtItsEntities) {
  for (const JsonOptions& options : {JsonOptions{}, WithSchema()}) {
    std::vector<Issue> issues;
    absl::StatusOr<Entities> es = EntitiesFromJson(kCycle, "e.json", &issues, options);
    ASSERT_FALSE(es.ok());
    EXPECT_THAT(std::string(es.status().message()), HasSubstr("cycle"));
    Issue first = FirstError(issues);
    EXPECT_THAT(first.message, HasSubstr(
        "the entity hierarchy has a cycle: `Team::\"a\"` in `Team::\"b\"` in `Team::\"a\"`"));
    EXPECT_AT(first, 1u, 10u);
    ASSERT_EQ(issues.size(), 2u) << RenderIssues(issues);
    EXPECT_EQ(issues[1].severity, Severity::kNote);
    EXPECT_EQ(issues[1].line, 2u);
  }
}

TEST(Cycles, SelfParent) {
  Issue i = EntitiesError(
      R"([{"uid": {"type": "G", "id": "a"}, "attrs": {}, "parents": [{"type": "G", "id": "a"}]}])",
      JsonOptions{});
  EXPECT_THAT(i.message, HasSubstr("`G::\"a\"` in `G::\"a\"`"));
}

TEST(Cycles, AcyclicDiamondsAndMissingParentsAreFine) {
  Entities es;
  ASSERT_TRUE(es.Add(Ent({"G", "a"}, {{"G", "b"}, {"G", "c"}})).ok());
  ASSERT_TRUE(es.Add(Ent({"G", "b"}, {{"G", "d"}})).ok());
  ASSERT_TRUE(es.Add(Ent({"G", "c"}, {{"G", "d"}, {"G", "missing"}})).ok());
  ASSERT_TRUE(es.Add(Ent({"G", "d"})).ok());
  EXPECT_THAT(es.FindCycle(), IsEmpty());
  EXPECT_TRUE(es.CheckAcyclic().ok());
}

TEST(Cycles, DeepChainsAreWalkedWithoutRecursion) {
  constexpr int kDepth = 200000;
  Entities es;
  for (int i = 0; i < kDepth; ++i) {
    Entity e;
    e.uid = {"G", std::to_string(i)};
    e.parents.push_back({"G", std::to_string(i + 1)});
    ASSERT_TRUE(es.Add(std::move(e)).ok());
  }
  EXPECT_THAT(es.FindCycle(), IsEmpty());
  Entity last;
  last.uid = {"G", std::to_string(kDepth)};
  last.parents.push_back({"G", "0"});
  ASSERT_TRUE(es.Add(std::move(last)).ok());
  EXPECT_EQ(es.FindCycle().size(), static_cast<std::size_t>(kDepth + 1));
}

TEST(Cycles, EngineCompileRejectsACycleInAStoreBuiltByHand) {
  Entities es;
  ASSERT_TRUE(es.Add(Ent({"Group", "a"}, {{"Group", "b"}})).ok());
  ASSERT_TRUE(es.Add(Ent({"Group", "b"}, {{"Group", "c"}})).ok());
  ASSERT_TRUE(es.Add(Ent({"Group", "c"}, {{"Group", "a"}})).ok());
  PolicySet policies;
  ASSERT_TRUE(policies.Add("permit(principal, action, resource);", "p.cedar", nullptr).ok());
  absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(policies, es);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(engine.status().message()),
              HasSubstr("`Group::\"a\"` in `Group::\"b\"` in `Group::\"c\"` in `Group::\"a\"`"));
}

// ------------------------------------------------------ Cedar's tests

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Corpus, HandWrittenTestsReadThroughTheirSchemas) {
  const std::filesystem::path root = WRIT_CONFORMANCE_DIR;
  // Cedar's tests are part of the build's inputs (WRIT_CONFORMANCE_DIR): missing is a failure.
  ASSERT_TRUE(std::filesystem::is_directory(root)) << "no conformance directory at " << root;
  int requests = 0;
  for (const char* name : {"tests/example_use_cases/4d.json", "tests/example_use_cases/4e.json",
                           "tests/example_use_cases/4f.json", "tests/multi/3.json",
                           "tests/multi/4.json"}) {
    nlohmann::json test = nlohmann::json::parse(Slurp(root / name));
    std::vector<Issue> issues;
    absl::StatusOr<Schema> schema =
        Schema::Parse(Slurp(root / test["schema"].get<std::string>()), "schema", &issues);
    ASSERT_TRUE(schema.ok()) << RenderIssues(issues);
    JsonOptions options;
    options.schema = &*schema;
    absl::StatusOr<Entities> entities =
        EntitiesFromJson(Slurp(root / test["entities"].get<std::string>()), "entities", &issues, options);
    ASSERT_TRUE(entities.ok()) << entities.status() << RenderIssues(issues);
    // sandbox_b: a photo's `account` is an entity reference, not a record.
    const Entity* photo = entities->Find({"Photo", "vacation.jpg"});
    ASSERT_NE(photo, nullptr) << name;
    EXPECT_TRUE(photo->attrs.at("account").is(Value::Kind::kEntity)) << name;
    for (const nlohmann::json& r : test["requests"]) {
      ++requests;
      absl::StatusOr<Request> req = RequestFromJson(r.dump(), name, &issues, options);
      EXPECT_TRUE(req.ok()) << req.status() << "\n" << RenderIssues(issues);
    }
  }
  EXPECT_GT(requests, 10);
}

TEST(Corpus, EveryEntitiesFileConformsToItsSchema) {
  const char* dir = std::getenv("WRIT_CORPUS_DIR");
  ASSERT_TRUE(dir != nullptr && std::filesystem::is_directory(dir))
      << "WRIT_CORPUS_DIR is not set to Cedar's unpacked corpus";
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (!name.ends_with(".entities.json")) continue;
    ++files;
    std::string stem = name.substr(0, name.size() - std::string_view(".entities.json").size());
    std::vector<Issue> issues;
    absl::StatusOr<Schema> schema = Schema::Parse(
        Slurp(e.path().parent_path() / (stem + ".cedarschema")), stem + ".cedarschema", &issues);
    ASSERT_TRUE(schema.ok()) << RenderIssues(issues);
    JsonOptions options;
    options.schema = &*schema;
    absl::StatusOr<Entities> es = EntitiesFromJson(Slurp(e.path()), name, &issues, options);
    EXPECT_TRUE(es.ok()) << es.status() << "\n" << RenderIssues(issues);
    EXPECT_THAT(issues, IsEmpty()) << RenderIssues(issues);
  }
  EXPECT_GT(files, 1000);
}

}  // namespace
}  // namespace writ
