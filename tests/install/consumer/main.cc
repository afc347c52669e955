// A C++ consumer of the installed package: parse, compile, decide, print.
#include <iostream>
#include <memory>
#include <utility>
#include <vector>

#include "writ/writ.h"

int main() {
  writ::PolicySet policies;
  std::vector<writ::Issue> issues;
  if (!policies.Add("permit(principal == Workload::\"api\", action == Action::\"read\", resource);",
                    "consumer.cedar", &issues)
           .ok()) {
    std::cerr << writ::RenderIssues(issues);
    return 2;
  }
  absl::StatusOr<writ::Request> request = writ::RequestFromJson(
      R"({"principal": "Workload::\"api\"", "action": "Action::\"read\"", "resource": "Bucket::\"b\""})",
      "request", &issues);
  absl::StatusOr<std::unique_ptr<const writ::Engine>> engine = writ::Engine::Compile(policies);
  if (!request.ok() || !engine.ok()) {
    std::cerr << writ::RenderIssues(issues) << request.status() << " " << engine.status() << "\n";
    return 2;
  }
  writ::Decision d = (*engine)->Decide(*request);
  std::cout << "consumer_cxx: " << writ::DecisionToJson(d) << "\n";
  return d.allowed ? 0 : 1;
}
