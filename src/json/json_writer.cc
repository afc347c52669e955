// JSON forms, writing: values in Cedar's JSON form (the inverse of
// ValueFromJson) and decisions as one line of JSON.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
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

// `s` as a JSON string. Policy ids and most messages are plain ASCII and are
// copied as they are; anything else (quotes, control characters, UTF-8,
// invalid UTF-8) goes through nlohmann's escaping.
void AppendJsonString(std::string* out, const std::string& s) {
  const bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
  });
  if (plain) {
    out->push_back('"');
    out->append(s);
    out->push_back('"');
  } else {
    out->append(Dump(OrderedJson(s)));
  }
}

void AppendJsonStrings(std::string* out, const std::vector<std::string>& strings) {
  out->push_back('[');
  for (std::size_t i = 0; i < strings.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, strings[i]);
  }
  out->push_back(']');
}

}  // namespace

// Written directly rather than through a json tree: gateways render one
// per request.
std::string DecisionToJson(const Decision& decision) {
  std::string out = decision.allowed ? R"({"decision":"allow","reasons":)" : R"({"decision":"deny","reasons":)";
  AppendJsonStrings(&out, decision.reasons);
  out += R"(,"errors":[)";
  for (std::size_t i = 0; i < decision.errors.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += R"({"policy":)";
    AppendJsonString(&out, decision.errors[i].policy_id);
    out += R"(,"message":)";
    AppendJsonString(&out, decision.errors[i].message);
    out.push_back('}');
  }
  out.push_back(']');
  // writ's extensions, only when they say something.
  if (!decision.breakglass.empty()) {
    out += R"(,"breakglass":)";
    AppendJsonStrings(&out, decision.breakglass);
  }
  if (decision.revoked) out += R"(,"revoked":true)";
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
