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
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "src/ast/ast.h"
#include "src/compile/grant_table.h"
#include "src/compile/uid_table.h"
#include "absl/time/time.h"
#include "src/ext/extensions.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/entities.h"
#include "writ/policy_set.h"
#include "writ/value.h"

namespace writ::internal {

// An interned entity uid or entity type name.
using Sym = std::uint32_t;
inline constexpr Sym kNoSym = UidTable::kMissing;
// Index keys keep two tag bits beside the symbol, so symbols stay below 2^30.
inline constexpr Sym kMaxSyms = Sym{1} << 30;

// A run of index rows (CompiledEngine::rows): the policies filed under one
// principal key, sorted by action key.
struct RowRange {
  std::uint32_t begin = 0, size = 0;
};

// What an interned uid stands for. One cache line, so that a request's
// principal costs one read to learn its type and every index run to probe.
struct alignas(64) SymEntity {
  const Entity* entity = nullptr;   // null when the uid is not in the store
  Sym type = kNoSym;                // its entity type
  std::uint32_t ancestors_begin = 0;  // into CompiledEngine::ancestors
  std::uint32_t ancestors_size = 0;
  // The rows of `principal == uid` and `principal in uid` policies.
  RowRange eq_rows, in_rows;
  // As a request's principal (with the store's hierarchy): the non-empty runs
  // among eq_rows, in_rows and each ancestor's in_rows. Up to kInlineProbes
  // are here; past that, probes[0] is the range in CompiledEngine::probes.
  static constexpr std::uint32_t kInlineProbes = 3;
  std::uint32_t probes_size = 0;
  RowRange probes[kInlineProbes];
};
static_assert(sizeof(SymEntity) == 64);

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
              // b: for `context`, its slot in the prepared request
              // (CompiledEngine::context_slots); else its per-decision cache
              // entry (CompiledEngine::var_attrs); shared by every read of var.name
  kPathAttr,  // `x.name` (c = 0) or `x has name` (c = 1) where x reads a context
              // slot (`context.a.name`): a: x's node; aux: name; b: its slot
  kLike,      // a; aux: pattern
  kIs,        // a; aux: type name
  kSet,       // list: elements
  kRecord,    // list: values; aux: first of c keys in `names`
  kExtCall,   // list: arguments; aux: index into AllExtFunctions()
  kMatches,   // a; aux: index into CompiledEngine::regexes (writ's `.matches`)
  kCompare,   // a kBinary `==`, `!=`, `<`, `<=`, `>`, `>=` whose operands are each a
              // context slot read or a constant: as kBinary (sub, a, b), plus c
              // and aux naming the operands' scalars (ScalarOperand), compared
              // directly when both are held inline
};

// Scalars: a context slot's value or a constant, as a prepared request holds
// it (PreparedRequest). Longs, booleans and strings of at most 7 bytes are
// held inline in one word, so that comparing them reads neither the
// request's heap nor the constant's Value.
enum class ScalarKind : std::uint8_t {
  kUnknown = 0,   // not found, and the general path decides why (slots only)
  kMissing,       // the record it is read from lacks it: `has` is false (slots only)
  kValue,         // any other value: the word is its `const Value*`
  kBool,          // the word is 0 or 1
  kLong,          // the word is the value
  kShortString,   // the word is PackShortString's
  // A record read from JSON text only for the slots below it (slots only;
  // PreparedAccess::lean): no Value exists, so reading it whole needs the
  // Request's context.
  kPathsOnly,
};
struct Scalar {
  ScalarKind kind = ScalarKind::kUnknown;
  std::uint64_t word = 0;
};
// A string of at most 7 bytes as one word: the bytes, then the length in the
// top byte. Two packed strings are equal exactly when their words are.
inline constexpr std::size_t kMaxShortString = 7;
inline std::uint64_t PackShortString(std::string_view s) {
  std::uint64_t w = 0;
  std::memcpy(&w, s.data(), s.size());
  return w | (std::uint64_t{s.size()} << 56);
}
// How `v` is held as a scalar.
inline Scalar ScalarOf(const Value& v) {
  if (v.is(Value::Kind::kBool)) return {ScalarKind::kBool, v.as_bool() ? 1u : 0u};
  if (v.is(Value::Kind::kLong)) return {ScalarKind::kLong, static_cast<std::uint64_t>(v.as_long())};
  if (v.is(Value::Kind::kString) && v.as_string().size() <= kMaxShortString) {
    return {ScalarKind::kShortString, PackShortString(v.as_string())};
  }
  return {ScalarKind::kValue, reinterpret_cast<std::uintptr_t>(&v)};
}
// A kCompare operand (Node::c, Node::aux): a context slot, or with this bit
// a constant (CompiledEngine::constant_scalars).
inline constexpr std::uint32_t kConstantOperand = std::uint32_t{1} << 31;

struct Node {
  Op op = Op::kConst;
  std::uint8_t sub = 0;
  std::uint32_t slot = 0;   // scratch slot for values this node builds
  std::uint32_t a = 0, b = 0, c = 0;   // children; for lists: a = begin in `lists`, c = count
  std::uint32_t aux = 0;
};

// One policy filed under a (principal key, action key), with what remains of
// its scope and what deciding needs, so that a request reads only the rows it
// probes and, for ids, the policies that decide or err.
struct IndexRow {
  std::uint32_t akey = 0;
  std::uint32_t policy = 0;
  std::uint32_t root = 0;          // its conditions and-ed into one node (`unless c` as `!c`)
  Sym principal_type = kNoSym;     // `is T in E` on the principal: T must match too
  Residual resource;
  Effect effect = Effect::kPermit;
  bool timed = false;              // the policy has @not_before or @expires
  // Rows from this one to the end of its action key's run (at most 65535:
  // a longer run continues as another), so a scan skips unmatched keys.
  std::uint16_t run = 1;
};
static_assert(sizeof(IndexRow) == 32);

struct CompiledPolicy {
  std::string id;
  bool breakglass = false;         // beside the id: a reason reads both
  Effect effect = Effect::kPermit;
  Sym principal_type = kNoSym;
  Residual resource;
  std::uint32_t root = 0;          // as IndexRow::root
  const Policy* source = nullptr;  // for Dump; the AST is kept alive by `ast`
  // Lifecycle (src/parse/lifecycle.h).
  std::optional<absl::Time> not_before, expires;
};

// A template, compiled once for the grants that link it at run time
// (Engine::AddGrant): its conditions, and its scope with the slots left open.
struct CompiledTemplate {
  std::string id;
  std::size_t policy = 0;          // its index in the policy set (PolicySetData::policies)
  Effect effect = Effect::kPermit;
  std::uint32_t root = 0;          // as IndexRow::root
  // The scopes: for a slot, kind and type (`is T in ?x`) with no entity.
  Residual principal, resource;
  bool principal_slot = false, resource_slot = false;
  std::vector<std::uint32_t> akeys;   // its action keys (none for `in []`)
  std::optional<absl::Time> not_before, expires;
  bool breakglass = false;
};

struct CompiledEngine {
  // The store and the parsed policies the compiled form points into.
  Entities store;
  std::vector<std::shared_ptr<const Policy>> ast;
  DecideOptions options;

  // Symbols.
  absl::flat_hash_map<EntityUid, Sym> entity_syms;   // for compiling, dumps, per-request entities
  UidTable uid_table;                                 // the same, for deciding
  absl::flat_hash_map<std::string, Sym> type_syms;
  std::vector<SymEntity> sym_entities;   // by entity Sym (types are a separate space)
  std::vector<Sym> ancestors;            // sorted runs, one per entity
  std::vector<const EntityUid*> sym_uids;  // by entity Sym: the keys of entity_syms
  std::vector<std::size_t> sym_hashes;     // by entity Sym: RevocationList::Hash, when a list is given

  // Policies and their lowered conditions.
  std::vector<CompiledPolicy> policies;   // in policy-set order: index order is reason order
  // Nodes without a scratch slot are shared between policies (hash-consed),
  // and so are equal constants: a thousand policies that test the same
  // context attributes read the same few nodes.
  std::vector<Node> nodes;
  std::vector<std::uint32_t> lists;       // children of kSet, kRecord, kExtCall
  std::vector<Value> constants;
  std::vector<std::string> names;         // attribute names, type names, record keys, messages
  std::vector<std::vector<PatternElem>> patterns;
  std::uint32_t scratch_slots = 0;        // the most any policy needs

  // The scope index: rows of policies by principal key, then action key. The
  // rows of a principal key are found without hashing: in the SymEntity of
  // its entity (`==`, `in`), by type (`is`), or `any_rows`.
  std::vector<IndexRow> rows;
  std::vector<RowRange> is_rows;       // by type Sym
  RowRange any_rows;
  std::vector<RowRange> probes;        // SymEntity::probes past the inline ones
  std::vector<std::pair<std::uint32_t, RowRange>> row_keys;   // principal key of each run, for Dump
  // Candidates precomputed per (principal, action) class, so that deciding a
  // prepared request neither scans runs nor sorts: row indices (into `rows`)
  // in policy order, each policy once, whose principal key, principal type
  // and action key hold for the class (the resource scope is checked per
  // decision). A request's candidates are the merge of two disjoint lists:
  // the generic one of its principal's type (`any` and `is T` principal
  // keys; class 0 is "no known type", class t + 1 type t) and, for a
  // principal some `==`/`in` scope reaches, its own (principal_class). The
  // action class is action_class[action] (0: only unconstrained action keys
  // match). Ranges: candidate_ranges[class * action_classes + action class],
  // generic classes first, then principal classes. action_classes is 0 when
  // the table was over its budget (16 entries per row and per entity): the
  // decider then probes the index as with per-request entities.
  std::vector<std::uint32_t> candidate_rows;
  std::vector<RowRange> candidate_ranges;
  std::vector<std::uint32_t> principal_class;   // by entity Sym: a table class, or kNoClass
  std::vector<std::uint32_t> action_class;      // by entity Sym
  std::uint32_t action_classes = 0;
  static constexpr std::uint32_t kNoClass = ~std::uint32_t{0};
  // Distinct (variable, attribute) reads (Op::kVarAttr) of the principal,
  // action and resource, cached per decision.
  std::uint32_t var_attrs = 0;
  // Distinct context paths read (Op::kVarAttr on `context`, Op::kPathAttr):
  // each prepared request slot's attribute name (into `names`) and the slot
  // it is read from (kContextRoot: the context itself); a slot comes after
  // its parent. The context's own attributes' slots are also listed in the
  // order of their names (std::string's), for preparing in one pass over the
  // context record (whose keys are in that order).
  struct ContextSlot {
    std::uint32_t name = 0;
    std::uint32_t parent = 0;
  };
  static constexpr std::uint32_t kContextRoot = ~std::uint32_t{0};
  std::vector<ContextSlot> context_slots;
  std::vector<std::uint32_t> context_slots_by_name;
  // constants[i] as a kCompare operand.
  std::vector<Scalar> constant_scalars;

  // The engine's identity, for prepared requests (unique in the process,
  // never 0); set by Engine's constructor.
  std::uint64_t id = 0;

  // Templates, and the grants that link them at run time (null when the
  // policy set has no template). The policy set is kept to check links.
  PolicySet policy_set;
  std::vector<CompiledTemplate> templates;
  absl::flat_hash_map<std::size_t, std::uint32_t> template_of;   // policy index -> templates
  std::unique_ptr<GrantTable> grants;

  // `.matches` regular expressions (Op::kMatches), compiled once when parsed
  // and shared with the policies' AST.
  std::vector<std::shared_ptr<const Regex>> regexes;

  Sym FindEntity(const EntityUid& uid) const { return uid_table.Find(uid); }
  Sym FindType(std::string_view type) const {
    auto it = type_syms.find(absl::string_view(type.data(), type.size()));
    return it == type_syms.end() ? kNoSym : it->second;
  }
};

// Reads and writes a PreparedRequest's members for the decider (prepared.cc,
// decide.cc).
struct PreparedAccess {
  static std::uint64_t& engine(PreparedRequest& p) { return p.engine_; }
  static std::uint64_t engine(const PreparedRequest& p) { return p.engine_; }
  static const CompiledEngine& compiled(const Engine& e) { return *e.impl_; }
  static const Request& request(const PreparedRequest& p) { return *p.request_; }
  // Read from JSON without its context (ReadPlainPrepared): the Request has
  // the uids only, and slots may be kPathsOnly.
  static bool lean(const PreparedRequest& p) { return p.lean_ != 0; }
  static Sym sym(const PreparedRequest& p, int i) { return p.syms_[i]; }
  static Sym type(const PreparedRequest& p, int i) { return p.types_[i]; }
  // Whether the engine has a candidate table (CompiledEngine::action_classes
  // is not 0), and the request's two runs of it: the generic candidates and
  // the principal's own.
  static bool has_candidates(const PreparedRequest& p) { return p.candidates_[0] != CompiledEngine::kNoClass; }
  static RowRange generic_candidates(const PreparedRequest& p) { return {p.candidates_[0], p.candidates_[1]}; }
  static RowRange own_candidates(const PreparedRequest& p) { return {p.candidates_[2], p.candidates_[3]}; }
  // The context slots' words and kinds (ScalarKind).
  static const std::uint64_t* slot_words(const PreparedRequest& p) {
    return p.slot_count_ <= PreparedRequest::kInlineSlots ? p.inline_words_ : p.spill_.get();
  }
  static const std::uint8_t* slot_kinds(const PreparedRequest& p) {
    return p.slot_count_ <= PreparedRequest::kInlineSlots
               ? p.inline_kinds_
               : reinterpret_cast<const std::uint8_t*>(p.spill_.get() + p.slot_count_);
  }
  // Prepares `request` (which has no chain) with `engine` into `out`.
  static void Prepare(const CompiledEngine& engine, const Request& request, PreparedRequest* out);
  // Prepare's two halves, for readers that fill the slots themselves:
  // `out`'s slots sized for `engine`, every one kUnknown (returns the words;
  // the kinds in *kinds), and then the request's uids, candidates and
  // engine (`lean` as above).
  static std::uint64_t* ClearSlots(const CompiledEngine& engine, PreparedRequest* out, std::uint8_t** kinds);
  static void Resolve(const CompiledEngine& engine, const Request& request, bool lean, PreparedRequest* out);
};

// Decides a request prepared lean (ReadPlainPrepared) as Engine::Decide
// decides a prepared request; false, with `out` meaningless, when deciding
// it needed the context itself (the context or a kPathsOnly slot read whole,
// an error's message, the revocation list's credential), which only the
// Request read in full has.
bool DecideLean(const CompiledEngine& engine, const PreparedRequest& request, Decision* out);
// Indices of the request's entities in PreparedAccess::sym and type.
inline constexpr int kPreparedPrincipal = 0, kPreparedAction = 1, kPreparedResource = 2;

// Builds the compiled form (compiler.cc).
absl::StatusOr<std::unique_ptr<CompiledEngine>> CompileEngine(const PolicySet& policies, Entities entities,
                                                              const DecideOptions& options);

// The dump behind Engine::Dump (dump.cc).
std::string DumpEngine(const CompiledEngine& engine);

}  // namespace writ::internal

#endif  // WRIT_SRC_COMPILE_COMPILED_H_
