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
    type T = Long;
    entity E;
    namespace N {
      type T = String;
      entity F = { a: T, b: E, c: __cedar::Long, d: Bool };
    }
  )");
  const auto& f = SchemaData::Of(s).FindEntityType("N::F")->shape.attributes;
  EXPECT_EQ(f.at("a").type->kind, SchemaType::Kind::kString);
  EXPECT_EQ(f.at("b").type->kind, SchemaType::Kind::kEntity);
  EXPECT_EQ(f.at("b").type->name, "E");
  EXPECT_EQ(f.at("c").type->kind, SchemaType::Kind::kLong);
  EXPECT_EQ(f.at("d").type->kind, SchemaType::Kind::kBool);
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
  }
  EXPECT_EQ(failed, 0) << "of " << files.size();
}

}  // namespace
}  // namespace writ
