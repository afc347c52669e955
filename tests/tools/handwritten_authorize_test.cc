// Cedar's 22 hand-written integration tests (74 requests, under
// WRIT_CONFORMANCE_DIR/tests), decided the way a user decides them: for
// every request, `writ authorize --schema <its schema> --policies <its
// policies> --entities <its entities> --request <the request>` runs as a
// separate process, and its decision, reasons and erroring policy ids must
// equal the test's (Cedar's) expectations. Not the conformance runner: the
// CLI's own loading, schema-directed reading and request validation.
//
// None of the 74 sets `validateRequest` to false, so each is validated
// against the schema, as Cedar's harness validates it (Request::new with the
// schema; a request it rejects would fail Cedar's harness, so every one must
// conform: a writ deny with the error "doesn't conform" counts as a
// disagreement, with the reason printed).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/cli.h"

namespace writ {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing_support::CliResult;
using testing_support::CliTestBase;
using testing_support::Slurp;

std::string Quote(const fs::path& p) { return "'" + p.string() + "'"; }

// Policy ids from a test's `reason` or `errors` array (strings, or objects
// with a `policyId` in some versions of the format).
std::set<std::string> Ids(const Json& j) {
  std::set<std::string> out;
  if (!j.is_array()) return out;
  for (const Json& e : j) {
    if (e.is_string()) out.insert(e.get<std::string>());
    if (e.is_object() && e.contains("policyId") && e["policyId"].is_string()) out.insert(e["policyId"].get<std::string>());
  }
  return out;
}

std::string Show(const std::string& decision, const std::set<std::string>& reasons, const std::set<std::string>& errors) {
  return absl::StrCat(decision, " reasons [", absl::StrJoin(reasons, ","), "] errors [", absl::StrJoin(errors, ","), "]");
}

class HandwrittenAuthorizeTest : public CliTestBase {};

TEST_F(HandwrittenAuthorizeTest, EveryRequestAgreesWithCedarThroughWritAuthorizeSchema) {
  const fs::path root = WRIT_CONFORMANCE_DIR;
  const fs::path tests = root / "tests";
  ASSERT_TRUE(fs::is_directory(tests)) << "Cedar's hand-written tests not found at " << tests.string()
                                       << " (set -DWRIT_CONFORMANCE_DIR)";
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(tests)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());

  int test_count = 0, requests = 0, agreed = 0;
  for (const fs::path& file : files) {
    const Json test = Json::parse(Slurp(file), nullptr, /*allow_exceptions=*/false);
    if (!test.is_object() || !test.contains("requests")) continue;
    ++test_count;
    const std::string rel = fs::relative(file, root).string();
    ASSERT_TRUE(test["schema"].is_string() && test["policies"].is_string() && test["entities"].is_string()) << rel;
    const std::string inputs = absl::StrCat(" --schema ", Quote(root / test["schema"].get<std::string>()),
                                            " --policies ", Quote(root / test["policies"].get<std::string>()),
                                            " --entities ", Quote(root / test["entities"].get<std::string>()));
    int n = 0;
    for (const Json& r : test["requests"]) {
      ++requests;
      const std::string desc = r.value("description", std::string("(no description)"));
      ASSERT_FALSE(r.contains("validateRequest") && r["validateRequest"] == false)
          << rel << ": " << desc << ": the hand-written tests all validate their requests; this test assumes so";
      // The request as a user writes it: principal, action, resource, context.
      Json request = Json::object();
      for (const char* key : {"principal", "action", "resource", "context"}) {
        if (r.contains(key)) request[key] = r[key];
      }
      const fs::path q = Write(absl::StrCat("q", requests, ".json"), request.dump());
      const CliResult got = Run(absl::StrCat("authorize", inputs, " --request ", Quote(q)));
      ++n;
      const std::string want =
          Show(absl::AsciiStrToLower(r.value("decision", std::string())), Ids(r["reason"]), Ids(r["errors"]));
      if (got.exit_code != 0) {
        ADD_FAILURE() << rel << ": " << desc << ": writ authorize exit " << got.exit_code << "\n" << got.err;
        continue;
      }
      const Json d = Json::parse(got.out, nullptr, /*allow_exceptions=*/false);
      if (!d.is_object() || !d["decision"].is_string() || !d["reasons"].is_array() || !d["errors"].is_array()) {
        ADD_FAILURE() << rel << ": " << desc << ": not a decision: " << got.out;
        continue;
      }
      std::set<std::string> reasons, errors;
      for (const Json& id : d["reasons"]) reasons.insert(id.get<std::string>());
      std::string messages;
      for (const Json& e : d["errors"]) {
        errors.insert(e.value("policy", std::string()));
        absl::StrAppend(&messages, "\n    ", e.value("policy", std::string()), ": ", e.value("message", std::string()));
      }
      const std::string have = Show(d["decision"].get<std::string>(), reasons, errors);
      if (have == want) {
        ++agreed;
      } else {
        ADD_FAILURE() << rel << " request " << n << " (" << desc << "): Cedar expects " << want << ", writ gave " << have
                      << messages;
      }
    }
  }
  std::cout << agreed << "/" << requests << " requests of " << test_count
            << " hand-written tests agree with Cedar through writ authorize --schema\n";
  EXPECT_EQ(test_count, 22);
  EXPECT_EQ(requests, 74);
  EXPECT_EQ(agreed, requests);
}

}  // namespace
}  // namespace writ
