// Values: construction of canonical sets and records, Cedar equality, the
// total order that keeps sets canonical, and printing in Cedar syntax.
#include "writ/value.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/ext/extensions.h"

namespace writ {

std::string QuoteCedarString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\0': out += "\\0"; break;
      default: {
        unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
          absl::StrAppendFormat(&out, "\\u{%x}", u);
        } else {
          out += c;
        }
      }
    }
  }
  out += '"';
  return out;
}

std::string EntityUid::ToString() const { return absl::StrCat(type, "::", QuoteCedarString(id)); }

Value Value::MakeSet(std::vector<Value> elements) {
  std::sort(elements.begin(), elements.end());
  elements.erase(std::unique(elements.begin(), elements.end()), elements.end());
  return Value(Rep(std::make_shared<const Set>(std::move(elements))));
}

Value Value::MakeRecord(Record fields) {
  return Value(Rep(std::make_shared<const Record>(std::move(fields))));
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kSet: {
      const auto& x = std::get<std::shared_ptr<const Value::Set>>(a.rep_);
      const auto& y = std::get<std::shared_ptr<const Value::Set>>(b.rep_);
      return x == y || *x == *y;
    }
    case Value::Kind::kRecord: {
      const auto& x = std::get<std::shared_ptr<const Value::Record>>(a.rep_);
      const auto& y = std::get<std::shared_ptr<const Value::Record>>(b.rep_);
      return x == y || *x == *y;
    }
    default:
      return a.rep_ == b.rep_;
  }
}

namespace {

template <typename Range>
std::strong_ordering CompareRanges(const Range& x, const Range& y) {
  return std::lexicographical_compare_three_way(x.begin(), x.end(), y.begin(), y.end());
}

}  // namespace

std::strong_ordering operator<=>(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return a.kind() <=> b.kind();
  switch (a.kind()) {
    case Value::Kind::kBool: return a.as_bool() <=> b.as_bool();
    case Value::Kind::kLong: return a.as_long() <=> b.as_long();
    case Value::Kind::kString: return a.as_string().compare(b.as_string()) <=> 0;
    case Value::Kind::kEntity: return a.as_entity() <=> b.as_entity();
    case Value::Kind::kSet: return CompareRanges(a.as_set(), b.as_set());
    case Value::Kind::kRecord: {
      const auto& x = a.as_record();
      const auto& y = b.as_record();
      auto ix = x.begin();
      auto iy = y.begin();
      for (; ix != x.end() && iy != y.end(); ++ix, ++iy) {
        if (auto c = ix->first.compare(iy->first) <=> 0; c != 0) return c;
        if (auto c = ix->second <=> iy->second; c != 0) return c;
      }
      return (ix != x.end()) <=> (iy != y.end());
    }
    case Value::Kind::kIp: return a.as_ip() <=> b.as_ip();
    case Value::Kind::kDecimal: return a.as_decimal() <=> b.as_decimal();
    case Value::Kind::kDatetime: return a.as_datetime() <=> b.as_datetime();
    case Value::Kind::kDuration: return a.as_duration() <=> b.as_duration();
    case Value::Kind::kSpiffe: return a.as_spiffe() <=> b.as_spiffe();
  }
  return std::strong_ordering::equal;
}

std::string Value::ToString() const {
  switch (kind()) {
    case Kind::kBool: return as_bool() ? "true" : "false";
    case Kind::kLong: return absl::StrCat(as_long());
    case Kind::kString: return QuoteCedarString(as_string());
    case Kind::kEntity: return as_entity().ToString();
    case Kind::kSet: {
      std::string out = "[";
      for (const Value& v : as_set()) {
        if (out.size() > 1) out += ", ";
        out += v.ToString();
      }
      return out + "]";
    }
    case Kind::kRecord: {
      std::string out = "{";
      for (const auto& [k, v] : as_record()) {
        if (out.size() > 1) out += ", ";
        absl::StrAppend(&out, QuoteCedarString(k), ": ", v.ToString());
      }
      return out + "}";
    }
    case Kind::kIp:
    case Kind::kDecimal:
    case Kind::kDatetime:
    case Kind::kDuration:
    case Kind::kSpiffe:
      return internal::ExtValueToString(*this);
  }
  return {};
}

std::string_view Value::KindName(Kind k) {
  switch (k) {
    case Kind::kBool: return "bool";
    case Kind::kLong: return "long";
    case Kind::kString: return "string";
    case Kind::kEntity: return "entity";
    case Kind::kSet: return "set";
    case Kind::kRecord: return "record";
    case Kind::kIp: return "ipaddr";
    case Kind::kDecimal: return "decimal";
    case Kind::kDatetime: return "datetime";
    case Kind::kDuration: return "duration";
    case Kind::kSpiffe: return "spiffe";
  }
  return "?";
}

}  // namespace writ
