// Compile: run-time grants (writ/grants.h) — the grant indexes and the
// Engine's methods that issue, revoke and list grants. Issuing checks the
// link as PolicySet::Link does, then adds one row; nothing is recompiled.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/ast/policy_set_data.h"
#include "src/base/strings.h"
#include "src/compile/compiled.h"
#include "writ/engine.h"
#include "writ/revocation.h"

namespace writ::internal {

GrantIndex::Bucket* GrantIndex::Bucket::Make(std::uint32_t size) {
  void* memory = ::operator new(sizeof(Bucket) + (size == 0 ? 0 : size - 1) * sizeof(Entry));
  auto* b = static_cast<Bucket*>(memory);
  b->size = size;
  return b;
}

void GrantIndex::Bucket::Free::operator()(const Bucket* b) const { ::operator delete(const_cast<Bucket*>(b)); }

GrantIndex::Table::Table(std::size_t size) : mask(size - 1), buckets(new std::atomic<const Bucket*>[size]) {
  for (std::size_t i = 0; i < size; ++i) buckets[i].store(nullptr, std::memory_order_relaxed);
}

GrantIndex::Table::~Table() {
  for (std::size_t i = 0; i <= mask; ++i) Bucket::Free()(buckets[i].load(std::memory_order_relaxed));
}

GrantIndex::GrantIndex() : table_(new Table(16)) {}
GrantIndex::~GrantIndex() { delete table_.load(std::memory_order_relaxed); }

std::uint64_t GrantIndex::KeyHash(std::uint32_t sym, const EntityUid& uid) {
  if (sym == kNoSym) return RevocationList::Hash(uid);
  // A bijective mix of the symbol (odd multiplier, high half folded into
  // the low bits the bucket mask takes): distinct symbols never collide.
  const std::uint64_t x = std::uint64_t{sym} * 0x9e3779b97f4a7c15ull;
  return x ^ (x >> 32);
}

void GrantIndex::Publish(std::atomic<const Bucket*>& slot, Bucket* next, RetireList* retired) {
  BucketPtr old(slot.load(std::memory_order_relaxed));
  slot.store(next, std::memory_order_release);
  retired->Retire(std::move(old));
}

void GrantIndex::Insert(const GrantRow* row, bool by_ancestors, RetireList* retired) {
  if (rows_.load(std::memory_order_relaxed) + 1 > 2 * (table_.load(std::memory_order_relaxed)->mask + 1)) {
    Grow(retired);
  }
  const std::uint64_t hash = KeyHash(row->key_sym, row->key);
  const Table* t = table_.load(std::memory_order_relaxed);
  std::atomic<const Bucket*>& slot = t->buckets[hash & t->mask];
  const Bucket* old = slot.load(std::memory_order_relaxed);
  const std::uint32_t n = old == nullptr ? 0 : old->size;
  Bucket* next = Bucket::Make(n + 1);
  for (std::uint32_t i = 0; i < n; ++i) next->entries[i] = old->entries[i];
  // Serials grow: issue order.
  next->entries[n] = {hash, row->key_sym, row->resource_sym, row->tmpl, row, row->not_before || row->expires};
  Publish(slot, next, retired);
  if (by_ancestors) ancestor_rows_.fetch_add(1, std::memory_order_release);
  rows_.fetch_add(1, std::memory_order_release);
}

void GrantIndex::Erase(const GrantRow* row, bool by_ancestors, RetireList* retired) {
  const Table* t = table_.load(std::memory_order_relaxed);
  std::atomic<const Bucket*>& slot = t->buckets[KeyHash(row->key_sym, row->key) & t->mask];
  const Bucket* old = slot.load(std::memory_order_relaxed);
  if (old == nullptr) return;
  Bucket* next = nullptr;
  if (old->size > 1) {
    next = Bucket::Make(old->size - 1);
    std::uint32_t k = 0;
    for (std::uint32_t i = 0; i < old->size; ++i) {
      if (old->entries[i].row != row && k < next->size) next->entries[k++] = old->entries[i];
    }
  }
  Publish(slot, next, retired);
  if (by_ancestors) ancestor_rows_.fetch_sub(1, std::memory_order_release);
  rows_.fetch_sub(1, std::memory_order_release);
}

// Twice as many buckets, each a new array: readers still in the old table
// read its old arrays, which are retired with it.
void GrantIndex::Grow(RetireList* retired) {
  std::unique_ptr<const Table> old(table_.load(std::memory_order_relaxed));
  auto next = std::make_unique<Table>(2 * (old->mask + 1));
  std::vector<std::vector<Entry>> entries(next->mask + 1);
  for (std::size_t i = 0; i <= old->mask; ++i) {
    if (const Bucket* b = old->buckets[i].load(std::memory_order_relaxed)) {
      for (std::uint32_t k = 0; k < b->size; ++k) entries[b->entries[k].hash & next->mask].push_back(b->entries[k]);
    }
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].empty()) continue;
    // Merged from several old buckets: back in issue order.
    std::sort(entries[i].begin(), entries[i].end(),
              [](const Entry& x, const Entry& y) { return x.row->serial < y.row->serial; });
    Bucket* b = Bucket::Make(static_cast<std::uint32_t>(entries[i].size()));
    std::copy(entries[i].begin(), entries[i].end(), b->entries);
    next->buckets[i].store(b, std::memory_order_relaxed);
  }
  table_.store(next.release(), std::memory_order_release);
  retired->Retire(std::move(old));
}

namespace {

// The window a grant is decided in: the grant's within its template's.
void MergeWindow(const CompiledTemplate& t, GrantRow* row) {
  row->not_before = row->grant.not_before;
  if (t.not_before && (!row->not_before || *t.not_before > *row->not_before)) row->not_before = t.not_before;
  row->expires = row->grant.expires;
  if (t.expires && (!row->expires || *t.expires < *row->expires)) row->expires = t.expires;
}

absl::Status CheckField(std::string_view name, const std::string& value) {
  if (value.size() <= kMaxGrantFieldBytes) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("the grant's ", Av(name), " is ", value.size(),
                                                 " bytes; at most ", kMaxGrantFieldBytes, " (kMaxGrantFieldBytes)"));
}

std::string Quote(std::string_view id) { return absl::StrCat("`", Av(id), "`"); }

// Why `g` cannot be issued now, or OK; on OK, `*tmpl` is its template.
// `ce` has templates (ce.grants is set).
absl::Status CheckGrant(const CompiledEngine& ce, const Grant& g, absl::Time now, const CompiledTemplate** tmpl) {
  LinkPart part;
  absl::StatusOr<std::size_t> found = FindLinkTemplate(PolicySetData::Of(ce.policy_set), g.link, &part);
  if (!found.ok()) return found.status();
  *tmpl = &ce.templates[ce.template_of.at(*found)];
  if (g.link.link_id.empty()) return absl::InvalidArgumentError("a grant needs a link id");
  for (const auto& [name, value] : {std::pair<std::string_view, const std::string&>{"link id", g.link.link_id},
                                    {"owner", g.owner}, {"reason", g.reason}, {"task", g.task}}) {
    if (absl::Status s = CheckField(name, value); !s.ok()) return s;
  }
  if (PolicySetData::Of(ce.policy_set).by_id.contains(g.link.link_id) || ce.grants->by_link.contains(g.link.link_id)) {
    return absl::InvalidArgumentError(absl::StrCat("template-linked policy id ", Quote(g.link.link_id),
                                                   " conflicts with an existing policy id"));
  }
  if (g.expires && g.not_before && *g.expires <= *g.not_before) {
    return absl::InvalidArgumentError(absl::StrCat("the grant's window is empty: it expires at ",
                                                   absl::FormatTime(*g.expires), ", not after its not_before ",
                                                   absl::FormatTime(*g.not_before)));
  }
  if (g.expires && *g.expires <= now) {
    return absl::InvalidArgumentError(
        absl::StrCat("the grant has already expired (", absl::FormatTime(*g.expires), ")"));
  }
  const GrantLimits& limits = ce.options.grant_limits;
  if (limits.max_window) {
    if (!g.expires) {
      return absl::InvalidArgumentError(absl::StrCat("the grant has no expires; grants here last at most ",
                                                     absl::FormatDuration(*limits.max_window)));
    }
    const absl::Time start = g.not_before ? std::max(now, *g.not_before) : now;
    if (*g.expires - start > *limits.max_window) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the grant's window is ", absl::FormatDuration(*g.expires - start), " long; grants here last at most ",
          absl::FormatDuration(*limits.max_window)));
    }
  }
  if (ce.grants->by_link.size() >= limits.max_grants) {
    return absl::ResourceExhaustedError(absl::StrCat("too many grants: at most ", limits.max_grants, " live at once"));
  }
  return absl::OkStatus();
}

GrantIndex& IndexOf(GrantTable& table, const CompiledTemplate& t) {
  return t.principal_slot ? table.by_principal : table.by_resource;
}

// Whether the template's keyed slot is `in` (or `is T in`): its grants are
// found under the request entity's ancestors too, not only the entity.
bool ByAncestors(const CompiledTemplate& t) {
  return (t.principal_slot ? t.principal : t.resource).kind != ScopeConstraint::Kind::kEq;
}

// Unlinks the row of `it` and retires it; returns its grant.
Grant Unlink(GrantTable& table, absl::flat_hash_map<std::string, std::unique_ptr<GrantRow>>::iterator it) {
  std::unique_ptr<GrantRow> row = std::move(it->second);
  table.by_link.erase(it);
  IndexOf(table, *row->tmpl).Erase(row.get(), ByAncestors(*row->tmpl), &table.retired);
  table.live.store(table.by_link.size(), std::memory_order_release);
  Grant g = row->grant;
  table.retired.Retire(std::move(row));
  return g;
}

// Removes the grants `pick` selects, in issue order.
template <typename Pick>
std::vector<Grant> RemoveWhere(GrantTable* table, Pick pick) {
  std::vector<Grant> removed;
  if (table == nullptr) return removed;
  std::lock_guard<std::mutex> lock(table->mu);
  std::vector<std::pair<std::uint64_t, std::string>> ids;
  for (const auto& [id, row] : table->by_link) {
    if (pick(*row)) ids.emplace_back(row->serial, id);
  }
  std::sort(ids.begin(), ids.end());
  for (const auto& [serial, id] : ids) removed.push_back(Unlink(*table, table->by_link.find(id)));
  table->retired.Reclaim();
  return removed;
}

}  // namespace
}  // namespace writ::internal

namespace writ {

absl::Status Engine::AddGrant(const Grant& grant) {
  internal::CompiledEngine& ce = *impl_;
  if (ce.grants == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("failed to find a template with id `",
                                                   internal::Av(grant.link.template_id),
                                                   "`: the policy set has no templates"));
  }
  const absl::Time now = ce.options.clock ? ce.options.clock() : absl::Now();
  internal::GrantTable& table = *ce.grants;
  std::lock_guard<std::mutex> lock(table.mu);
  const internal::CompiledTemplate* tmpl = nullptr;
  if (absl::Status s = internal::CheckGrant(ce, grant, now, &tmpl); !s.ok()) return s;
  auto row = std::make_unique<internal::GrantRow>();
  row->tmpl = tmpl;
  row->serial = table.next_serial++;
  row->grant = grant;
  row->key = tmpl->principal_slot ? *grant.link.principal : *grant.link.resource;
  row->key_sym = ce.FindEntity(row->key);
  if (tmpl->resource_slot) row->resource_sym = ce.FindEntity(*grant.link.resource);
  internal::MergeWindow(*tmpl, row.get());
  internal::GrantRow* r = row.get();
  table.by_link.emplace(grant.link.link_id, std::move(row));
  internal::IndexOf(table, *tmpl).Insert(r, internal::ByAncestors(*tmpl), &table.retired);
  table.live.store(table.by_link.size(), std::memory_order_release);
  table.retired.Reclaim();
  return absl::OkStatus();
}

absl::StatusOr<Grant> Engine::RemoveGrant(std::string_view link_id) {
  internal::GrantTable* table = impl_->grants.get();
  if (table != nullptr) {
    std::lock_guard<std::mutex> lock(table->mu);
    if (auto it = table->by_link.find(absl::string_view(link_id.data(), link_id.size())); it != table->by_link.end()) {
      Grant g = internal::Unlink(*table, it);
      table->retired.Reclaim();
      return g;
    }
  }
  return absl::NotFoundError(absl::StrCat("no grant has the link id `", internal::Av(link_id), "`"));
}

std::vector<Grant> Engine::RemoveTask(std::string_view task) {
  if (task.empty()) return {};
  return internal::RemoveWhere(impl_->grants.get(), [&](const internal::GrantRow& r) { return r.grant.task == task; });
}

std::vector<Grant> Engine::RemoveExpiredGrants(absl::Time now) {
  return internal::RemoveWhere(impl_->grants.get(),
                               [&](const internal::GrantRow& r) { return r.expires && *r.expires <= now; });
}

std::vector<Grant> Engine::grants() const {
  std::vector<Grant> out;
  internal::GrantTable* table = impl_->grants.get();
  if (table == nullptr) return out;
  std::lock_guard<std::mutex> lock(table->mu);
  std::vector<const internal::GrantRow*> rows;
  rows.reserve(table->by_link.size());
  for (const auto& [id, row] : table->by_link) rows.push_back(row.get());
  std::sort(rows.begin(), rows.end(), [](auto* x, auto* y) { return x->serial < y->serial; });
  out.reserve(rows.size());
  for (const internal::GrantRow* r : rows) out.push_back(r->grant);
  return out;
}

std::size_t Engine::grant_count() const {
  return impl_->grants == nullptr ? 0 : impl_->grants->live.load(std::memory_order_acquire);
}

}  // namespace writ
