// Tests of the loader (writ/load.h): sources into one set, files and
// folders, JSON-lines requests.
#include "writ/load.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace writ {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kPolicy[] = "permit(principal == W::\"api\", action, resource) when { resource.open };\n";
constexpr char kEntitiesA[] = R"([{"uid": {"type": "R", "id": "a"}, "attrs": {"open": true}, "parents": []}])";
constexpr char kEntitiesB[] = R"([
  {"uid": {"type": "R", "id": "b"}, "attrs": {"open": false}, "parents": []},
  {"uid": {"type": "R", "id": "a"}, "attrs": {"open": false}, "parents": []}
])";

std::string Messages(const std::vector<Issue>& issues) {
  std::string out;
  for (const Issue& i : issues) out += IssueLocation(i) + " " + i.message + "\n";
  return out;
}

TEST(LoadTest, PoliciesCountOnAcrossSourcesAndEntitiesMerge) {
  std::vector<Source> sources = {{SourceKind::kPolicies, "a.cedar", kPolicy},
                                 {SourceKind::kPolicies, "b.cedar", "forbid(principal, action, resource);"},
                                 {SourceKind::kEntities, "a.json", kEntitiesA},
                                 {SourceKind::kEntities, "c.json", R"([{"uid": {"type": "R", "id": "c"}, "attrs": {}, "parents": []}])"},
                                 {SourceKind::kRevocations, "revoked.txt", "# gone\nW::\"old\"\n"}};
  std::vector<Issue> issues;
  absl::StatusOr<LoadedSet> set = Load(sources, {}, &issues);
  ASSERT_TRUE(set.ok()) << Messages(issues);
  EXPECT_THAT(issues, IsEmpty());
  ASSERT_EQ(set->policies.size(), 2u);
  EXPECT_EQ(set->policies.policies()[1].id, "policy1");
  EXPECT_EQ(set->policies.policies()[1].file, "b.cedar");
  EXPECT_EQ(set->entities.size(), 2u);
  EXPECT_THAT(set->revoked, ElementsAre(EntityUid{"W", "old"}));
  EXPECT_FALSE(set->schema.has_value());

  absl::StatusOr<std::unique_ptr<const Engine>> engine = CompileLoaded(*std::move(set));
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_EQ((*engine)->policy_count(), 2u);
  Request r;
  r.principal = {"W", "old"};
  r.action = {"A", "x"};
  r.resource = {"R", "a"};
  EXPECT_TRUE((*engine)->Decide(r).revoked);   // the set's list is used when none is given
}

TEST(LoadTest, AUidDefinedInTwoDocumentsIsLocatedAtTheSecond) {
  std::vector<Source> sources = {{SourceKind::kEntities, "a.json", kEntitiesA},
                                 {SourceKind::kEntities, "b.json", kEntitiesB}};
  std::vector<Issue> issues;
  absl::StatusOr<LoadedSet> set = Load(sources, {}, &issues);
  EXPECT_FALSE(set.ok());
  EXPECT_EQ(Messages(issues), "b.json:3:11 entity R::\"a\" is also defined in an earlier entity document\n");
}

TEST(LoadTest, EveryMistakeOfEverySourceAndNothingPartial) {
  std::vector<Source> sources = {{SourceKind::kPolicies, "bad.cedar", "permit(principal, action, resource) when { 1 + };"},
                                 {SourceKind::kPolicies, "good.cedar", kPolicy},
                                 {SourceKind::kEntities, "e.json", "[{\"uid\": 1}]"},
                                 {SourceKind::kRevocations, "r.txt", "not a uid\n"}};
  std::vector<Issue> issues;
  absl::StatusOr<LoadedSet> set = Load(sources, {}, &issues);
  EXPECT_TRUE(absl::IsInvalidArgument(set.status()));
  const std::string m = Messages(issues);
  EXPECT_THAT(m, HasSubstr("bad.cedar:1:"));
  EXPECT_THAT(m, HasSubstr("e.json:1:"));
  EXPECT_THAT(m, HasSubstr("r.txt:1:"));
}

TEST(LoadTest, StrictReachesPoliciesAndJson) {
  LoadOptions strict;
  strict.strict = true;
  std::vector<Issue> issues;
  EXPECT_FALSE(Load({{SourceKind::kPolicies, "p.cedar", "permit(principal, action, resource) when { spiffe(\"spiffe://a/b\").path() == \"/b\" };"}},
                    strict, &issues).ok());
  issues.clear();
  EXPECT_FALSE(Load({{SourceKind::kEntities, "e.json",
                      R"([{"uid": {"type": "R", "id": "a"}, "attrs": {"id": {"__extn": {"fn": "spiffe", "arg": "spiffe://a/b"}}}, "parents": []}])"}},
                    strict, &issues).ok());
  EXPECT_THAT(Messages(issues), HasSubstr("e.json:1:"));
}

TEST(LoadTest, ASourcePastItsBoundIsRefusedBeforeReading) {
  std::vector<Issue> issues;
  absl::StatusOr<LoadedSet> set =
      Load({{SourceKind::kSchema, "big.cedarschema", std::string(kMaxSchemaBytes + 1, ' ')}}, {}, &issues);
  EXPECT_TRUE(absl::IsResourceExhausted(set.status()));
  EXPECT_THAT(Messages(issues), HasSubstr("more than the limit"));
}

constexpr char kSchema[] = "entity W { env: String }; entity R;\naction read appliesTo { principal: W, resource: R };\n";

TEST(LoadTest, EntitiesAreReadThroughTheSchemaAndItsActionsJoinTheStoreOnce) {
  std::vector<Source> sources = {
      {SourceKind::kSchema, "s.cedarschema", kSchema},
      {SourceKind::kEntities, "a.json", R"([{"uid": {"type": "W", "id": "api"}, "attrs": {"env": "prod"}, "parents": []}])"},
      {SourceKind::kEntities, "b.json", R"([{"uid": {"type": "W", "id": "web"}, "attrs": {"env": "dev"}, "parents": []}])"}};
  std::vector<Issue> issues;
  absl::StatusOr<LoadedSet> set = Load(sources, {}, &issues);
  ASSERT_TRUE(set.ok()) << Messages(issues);
  ASSERT_TRUE(set->schema.has_value());
  EXPECT_NE(set->entities.Find({"W", "web"}), nullptr);
  EXPECT_NE(set->entities.Find({"Action", "read"}), nullptr);   // the schema's action, from both documents once
  EXPECT_EQ(set->JsonOptionsFor({}).schema, &*set->schema);

  // A document that does not conform; a second schema; a schema that does not load.
  issues.clear();
  EXPECT_FALSE(Load({sources[0], {SourceKind::kEntities, "c.json", R"([{"uid": {"type": "W", "id": "x"}, "attrs": {"env": 1}, "parents": []}])"}},
                    {}, &issues).ok());
  EXPECT_THAT(Messages(issues), HasSubstr("c.json:1:"));
  issues.clear();
  EXPECT_FALSE(Load({sources[0], sources[0]}, {}, &issues).ok());
  EXPECT_THAT(Messages(issues), HasSubstr("a second schema"));
  issues.clear();
  absl::StatusOr<LoadedSet> bad = Load({{SourceKind::kSchema, "bad.cedarschema", "entity W {"}, sources[1]}, {}, &issues);
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(Messages(issues), HasSubstr("bad.cedarschema:1:"));
}

// A schema given in LoadOptions::json is used when the sources carry none
// (entities read through it, its actions in the store, requests read through
// it by JsonOptionsFor); given both ways, the load fails.
TEST(LoadTest, ACallerGivenSchemaIsUsedWhenTheSourcesCarryNone) {
  std::vector<Issue> issues;
  absl::StatusOr<Schema> schema = Schema::Parse(kSchema, "s.cedarschema", &issues);
  ASSERT_TRUE(schema.ok()) << Messages(issues);
  LoadOptions options;
  options.json.schema = &*schema;
  const Source entities = {SourceKind::kEntities, "a.json",
                           R"([{"uid": {"type": "W", "id": "api"}, "attrs": {"env": "prod"}, "parents": []}])"};
  absl::StatusOr<LoadedSet> set = Load({entities}, options, &issues);
  ASSERT_TRUE(set.ok()) << Messages(issues);
  EXPECT_FALSE(set->schema.has_value());   // not owned by the set
  EXPECT_NE(set->entities.Find({"Action", "read"}), nullptr);
  EXPECT_EQ(set->JsonOptionsFor(options.json).schema, &*schema);
  // Read through it: an attribute of the wrong type is an error.
  issues.clear();
  EXPECT_FALSE(Load({{SourceKind::kEntities, "c.json", R"([{"uid": {"type": "W", "id": "x"}, "attrs": {"env": 1}, "parents": []}])"}},
                    options, &issues).ok());
  EXPECT_THAT(Messages(issues), HasSubstr("c.json:1:"));
  // A request the schema rejects does not read through the set's options.
  EXPECT_FALSE(RequestFromJson(R"({"principal": "R::\"r\"", "action": "Action::\"read\"", "resource": "R::\"r\"", "context": {}})",
                               "q", nullptr, set->JsonOptionsFor(options.json)).ok());
  // Both ways: an error, whichever schema it is.
  issues.clear();
  EXPECT_FALSE(Load({{SourceKind::kSchema, "s.cedarschema", kSchema}, entities}, options, &issues).ok());
  EXPECT_THAT(Messages(issues), HasSubstr("give one"));
}

class LoadFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("writ_load_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  fs::path dir_;
};

TEST_F(LoadFilesTest, TheWalkerListsMatchingFilesSortedAndSkipsHiddenFolders) {
  Write("p/b.cedar", kPolicy);
  Write("p/a/z.cedar", kPolicy);
  Write("p/notes.txt", "x");
  Write("p/.cedar", "not a policy file: no name before the suffix");
  Write("p/..data/dup.cedar", kPolicy);   // a Kubernetes ConfigMap's hidden copy
  absl::StatusOr<std::vector<std::string>> files = ListFiles((dir_ / "p").string(), ".cedar");
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_THAT(*files, ElementsAre((dir_ / "p/a/z.cedar").string(), (dir_ / "p/b.cedar").string()));
  // A file (or a path that does not exist) is itself.
  EXPECT_THAT(*ListFiles((dir_ / "p/notes.txt").string(), ".cedar"), ElementsAre((dir_ / "p/notes.txt").string()));
}

TEST_F(LoadFilesTest, FilesAndFoldersLoadAndUnreadableFilesAreNamed) {
  Write("p/b.cedar", kPolicy);
  Write("p/a.cedar", "forbid(principal, action, resource);");
  fs::path e = Write("e.json", kEntitiesA);
  FileSet files;
  files.policies = {(dir_ / "p").string()};
  files.entities = {e.string()};
  std::vector<Issue> issues;
  absl::StatusOr<LoadedSet> set = LoadFiles(files, {}, &issues);
  ASSERT_TRUE(set.ok()) << Messages(issues);
  ASSERT_EQ(set->policies.size(), 2u);
  EXPECT_EQ(set->policies.policies()[0].file, (dir_ / "p/a.cedar").string());

  files.policies.push_back((dir_ / "nope.cedar").string());
  files.policies.push_back((dir_ / "empty").string());
  fs::create_directories(dir_ / "empty");
  issues.clear();
  EXPECT_FALSE(LoadFiles(files, {}, &issues).ok());
  EXPECT_THAT(RenderIssues(issues), HasSubstr("error: " + (dir_ / "nope.cedar").string() + ": cannot open file"));
  EXPECT_THAT(RenderIssues(issues), HasSubstr("error: " + (dir_ / "empty").string() + ": no *.cedar files"));
}

TEST(RequestLinesTest, EachLineIsReadOnItsOwnWithItsLineNumber) {
  std::istringstream in(
      R"({"principal": "W::\"api\"", "action": "A::\"r\"", "resource": "R::\"a\"", "context": {}})" "\r\n"
      "  \n"
      R"({"principal": "W::\"api\"", "action": "A::\"r\"", "resource": )" "\n"
      R"({"principal": "W::\"api\"", "action": "A::\"r\"", "resource": "R::\"b\""})" "\n");
  std::vector<RequestLine> lines;
  ASSERT_TRUE(ReadRequestLines(in, "q.jsonl", {}, [&](RequestLine l) {
                lines.push_back(std::move(l));
                return true;
              }).ok());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_TRUE(lines[0].request.has_value());
  EXPECT_TRUE(lines[1].blank);
  EXPECT_FALSE(lines[2].request.has_value());
  EXPECT_EQ(lines[2].number, 3u);
  EXPECT_THAT(RequestLineError(lines[2]), HasSubstr("q.jsonl:3:"));
  ASSERT_TRUE(lines[3].request.has_value());
  EXPECT_EQ(lines[3].request->resource, (EntityUid{"R", "b"}));
}

TEST(RequestLinesTest, StopsWhenAsked) {
  std::istringstream in("x\ny\n");
  int seen = 0;
  ASSERT_TRUE(ReadRequestLines(in, "q", {}, [&](RequestLine) { return ++seen < 1; }).ok());
  EXPECT_EQ(seen, 1);
  EXPECT_TRUE(absl::IsNotFound(ReadRequestLinesFile("/nonexistent/q.jsonl", {}, [](RequestLine) { return true; })));
}

}  // namespace
}  // namespace writ
