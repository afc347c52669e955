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
#ifndef WRIT_ENGINE_H_
#define WRIT_ENGINE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "writ/authorize.h"
#include "writ/entities.h"
#include "writ/policy_set.h"
#include "writ/request.h"

namespace writ {

namespace internal {
struct CompiledEngine;
}

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
  static absl::StatusOr<std::unique_ptr<const Engine>> Compile(const PolicySet& policies,
                                                                Entities entities = {},
                                                                const DecideOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Decides `request` against the compiled policies and entity store. Safe to
  // call from many threads at once: it takes no lock and throws nothing.
  // `out` is overwritten; its vectors keep their capacity, so a caller that
  // reuses one Decision does not allocate once warmed up, unless a policy
  // errors (the error message is built then).
  void Decide(const Request& request, Decision* out) const;
  Decision Decide(const Request& request) const;

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

  // The number of compiled (static and linked) policies, and of entities in
  // the store.
  std::size_t policy_count() const;
  std::size_t entity_count() const;

  // A readable dump of the compiled form: the symbol tables, the scope index
  // (principal key, then action key, then the policies with their residual
  // resource check) and each policy's lowered conditions.
  std::string Dump() const;

 private:
  explicit Engine(std::unique_ptr<internal::CompiledEngine> impl);
  std::unique_ptr<internal::CompiledEngine> impl_;
};

}  // namespace writ

#endif  // WRIT_ENGINE_H_
