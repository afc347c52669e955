// bench/gen: the three applications of Cedar's OOPSLA 2024 evaluation
// (cedar-policy/cedar-examples, oopsla2024-benchmarks): gdrive, github and
// tinytodo — their policies as the paper's benches/<app>/cedar files write
// them, over entity stores generated to the apps' schemas, with `scale`
// entities of each main type (as the paper's generators take one
// num_entities for every type), and 500 requests of random users asking
// random actions on random resources of the right type. Deterministic in
// `seed`. The paper generates entities with separate scripts; these are our
// own generators with the same shapes, not ports of them.
#ifndef WRIT_BENCH_GEN_OOPSLA_H_
#define WRIT_BENCH_GEN_OOPSLA_H_

#include <cstdint>

#include "bench/gen/dataset.h"

namespace writ::bench {

// Users, groups, documents and folders (`scale` of each). A user's view
// access is a View entity; documents and folders are shared by making them
// children of user or group views, and a group's view is a child of its
// members' views. Folders nest; documents sit in folders; some are public.
Dataset MakeGdrive(int scale, std::uint64_t seed);

// Users, teams, organisations and repositories (`scale` of each). Each repo
// has five RepoPermission entities (readers … admins) and an owner
// organisation with three OrgPermission entities; users and teams are
// members of permissions; actions form read ⊂ triage ⊂ write ⊂ maintain ⊂ admin.
Dataset MakeGithub(int scale, std::uint64_t seed);

// Users, teams and lists (`scale` of each) of the TinyTodo application: each
// list has an owner and a readers and an editors team; users belong to teams.
Dataset MakeTinytodo(int scale, std::uint64_t seed);

}  // namespace writ::bench

#endif  // WRIT_BENCH_GEN_OOPSLA_H_
