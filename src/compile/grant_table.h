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
#include "writ/grants.h"
#include "writ/value.h"

namespace writ::internal {

struct CompiledTemplate;

// One live grant: its template, its key uid, the slot values as the
// decider compares them, and its window (the grant's within the template's).
struct GrantRow {
  const CompiledTemplate* tmpl = nullptr;
  std::uint64_t serial = 0;              // issue order: reason order among grants
  EntityUid key;                         // ?principal's value, or ?resource's for resource-only templates
  std::size_t key_hash = 0;              // RevocationList::Hash(key)
  std::uint32_t resource_sym = 0xFFFFFFFF;   // ?resource's value as the engine's symbol, if it has one
  std::optional<absl::Time> not_before, expires;
  Grant grant;
};

// Rows by key uid. Readers: Find, inside an EpochGuard. Writer: the rest.
class GrantIndex {
 public:
  GrantIndex();
  ~GrantIndex();
  GrantIndex(const GrantIndex&) = delete;
  GrantIndex& operator=(const GrantIndex&) = delete;

  // Calls f(row) for each row whose key is `uid` (hash `hash`), in issue order.
  template <typename F>
  void Find(const EntityUid& uid, std::size_t hash, F&& f) const {
    const Table* t = table_.load(std::memory_order_acquire);
    const Bucket* b = t->buckets[hash & t->mask].load(std::memory_order_acquire);
    if (b == nullptr) return;
    for (const GrantRow* row : b->rows) {
      if (row->key_hash == hash && row->key == uid) f(*row);
    }
  }

  void Insert(const GrantRow* row, RetireList* retired);
  void Erase(const GrantRow* row, RetireList* retired);

 private:
  struct Bucket {
    std::vector<const GrantRow*> rows;   // issue order
  };
  struct Table {
    explicit Table(std::size_t size);
    ~Table();
    std::size_t mask;
    std::unique_ptr<std::atomic<const Bucket*>[]> buckets;
  };
  void Grow(RetireList* retired);

  std::atomic<const Table*> table_;
  std::size_t rows_ = 0;
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
