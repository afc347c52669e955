// Eval: the entity store — entities by uid, and hierarchy walks for `in`.
#include "writ/entities.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace writ {

absl::Status Entities::Add(Entity entity) {
  EntityUid uid = entity.uid;
  auto [it, inserted] = map_.try_emplace(std::move(uid), std::move(entity));
  if (!inserted) {
    return absl::AlreadyExistsError(absl::StrCat("duplicate entity ", it->first.ToString()));
  }
  return absl::OkStatus();
}

const Entity* Entities::Find(const EntityUid& uid) const {
  auto it = map_.find(uid);
  return it == map_.end() ? nullptr : &it->second;
}

bool Entities::IsDescendantOf(const EntityUid& uid, const EntityUid& ancestor) const {
  const Entity* start = Find(uid);
  if (start == nullptr) return false;
  // Breadth-first over parents; a parent that is not in the store is still
  // an ancestor, it just has no parents of its own.
  std::vector<const EntityUid*> frontier;
  absl::flat_hash_set<const EntityUid*> seen;
  for (const EntityUid& p : start->parents) frontier.push_back(&p);
  while (!frontier.empty()) {
    const EntityUid* next = frontier.back();
    frontier.pop_back();
    if (*next == ancestor) return true;
    const Entity* e = Find(*next);
    if (e == nullptr || !seen.insert(&e->uid).second) continue;
    for (const EntityUid& p : e->parents) frontier.push_back(&p);
  }
  return false;
}

}  // namespace writ
