// Eval: Cedar's combination of policy results, with writ's lifecycle window
// and fail-closed option — one copy, shared by the reference authorizer
// (authorize.cc) and the compiled engine (src/compile/decide.cc), for static
// policies, links and grants alike.
//
// Default deny; a satisfied forbid overrides every permit; a policy whose
// evaluation errs is skipped and reported (with fail_closed, an erring forbid
// denies as if satisfied, and is listed in both reasons and errors); the
// reasons are the determining policies in the order they were considered.
#ifndef WRIT_SRC_EVAL_COMBINE_H_
#define WRIT_SRC_EVAL_COMBINE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "writ/authorize.h"

namespace writ::internal {

// Whether `now` is in a policy's [not_before, expires).
inline bool InWindow(absl::Time now, const std::optional<absl::Time>& not_before,
                     const std::optional<absl::Time>& expires) {
  return !(not_before && now < *not_before) && !(expires && now >= *expires);
}

// Policies are named by a `Ref` (a pointer, an index): the caller's, given
// back to `info` when the decision is written.
template <typename Ref>
class Combination {
 public:
  // `permits` and `forbids` are the caller's storage (kept between
  // decisions, so that deciding does not allocate once warmed up).
  Combination(std::vector<Ref>* permits, std::vector<Ref>* forbids, bool fail_closed)
      : permits_(*permits), forbids_(*forbids), fail_closed_(fail_closed) {
    permits_.clear();
    forbids_.clear();
  }

  void Satisfied(Ref policy, Effect effect) { (effect == Effect::kForbid ? forbids_ : permits_).push_back(policy); }

  void Errored(Ref policy, Effect effect, const std::string& id, absl::string_view message, Decision* out) {
    out->errors.push_back({id, std::string(message)});
    if (fail_closed_ && effect == Effect::kForbid) forbids_.push_back(policy);
  }

  // Writes allowed, reasons and break-glass reasons; `info(ref)` gives a
  // policy's id and whether it is break-glass, as a pair.
  template <typename Info>
  void Finish(Decision* out, Info info) const {
    out->allowed = forbids_.empty() && !permits_.empty();
    const std::vector<Ref>& reasons = forbids_.empty() ? permits_ : forbids_;
    out->reasons.resize(reasons.size());   // keeps the strings' storage
    for (std::size_t k = 0; k < reasons.size(); ++k) {
      const auto [id, breakglass] = info(reasons[k]);
      out->reasons[k] = id;
      if (breakglass) out->breakglass.push_back(out->reasons[k]);
    }
  }

 private:
  std::vector<Ref>& permits_;
  std::vector<Ref>& forbids_;
  bool fail_closed_;
};

}  // namespace writ::internal

#endif  // WRIT_SRC_EVAL_COMBINE_H_
