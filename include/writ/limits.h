// writ/limits.h — the documented bounds on every input. Past a bound, the
// input is rejected with a clear error; nothing is truncated silently and
// nothing recurses without limit.
#ifndef WRIT_LIMITS_H_
#define WRIT_LIMITS_H_

#include <cstddef>

namespace writ {

// Policy text: bytes per source, and nesting of brackets/parentheses/braces
// and of expressions (checked before the parser recurses).
inline constexpr std::size_t kMaxPolicyTextBytes = 64u << 20;
inline constexpr int kMaxExpressionDepth = 128;
// Height of an expression tree, which long operator chains (`a || b || ...`)
// grow without brackets.
inline constexpr int kMaxExpressionHeight = 1024;
// Policies per policy set.
inline constexpr std::size_t kMaxPolicies = 1'000'000;

// JSON documents (entities, requests, contexts): bytes per document and
// nesting of arrays/objects (checked before the reader recurses).
inline constexpr std::size_t kMaxJsonBytes = 256u << 20;
inline constexpr int kMaxJsonDepth = 128;

// Schemas (either form): bytes per schema text, and nesting of types
// (records and sets inside each other, counted through common types).
inline constexpr std::size_t kMaxSchemaBytes = 16u << 20;
inline constexpr int kMaxSchemaDepth = 64;
// Schemas: size of the ancestor closures derived from `in` (entity types'
// memberOfTypes and action groups), counted as (type or action, ancestor)
// pairs summed over the schema, each parent link followed while deriving them
// counting once. A chain of n types implies n(n-1)/2 pairs, so this bounds
// both the memory (about 100 bytes a pair) and the time of a hierarchy that
// fits in kMaxSchemaBytes; past it, loading stops with an issue at the
// declaration being expanded. Real schemas use a few thousand at most.
inline constexpr std::size_t kMaxSchemaAncestorPairs = 1u << 20;
// Schemas: issues reported for one schema text; past it, one more says the
// rest are left out (the first are enough to fix, and a generated schema of
// a million mistakes must not hold a million issues).
inline constexpr std::size_t kMaxSchemaIssues = 100;

// writ's `spiffe` extension type: the SPIFFE-ID standard's bounds on a whole
// ID and on its trust domain. A `pathMatches` pattern is at most as long as
// an ID (a longer one is invalid), so matching is bounded by both.
inline constexpr std::size_t kMaxSpiffeIdBytes = 2048;
inline constexpr std::size_t kMaxTrustDomainBytes = 255;

// `.matches("re")`: memory budget of one compiled regular expression (RE2's
// max_mem: its program and its DFA cache). A pattern that needs more is a
// compile issue at its location; matching never needs more (RE2 falls back
// to a slower, still linear-time, engine when its cache fills).
inline constexpr std::size_t kMaxRegexMemoryBytes = 1u << 20;

// Revocation: distinct uids a RevocationList has ever held (revoked or
// restored); past it, Revoke fails.
inline constexpr std::size_t kMaxRevocationUids = 1u << 22;

// Entity hierarchy: parents per entity are unbounded by count but the
// hierarchy must be finite (no cycle) and at most kMaxHierarchyDepth parent
// links deep (a chain of kMaxHierarchyDepth + 1 entities; real hierarchies
// are a few to a few dozen deep). Reading entities (EntitiesFromJson) and
// building an engine (Engine::Compile) refuse a deeper one, naming the
// entity. The compiled engine keeps each entity's ancestors; a chain of n
// has n(n-1)/2 of them, so the depth bound keeps a chain's closure to half a
// million (about 2 MB), built in milliseconds; and kMaxHierarchyAncestors
// bounds the sum over all entities (4 bytes each: 256 MiB), which only very
// wide and deep hierarchies together approach.
inline constexpr std::size_t kMaxHierarchyDepth = 1000;
inline constexpr std::size_t kMaxHierarchyAncestors = std::size_t{1} << 26;

// Run-time grants (writ/grants.h): live grants an engine holds unless
// GrantLimits says fewer (each is a few hundred bytes), and the bytes of a
// grant's link id, owner, reason and task each.
inline constexpr std::size_t kMaxGrants = 1'000'000;
inline constexpr std::size_t kMaxGrantFieldBytes = 1024;

// Identity chains (Request::chain): the identities a principal may act
// through, besides itself (OAuth token exchange nests `act` claims a few
// deep).
inline constexpr std::size_t kMaxChainLength = 16;

}  // namespace writ

#endif  // WRIT_LIMITS_H_
