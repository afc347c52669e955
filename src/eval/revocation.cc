// Eval: the revocation list (see writ/revocation.h).
//
// An open-addressing table of uid pointers, at most half full, that readers
// probe without locking: a slot's key is written once (release) and never
// changes, its `revoked` flag flips atomically. Keys live in `keys_` for the
// list's lifetime, so a pointer a reader loaded stays valid. Growing copies
// the slots into a table twice the size and publishes it; the old table stays
// readable (retired with the list), so the tables take at most twice the
// memory of the newest.
#include "writ/revocation.h"

#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "src/base/source.h"
#include "src/base/strings.h"
#include "src/parse/parser.h"
#include "writ/limits.h"

namespace writ {

struct RevocationList::Slot {
  std::atomic<const EntityUid*> key{nullptr};   // set once, after `hash`
  std::atomic<std::size_t> hash{0};
  std::atomic<bool> revoked{false};
};

struct RevocationList::Table {
  explicit Table(std::size_t capacity) : mask(capacity - 1), slots(new Slot[capacity]) {}
  std::size_t mask;
  std::unique_ptr<Slot[]> slots;
  std::size_t used = 0;
};

std::size_t RevocationList::Hash(const EntityUid& uid) { return absl::Hash<EntityUid>{}(uid); }

RevocationList::RevocationList() {
  tables_.push_back(std::make_unique<Table>(16));
  table_.store(tables_.back().get(), std::memory_order_release);
}

RevocationList::~RevocationList() = default;

bool RevocationList::Contains(const EntityUid& uid, std::size_t hash) const {
  if (count_.load(std::memory_order_acquire) == 0) return false;
  const Table* t = table_.load(std::memory_order_acquire);
  for (std::size_t i = hash & t->mask;; i = (i + 1) & t->mask) {
    const EntityUid* key = t->slots[i].key.load(std::memory_order_acquire);
    if (key == nullptr) return false;
    if (t->slots[i].hash.load(std::memory_order_relaxed) == hash && *key == uid) {
      return t->slots[i].revoked.load(std::memory_order_acquire);
    }
  }
}

RevocationList::Slot* RevocationList::FindLocked(const EntityUid& uid, bool insert) {
  Table* t = tables_.back().get();
  const std::size_t hash = Hash(uid);
  std::size_t i = hash & t->mask;
  for (;; i = (i + 1) & t->mask) {
    const EntityUid* key = t->slots[i].key.load(std::memory_order_relaxed);
    if (key == nullptr) break;
    if (*key == uid) return &t->slots[i];
  }
  if (!insert || keys_.size() >= kMaxRevocationUids) return nullptr;
  if (2 * (t->used + 1) > t->mask + 1) {
    // Grow: copy every slot into a table twice the size, then publish it.
    auto bigger = std::make_unique<Table>(2 * (t->mask + 1));
    for (std::size_t k = 0; k <= t->mask; ++k) {
      const EntityUid* key = t->slots[k].key.load(std::memory_order_relaxed);
      if (key == nullptr) continue;
      const std::size_t key_hash = t->slots[k].hash.load(std::memory_order_relaxed);
      std::size_t j = key_hash & bigger->mask;
      while (bigger->slots[j].key.load(std::memory_order_relaxed) != nullptr) j = (j + 1) & bigger->mask;
      bigger->slots[j].revoked.store(t->slots[k].revoked.load(std::memory_order_relaxed), std::memory_order_relaxed);
      bigger->slots[j].hash.store(key_hash, std::memory_order_relaxed);
      bigger->slots[j].key.store(key, std::memory_order_relaxed);
    }
    bigger->used = t->used;
    tables_.push_back(std::move(bigger));
    t = tables_.back().get();
    table_.store(t, std::memory_order_release);
    for (i = hash & t->mask; t->slots[i].key.load(std::memory_order_relaxed) != nullptr;) {
      i = (i + 1) & t->mask;
    }
  }
  keys_.push_back(uid);
  ++t->used;
  t->slots[i].hash.store(hash, std::memory_order_relaxed);
  t->slots[i].key.store(&keys_.back(), std::memory_order_release);
  return &t->slots[i];
}

absl::Status RevocationList::Revoke(const EntityUid& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  Slot* slot = FindLocked(uid, /*insert=*/true);
  if (slot == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("too many revoked uids: a revocation list holds at most ", kMaxRevocationUids));
  }
  if (!slot->revoked.exchange(true, std::memory_order_acq_rel)) count_.fetch_add(1, std::memory_order_acq_rel);
  return absl::OkStatus();
}

bool RevocationList::Restore(const EntityUid& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  Slot* slot = FindLocked(uid, /*insert=*/false);
  if (slot == nullptr || !slot->revoked.exchange(false, std::memory_order_acq_rel)) return false;
  count_.fetch_sub(1, std::memory_order_acq_rel);
  return true;
}

std::vector<EntityUid> RevocationList::List() const {
  std::vector<EntityUid> out;
  const Table* t = table_.load(std::memory_order_acquire);
  for (std::size_t k = 0; k <= t->mask; ++k) {
    const EntityUid* key = t->slots[k].key.load(std::memory_order_acquire);
    if (key != nullptr && t->slots[k].revoked.load(std::memory_order_acquire)) out.push_back(*key);
  }
  return out;
}

absl::StatusOr<std::shared_ptr<RevocationList>> RevocationList::FromText(std::string_view text,
                                                                         std::string_view source_name,
                                                                         std::vector<Issue>* issues) {
  std::vector<Issue> local;
  if (issues == nullptr) issues = &local;
  if (text.size() > kMaxPolicyTextBytes) {
    Issue issue;
    issue.file = std::string(source_name);
    issue.message = absl::StrCat("a revocation file holds at most ", kMaxPolicyTextBytes, " bytes");
    issues->push_back(std::move(issue));
    return absl::ResourceExhaustedError(issues->back().message);
  }
  const internal::SourceFile file(source_name, text);
  auto list = std::make_shared<RevocationList>();
  const std::size_t before = issues->size();
  std::size_t begin = 0;
  while (begin <= text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    // Trim spaces and a CR; remember where the uid starts for the column.
    std::size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#') {
      const std::size_t last = line.find_last_not_of(" \t\r");
      const std::string_view uid_text = line.substr(first, last - first + 1);
      const auto at = static_cast<std::uint32_t>(begin + first);
      const internal::Span span{at, static_cast<std::uint32_t>(at + uid_text.size())};
      if (std::optional<EntityUid> uid = internal::ParseEntityUid(uid_text)) {
        if (absl::Status s = list->Revoke(*uid); !s.ok()) {
          issues->push_back(file.MakeIssue(span, std::string(s.message())));
          break;
        }
      } else {
        issues->push_back(file.MakeIssue(span, absl::StrCat("`", internal::Av(uid_text), "` is not an entity uid"),
                                         Severity::kError, "write one uid per line as Type::\"id\""));
      }
    }
    if (end == text.size()) break;
    begin = end + 1;
  }
  if (issues->size() > before) return absl::InvalidArgumentError(absl::StrCat(internal::Av(source_name), ": ", (*issues)[before].message));
  return list;
}

}  // namespace writ
