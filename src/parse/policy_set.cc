// Parse: PolicySet — parses policy texts and keeps them, with ids, as an
// immutable shared list.
#include "writ/policy_set.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
  // A link made earlier may have taken an id this text's policies would get.
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const std::string id = absl::StrCat("policy", data_->parsed + i);
    if (data_->by_id.contains(id)) {
      issues->push_back(file.MakeIssue(parsed[i].span, absl::StrCat("duplicate template or policy id `", id,
                                                                    "`: a template-linked policy has it")));
      return absl::InvalidArgumentError(absl::StrCat(internal::Av(source_name), ": ", issues->back().message));
    }
  }
  // Copy on write: earlier copies of this set keep their view.
  auto next = std::make_shared<internal::PolicySetData>(*data_);
  const auto source_index = static_cast<std::uint32_t>(next->sources.size());
  next->sources.push_back(std::move(source));
  for (internal::Policy& p : parsed) {
    p.id = absl::StrCat("policy", next->parsed++);
    p.source_index = source_index;
    next->by_id.emplace(p.id, next->policies.size());
    if (p.is_template) {
      for (const internal::Annotation& a : p.annotations) {
        if (a.key == "id" && a.value) next->templates_by_annotation.emplace(*a.value, next->policies.size());
      }
    }
    next->policies.push_back(std::make_shared<const internal::Policy>(std::move(p)));
  }
  data_ = std::move(next);
  return absl::OkStatus();
}

namespace internal {

absl::StatusOr<std::size_t> FindLinkTemplate(const PolicySetData& data, const TemplateLink& link, LinkPart* part) {
  // Cedar's order: the template, then the slots (then, in Link, the new id).
  // By its id, or (as the Cedar CLI names templates) its `@id("...")`.
  std::optional<std::size_t> found;
  if (auto it = data.by_id.find(link.template_id); it != data.by_id.end()) {
    found = it->second;
  } else if (auto at = data.templates_by_annotation.find(link.template_id);
             at != data.templates_by_annotation.end()) {
    found = at->second;
  }
  if (!found) {
    *part = LinkPart::kTemplateId;
    return absl::InvalidArgumentError(absl::StrCat("failed to find a template with id `", Av(link.template_id), "`"));
  }
  const Policy& tmpl = *data.policies[*found];
  if (!tmpl.is_template) {
    *part = LinkPart::kTemplateId;
    return absl::InvalidArgumentError(absl::StrCat("expected a template, but a static policy was provided: `",
                                                   Av(link.template_id), "` has no slots"));
  }
  std::vector<absl::string_view> unbound, extra;
  const bool principal_slot = tmpl.principal.slot.has_value();
  const bool resource_slot = tmpl.resource.slot.has_value();
  if (principal_slot && !link.principal) unbound.push_back("?principal");
  if (resource_slot && !link.resource) unbound.push_back("?resource");
  if (!principal_slot && link.principal) extra.push_back("?principal");
  if (!resource_slot && link.resource) extra.push_back("?resource");
  if (!unbound.empty() || !extra.empty()) {
    *part = LinkPart::kArgs;
    // Cedar's describe_arity_error.
    std::string message;
    if (!unbound.empty()) {
      message = absl::StrCat("the following slots were not provided as arguments: ", absl::StrJoin(unbound, ","));
    }
    if (!extra.empty()) {
      absl::StrAppend(&message, message.empty() ? "the" : ". The",
                      " following slots were provided as arguments, but did not exist in the template: ",
                      absl::StrJoin(extra, ","));
    }
    return absl::InvalidArgumentError(message);
  }
  return *found;
}

}  // namespace internal

absl::Status PolicySet::Link(const TemplateLink& link, LinkPart* part) {
  LinkPart ignored;
  if (part == nullptr) part = &ignored;
  absl::StatusOr<std::size_t> found = internal::FindLinkTemplate(*data_, link, part);
  if (!found.ok()) return found.status();
  const internal::Policy& tmpl = *data_->policies[*found];
  const bool principal_slot = tmpl.principal.slot.has_value();
  const bool resource_slot = tmpl.resource.slot.has_value();
  if (data_->by_id.contains(link.link_id)) {
    *part = LinkPart::kLinkId;
    return absl::InvalidArgumentError(absl::StrCat("template-linked policy id `", internal::Av(link.link_id),
                                                   "` conflicts with an existing policy id"));
  }
  if (data_->policies.size() >= kMaxPolicies) {
    *part = LinkPart::kLinkId;
    return absl::ResourceExhaustedError(
        absl::StrCat("too many policies: a policy set holds at most ", kMaxPolicies, " (links included)"));
  }
  // The template with its slots filled; it shares the template's conditions.
  internal::Policy linked = tmpl;
  linked.id = link.link_id;
  linked.link_of = tmpl.id;   // its id, even when the link named it by @id
  linked.is_template = false;
  if (principal_slot) {
    linked.principal.entity = *link.principal;
    linked.principal.slot.reset();
  }
  if (resource_slot) {
    linked.resource.entity = *link.resource;
    linked.resource.slot.reset();
  }
  // Copy on write, unless no other copy shares the data (a file of many
  // links then costs no copy per link).
  if (data_.use_count() != 1) data_ = std::make_shared<internal::PolicySetData>(*data_);
  data_->by_id.emplace(link.link_id, data_->policies.size());
  data_->policies.push_back(std::make_shared<const internal::Policy>(std::move(linked)));
  data_->links.push_back(link);
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
                   file.ColumnOf(p->span.begin), p->is_template, p->link_of});
  }
  return out;
}

std::vector<TemplateLink> PolicySet::links() const { return data_->links; }

}  // namespace writ
