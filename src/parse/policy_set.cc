// Parse: PolicySet — parses policy texts and keeps them, with ids, as an
// immutable shared list.
#include "writ/policy_set.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "src/ast/policy_set_data.h"
#include "src/base/strings.h"
#include "src/parse/lifecycle.h"
#include "src/parse/parser.h"

namespace writ {

PolicySet::PolicySet() : data_(std::make_shared<internal::PolicySetData>()) {}
PolicySet::~PolicySet() = default;
PolicySet::PolicySet(const PolicySet&) = default;
PolicySet& PolicySet::operator=(const PolicySet&) = default;
PolicySet::PolicySet(PolicySet&&) noexcept = default;
PolicySet& PolicySet::operator=(PolicySet&&) noexcept = default;

absl::Status PolicySet::Add(std::string_view text, std::string_view source_name,
                            std::vector<Issue>* issues, const ParseOptions& options) {
  std::vector<Issue> local;
  if (issues == nullptr) issues = &local;
  auto source = std::make_shared<internal::PolicySource>(
      internal::PolicySource{std::string(source_name), std::string(text)});
  const internal::SourceFile file(source->name, source->text);
  const std::size_t errors_before = issues->size();
  std::vector<internal::Policy> parsed = internal::ParsePolicies(file, options, issues);
  for (internal::Policy& p : parsed) internal::ReadLifecycle(file, options, &p, issues);
  // In the order of the text, as a compiler lists them (the annotations are
  // read after the whole file has parsed).
  std::stable_sort(issues->begin() + static_cast<std::ptrdiff_t>(errors_before), issues->end(),
                   [](const Issue& a, const Issue& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });
  for (std::size_t i = errors_before; i < issues->size(); ++i) {
    if ((*issues)[i].severity == Severity::kError) {
      return absl::InvalidArgumentError(
          absl::StrCat(internal::Av(source_name), ": ", (*issues)[i].message));
    }
  }
  if (data_->policies.size() + parsed.size() > kMaxPolicies) {
    issues->push_back(file.MakeIssue({0, 0}, absl::StrCat("too many policies: a policy set holds at most ",
                                                         kMaxPolicies)));
    return absl::ResourceExhaustedError(issues->back().message);
  }
  // Copy on write: earlier copies of this set keep their view.
  auto next = std::make_shared<internal::PolicySetData>(*data_);
  const auto source_index = static_cast<std::uint32_t>(next->sources.size());
  next->sources.push_back(std::move(source));
  for (internal::Policy& p : parsed) {
    p.id = absl::StrCat("policy", next->policies.size());
    p.source_index = source_index;
    next->policies.push_back(std::make_shared<const internal::Policy>(std::move(p)));
  }
  data_ = std::move(next);
  return absl::OkStatus();
}

std::size_t PolicySet::size() const { return data_->policies.size(); }

std::vector<PolicyInfo> PolicySet::policies() const {
  std::vector<PolicyInfo> out;
  out.reserve(data_->policies.size());
  for (const auto& p : data_->policies) {
    const internal::PolicySource& src = *data_->sources[p->source_index];
    const internal::SourceFile file(src.name, src.text);
    out.push_back({p->id, p->effect, src.name, file.LineOf(p->span.begin),
                   file.ColumnOf(p->span.begin), p->is_template});
  }
  return out;
}

}  // namespace writ
