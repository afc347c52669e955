// Tests for src/compile: Engine::Decide does not allocate on the common path,
// from a Request or from a prepared request.
// This binary replaces the global operator new to count allocations, so it
// is kept apart from the other engine tests.
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "writ/engine.h"
#include "writ/json.h"
#include "writ/policy_set.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// Every form of new that the standard library may call for unaligned
// storage counts and takes malloc's memory, and every delete gives it back
// (a sanitizer's own new must never meet this free, or the other way round).
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new(std::size_t n) {
  if (void* p = operator new(n, std::nothrow)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace writ {
namespace {

TEST(EngineAllocationTest, DecideDoesNotAllocateOnceWarm) {
  PolicySet set;
  std::vector<Issue> issues;
  ASSERT_TRUE(set.Add(R"(
    permit(principal in Namespace::"spiffe://acme.io/ns/payments", action in [Action::"read", Action::"list"],
           resource in Group::"ledgers")
      when { context.environment == "prod" && context.credential.expires > context.now };
    permit(principal == Workload::"spiffe://acme.io/ns/payments/sa/a-long-service-account-name", action,
           resource) when { resource.owner == principal && principal.tier + 1 < 3 &&
                            context.src.isInRange(ip("10.0.0.0/8")) && resource.tags.contains(principal) &&
                            context.workload.isInTrustDomain("acme.io") &&
                            context.workload.pathMatches("/ns/*/sa/**") && context.branch.matches("release/[0-9]+") };
    forbid(principal, action, resource) when { context.credential.revoked };
    // Slots held as words, made Values where a general path reads them.
    forbid(principal, action, resource) when { context.now + 1 < 0 || context.environment like "x*" ||
                                               context.credential.expires - context.now > 1000 };
  )", "p.cedar", &issues).ok()) << RenderIssues(issues);
  absl::StatusOr<Entities> entities = EntitiesFromJson(R"([
    {"uid": {"type": "Workload", "id": "spiffe://acme.io/ns/payments/sa/a-long-service-account-name"},
     "attrs": {"tier": 1}, "parents": [{"type": "Namespace", "id": "spiffe://acme.io/ns/payments"}]},
    {"uid": {"type": "Bucket", "id": "a-bucket-with-a-long-name-for-no-sso"},
     "attrs": {"owner": {"__entity": {"type": "Workload", "id": "spiffe://acme.io/ns/payments/sa/a-long-service-account-name"}},
               "tags": [{"__entity": {"type": "Workload", "id": "spiffe://acme.io/ns/payments/sa/a-long-service-account-name"}}]},
     "parents": [{"type": "Group", "id": "ledgers"}]}
  ])", "e.json", &issues);
  ASSERT_TRUE(entities.ok()) << RenderIssues(issues);
  absl::StatusOr<Request> request = RequestFromJson(R"({
    "principal": "Workload::\"spiffe://acme.io/ns/payments/sa/a-long-service-account-name\"",
    "action": "Action::\"read\"", "resource": "Bucket::\"a-bucket-with-a-long-name-for-no-sso\"",
    "context": {"environment": "prod", "now": 100, "src": {"__extn": {"fn": "ip", "arg": "10.1.2.3"}},
                "workload": {"__extn": {"fn": "spiffe", "arg": "spiffe://acme.io/ns/payments/sa/a-long-service-account-name"}},
                "branch": "release/12345678901234567890",
                "credential": {"expires": 200, "revoked": false}}})", "r.json", &issues);
  ASSERT_TRUE(request.ok()) << RenderIssues(issues);
  absl::StatusOr<std::unique_ptr<const Engine>> engine = Engine::Compile(set, *std::move(entities));
  ASSERT_TRUE(engine.ok());

  Decision d;
  (*engine)->Decide(*request, &d);   // warms the thread's workspace and d
  ASSERT_TRUE(d.allowed);
  ASSERT_EQ(d.reasons.size(), 2u);
  const long before = g_allocations.load();
  for (int i = 0; i < 1000; ++i) (*engine)->Decide(*request, &d);
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_TRUE(d.allowed);

  // A prepared request: deciding it does not allocate, and neither does
  // preparing into the same object again.
  PreparedRequest prepared;
  ASSERT_TRUE((*engine)->Prepare(*request, &prepared).ok());
  Decision dp;
  (*engine)->Decide(prepared, &dp);
  ASSERT_TRUE(dp.allowed);
  ASSERT_EQ(dp.reasons, d.reasons);
  const long before_prepared = g_allocations.load();
  for (int i = 0; i < 1000; ++i) (*engine)->Decide(prepared, &dp);
  EXPECT_EQ(g_allocations.load() - before_prepared, 0);
  EXPECT_TRUE(dp.allowed);
  const long before_prepare = g_allocations.load();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE((*engine)->Prepare(*request, &prepared).ok());
    (*engine)->Decide(prepared, &dp);
  }
  EXPECT_EQ(g_allocations.load() - before_prepare, 0);
  EXPECT_TRUE(dp.allowed);
}

}  // namespace
}  // namespace writ
