// writ/entities.h — the entity store: every entity a policy can refer to,
// with its attributes, tags and parents (for `in`).
#ifndef WRIT_ENTITIES_H_
#define WRIT_ENTITIES_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "writ/issue.h"
#include "writ/value.h"

namespace writ {

struct Entity {
  EntityUid uid;
  Value::Record attrs;
  std::vector<EntityUid> parents;   // direct parents
  Value::Record tags;
};

// A set of entities keyed by uid. Not synchronised: build it, then share it
// read-only between threads.
class Entities {
 public:
  Entities() = default;

  // Adds `entity`; AlreadyExists if its uid is present.
  absl::Status Add(Entity entity);

  // The entity with this uid, or nullptr.
  const Entity* Find(const EntityUid& uid) const;

  // True when `ancestor` is reachable from `uid` through parents (one or more
  // steps; equality is not checked here). Walks the hierarchy iteratively and
  // terminates on cycles.
  bool IsDescendantOf(const EntityUid& uid, const EntityUid& ancestor) const;

  // Calls `visit` on each ancestor of `uid` (reachable through parents, one
  // or more steps; a parent not in the store is visited and has no parents
  // of its own), once each, until `visit` returns true; returns whether it
  // did. The one hierarchy walk of the store: iterative, ends on cycles.
  bool AnyAncestor(const EntityUid& uid, absl::FunctionRef<bool(const EntityUid&)> visit) const;

  // A cycle in the hierarchy, as the uids on it: each is a parent of the one
  // before it, and the first a parent of the last (one uid: an entity that is
  // its own parent). Empty when the hierarchy is acyclic. Cedar rejects an
  // entity store with a cycle ("input graph has a cycle"); EntitiesFromJson
  // and Engine::Compile do too. Iterative (any depth), linear in entities and
  // parent edges; starts with the least uid on the cycle.
  std::vector<EntityUid> FindCycle() const;

  // An entity more than `max_depth` parent links above a root (its longest
  // chain of parents is longer), or nullptr when there is none. The store
  // must be acyclic (FindCycle). Linear in entities and parent edges. EntitiesFromJson and Engine::Compile refuse a store
  // deeper than kMaxHierarchyDepth (writ/limits.h).
  const EntityUid* FindTooDeep(std::size_t max_depth) const;

  // FindCycle as a status: OK, or InvalidArgument naming the cycle
  // (`Group::"a"` in `Group::"b"` in `Group::"a"`).
  absl::Status CheckAcyclic() const;

  std::size_t size() const { return map_.size(); }
  auto begin() const { return map_.begin(); }
  auto end() const { return map_.end(); }

 private:
  absl::flat_hash_map<EntityUid, Entity> map_;
};

}  // namespace writ

#endif  // WRIT_ENTITIES_H_
