// JSON forms, writing: values in Cedar's JSON form (the inverse of
// ValueFromJson) and decisions as one line of JSON.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
#include "src/base/utf8.h"
#include "src/json/decision_json.h"
#include "src/ext/ext_internal.h"
#include "src/ext/extensions.h"
#include "src/json/issue_json.h"
#include "writ/json.h"

namespace writ {
namespace {

// Insertion-ordered, so that keys come out in the order written here.
using OrderedJson = nlohmann::ordered_json;

// Cedar values nest at most as deep as their inputs allow (kMaxJsonDepth,
// kMaxExpressionDepth), so recursion here is bounded.
OrderedJson ToJson(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool: return v.as_bool();
    case Value::Kind::kLong: return v.as_long();
    case Value::Kind::kString: return v.as_string();
    case Value::Kind::kEntity: {
      OrderedJson uid = OrderedJson::object();
      uid["type"] = v.as_entity().type;
      uid["id"] = v.as_entity().id;
      OrderedJson out = OrderedJson::object();
      out["__entity"] = std::move(uid);
      return out;
    }
    case Value::Kind::kSet: {
      OrderedJson out = OrderedJson::array();
      for (const Value& e : v.as_set()) out.push_back(ToJson(e));
      return out;
    }
    case Value::Kind::kRecord: {
      // A record whose only key is an escape (`__entity`, `__extn`) reads
      // back as that escape when its value has the escape's shape; Cedar
      // refuses to write such records, writ writes them as they are.
      // ordered_json's operator[] finds a key by scanning the object, so
      // n keys cost O(n^2); a record's keys are unique, so they are
      // appended to the underlying vector directly (linear).
      OrderedJson out = OrderedJson::object();
      auto& members = static_cast<OrderedJson::object_t::Container&>(out.get_ref<OrderedJson::object_t&>());
      members.reserve(v.as_record().size());
      for (const auto& [k, e] : v.as_record()) members.emplace_back(k, ToJson(e));
      return out;
    }
    case Value::Kind::kIp:
    case Value::Kind::kDecimal:
    case Value::Kind::kDatetime:
    case Value::Kind::kDuration:
    case Value::Kind::kSpiffe: {
      OrderedJson call = OrderedJson::object();
      if (v.is(Value::Kind::kDatetime) && !internal::FormatDatetime(v.as_datetime())) {
        // Outside years 0000-9999 no datetime string exists: written as
        // Cedar writes it, the epoch offset by a duration, in the call form
        // the reader takes (found by fuzz/json_fuzz: the `arg` form did not
        // read back).
        auto extn = [](std::string_view fn, std::string arg) {
          OrderedJson body = OrderedJson::object();
          body["fn"] = std::string(fn);
          body["arg"] = std::move(arg);
          OrderedJson out = OrderedJson::object();
          out["__extn"] = std::move(body);
          return out;
        };
        call["fn"] = "offset";
        call["args"] = OrderedJson::array(
            {extn("datetime", "1970-01-01"), extn("duration", internal::FormatDuration({v.as_datetime().ms}))});
        OrderedJson out = OrderedJson::object();
        out["__extn"] = std::move(call);
        return out;
      }
      call["fn"] = std::string(internal::ExtConstructorName(v.kind()));
      call["arg"] = internal::ExtConstructorArg(v);
      OrderedJson out = OrderedJson::object();
      out["__extn"] = std::move(call);
      return out;
    }
  }
  return nullptr;   // unreachable: the switch covers every kind
}

// One line, no spaces; invalid UTF-8 in a string becomes U+FFFD rather than
// an exception.
std::string Dump(const OrderedJson& j) {
  return j.dump(-1, ' ', /*ensure_ascii=*/false, OrderedJson::error_handler_t::replace);
}

}  // namespace

std::string ValueToJson(const Value& value) { return Dump(ToJson(value)); }

namespace {

}  // namespace

namespace internal {

bool AppendJsonString(std::string* out, std::string_view s, std::size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  bool whole = true;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = Utf8SequenceLength(s, i);
    if (i + std::max<std::size_t>(n, 1) > max_bytes) {
      out->append("...");
      whole = false;
      break;
    }
    if (n == 0) {
      out->append("\xEF\xBF\xBD");   // U+FFFD for an invalid byte
      ++i;
      continue;
    }
    const char c = s[i];
    if (n > 1) {
      out->append(s.substr(i, n));
    } else if (c == '"') {
      out->append("\\\"");
    } else if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '\r') {
      out->append("\\r");
    } else if (c == '\t') {
      out->append("\\t");
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      out->append("\\u00");
      out->push_back(kHex[(c >> 4) & 0xF]);
      out->push_back(kHex[c & 0xF]);
    } else {
      out->push_back(c);
    }
    i += n;
  }
  out->push_back('"');
  return whole;
}

void AppendDecisionMembers(std::string* out, const Decision& decision, bool every_member,
                           std::size_t max_string_bytes) {
  auto strings = [&](const std::vector<std::string>& list) {
    out->push_back('[');
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendJsonString(out, list[i], max_string_bytes);
    }
    out->push_back(']');
  };
  out->append(decision.allowed ? R"("decision":"allow","reasons":)" : R"("decision":"deny","reasons":)");
  strings(decision.reasons);
  out->append(R"(,"errors":[)");
  for (std::size_t i = 0; i < decision.errors.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(R"({"policy":)");
    AppendJsonString(out, decision.errors[i].policy_id, max_string_bytes);
    out->append(R"(,"message":)");
    AppendJsonString(out, decision.errors[i].message, max_string_bytes);
    out->push_back('}');
  }
  out->push_back(']');
  if (every_member || !decision.breakglass.empty()) {
    out->append(R"(,"breakglass":)");
    strings(decision.breakglass);
  }
  if (every_member || decision.revoked) out->append(decision.revoked ? R"(,"revoked":true)" : R"(,"revoked":false)");
  if (decision.denied_by) {
    out->append(R"(,"denied_by":)");
    AppendJsonString(out, decision.denied_by->ToString(), max_string_bytes);
  } else if (every_member) {
    out->append(R"(,"denied_by":null)");
  }
}

}  // namespace internal

std::string DecisionToJson(const Decision& decision) {
  std::string out = "{";
  internal::AppendDecisionMembers(&out, decision);
  out.push_back('}');
  return out;
}

namespace internal {

nlohmann::json IssueJsonValue(const Issue& issue) {
  const char* severity = issue.severity == Severity::kError     ? "error"
                         : issue.severity == Severity::kWarning ? "warning"
                                                                : "note";
  nlohmann::json j = {{"file", issue.file},     {"line", issue.line},         {"column", issue.column},
                      {"length", issue.length}, {"severity", severity},       {"message", issue.message}};
  if (!issue.hint.empty()) j["hint"] = issue.hint;
  return j;
}

}  // namespace internal

std::string IssuesToJson(absl::Span<const Issue> issues) {
  nlohmann::json list = nlohmann::json::array();
  for (const Issue& i : issues) list.push_back(internal::IssueJsonValue(i));
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);   // invalid UTF-8 as U+FFFD
}

}  // namespace writ
