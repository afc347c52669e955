// bench/gen: the workload-identity benchmark set — N permit policies over an
// inventory of SPIFFE workloads in namespaces and buckets in groups, plus one
// forbid for revoked credentials.
#ifndef WRIT_BENCH_GEN_WORKLOAD_H_
#define WRIT_BENCH_GEN_WORKLOAD_H_

#include <cstdint>

#include "bench/gen/dataset.h"

namespace writ::bench {

// Deterministic in `seed`. The inventory grows with N (N/4 workloads in N/40
// namespaces, N/4 buckets in N/40 groups), so each workload has a few
// policies of its own and its namespace a dozen, at every N — as in a real
// inventory, where adding services adds policies for those services.
//
// Policy i (of N): `permit` for one workload (70%, `principal == Workload::"spiffe://…"`)
// or a namespace (30%, `principal in Namespace::"…"`), `action in [..]` of
// one to three actions, one bucket (60%) or a group (40%), `when {
// context.environment == "<env>" && context.credential.expires > context.now }`.
// Policy N: `forbid(principal, action, resource) when { context.credential.revoked };`.
//
// Requests: 70% aimed at a random policy's scope (its environment 80% of the
// time, an expired credential 10%, revoked 3%), 30% random (some for
// workloads that are not in the inventory).
Dataset MakeWorkloadDataset(int n_policies, int n_requests, std::uint64_t seed);

}  // namespace writ::bench

#endif  // WRIT_BENCH_GEN_WORKLOAD_H_
