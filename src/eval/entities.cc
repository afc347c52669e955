// Eval: the entity store — entities by uid, hierarchy walks for `in`, and
// the check that the hierarchy has no cycle.
#include "writ/entities.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
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
  return AnyAncestor(uid, [&](const EntityUid& a) { return a == ancestor; });
}

bool Entities::AnyAncestor(const EntityUid& uid, absl::FunctionRef<bool(const EntityUid&)> visit) const {
  const Entity* start = Find(uid);
  if (start == nullptr) return false;
  // Over parents with an explicit stack; a parent that is not in the store
  // is still an ancestor, it just has no parents of its own.
  std::vector<const EntityUid*> frontier;
  absl::flat_hash_set<EntityUid> seen;
  for (const EntityUid& p : start->parents) frontier.push_back(&p);
  while (!frontier.empty()) {
    const EntityUid* next = frontier.back();
    frontier.pop_back();
    if (!seen.insert(*next).second) continue;
    if (visit(*next)) return true;
    if (const Entity* e = Find(*next)) {
      for (const EntityUid& p : e->parents) frontier.push_back(&p);
    }
  }
  return false;
}

std::vector<EntityUid> Entities::FindCycle() const {
  // Depth-first over parents with three colours: absent from `state` is
  // unvisited, kOnPath is on the current path (a parent in that state closes
  // a cycle), kDone has no cycle below it. The path is an explicit stack.
  enum class State : std::uint8_t { kOnPath, kDone };
  absl::flat_hash_map<const Entity*, State> state;
  state.reserve(map_.size());
  struct Frame {
    const Entity* entity;
    std::size_t next_parent;
  };
  std::vector<Frame> path;
  for (const auto& [root_uid, root] : map_) {
    if (state.contains(&root)) continue;
    state.emplace(&root, State::kOnPath);
    path.push_back({&root, 0});
    while (!path.empty()) {
      Frame& top = path.back();
      if (top.next_parent == top.entity->parents.size()) {
        state[top.entity] = State::kDone;
        path.pop_back();
        continue;
      }
      const Entity* parent = Find(top.entity->parents[top.next_parent++]);
      if (parent == nullptr) continue;   // not in the store: no parents of its own
      auto [it, inserted] = state.try_emplace(parent, State::kOnPath);
      if (inserted) {
        path.push_back({parent, 0});
        continue;
      }
      if (it->second == State::kDone) continue;
      // `parent` is on the path: the cycle is the path from it to the top.
      std::size_t from = path.size();
      while (path[from - 1].entity != parent) --from;
      std::vector<EntityUid> cycle;
      for (std::size_t i = from - 1; i < path.size(); ++i) cycle.push_back(path[i].entity->uid);
      auto least = std::min_element(cycle.begin(), cycle.end());
      std::rotate(cycle.begin(), least, cycle.end());
      return cycle;
    }
  }
  return {};
}

const EntityUid* Entities::FindTooDeep(std::size_t max_depth) const {
  // Each entity's height (its longest chain of parents, in links), memoized,
  // by a depth-first walk over parents with an explicit stack: a parent not
  // in the store is a root (height 0 from it, 1 link to reach it).
  absl::flat_hash_map<const Entity*, std::size_t> height;
  height.reserve(map_.size());
  struct Frame {
    const Entity* entity;
    std::size_t next_parent;
    std::size_t height;
  };
  std::vector<Frame> path;
  for (const auto& [root_uid, root] : map_) {
    if (height.contains(&root)) continue;
    path.push_back({&root, 0, 0});
    while (!path.empty()) {
      Frame& top = path.back();
      if (top.next_parent == top.entity->parents.size()) {
        height.emplace(top.entity, top.height);
        if (top.height > max_depth) return &top.entity->uid;
        const std::size_t h = top.height;
        path.pop_back();
        if (!path.empty()) path.back().height = std::max(path.back().height, h + 1);
        continue;
      }
      const Entity* parent = Find(top.entity->parents[top.next_parent++]);
      if (parent == nullptr) {
        top.height = std::max<std::size_t>(top.height, 1);
        continue;
      }
      if (auto it = height.find(parent); it != height.end()) {
        top.height = std::max(top.height, it->second + 1);
        continue;
      }
      path.push_back({parent, 0, 0});   // acyclic: `parent` is not on the path
      // path[0] has a chain of path.size() - 1 links above it at least: stop
      // there rather than hold a longer path.
      if (path.size() - 1 > max_depth) return &path.front().entity->uid;
    }
  }
  return nullptr;
}

absl::Status Entities::CheckAcyclic() const {
  std::vector<EntityUid> cycle = FindCycle();
  if (cycle.empty()) return absl::OkStatus();
  std::string chain;
  for (const EntityUid& uid : cycle) absl::StrAppend(&chain, "`", uid.ToString(), "` in ");
  absl::StrAppend(&chain, "`", cycle.front().ToString(), "`");
  return absl::InvalidArgumentError(
      absl::StrCat("the entity hierarchy has a cycle: ", chain,
                   " (Cedar rejects such entities: \"input graph has a cycle\")"));
}

}  // namespace writ
