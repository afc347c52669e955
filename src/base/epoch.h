// Base: epoch-based reclamation — lets one writer unlink and later free
// memory that readers on any thread may be reading, without readers taking a
// lock or writing shared cache lines.
//
// A reader brackets its reads with an EpochGuard: it records the global
// epoch in its thread's own slot on entry and clears it on exit (one store
// each). A writer unlinks an object (readers entering from then on cannot
// reach it), then Retire()s it; the object is freed by a later Reclaim()
// once every reader that was inside when it was retired has left. Objects
// are freed on the writer's thread; readers never free anything.
//
// Example:
//   { writ::internal::EpochGuard guard; const Table* t = table.load(); ... }
//   // writer, under its own mutex:
//   table.store(next); retired.Retire(std::move(old)); retired.Reclaim();
#ifndef WRIT_SRC_BASE_EPOCH_H_
#define WRIT_SRC_BASE_EPOCH_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace writ::internal {

// A reader's critical section. Guards nest (an inner one changes nothing).
class EpochGuard {
 public:
  EpochGuard();
  ~EpochGuard();
  EpochGuard(const EpochGuard&) = delete;
  EpochGuard& operator=(const EpochGuard&) = delete;

 private:
  std::atomic<std::uint64_t>* slot_;
  bool outer_;
};

// Objects unlinked by one writer (callers serialise), waiting to be freed.
class RetireList {
 public:
  RetireList() = default;
  ~RetireList() = default;   // frees everything: no reader may remain
  RetireList(const RetireList&) = delete;
  RetireList& operator=(const RetireList&) = delete;

  // Takes `object`, already unreachable for readers entering from now on.
  template <typename T, typename D>
  void Retire(std::unique_ptr<T, D> object) {
    if (object == nullptr) return;
    RetireErased(std::shared_ptr<const void>(std::move(object)));
  }
  // Frees what no reader can still hold; does nothing while fewer than
  // `batch` objects wait (scanning the readers costs a pass over threads).
  void Reclaim(std::size_t batch = 64);
  std::size_t waiting() const { return items_.size(); }

 private:
  void RetireErased(std::shared_ptr<const void> object);
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const void>>> items_;   // (epoch retired in, object)
};

}  // namespace writ::internal

#endif  // WRIT_SRC_BASE_EPOCH_H_
