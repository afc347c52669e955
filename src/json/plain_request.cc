// JSON: plain requests read straight from the text (see plain_request.h).
// Every value is built as the general reader's Converter builds it from the
// tree (ToValue, ToEntityRef), so the two give the same Request.
#include "src/json/plain_request.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/base/json_reader.h"
#include "src/parse/parser.h"
#include "writ/value.h"

namespace writ::internal {
namespace {

class PlainRequestReader {
 public:
  explicit PlainRequestReader(std::string_view json) : scan_(json) {}

  std::optional<Request> Read() {
    Request request;
    bool seen[4] = {};   // principal, action, resource, context
    scan_.SkipSpace();
    if (!scan_.At('{')) return std::nullopt;
    std::string key;
    const bool ok = scan_.Sequence('}', 0, [&] {
      if (!Key(&key)) return false;
      static constexpr std::string_view kFields[] = {"principal", "action", "resource", "context"};
      int field = 0;
      while (field < 4 && key != kFields[field]) ++field;
      if (field == 4 || seen[field]) return false;   // another field, or a duplicate
      seen[field] = true;
      if (field < 3) return EntityRef(field == 0 ? &request.principal : field == 1 ? &request.action : &request.resource);
      // The context: a record (an escape or other kind of value declines).
      if (!scan_.At('{')) return false;
      std::optional<Value> context = ReadValue(1);
      if (!context) return false;
      request.context = *std::move(context);
      return true;
    });
    scan_.SkipSpace();
    if (!ok || !scan_.done() || !seen[0] || !seen[1] || !seen[2]) return std::nullopt;
    return request;
  }

 private:
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
      std::string text;
      if (!scan_.String(&text)) return false;
      std::optional<EntityUid> uid = ParseEntityUid(text);
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

  PlainScanner scan_;
};

}  // namespace

std::optional<Request> ReadPlainRequest(std::string_view json) { return PlainRequestReader(json).Read(); }

}  // namespace writ::internal
