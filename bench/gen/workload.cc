// bench/gen: the workload-identity benchmark set (see workload.h).
#include "bench/gen/workload.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/gen/rng.h"

namespace writ::bench {
namespace {

constexpr const char* kTrustDomain = "prod.acme.io";
constexpr const char* kActions[] = {"read", "list", "write", "delete", "invoke", "deploy"};
constexpr const char* kEnvs[] = {"prod", "staging", "dev"};
constexpr std::int64_t kNow = 1795000000;   // seconds since the epoch

struct Inventory {
  int workloads, namespaces, buckets, groups;

  explicit Inventory(int n)
      : workloads(std::max(4, n / 4)), namespaces(std::max(2, n / 40)),
        buckets(std::max(4, n / 4)), groups(std::max(2, n / 40)) {}

  // Workload w lives in namespace w % namespaces; bucket b in group b % groups.
  std::string Namespace(int k) const { return absl::StrCat(kTrustDomain, "/ns/ns", k); }
  std::string Workload(int w) const {
    return absl::StrCat("spiffe://", kTrustDomain, "/ns/ns", w % namespaces, "/sa/svc", w);
  }
  std::string Bucket(int b) const { return absl::StrCat("bucket-", b); }
  std::string Group(int g) const { return absl::StrCat("group-", g); }
};

std::string Uid(const char* type, const std::string& id) {
  return absl::StrCat(type, "::\"", id, "\"");
}
// The string form of a uid inside a JSON string: quotes escaped.
std::string JsonUid(const char* type, const std::string& id) {
  return absl::StrCat("\"", type, "::\\\"", id, "\\\"\"");
}
std::string JsonRef(const char* type, const std::string& id) {
  return absl::StrCat("{\"type\":\"", type, "\",\"id\":\"", id, "\"}");
}

struct PolicySpec {
  bool namespace_scope;   // else one workload
  int principal;          // workload or namespace index
  std::vector<int> actions;
  bool group_scope;       // else one bucket
  int resource;           // bucket or group index
  int env;
};

std::string Entities(const Inventory& inv) {
  std::string out = "[\n";
  absl::StrAppend(&out, "{\"uid\":", JsonRef("TrustDomain", kTrustDomain), ",\"attrs\":{},\"parents\":[]}");
  for (int k = 0; k < inv.namespaces; ++k) {
    absl::StrAppend(&out, ",\n{\"uid\":", JsonRef("Namespace", inv.Namespace(k)), ",\"attrs\":{},\"parents\":[",
                    JsonRef("TrustDomain", kTrustDomain), "]}");
  }
  for (int w = 0; w < inv.workloads; ++w) {
    absl::StrAppend(&out, ",\n{\"uid\":", JsonRef("Workload", inv.Workload(w)),
                    ",\"attrs\":{\"owner\":\"team-", w % inv.namespaces, "\"},\"parents\":[",
                    JsonRef("Namespace", inv.Namespace(w % inv.namespaces)), "]}");
  }
  for (int g = 0; g < inv.groups; ++g) {
    absl::StrAppend(&out, ",\n{\"uid\":", JsonRef("ResourceGroup", inv.Group(g)), ",\"attrs\":{},\"parents\":[]}");
  }
  for (int b = 0; b < inv.buckets; ++b) {
    absl::StrAppend(&out, ",\n{\"uid\":", JsonRef("Bucket", inv.Bucket(b)), ",\"attrs\":{},\"parents\":[",
                    JsonRef("ResourceGroup", inv.Group(b % inv.groups)), "]}");
  }
  return out + "\n]\n";
}

// The schema every policy, entity and request of the set validates against.
std::string Schema() {
  std::vector<std::string> actions;
  for (const char* a : kActions) actions.push_back(absl::StrCat("\"", a, "\""));
  return absl::StrCat(
      "entity TrustDomain;\n"
      "entity Namespace in [TrustDomain];\n"
      "entity Workload in [Namespace] = { owner: String };\n"
      "entity ResourceGroup;\n"
      "entity Bucket in [ResourceGroup];\n"
      "type Credential = { id: String, expires: Long, revoked: Bool };\n"
      "action ", absl::StrJoin(actions, ", "), " appliesTo {\n"
      "  principal: Workload,\n"
      "  resource: Bucket,\n"
      "  context: { environment: String, now: Long, credential: Credential },\n"
      "};\n");
}

std::string Policy(const Inventory& inv, const PolicySpec& p) {
  std::vector<std::string> actions;
  for (int a : p.actions) actions.push_back(Uid("Action", kActions[a]));
  return absl::StrCat(
      "permit(principal ",
      p.namespace_scope ? absl::StrCat("in ", Uid("Namespace", inv.Namespace(p.principal)))
                        : absl::StrCat("== ", Uid("Workload", inv.Workload(p.principal))),
      ", action in [", absl::StrJoin(actions, ", "), "], resource ",
      p.group_scope ? absl::StrCat("in ", Uid("ResourceGroup", inv.Group(p.resource)))
                    : absl::StrCat("== ", Uid("Bucket", inv.Bucket(p.resource))),
      ")\n  when { context.environment == \"", kEnvs[p.env],
      "\" && context.credential.expires > context.now };\n");
}

std::string Request(const std::string& principal, int action, const std::string& bucket, int env,
                    bool expired, bool revoked, int credential) {
  return absl::StrCat("{\"principal\":", principal, ",\"action\":", JsonUid("Action", kActions[action]),
                      ",\"resource\":", JsonUid("Bucket", bucket), ",\"context\":{\"environment\":\"",
                      kEnvs[env], "\",\"now\":", kNow, ",\"credential\":{\"id\":\"cred-", credential,
                      "\",\"expires\":", expired ? kNow - 10 : kNow + 3600,
                      ",\"revoked\":", revoked ? "true" : "false", "}}}");
}

}  // namespace

Dataset MakeWorkloadDataset(int n_policies, int n_requests, std::uint64_t seed) {
  Rng rng(seed);
  const Inventory inv(n_policies);
  constexpr int kActionCount = static_cast<int>(std::size(kActions));
  std::vector<PolicySpec> specs;
  specs.reserve(static_cast<std::size_t>(n_policies));
  Dataset d;
  d.name = absl::StrCat("workload-", n_policies);
  d.schema = Schema();
  for (int i = 0; i < n_policies; ++i) {
    PolicySpec p;
    p.namespace_scope = rng.Chance(30);
    p.principal = static_cast<int>(rng.Below(p.namespace_scope ? inv.namespaces : inv.workloads));
    const int count = 1 + static_cast<int>(rng.Below(3));
    while (static_cast<int>(p.actions.size()) < count) {
      const int a = static_cast<int>(rng.Below(kActionCount));
      if (std::find(p.actions.begin(), p.actions.end(), a) == p.actions.end()) p.actions.push_back(a);
    }
    p.group_scope = rng.Chance(40);
    p.resource = static_cast<int>(rng.Below(p.group_scope ? inv.groups : inv.buckets));
    p.env = rng.Chance(60) ? 0 : rng.Chance(60) ? 1 : 2;   // prod 60%, staging 24%, dev 16%
    d.policies += Policy(inv, p);
    specs.push_back(std::move(p));
  }
  d.policies += "forbid(principal, action, resource) when { context.credential.revoked };\n";
  d.entities_json = Entities(inv);

  for (int r = 0; r < n_requests; ++r) {
    std::string principal;
    int action = 0, env = 0;
    std::string bucket;
    if (!specs.empty() && rng.Chance(70)) {
      // Aimed at a policy: a principal, action and bucket its scope admits.
      const PolicySpec& p = specs[rng.Below(specs.size())];
      int w = p.principal;
      if (p.namespace_scope) {
        // A workload of namespace p.principal: w % namespaces == p.principal.
        const int per_ns = std::max(1, (inv.workloads - p.principal + inv.namespaces - 1) / inv.namespaces);
        w = p.principal + inv.namespaces * static_cast<int>(rng.Below(per_ns));
      }
      principal = JsonUid("Workload", inv.Workload(w));
      action = p.actions[rng.Below(p.actions.size())];
      int b = p.resource;
      if (p.group_scope) {
        const int per_group = std::max(1, (inv.buckets - p.resource + inv.groups - 1) / inv.groups);
        b = p.resource + inv.groups * static_cast<int>(rng.Below(per_group));
      }
      bucket = inv.Bucket(b);
      env = rng.Chance(80) ? p.env : static_cast<int>(rng.Below(3));
    } else {
      // Anyone, anything; one in ten a workload the inventory does not know.
      principal = rng.Chance(10)
                      ? JsonUid("Workload", absl::StrCat("spiffe://", kTrustDomain, "/ns/unknown/sa/x", r))
                      : JsonUid("Workload", inv.Workload(static_cast<int>(rng.Below(inv.workloads))));
      action = static_cast<int>(rng.Below(kActionCount));
      bucket = inv.Bucket(static_cast<int>(rng.Below(inv.buckets)));
      env = static_cast<int>(rng.Below(3));
    }
    const bool expired = rng.Chance(10), revoked = rng.Chance(3);
    d.requests.push_back(Request(principal, action, bucket, env, expired, revoked, r));
  }
  return d;
}

}  // namespace writ::bench
