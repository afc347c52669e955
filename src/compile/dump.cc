// Compile: a readable dump of the compiled form, for debugging policies and
// the compiler (`writ compile --dump`). Conditions print as S-expressions of
// the lowered nodes, so folding is visible.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "src/base/strings.h"
#include "src/compile/compiled.h"

namespace writ::internal {
namespace {

constexpr std::string_view kUnary[] = {"!", "neg", "isEmpty"};
// In the order of BinaryOp.
constexpr std::string_view kBinary[] = {"==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*",
                                        "contains", "containsAll", "containsAny", "getTag", "hasTag"};
constexpr std::string_view kVars[] = {"principal", "action", "resource", "context"};

class Dumper {
 public:
  explicit Dumper(const CompiledEngine& ce) : ce_(ce), uids_(ce.sym_entities.size()), types_(ce.type_syms.size()) {
    for (const auto& [uid, sym] : ce.entity_syms) uids_[sym] = uid.ToString();
    for (const auto& [type, sym] : ce.type_syms) types_[sym] = type;
  }

  std::string Run() {
    std::string out = absl::StrCat("engine: ", ce_.policies.size(), " policies, ", ce_.store.size(),
                                   " entities, ", ce_.sym_entities.size(), " entity symbols, ",
                                   ce_.type_syms.size(), " types, ", ce_.nodes.size(), " nodes, ",
                                   ce_.constants.size(), " constants, ", ce_.scratch_slots, " scratch slots\n");
    if (ce_.action_classes == 0) {
      out += "candidates: over budget (each decision probes the index)\n";
    } else {
      const std::size_t classes = ce_.candidate_ranges.size() / ce_.action_classes;
      absl::StrAppend(&out, "candidates: ", classes, " principal classes (", ce_.type_syms.size() + 1,
                      " by type) x ", ce_.action_classes, " action classes, ", ce_.candidate_rows.size(), " rows\n");
    }
    absl::StrAppend(&out, "context slots: ", ce_.context_slots.size(), "\n");
    // The index, sorted by its printed keys so the dump is stable.
    std::vector<std::pair<std::string, RowRange>> runs;
    for (const auto& [pkey, range] : ce_.row_keys) runs.emplace_back(Key("principal", pkey), range);
    std::sort(runs.begin(), runs.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    out += "index:\n";
    for (const auto& [pkey, range] : runs) {
      absl::StrAppend(&out, "  ", pkey, "\n");
      // One line per action key, with its policies in order.
      std::vector<std::string> lines;
      for (std::uint32_t i = range.begin; i < range.begin + range.size;) {
        const std::uint32_t akey = ce_.rows[i].akey;
        std::vector<std::string> ids;
        for (; i < range.begin + range.size && ce_.rows[i].akey == akey; ++i) {
          ids.push_back(ce_.policies[ce_.rows[i].policy].id);
        }
        lines.push_back(absl::StrCat("    ", Key("action", akey), " -> ", absl::StrJoin(ids, ", "), "\n"));
      }
      std::sort(lines.begin(), lines.end());
      for (const std::string& l : lines) out += l;
    }
    out += "policies:\n";
    for (const CompiledPolicy& p : ce_.policies) {
      absl::StrAppend(&out, "  ", p.id, ": ", p.effect == Effect::kPermit ? "permit" : "forbid");
      if (p.source != nullptr && !p.source->link_of.empty()) absl::StrAppend(&out, " (link of ", p.source->link_of, ")");
      if (p.principal_type != kNoSym) absl::StrAppend(&out, ", principal is ", types_[p.principal_type]);
      absl::StrAppend(&out, ", ", Residual("resource", p.resource), "\n");
      // The conditions, and-ed (`unless c` as `!c`); none: nothing printed.
      const Node& root = ce_.nodes[p.root];
      const bool always = root.op == Op::kConst && ce_.constants[root.aux] == Value::Bool(true);
      if (!always) absl::StrAppend(&out, "    when ", Expr(p.root), "\n");
    }
    if (!ce_.templates.empty()) {
      absl::StrAppend(&out, "templates (", ce_.grants->live.load(), " grants live):\n");
      for (const CompiledTemplate& t : ce_.templates) {
        std::vector<std::string> actions;
        for (const std::uint32_t akey : t.akeys) actions.push_back(Key("action", akey));
        absl::StrAppend(&out, "  ", t.id, ": ", t.effect == Effect::kPermit ? "permit" : "forbid", ", ",
                        Residual("principal", t.principal), ", ",
                        actions.empty() ? "no action" : absl::StrJoin(actions, " | "), ", ",
                        Residual("resource", t.resource), "\n");
        const Node& root = ce_.nodes[t.root];
        if (!(root.op == Op::kConst && ce_.constants[root.aux] == Value::Bool(true))) {
          absl::StrAppend(&out, "    when ", Expr(t.root), "\n");
        }
      }
    }
    return out;
  }

 private:
  std::string Key(std::string_view var, std::uint32_t key) const {
    const Sym sym = key >> 2;
    switch (static_cast<KeyTag>(key & 3)) {
      case KeyTag::kEq: return absl::StrCat(Av(var), " == ", uids_[sym]);
      case KeyTag::kIn: return absl::StrCat(Av(var), " in ", uids_[sym]);
      case KeyTag::kIs: return absl::StrCat(Av(var), " is ", types_[sym]);
      case KeyTag::kAny: break;
    }
    return std::string(var);
  }

  // A scope's residual; in a template, a slot's entity is `?var`.
  std::string Residual(std::string_view var, const writ::internal::Residual& r) const {
    const std::string entity = r.entity == kNoSym ? absl::StrCat("?", Av(var)) : std::string();
    auto uid = [&]() -> const std::string& { return r.entity == kNoSym ? entity : uids_[r.entity]; };
    switch (r.kind) {
      case ScopeConstraint::Kind::kAny: return absl::StrCat(Av(var), " any");
      case ScopeConstraint::Kind::kEq: return absl::StrCat(Av(var), " == ", uid());
      case ScopeConstraint::Kind::kIn: return absl::StrCat(Av(var), " in ", uid());
      case ScopeConstraint::Kind::kIs: return absl::StrCat(Av(var), " is ", types_[r.type]);
      case ScopeConstraint::Kind::kIsIn: return absl::StrCat(Av(var), " is ", types_[r.type], " in ", uid());
    }
    return "";
  }

  // Recursion bounded by the expression height limit, as the lowering was.
  std::string Expr(std::uint32_t n) const {
    const Node& node = ce_.nodes[n];
    auto list = [&](std::string_view head) {
      std::string s = absl::StrCat("(", Av(head));
      for (std::uint32_t i = 0; i < node.c; ++i) absl::StrAppend(&s, " ", Expr(ce_.lists[node.a + i]));
      return s + ")";
    };
    switch (node.op) {
      case Op::kConst: return ce_.constants[node.aux].ToString();
      case Op::kError: return absl::StrCat("(error ", QuoteCedarString(ce_.names[node.aux]), ")");
      case Op::kVar: return std::string(kVars[node.sub]);
      case Op::kIf: return absl::StrCat("(if ", Expr(node.a), " ", Expr(node.b), " ", Expr(node.c), ")");
      case Op::kAnd: return absl::StrCat("(&& ", Expr(node.a), " ", Expr(node.b), ")");
      case Op::kOr: return absl::StrCat("(|| ", Expr(node.a), " ", Expr(node.b), ")");
      case Op::kUnary: return absl::StrCat("(", Av(kUnary[node.sub]), " ", Expr(node.a), ")");
      case Op::kBinary:
      case Op::kCompare:
        return absl::StrCat("(", Av(kBinary[node.sub]), " ", Expr(node.a), " ", Expr(node.b), ")");
      case Op::kGetAttr: return absl::StrCat("(. ", Expr(node.a), " ", QuoteCedarString(ce_.names[node.aux]), ")");
      case Op::kHasAttr: return absl::StrCat("(has ", Expr(node.a), " ", QuoteCedarString(ce_.names[node.aux]), ")");
      case Op::kPathAttr:
        return absl::StrCat("(", node.c == 1 ? "has " : ". ", Expr(node.a), " ", QuoteCedarString(ce_.names[node.aux]),
                            ")");
      case Op::kVarAttr:
        return absl::StrCat("(", node.c == 1 ? "has " : ". ", Av(kVars[node.sub]), " ",
                            QuoteCedarString(ce_.names[node.aux]), ")");
      case Op::kLike: {
        std::string pattern;
        for (const PatternElem& e : ce_.patterns[node.aux]) {
          pattern += e.wildcard ? "*" : absl::StrReplaceAll(e.literal, {{"*", "\\*"}});
        }
        return absl::StrCat("(like ", Expr(node.a), " ", QuoteCedarString(pattern), ")");
      }
      case Op::kIs: return absl::StrCat("(is ", Expr(node.a), " ", ce_.names[node.aux], ")");
      case Op::kSet: return list("set");
      case Op::kRecord: {
        std::string s = "(record";
        for (std::uint32_t i = 0; i < node.c; ++i) {
          absl::StrAppend(&s, " ", QuoteCedarString(ce_.names[node.aux + i]), ":", Expr(ce_.lists[node.a + i]));
        }
        return s + ")";
      }
      case Op::kExtCall: return list(AllExtFunctions()[node.aux].name);
      case Op::kMatches:
        return absl::StrCat("(matches ", Expr(node.a), " ", QuoteCedarString(ce_.regexes[node.aux]->pattern()), ")");
    }
    return "?";
  }

  const CompiledEngine& ce_;
  std::vector<std::string> uids_, types_;
};

}  // namespace

std::string DumpEngine(const CompiledEngine& engine) { return Dumper(engine).Run(); }

}  // namespace writ::internal
