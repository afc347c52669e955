// Compile: deciding with the compiled form — the scope index narrows the
// policies to those whose principal and action scopes hold, then each is
// checked on its residual scope and its lowered conditions. Every path
// decides a prepared request (prepared.cc): a Request is prepared into the
// thread's workspace first, so its context attributes are read from slots.
//
// The hot path does not lock, throw or allocate: values are borrowed from the
// request, the entity store and the constants wherever Cedar's semantics allow
// (attribute reads, tags, comparisons), values built here (arithmetic,
// extension results) go to per-thread scratch slots, and the working lists are
// per-thread vectors that keep their capacity. Operations and messages are
// shared with the reference evaluator (src/eval/ops.h).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "src/base/epoch.h"
#include "src/compile/compiled.h"
#include "src/eval/combine.h"
#include "src/eval/chain.h"
#include "src/eval/evaluator.h"
#include "src/eval/ops.h"
#include "src/ext/extensions.h"
#include "writ/engine.h"

namespace writ::internal {
namespace {

using K = Value::Kind;

const Value& TrueValue() {
  static const Value v = Value::Bool(true);
  return v;
}
const Value& FalseValue() {
  static const Value v = Value::Bool(false);
  return v;
}
const Value& BoolValue(bool b) { return b ? TrueValue() : FalseValue(); }

// An evaluation result: a borrowed value, or an entity named by the request
// (principal, action, resource), which is never copied into a Value unless a
// set, record or extension call needs one.
struct Ref {
  const Value* v = nullptr;
  const EntityUid* e = nullptr;

  K kind() const { return v != nullptr ? v->kind() : K::kEntity; }
  const EntityUid& entity() const { return v != nullptr ? v->as_entity() : *e; }   // kind() == kEntity
  Value ToValue() const { return v != nullptr ? *v : Value::Entity(*e); }
};

bool RefEq(const Ref& x, const Ref& y) {
  if (x.v != nullptr && y.v != nullptr) return *x.v == *y.v;
  if (x.kind() != K::kEntity || y.kind() != K::kEntity) return false;
  return x.entity() == y.entity();
}

// Binary search of a canonical set (sorted by Value's order: kind, then
// content) for `x`, without building a Value for a request entity.
bool SetContains(const Value::Set& s, const Ref& x) {
  if (x.v != nullptr) return std::binary_search(s.begin(), s.end(), *x.v);
  auto less = [](const Value& a, const EntityUid& u) {
    return a.kind() != K::kEntity ? a.kind() < K::kEntity : a.as_entity() < u;
  };
  auto it = std::lower_bound(s.begin(), s.end(), *x.e, less);
  return it != s.end() && it->is(K::kEntity) && it->as_entity() == *x.e;
}

// A record's attribute, or null. Records are mostly small (contexts, entity
// attributes): there, comparing lengths first and scanning beats the tree's
// string comparisons.
const Value* FindAttr(const Value::Record& record, const std::string& name) {
  if (record.size() > 8) {
    auto it = record.find(name);
    return it == record.end() ? nullptr : &it->second;
  }
  for (const auto& [key, value] : record) {
    if (key.size() == name.size() && std::memcmp(key.data(), name.data(), name.size()) == 0) return &value;
  }
  return nullptr;
}

absl::Status Expect(const Ref& r, K kind) {
  return r.kind() == kind ? absl::OkStatus() : TypeError(Value::KindName(kind), r.kind());
}

// The entities one request sees: the compiled store, or (per-request
// entities given) the store with those entities layered on top, whose
// hierarchy is walked on demand and cached for the call.
class View {
 public:
  View(const CompiledEngine& ce, const Entities* overlay) : ce_(ce), overlay_(overlay) {}

  // Whether per-request entities are layered over the store.
  bool layered() const { return overlay_ != nullptr; }

  const Entity* Find(const EntityUid& uid) const { return Find(uid, ce_.FindEntity(uid)); }

  // The same, knowing the uid's symbol.
  const Entity* Find(const EntityUid& uid, Sym s) const {
    if (overlay_ != nullptr) {
      if (const Entity* e = overlay_->Find(uid)) return e;
    }
    return s < ce_.sym_entities.size() ? ce_.sym_entities[s].entity : nullptr;
  }

  // The uid's symbol; with per-request entities, uids the engine does not
  // know get symbols past the engine's own.
  Sym SymOf(const EntityUid& uid) {
    const Sym s = ce_.FindEntity(uid);
    if (s != kNoSym || overlay_ == nullptr) return s;
    auto [it, inserted] =
        extra_syms_.try_emplace(uid, static_cast<Sym>(ce_.sym_entities.size() + extra_syms_.size()));
    return it->second;
  }

  Sym TypeOf(const EntityUid& uid, Sym s) const {
    return s < ce_.sym_entities.size() ? ce_.sym_entities[s].type : ce_.FindType(uid.type);
  }

  // The uid of a symbol (the engine's, or one given to a per-request entity).
  const EntityUid& UidOf(Sym s) const {
    if (s < ce_.sym_uids.size()) return *ce_.sym_uids[s];
    for (const auto& [uid, sym] : extra_syms_) {
      if (sym == s) return uid;
    }
    static const EntityUid kNone;
    return kNone;   // unreachable: every symbol came from one of the two
  }

  // Sorted symbols of the uid's ancestors.
  absl::Span<const Sym> Ancestors(const EntityUid& uid, Sym s) {
    if (s == kNoSym) return {};
    if (overlay_ == nullptr) {
      const SymEntity& se = ce_.sym_entities[s];
      return {ce_.ancestors.data() + se.ancestors_begin, se.ancestors_size};
    }
    if (auto it = ancestor_cache_.find(s); it != ancestor_cache_.end()) return it->second;
    // Breadth-first over parents in the layered view, as the reference does.
    absl::flat_hash_set<Sym> seen;
    std::vector<const EntityUid*> frontier;
    if (const Entity* e = Find(uid)) {
      for (const EntityUid& p : e->parents) frontier.push_back(&p);
    }
    while (!frontier.empty()) {
      const EntityUid* next = frontier.back();
      frontier.pop_back();
      if (!seen.insert(SymOf(*next)).second) continue;
      if (const Entity* e = Find(*next)) {
        for (const EntityUid& p : e->parents) frontier.push_back(&p);
      }
    }
    std::vector<Sym> sorted(seen.begin(), seen.end());
    std::sort(sorted.begin(), sorted.end());
    return ancestor_cache_.emplace(s, std::move(sorted)).first->second;
  }

  // Cedar's `in` on two entities: equal, or `b` an ancestor of `a`.
  bool In(const EntityUid& a, const EntityUid& b) {
    if (a == b) return true;
    const Sym sb = SymOf(b);
    if (sb == kNoSym) return false;
    const absl::Span<const Sym> anc = Ancestors(a, SymOf(a));
    return std::binary_search(anc.begin(), anc.end(), sb);
  }

 private:
  const CompiledEngine& ce_;
  const Entities* overlay_;
  absl::flat_hash_map<EntityUid, Sym> extra_syms_;
  absl::flat_hash_map<Sym, std::vector<Sym>> ancestor_cache_;
};

// A request entity, looked up once per decision.
struct Resolved {
  const EntityUid* uid = nullptr;
  Sym sym = kNoSym;
  Sym type = kNoSym;
  absl::Span<const Sym> ancestors;
  const Entity* entity = nullptr;

  bool InSym(Sym s) const { return s == sym || std::binary_search(ancestors.begin(), ancestors.end(), s); }
};

// Per-thread working storage, reused from decision to decision.
struct Workspace {
  std::vector<const IndexRow*> candidates;
  std::vector<std::uint32_t> permits, forbids;
  std::vector<const GrantRow*> grants;
  std::vector<Value> scratch;
  // Op::kVarAttr lookups, valid while their epoch is the decision's.
  struct AttrRead {
    std::uint64_t epoch = 0;
    bool readable = false;          // the variable is an entity or a record
    const Value* value = nullptr;   // null: no such attribute (or entity)
  };
  std::vector<AttrRead> attr_reads;
  std::uint64_t epoch = 0;
  // A context slot's long or short string as a Value, made when a general
  // path needs one (Decider::SlotValue).
  std::vector<Value> slot_values;
  // A Request decided without being prepared by the caller is prepared here.
  PreparedRequest prepared;
};

Workspace& ThreadWorkspace() {
  thread_local Workspace w;
  return w;
}

class Decider {
 public:
  // `request` was prepared by `ce` (PreparedAccess::engine checked). With
  // per-request entities (a layered view), its uids are resolved again in the
  // view, which gives symbols to the entities the engine does not know.
  Decider(const CompiledEngine& ce, View& view, const PreparedRequest& request, Workspace& ws)
      : ce_(ce),
        view_(view),
        req_(PreparedAccess::request(request)),
        ws_(ws),
        slot_words_(PreparedAccess::slot_words(request)),
        slot_kinds_(PreparedAccess::slot_kinds(request)),
        lean_(PreparedAccess::lean(request)),
        has_candidates_(PreparedAccess::has_candidates(request) && !view.layered()),
        generic_candidates_(PreparedAccess::generic_candidates(request)),
        own_candidates_(PreparedAccess::own_candidates(request)) {
    if (ws_.scratch.size() < ce_.scratch_slots) ws_.scratch.resize(ce_.scratch_slots);
    if (ws_.attr_reads.size() < ce_.var_attrs) ws_.attr_reads.resize(ce_.var_attrs);
    if (ws_.slot_values.size() < ce_.context_slots.size()) ws_.slot_values.resize(ce_.context_slots.size());
    epoch_ = ++ws_.epoch;
    if (has_candidates_) {   // fetched while the request's entities are read
      __builtin_prefetch(ce_.candidate_rows.data() + generic_candidates_.begin);
      __builtin_prefetch(ce_.candidate_rows.data() + own_candidates_.begin);
    }
    if (view_.layered()) {
      p_ = Resolve(req_.principal);
      a_ = Resolve(req_.action);
      r_ = Resolve(req_.resource);
    } else {
      p_ = FromPrepared(req_.principal, request, kPreparedPrincipal);
      a_ = FromPrepared(req_.action, request, kPreparedAction);
      r_ = FromPrepared(req_.resource, request, kPreparedResource);
    }
  }

  void Decide(Decision* out) {
    out->errors.clear();
    out->breakglass.clear();
    out->revoked = Revoked();
    if (needs_context_) return;
    if (out->revoked) {
      out->allowed = false;
      out->reasons.clear();
      return;
    }
    // Policies are named by index: a static policy's, or (past them) the
    // position of a grant in ws_.grants.
    Combination<std::uint32_t> combination(&ws_.permits, &ws_.forbids, ce_.options.fail_closed);
    const bool grants = ce_.grants != nullptr && ce_.grants->live.load(std::memory_order_acquire) != 0;
    if (grants && p_.sym < ce_.sym_entities.size()) {   // overlaps the load with the static policies' work
      ce_.grants->by_principal.Prefetch(GrantIndex::KeyHash(p_.sym, *p_.uid));
    }
    CollectCandidates();
    for (const IndexRow* row : ws_.candidates) {
      const CompiledPolicy& p = ce_.policies[row->policy];
      if (row->timed && !InWindow(Now(), p.not_before, p.expires)) continue;
      Evaluate(row->root, row->effect, row->policy, p.id, combination, out);
    }
    // Grants are read inside an epoch guard, until their ids are copied out.
    std::optional<EpochGuard> guard;
    ws_.grants.clear();
    if (grants) {
      guard.emplace();
      CollectGrants();
      const auto first = static_cast<std::uint32_t>(ce_.policies.size());
      for (std::uint32_t k = 0; k < ws_.grants.size(); ++k) {
        const GrantRow& g = *ws_.grants[k];
        Evaluate(g.tmpl->root, g.tmpl->effect, first + k, g.grant.link.link_id, combination, out);
      }
    }
    combination.Finish(out, [&](std::uint32_t ref) {
      if (ref < ce_.policies.size()) {
        const CompiledPolicy& p = ce_.policies[ref];
        return std::pair<const std::string&, bool>(p.id, p.breakglass);
      }
      const GrantRow& g = *ws_.grants[ref - ce_.policies.size()];
      return std::pair<const std::string&, bool>(g.grant.link.link_id, g.tmpl->breakglass);
    });
  }

  // Whether deciding a lean request reached for what it lacks: Decide's
  // result is then meaningless (DecideLean).
  bool needs_context() const { return needs_context_; }

 private:
  // A policy's (or grant's) conditions, and what they decide.
  void Evaluate(std::uint32_t root, Effect effect, std::uint32_t ref, const std::string& id,
                Combination<std::uint32_t>& combination, Decision* out) {
    bool satisfied = false;
    if (absl::Status s = EvalBool(root, &satisfied); !s.ok()) {
      combination.Errored(ref, effect, id, s.message(), out);
    } else if (satisfied) {
      combination.Satisfied(ref, effect);
    }
  }

  // The request time, read once per decision and only if a policy has a
  // window.
  absl::Time Now() {
    if (!now_) now_ = req_.now ? *req_.now : ce_.options.clock ? ce_.options.clock() : absl::Now();
    return *now_;
  }

  // The grants whose scope holds for this request, in issue order: those
  // keyed by the principal or one of its ancestors (?principal), and by the
  // resource or one of its ancestors (templates with only ?resource).
  void CollectGrants() {
    const GrantTable& table = *ce_.grants;
    auto probe = [&](const GrantIndex& index, const Resolved& r, bool by_principal) {
      // Per-request entities the engine has no symbol for are found by uid.
      auto find = [&](const EntityUid& uid, Sym s, bool self) {
        if (s >= ce_.sym_entities.size()) s = GrantIndex::kNoSym;
        index.Find(uid, s, GrantIndex::KeyHash(s, uid),
                   [&](const GrantIndex::Entry& e) { ConsiderGrant(e, by_principal, self); });
      };
      find(*r.uid, r.sym, true);
      if (!index.has_ancestor_rows()) return;
      for (const Sym s : r.ancestors) find(view_.UidOf(s), s, false);
    };
    probe(table.by_principal, p_, true);
    probe(table.by_resource, r_, false);
    if (ws_.grants.size() > 1) {
      std::sort(ws_.grants.begin(), ws_.grants.end(),
                [](const GrantRow* x, const GrantRow* y) { return x->serial < y->serial; });
    }
  }

  // Keeps a grant found under its key if the rest of its scope holds: `self`
  // when the key is the request's entity itself (not an ancestor). Only a
  // grant that applies is read beyond its index entry.
  void ConsiderGrant(const GrantIndex::Entry& e, bool by_principal, bool self) {
    const CompiledTemplate& t = *e.tmpl;
    const Residual& keyed = by_principal ? t.principal : t.resource;
    if (keyed.kind == ScopeConstraint::Kind::kEq && !self) return;
    if (keyed.kind == ScopeConstraint::Kind::kIsIn && (by_principal ? p_ : r_).type != keyed.type) return;
    if (by_principal) {
      if (t.resource_slot ? !SlotHolds(t.resource, e, r_) : !ResidualHolds(t.resource, r_)) return;
    } else if (!ResidualHolds(t.principal, p_)) {
      return;
    }
    if (std::none_of(t.akeys.begin(), t.akeys.end(), [&](std::uint32_t k) { return ActionMatches(k); })) return;
    if (e.timed && !InWindow(Now(), e.row->not_before, e.row->expires)) return;
    ws_.grants.push_back(e.row);
  }

  // The resource slot's scope (`== v`, `in v`, `is T in v`) with the
  // grant's value `v`, whose engine symbol is e.resource_sym (kNoSym: no
  // store entity has it as an ancestor, and only a uid without a symbol can
  // equal it).
  bool SlotHolds(const Residual& scope, const GrantIndex::Entry& e, const Resolved& r) {
    if (scope.kind == ScopeConstraint::Kind::kIsIn && r.type != scope.type) return false;
    const Sym sym = e.resource_sym;
    if (sym != kNoSym) return scope.kind == ScopeConstraint::Kind::kEq ? r.sym == sym : r.InSym(sym);
    const EntityUid& v = *e.row->grant.link.resource;
    if (*r.uid == v) return true;
    return scope.kind != ScopeConstraint::Kind::kEq && view_.layered() && view_.In(*r.uid, v);
  }

  // Whether the principal, one of its ancestors or the request's credential
  // is revoked (as the reference decides: writ/revocation.h).
  bool Revoked() {
    const RevocationList* list = ce_.options.revoked.get();
    if (list == nullptr || list->size() == 0) return false;
    if (lean_) {   // the credential is in the context
      needs_context_ = true;
      return false;
    }
    if (const EntityUid* c = CredentialOf(req_); c != nullptr && list->Contains(*c)) return true;
    // The engine's entities have their hashes; others are hashed here.
    auto revoked = [&](const EntityUid& uid, Sym s) {
      return s < ce_.sym_hashes.size() ? list->Contains(uid, ce_.sym_hashes[s]) : list->Contains(uid);
    };
    if (revoked(req_.principal, p_.sym)) return true;
    for (const Sym s : p_.ancestors) {
      if (revoked(view_.UidOf(s), s)) return true;
    }
    return false;
  }

  // A request entity as prepared (the store's view).
  Resolved FromPrepared(const EntityUid& uid, const PreparedRequest& request, int i) const {
    Resolved r;
    r.uid = &uid;
    r.sym = PreparedAccess::sym(request, i);
    r.type = PreparedAccess::type(request, i);
    if (r.sym != kNoSym) {
      const SymEntity& se = ce_.sym_entities[r.sym];
      r.ancestors = {ce_.ancestors.data() + se.ancestors_begin, se.ancestors_size};
      if (!r.ancestors.empty()) __builtin_prefetch(r.ancestors.data());   // a scope's `in` reads them
      r.entity = se.entity;
    }
    return r;
  }

  Resolved Resolve(const EntityUid& uid) {
    Resolved r;
    r.uid = &uid;
    r.sym = view_.SymOf(uid);
    r.type = view_.TypeOf(uid, r.sym);
    r.ancestors = view_.Ancestors(uid, r.sym);
    r.entity = view_.Find(uid, r.sym);
    return r;
  }

  static bool ResidualHolds(const Residual& scope, const Resolved& r) {
    switch (scope.kind) {
      case ScopeConstraint::Kind::kAny: return true;
      case ScopeConstraint::Kind::kEq: return r.sym == scope.entity;
      case ScopeConstraint::Kind::kIn: return r.InSym(scope.entity);
      case ScopeConstraint::Kind::kIs: return r.type == scope.type;
      case ScopeConstraint::Kind::kIsIn: return r.type == scope.type && r.InSym(scope.entity);
    }
    return false;
  }

  // The policies whose whole scope holds for this request, in policy order,
  // each once: the rows under the request's principal keys whose action key
  // matches, less those whose principal type or resource scope does not hold.
  void CollectCandidates() {
    ws_.candidates.clear();
    if (has_candidates_) {
      // Precomputed for the principal and action: merge the two lists (no
      // policy is in both) and check each row's resource scope. The rows are
      // fetched together first (they are apart in memory).
      const std::uint32_t* x = ce_.candidate_rows.data() + generic_candidates_.begin;
      const std::uint32_t* x_end = x + generic_candidates_.size;
      const std::uint32_t* y = ce_.candidate_rows.data() + own_candidates_.begin;
      const std::uint32_t* y_end = y + own_candidates_.size;
      const IndexRow* rows = ce_.rows.data();
      constexpr std::uint32_t kPrefetch = 32;   // the first rows of each, not a long list's all
      for (const std::uint32_t* i = x; i != x_end && i != x + kPrefetch; ++i) __builtin_prefetch(&rows[*i]);
      for (const std::uint32_t* i = y; i != y_end && i != y + kPrefetch; ++i) __builtin_prefetch(&rows[*i]);
      while (x != x_end || y != y_end) {
        const IndexRow* row;
        if (y == y_end || (x != x_end && rows[*x].policy < rows[*y].policy)) {
          row = &rows[*x++];
        } else {
          row = &rows[*y++];
        }
        if (ResidualHolds(row->resource, r_)) {
          ws_.candidates.push_back(row);
          __builtin_prefetch(&ce_.policies[row->policy]);   // its id, if it decides
        }
      }
      return;
    }
    Probe(ce_.any_rows);
    if (p_.type < ce_.is_rows.size()) Probe(ce_.is_rows[p_.type]);
    // Symbols past the engine's are per-request entities: no policy names
    // them, but one may have the store's entities as ancestors.
    const bool known = p_.sym < ce_.sym_entities.size();
    if (!view_.layered()) {
      if (known) {
        // The store's hierarchy: the runs were gathered when compiling.
        const SymEntity& se = ce_.sym_entities[p_.sym];
        const RowRange* runs = se.probes_size <= SymEntity::kInlineProbes ? se.probes
                                                                          : ce_.probes.data() + se.probes[0].begin;
        for (std::uint32_t k = 0; k < se.probes_size; ++k) Probe(runs[k]);
      }
    } else {
      if (known) {
        Probe(ce_.sym_entities[p_.sym].eq_rows);
        Probe(ce_.sym_entities[p_.sym].in_rows);
      }
      for (const Sym s : p_.ancestors) {
        if (s < ce_.sym_entities.size()) Probe(ce_.sym_entities[s].in_rows);
      }
    }
    // Policy order, each policy once (a policy filed under two of the
    // request's keys appears twice).
    auto by_policy = [](const IndexRow* x, const IndexRow* y) { return x->policy < y->policy; };
    auto same_policy = [](const IndexRow* x, const IndexRow* y) { return x->policy == y->policy; };
    std::sort(ws_.candidates.begin(), ws_.candidates.end(), by_policy);
    ws_.candidates.erase(std::unique(ws_.candidates.begin(), ws_.candidates.end(), same_policy),
                         ws_.candidates.end());
  }

  // Whether the request's action matches an action key: unconstrained,
  // `== A`, or `in E` with E the action or one of its ancestors.
  bool ActionMatches(std::uint32_t akey) const {
    const Sym sym = akey >> 2;
    switch (static_cast<KeyTag>(akey & 3)) {
      case KeyTag::kAny: return true;
      case KeyTag::kEq: return sym == a_.sym;
      case KeyTag::kIn: return a_.InSym(sym);
      case KeyTag::kIs: break;
    }
    return false;
  }

  // Keeps the row if the rest of its scope holds.
  void Consider(const IndexRow& row) {
    if (row.principal_type != kNoSym && row.principal_type != p_.type) return;
    if (!ResidualHolds(row.resource, r_)) return;
    ws_.candidates.push_back(&row);
  }

  // The rows of one principal key whose action key matches the request's.
  void Probe(const RowRange& range) {
    const IndexRow* first = ce_.rows.data() + range.begin;
    const IndexRow* last = first + range.size;
    if (range.size <= 64) {   // a few action keys: check each
      for (const IndexRow* row = first; row != last;) {
        const IndexRow* end = row + row->run;
        if (ActionMatches(row->akey)) {
          for (; row != end; ++row) Consider(*row);
        }
        row = end;
      }
      return;
    }
    // Many: the runs of the request's action keys (rows sorted by key).
    auto run = [&](std::uint32_t akey) {
      const IndexRow* row = std::lower_bound(
          first, last, akey, [](const IndexRow& x, std::uint32_t k) { return x.akey < k; });
      for (; row != last && row->akey == akey; ++row) Consider(*row);
    };
    run(ScopeKey(KeyTag::kAny, 0));
    if (a_.sym == kNoSym) return;
    run(ScopeKey(KeyTag::kEq, a_.sym));
    run(ScopeKey(KeyTag::kIn, a_.sym));
    for (const Sym s : a_.ancestors) run(ScopeKey(KeyTag::kIn, s));
  }

  const Entity* FindEntity(const EntityUid& uid) const {
    if (&uid == p_.uid) return p_.entity;
    if (&uid == a_.uid) return a_.entity;
    if (&uid == r_.uid) return r_.entity;
    return view_.Find(uid);
  }

  absl::Status EvalBool(std::uint32_t n, bool* out) {
    Ref r;
    if (absl::Status s = Eval(n, &r); !s.ok()) return s;
    if (absl::Status s = Expect(r, K::kBool); !s.ok()) return s;
    *out = r.v->as_bool();
    return absl::OkStatus();
  }

  absl::Status Eval(std::uint32_t n, Ref* out) {
    const Node& node = ce_.nodes[n];
    switch (node.op) {
      case Op::kConst:
        out->v = &ce_.constants[node.aux];
        return absl::OkStatus();
      case Op::kError:
        return absl::InvalidArgumentError(ce_.names[node.aux]);
      case Op::kVar:
        *out = VarRef(static_cast<Var>(node.sub));
        return absl::OkStatus();
      case Op::kIf: {
        bool c = false;
        if (absl::Status s = EvalBool(node.a, &c); !s.ok()) return s;
        return Eval(c ? node.b : node.c, out);
      }
      case Op::kAnd:
      case Op::kOr: {
        const bool short_value = node.op == Op::kOr;
        bool x = false;
        if (absl::Status s = EvalBool(node.a, &x); !s.ok()) return s;
        if (x != short_value) {
          if (absl::Status s = EvalBool(node.b, &x); !s.ok()) return s;
        }
        out->v = &BoolValue(x);
        return absl::OkStatus();
      }
      case Op::kUnary: return EvalUnary(node, out);
      case Op::kBinary: return EvalBinary(node, out);
      case Op::kGetAttr:
      case Op::kHasAttr: return EvalGeneralAttr(node, out);
      case Op::kVarAttr: return EvalVarAttr(node, out);
      case Op::kPathAttr:
        if (SlotRead(node, out)) return absl::OkStatus();
        return EvalGeneralAttr(node, out);
      case Op::kCompare: return EvalCompare(node, out);
      case Op::kLike: {
        Ref x;
        if (absl::Status s = Eval(node.a, &x); !s.ok()) return s;
        if (absl::Status s = Expect(x, K::kString); !s.ok()) return s;
        out->v = &BoolValue(WildcardMatch(ce_.patterns[node.aux], x.v->as_string()));
        return absl::OkStatus();
      }
      case Op::kIs: {
        Ref x;
        if (absl::Status s = Eval(node.a, &x); !s.ok()) return s;
        if (absl::Status s = Expect(x, K::kEntity); !s.ok()) return s;
        out->v = &BoolValue(x.entity().type == ce_.names[node.aux]);
        return absl::OkStatus();
      }
      case Op::kSet:
      case Op::kRecord: return EvalBuilt(node, out);
      case Op::kExtCall: return EvalExtCall(node, out);
      case Op::kMatches: {
        Ref x;
        if (absl::Status s = Eval(node.a, &x); !s.ok()) return s;
        if (absl::Status s = Expect(x, K::kString); !s.ok()) return s;
        out->v = &BoolValue(ce_.regexes[node.aux]->FullMatch(x.v->as_string()));
        return absl::OkStatus();
      }
    }
    return absl::InternalError("unknown node");
  }

  Value& Scratch(const Node& node) { return ws_.scratch[node.slot]; }

  absl::Status EvalUnary(const Node& node, Ref* out) {
    Ref x;
    if (absl::Status s = Eval(node.a, &x); !s.ok()) return s;
    switch (static_cast<UnaryOp>(node.sub)) {
      case UnaryOp::kNot:
        if (absl::Status s = Expect(x, K::kBool); !s.ok()) return s;
        out->v = &BoolValue(!x.v->as_bool());
        return absl::OkStatus();
      case UnaryOp::kNeg: {
        if (absl::Status s = Expect(x, K::kLong); !s.ok()) return s;
        absl::StatusOr<std::int64_t> r = Arith(BinaryOp::kSub, 0, x.v->as_long());
        if (!r.ok()) return r.status();
        out->v = &(Scratch(node) = Value::Long(*r));
        return absl::OkStatus();
      }
      case UnaryOp::kIsEmpty:
        if (absl::Status s = Expect(x, K::kSet); !s.ok()) return s;
        out->v = &BoolValue(x.v->as_set().empty());
        return absl::OkStatus();
    }
    return absl::InternalError("unknown unary operator");
  }

  absl::Status EvalBinary(const Node& node, Ref* out) {
    Ref x, y;
    if (absl::Status s = Eval(node.a, &x); !s.ok()) return s;
    if (absl::Status s = Eval(node.b, &y); !s.ok()) return s;
    const auto op = static_cast<BinaryOp>(node.sub);
    auto result = [out](bool b) {
      out->v = &BoolValue(b);
      return absl::OkStatus();
    };
    switch (op) {
      case BinaryOp::kEq: return result(RefEq(x, y));
      case BinaryOp::kNe: return result(!RefEq(x, y));
      case BinaryOp::kLt:
      case BinaryOp::kLe:
      case BinaryOp::kGt:
      case BinaryOp::kGe: {
        // `a > b` is `b < a`, as in the reference, errors included.
        const bool swap = op == BinaryOp::kGt || op == BinaryOp::kGe;
        if (x.v == nullptr || y.v == nullptr) {
          return swap ? LessTypeError(y.kind(), x.kind()) : LessTypeError(x.kind(), y.kind());
        }
        absl::StatusOr<bool> r =
            Less(swap ? *y.v : *x.v, swap ? *x.v : *y.v, op == BinaryOp::kLe || op == BinaryOp::kGe);
        if (!r.ok()) return r.status();
        return result(*r);
      }
      case BinaryOp::kAdd:
      case BinaryOp::kSub:
      case BinaryOp::kMul: {
        if (absl::Status s = Expect(x, K::kLong); !s.ok()) return s;
        if (absl::Status s = Expect(y, K::kLong); !s.ok()) return s;
        absl::StatusOr<std::int64_t> r = Arith(op, x.v->as_long(), y.v->as_long());
        if (!r.ok()) return r.status();
        out->v = &(Scratch(node) = Value::Long(*r));
        return absl::OkStatus();
      }
      case BinaryOp::kIn: {
        if (absl::Status s = Expect(x, K::kEntity); !s.ok()) return s;
        if (y.kind() == K::kEntity) return result(InEntity(x, y.entity()));
        if (y.kind() != K::kSet) return TypeError("set or entity", y.kind());
        // Every element must be an entity, even past a match (as in Cedar).
        for (const Value& e : y.v->as_set()) {
          if (absl::Status s = ExpectKind(e, K::kEntity); !s.ok()) return s;
        }
        for (const Value& e : y.v->as_set()) {
          if (InEntity(x, e.as_entity())) return result(true);
        }
        return result(false);
      }
      case BinaryOp::kContains:
        if (absl::Status s = Expect(x, K::kSet); !s.ok()) return s;
        return result(SetContains(x.v->as_set(), y));
      case BinaryOp::kContainsAll:
      case BinaryOp::kContainsAny: {
        if (absl::Status s = Expect(x, K::kSet); !s.ok()) return s;
        if (absl::Status s = Expect(y, K::kSet); !s.ok()) return s;
        const Value::Set& set = x.v->as_set();
        const bool all = op == BinaryOp::kContainsAll;
        for (const Value& e : y.v->as_set()) {
          if (std::binary_search(set.begin(), set.end(), e) != all) return result(!all);
        }
        return result(all);
      }
      case BinaryOp::kGetTag:
      case BinaryOp::kHasTag: {
        if (absl::Status s = Expect(x, K::kEntity); !s.ok()) return s;
        if (absl::Status s = Expect(y, K::kString); !s.ok()) return s;
        const Entity* e = FindEntity(x.entity());
        const std::string& tag = y.v->as_string();
        if (op == BinaryOp::kHasTag) return result(e != nullptr && e->tags.contains(tag));
        if (e == nullptr) return EntityMissing(x.entity());
        auto it = e->tags.find(tag);
        if (it == e->tags.end()) return TagMissing(x.entity(), tag);
        out->v = &it->second;
        return absl::OkStatus();
      }
    }
    return absl::InternalError("unknown binary operator");
  }

  // `a in b` for an entity `a` (possibly a request entity, whose ancestors
  // are already resolved) and an entity `b`.
  bool InEntity(const Ref& a, const EntityUid& b) {
    const Resolved* r = a.e == nullptr ? nullptr : a.e == p_.uid ? &p_ : a.e == a_.uid ? &a_ : &r_;
    if (r == nullptr) return view_.In(a.entity(), b);
    if (*r->uid == b) return true;
    const Sym sb = view_.SymOf(b);
    return sb != kNoSym && r->InSym(sb);
  }

  Ref VarRef(Var var) {
    Ref r;
    if (var == Var::kContext && lean_) needs_context_ = true;
    switch (var) {
      case Var::kPrincipal: r.e = &req_.principal; break;
      case Var::kAction: r.e = &req_.action; break;
      case Var::kResource: r.e = &req_.resource; break;
      case Var::kContext: r.v = &req_.context; break;
    }
    return r;
  }

  // `x.name`, or `x has name` when `has`.
  absl::Status Attr(const Ref& x, const std::string& name, bool has, Ref* out) {
    const Value::Record* record = nullptr;
    if (x.kind() == K::kRecord) {
      record = &x.v->as_record();
    } else if (x.kind() == K::kEntity) {
      const Entity* e = FindEntity(x.entity());
      if (e == nullptr && !has) return EntityMissing(x.entity());
      if (e == nullptr) {
        out->v = &FalseValue();
        return absl::OkStatus();
      }
      record = &e->attrs;
    } else {
      return TypeError("record or entity", x.kind());
    }
    const Value* value = FindAttr(*record, name);
    if (has) {
      out->v = &BoolValue(value != nullptr);
      return absl::OkStatus();
    }
    if (value == nullptr) {
      return x.kind() == K::kEntity ? EntityAttrMissing(x.entity(), name, *record) : RecordAttrMissing(name, *record);
    }
    out->v = value;
    return absl::OkStatus();
  }

  // `var.name` / `var has name`, looked up once per decision; anything but a
  // found attribute (or a clean `has`) takes the general path for its error.
  absl::Status EvalVarAttr(const Node& node, Ref* out) {
    const Var var = static_cast<Var>(node.sub);
    const std::string& name = ce_.names[node.aux];
    if (var == Var::kContext) {
      // The context's attributes were found when the request was prepared.
      if (SlotRead(node, out)) return absl::OkStatus();
      return Attr(VarRef(var), name, node.c == 1, out);
    }
    Workspace::AttrRead& read = ws_.attr_reads[node.b];
    if (read.epoch != epoch_) {
      read.epoch = epoch_;
      const Ref x = VarRef(var);
      const Value::Record* record = nullptr;
      if (x.kind() == K::kRecord) {
        record = &x.v->as_record();
      } else if (x.kind() == K::kEntity) {
        const Entity* e = FindEntity(*x.e);
        if (e != nullptr) record = &e->attrs;
      }
      read.readable = record != nullptr;
      read.value = record != nullptr ? FindAttr(*record, name) : nullptr;
    }
    if (read.value != nullptr) {
      out->v = node.c == 1 ? &TrueValue() : read.value;
      return absl::OkStatus();
    }
    if (read.readable && node.c == 1) {
      out->v = &FalseValue();
      return absl::OkStatus();
    }
    return Attr(VarRef(var), name, node.c == 1, out);
  }

  // `x.name` or `x has name` (kGetAttr, kHasAttr, and kPathAttr's general
  // path).
  absl::Status EvalGeneralAttr(const Node& node, Ref* out) {
    Ref x;
    if (absl::Status s = Eval(node.a, &x); !s.ok()) return s;
    const bool has = node.op == Op::kHasAttr || (node.op == Op::kPathAttr && node.c == 1);
    return Attr(x, ce_.names[node.aux], has, out);
  }

  // A context slot read (`.`, or `has` when node.c is 1) as prepared; false
  // when the general path must decide (no value found, and not a clean
  // `has`).
  bool SlotRead(const Node& node, Ref* out) {
    const auto kind = static_cast<ScalarKind>(slot_kinds_[node.b]);
    switch (kind) {
      case ScalarKind::kUnknown: return false;
      case ScalarKind::kMissing:
        if (node.c != 1) return false;
        out->v = &FalseValue();
        return true;
      case ScalarKind::kPathsOnly:
        if (node.c != 1) {
          needs_context_ = true;
          return false;
        }
        out->v = &TrueValue();
        return true;
      case ScalarKind::kValue:
      case ScalarKind::kBool:
      case ScalarKind::kLong:
      case ScalarKind::kShortString:
        out->v = node.c == 1 ? &TrueValue() : &SlotValue(node.b);
        return true;
    }
    return false;
  }

  // A found slot's value: borrowed from the request, or made from the word.
  const Value& SlotValue(std::uint32_t slot) {
    const std::uint64_t word = slot_words_[slot];
    switch (static_cast<ScalarKind>(slot_kinds_[slot])) {
      case ScalarKind::kValue: return *reinterpret_cast<const Value*>(word);
      case ScalarKind::kBool: return BoolValue(word != 0);
      case ScalarKind::kLong: return ws_.slot_values[slot] = Value::Long(static_cast<std::int64_t>(word));
      case ScalarKind::kShortString: {
        char bytes[8];
        std::memcpy(bytes, &word, sizeof bytes);
        return ws_.slot_values[slot] = Value::String(std::string(bytes, word >> 56));
      }
      case ScalarKind::kUnknown:
      case ScalarKind::kMissing:
      case ScalarKind::kPathsOnly: break;
    }
    return FalseValue();   // unreachable: SlotRead asks only for a found value
  }

  // A comparison of context slots and constants: directly on their words
  // when both are longs (any comparison) or both booleans or short strings
  // (`==`, `!=`); otherwise as any binary operator (for its value, or its
  // error).
  absl::Status EvalCompare(const Node& node, Ref* out) {
    auto operand = [&](std::uint32_t o) {
      if (o & kConstantOperand) return ce_.constant_scalars[o & ~kConstantOperand];
      return Scalar{static_cast<ScalarKind>(slot_kinds_[o]), slot_words_[o]};
    };
    const Scalar x = operand(node.c), y = operand(node.aux);
    const auto op = static_cast<BinaryOp>(node.sub);
    if (x.kind == y.kind) {
      std::optional<bool> r;
      if (x.kind == ScalarKind::kLong) {
        const auto a = static_cast<std::int64_t>(x.word), b = static_cast<std::int64_t>(y.word);
        // kCompare is only ever one of the six comparisons.
        r = op == BinaryOp::kEq   ? a == b
            : op == BinaryOp::kNe ? a != b
            : op == BinaryOp::kLt ? a < b
            : op == BinaryOp::kLe ? a <= b
            : op == BinaryOp::kGt ? a > b
                                  : a >= b;
      } else if ((x.kind == ScalarKind::kBool || x.kind == ScalarKind::kShortString) &&
                 (op == BinaryOp::kEq || op == BinaryOp::kNe)) {
        r = (x.word == y.word) == (op == BinaryOp::kEq);
      }
      if (r) {
        out->v = &BoolValue(*r);
        return absl::OkStatus();
      }
    }
    return EvalBinary(node, out);
  }

  // Sets, records and extension calls build a new value from their operands.
  // An extension call reads its arguments where they are: nothing is copied
  // (only a request entity, which no extension function takes, is made a
  // Value, for the type error).
  absl::Status EvalExtCall(const Node& node, Ref* out) {
    absl::InlinedVector<Ref, 4> refs(node.c);
    bool all_values = true;
    for (std::uint32_t i = 0; i < node.c; ++i) {
      if (absl::Status s = Eval(ce_.lists[node.a + i], &refs[i]); !s.ok()) return s;
      all_values = all_values && refs[i].v != nullptr;
    }
    absl::InlinedVector<Value, 4> made;
    if (!all_values) {
      for (const Ref& r : refs) made.push_back(r.ToValue());
    }
    absl::InlinedVector<const Value*, 4> args;
    for (std::uint32_t i = 0; i < node.c; ++i) args.push_back(all_values ? refs[i].v : &made[i]);
    absl::StatusOr<Value> r = CallExtFunction(AllExtFunctions()[node.aux], ExtArgs(args));
    if (!r.ok()) return r.status();
    Value& slot = Scratch(node);
    slot = *std::move(r);
    out->v = &slot;
    return absl::OkStatus();
  }

  // A set or record built from its elements' values.
  absl::Status EvalBuilt(const Node& node, Ref* out) {
    absl::InlinedVector<Value, 4> values;
    values.reserve(node.c);
    for (std::uint32_t i = 0; i < node.c; ++i) {
      Ref x;
      if (absl::Status s = Eval(ce_.lists[node.a + i], &x); !s.ok()) return s;
      values.push_back(x.ToValue());
    }
    Value& slot = Scratch(node);
    if (node.op == Op::kSet) {
      slot = Value::MakeSet(std::vector<Value>(values.begin(), values.end()));
    } else {
      Value::Record record;
      for (std::uint32_t i = 0; i < node.c; ++i) record.emplace(ce_.names[node.aux + i], std::move(values[i]));
      slot = Value::MakeRecord(std::move(record));
    }
    out->v = &slot;
    return absl::OkStatus();
  }

  const CompiledEngine& ce_;
  View& view_;
  const Request& req_;
  Workspace& ws_;
  // The prepared request's context slots (CompiledEngine::context_slots).
  const std::uint64_t* slot_words_;
  const std::uint8_t* slot_kinds_;
  // A request read lean (PreparedAccess::lean), and whether deciding it
  // reached for what it lacks.
  bool lean_;
  bool needs_context_ = false;
  // The prepared request's runs of CompiledEngine::candidate_rows, when the
  // table is used.
  bool has_candidates_;
  RowRange generic_candidates_, own_candidates_;
  Resolved p_, a_, r_;
  std::uint64_t epoch_ = 0;
  std::optional<absl::Time> now_;
};

}  // namespace

bool DecideLean(const CompiledEngine& ce, const PreparedRequest& request, Decision* out) {
  out->denied_by.reset();
  View view(ce, nullptr);
  Decider decider(ce, view, request, ThreadWorkspace());
  decider.Decide(out);
  return !decider.needs_context();
}

}  // namespace writ::internal

namespace writ {

Engine::Engine(std::unique_ptr<internal::CompiledEngine> impl) : impl_(std::move(impl)) {
  static std::atomic<std::uint64_t> next_id{1};
  impl_->id = next_id.fetch_add(1, std::memory_order_relaxed);
}
Engine::~Engine() = default;

absl::StatusOr<std::unique_ptr<Engine>> Engine::Compile(const PolicySet& policies, Entities entities,
                                                        const DecideOptions& options) {
  absl::StatusOr<std::unique_ptr<internal::CompiledEngine>> ce =
      internal::CompileEngine(policies, std::move(entities), options);
  if (!ce.ok()) return ce.status();
  return std::unique_ptr<Engine>(new Engine(*std::move(ce)));
}

void Engine::Decide(const PreparedRequest& request, Decision* out) const {
  out->denied_by.reset();
  if (internal::PreparedAccess::engine(request) != impl_->id) {
    out->allowed = false;
    out->reasons.clear();
    out->breakglass.clear();
    out->revoked = false;
    out->errors.clear();
    out->errors.push_back({"", internal::PreparedAccess::engine(request) == 0
                                   ? "the request was not prepared (Engine::Prepare)"
                                   : "the request was prepared by another engine"});
    return;
  }
  internal::View view(*impl_, nullptr);
  internal::Decider(*impl_, view, request, internal::ThreadWorkspace()).Decide(out);
}

void Engine::Decide(const Request& request, Decision* out) const {
  static const Entities kNone;
  Decide(request, kNone, out);
}

Decision Engine::Decide(const Request& request) const {
  Decision d;
  Decide(request, &d);
  return d;
}

// A Request (each identity's, for a chain) is prepared into the thread's
// workspace and decided as a prepared request is.
void Engine::Decide(const Request& request, const Entities& request_entities, Decision* out) const {
  internal::View view(*impl_, request_entities.size() == 0 ? nullptr : &request_entities);
  internal::Workspace& ws = internal::ThreadWorkspace();
  internal::DecideChain(request, impl_->options.clock, out, [&](const Request& one, Decision* d) {
    internal::PreparedAccess::Prepare(*impl_, one, &ws.prepared);
    internal::Decider(*impl_, view, ws.prepared, ws).Decide(d);
  });
}

void Engine::DecideBatch(absl::Span<const Request> requests, const Entities& request_entities,
                         std::vector<Decision>* out) const {
  // One view for the batch: the layered hierarchy is walked once per entity.
  internal::View view(*impl_, request_entities.size() == 0 ? nullptr : &request_entities);
  internal::Workspace& ws = internal::ThreadWorkspace();
  out->resize(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    internal::DecideChain(requests[i], impl_->options.clock, &(*out)[i], [&](const Request& one, Decision* d) {
      internal::PreparedAccess::Prepare(*impl_, one, &ws.prepared);
      internal::Decider(*impl_, view, ws.prepared, ws).Decide(d);
    });
  }
}

std::size_t Engine::policy_count() const { return impl_->policies.size(); }
std::size_t Engine::entity_count() const { return impl_->store.size(); }
std::string Engine::Dump() const { return internal::DumpEngine(*impl_); }

}  // namespace writ
