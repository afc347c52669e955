// Compile: preparing a request for a compiled engine — its uids resolved to
// the engine's symbols, and the context attributes and paths the policies
// read found in one pass over the context into the prepared request's slots,
// scalars copied in (decide.cc reads them).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "src/compile/compiled.h"
#include "writ/engine.h"

namespace writ::internal {

void PreparedAccess::Resolve(const CompiledEngine& ce, const Request& request, bool lean, PreparedRequest* out) {
  out->engine_ = ce.id;
  out->request_ = &request;
  out->lean_ = lean ? 1 : 0;
  const EntityUid* uids[3] = {&request.principal, &request.action, &request.resource};
  for (int i = 0; i < 3; ++i) {
    const Sym s = ce.FindEntity(*uids[i]);
    out->syms_[i] = s;
    out->types_[i] = s < ce.sym_entities.size() ? ce.sym_entities[s].type : ce.FindType(uids[i]->type);
  }
  // The precomputed candidates of the principal's type (or no type) and of
  // the principal itself, for the action's class.
  out->candidates_[0] = CompiledEngine::kNoClass;
  out->candidates_[1] = out->candidates_[2] = out->candidates_[3] = 0;
  if (const std::uint32_t width = ce.action_classes; width != 0) {
    const Sym a = out->syms_[kPreparedAction], p = out->syms_[kPreparedPrincipal], t = out->types_[kPreparedPrincipal];
    const std::uint32_t ac = a < ce.action_class.size() ? ce.action_class[a] : 0;
    const RowRange generic = ce.candidate_ranges[(t == kNoSym ? 0 : t + 1) * width + ac];
    out->candidates_[0] = generic.begin;
    out->candidates_[1] = generic.size;
    if (p < ce.principal_class.size() && ce.principal_class[p] != CompiledEngine::kNoClass) {
      const RowRange own = ce.candidate_ranges[ce.principal_class[p] * width + ac];
      out->candidates_[2] = own.begin;
      out->candidates_[3] = own.size;
    }
  }
}

std::uint64_t* PreparedAccess::ClearSlots(const CompiledEngine& ce, PreparedRequest* out, std::uint8_t** kinds) {
  const auto n = static_cast<std::uint32_t>(ce.context_slots.size());
  out->slot_count_ = n;
  std::uint64_t* words = out->inline_words_;
  *kinds = out->inline_kinds_;
  if (n > PreparedRequest::kInlineSlots) {
    words = out->Spill(n);
    *kinds = reinterpret_cast<std::uint8_t*>(words + n);
  }
  std::fill(words, words + n, 0);
  std::fill(*kinds, *kinds + n, static_cast<std::uint8_t>(ScalarKind::kUnknown));
  return words;
}

void PreparedAccess::Prepare(const CompiledEngine& ce, const Request& request, PreparedRequest* out) {
  Resolve(ce, request, /*lean=*/false, out);
  std::uint8_t* kinds = nullptr;
  std::uint64_t* words = ClearSlots(ce, out, &kinds);
  const std::uint32_t n = out->slot_count_;
  // The context's own attributes first: each slot's word is the value found
  // (0: none) until the loop below makes it the slot's scalar.
  auto word_of = [](const Value* v) { return reinterpret_cast<std::uintptr_t>(v); };
  const bool context_record = request.context.is(Value::Kind::kRecord);
  if (context_record) {
    const Value::Record& context = request.context.as_record();
    const std::uint32_t* order = ce.context_slots_by_name.data();
    const std::size_t top = ce.context_slots_by_name.size();
    if (context.size() > 4 * top + 8) {
      // A context much larger than what the policies read: find each.
      for (std::size_t k = 0; k < top; ++k) {
        auto it = context.find(ce.names[ce.context_slots[order[k]].name]);
        if (it != context.end()) words[order[k]] = word_of(&it->second);
      }
    } else {
      // Both in std::string's order: one merge pass.
      auto it = context.begin();
      for (std::size_t k = 0; k < top; ++k) {
        const std::string& name = ce.names[ce.context_slots[order[k]].name];
        int cmp = 1;
        while (it != context.end() && (cmp = it->first.compare(name)) < 0) ++it;
        if (it != context.end() && cmp == 0) words[order[k]] = word_of(&it->second);
      }
    }
  }
  // Then every slot in order (a path after its parent, whose word is a
  // Value* exactly when its kind is kValue).
  for (std::uint32_t i = 0; i < n; ++i) {
    const CompiledEngine::ContextSlot& slot = ce.context_slots[i];
    const Value* value = nullptr;
    bool in_record = context_record;   // read from a record, which may lack it
    if (slot.parent == CompiledEngine::kContextRoot) {
      value = reinterpret_cast<const Value*>(words[i]);
    } else {
      const auto* parent = static_cast<ScalarKind>(kinds[slot.parent]) == ScalarKind::kValue
                               ? reinterpret_cast<const Value*>(words[slot.parent])
                               : nullptr;
      in_record = parent != nullptr && parent->is(Value::Kind::kRecord);
      if (in_record) {
        const Value::Record& record = parent->as_record();
        auto it = record.find(ce.names[slot.name]);
        if (it != record.end()) value = &it->second;
      }
    }
    Scalar s;
    if (value != nullptr) {
      s = ScalarOf(*value);
    } else if (in_record) {
      s.kind = ScalarKind::kMissing;
    }
    words[i] = s.word;
    kinds[i] = static_cast<std::uint8_t>(s.kind);
  }
}

}  // namespace writ::internal

namespace writ {

// A copy borrows from the same Request; its slots are its own. A moved-from
// one is left unprepared.
PreparedRequest::PreparedRequest(const PreparedRequest& other) { *this = other; }

PreparedRequest::PreparedRequest(PreparedRequest&& other) noexcept { *this = std::move(other); }

PreparedRequest& PreparedRequest::operator=(const PreparedRequest& other) {
  if (this == &other) return *this;
  CopyInline(other);
  if (slot_count_ > kInlineSlots) {
    const std::uint32_t size = slot_count_ + (slot_count_ + 7) / 8;
    std::copy(other.spill_.get(), other.spill_.get() + size, Spill(slot_count_));
  }
  return *this;
}

std::uint64_t* PreparedRequest::Spill(std::uint32_t slots) {
  const std::uint32_t size = slots + (slots + 7) / 8;   // the words, then the kinds, eight to a word
  if (spill_words_ < size) {
    spill_ = std::make_unique<std::uint64_t[]>(size);
    spill_words_ = size;
  }
  return spill_.get();
}

PreparedRequest& PreparedRequest::operator=(PreparedRequest&& other) noexcept {
  if (this == &other) return *this;
  CopyInline(other);
  spill_ = std::move(other.spill_);
  spill_words_ = std::exchange(other.spill_words_, 0);
  other.engine_ = 0;
  other.slot_count_ = 0;
  return *this;
}

void PreparedRequest::CopyInline(const PreparedRequest& other) {
  engine_ = other.engine_;
  request_ = other.request_;
  lean_ = other.lean_;
  std::copy(std::begin(other.syms_), std::end(other.syms_), syms_);
  std::copy(std::begin(other.types_), std::end(other.types_), types_);
  std::copy(std::begin(other.candidates_), std::end(other.candidates_), candidates_);
  slot_count_ = other.slot_count_;
  std::copy(std::begin(other.inline_kinds_), std::end(other.inline_kinds_), inline_kinds_);
  std::copy(std::begin(other.inline_words_), std::end(other.inline_words_), inline_words_);
}

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
