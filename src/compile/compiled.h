// Compile: the compiled form of a policy set and entity store, built once by
// compiler.cc, read by the decider (decide.cc) from any number of threads.
//
// Entity uids and type names are interned to integer symbols. Every policy is
// indexed by its scope: first by a principal key, then by an action key, so
// that a request visits only the policies whose principal and action scopes
// hold for it; what remains (the principal's type for `is T in E`, the
// resource scope, the conditions) is checked per policy. Conditions are
// lowered to a flat array of nodes with constant subexpressions folded.
#ifndef WRIT_SRC_COMPILE_COMPILED_H_
#define WRIT_SRC_COMPILE_COMPILED_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "src/ast/ast.h"
#include "src/compile/uid_table.h"
#include "src/ext/extensions.h"
#include "writ/entities.h"
#include "writ/policy_set.h"
#include "writ/value.h"

namespace writ::internal {

// An interned entity uid or entity type name.
using Sym = std::uint32_t;
inline constexpr Sym kNoSym = UidTable::kMissing;
// Index keys keep two tag bits beside the symbol, so symbols stay below 2^30.
inline constexpr Sym kMaxSyms = Sym{1} << 30;

inline constexpr std::uint32_t kNoBucket = 0xFFFFFFFFu;

// What an interned uid stands for.
struct SymEntity {
  const Entity* entity = nullptr;   // null when the uid is not in the store
  Sym type = kNoSym;                // its entity type
  std::uint32_t ancestors_begin = 0;  // into CompiledEngine::ancestors
  std::uint32_t ancestors_size = 0;
  // The index buckets of `principal == uid` and `principal in uid` policies.
  std::uint32_t eq_bucket = kNoBucket;
  std::uint32_t in_bucket = kNoBucket;
};

// Scope index keys: a symbol and how the scope names it.
enum class KeyTag : std::uint32_t {
  kEq = 0,    // `== E`: the symbol is E
  kIn = 1,    // `in E` (or `is T in E`, `in [.., E, ..]` for actions): E
  kIs = 2,    // `is T`: the symbol is the type T
  kAny = 3,   // unconstrained (symbol 0)
};
inline std::uint32_t ScopeKey(KeyTag tag, Sym sym) {
  return (sym << 2) | static_cast<std::uint32_t>(tag);
}

// The part of a principal or resource scope the index does not decide.
struct Residual {
  Sym entity = kNoSym;   // kEq, kIn, kIsIn
  Sym type = kNoSym;     // kIs, kIsIn
  ScopeConstraint::Kind kind = ScopeConstraint::Kind::kAny;
};

// Lowered condition nodes. Children are node indices; bool results point at
// shared constants, others at a per-thread scratch slot owned by the node.
enum class Op : std::uint8_t {
  kConst,     // aux: constant
  kError,     // aux: message (a constant subexpression that always errors)
  kVar,       // sub: Var
  kIf,        // a, b, c
  kAnd,       // a, b
  kOr,        // a, b
  kUnary,     // sub: UnaryOp; a
  kBinary,    // sub: BinaryOp; a, b
  kGetAttr,   // a; aux: name
  kHasAttr,   // a; aux: name
  kVarAttr,   // `var.name` (c = 0) or `var has name` (c = 1): sub: Var; aux: name;
              // b: its per-decision cache entry, shared by every read of var.name
  kLike,      // a; aux: pattern
  kIs,        // a; aux: type name
  kSet,       // list: elements
  kRecord,    // list: values; aux: first of c keys in `names`
  kExtCall,   // list: arguments; aux: index into AllExtFunctions()
};

struct Node {
  Op op = Op::kConst;
  std::uint8_t sub = 0;
  std::uint32_t slot = 0;   // scratch slot for values this node builds
  std::uint32_t a = 0, b = 0, c = 0;   // children; for lists: a = begin in `lists`, c = count
  std::uint32_t aux = 0;
};

struct CompiledCondition {
  std::uint32_t root = 0;
  bool is_when = true;
};

struct CompiledPolicy {
  std::string id;
  Effect effect = Effect::kPermit;
  Sym principal_type = kNoSym;   // `is T in E` on the principal: T must match too
  Residual resource;
  std::uint32_t conditions_begin = 0;   // into CompiledEngine::conditions
  std::uint32_t conditions_size = 0;
  const Policy* source = nullptr;       // for Dump; the AST is kept alive by `policy_set`
};

struct PolicyRange {
  std::uint32_t begin = 0, size = 0;   // into CompiledEngine::policy_lists
};

// One policy in an index list, with what remains of its scope, so that a
// request checks it without touching the policy itself.
struct ListedPolicy {
  std::uint32_t policy = 0;
  Sym principal_type = kNoSym;   // CompiledPolicy::principal_type
  Residual resource;             // CompiledPolicy::resource
  // What deciding needs of the policy, so that only a satisfied or erroring
  // policy's CompiledPolicy is read (for its id).
  std::uint32_t conditions_begin = 0;
  std::uint32_t conditions_size = 0;
  Effect effect = Effect::kPermit;
};

// The policies of one principal key, by action key.
struct ActionEntry {
  std::uint32_t akey = 0;
  PolicyRange policies;
};
// The policies of one principal key.
struct Bucket {
  std::uint32_t pkey = 0;
  std::uint32_t begin = 0, size = 0;   // into CompiledEngine::action_entries, sorted by akey
};

struct CompiledEngine {
  // The store and the parsed policies the compiled form points into.
  Entities store;
  std::vector<std::shared_ptr<const Policy>> ast;

  // Symbols.
  absl::flat_hash_map<EntityUid, Sym> entity_syms;   // for compiling, dumps, per-request entities
  UidTable uid_table;                                 // the same, for deciding
  absl::flat_hash_map<std::string, Sym> type_syms;
  std::vector<SymEntity> sym_entities;   // by entity Sym (types are a separate space)
  std::vector<Sym> ancestors;            // sorted runs, one per entity

  // Policies and their lowered conditions.
  std::vector<CompiledPolicy> policies;   // in policy-set order: index order is reason order
  std::vector<CompiledCondition> conditions;
  std::vector<Node> nodes;
  std::vector<std::uint32_t> lists;       // children of kSet, kRecord, kExtCall
  std::vector<Value> constants;
  std::vector<std::string> names;         // attribute names, type names, record keys, messages
  std::vector<std::vector<PatternElem>> patterns;
  std::uint32_t scratch_slots = 0;        // the most any policy needs

  // The scope index: principal key -> bucket -> action key -> policies. The
  // bucket of a principal key is found without hashing: in the SymEntity of
  // its entity (`==`, `in`), by type (`is`), or `any_bucket`.
  std::vector<Bucket> buckets;
  std::vector<std::uint32_t> is_buckets;   // by type Sym
  std::uint32_t any_bucket = kNoBucket;
  std::vector<ActionEntry> action_entries;
  std::vector<ListedPolicy> policy_lists;
  // Distinct (variable, attribute) reads (Op::kVarAttr), cached per decision.
  std::uint32_t var_attrs = 0;

  Sym FindEntity(const EntityUid& uid) const { return uid_table.Find(uid); }
  Sym FindType(std::string_view type) const {
    auto it = type_syms.find(absl::string_view(type.data(), type.size()));
    return it == type_syms.end() ? kNoSym : it->second;
  }
};

// Builds the compiled form (compiler.cc).
absl::StatusOr<std::unique_ptr<CompiledEngine>> CompileEngine(const PolicySet& policies, Entities entities);

// The dump behind Engine::Dump (dump.cc).
std::string DumpEngine(const CompiledEngine& engine);

}  // namespace writ::internal

#endif  // WRIT_SRC_COMPILE_COMPILED_H_
