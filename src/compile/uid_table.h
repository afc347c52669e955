// Compile: the table from entity uid to symbol that every decision consults
// three times (principal, action, resource). An open-addressing table whose
// 64-byte slots hold the key's bytes inline when they fit (type and id
// together up to 52 bytes: most SPIFFE ids), so a lookup reads one cache line
// instead of a hash slot and then the id's heap string, which is what large
// inventories pay for in a node-keyed map. Longer keys are kept end to end
// in one buffer: a lookup reads the slot and then one run of bytes.
#ifndef WRIT_SRC_COMPILE_UID_TABLE_H_
#define WRIT_SRC_COMPILE_UID_TABLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "writ/value.h"

namespace writ::internal {

class UidTable {
 public:
  static constexpr std::uint32_t kMissing = 0xFFFFFFFFu;

  // Builds the table for `count` uids; then Insert each once.
  explicit UidTable(std::size_t count = 0);
  void Insert(const EntityUid& uid, std::uint32_t value);
  // The value inserted for `uid`, or kMissing.
  std::uint32_t Find(const EntityUid& uid) const;

 private:
  static constexpr std::size_t kInline = 52;
  static constexpr std::uint16_t kLongKey = 0xFFFF;   // Slot::type_len of a key in long_bytes_
  struct alignas(64) Slot {
    std::uint32_t tag = 0;            // the hash's high half (the low half picks the slot)
    std::uint32_t value = kMissing;   // kMissing: the slot is empty
    std::uint16_t type_len = 0;       // kLongKey: a key longer than kInline, whose
    std::uint16_t id_len = 0;         // `bytes` hold a LongKey
    char bytes[kInline] = {};
  };
  // Where a long key's type and id bytes are in long_bytes_ (one after the
  // other, so that confirming a match reads one run of memory).
  struct LongKey {
    std::uint64_t offset = 0;
    std::uint64_t type_size = 0, id_size = 0;
  };
  static_assert(sizeof(Slot) == 64);
  static_assert(sizeof(LongKey) <= kInline);
  static std::uint64_t Hash(const EntityUid& uid);
  static std::uint32_t Tag(std::uint64_t hash) { return static_cast<std::uint32_t>(hash >> 32); }
  bool Matches(const Slot& s, std::uint64_t hash, const EntityUid& uid) const;

  std::vector<Slot> slots_;    // a power of two, at most half full
  std::string long_bytes_;
};

}  // namespace writ::internal

#endif  // WRIT_SRC_COMPILE_UID_TABLE_H_
