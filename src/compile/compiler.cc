// Compile: builds the compiled form — symbols, the entity store's ancestor
// sets, the scope index and the lowered conditions.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/ast/policy_set_data.h"
#include "src/compile/compiled.h"
#include "src/eval/evaluator.h"
#include "writ/limits.h"

namespace writ::internal {
namespace {

// Whether evaluating a node of this kind can depend on the request or the
// entities (its children aside). Subtrees built only of other kinds are
// evaluated once, here, and replaced by their value or their error.
bool ReadsRequestOrEntities(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kVar:
    case Expr::Kind::kSlot:
    case Expr::Kind::kGetAttr:   // of an entity, or of a record that may hold one
    case Expr::Kind::kHasAttr:
      return true;
    case Expr::Kind::kBinary:
      return e.binary_op == BinaryOp::kIn || e.binary_op == BinaryOp::kGetTag ||
             e.binary_op == BinaryOp::kHasTag;
    default:
      return false;
  }
}

class Compiler {
 public:
  explicit Compiler(CompiledEngine* ce) : ce_(*ce) {}

  absl::Status Build(const PolicySet& set) {
    for (const auto& [uid, entity] : ce_.store) {
      SymEntity& se = ce_.sym_entities[InternEntity(uid)];
      se.entity = &entity;
      for (const EntityUid& p : entity.parents) InternEntity(p);
    }
    if (absl::Status s = ComputeAncestors(); !s.ok()) return s;
    const auto& policies = PolicySetData::Of(set).policies;
    ce_.ast.reserve(policies.size());
    ce_.policies.reserve(policies.size());
    for (std::size_t i = 0; i < policies.size(); ++i) {
      if (i % kWarmBatch == 0) Warm(policies, i);
      ce_.ast.push_back(policies[i]);
      if (policies[i]->is_template) {
        CompileTemplate(*policies[i], i);
      } else {
        CompilePolicy(*policies[i]);
      }
    }
    if (!ce_.templates.empty()) {
      ce_.policy_set = set;
      ce_.grants = std::make_unique<GrantTable>();
    }
    if (ce_.sym_entities.size() >= kMaxSyms || ce_.type_syms.size() >= kMaxSyms) {
      return absl::ResourceExhaustedError(
          absl::StrCat("too many distinct entities and types to compile: at most ", kMaxSyms));
    }
    BuildIndex();
    BuildProbes();
    BuildCandidates();
    for (std::uint32_t i = 0; i < ce_.context_slots.size(); ++i) {
      if (ce_.context_slots[i].parent == CompiledEngine::kContextRoot) ce_.context_slots_by_name.push_back(i);
    }
    std::sort(ce_.context_slots_by_name.begin(), ce_.context_slots_by_name.end(), [&](std::uint32_t x, std::uint32_t y) {
      return ce_.names[ce_.context_slots[x].name] < ce_.names[ce_.context_slots[y].name];
    });
    ce_.constant_scalars.reserve(ce_.constants.size());
    for (const Value& c : ce_.constants) ce_.constant_scalars.push_back(ScalarOf(c));
    ce_.uid_table = UidTable(ce_.entity_syms.size());
    ce_.sym_uids.resize(ce_.sym_entities.size());
    if (ce_.options.revoked != nullptr) ce_.sym_hashes.resize(ce_.sym_entities.size());
    for (const auto& [uid, sym] : ce_.entity_syms) {
      ce_.uid_table.Insert(uid, sym);
      ce_.sym_uids[sym] = &uid;
      if (!ce_.sym_hashes.empty()) ce_.sym_hashes[sym] = RevocationList::Hash(uid);
    }
    return absl::OkStatus();
  }

 private:
  // Compiling a policy reads its scope and condition tree once, and at
  // 100,000 policies they are far larger than the cache (a Policy is eight
  // cache lines, an Expr four, each in its own allocation, its children's
  // pointers in another): lowering them node after node waited on memory at
  // every node (a fifth of compiling 100,000 policies). Warm reads a batch
  // of policies first, a tree level at a time across the whole batch, so
  // that the loads of a level do not depend on each other and the processor
  // overlaps them. It only reads; what is compiled does not change.
  static constexpr std::size_t kWarmBatch = 32;
  static void Warm(const std::vector<std::shared_ptr<const Policy>>& policies, std::size_t begin) {
    const std::size_t end = std::min(policies.size(), begin + kWarmBatch);
    std::vector<const Expr*> level, next;
    std::size_t touched = 0;   // what was read, kept (below) so that the reads are not dropped
    auto touch_uid = [&](const EntityUid& uid) { touched += static_cast<unsigned char>(*uid.id.data()); };
    for (std::size_t i = begin; i < end; ++i) {
      const Policy& p = *policies[i];
      touched += p.id.size() + p.link_of.size() + static_cast<std::size_t>(p.breakglass);
      if (p.principal.entity) touch_uid(*p.principal.entity);
      if (p.resource.entity) touch_uid(*p.resource.entity);
      for (const EntityUid& a : p.action.entities) touch_uid(a);
      // A template and its links share conditions, lowered once: their
      // trees are not read ahead (a template with many links would be read
      // once for each).
      if (p.is_template || !p.link_of.empty()) continue;
      for (const Condition& c : p.conditions) level.push_back(c.expr.get());
    }
    while (!level.empty()) {
      for (const Expr* e : level) touched += static_cast<std::size_t>(e->kind) + e->name.size() + e->args.size();
      next.clear();
      for (const Expr* e : level) {
        for (const ExprPtr& a : e->args) next.push_back(a.get());
      }
      level.swap(next);
    }
    asm volatile("" : : "r"(touched));   // uses `touched`, so the reads stay
  }

  Sym InternType(std::string_view type) {
    // Looked up as a view first: nearly every type is already known.
    if (auto it = ce_.type_syms.find(absl::string_view(type.data(), type.size())); it != ce_.type_syms.end()) {
      return it->second;
    }
    const auto sym = static_cast<Sym>(ce_.type_syms.size());
    ce_.type_syms.emplace(std::string(type), sym);
    return sym;
  }

  // An interned uid's symbol (the uid table is built last).
  Sym Lookup(const EntityUid& uid) const { return ce_.entity_syms.find(uid)->second; }

  Sym InternEntity(const EntityUid& uid) {
    auto [it, inserted] = ce_.entity_syms.try_emplace(uid, static_cast<Sym>(ce_.sym_entities.size()));
    if (inserted) {
      SymEntity se;
      se.type = InternType(uid.type);
      ce_.sym_entities.push_back(se);
    }
    return it->second;
  }

  // Every store entity's ancestors, reached through parents (a parent that is
  // not in the store is an ancestor without parents of its own), as a sorted
  // run in ce_.ancestors. Parents are resolved to symbols once; entities are
  // visited parents first (a depth-first post-order, which also finds a
  // cycle: rejected, as Cedar does, with the store's message naming it) and
  // each run is built from its parents' runs: one parent's run is copied
  // with the parent merged in (linear: a chain or a tree costs the size of
  // its closure), several parents' runs are joined without duplicates and
  // sorted. The depth and the runs' total size are bounded
  // (kMaxHierarchyDepth, kMaxHierarchyAncestors). A chain of 5,000 walked
  // each entity's ancestors afresh, through hashed uids: seconds.
  absl::Status ComputeAncestors() {
    const std::size_t n = ce_.sym_entities.size();
    std::vector<std::uint32_t> parent_begin(n + 1, 0);
    std::vector<Sym> parents;
    for (std::size_t s = 0; s < n; ++s) {
      parent_begin[s] = static_cast<std::uint32_t>(parents.size());
      if (const Entity* e = ce_.sym_entities[s].entity) {
        for (const EntityUid& p : e->parents) parents.push_back(Lookup(p));
      }
    }
    parent_begin[n] = static_cast<std::uint32_t>(parents.size());

    // Parents before children. A parent found on the current path closes a
    // cycle, which Cedar rejects: the store's own check names it.
    enum class Visit : std::uint8_t { kNew, kOnPath, kDone };
    std::vector<Visit> visit(n, Visit::kNew);
    std::vector<Sym> order;
    order.reserve(n);
    std::vector<std::pair<Sym, std::uint32_t>> stack;   // (entity, next parent edge)
    for (std::size_t root = 0; root < n; ++root) {
      if (visit[root] != Visit::kNew) continue;
      visit[root] = Visit::kOnPath;
      stack.emplace_back(static_cast<Sym>(root), parent_begin[root]);
      while (!stack.empty()) {
        const Sym s = stack.back().first;
        if (stack.back().second == parent_begin[s + 1]) {
          visit[s] = Visit::kDone;
          order.push_back(s);
          stack.pop_back();
          continue;
        }
        const Sym p = parents[stack.back().second++];
        if (visit[p] == Visit::kNew) {
          visit[p] = Visit::kOnPath;
          stack.emplace_back(p, parent_begin[p]);
        } else if (visit[p] == Visit::kOnPath) {
          absl::Status cycle = ce_.store.CheckAcyclic();
          return cycle.ok() ? absl::InternalError("a cycle in the entity hierarchy") : cycle;
        }
      }
    }

    std::vector<std::uint32_t> depth(n, 0);   // longest chain of parent links above
    std::vector<std::uint32_t> stamp(n, 0);   // == epoch: already in `run`
    std::uint32_t epoch = 0;
    std::vector<Sym> run;
    for (const Sym s : order) {
      SymEntity& se = ce_.sym_entities[s];
      if (se.entity == nullptr) continue;   // not in the store: no parents
      const std::uint32_t pb = parent_begin[s], pe = parent_begin[s + 1];
      std::uint32_t d = 0;
      for (std::uint32_t i = pb; i < pe; ++i) d = std::max(d, depth[parents[i]] + 1);
      depth[s] = d;
      if (d > kMaxHierarchyDepth) {
        return absl::InvalidArgumentError(absl::StrCat(
            "the entity hierarchy is too deep: `", se.entity->uid.ToString(), "` has a chain of more than ",
            kMaxHierarchyDepth, " parents above it (writ's kMaxHierarchyDepth)"));
      }
      run.clear();
      if (pe - pb == 1) {
        const Sym p = parents[pb];
        const SymEntity& ps = ce_.sym_entities[p];
        const Sym* a = ce_.ancestors.data() + ps.ancestors_begin;
        const Sym* end = a + ps.ancestors_size;
        const Sym* mid = std::lower_bound(a, end, p);
        run.reserve(ps.ancestors_size + 1);
        run.insert(run.end(), a, mid);
        run.push_back(p);   // not its own ancestor: the hierarchy is acyclic
        run.insert(run.end(), mid, end);
      } else if (pe > pb) {
        ++epoch;
        for (std::uint32_t i = pb; i < pe; ++i) {
          const Sym p = parents[i];
          if (stamp[p] != epoch) {
            stamp[p] = epoch;
            run.push_back(p);
          }
          const SymEntity& ps = ce_.sym_entities[p];
          for (std::uint32_t k = 0; k < ps.ancestors_size; ++k) {
            const Sym a = ce_.ancestors[ps.ancestors_begin + k];
            if (stamp[a] != epoch) {
              stamp[a] = epoch;
              run.push_back(a);
            }
          }
        }
        std::sort(run.begin(), run.end());
      }
      if (ce_.ancestors.size() + run.size() > kMaxHierarchyAncestors) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "the entity hierarchy is too large: the store's entities have more than ", kMaxHierarchyAncestors,
            " ancestors in all, reached at `", se.entity->uid.ToString(),
            "` (writ's kMaxHierarchyAncestors); flatten the hierarchy"));
      }
      se.ancestors_begin = static_cast<std::uint32_t>(ce_.ancestors.size());
      se.ancestors_size = static_cast<std::uint32_t>(run.size());
      ce_.ancestors.insert(ce_.ancestors.end(), run.begin(), run.end());
    }
    return absl::OkStatus();
  }

  Residual LowerScope(const ScopeConstraint& scope) {
    Residual r;
    r.kind = scope.kind;
    if (scope.entity) r.entity = InternEntity(*scope.entity);
    if (scope.kind == ScopeConstraint::Kind::kIs || scope.kind == ScopeConstraint::Kind::kIsIn) {
      r.type = InternType(scope.entity_type);
    }
    return r;
  }

  // The principal key a policy is filed under.
  static std::uint32_t PrincipalKey(const Residual& p) {
    switch (p.kind) {
      case ScopeConstraint::Kind::kAny: return ScopeKey(KeyTag::kAny, 0);
      case ScopeConstraint::Kind::kEq: return ScopeKey(KeyTag::kEq, p.entity);
      case ScopeConstraint::Kind::kIn:
      case ScopeConstraint::Kind::kIsIn: return ScopeKey(KeyTag::kIn, p.entity);
      case ScopeConstraint::Kind::kIs: return ScopeKey(KeyTag::kIs, p.type);
    }
    return ScopeKey(KeyTag::kAny, 0);
  }

  void CompilePolicy(const Policy& policy) {
    const auto index = static_cast<std::uint32_t>(ce_.policies.size());
    CompiledPolicy cp;
    cp.id = policy.id;
    cp.effect = policy.effect;
    cp.source = &policy;
    cp.not_before = policy.not_before;
    cp.expires = policy.expires;
    cp.breakglass = policy.breakglass;
    const Residual principal = LowerScope(policy.principal);
    if (principal.kind == ScopeConstraint::Kind::kIsIn) cp.principal_type = principal.type;
    cp.resource = LowerScope(policy.resource);
    cp.root = LowerPolicyConditions(policy);
    ce_.policies.push_back(std::move(cp));
    const std::uint32_t pkey = PrincipalKey(principal);
    for (const std::uint32_t akey : ActionKeys(policy.action)) entries_.push_back({pkey, akey, index});
  }

  // A template, for the grants that will link it (CompiledTemplate).
  void CompileTemplate(const Policy& policy, std::size_t index) {
    CompiledTemplate t;
    t.id = policy.id;
    t.policy = index;
    t.effect = policy.effect;
    t.root = LowerPolicyConditions(policy);
    t.principal_slot = policy.principal.slot.has_value();
    t.resource_slot = policy.resource.slot.has_value();
    t.principal = LowerScope(policy.principal);
    t.resource = LowerScope(policy.resource);
    t.akeys = ActionKeys(policy.action);
    t.not_before = policy.not_before;
    t.expires = policy.expires;
    t.breakglass = policy.breakglass;
    ce_.template_of.emplace(index, static_cast<std::uint32_t>(ce_.templates.size()));
    ce_.templates.push_back(std::move(t));
  }

  // The action keys a policy is filed under: one per listed action; none
  // for `in []`, which matches nothing.
  std::vector<std::uint32_t> ActionKeys(const ActionConstraint& action) {
    std::vector<std::uint32_t> keys;
    switch (action.kind) {
      case ActionConstraint::Kind::kAny:
        keys.push_back(ScopeKey(KeyTag::kAny, 0));
        break;
      case ActionConstraint::Kind::kEq:
        keys.push_back(ScopeKey(KeyTag::kEq, InternEntity(action.entities.front())));
        break;
      case ActionConstraint::Kind::kIn:
      case ActionConstraint::Kind::kInList:
        for (const EntityUid& a : action.entities) keys.push_back(ScopeKey(KeyTag::kIn, InternEntity(a)));
        break;
    }
    return keys;
  }

  // A template and its links (static, or grants at run time) share their
  // condition expressions (a link is its template with the slots filled,
  // and slots are only in the scope): they are lowered once, and every
  // further link only adds index rows.
  std::uint32_t LowerPolicyConditions(const Policy& policy) {
    const bool linkable = policy.is_template || !policy.link_of.empty();
    const Expr* shared = !linkable || policy.conditions.empty() ? nullptr : policy.conditions.front().expr.get();
    if (auto it = lowered_.find(shared); shared != nullptr && it != lowered_.end()) return it->second;
    next_slot_ = 0;
    const std::uint32_t root = LowerConditions(policy.conditions);
    ce_.scratch_slots = std::max(ce_.scratch_slots, next_slot_);
    if (shared != nullptr) lowered_.emplace(shared, root);
    return root;
  }

  // The conditions and-ed into one node, in order, `unless c` as `!c`: what
  // the reference evaluates, errors and short-circuits included. A policy
  // without conditions has the constant true.
  std::uint32_t LowerConditions(const std::vector<Condition>& conditions) {
    std::optional<std::uint32_t> root;
    for (const Condition& c : conditions) {
      std::uint32_t n = Lower(*c.expr);
      if (!c.is_when) {
        n = AddNode({.op = Op::kUnary, .sub = static_cast<std::uint8_t>(UnaryOp::kNot), .a = n});
      }
      root = root ? AddNode({.op = Op::kAnd, .a = *root, .b = n}) : n;
    }
    return root ? *root : AddConstant(Value::Bool(true));
  }

  void BuildIndex() {
    // Rows by (principal key, action key), in policy order within each.
    // Entries arrive in policy order; they are counted into place by
    // principal key (the keys are dense: a symbol and a 2-bit tag), which
    // keeps that order, then each key's few entries are sorted by action
    // key and policy. (A stable sort of all the entries by both keys was
    // 12 ms of compiling 100,000 policies.)
    std::uint32_t keys = 0;
    for (const Entry& e : entries_) keys = std::max(keys, e.pkey + 1);
    std::vector<std::uint32_t> next(keys + 1, 0);   // by principal key: where its next entry goes
    for (const Entry& e : entries_) ++next[e.pkey + 1];
    for (std::uint32_t k = 0; k < keys; ++k) next[k + 1] += next[k];
    std::vector<Entry> sorted(entries_.size());
    for (const Entry& e : entries_) sorted[next[e.pkey]++] = e;
    entries_ = std::move(sorted);
    for (std::size_t i = 0; i < entries_.size();) {
      std::size_t j = i + 1;
      while (j < entries_.size() && entries_[j].pkey == entries_[i].pkey) ++j;
      if (j - i > 1) {
        std::sort(entries_.begin() + i, entries_.begin() + j, [](const Entry& x, const Entry& y) {
          return std::pair(x.akey, x.policy) < std::pair(y.akey, y.policy);
        });
      }
      i = j;
    }
    // A policy listing the same action twice is filed once.
    entries_.erase(std::unique(entries_.begin(), entries_.end(),
                               [](const Entry& x, const Entry& y) {
                                 return x.pkey == y.pkey && x.akey == y.akey && x.policy == y.policy;
                               }),
                   entries_.end());
    ce_.rows.reserve(entries_.size());
    ce_.is_rows.assign(ce_.type_syms.size(), RowRange{});
    for (std::size_t i = 0; i < entries_.size();) {
      const std::uint32_t pkey = entries_[i].pkey;
      RowRange range{.begin = static_cast<std::uint32_t>(ce_.rows.size()), .size = 0};
      for (; i < entries_.size() && entries_[i].pkey == pkey; ++i) {
        const CompiledPolicy& p = ce_.policies[entries_[i].policy];
        ce_.rows.push_back({.akey = entries_[i].akey,
                            .policy = entries_[i].policy,
                            .root = p.root,
                            .principal_type = p.principal_type,
                            .resource = p.resource,
                            .effect = p.effect,
                            .timed = p.not_before.has_value() || p.expires.has_value()});
        ++range.size;
      }
      // Each row's distance to the end of its action key's run.
      for (std::uint32_t k = range.size; k-- > 0;) {
        IndexRow& row = ce_.rows[range.begin + k];
        const bool same = k + 1 < range.size && ce_.rows[range.begin + k + 1].akey == row.akey;
        const std::uint16_t next = same ? ce_.rows[range.begin + k + 1].run : 0xFFFF;
        row.run = next < 0xFFFF ? static_cast<std::uint16_t>(next + 1) : 1;
      }
      *RowSlot(pkey) = range;
      ce_.row_keys.emplace_back(pkey, range);
    }
    entries_.clear();
    entries_.shrink_to_fit();
  }

  // Where the rows of a principal key are recorded.
  RowRange* RowSlot(std::uint32_t pkey) {
    const Sym sym = pkey >> 2;
    switch (static_cast<KeyTag>(pkey & 3)) {
      case KeyTag::kEq: return &ce_.sym_entities[sym].eq_rows;
      case KeyTag::kIn: return &ce_.sym_entities[sym].in_rows;
      case KeyTag::kIs: return &ce_.is_rows[sym];
      case KeyTag::kAny: break;
    }
    return &ce_.any_rows;
  }

  // Each entity's runs to probe as a request's principal (SymEntity::probes).
  void BuildProbes() {
    std::vector<RowRange> runs;
    for (SymEntity& se : ce_.sym_entities) {
      runs.clear();
      if (se.eq_rows.size > 0) runs.push_back(se.eq_rows);
      if (se.in_rows.size > 0) runs.push_back(se.in_rows);
      for (std::uint32_t k = 0; k < se.ancestors_size; ++k) {
        const RowRange& in = ce_.sym_entities[ce_.ancestors[se.ancestors_begin + k]].in_rows;
        if (in.size > 0) runs.push_back(in);
      }
      se.probes_size = static_cast<std::uint32_t>(runs.size());
      if (runs.size() <= SymEntity::kInlineProbes) {
        std::copy(runs.begin(), runs.end(), se.probes);
      } else {
        se.probes[0] = {.begin = static_cast<std::uint32_t>(ce_.probes.size()), .size = se.probes_size};
        ce_.probes.insert(ce_.probes.end(), runs.begin(), runs.end());
      }
    }
  }

  // The candidate table (CompiledEngine::candidate_rows): per principal
  // class (a type, or a principal with rows of its own) and action class,
  // the rows that can hold, in policy order, each policy once. Given up
  // (action_classes = 0) past its budget, in entries stored and rows looked
  // at.
  void BuildCandidates() {
    const std::size_t n = ce_.sym_entities.size();
    const std::size_t budget = 16 * (ce_.rows.size() + n) + 65536;
    // Action classes: the actions some `==` or `in` action key can match.
    absl::flat_hash_set<Sym> keyed;
    for (const IndexRow& row : ce_.rows) {
      const auto tag = static_cast<KeyTag>(row.akey & 3);
      if (tag == KeyTag::kEq || tag == KeyTag::kIn) keyed.insert(row.akey >> 2);
    }
    std::vector<Sym> actions;   // by class - 1
    ce_.action_class.assign(n, 0);
    if (!keyed.empty()) {
      for (Sym s = 0; s < n; ++s) {
        const SymEntity& se = ce_.sym_entities[s];
        bool hit = keyed.contains(s);
        for (std::uint32_t k = 0; !hit && k < se.ancestors_size; ++k) {
          hit = keyed.contains(ce_.ancestors[se.ancestors_begin + k]);
        }
        if (!hit) continue;
        actions.push_back(s);
        ce_.action_class[s] = static_cast<std::uint32_t>(actions.size());
      }
    }
    const std::size_t width = actions.size() + 1;
    auto matches = [&](std::uint32_t akey, std::size_t ac) {
      const Sym sym = akey >> 2;
      switch (static_cast<KeyTag>(akey & 3)) {
        case KeyTag::kAny: return true;
        case KeyTag::kEq: return ac > 0 && sym == actions[ac - 1];
        case KeyTag::kIn: {
          if (ac == 0) return false;
          const SymEntity& a = ce_.sym_entities[actions[ac - 1]];
          const Sym* anc = ce_.ancestors.data() + a.ancestors_begin;
          return sym == actions[ac - 1] || std::binary_search(anc, anc + a.ancestors_size, sym);
        }
        case KeyTag::kIs: break;
      }
      return false;
    };
    // The classes each action key matches, worked out once per key (the
    // table was built by matching every row's key against every class, for
    // every principal class) and found through the row.
    std::vector<std::vector<std::uint32_t>> key_classes;   // ascending action classes
    absl::flat_hash_map<std::uint32_t, std::uint32_t> key_index;   // action key -> key_classes
    constexpr std::uint32_t kUnset = 0xFFFFFFFF;
    std::vector<std::uint32_t> row_key(ce_.rows.size(), kUnset);   // row -> key_classes
    auto classes_of = [&](std::uint32_t row) -> const std::vector<std::uint32_t>& {
      if (row_key[row] == kUnset) {
        const std::uint32_t akey = ce_.rows[row].akey;
        auto [it, inserted] = key_index.try_emplace(akey, static_cast<std::uint32_t>(key_classes.size()));
        if (inserted) {
          std::vector<std::uint32_t> classes;
          for (std::size_t ac = 0; ac < width; ++ac) {
            if (matches(akey, ac)) classes.push_back(static_cast<std::uint32_t>(ac));
          }
          key_classes.push_back(std::move(classes));
        }
        row_key[row] = it->second;
      }
      return key_classes[row_key[row]];
    };
    std::size_t looked = 0;
    std::vector<std::vector<std::uint32_t>> lists(width);   // by action class
    // One class: its runs of rows, for principals of type `type`. Each
    // class's list is in run order, then sorted by policy (unless it already
    // is) with each policy once.
    auto add_class = [&](const std::vector<RowRange>& runs, Sym type) {
      for (std::vector<std::uint32_t>& list : lists) list.clear();
      for (const RowRange& run : runs) {
        looked += static_cast<std::size_t>(run.size) * width;
        for (std::uint32_t i = run.begin; i < run.begin + run.size; ++i) {
          const IndexRow& row = ce_.rows[i];
          if (row.principal_type != kNoSym && row.principal_type != type) continue;
          for (const std::uint32_t ac : classes_of(i)) lists[ac].push_back(i);
        }
      }
      const auto by_policy = [&](std::uint32_t x, std::uint32_t y) { return ce_.rows[x].policy < ce_.rows[y].policy; };
      const auto not_before = [&](std::uint32_t x, std::uint32_t y) { return !by_policy(x, y); };
      for (std::vector<std::uint32_t>& list : lists) {
        if (std::adjacent_find(list.begin(), list.end(), not_before) != list.end()) {
          std::sort(list.begin(), list.end(), by_policy);
          list.erase(std::unique(list.begin(), list.end(),
                                 [&](std::uint32_t x, std::uint32_t y) { return ce_.rows[x].policy == ce_.rows[y].policy; }),
                     list.end());
        }
        ce_.candidate_ranges.push_back({static_cast<std::uint32_t>(ce_.candidate_rows.size()),
                                        static_cast<std::uint32_t>(list.size())});
        ce_.candidate_rows.insert(ce_.candidate_rows.end(), list.begin(), list.end());
      }
      return ce_.candidate_rows.size() + 2 * ce_.candidate_ranges.size() <= budget && looked <= 4 * budget;
    };
    auto give_up = [&] {
      ce_.candidate_rows = {};
      ce_.candidate_ranges = {};
      ce_.principal_class = {};
      ce_.action_class = {};
    };
    std::vector<RowRange> runs;
    // Generic classes: no known type, then each type.
    runs = {ce_.any_rows};
    if (!add_class(runs, kNoSym)) return give_up();
    for (Sym t = 0; t < ce_.type_syms.size(); ++t) {
      runs = {ce_.any_rows};
      if (t < ce_.is_rows.size()) runs.push_back(ce_.is_rows[t]);
      if (!add_class(runs, t)) return give_up();
    }
    // Principals some `==` or `in` principal scope reaches.
    std::uint32_t classes = static_cast<std::uint32_t>(ce_.type_syms.size()) + 1;
    ce_.principal_class.assign(n, CompiledEngine::kNoClass);
    for (Sym s = 0; s < n; ++s) {
      const SymEntity& se = ce_.sym_entities[s];
      if (se.probes_size == 0) continue;
      const RowRange* probes = se.probes_size <= SymEntity::kInlineProbes ? se.probes
                                                                           : ce_.probes.data() + se.probes[0].begin;
      runs.assign(probes, probes + se.probes_size);
      if (!add_class(runs, se.type)) return give_up();
      ce_.principal_class[s] = classes++;
    }
    ce_.action_classes = static_cast<std::uint32_t>(width);
  }

  std::uint32_t AddName(std::string_view name) {
    // Looked up as a view first: nearly every name is already known.
    if (auto it = name_index_.find(absl::string_view(name.data(), name.size())); it != name_index_.end()) {
      return it->second;
    }
    const auto index = static_cast<std::uint32_t>(ce_.names.size());
    name_index_.emplace(std::string(name), index);
    ce_.names.emplace_back(name);
    return index;
  }

  // Nodes that build no value of their own (no scratch slot) are shared: an
  // equal node already lowered, for this policy or an earlier one, is reused.
  // Lowering truncates `nodes` when it folds a subtree, so a remembered index
  // counts only while the node there is still the same.
  static bool Shareable(const Node& n) {
    switch (n.op) {
      case Op::kConst:
      case Op::kVar:
      case Op::kIf:
      case Op::kAnd:
      case Op::kOr:
      case Op::kGetAttr:
      case Op::kHasAttr:
      case Op::kVarAttr:
      case Op::kPathAttr:
      case Op::kCompare:
      case Op::kIs:
        return true;
      case Op::kUnary: return static_cast<UnaryOp>(n.sub) != UnaryOp::kNeg;
      case Op::kBinary: {
        const auto op = static_cast<BinaryOp>(n.sub);
        return op != BinaryOp::kAdd && op != BinaryOp::kSub && op != BinaryOp::kMul;
      }
      default: return false;
    }
  }
  // A node as shared: all of it but the scratch slot, in three words (a
  // six-field tuple hashed field by field was most of AddNode's time).
  struct NodeKey {
    std::uint64_t op_sub_aux, a_b;
    std::uint32_t c;
    friend bool operator==(const NodeKey&, const NodeKey&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const NodeKey& k) {
      return H::combine(std::move(h), k.op_sub_aux, k.a_b, k.c);
    }
  };
  static NodeKey KeyOf(const Node& n) {
    return {.op_sub_aux = std::uint64_t{static_cast<std::uint8_t>(n.op)} << 40 | std::uint64_t{n.sub} << 32 | n.aux,
            .a_b = std::uint64_t{n.a} << 32 | n.b,
            .c = n.c};
  }

  std::uint32_t AddNode(Node n) {
    const auto next = static_cast<std::uint32_t>(ce_.nodes.size());
    if (Shareable(n)) {
      auto [it, inserted] = shared_nodes_.try_emplace(KeyOf(n), next);
      if (!inserted) {
        if (it->second < next && KeyOf(ce_.nodes[it->second]) == KeyOf(n)) return it->second;
        it->second = next;
      }
    }
    ce_.nodes.push_back(n);
    return next;
  }

  // A constant's node; equal constants share one entry (and so one node).
  std::uint32_t AddConstant(Value v) {
    const auto next = static_cast<std::uint32_t>(ce_.constants.size());
    auto [it, inserted] = shared_constants_.try_emplace(absl::StrCat(static_cast<int>(v.kind()), ":", v.ToString()), next);
    std::uint32_t index = it->second;
    if (inserted || index >= next || !(ce_.constants[index] == v)) {
      it->second = index = next;
      ce_.constants.push_back(std::move(v));
    }
    return AddNode({.op = Op::kConst, .aux = index});
  }

  std::uint32_t NewSlot() { return next_slot_++; }

  // Lowers `e` and returns its node. `pure` is set when the subtree reads
  // neither the request nor the entities; such subtrees are folded by the
  // caller at the largest pure root.
  std::uint32_t Lower(const Expr& e) {
    bool pure = false;
    return LowerRec(e, &pure);
  }

  std::uint32_t Fold(const Expr& e) {
    static const Request kNoRequest;
    static const Entities kNoEntities;
    absl::StatusOr<Value> v = Evaluator(kNoRequest, kNoEntities).Eval(e);
    if (v.ok()) return AddConstant(*std::move(v));
    ce_.names.emplace_back(v.status().message());
    return AddNode({.op = Op::kError, .aux = static_cast<std::uint32_t>(ce_.names.size() - 1)});
  }

  std::uint32_t LowerRec(const Expr& e, bool* pure) {
    // Lower the children first; if all are pure and so is this node, drop
    // them again and fold the whole subtree into one constant.
    const std::size_t nodes_mark = ce_.nodes.size(), lists_mark = ce_.lists.size(),
                      constants_mark = ce_.constants.size();
    const std::uint32_t slot_mark = next_slot_;
    std::vector<std::uint32_t> kids;
    kids.reserve(e.args.size());
    bool all_pure = !ReadsRequestOrEntities(e);
    for (const ExprPtr& a : e.args) {
      bool p = false;
      kids.push_back(LowerRec(*a, &p));
      all_pure = all_pure && p;
    }
    *pure = all_pure;
    if (all_pure) {
      ce_.nodes.resize(nodes_mark);
      ce_.lists.resize(lists_mark);
      ce_.constants.resize(constants_mark);
      next_slot_ = slot_mark;
      return Fold(e);
    }
    Node n;
    if (!kids.empty()) n.a = kids[0];
    if (kids.size() > 1) n.b = kids[1];
    if (kids.size() > 2) n.c = kids[2];
    auto as_list = [&] {
      n.a = static_cast<std::uint32_t>(ce_.lists.size());
      n.c = static_cast<std::uint32_t>(kids.size());
      ce_.lists.insert(ce_.lists.end(), kids.begin(), kids.end());
      n.slot = NewSlot();
    };
    switch (e.kind) {
      case Expr::Kind::kLiteral:   // pure: folded above
      case Expr::Kind::kSlot:      // templates are not compiled
        break;
      case Expr::Kind::kVar: n.op = Op::kVar; n.sub = static_cast<std::uint8_t>(e.var); break;
      case Expr::Kind::kIf: n.op = Op::kIf; break;
      case Expr::Kind::kAnd: n.op = Op::kAnd; break;
      case Expr::Kind::kOr: n.op = Op::kOr; break;
      case Expr::Kind::kUnary:
        n.op = Op::kUnary;
        n.sub = static_cast<std::uint8_t>(e.unary_op);
        if (e.unary_op == UnaryOp::kNeg) n.slot = NewSlot();
        break;
      case Expr::Kind::kBinary:
        n.op = Op::kBinary;
        n.sub = static_cast<std::uint8_t>(e.binary_op);
        if (e.binary_op == BinaryOp::kAdd || e.binary_op == BinaryOp::kSub || e.binary_op == BinaryOp::kMul) {
          n.slot = NewSlot();
        }
        if (IsComparison(e.binary_op)) {
          // Context slots and constants compare as scalars where they can.
          const std::optional<std::uint32_t> x = ScalarOperand(n.a), y = ScalarOperand(n.b);
          if (x && y) {
            n.op = Op::kCompare;
            n.c = *x;
            n.aux = *y;
          }
        }
        break;
      case Expr::Kind::kGetAttr:
      case Expr::Kind::kHasAttr: {
        const bool has = e.kind == Expr::Kind::kHasAttr;
        n.op = has ? Op::kHasAttr : Op::kGetAttr;
        n.aux = AddName(e.name);
        const Node& object = ce_.nodes[n.a];
        if ((object.op == Op::kVarAttr && static_cast<Var>(object.sub) == Var::kContext && object.c == 0) ||
            (object.op == Op::kPathAttr && object.c == 0)) {
          // A path into the context (`context.a.name`): a slot of its own.
          n.op = Op::kPathAttr;
          n.c = has ? 1 : 0;
          n.b = ContextSlot(object.b, n.aux);
        } else if (object.op == Op::kVar) {
          // Reads of the request's variables are looked up once per decision.
          n.op = Op::kVarAttr;
          n.sub = object.sub;
          n.c = has ? 1 : 0;
          if (static_cast<Var>(object.sub) == Var::kContext) {
            // A slot of the prepared request.
            n.b = ContextSlot(CompiledEngine::kContextRoot, n.aux);
          } else {
            auto [it, inserted] = var_attrs_.try_emplace(std::pair(object.sub, n.aux), ce_.var_attrs);
            if (inserted) ++ce_.var_attrs;
            n.b = it->second;
          }
          n.a = 0;
        }
        break;
      }
      case Expr::Kind::kLike:
        n.op = Op::kLike;
        n.aux = static_cast<std::uint32_t>(ce_.patterns.size());
        ce_.patterns.push_back(e.pattern);
        break;
      case Expr::Kind::kIs: n.op = Op::kIs; n.aux = AddName(e.name); break;
      case Expr::Kind::kSet: n.op = Op::kSet; as_list(); break;
      case Expr::Kind::kRecord:
        n.op = Op::kRecord;
        as_list();
        n.aux = static_cast<std::uint32_t>(ce_.names.size());
        ce_.names.insert(ce_.names.end(), e.keys.begin(), e.keys.end());
        break;
      case Expr::Kind::kExtCall:
        // The parser only accepts known functions.
        n.op = Op::kExtCall;
        as_list();
        n.aux = FindExtFunction(e.name)->index;
        break;
      case Expr::Kind::kMatches:
        n.op = Op::kMatches;
        n.aux = RegexIndex(e.regex);
        break;
    }
    return AddNode(n);
  }

  struct Entry {
    std::uint32_t pkey, akey, policy;
  };

  // The prepared request's slot for attribute `name` of slot `parent` (or
  // of the context itself).
  std::uint32_t ContextSlot(std::uint32_t parent, std::uint32_t name) {
    auto [it, inserted] =
        context_slots_.try_emplace(std::pair(parent, name), static_cast<std::uint32_t>(ce_.context_slots.size()));
    if (inserted) ce_.context_slots.push_back({.name = name, .parent = parent});
    return it->second;
  }

  static bool IsComparison(BinaryOp op) {
    return op == BinaryOp::kEq || op == BinaryOp::kNe || op == BinaryOp::kLt || op == BinaryOp::kLe ||
           op == BinaryOp::kGt || op == BinaryOp::kGe;
  }

  // A node as a kCompare operand: the slot of a context read, or a constant
  // (of any kind: one held as a Value only ever takes the general path).
  std::optional<std::uint32_t> ScalarOperand(std::uint32_t node) const {
    const Node& n = ce_.nodes[node];
    if (n.op == Op::kConst) return kConstantOperand | n.aux;
    const bool context_read = (n.op == Op::kVarAttr && static_cast<Var>(n.sub) == Var::kContext) ||
                              n.op == Op::kPathAttr;
    if (context_read && n.c == 0) return n.b;
    return std::nullopt;
  }

  std::uint32_t RegexIndex(const std::shared_ptr<const Regex>& re) {
    auto [it, inserted] = regex_index_.try_emplace(re.get(), static_cast<std::uint32_t>(ce_.regexes.size()));
    if (inserted) ce_.regexes.push_back(re);
    return it->second;
  }

  CompiledEngine& ce_;
  std::vector<Entry> entries_;
  absl::flat_hash_map<std::string, std::uint32_t> name_index_;
  absl::flat_hash_map<std::pair<std::uint8_t, std::uint32_t>, std::uint32_t> var_attrs_;
  absl::flat_hash_map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> context_slots_;   // (parent, name) -> slot
  absl::flat_hash_map<NodeKey, std::uint32_t> shared_nodes_;
  absl::flat_hash_map<std::string, std::uint32_t> shared_constants_;
  absl::flat_hash_map<const Regex*, std::uint32_t> regex_index_;   // a program shared by policies, once
  std::uint32_t next_slot_ = 0;
  // The root of each linked policy's lowered conditions, by their first
  // expression (which a template's links share); static policies share
  // nothing and are not kept here.
  absl::flat_hash_map<const Expr*, std::uint32_t> lowered_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CompiledEngine>> CompileEngine(const PolicySet& policies, Entities entities,
                                                              const DecideOptions& options) {
  // Cedar rejects a hierarchy with a cycle; so does Build, naming it
  // (ComputeAncestors).
  auto ce = std::make_unique<CompiledEngine>();
  ce->options = options;
  ce->store = std::move(entities);
  ce->sym_entities.reserve(ce->store.size());
  ce->entity_syms.reserve(ce->store.size());
  Compiler compiler(ce.get());
  if (absl::Status s = compiler.Build(policies); !s.ok()) return s;
  return ce;
}

}  // namespace writ::internal
