// Example: a service that authorizes its callers in-process with writ.
//
// Build it inside your own CMake project with
//   add_subdirectory(path/to/writ)
//   target_link_libraries(my_service PRIVATE writ::writ)
#include <iostream>

#include "writ/writ.h"

int main() {
  // 1. Policies: parsed once, at start-up (or on reload).
  writ::PolicySet policies;
  std::vector<writ::Issue> issues;
  absl::Status status = policies.Add(R"(
      // The payments API may read the ledger, in production only.
      permit(
        principal in Namespace::"payments",
        action == Action::"read",
        resource == Bucket::"ledger"
      ) when { context.environment == "prod" };
    )", "inline.cedar", &issues);
  if (!status.ok()) {
    std::cerr << writ::RenderIssues(issues);
    return 2;
  }

  // 2. Entities: the workload inventory, with its hierarchy.
  writ::Entities entities;
  const writ::EntityUid api{"Workload", "spiffe://prod.acme.io/ns/payments/sa/api"};
  (void)entities.Add({api, {}, {{"Namespace", "payments"}}, {}});
  (void)entities.Add({{"Namespace", "payments"}, {}, {}, {}});

  // 3. One request per call; the decision says why.
  writ::Request request;
  request.principal = api;
  request.action = {"Action", "read"};
  request.resource = {"Bucket", "ledger"};
  request.context = writ::Value::MakeRecord({{"environment", writ::Value::String("prod")}});
  writ::Decision decision = writ::Authorize(policies, entities, request);
  std::cout << writ::DecisionToJson(decision) << "\n";
  return decision.allowed ? 0 : 1;
}
