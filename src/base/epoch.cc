// Base: epoch-based reclamation (epoch.h). One process-wide epoch counter and
// one slot per thread, in blocks that are never freed; a thread takes a free
// slot on its first guard and gives it back when it exits.
#include "src/base/epoch.h"

#include <algorithm>
#include <limits>
#include <mutex>

namespace writ::internal {
namespace {

struct alignas(64) Slot {
  std::atomic<std::uint64_t> epoch{0};   // 0: outside any guard
  std::atomic<bool> taken{false};
};

struct Block {
  static constexpr int kSlots = 64;
  Slot slots[kSlots];
  std::atomic<Block*> next{nullptr};
};

struct Domain {
  std::atomic<std::uint64_t> epoch{1};
  Block first;
  std::mutex grow;   // appending a block

  Slot* Take() {
    for (Block* b = &first;; ) {
      for (Slot& s : b->slots) {
        bool expected = false;
        if (!s.taken.load(std::memory_order_relaxed) &&
            s.taken.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
          return &s;
        }
      }
      Block* next = b->next.load(std::memory_order_acquire);
      if (next == nullptr) {
        std::lock_guard<std::mutex> lock(grow);
        next = b->next.load(std::memory_order_acquire);
        if (next == nullptr) {
          next = new Block;   // lives as long as the process: readers may scan it
          b->next.store(next, std::memory_order_release);
        }
      }
      b = next;
    }
  }

  // The smallest epoch a reader inside a guard entered in, or max if none.
  std::uint64_t OldestReader() {
    std::uint64_t oldest = std::numeric_limits<std::uint64_t>::max();
    for (Block* b = &first; b != nullptr; b = b->next.load(std::memory_order_acquire)) {
      for (Slot& s : b->slots) {
        const std::uint64_t e = s.epoch.load(std::memory_order_seq_cst);
        if (e != 0) oldest = std::min(oldest, e);
      }
    }
    return oldest;
  }
};

Domain& TheDomain() {
  static Domain* d = new Domain;   // never destroyed: threads may exit after main
  return *d;
}

struct ThreadSlot {
  Slot* slot = TheDomain().Take();
  ~ThreadSlot() {
    slot->epoch.store(0, std::memory_order_release);
    slot->taken.store(false, std::memory_order_release);
  }
};

}  // namespace

EpochGuard::EpochGuard() {
  thread_local ThreadSlot mine;
  slot_ = &mine.slot->epoch;
  outer_ = slot_->load(std::memory_order_relaxed) == 0;
  // Published before any read it protects (seq_cst: a writer scanning after
  // its unlink either sees this slot or this reader sees the unlink).
  if (outer_) slot_->store(TheDomain().epoch.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
}

EpochGuard::~EpochGuard() {
  if (outer_) slot_->store(0, std::memory_order_release);
}

void RetireList::RetireErased(std::shared_ptr<const void> object) {
  // Readers that entered before this advance may hold the object; those
  // entering after it see it unlinked.
  const std::uint64_t retired_in = TheDomain().epoch.fetch_add(1, std::memory_order_seq_cst);
  items_.emplace_back(retired_in, std::move(object));
}

void RetireList::Reclaim(std::size_t batch) {
  if (items_.size() < std::max<std::size_t>(batch, 1)) return;
  const std::uint64_t oldest = TheDomain().OldestReader();
  // Items are in retirement order, so the freeable ones are a prefix.
  auto keep = std::find_if(items_.begin(), items_.end(), [&](const auto& item) { return item.first >= oldest; });
  items_.erase(items_.begin(), keep);
}

}  // namespace writ::internal
