// Compile: preparing a request for a compiled engine — its uids resolved to
// the engine's symbols, and the context attributes the policies read found in
// one pass over the context into the prepared request's slots (decide.cc
// reads them).
#include <cstdint>
#include <cstring>

#include "absl/status/status.h"
#include "src/compile/compiled.h"
#include "writ/engine.h"

namespace writ::internal {

void PreparedAccess::Prepare(const CompiledEngine& ce, const Request& request, PreparedRequest* out) {
  out->engine_ = ce.id;
  out->request_ = &request;
  const EntityUid* uids[3] = {&request.principal, &request.action, &request.resource};
  for (int i = 0; i < 3; ++i) {
    const Sym s = ce.FindEntity(*uids[i]);
    out->syms_[i] = s;
    out->types_[i] = s < ce.sym_entities.size() ? ce.sym_entities[s].type : ce.FindType(uids[i]->type);
  }
  // The precomputed candidates of the principal's type (or no type) and of
  // the principal itself, for the action's class.
  out->candidates_[0] = out->candidates_[1] = CompiledEngine::kNoClass;
  if (const std::uint32_t width = ce.action_classes; width != 0) {
    const Sym a = out->syms_[kPreparedAction], p = out->syms_[kPreparedPrincipal], t = out->types_[kPreparedPrincipal];
    const std::uint32_t ac = a < ce.action_class.size() ? ce.action_class[a] : 0;
    out->candidates_[0] = (t == kNoSym ? 0 : t + 1) * width + ac;
    if (p < ce.principal_class.size() && ce.principal_class[p] != CompiledEngine::kNoClass) {
      out->candidates_[1] = ce.principal_class[p] * width + ac;
    }
  }
  const auto n = static_cast<std::uint32_t>(ce.context_slots.size());
  out->slot_count_ = n;
  const Value** slots = out->inline_slots_;
  if (n > PreparedRequest::kInlineSlots) {
    if (out->spill_.size() < n) out->spill_.resize(n);
    slots = out->spill_.data();
  }
  out->context_record_ = request.context.is(Value::Kind::kRecord);
  if (!out->context_record_) {
    for (std::uint32_t i = 0; i < n; ++i) slots[i] = nullptr;
    return;
  }
  const Value::Record& context = request.context.as_record();
  const std::uint32_t* order = ce.context_slots_by_name.data();
  if (context.size() > 4 * static_cast<std::size_t>(n) + 8) {
    // A context much larger than what the policies read: find each.
    for (std::uint32_t k = 0; k < n; ++k) {
      auto it = context.find(ce.names[ce.context_slots[order[k]]]);
      slots[order[k]] = it == context.end() ? nullptr : &it->second;
    }
    return;
  }
  // Both in std::string's order: one merge pass.
  auto it = context.begin();
  for (std::uint32_t k = 0; k < n; ++k) {
    const std::string& name = ce.names[ce.context_slots[order[k]]];
    int cmp = 1;
    while (it != context.end() && (cmp = it->first.compare(name)) < 0) ++it;
    slots[order[k]] = it != context.end() && cmp == 0 ? &it->second : nullptr;
  }
}

}  // namespace writ::internal

namespace writ {

absl::Status Engine::Prepare(const Request& request, PreparedRequest* out) const {
  if (!request.chain.empty()) {
    internal::PreparedAccess::engine(*out) = 0;
    return absl::InvalidArgumentError(
        "a request with a chain cannot be prepared: decide it with Engine::Decide(const Request&, ...), which "
        "decides each identity");
  }
  internal::PreparedAccess::Prepare(*impl_, request, out);
  return absl::OkStatus();
}

}  // namespace writ
