// JSON: plain requests read straight from the text (see plain_request.h).
// Every value is built as the general reader's Converter builds it from the
// tree (ToValue, ToEntityRef), so the two give the same Request.
#include "src/json/plain_request.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "src/base/json_reader.h"
#include "src/base/utf8.h"
#include "src/compile/compiled.h"
#include "src/parse/parser.h"
#include "writ/limits.h"
#include "writ/value.h"

namespace writ::internal {
namespace {

class PlainRequestReader {
 public:
  explicit PlainRequestReader(std::string_view json) : scan_(json) {}

  std::optional<Request> Read() {
    Request request;
    const bool ok = Fields(&request, [&] {
      // The context: a record (an escape or other kind of value declines).
      if (!scan_.At('{')) return false;
      std::optional<Value> context = ReadValue(1);
      if (!context) return false;
      request.context = *std::move(context);
      return true;
    });
    if (!ok) return std::nullopt;
    return request;
  }

  // The request's members into `request`'s uids, and `context()` at the
  // context's value; false at anything but the plain form.
  template <typename ContextFn>
  bool Fields(Request* request, ContextFn context) {
    bool seen[4] = {};   // principal, action, resource, context
    scan_.SkipSpace();
    if (!scan_.At('{')) return false;
    const bool ok = scan_.Sequence('}', 0, [&] {
      if (!Key(&key_)) return false;
      static constexpr std::string_view kFields[] = {"principal", "action", "resource", "context"};
      int field = 0;
      while (field < 4 && key_ != kFields[field]) ++field;
      if (field == 4 || seen[field]) return false;   // another field, or a duplicate
      seen[field] = true;
      if (field == 3) return context();
      return EntityRef(field == 0 ? &request->principal : field == 1 ? &request->action : &request->resource);
    });
    scan_.SkipSpace();
    return ok && scan_.done() && seen[0] && seen[1] && seen[2];
  }

 protected:
  // A member's key and the colon after it.
  bool Key(std::string* key) {
    key->clear();
    if (!scan_.At('"') || !scan_.String(key)) return false;
    scan_.SkipSpace();
    if (!scan_.At(':')) return false;
    scan_.Skip();
    scan_.SkipSpace();
    return true;
  }

  // `"Type::\"id\""`, or {"type": .., "id": ..} with a type name in its
  // plain form (as Cedar requires: ParseEntityTypeName gives it back as is).
  bool EntityRef(EntityUid* out) {
    if (scan_.At('"')) {
      if (!scan_.String(&text_)) return false;
      std::string_view type, id;
      if (SplitPlainEntityUid(text_, &type, &id)) {   // into `out`'s own strings
        out->type.assign(type);
        out->id.assign(id);
        return true;
      }
      std::optional<EntityUid> uid = ParseEntityUid(text_);
      if (!uid) return false;
      *out = *std::move(uid);
      return true;
    }
    if (!scan_.At('{')) return false;
    std::optional<std::string> type, id;
    std::string key;
    const bool ok = scan_.Sequence('}', 1, [&] {
      if (!Key(&key)) return false;
      std::optional<std::string>* field = key == "type" ? &type : key == "id" ? &id : nullptr;
      if (field == nullptr || field->has_value() || !scan_.At('"')) return false;
      return scan_.String(&field->emplace());
    });
    if (!ok || !type || !id) return false;
    std::optional<std::string> name = ParseEntityTypeName(*type);
    if (!name || *name != *type) return false;
    *out = EntityUid{*std::move(type), *std::move(id)};
    return true;
  }

  // A context value `depth` deep.
  std::optional<Value> ReadValue(int depth) {
    if (depth > kMaxPlainRequestDepth) return std::nullopt;
    switch (scan_.peek()) {
      case '"': {
        std::string s;
        if (!scan_.String(&s)) return std::nullopt;
        return Value::String(std::move(s));
      }
      case 't':
        if (!scan_.Literal("true")) return std::nullopt;
        return Value::Bool(true);
      case 'f':
        if (!scan_.Literal("false")) return std::nullopt;
        return Value::Bool(false);
      case '[': {
        std::vector<Value> elements;
        const bool ok = scan_.Sequence(']', depth, [&] {
          std::optional<Value> v = ReadValue(depth + 1);
          if (v) elements.push_back(*std::move(v));
          return v.has_value();
        });
        if (!ok) return std::nullopt;
        return Value::MakeSet(std::move(elements));
      }
      case '{': {
        Value::Record record;
        std::string key;
        const bool ok = scan_.Sequence('}', depth, [&] {
          // A key starting with `__` may make the object an escape: declined.
          if (!Key(&key) || key.starts_with("__")) return false;
          std::optional<Value> v = ReadValue(depth + 1);
          return v.has_value() && record.emplace(key, *std::move(v)).second;   // a duplicate declines
        });
        if (!ok) return std::nullopt;
        return Value::MakeRecord(std::move(record));
      }
      default: {
        std::int64_t i = 0;
        if (!scan_.Integer(&i)) return std::nullopt;   // also `null`, and anything else
        return Value::Long(i);
      }
    }
  }

  // A context value `depth` deep, checked as ReadValue reads it but not
  // built: a member's key without an escape, so that duplicates are found
  // by comparing the text.
  bool SkipValue(int depth) {
    if (depth > kMaxPlainRequestDepth) return false;
    switch (scan_.peek()) {
      case '"': return scan_.String(&text_);
      case 't': return scan_.Literal("true");
      case 'f': return scan_.Literal("false");
      case '[': return scan_.Sequence(']', depth, [&] { return SkipValue(depth + 1); });
      case '{': {
        RawKeys keys;
        return scan_.Sequence('}', depth, [&] { return RawKey(&keys) && SkipValue(depth + 1); });
      }
      default: {
        std::int64_t i = 0;
        return scan_.Integer(&i);
      }
    }
  }

  // A member's key with no escape (its text is its value), not `__`-led,
  // not seen before in `keys`, and the colon after it.
  static constexpr std::size_t kMaxRawKeys = 64;
  using RawKeys = absl::InlinedVector<std::string_view, 8>;
  bool RawKey(RawKeys* keys, std::string_view* key = nullptr) {
    std::string_view k;
    if (!scan_.At('"') || !scan_.RawString(&k) || k.starts_with("__") || keys->size() == kMaxRawKeys ||
        std::find(keys->begin(), keys->end(), k) != keys->end()) {
      return false;
    }
    keys->push_back(k);
    if (key != nullptr) *key = k;
    scan_.SkipSpace();
    if (!scan_.At(':')) return false;
    scan_.Skip();
    scan_.SkipSpace();
    return true;
  }

  PlainScanner scan_;
  std::string key_, text_;   // reused between members
};

// Reads a plain request straight into a prepared request: the uids into
// the scratch Request, the context's values that the engine's slots read
// into the slots (a record read for the slots below it is kPathsOnly), and
// the rest of the context checked and passed over.
class PlainPreparedReader : PlainRequestReader {
 public:
  PlainPreparedReader(const CompiledEngine& ce, std::string_view json, PlainPrepared* out)
      : PlainRequestReader(json), ce_(ce), out_(*out) {}

  bool Read() {
    words_ = PreparedAccess::ClearSlots(ce_, &out_.prepared, &kinds_);
    out_.values.clear();
    out_.values.reserve(ce_.context_slots.size());   // slots point into it: never reallocated
    bool ok = Fields(&out_.request, [&] { return scan_.At('{') && Slots(CompiledEngine::kContextRoot, 1); });
    if (!ok) {
      PreparedAccess::engine(out_.prepared) = 0;   // unprepared
      return false;
    }
    // What was not found: missing from a record read (the context, or a
    // kPathsOnly one); under anything else, the general path's to explain.
    for (std::size_t i = 0; i < ce_.context_slots.size(); ++i) {
      const std::uint32_t parent = ce_.context_slots[i].parent;
      if (kinds_[i] == static_cast<std::uint8_t>(ScalarKind::kUnknown) &&
          (parent == CompiledEngine::kContextRoot ||
           kinds_[parent] == static_cast<std::uint8_t>(ScalarKind::kPathsOnly))) {
        kinds_[i] = static_cast<std::uint8_t>(ScalarKind::kMissing);
      }
    }
    PreparedAccess::Resolve(ce_, out_.request, /*lean=*/true, &out_.prepared);
    return true;
  }

 private:
  // The members of a record `depth` deep whose attributes are the slots
  // with parent `parent`.
  bool Slots(std::uint32_t parent, int depth) {
    if (depth > kMaxPlainRequestDepth) return false;
    RawKeys keys;
    return scan_.Sequence('}', depth, [&] {
      std::string_view key;
      if (!RawKey(&keys, &key)) return false;
      const std::uint32_t slot = FindSlot(parent, key);
      return slot == kNoSlot ? SkipValue(depth + 1) : Slot(slot, depth + 1);
    });
  }

  // The value of `slot`, `depth` deep: a scalar into its word, a record
  // with slots below it read for them, anything else built as ReadValue
  // builds it.
  bool Slot(std::uint32_t slot, int depth) {
    Scalar s;
    switch (scan_.peek()) {
      case '{':
        if (!HasChildren(slot)) break;
        kinds_[slot] = static_cast<std::uint8_t>(ScalarKind::kPathsOnly);
        return Slots(slot, depth);
      case '[': break;
      case '"':
        if (!scan_.String(&text_)) return false;
        if (text_.size() > kMaxShortString) {
          s = ScalarOf(out_.values.emplace_back(Value::String(text_)));
        } else {
          s = {ScalarKind::kShortString, PackShortString(text_)};
        }
        return Set(slot, s);
      case 't':
      case 'f': {
        const bool b = scan_.peek() == 't';
        if (!scan_.Literal(b ? "true" : "false")) return false;
        return Set(slot, {ScalarKind::kBool, b ? 1u : 0u});
      }
      default: {
        std::int64_t i = 0;
        if (!scan_.Integer(&i)) return false;
        return Set(slot, {ScalarKind::kLong, static_cast<std::uint64_t>(i)});
      }
    }
    std::optional<Value> v = ReadValue(depth);
    return v && Set(slot, ScalarOf(out_.values.emplace_back(*std::move(v))));
  }

  bool Set(std::uint32_t slot, Scalar s) {
    words_[slot] = s.word;
    kinds_[slot] = static_cast<std::uint8_t>(s.kind);
    return true;
  }

  static constexpr std::uint32_t kNoSlot = ~std::uint32_t{0};
  std::uint32_t FindSlot(std::uint32_t parent, std::string_view name) const {
    for (std::uint32_t i = 0; i < ce_.context_slots.size(); ++i) {
      const CompiledEngine::ContextSlot& s = ce_.context_slots[i];
      if (s.parent == parent && ce_.names[s.name] == name) return i;
    }
    return kNoSlot;
  }
  bool HasChildren(std::uint32_t slot) const {
    return std::any_of(ce_.context_slots.begin(), ce_.context_slots.end(),
                       [&](const CompiledEngine::ContextSlot& s) { return s.parent == slot; });
  }

  const CompiledEngine& ce_;
  PlainPrepared& out_;
  std::uint64_t* words_ = nullptr;
  std::uint8_t* kinds_ = nullptr;
};

}  // namespace

std::optional<Request> ReadPlainRequest(std::string_view json) { return PlainRequestReader(json).Read(); }

bool ReadPlainPrepared(const CompiledEngine& engine, std::string_view json, PlainPrepared* out) {
  return PlainPreparedReader(engine, json, out).Read();
}

bool DecidePlainJson(const Engine& engine, std::string_view json, Decision* out) {
  if (json.size() > kMaxJsonBytes || FindInvalidUtf8(json)) return false;
  thread_local PlainPrepared scratch;
  const CompiledEngine& ce = PreparedAccess::compiled(engine);
  return ReadPlainPrepared(ce, json, &scratch) && DecideLean(ce, scratch.prepared, out);
}

}  // namespace writ::internal
