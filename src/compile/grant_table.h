// Compile: the run-time grants of an engine (writ/grants.h) — rows that link
// a compiled template, found by the uid in their key slot, added and removed
// by one writer at a time while deciders read without locking.
//
// Rows are kept in two hashed indexes: by the ?principal value (templates
// with a principal slot) and by the ?resource value (templates with only a
// resource slot). A bucket is an immutable array of rows; a change publishes
// a new array and retires the old one (src/base/epoch.h), and a growing
// index publishes a new table of buckets. Deciders read inside an
// EpochGuard.
#ifndef WRIT_SRC_COMPILE_GRANT_TABLE_H_
#define WRIT_SRC_COMPILE_GRANT_TABLE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "src/base/epoch.h"
#include "src/compile/uid_table.h"
#include "writ/grants.h"
#include "writ/value.h"

namespace writ::internal {

struct CompiledTemplate;
struct GrantRow;

// One live grant: its template, its key uid, the slot values as the
// decider compares them, and its window (the grant's within the template's).
struct GrantRow {
  const CompiledTemplate* tmpl = nullptr;
  std::uint64_t serial = 0;              // issue order: reason order among grants
  EntityUid key;                         // ?principal's value, or ?resource's for resource-only templates
  std::uint32_t key_sym = UidTable::kMissing;        // the key as the engine's symbol, if it has one
  std::uint32_t resource_sym = UidTable::kMissing;   // ?resource's value as the engine's symbol, if it has one
  std::optional<absl::Time> not_before, expires;
  Grant grant;
};

// Rows by key uid. Readers: Find, inside an EpochGuard. Writer: the rest.
//
// A key the engine has a symbol for (an entity of the store, or a uid its
// policies name) is found by that symbol, hashed without touching the uid;
// another key by the uid's hash and text. Whether a uid has a symbol is
// fixed when the engine is compiled, so the grant and the request agree.
class GrantIndex {
 public:
  static constexpr std::uint32_t kNoSym = UidTable::kMissing;   // compiled.h's kNoSym

  GrantIndex();
  ~GrantIndex();
  GrantIndex(const GrantIndex&) = delete;
  GrantIndex& operator=(const GrantIndex&) = delete;

  // The hash a key is filed under: its symbol's, or (kNoSym) its uid's.
  static std::uint64_t KeyHash(std::uint32_t sym, const EntityUid& uid);

  // What a decider reads of a row to tell whether it applies, beside the
  // key, so that rows that do not apply are never touched.
  struct Entry {
    std::uint64_t hash;
    std::uint32_t sym;
    std::uint32_t resource_sym;        // GrantRow::resource_sym
    const CompiledTemplate* tmpl;
    const GrantRow* row;
    bool timed;                        // the row has a window
  };

  // Calls f(entry) for each row whose key is `uid`, whose symbol is `sym`
  // (kNoSym: none) and KeyHash `hash`, in issue order.
  template <typename F>
  void Find(const EntityUid& uid, std::uint32_t sym, std::uint64_t hash, F&& f) const {
    if (rows_.load(std::memory_order_acquire) == 0) return;
    const Table* t = table_.load(std::memory_order_acquire);
    const Bucket* b = t->buckets[hash & t->mask].load(std::memory_order_acquire);
    if (b == nullptr) return;
    for (std::uint32_t i = 0; i < b->size; ++i) {
      const Entry& e = b->entries[i];
      if (e.sym != sym || e.hash != hash) continue;
      if (sym == kNoSym && !(e.row->key == uid)) continue;
      f(e);
    }
  }

  // Starts loading the bucket slot a Find for `hash` reads.
  void Prefetch(std::uint64_t hash) const {
    if (rows_.load(std::memory_order_relaxed) == 0) return;
    const Table* t = table_.load(std::memory_order_acquire);
    __builtin_prefetch(&t->buckets[hash & t->mask]);
  }

  // Whether some row may be found under an ancestor of the request's
  // entity (its template's slot is `in ?x` or `is T in ?x`).
  bool has_ancestor_rows() const { return ancestor_rows_.load(std::memory_order_acquire) != 0; }

  // `by_ancestors`: the row's template finds it under ancestors too.
  void Insert(const GrantRow* row, bool by_ancestors, RetireList* retired);
  void Erase(const GrantRow* row, bool by_ancestors, RetireList* retired);

 private:
  // An immutable array of entries in issue order, in one allocation.
  struct Bucket {
    std::uint32_t size;
    Entry entries[1];   // `size` of them
    static Bucket* Make(std::uint32_t size);
    struct Free {
      void operator()(const Bucket* b) const;
    };
  };
  using BucketPtr = std::unique_ptr<const Bucket, Bucket::Free>;
  struct Table {
    explicit Table(std::size_t size);
    ~Table();
    std::size_t mask;
    std::unique_ptr<std::atomic<const Bucket*>[]> buckets;
  };
  void Publish(std::atomic<const Bucket*>& slot, Bucket* next, RetireList* retired);
  void Grow(RetireList* retired);

  std::atomic<const Table*> table_;
  std::atomic<std::size_t> rows_{0};
  std::atomic<std::size_t> ancestor_rows_{0};
};

// Every grant of an engine.
struct GrantTable {
  GrantIndex by_principal, by_resource;
  std::atomic<std::size_t> live{0};   // deciders skip the indexes while 0

  // The writer's side, under `mu`.
  std::mutex mu;
  absl::flat_hash_map<std::string, std::unique_ptr<GrantRow>> by_link;
  std::uint64_t next_serial = 0;
  RetireList retired;
};

}  // namespace writ::internal

#endif  // WRIT_SRC_COMPILE_GRANT_TABLE_H_
