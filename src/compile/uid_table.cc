// Compile: the uid table (see uid_table.h).
#include "src/compile/uid_table.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace writ::internal {
namespace {

// A fast 64-bit hash of a few dozen bytes (multiply-xorshift over 8-byte
// words, Murmur's finaliser at the end). Its quality bounds only probe
// lengths: every match is confirmed on the key bytes.
std::uint64_t Mix(std::uint64_t h, std::uint64_t v) {
  h = (h ^ v) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

// Loads with a constant size compile to single moves, not calls.
std::uint64_t Load8(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

std::uint32_t Load4(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

std::uint64_t HashBytes(std::string_view s, std::uint64_t h) {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) h = Mix(h, Load8(p + i));
  std::uint64_t tail = 0;
  auto byte = [p](std::size_t k) { return static_cast<std::uint64_t>(static_cast<unsigned char>(p[k])); };
  if (n >= 8) {
    tail = Load8(p + n - 8);   // the last 8 bytes, overlapping the loop's
  } else if (n >= 4) {         // the first and last 4, overlapping
    tail = Load4(p) | static_cast<std::uint64_t>(Load4(p + n - 4)) << 32;
  } else if (n > 0) {
    tail = byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16;
  }
  return Mix(h, tail ^ (static_cast<std::uint64_t>(n) << 56));
}

// Whether n bytes at a and b are equal: by words, the last one overlapping.
bool EqualBytes(const char* a, const char* b, std::size_t n) {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (Load8(a + i) != Load8(b + i)) return false;
    }
    return Load8(a + n - 8) == Load8(b + n - 8);
  }
  if (n >= 4) return Load4(a) == Load4(b) && Load4(a + n - 4) == Load4(b + n - 4);
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

std::uint64_t Finish(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

}  // namespace

UidTable::UidTable(std::size_t count) : slots_(std::bit_ceil(std::max<std::size_t>(16, 2 * count))) {}

std::uint64_t UidTable::Hash(const EntityUid& uid) {
  return Finish(HashBytes(uid.id, HashBytes(uid.type, 0x243F6A8885A308D3ull)));
}

bool UidTable::Matches(const Slot& s, std::uint64_t hash, const EntityUid& uid) const {
  if (s.tag != Tag(hash)) return false;
  if (s.type_len == kLongKey) {
    LongKey key;
    std::memcpy(&key, s.bytes, sizeof key);
    const char* bytes = long_bytes_.data() + key.offset;
    return key.type_size == uid.type.size() && key.id_size == uid.id.size() &&
           EqualBytes(bytes, uid.type.data(), uid.type.size()) &&
           EqualBytes(bytes + uid.type.size(), uid.id.data(), uid.id.size());
  }
  return s.type_len == uid.type.size() && s.id_len == uid.id.size() &&
         EqualBytes(s.bytes, uid.type.data(), s.type_len) &&
         EqualBytes(s.bytes + s.type_len, uid.id.data(), s.id_len);
}

void UidTable::Insert(const EntityUid& uid, std::uint32_t value) {
  const std::uint64_t hash = Hash(uid);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash & mask;
  while (slots_[i].value != kMissing) i = (i + 1) & mask;
  Slot& s = slots_[i];
  s.tag = Tag(hash);
  s.value = value;
  if (uid.type.size() + uid.id.size() <= kInline) {
    s.type_len = static_cast<std::uint16_t>(uid.type.size());
    s.id_len = static_cast<std::uint16_t>(uid.id.size());
    std::memcpy(s.bytes, uid.type.data(), uid.type.size());
    std::memcpy(s.bytes + uid.type.size(), uid.id.data(), uid.id.size());
    return;
  }
  const LongKey key{.offset = long_bytes_.size(), .type_size = uid.type.size(), .id_size = uid.id.size()};
  long_bytes_ += uid.type;
  long_bytes_ += uid.id;
  s.type_len = kLongKey;
  std::memcpy(s.bytes, &key, sizeof key);
}

std::uint32_t UidTable::Find(const EntityUid& uid) const {
  const std::uint64_t hash = Hash(uid);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.value == kMissing) return kMissing;
    if (Matches(s, hash, uid)) return s.value;
  }
}

}  // namespace writ::internal
