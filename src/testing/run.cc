// Testing: running suites — each case decided by the reference authorizer
// with a per-policy trace (src/eval/trace.h), compared with its expectation,
// and the traces folded into per-policy coverage.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "re2/re2.h"
#include "src/ast/ast.h"
#include "src/ast/policy_set_data.h"
#include "src/eval/chain.h"
#include "src/eval/trace.h"
#include "writ/testing.h"

namespace writ {
namespace {

std::string IdList(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  return absl::StrCat("[", absl::StrJoin(ids, ", "), "]");
}

bool SameIds(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

std::vector<std::string> ErrorIds(const Decision& d) {
  std::vector<std::string> ids;
  for (const PolicyError& e : d.errors) ids.push_back(e.policy_id);
  return ids;
}

// What was decided: `(determined by policy0; errors: none)`, after the
// identity denied for a chained request: `(denied by User::"u": ...`.
std::string Outcome(const Decision& d) {
  const std::string by = d.denied_by ? absl::StrCat("denied by ", d.denied_by->ToString(), ": ") : "";
  if (d.revoked) return absl::StrCat("(", by, d.denied_by ? "revoked)" : "denied as revoked)");
  std::string out = d.reasons.empty() ? absl::StrCat("(", by, "no policy determined it")
                                      : absl::StrCat("(", by, "determined by ", absl::StrJoin(d.reasons, ", "));
  if (!d.breakglass.empty()) absl::StrAppend(&out, "; break-glass: ", absl::StrJoin(d.breakglass, ", "));
  out += "; errors: ";
  if (d.errors.empty()) out += "none";
  for (std::size_t i = 0; i < d.errors.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : ", ", d.errors[i].policy_id, " (", d.errors[i].message, ")");
  }
  return out + ")";
}

// Empty when `d` meets `expect`; otherwise what differed, then what was
// decided.
std::string Mismatch(const TestExpectation& expect, const Decision& d) {
  std::vector<std::string> parts;
  const auto decision = [](bool allow) { return allow ? "allow" : "deny"; };
  if (expect.allow != d.allowed) {
    parts.push_back(absl::StrCat("expected ", decision(expect.allow), ", got ", decision(d.allowed)));
  }
  if (expect.revoked && *expect.revoked != d.revoked) {
    parts.push_back(absl::StrCat("expected ", *expect.revoked ? "revoked" : "not revoked", ", got ",
                                 d.revoked ? "revoked" : "not revoked"));
  }
  const auto ids = [&](const char* what, const std::optional<std::vector<std::string>>& want,
                       const std::vector<std::string>& got) {
    if (want && !SameIds(*want, got)) {
      parts.push_back(absl::StrCat("expected ", what, " ", IdList(*want), ", got ", IdList(got)));
    }
  };
  ids("reasons", expect.reasons, d.reasons);
  ids("errors", expect.errors, ErrorIds(d));
  ids("breakglass", expect.breakglass, d.breakglass);
  if (expect.denied_by && *expect.denied_by != d.denied_by) {
    const auto by = [](const std::optional<EntityUid>& uid) {
      return uid ? absl::StrCat("denied by ", uid->ToString()) : std::string("no chain identity denied");
    };
    parts.push_back(absl::StrCat("expected ", by(*expect.denied_by), ", got ", by(d.denied_by)));
  }
  if (parts.empty()) return "";
  // When only the details differ, say what the decision was.
  std::string head = expect.allow == d.allowed ? absl::StrCat(decision(d.allowed), " as expected, but ") : "";
  return absl::StrCat(head, absl::StrJoin(parts, "; "), " ", Outcome(d));
}

// `base` with `over` layered on top: an entity of `over` replaces base's
// entity with the same uid.
Entities Layer(const Entities& base, const Entities& over) {
  Entities out;
  for (const auto& [uid, entity] : base) {
    if (over.Find(uid) == nullptr) out.Add(entity).IgnoreError();   // uids are unique in `base`
  }
  for (const auto& [uid, entity] : over) out.Add(entity).IgnoreError();
  return out;
}

// Coverage folded over every case, keyed by policy location.
class CoverageBuilder {
 public:
  // Registers the suite's static policies, so that a policy no case reaches
  // is reported too.
  void Register(const PolicySet& set) {
    const auto& data = internal::PolicySetData::Of(set);
    const std::vector<PolicyInfo> infos = set.policies();
    for (std::size_t i = 0; i < infos.size(); ++i) {
      const PolicyInfo& info = infos[i];
      if (info.is_template) continue;
      // A link is at its template's place: its id tells it from the others.
      auto key = std::make_tuple(info.file, info.line, info.column, info.template_id.empty() ? "" : info.id);
      auto [it, inserted] = index_.emplace(key, policies_.size());
      if (inserted) {
        PolicyCoverage p;
        p.id = info.id;
        p.effect = info.effect;
        p.file = info.file;
        p.line = info.line;
        p.column = info.column;
        p.has_condition = !data.policies[i]->conditions.empty();
        policies_.push_back(std::move(p));
      }
      by_policy_[data.policies[i].get()] = it->second;
    }
  }

  void Record(const std::vector<internal::PolicyOutcome>& trace, const Decision& d) {
    for (const internal::PolicyOutcome& o : trace) {
      auto it = by_policy_.find(o.policy);
      if (it == by_policy_.end()) continue;
      PolicyCoverage& p = policies_[it->second];
      switch (o.kind) {
        case internal::PolicyOutcome::Kind::kInactive:
        case internal::PolicyOutcome::Kind::kScopeMismatch: break;
        case internal::PolicyOutcome::Kind::kConditionTrue: p.condition_true = true; break;
        case internal::PolicyOutcome::Kind::kConditionFalse: p.condition_false = true; break;
        case internal::PolicyOutcome::Kind::kError: p.errored = true; break;
      }
      if (std::find(d.reasons.begin(), d.reasons.end(), o.policy->id) != d.reasons.end()) p.determining = true;
    }
  }

  TestCoverage Build() && {
    TestCoverage c;
    c.policies = std::move(policies_);
    std::sort(c.policies.begin(), c.policies.end(), [](const PolicyCoverage& a, const PolicyCoverage& b) {
      return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
    });
    for (const PolicyCoverage& p : c.policies) c.covered += p.covered() ? 1 : 0;
    // Rounded down, so that the percentage shown never reaches a minimum the
    // coverage misses.
    c.percent = c.policies.empty() ? 100.0
                                   : std::floor(1000.0 * static_cast<double>(c.covered) /
                                                static_cast<double>(c.policies.size())) / 10.0;
    return c;
  }

 private:
  std::map<std::tuple<std::string, std::uint32_t, std::uint32_t, std::string>, std::size_t> index_;
  std::map<const internal::Policy*, std::size_t> by_policy_;
  std::vector<PolicyCoverage> policies_;
};

}  // namespace

absl::StatusOr<TestReport> RunTests(absl::Span<const TestSuite> suites, const TestOptions& options) {
  // RE2 is used here only, for the filter.
  std::unique_ptr<RE2> filter;
  if (!options.filter.empty()) {
    RE2::Options re_options;
    re_options.set_log_errors(false);
    filter = std::make_unique<RE2>(re2::StringPiece(options.filter.data(), options.filter.size()), re_options);
    if (!filter->ok()) {
      return absl::InvalidArgumentError(absl::StrCat("invalid filter `", options.filter, "`: ", filter->error()));
    }
  }
  TestReport report;
  CoverageBuilder coverage;
  std::vector<internal::PolicyOutcome> trace;
  for (const TestSuite& suite : suites) {
    TestSuiteResult& result = report.suites.emplace_back();
    result.file = suite.file;
    result.name = suite.name;
    result.issues = suite.issues;
    result.loaded = suite.loaded;
    if (HasErrors(suite.issues)) ++report.suites_with_errors;
    if (!suite.loaded) continue;
    if (options.coverage) coverage.Register(suite.policies);
    // Layered stores, built once per distinct set of case entities.
    std::map<const Entities*, Entities> layered;
    for (const TestCase& c : suite.cases) {
      if (filter != nullptr) {
        const std::string full = absl::StrCat(suite.name, "/", c.name);
        if (!RE2::PartialMatch(re2::StringPiece(full.data(), full.size()), *filter)) continue;
      }
      const Entities* entities = &suite.entities;
      if (c.entities != nullptr) {
        auto it = layered.find(c.entities.get());
        if (it == layered.end()) it = layered.emplace(c.entities.get(), Layer(suite.entities, *c.entities)).first;
        entities = &it->second;
      }
      TestCaseResult& r = result.cases.emplace_back();
      r.suite = suite.name;
      r.name = c.name;
      r.file = c.file;
      r.line = c.line;
      r.expect = c.expect;
      // Each identity of a chained request is its own decision, and counts
      // for coverage as one.
      internal::DecideChain(c.request, suite.options.clock, &r.decision, [&](const Request& one, Decision* d) {
        *d = internal::AuthorizeTraced(suite.policies, *entities, one, suite.options,
                                       options.coverage ? &trace : nullptr);
        if (options.coverage) coverage.Record(trace, *d);
      });
      r.mismatch = Mismatch(c.expect, r.decision);
      r.passed = r.mismatch.empty();
      ++(r.passed ? report.passed : report.failed);
    }
  }
  if (options.coverage) report.coverage = std::move(coverage).Build();
  return report;
}

std::string TestFailureLine(const TestCaseResult& result) {
  return absl::StrCat(result.file, ":", result.line, ": ", result.name, ": ", result.mismatch);
}

}  // namespace writ
