// writ/engine.h — the compiled engine: a policy set and an entity store
// compiled once into an immutable index, then asked for decisions from any
// number of threads.
//
// Decisions are exactly those of the reference `writ::Authorize` (same
// decision, reasons and errors, messages included); a differential test holds
// the two together on Cedar's corpus and on random policies.
//
// Example:
//   absl::StatusOr<std::unique_ptr<const writ::Engine>> engine =
//       writ::Engine::Compile(policies, std::move(entities));
//   writ::Decision d;
//   (*engine)->Decide(request, &d);   // reuses d's storage
//
//   writ::PreparedRequest prepared;    // a service's hot loop: prepare once,
//   if ((*engine)->Prepare(request, &prepared).ok()) {   // decide from slots
//     (*engine)->Decide(prepared, &d);
//   }
#ifndef WRIT_ENGINE_H_
#define WRIT_ENGINE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "writ/authorize.h"
#include "writ/entities.h"
#include "writ/grants.h"
#include "writ/policy_set.h"
#include "writ/request.h"

namespace writ {

namespace internal {
struct CompiledEngine;
struct PreparedAccess;
}

// A request bound to one compiled Engine (Engine::Prepare), decided with
// Engine::Decide(const PreparedRequest&, ...): its principal, action and
// resource are resolved to the engine's symbols once, the context attributes
// and paths the engine's policies read (`context.name`, `context has name`,
// `context.name.inner`) are found in one pass over the context into flat
// slots, and the engine's
// precomputed candidate policies for its principal and action are looked up,
// so that deciding never hashes a uid, searches the context or scans the
// index.
//
// Lifetime: a PreparedRequest BORROWS from the Request it was prepared from
// (its uids, its context's values, its time): that Request must outlive the
// PreparedRequest's use and must not change meanwhile (re-prepare after a
// change). It holds no reference to the Engine beyond its identity: deciding
// it with another engine, or one never prepared (or whose Prepare failed), is
// denied with an error (Decision::errors, naming no policy), never a crash.
//
// Size: 128 bytes on 64-bit targets. Each context attribute the policies read
// (`context.a`, and paths such as `context.a.b`) has a slot of one word: a
// long, a boolean or a string of at most 7 bytes is copied into it (so that
// deciding compares it without reading the Request), any other value is
// borrowed. Up to kInlineSlots slots are held inline; an engine whose
// policies read more keeps them in a buffer the object owns and reuses, so
// preparing into the same object again does not allocate once it has held as
// many. Copyable and movable (a copy borrows from the same Request).
class PreparedRequest {
 public:
  static constexpr std::size_t kInlineSlots = 6;

  PreparedRequest() = default;
  PreparedRequest(const PreparedRequest& other);
  PreparedRequest(PreparedRequest&& other) noexcept;
  PreparedRequest& operator=(const PreparedRequest& other);
  PreparedRequest& operator=(PreparedRequest&& other) noexcept;
  ~PreparedRequest() = default;

  // The request it borrows from (null until prepared).
  const Request* request() const { return request_; }
  // The number of context slots: the distinct context attributes and paths
  // the preparing engine's policies read (0 until prepared).
  std::size_t slot_count() const { return slot_count_; }

 private:
  friend struct internal::PreparedAccess;
  void CopyInline(const PreparedRequest& other);   // everything but spill_
  // spill_, grown to hold `slots` slots (their words, then their kinds).
  std::uint64_t* Spill(std::uint32_t slots);

  std::uint64_t engine_ = 0;             // the preparing engine's identity; 0: not prepared
  const Request* request_ = nullptr;
  std::uint32_t syms_[3] = {};           // principal, action, resource: the engine's symbols
  std::uint32_t types_[3] = {};          // and their entity types' symbols
  // The engine's precomputed candidates for the request: two runs of its
  // candidate table (the generic and the principal's own, begin and size).
  std::uint32_t candidates_[4] = {};
  std::uint32_t slot_count_ = 0;
  std::uint32_t spill_words_ = 0;        // the size of spill_
  // Slot i: how the i-th context path read is held (internal::ScalarKind),
  // and its word. Past kInlineSlots, every slot is in spill_: the words,
  // then the kinds packed eight to a word.
  std::uint8_t inline_kinds_[kInlineSlots] = {};
  // 1: read from JSON text without building the context (writ::DecideJson's
  // path), so a policy that needs the context itself is decided again from
  // the Request.
  std::uint8_t lean_ = 0;
  std::uint64_t inline_words_[kInlineSlots] = {};
  std::unique_ptr<std::uint64_t[]> spill_;
};

class Engine {
 public:
  // Compiles every static and template-linked policy of `policies`
  // (templates themselves are skipped, as the reference authorizer skips
  // them; a template's links share its lowered conditions, so each link adds
  // only index rows) and the entity store `entities`, whose
  // ancestor sets are computed here once. The policy set may be destroyed
  // afterwards. `options` (clock, fail_closed, revocation list) hold for
  // every decision, as for `writ::Authorize`. Fails on an entity hierarchy
  // with a cycle (InvalidArgument, naming the entities on it) and past a
  // documented bound (writ/limits.h).
  static absl::StatusOr<std::unique_ptr<Engine>> Compile(const PolicySet& policies, Entities entities = {},
                                                          const DecideOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Decides `request` against the compiled policies and entity store. Safe to
  // call from many threads at once: it takes no lock and throws nothing.
  // `out` is overwritten; its vectors keep their capacity, so a caller that
  // reuses one Decision does not allocate once warmed up, unless a policy
  // errors (the error message is built then). A request with a chain
  // (Request::chain) is decided once per identity, as writ::Authorize
  // decides it, and sets Decision::denied_by; that path copies the context.
  // A Request is prepared internally (into a per-thread PreparedRequest) and
  // decided as Decide(const PreparedRequest&, ...) decides it.
  void Decide(const Request& request, Decision* out) const;
  Decision Decide(const Request& request) const;

  // Prepares `request` for deciding with this engine into `out`, reusing its
  // storage (see PreparedRequest: `out` borrows from `request`). Safe to call
  // from many threads at once. Refuses a request with a chain
  // (InvalidArgument: decide it with Decide(const Request&, ...), which
  // decides each identity), leaving `out` unprepared. Per-request entities
  // are not part of a prepared request: Decide(request, request_entities,
  // ...) keeps its own path. Unknown uids (an entity not in the store) and a
  // context without an attribute the policies read are prepared as they are,
  // and decided exactly as Decide(const Request&, ...) decides them.
  absl::Status Prepare(const Request& request, PreparedRequest* out) const;

  // Decides a request prepared by this engine: the same decision as
  // Decide(*request.request(), out). Takes no lock, throws nothing, does not
  // hash a uid nor search the context, and does not allocate once `out` is
  // warmed up, unless a policy errors. A request prepared by another engine,
  // or not prepared, is denied with an error naming no policy.
  void Decide(const PreparedRequest& request, Decision* out) const;

  // As above, with per-request entities layered over the store: an entity in
  // `request_entities` replaces the store's entity with the same uid, for
  // attributes, tags and the hierarchy. This path computes ancestors on
  // demand, so it allocates.
  void Decide(const Request& request, const Entities& request_entities, Decision* out) const;

  // Decides many requests that share the same per-request entities (which may
  // be empty), reusing the work done on those entities between requests.
  // `out` is resized to requests.size(); decision i is for request i.
  void DecideBatch(absl::Span<const Request> requests, const Entities& request_entities,
                   std::vector<Decision>* out) const;

  // Run-time grants (writ/grants.h): links of the compiled templates made
  // and removed while other threads decide. Each change takes effect for
  // every decision that starts after it returns; deciders never wait for it
  // (they take no lock), and changes serialise among themselves. A removed
  // or expired grant's memory is reclaimed once no decision can still be
  // reading it.
  //
  // AddGrant refuses, changing nothing: as PolicySet::Link does, a link of
  // no template, a missing or extra slot, or a link id taken by a policy,
  // template, link or live grant (InvalidArgument, with Cedar's message);
  // an empty link id, or a link id, owner, reason or task longer than
  // kMaxGrantFieldBytes; a window that is empty (expires at or before
  // not_before) or already over; past DecideOptions::grant_limits, a window
  // longer than max_window or without expires when max_window is set
  // (InvalidArgument) and a grant past max_grants (ResourceExhausted).
  // "Now" for these checks is DecideOptions::clock, or the system clock.
  absl::Status AddGrant(const Grant& grant);
  // Removes the grant `link_id`; returns it, or NotFound.
  absl::StatusOr<Grant> RemoveGrant(std::string_view link_id);
  // Removes every grant of `task` (a task closed); returns them, in issue
  // order (none: an empty vector).
  std::vector<Grant> RemoveTask(std::string_view task);
  // Removes the grants whose expires is at or before `now` (they already
  // match nothing; this reclaims them); returns them, in issue order.
  std::vector<Grant> RemoveExpiredGrants(absl::Time now);
  // The grants held, in issue order, and their number.
  std::vector<Grant> grants() const;
  std::size_t grant_count() const;

  // The number of compiled (static and linked) policies, and of entities in
  // the store.
  std::size_t policy_count() const;
  std::size_t entity_count() const;

  // A readable dump of the compiled form: the symbol tables, the scope index
  // (principal key, then action key, then the policies with their residual
  // resource check) and each policy's lowered conditions.
  std::string Dump() const;

 private:
  friend struct internal::PreparedAccess;
  explicit Engine(std::unique_ptr<internal::CompiledEngine> impl);
  std::unique_ptr<internal::CompiledEngine> impl_;
};

}  // namespace writ

#endif  // WRIT_ENGINE_H_
