// writ/revocation.h — instant revocation: a set of revoked entity uids
// (credentials, workloads, agents) that every decision consults first.
//
// A request is denied as revoked — Decision::revoked, before any policy is
// considered — when its principal, any ancestor of the principal, or the
// entity that `context.credential` refers to is in the list.
//
// Revoke and Restore take effect for every decision that starts after they
// return, on every thread, without recompiling and without blocking
// deciders: readers never lock (writers serialise among themselves). One list
// may be shared by several engines (the old and the new across a reload).
//
// Example:
//   auto revoked = std::make_shared<writ::RevocationList>();
//   writ::DecideOptions options;
//   options.revoked = revoked;
//   auto engine = writ::Engine::Compile(policies, entities, options);
//   revoked->Revoke({"Credential", "key-42"});   // the next decision sees it
#ifndef WRIT_REVOCATION_H_
#define WRIT_REVOCATION_H_

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "writ/issue.h"
#include "writ/value.h"

namespace writ {

class RevocationList {
 public:
  RevocationList();
  ~RevocationList();
  RevocationList(const RevocationList&) = delete;
  RevocationList& operator=(const RevocationList&) = delete;

  // Revokes `uid` (again: no change). ResourceExhausted past
  // kMaxRevocationUids distinct uids (writ/limits.h).
  absl::Status Revoke(const EntityUid& uid);
  // Restores `uid`; returns whether it was revoked.
  bool Restore(const EntityUid& uid);
  // Whether `uid` is revoked. Lock-free.
  bool Contains(const EntityUid& uid) const { return Contains(uid, Hash(uid)); }
  // The same, with `uid`'s Hash computed beforehand (engines keep the hashes
  // of their entities); `uid` is read only if an entry has the same hash.
  bool Contains(const EntityUid& uid, std::size_t hash) const;
  static std::size_t Hash(const EntityUid& uid);
  // How many uids are revoked now.
  std::size_t size() const { return count_.load(std::memory_order_acquire); }
  // The revoked uids, in no particular order.
  std::vector<EntityUid> List() const;

  // Reads a revocation file: one uid per line in Cedar's `Type::"id"` form;
  // blank lines and lines starting with `#` are ignored. Every bad line is an
  // issue with its line and column; on any, nothing is returned.
  static absl::StatusOr<std::shared_ptr<RevocationList>> FromText(std::string_view text,
                                                                  std::string_view source_name,
                                                                  std::vector<Issue>* issues);

 private:
  struct Table;
  struct Slot;
  Slot* FindLocked(const EntityUid& uid, bool insert);

  std::mutex mu_;                          // writers
  std::atomic<const Table*> table_;        // readers' view
  std::vector<std::unique_ptr<Table>> tables_;   // the current one last; older ones stay readable
  std::deque<EntityUid> keys_;             // every uid ever held, at stable addresses
  std::atomic<std::size_t> count_{0};
};

}  // namespace writ

#endif  // WRIT_REVOCATION_H_
