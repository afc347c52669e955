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

// Revocation: distinct uids a RevocationList has ever held (revoked or
// restored); past it, Revoke fails.
inline constexpr std::size_t kMaxRevocationUids = 1u << 22;

// Entity hierarchy: parents per entity are unbounded by count but the
// hierarchy must be finite; `in` walks it without recursion.

}  // namespace writ

#endif  // WRIT_LIMITS_H_
