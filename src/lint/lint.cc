// Lint: governance checks over a parsed policy set (writ/lint.h) — owners,
// lifecycle windows, break-glass lifetimes, unconstrained permits, and
// duplicate or shadowed policies found by structural comparison of the ASTs.
#include "writ/lint.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/ast/ast.h"
#include "src/ast/policy_set_data.h"
#include "src/base/source.h"
#include "src/base/strings.h"
#include "src/lint/ast_equal.h"

namespace writ {
namespace internal {
namespace {

// ---- Redundancy: which policy covers which (see writ/lint.h) ----

// An action scope as a set: unconstrained, `== X`, or `in` a set of actions
// (`in A` is `in [A]`), the uids sorted and unique.
struct ActionSet {
  enum class Kind : std::uint8_t { kAny, kEq, kIn };
  Kind kind = Kind::kAny;
  std::vector<EntityUid> uids;
};

ActionSet NormalizeAction(const ActionConstraint& a) {
  ActionSet s;
  switch (a.kind) {
    case ActionConstraint::Kind::kAny: s.kind = ActionSet::Kind::kAny; break;
    case ActionConstraint::Kind::kEq: s.kind = ActionSet::Kind::kEq; break;
    case ActionConstraint::Kind::kIn:
    case ActionConstraint::Kind::kInList: s.kind = ActionSet::Kind::kIn; break;
  }
  s.uids = a.entities;
  std::sort(s.uids.begin(), s.uids.end());
  s.uids.erase(std::unique(s.uids.begin(), s.uids.end()), s.uids.end());
  return s;
}

bool SameAction(const ActionSet& a, const ActionSet& b) { return a.kind == b.kind && a.uids == b.uids; }

// Every action `b` admits, `a` admits (without knowing the action hierarchy).
bool ActionCovers(const ActionSet& a, const ActionSet& b) {
  if (a.kind == ActionSet::Kind::kAny) return true;
  if (b.kind == ActionSet::Kind::kAny) return false;
  if (a.kind == ActionSet::Kind::kEq) return SameAction(a, b);
  return std::includes(a.uids.begin(), a.uids.end(), b.uids.begin(), b.uids.end());
}

bool SameWindow(const Policy& a, const Policy& b) { return a.not_before == b.not_before && a.expires == b.expires; }

// [a.not_before, a.expires) contains [b.not_before, b.expires).
bool WindowCovers(const Policy& a, const Policy& b) {
  const bool from = !a.not_before || (b.not_before && *a.not_before <= *b.not_before);
  const bool until = !a.expires || (b.expires && *b.expires <= *a.expires);
  return from && until;
}

// The scopes that contain `s` (itself included), by the scope alone.
std::vector<ScopeConstraint> CoveringScopes(const ScopeConstraint& s) {
  auto make = [&s](ScopeConstraint::Kind kind, bool target, std::string type) {
    ScopeConstraint c;
    c.kind = kind;
    if (target) {
      c.entity = s.entity;
      c.slot = s.slot;
    }
    c.entity_type = std::move(type);
    return c;
  };
  std::vector<ScopeConstraint> out = {ScopeConstraint()};   // unconstrained
  switch (s.kind) {
    case ScopeConstraint::Kind::kAny: break;
    case ScopeConstraint::Kind::kEq:
      out.push_back(make(ScopeConstraint::Kind::kEq, true, ""));
      out.push_back(make(ScopeConstraint::Kind::kIn, true, ""));
      if (s.entity) {
        out.push_back(make(ScopeConstraint::Kind::kIs, false, s.entity->type));
        out.push_back(make(ScopeConstraint::Kind::kIsIn, true, s.entity->type));
      }
      break;
    case ScopeConstraint::Kind::kIn:
      out.push_back(make(ScopeConstraint::Kind::kIn, true, ""));
      break;
    case ScopeConstraint::Kind::kIs:
      out.push_back(make(ScopeConstraint::Kind::kIs, false, s.entity_type));
      break;
    case ScopeConstraint::Kind::kIsIn:
      out.push_back(make(ScopeConstraint::Kind::kIsIn, true, s.entity_type));
      out.push_back(make(ScopeConstraint::Kind::kIs, false, s.entity_type));
      out.push_back(make(ScopeConstraint::Kind::kIn, true, ""));
      break;
  }
  return out;
}

// Policies are filed by everything but their action scope and window.
struct BucketKey {
  Effect effect = Effect::kPermit;
  bool breakglass = false;
  const std::vector<Condition>* conditions = nullptr;
  std::size_t conditions_hash = 0;
  ScopeConstraint principal;
  ScopeConstraint resource;
};

struct BucketKeyHash {
  std::size_t operator()(const BucketKey& k) const {
    return absl::HashOf(static_cast<std::uint8_t>(k.effect), k.breakglass, k.conditions_hash,
                        HashScope(k.principal), HashScope(k.resource));
  }
};

struct BucketKeyEq {
  bool operator()(const BucketKey& a, const BucketKey& b) const {
    return a.effect == b.effect && a.breakglass == b.breakglass && a.conditions_hash == b.conditions_hash &&
           SameScope(a.principal, b.principal) && SameScope(a.resource, b.resource) &&
           SameConditions(*a.conditions, *b.conditions);
  }
};

// The policies of one bucket, in id order: those with an unconstrained
// action, those with `action in [...]` (or `in A`), and, for each action
// uid, those whose action scope names it.
struct Bucket {
  std::vector<std::size_t> any_action;
  std::vector<std::size_t> in_action;
  absl::flat_hash_map<EntityUid, std::vector<std::size_t>> by_action;
};

struct Redundancy {
  enum class Kind : std::uint8_t { kNone, kDuplicate, kShadowed };
  Kind kind = Kind::kNone;
  std::size_t other = 0;   // the earlier duplicate, or the first covering policy
};

std::vector<Redundancy> FindRedundancy(const std::vector<std::shared_ptr<const Policy>>& policies) {
  static const std::vector<Condition> kNoConditions;
  const std::size_t n = policies.size();
  std::vector<ActionSet> actions;
  std::vector<std::size_t> condition_hashes;
  actions.reserve(n);
  condition_hashes.reserve(n);
  absl::flat_hash_map<BucketKey, Bucket, BucketKeyHash, BucketKeyEq> buckets;
  for (std::size_t i = 0; i < n; ++i) {
    const Policy& p = *policies[i];
    actions.push_back(NormalizeAction(p.action));
    condition_hashes.push_back(HashConditions(p.conditions));
    Bucket& b = buckets[BucketKey{p.effect, p.breakglass, &p.conditions, condition_hashes[i], p.principal,
                                  p.resource}];
    if (actions[i].kind == ActionSet::Kind::kAny) {
      b.any_action.push_back(i);
    } else {
      if (actions[i].kind == ActionSet::Kind::kIn) b.in_action.push_back(i);
      for (const EntityUid& uid : actions[i].uids) b.by_action[uid].push_back(i);
    }
  }
  const std::size_t no_conditions_hash = HashConditions(kNoConditions);

  std::vector<Redundancy> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Policy& p = *policies[i];
    const ActionSet& action = actions[i];
    const auto identical = [&](std::size_t j) {
      const Policy& q = *policies[j];
      return SameAction(actions[j], action) && SameWindow(q, p) && SameScope(q.principal, p.principal) &&
             SameScope(q.resource, p.resource) && SameConditions(q.conditions, p.conditions);
    };
    // Each scan goes through a list of candidates (in id order) for the
    // earliest policy identical to `i` and the earliest other one covering
    // it. A duplicate is reported rather than a shadowing, so the scans stop
    // at the first duplicate (the earliest: the lists are in id order).
    // At most kMaxLintComparisons candidates are examined.
    std::optional<std::size_t> duplicate_of, shadowed_by;
    std::size_t budget = kMaxLintComparisons;
    const auto scan = [&](const std::vector<std::size_t>& list) {
      for (std::size_t j : list) {
        if (duplicate_of || (shadowed_by && j >= *shadowed_by && j >= i)) return;
        if (j == i) continue;
        if (budget == 0) return;
        --budget;
        if (!ActionCovers(actions[j], action) || !WindowCovers(*policies[j], p)) continue;
        if (identical(j)) {
          if (j < i) duplicate_of = j;
        } else if (!shadowed_by || j < *shadowed_by) {
          shadowed_by = j;
        }
      }
    };
    const std::vector<ScopeConstraint> principals = CoveringScopes(p.principal);
    const std::vector<ScopeConstraint> resources = CoveringScopes(p.resource);
    for (int with_conditions = 0; with_conditions < 2; ++with_conditions) {
      if (with_conditions == 1 && p.conditions.empty()) break;
      for (const ScopeConstraint& principal : principals) {
        for (const ScopeConstraint& resource : resources) {
          const BucketKey key{p.effect,
                              p.breakglass,
                              with_conditions == 1 ? &p.conditions : &kNoConditions,
                              with_conditions == 1 ? condition_hashes[i] : no_conditions_hash,
                              principal,
                              resource};
          auto it = buckets.find(key);
          if (it == buckets.end()) continue;
          const Bucket& bucket = it->second;
          scan(bucket.any_action);
          if (action.kind == ActionSet::Kind::kAny) continue;
          if (action.uids.empty()) {   // `in []`: every `in` list holds it
            scan(bucket.in_action);
            continue;
          }
          // A covering policy names every action this one does: look among
          // those naming the rarest of them.
          const std::vector<std::size_t>* fewest = nullptr;
          for (const EntityUid& uid : action.uids) {
            auto named = bucket.by_action.find(uid);
            if (named == bucket.by_action.end()) {
              fewest = nullptr;
              break;
            }
            if (fewest == nullptr || named->second.size() < fewest->size()) fewest = &named->second;
          }
          if (fewest != nullptr) scan(*fewest);
        }
      }
    }
    if (duplicate_of) {
      out[i] = {Redundancy::Kind::kDuplicate, *duplicate_of};
    } else if (shadowed_by) {
      out[i] = {Redundancy::Kind::kShadowed, *shadowed_by};
    }
  }
  return out;
}

// ---- Findings ----

const Annotation* FindAnnotation(const Policy& p, std::string_view key) {
  for (const Annotation& a : p.annotations) {
    if (a.key == key) return &a;
  }
  return nullptr;
}

// The two largest units of `d`: "3 days 6 hours", "7 days 1 second",
// "1 hour", "12 minutes", "30 seconds".
std::string FormatSpan(absl::Duration d) {
  if (d < absl::ZeroDuration()) d = -d;
  struct Unit {
    absl::Duration size;
    const char* name;
  };
  static const Unit kUnits[] = {
      {absl::Hours(24), "day"}, {absl::Hours(1), "hour"}, {absl::Minutes(1), "minute"}, {absl::Seconds(1), "second"}};
  std::string out;
  int shown = 0;
  for (const Unit& u : kUnits) {
    const int64_t n = absl::IDivDuration(d, u.size, &d);
    if (n == 0 || shown == 2) continue;
    absl::StrAppend(&out, shown > 0 ? " " : "", n, " ", u.name, n == 1 ? "" : "s");
    ++shown;
  }
  return out.empty() ? "less than a second" : out;
}

std::string Located(const SourceFile& file, Span span) {
  return absl::StrCat(Av(file.name()), ":", file.LineOf(span.begin), ":", file.ColumnOf(span.begin));
}

class Linter {
 public:
  Linter(const PolicySetData& data, const LintOptions& options) : options_(options) {
    files_.reserve(data.sources.size());
    for (const auto& s : data.sources) files_.emplace_back(s->name, s->text);
    // Links are their templates with the slots filled: the templates are
    // linted in their place.
    for (const auto& p : data.policies) {
      if (p->link_of.empty()) {
        policies_.push_back(p);
      } else {
        linked_.insert(p->link_of);
      }
    }
  }

  std::vector<Issue> Run() {
    const std::vector<Redundancy> redundancy = FindRedundancy(policies_);
    for (std::size_t i = 0; i < policies_.size(); ++i) {
      const Policy& p = *policies_[i];
      CheckOwner(p);
      CheckLifecycle(p);
      CheckUnconstrained(p);
      CheckRedundancy(p, redundancy[i]);
      CheckLinked(p);
    }
    return std::move(issues_);
  }

 private:
  const SourceFile& FileOf(const Policy& p) const { return files_[p.source_index]; }

  void Add(const Policy& p, Span span, Severity severity, std::string_view code, std::string message,
           std::string hint) {
    issues_.push_back(
        FileOf(p).MakeIssue(span, absl::StrCat("[", Av(code), "] ", message), severity, std::move(hint)));
  }

  void CheckOwner(const Policy& p) {
    if (FindAnnotation(p, "owner") != nullptr) return;
    Add(p, p.effect_span, Severity::kWarning, kLintOwnerMissing, absl::StrCat(p.id, " has no `@owner`"),
        "say who answers for it, for example @owner(\"payments-team\")");
  }

  void CheckLifecycle(const Policy& p) {
    if (!p.expires) return;
    const Annotation* a = FindAnnotation(p, "expires");
    const Span at = a != nullptr ? a->span : p.effect_span;
    const std::string when = a != nullptr && a->value ? *a->value : absl::FormatTime(absl::RFC3339_full, *p.expires,
                                                                                     absl::UTCTimeZone());
    const absl::Duration ahead = *p.expires - options_.now;
    if (ahead <= absl::ZeroDuration()) {
      Add(p, at, Severity::kWarning, kLintExpired,
          absl::StrCat(p.id, " expired at ", when,
                       ahead == absl::ZeroDuration() ? "" : absl::StrCat(", ", FormatSpan(ahead), " ago"),
                       ": it no longer applies"),
          "remove it, or set a later `@expires` if it is still needed");
      return;
    }
    if (p.breakglass) {
      if (ahead > absl::Hours(24) * options_.breakglass_max_days) {
        Add(p, at, Severity::kError, kLintBreakglassTooLong,
            absl::StrCat("break-glass policy ", p.id, " expires at ", when, ", in ", FormatSpan(ahead),
                         ": more than ", options_.breakglass_max_days, " days ahead"),
            absl::StrCat("break-glass grants are short-lived: expire it within ", options_.breakglass_max_days,
                         " days, or make it a regular, reviewed policy"));
      }
      return;
    }
    if (ahead <= absl::Hours(24) * options_.expiring_within_days) {
      Add(p, at, Severity::kWarning, kLintExpiringSoon,
          absl::StrCat(p.id, " expires at ", when, ", in ", FormatSpan(ahead)),
          "renew it with a later `@expires`, or plan for it to stop applying");
    }
  }

  void CheckUnconstrained(const Policy& p) {
    if (p.effect != Effect::kPermit || !p.conditions.empty()) return;
    const bool any_principal = p.principal.kind == ScopeConstraint::Kind::kAny;
    const bool any_resource = p.resource.kind == ScopeConstraint::Kind::kAny;
    if (!any_principal && !any_resource) return;
    const char* what = any_principal && any_resource ? "any principal on any resource"
                       : any_principal              ? "any principal"
                                                    : "any resource";
    Add(p, any_principal ? p.principal.span : p.resource.span, Severity::kWarning, kLintUnconstrainedPermit,
        absl::StrCat(p.id, " permits ", what, ", with no condition"),
        any_principal ? "constrain the principal (`principal == ...`, `in ...`, `is ...`) or add a `when` condition"
                      : "constrain the resource (`resource == ...`, `in ...`, `is ...`) or add a `when` condition");
  }

  void CheckRedundancy(const Policy& p, const Redundancy& r) {
    if (r.kind == Redundancy::Kind::kNone) return;
    const Policy& other = *policies_[r.other];
    const std::string where = Located(FileOf(other), other.effect_span);
    if (r.kind == Redundancy::Kind::kDuplicate) {
      Add(p, p.effect_span, Severity::kWarning, kLintDuplicate,
          absl::StrCat(p.id, " duplicates ", other.id, " (", where, ")"),
          "the same effect, scope, conditions and lifecycle: remove one of them");
    } else {
      Add(p, p.effect_span, Severity::kWarning, kLintShadowed,
          absl::StrCat(p.id, " is shadowed by ", other.id, " (", where, "): ", other.id,
                       " applies wherever it does, with the same effect"),
          absl::StrCat("it never changes a decision: remove it, or narrow ", other.id));
    }
  }

  void CheckLinked(const Policy& p) {
    if (!options_.links_complete || !p.is_template || linked_.contains(p.id)) return;
    Add(p, p.effect_span, Severity::kWarning, kLintTemplateUnlinked, absl::StrCat(p.id, " is a template no link uses"),
        "link it (a link in the --template-linked file), or remove it");
  }

  std::vector<std::shared_ptr<const Policy>> policies_;   // every policy but the links
  absl::flat_hash_set<std::string> linked_;              // the templates some link uses
  const LintOptions& options_;
  std::vector<SourceFile> files_;
  std::vector<Issue> issues_;
};

}  // namespace
}  // namespace internal

absl::StatusOr<std::vector<Issue>> Lint(const PolicySet& policies, const LintOptions& options) {
  if (options.breakglass_max_days < 0 || options.breakglass_max_days > kMaxLintDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("breakglass_max_days must be in [0, ", kMaxLintDays, "], not ", options.breakglass_max_days));
  }
  if (options.expiring_within_days < 0 || options.expiring_within_days > kMaxLintDays) {
    return absl::InvalidArgumentError(absl::StrCat("expiring_within_days must be in [0, ", kMaxLintDays, "], not ",
                                                   options.expiring_within_days));
  }
  return internal::Linter(internal::PolicySetData::Of(policies), options).Run();
}

std::string_view LintRule(const Issue& issue) {
  const std::string_view m = issue.message;
  if (m.size() < 4 || m[0] != '[') return {};
  const std::size_t close = m.find("] ");
  if (close == std::string_view::npos || close < 2) return {};
  const std::string_view code = m.substr(1, close - 1);
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || c == '-')) return {};
  }
  return code;
}

std::string_view LintMessage(const Issue& issue) {
  const std::string_view code = LintRule(issue);
  if (code.empty()) return issue.message;
  return std::string_view(issue.message).substr(code.size() + 3);
}

}  // namespace writ
