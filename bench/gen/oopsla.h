// bench/gen: the three applications of Cedar's OOPSLA 2024 evaluation —
// gdrive, github and tinytodo — generated the way cedar-policy/cedar-examples,
// oopsla2024-benchmarks, generates them. Followed there:
//
//   benches/{gdrive,github}/cedar/policies.cedar, benches/tinytodo/cedar/
//     tinytodo.cedar      the policies, reproduced (same logic, same order);
//   benches/*/cedar/*.cedarschema.json
//                         entity types, attributes, action hierarchy and each
//                         action's principal and resource types;
//   generators/{gdrive,github,tinytodo}_entity_generator.py
//                         the entity stores: entity ids, attributes, and every
//                         edge drawn independently with the connection
//                         probability 0.05;
//   src/apps.rs           the generator arguments: one `num_entities` for
//                         every entity type, probability 0.05;
//   src/main.rs with cedar-policy-generators' Schema::arbitrary_request
//                         the requests: a uniformly chosen action, then a
//                         principal and a resource of that action's types
//                         drawn from the existing entities; empty context
//                         (no action of the three schemas declares one).
//
// `scale` is that `num_entities` (at least 1): the number of entities of each
// of the app's main types, listed on each function. The paper swept 5 to 50.
// As in the paper, every possible edge is drawn with probability 0.05, so an
// entity has about 0.05 * scale parents of each kind, and the store (its
// size, and the cost of generating it) grows with scale squared: meant for
// scales up to a few thousand.
//
// Where we differ: our own random stream (bench/gen/rng.h), so a seed gives
// the same shapes and distributions as the paper's generators, not their
// exact stores; the paper draws requests from fuzzer bytes, we draw them
// uniformly. The action entities, which the paper's harness takes from the
// schema, are written into the entity store (writ and the Cedar peer run
// without a schema, and github's `action in Action::"write"` needs the action
// hierarchy). The template variants (gdrive-templates, github-templates) and
// tinytodo's commented-out policies 4 and 5 are left out, as in the paper's
// headline runs.
//
// Each Dataset has the policy text, the entity store as Cedar entity JSON and
// 500 requests (the paper's --num-requests), one JSON object each in the
// `writ authorize --requests` form. Deterministic in `seed`.
#ifndef WRIT_BENCH_GEN_OOPSLA_H_
#define WRIT_BENCH_GEN_OOPSLA_H_

#include <cstdint>

#include "bench/gen/dataset.h"

namespace writ::bench {

// Google Drive (from OpenFGA's sample stores). `scale` users, groups,
// documents and folders. Each user has a View entity (its
// documentsAndFoldersWithViewAccess); a document or folder shared with a user
// or a group is a child of that user's or group's View, and a group's View is
// a child of its members' Views, so sharing with a group reaches its members.
// Users own sets of documents and folders (attributes), belong to groups,
// folders nest in lower-numbered folders (a DAG), documents sit in folders;
// half the documents are public. Requests: read, write, share, changeOwner on
// a Document, createDocument on a Folder.
Dataset MakeGdrive(int scale, std::uint64_t seed);

// GitHub (from OpenFGA's sample stores). `scale` users, teams, organizations
// and repositories. Each repository has five RepoPermission entities (readers,
// triagers, writers, maintainers, admins) and an owner organization, which has
// three OrgPermission entities (readers, writers, admins). Users are members
// of repository and organization permissions (with a random role), of teams
// and of organizations; teams nest in lower-numbered teams and hold
// repository permissions; organizations hold organizations' permissions
// (their own included). Actions form read ∈ triage ∈ write ∈ maintain ∈ admin.
// Requests: one of the five actions on a Repository.
Dataset MakeGithub(int scale, std::uint64_t seed);

// TinyTodo (Cedar's example application). `scale` users, teams and lists,
// and the one Application::"TinyTodo". Users belong to teams, teams nest in
// lower-numbered teams; each list has an owner (a user), a readers and an
// editors team (any team) and up to 50 tasks. Requests: CreateList and
// GetLists on the application, the other seven actions on a List.
Dataset MakeTinytodo(int scale, std::uint64_t seed);

}  // namespace writ::bench

#endif  // WRIT_BENCH_GEN_OOPSLA_H_
