// Tests of Cedar schemas: both forms parsed and resolved into SchemaData,
// located mistakes, bounds, the printers and the round trips between forms.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/validate/schema.h"
#include "writ/limits.h"
#include "writ/schema.h"

namespace writ {
namespace {

using internal::SchemaData;
using internal::SchemaType;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Schema MustParse(std::string_view text, std::string_view name = "test.cedarschema",
                 const SchemaOptions& options = {}) {
  std::vector<Issue> issues;
  absl::StatusOr<Schema> s = Schema::Parse(text, name, &issues, options);
  EXPECT_TRUE(s.ok()) << s.status() << "\n" << RenderIssues(issues);
  return s.ok() ? *s : Schema();
}

// The rendered issues of a schema that must not load.
std::string MustFail(std::string_view text, std::string_view name = "test.cedarschema",
                     const SchemaOptions& options = {}) {
  std::vector<Issue> issues;
  absl::StatusOr<Schema> s = Schema::Parse(text, name, &issues, options);
  EXPECT_FALSE(s.ok()) << "accepted:\n" << text;
  if (s.ok()) return "";
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasErrors(issues));
  return RenderIssues(issues);
}

TEST(SchemaTest, EntityTypesAndActions) {
  Schema s = MustParse(R"(
    namespace App {
      entity Team;
      entity User in [Team] = { name: String, "quoted attr"?: Set<Long>, boss?: User };
      entity Doc { owner: User, tags: Set<String> } tags String;
      entity Color enum ["red", "blue"];
      type Ctx = { ip: ipaddr, at: __cedar::datetime };
      action "read", write in [group] appliesTo { principal: [User], resource: Doc, context: Ctx };
      action group;
    }
    entity Top in [App::Team];
  )");
  EXPECT_THAT(s.entity_types(), ElementsAre("App::Color", "App::Doc", "App::Team", "App::User", "Top"));
  EXPECT_THAT(s.actions(), ElementsAre("App::Action::\"group\"", "App::Action::\"read\"",
                                       "App::Action::\"write\""));
  const SchemaData& d = SchemaData::Of(s);
  const internal::EntityTypeDef* user = d.FindEntityType("App::User");
  ASSERT_NE(user, nullptr);
  EXPECT_THAT(user->member_of, ElementsAre("App::Team"));
  ASSERT_EQ(user->shape.attributes.size(), 3u);
  EXPECT_FALSE(user->shape.attributes.at("quoted attr").required);
  EXPECT_EQ(user->shape.attributes.at("quoted attr").type->kind, SchemaType::Kind::kSet);
  EXPECT_EQ(user->shape.attributes.at("boss").type->name, "App::User");
  const internal::EntityTypeDef* doc = d.FindEntityType("App::Doc");
  ASSERT_NE(doc->tags, nullptr);
  EXPECT_EQ(doc->tags->kind, SchemaType::Kind::kString);
  EXPECT_THAT(*d.FindEntityType("App::Color")->enum_ids, ElementsAre("red", "blue"));
  const internal::ActionDef* read = d.FindAction({"App::Action", "read"});
  ASSERT_NE(read, nullptr);
  EXPECT_TRUE(read->applies_to);
  EXPECT_THAT(read->principal_types, ElementsAre("App::User"));
  EXPECT_THAT(read->resource_types, ElementsAre("App::Doc"));
  EXPECT_EQ(read->context.attributes.at("ip").type->name, "ipaddr");
  EXPECT_EQ(read->context.attributes.at("at").type->name, "datetime");
  EXPECT_THAT(read->member_of, ElementsAre(EntityUid{"App::Action", "group"}));
  EXPECT_FALSE(d.FindAction({"App::Action", "group"})->applies_to);
  EXPECT_THAT(d.ancestor_types.at("Top"), ElementsAre("App::Team"));
}

TEST(SchemaTest, NameResolutionPrefersTheNamespace) {
  Schema s = MustParse(R"(
    type U = Long;
    entity E;
    namespace N {
      type T = String;
      entity F = { a: T, b: E, c: __cedar::Long, d: Bool, e: U };
    }
  )");
  const auto& f = SchemaData::Of(s).FindEntityType("N::F")->shape.attributes;
  EXPECT_EQ(f.at("a").type->kind, SchemaType::Kind::kString);
  EXPECT_EQ(f.at("b").type->kind, SchemaType::Kind::kEntity);
  EXPECT_EQ(f.at("b").type->name, "E");
  EXPECT_EQ(f.at("c").type->kind, SchemaType::Kind::kLong);
  EXPECT_EQ(f.at("d").type->kind, SchemaType::Kind::kBool);
  EXPECT_EQ(f.at("e").type->kind, SchemaType::Kind::kLong);
}

TEST(SchemaTest, DerivedClosures) {
  Schema s = MustParse(R"(
    entity A in [B]; entity B in [C]; entity C; entity L in [L];
    action a in ["b"]; action b in [c]; action c;
  )");
  const SchemaData& d = SchemaData::Of(s);
  EXPECT_THAT(d.ancestor_types.at("A"), ElementsAre("B", "C"));
  EXPECT_THAT(d.ancestor_types.at("C"), ElementsAre());
  EXPECT_THAT(d.ancestor_types.at("L"), ElementsAre("L"));
  EXPECT_THAT(d.action_ancestors.at({"Action", "a"}),
              ElementsAre(EntityUid{"Action", "b"}, EntityUid{"Action", "c"}));
  EXPECT_THAT(d.FindAction({"Action", "a"})->member_of, ElementsAre(EntityUid{"Action", "b"}));
}

TEST(SchemaTest, SpiffeOnlyInExtendedMode) {
  MustParse("entity W = { id: spiffe };");
  std::string err = MustFail("entity W = { id: spiffe };", "s.cedarschema", {.strict = true});
  EXPECT_THAT(err, HasSubstr("unknown type `spiffe`"));
}

bool SameType(const SchemaType& a, const SchemaType& b) {
  if (a.kind != b.kind || a.name != b.name || a.open != b.open) return false;
  if ((a.element == nullptr) != (b.element == nullptr)) return false;
  if (a.element != nullptr && !SameType(*a.element, *b.element)) return false;
  if (a.attributes.size() != b.attributes.size()) return false;
  for (auto ia = a.attributes.begin(), ib = b.attributes.begin(); ia != a.attributes.end(); ++ia, ++ib) {
    if (ia->first != ib->first || ia->second.required != ib->second.required ||
        !SameType(*ia->second.type, *ib->second.type)) {
      return false;
    }
  }
  return true;
}

// The resolved schemas mean the same (locations and syntax aside); "" when
// they do, else what differs.
std::string Difference(const SchemaData& a, const SchemaData& b) {
  if (a.entity_types.size() != b.entity_types.size()) return "entity type count";
  for (auto ia = a.entity_types.begin(), ib = b.entity_types.begin(); ia != a.entity_types.end();
       ++ia, ++ib) {
    const internal::EntityTypeDef& x = ia->second;
    const internal::EntityTypeDef& y = ib->second;
    if (x.name != y.name) return "entity type " + x.name + " vs " + y.name;
    if (x.member_of != y.member_of) return "memberOf of " + x.name;
    if (!SameType(x.shape, y.shape)) return "shape of " + x.name;
    if ((x.tags == nullptr) != (y.tags == nullptr) || (x.tags && !SameType(*x.tags, *y.tags))) {
      return "tags of " + x.name;
    }
    if (x.enum_ids != y.enum_ids) return "enum of " + x.name;
  }
  if (a.actions.size() != b.actions.size()) return "action count";
  for (auto ia = a.actions.begin(), ib = b.actions.begin(); ia != a.actions.end(); ++ia, ++ib) {
    const internal::ActionDef& x = ia->second;
    const internal::ActionDef& y = ib->second;
    std::string n = x.uid.ToString();
    if (x.uid != y.uid) return "action " + n + " vs " + y.uid.ToString();
    if (x.member_of != y.member_of) return "memberOf of " + n;
    if (x.applies_to != y.applies_to) return "appliesTo of " + n;
    if (!x.applies_to) continue;
    if (x.principal_types != y.principal_types) return "principals of " + n;
    if (x.resource_types != y.resource_types) return "resources of " + n;
    if (!SameType(x.context, y.context)) return "context of " + n;
  }
  if (a.ancestor_types != b.ancestor_types) return "ancestor_types";
  if (a.action_ancestors != b.action_ancestors) return "action_ancestors";
  return "";
}

// text -> json -> text and json -> text -> json give the same resolved
// schema as the text.
void ExpectRoundTrips(const Schema& s, const std::string& name) {
  std::vector<Issue> issues;
  std::string json = s.ToJson();
  absl::StatusOr<Schema> from_json = Schema::Parse(json, name + ".json", SchemaFormat::kJson, &issues);
  ASSERT_TRUE(from_json.ok()) << name << "\n" << RenderIssues(issues) << json;
  EXPECT_EQ(Difference(SchemaData::Of(s), SchemaData::Of(*from_json)), "") << name << "\n" << json;
  std::string text = from_json->ToCedar();
  absl::StatusOr<Schema> back = Schema::Parse(text, name, SchemaFormat::kCedar, &issues);
  ASSERT_TRUE(back.ok()) << name << "\n" << RenderIssues(issues) << text;
  EXPECT_EQ(Difference(SchemaData::Of(s), SchemaData::Of(*back)), "") << name << "\n" << text;
  std::string text2 = s.ToCedar();
  absl::StatusOr<Schema> again = Schema::Parse(text2, name, SchemaFormat::kCedar, &issues);
  ASSERT_TRUE(again.ok()) << name << "\n" << RenderIssues(issues) << text2;
  EXPECT_EQ(Difference(SchemaData::Of(s), SchemaData::Of(*again)), "") << name << "\n" << text2;
  absl::StatusOr<Schema> json2 =
      Schema::Parse(again->ToJson(), name + ".json", SchemaFormat::kJson, &issues);
  ASSERT_TRUE(json2.ok()) << name << "\n" << RenderIssues(issues);
  EXPECT_EQ(Difference(SchemaData::Of(s), SchemaData::Of(*json2)), "") << name;
}

// An empty `""` namespace prints nothing, and no blank line before the next
// one: the Cedar print must read back to itself (schema_fuzz found this).
TEST(SchemaTest, EmptyUnnamedNamespacePrintsNothing) {
  std::vector<Issue> issues;
  absl::StatusOr<Schema> s = Schema::Parse(
      R"({"": {"entityTypes": {}, "actions": {}}, "A::B": {"entityTypes": {"C": {}}, "actions": {}}})", "s.json",
      SchemaFormat::kJson, &issues);
  ASSERT_TRUE(s.ok()) << RenderIssues(issues);
  const std::string cedar = s->ToCedar();
  EXPECT_EQ(cedar, "namespace A::B {\n  entity C;\n}\n");
  absl::StatusOr<Schema> back = Schema::Parse(cedar, "s.cedarschema", SchemaFormat::kCedar, &issues);
  ASSERT_TRUE(back.ok()) << RenderIssues(issues);
  EXPECT_EQ(back->ToCedar(), cedar);
}

// Every schema in the conformance corpus, the sample data and the starter
// packs loads.
TEST(SchemaTest, AllCorpusSchemasLoad) {
  std::vector<std::filesystem::path> files;
  const char* corpus = std::getenv("WRIT_CORPUS_DIR");
  ASSERT_NE(corpus, nullptr) << "WRIT_CORPUS_DIR is not set (ctest sets it)";
  for (const auto& e : std::filesystem::directory_iterator(corpus)) {
    if (e.path().extension() == ".cedarschema") files.push_back(e.path());
  }
  ASSERT_GT(files.size(), 1000u);
  for (const auto& e :
       std::filesystem::recursive_directory_iterator(WRIT_CONFORMANCE_DIR "/sample-data")) {
    if (e.path().extension() == ".cedarschema") files.push_back(e.path());
  }
  files.emplace_back(WRIT_SOURCE_DIR "/policies/schema/nhi.cedarschema");
  int failed = 0;
  for (const auto& path : files) {
    std::vector<Issue> issues;
    absl::StatusOr<Schema> s = Schema::Parse(ReadText(path), path.string(), &issues);
    if (!s.ok() && ++failed <= 5) ADD_FAILURE() << RenderIssues(issues);
    if (s.ok()) ExpectRoundTrips(*s, path.string());
    if (HasFailure()) break;
  }
  EXPECT_EQ(failed, 0) << "of " << files.size();
}

// Each pair: a schema and Cedar's own JSON form of it (cedar-wasm 4.13
// schemaToJson); both resolve to the same schema, and each round-trips.
TEST(SchemaTest, CedarsJsonFormAgrees) {
  int pairs = 0;
  for (const auto& e : std::filesystem::directory_iterator(WRIT_TESTDATA_DIR "/cedar_json")) {
    if (e.path().extension() != ".cedarschema") continue;
    std::filesystem::path json = e.path();
    json.replace_extension(".cedar.json");
    std::string name = e.path().filename().string();
    Schema text = MustParse(ReadText(e.path()), name);
    Schema from_json = MustParse(ReadText(json), json.filename().string());
    EXPECT_EQ(Difference(SchemaData::Of(text), SchemaData::Of(from_json)), "") << name;
    ExpectRoundTrips(text, name);
    ExpectRoundTrips(from_json, json.filename().string());
    ++pairs;
  }
  EXPECT_GE(pairs, 19);
}

// Schemas Cedar (cedar-wasm 4.13 checkParseSchema) accepts, and those it
// rejects with what writ says about them.
struct Case {
  const char* text;
  const char* error;   // nullptr: accepted
};

TEST(SchemaTest, AcceptsWhatCedarAccepts) {
  const Case kCases[] = {
      {"entity entity; entity type; entity Set;", nullptr},
      {"entity Long; entity A = { x: Long };", nullptr},
      {"type ipaddr = Long;", nullptr},
      {"entity T; type T = Long;", nullptr},
      {"entity A enum [\"a\", \"a\"];", nullptr},
      {"entity A in [B]; entity B in [A];", nullptr},
      {"entity A = { a: Long, a: String };", nullptr},
      {"entity A = { \"in\": Long };", nullptr},
      {"entity A = {} tags Long;", nullptr},
      {"entity A tags Set<String>;", nullptr},
      {"action a attributes {};", nullptr},
      {"@doc entity A;", nullptr},
      {"@doc(\"x\") namespace N { entity A; }", nullptr},
      {"entity A; action a appliesTo { principal: A, resource: A, };", nullptr},
      {"action g; action a in g;", nullptr},
      {"namespace N { action g; } action a in [N::Action::\"g\"];", nullptr},
      {"namespace N { action g; action a in [Action::\"g\"]; }", nullptr},
      {"namespace M { entity A; } namespace N { entity A; }", nullptr},
      {"namespace N { entity A; } namespace N::A { }", nullptr},
      {"entity A = { a: __cedar::Long, b: __cedar::ipaddr };", nullptr},
      {"", nullptr},
      {"entity A; entity A;", "entity type `A` is declared twice"},
      {"entity A, A;", "entity type `A` is declared twice"},
      {"action a; action \"a\";", "action `Action::\"a\"` is declared twice"},
      {"type T = Long; type T = String;", "common type `T` is declared twice"},
      {"namespace A {} namespace A {}", "namespace `A` is declared twice"},
      {"entity Action;", "`Action` cannot name an entity type"},
      {"namespace N { entity Action; }", "`Action` cannot name an entity type"},
      {"type A = B; type B = A;", "defined in terms of itself"},
      {"action a in [b]; action b in [a];", "cycle of action groups"},
      {"action a in [a];", "cycle of action groups"},
      {"entity A in [B];", "unknown entity type `B`"},
      {"action a in [b];", "action group `Action::\"b\"` is not declared"},
      {"entity Foo; action a in [Foo::\"g\"];", "is not declared"},
      {"entity A; action a appliesTo { principal: [], resource: [A] };", "cannot be empty"},
      {"entity A; action a appliesTo { principal: [A] };", "no resource types"},
      {"action a appliesTo { context: {} };", "no principal types"},
      {"action a appliesTo {};", "expected `principal`, `resource` or `context`"},
      {"entity A; action a appliesTo { principal: A, principal: A, resource: A };", "declared twice"},
      {"entity A = { in: Long };", "reserved word"},
      {"entity A = { a: if };", "reserved word"},
      {"entity true;", "reserved word"},
      {"namespace in { entity A; }", "reserved word"},
      {"namespace __cedar { entity C; }", "`__cedar` is reserved"},
      {"type Long = String;", "reserved and cannot name a common type"},
      {"type Bool = Long;", "reserved and cannot name a common type"},
      {"entity A; type C = Long; action a appliesTo { principal: A, resource: A, context: C };",
       "must be a record type"},
      {"entity A; action a appliesTo { principal: A, resource: A, context: A };", "unknown common type `A`"},
      {"entity A = ;", "expected `{`"},
      {"entity A = { a: 1 };", "expected a type"},
      {"entity A = { a: Set };", "unknown type `Set`"},
      {"entity B; entity A in [B] enum [\"a\"];", "expected `;`"},
      {"entity A enum [];", "expected an entity id"},
      {"entity B; entity A in [B,];", "expected an entity type"},
      {"entity A", "expected `;`"},
      {"@doc(\"a\") @doc(\"b\") entity A;", "duplicate annotation"},
      {"entity \"A\";", "expected an entity type name"},
      {"action a attributes { x: Long };", "not supported"},
      {"action \"a\\q\";", "invalid string literal"},
      {"action \"a\\*\";", "invalid string literal"},
      {"/* x */ entity A;", "expected"},
      {"entity \xc3\x84;", "expected"},
      {"entity A in [__cedar::B];", "unknown entity type"},
      {"entity A; namespace N { entity A; }", "`N::A` shadows `A` of the empty namespace"},
      {"type A = Long; namespace N { type A = String; }", "shadows"},
      {"type A = Long; namespace N { entity A; }", "shadows"},
      {"entity A; namespace N { type A = Long; }", "shadows"},
      {"action a; namespace N { action a; }", "shadows"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    if (c.error == nullptr) {
      MustParse(c.text);
    } else {
      EXPECT_THAT(MustFail(c.text), HasSubstr(c.error));
    }
  }
}

TEST(SchemaTest, JsonFormAcceptsWhatCedarAccepts) {
  const Case kCases[] = {
      {R"({"N": {"entityTypes": {"User": {"memberOfTypes": ["Group"], "shape": {"type": "Record",
          "attributes": {"a": {"type": "Long", "required": false}, "b": {"type": "Set",
          "element": {"type": "EntityOrCommon", "name": "User"}}}}}, "Group": {}}, "actions":
          {"read": {"appliesTo": {"principalTypes": ["User"], "resourceTypes": ["Group"],
          "context": {"type": "Record", "attributes": {}}}}}}})", nullptr},
      {R"({"": {"commonTypes": {"C": {"type": "Record", "attributes": {"x": {"type": "C2"}}},
          "C2": {"type": "String"}}, "entityTypes": {"A": {"shape": {"type": "C"}}}, "actions":
          {"a": {"appliesTo": {"principalTypes": ["A"], "resourceTypes": ["A"], "context":
          {"type": "C"}}}}}})", nullptr},
      {R"({"": {"entityTypes": {}, "actions": {"a": {"appliesTo": {"principalTypes": [],
          "resourceTypes": []}}}}})", nullptr},
      {R"({"N": {"entityTypes": {}, "actions": {"a": {"memberOf": [{"id": "g"}]}, "g":
          {"memberOf": [{"id": "h", "type": "Action"}]}, "h": {"memberOf": [{"id": "x", "type":
          "M::Action"}]}}}, "M": {"entityTypes": {}, "actions": {"x": {}}}})", nullptr},
      {R"({"": {"entityTypes": {"E": {"enum": ["a", "b"]}}, "actions": {}}})", nullptr},
      {R"({"": {"entityTypes": {"E": {"shape": {"type":"Record","attributes":{"i": {"type":
          "Extension", "name": "ipaddr"}, "e": {"type": "Entity", "name": "E"}, "b": {"type":
          "Bool"}, "c": {"type": "EntityOrCommon", "name": "Bool"}}}}}, "actions": {}}})", nullptr},
      {R"({"": {"entityTypes": {"E": {"annotations": {"doc": "y"}, "shape": {"type": "Record",
          "attributes": {"a": {"type": "Long", "annotations": {"doc": "z"}}}}}}, "actions": {"a":
          {"annotations": {"x": ""}}}}})", nullptr},
      {R"({"": {"entityTypes": {"E": {"tags": {"type": "Set", "element": {"type": "String"}}}},
          "actions": {}}})", nullptr},
      {R"({})", nullptr},
      {R"({"": {"entityTypes": {"A": {"shap": {}}}, "actions": {}}})", "unknown field `shap`"},
      {R"({"": {"entityTypes": {}}})", "missing field `actions`"},
      {R"({"": {"actions": {}}})", "missing field `entityTypes`"},
      {R"({"": {"entityTypes": {}, "actions": {}, "foo": 1}})", "unknown field `foo`"},
      {R"({"": {"entityTypes": {"A": {"shape": {"type": "Record", "attributes": {"a": {"type":
          "Long", "element": {"type":"Long"}}}}}}, "actions": {}}})", "unknown field `element`"},
      {R"({"": {"entityTypes": {"A": {"shape": {"type": "Long"}}}, "actions": {}}})",
       "must be a record type"},
      {R"({"": {"entityTypes": {"A":{}}, "actions": {"a": {"appliesTo": {"principalTypes":
          ["A"]}}}}})", "missing field `resourceTypes`"},
      {R"({"": {"entityTypes": {}, "actions": {"a": {"memberOf": [{"id": "g", "foo": 1}]}}}})",
       "unknown field `foo`"},
      {R"({"": {"entityTypes": {}, "actions": {"a": {"attributes": {}}}}})", "not supported"},
      {R"({"": {"entityTypes": {"E": {"enum": ["a"], "shape": {"type":"Record","attributes":
          {}}}}, "actions": {}}})", "cannot have `shape`"},
      {R"({"": {"entityTypes": {"E": {"enum": []}}, "actions": {}}})", "at least one id"},
      {R"({"": {"entityTypes": {"E": {"shape": {"type":"Record","attributes":{"i": {"type":
          "Extension", "name": "foo"}}}}}, "actions": {}}})", "unknown extension type `foo`"},
      {R"({"": {"entityTypes": {"E": {"shape": {"type":"Record","attributes":{"i": {"type":
          "Entity", "name": "F"}}}}}, "actions": {}}})", "unknown entity type `F`"},
      {R"({"": {"entityTypes": {"E": {"shape": {"type":"Record","attributes":{"i": {"type":
          "EntityOrCommon", "name": "Boolean"}}}}}, "actions": {}}})", "unknown type `Boolean`"},
      {R"({"A::": {"entityTypes": {}, "actions": {}}})", "not a valid namespace name"},
      {R"({"__cedar": {"entityTypes": {}, "actions": {}}})", "`__cedar` is reserved"},
      {R"({"": {"entityTypes": {"A::B": {}}, "actions": {}}})", "not a valid entity type name"},
      {R"({"": {"commonTypes": {"Long": {"type": "String"}}, "entityTypes": {}, "actions": {}}})",
       "reserved"},
      {R"({"": {"entityTypes": {"A": {"memberOfTypes": ["B"]}}, "actions": {}}})",
       "unknown entity type `B`"},
      {R"([])", "expected a schema"},
      {R"({"": {"entityTypes": {"E": {"shape": {"type": "Record"}}}, "actions": {}}})",
       "missing field `attributes`"},
      {R"({"": {"entityTypes": {"E": {"shape": {"type": "Record", "attributes": {"s": {"type":
          "Set"}}}}}, "actions": {}}})", "missing field `element`"},
      {R"({"": {"entityTypes": {"E": {"shape": {"type": "Record", "attributes": {},
          "additionalAttributes": true}}}, "actions": {}}})", "not supported"},
      {R"({"": {"annotations": {"doc": "x"}, "entityTypes": {}, "actions": {}}})",
       "annotations are not allowed on the empty namespace"},
      {R"({"": {"entityTypes": {"A": {}}, "actions": {}}, "N": {"entityTypes": {"A": {}},
          "actions": {}}})", "shadows"},
      {R"({"": {"entityTypes": {"A": {}, "A": {}}, "actions": {}}})", "duplicate"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    if (c.error == nullptr) {
      ExpectRoundTrips(MustParse(c.text, "t.json"), "t");
    } else {
      EXPECT_THAT(MustFail(c.text, "t.json"), HasSubstr(c.error));
    }
  }
}

// Nesting past kMaxSchemaDepth, in either form and through common types, is
// an issue, never a stack overflow; so are long chains of declarations.
TEST(SchemaTest, Bounds) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "Set<";
  deep = "entity A = { a: " + deep;
  EXPECT_THAT(MustFail(deep), HasSubstr("nested more than 64 deep"));
  std::string records = "entity A = ";
  for (int i = 0; i < 100000; ++i) records += "{ a: ";
  EXPECT_THAT(MustFail(records), HasSubstr("nested more than 64 deep"));
  std::string at_limit = "entity A = { a: ";
  for (int i = 0; i < kMaxSchemaDepth - 2; ++i) at_limit += "Set<";
  at_limit += "Long";
  for (int i = 0; i < kMaxSchemaDepth - 2; ++i) at_limit += ">";
  MustParse(at_limit + " };");
  EXPECT_THAT(MustFail("entity A = { a: Set<" + at_limit.substr(16) + "> };"),
              HasSubstr("nested more than"));
  // A chain of common types: each reference counts.
  std::string chain;
  for (int i = 0; i < 10000; ++i) chain += "type T" + std::to_string(i) + " = T" + std::to_string(i + 1) + ";\n";
  chain += "type T10000 = Long; entity A = { a: T0 };";
  EXPECT_THAT(MustFail(chain), HasSubstr("nested more than"));
  std::string wide;
  for (int i = 0; i < 20; ++i) wide += "type T" + std::to_string(i) + " = Set<T" + std::to_string(i + 1) + ">;\n";
  wide += "type T20 = Long; entity A = { a: T0, b: T0, c: T5 };";
  MustParse(wide);
  // Deep JSON: the reader's bound, then the schema's.
  std::string json_deep = R"({"": {"entityTypes": {"A": {"shape": )";
  for (int i = 0; i < 100; ++i) json_deep += R"({"type": "Set", "element": )";
  MustFail(json_deep, "t.json");
  std::string json_sets = R"({"": {"entityTypes": {"A": {"tags": )";
  for (int i = 0; i < 70; ++i) json_sets += R"({"type": "Set", "element": )";
  json_sets += R"({"type": "Long"})";
  for (int i = 0; i < 70; ++i) json_sets += "}";
  json_sets += R"(}}, "actions": {}}})";
  EXPECT_THAT(MustFail(json_sets, "t.json"), HasSubstr("nested more than"));
  // Long hierarchies are walked without recursion; their closures (about
  // n^2/2 pairs for a chain of n) are bounded by kMaxSchemaAncestorPairs.
  std::string actions, entities;
  for (int i = 0; i < 1000; ++i) {
    actions += "action a" + std::to_string(i) + " in a" + std::to_string(i + 1) + ";\n";
    entities += "entity E" + std::to_string(i) + " in [E" + std::to_string(i + 1) + "];\n";
  }
  static_assert(1001u * 1000u < kMaxSchemaAncestorPairs);
  Schema big = MustParse(actions + "action a1000;\n" + entities + "entity E1000;\n");
  EXPECT_EQ(SchemaData::Of(big).action_ancestors.at({"Action", "a0"}).size(), 1000u);
  EXPECT_EQ(SchemaData::Of(big).ancestor_types.at("E0").size(), 1000u);
  EXPECT_THAT(MustFail(actions + "action a1000 in a0;"), HasSubstr("cycle of action groups"));
}

// A hierarchy whose closures would pass kMaxSchemaAncestorPairs stops at the
// bound with a located issue, whatever its shape: a chain of 20,000 (2*10^8
// pairs, about 16 GB unbounded), a cycle of entity types, and a wide diamond
// whose few pairs take many links to find.
TEST(SchemaTest, HierarchyBound) {
  std::string entities, actions;
  for (int i = 0; i < 20000; ++i) {
    entities += "entity E" + std::to_string(i) + " in [E" + std::to_string(i + 1) + "];\n";
    actions += "action a" + std::to_string(i) + " in a" + std::to_string(i + 1) + ";\n";
  }
  std::string err = MustFail(entities + "entity E20000;\n");
  EXPECT_THAT(err, HasSubstr("the schema's hierarchy is too large: expanding the ancestors of "
                             "entity type `E"));
  EXPECT_THAT(err, HasSubstr("kMaxSchemaAncestorPairs"));
  EXPECT_THAT(err, HasSubstr("test.cedarschema:"));
  EXPECT_THAT(MustFail(entities + "entity E20000 in [E0];\n"), HasSubstr("hierarchy is too large"));
  EXPECT_THAT(MustFail(actions + "action a20000;\n"),
              HasSubstr("expanding the ancestors of action `Action::\"a"));
  // JSON form: the same bound.
  std::string json = R"({"": {"entityTypes": {)";
  for (int i = 0; i < 20000; ++i) {
    json += "\"E" + std::to_string(i) + "\": {\"memberOfTypes\": [\"E" + std::to_string(i + 1) + "\"]},";
  }
  json += R"("E20000": {}}, "actions": {}}})";
  EXPECT_THAT(MustFail(json, "t.json"), HasSubstr("hierarchy is too large"));
  // 300 types each in [Y0..Y299], each Yi in [Z0..Z299]: 180,000 pairs
  // but 27 million links to follow; the links count.
  std::string wide;
  std::string ys, zs;
  for (int i = 0; i < 300; ++i) {
    ys += (i ? ", Y" : "Y") + std::to_string(i);
    zs += (i ? ", Z" : "Z") + std::to_string(i);
  }
  for (int i = 0; i < 300; ++i) {
    wide += "entity X" + std::to_string(i) + " in [" + ys + "];\n";
    wide += "entity Y" + std::to_string(i) + " in [" + zs + "];\n";
    wide += "entity Z" + std::to_string(i) + ";\n";
  }
  EXPECT_THAT(MustFail(wide), HasSubstr("hierarchy is too large"));
}

// Many mistakes, many declarations, long names and lines: each a bounded
// cost and a bounded number of located issues (kMaxSchemaIssues), never one
// issue per mistake with a copy of a megabyte-long line each.
TEST(SchemaTest, ManyMistakesAndLongNames) {
  auto count = [](std::string_view text, std::string_view name) {
    std::vector<Issue> issues;
    EXPECT_FALSE(Schema::Parse(text, name, &issues).ok());
    EXPECT_THAT(RenderIssues(issues), HasSubstr("kMaxSchemaIssues"));
    return issues.size();
  };
  // 200,000 unknown references on one line, in both forms.
  std::string cedar, json = R"({"": {"entityTypes": {)";
  for (int i = 0; i < 200000; ++i) {
    cedar += "entity E" + std::to_string(i) + " in [X];";
    json += "\"E" + std::to_string(i) + "\": {\"memberOfTypes\": [\"X\"]},";
  }
  json += R"("Z": {}}, "actions": {}}})";
  EXPECT_EQ(count(cedar, "t.cedarschema"), kMaxSchemaIssues + 1);
  EXPECT_EQ(count(json, "t.json"), kMaxSchemaIssues + 1);
  // Unknown fields and duplicate keys in JSON; duplicate attributes in the
  // Cedar form are warnings (the last wins), bounded too, and print in linear time.
  std::string fields = R"({"": {"entityTypes": {)", dupes = fields, attrs = "entity A = {";
  for (int i = 0; i < 200000; ++i) {
    fields += "\"E" + std::to_string(i) + "\": {\"bogus\": 1},";
    dupes += R"("E": {},)";
    attrs += "a: Long, b" + std::to_string(i) + ": Long,";
  }
  fields += R"("Z": {}}, "actions": {}}})";
  dupes += R"("Z": {}}, "actions": {}}})";
  EXPECT_EQ(count(fields, "t.json"), kMaxSchemaIssues + 1);
  std::vector<Issue> issues;
  EXPECT_FALSE(Schema::Parse(dupes, "t.json", &issues).ok());
  EXPECT_LE(issues.size(), kMaxSchemaIssues + 1);
  EXPECT_THAT(RenderIssues(issues), HasSubstr("duplicate key `E`"));
  issues.clear();
  absl::StatusOr<Schema> wide = Schema::Parse(attrs + "};", "t.cedarschema", &issues);
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(issues.size(), kMaxSchemaIssues + 1);
  EXPECT_EQ(SchemaData::Of(*wide).FindEntityType("A")->shape.attributes.size(), 200001u);
  EXPECT_THAT(wide->ToJson(), HasSubstr("\"b199999\""));
  // A name of megabytes, declared and mistyped by one letter: no quadratic
  // suggestion, and the long line is not quoted.
  std::string name(4u << 20, 'n');
  std::string err = MustFail("entity " + name + "; entity B in [" + name + "x];");
  EXPECT_THAT(err, HasSubstr("unknown entity type"));
  EXPECT_LT(err.size(), (4u << 20) + 1000);   // the name once, in the message
  // Many namespaces and declarations are accepted.
  std::string many;
  for (int i = 0; i < 20000; ++i) {
    many += "namespace N" + std::to_string(i) + " { entity A in [B]; entity B; action a appliesTo { principal: A, resource: B }; }\n";
  }
  Schema big = MustParse(many);
  EXPECT_EQ(SchemaData::Of(big).entity_types.size(), 40000u);
  EXPECT_EQ(SchemaData::Of(big).actions.size(), 20000u);
}

TEST(SchemaTest, Encoding) {
  // Size and encoding.
  std::string huge(kMaxSchemaBytes + 1, ' ');
  EXPECT_THAT(MustFail(huge), HasSubstr("kMaxSchemaBytes"));
  EXPECT_THAT(MustFail("entity A = { \"\xff\": Long };"), HasSubstr("invalid UTF-8"));
  EXPECT_THAT(MustFail("{\"\xff\": 1}", "t.json"), HasSubstr("invalid UTF-8"));
  // Overlong and surrogate encodings, and a truncated sequence at the end.
  EXPECT_THAT(MustFail("entity A; // \xc0\x80"), HasSubstr("invalid UTF-8"));
  EXPECT_THAT(MustFail("{\"\xed\xa0\x80\": 1}", "t.json"), HasSubstr("invalid UTF-8"));
  EXPECT_THAT(MustFail("entity A; \xe2\x82"), HasSubstr("invalid UTF-8"));
  // NUL bytes: not a token in the Cedar form, not allowed raw in JSON; an
  // escaped NUL is an attribute name like any other and prints escaped.
  using std::string_literals::operator""s;
  EXPECT_THAT(MustFail("entity A;\0entity B;"s), HasSubstr("1:10"));
  EXPECT_THAT(MustFail("{\"\": {\"entityTypes\": {\"A\0\": {}}, \"actions\": {}}}"s, "t.json"),
              HasSubstr("t.json:1:"));
  Schema nul = MustParse(R"({"": {"entityTypes": {"A": {"shape": {"type": "Record", "attributes": )"
                         R"({"a\u0000b": {"type": "Long"}}}}}, "actions": {}}})",
                         "t.json");
  std::string cedar_form = nul.ToCedar();
  EXPECT_THAT(cedar_form, HasSubstr(R"("a\0b")"));
  Schema back = MustParse(cedar_form);
  EXPECT_EQ(SchemaData::Of(back).FindEntityType("A")->shape.attributes.count(std::string("a\0b", 3)), 1u);
}

// Rendered issues, caret and hint included, against golden files
// (testdata/errors/NAME.{cedarschema,json} -> NAME.err). WRIT_UPDATE_GOLDEN=1
// rewrites them.
TEST(SchemaTest, GoldenErrors) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(WRIT_TESTDATA_DIR "/errors")) {
    std::string ext = e.path().extension().string();
    if (ext != ".cedarschema" && ext != ".json") continue;
    std::filesystem::path golden = e.path();
    golden.replace_extension(".err");
    std::string name = "errors/" + e.path().filename().string();
    std::string rendered = MustFail(ReadText(e.path()), name);
    if (std::getenv("WRIT_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(golden, std::ios::binary) << rendered;
    }
    EXPECT_EQ(rendered, ReadText(golden)) << name;
    ++n;
  }
  EXPECT_GE(n, 5);
}

TEST(SchemaTest, WarningsDoNotFail) {
  std::vector<Issue> issues;
  absl::StatusOr<Schema> s =
      Schema::Parse("entity ipaddr; entity A = { a: Long, a: String };", "w.cedarschema", &issues);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].severity, Severity::kWarning);
  EXPECT_EQ(SchemaData::Of(*s).FindEntityType("A")->shape.attributes.at("a").type->kind,
            SchemaType::Kind::kString);
}

TEST(SchemaTest, DetectsTheForm) {
  EXPECT_EQ(Schema::DetectFormat("  {", "x"), SchemaFormat::kJson);
  EXPECT_EQ(Schema::DetectFormat("entity A;", "x.JSON"), SchemaFormat::kJson);
  EXPECT_EQ(Schema::DetectFormat("entity A;", "x.cedarschema"), SchemaFormat::kCedar);
  EXPECT_TRUE(Schema().entity_types().empty());
  EXPECT_EQ(Schema().ToJson(), "{}\n");
}

}  // namespace
}  // namespace writ
