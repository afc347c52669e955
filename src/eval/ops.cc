// Eval: operations shared by the reference evaluator and the compiled engine.
#include "src/eval/ops.h"

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/base/strings.h"
#include "src/base/suggest.h"

namespace writ::internal {
absl::Status TypeError(std::string_view expected, Value::Kind got) {
  return absl::InvalidArgumentError(
      absl::StrCat("type error: expected ", Av(expected), ", got ", Av(Value::KindName(got))));
}

absl::Status TypeError(std::string_view expected, const Value& got) { return TypeError(expected, got.kind()); }

// Cedar's `like`: `*` matches any sequence of characters. Literal runs are
// matched as UTF-8 bytes, which is equivalent to matching characters because
// a run starts and ends on character boundaries.
bool WildcardMatch(const std::vector<PatternElem>& pattern, std::string_view text) {
  // Classic greedy match with backtracking to the last star; linear memory.
  std::size_t p = 0, t = 0;
  std::size_t star_p = std::string_view::npos, star_t = 0;
  while (true) {
    if (p < pattern.size() && pattern[p].wildcard) {
      star_p = p++;
      star_t = t;
      continue;
    }
    if (p < pattern.size() && text.substr(t).starts_with(pattern[p].literal)) {
      t += pattern[p].literal.size();
      ++p;
      if (p == pattern.size() && t == text.size()) return true;
      if (p < pattern.size()) continue;
    } else if (p == pattern.size() && t == text.size()) {
      return true;
    }
    // Mismatch (or pattern done with text left): let the last star eat one more byte.
    if (star_p == std::string_view::npos || star_t >= text.size()) return false;
    p = star_p + 1;
    t = ++star_t;
  }
}

absl::StatusOr<std::int64_t> Arith(BinaryOp op, std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  bool overflow = false;
  const char* name = "+";
  switch (op) {
    case BinaryOp::kAdd: overflow = __builtin_add_overflow(a, b, &r); break;
    case BinaryOp::kSub: overflow = __builtin_sub_overflow(a, b, &r); name = "-"; break;
    case BinaryOp::kMul: overflow = __builtin_mul_overflow(a, b, &r); name = "*"; break;
    default: return absl::InternalError("not an arithmetic operator");
  }
  if (overflow) {
    return absl::InvalidArgumentError(
        absl::StrCat("integer overflow while attempting to ", a, " ", name, " ", b));
  }
  return r;
}

// Cedar's `<`/`<=` on longs, and on two datetimes or two durations.
absl::StatusOr<bool> Less(const Value& a, const Value& b, bool or_equal) {
  auto cmp = [or_equal](auto x, auto y) { return or_equal ? x <= y : x < y; };
  if (a.is(Value::Kind::kLong) && b.is(Value::Kind::kLong)) return cmp(a.as_long(), b.as_long());
  if (a.is(Value::Kind::kDatetime) && b.is(Value::Kind::kDatetime)) {
    return cmp(a.as_datetime().ms, b.as_datetime().ms);
  }
  if (a.is(Value::Kind::kDuration) && b.is(Value::Kind::kDuration)) {
    return cmp(a.as_duration().ms, b.as_duration().ms);
  }
  return LessTypeError(a.kind(), b.kind());
}

absl::Status LessTypeError(Value::Kind a, Value::Kind b) {
  auto comparable = [](Value::Kind k) {
    return k == Value::Kind::kLong || k == Value::Kind::kDatetime || k == Value::Kind::kDuration;
  };
  if (comparable(a)) return TypeError(Value::KindName(a), b);
  if (comparable(b)) return TypeError(Value::KindName(b), a);
  return TypeError("long, datetime or duration", a);
}

absl::Status EntityMissing(const EntityUid& uid) {
  return absl::InvalidArgumentError(absl::StrCat("entity ", uid.ToString(), " does not exist"));
}

namespace {

// "; did you mean `x`?" for the attribute of `record` nearest to `attr`.
std::string AttrHint(std::string_view attr, const Value::Record& record) {
  std::vector<std::string_view> names;
  names.reserve(record.size());
  for (const auto& [name, value] : record) names.push_back(name);
  const std::string hint = Suggest(attr, names);
  return hint.empty() ? "" : absl::StrCat("; ", hint);
}

}  // namespace

absl::Status EntityAttrMissing(const EntityUid& uid, std::string_view attr, const Value::Record& attrs) {
  return absl::InvalidArgumentError(absl::StrCat("entity ", uid.ToString(), " does not have the attribute `",
                                                 Av(attr), "`", AttrHint(attr, attrs)));
}

absl::Status RecordAttrMissing(std::string_view attr, const Value::Record& record) {
  return absl::InvalidArgumentError(
      absl::StrCat("record does not have the attribute `", Av(attr), "`", AttrHint(attr, record)));
}

absl::Status TagMissing(const EntityUid& uid, std::string_view tag) {
  return absl::InvalidArgumentError(
      absl::StrCat("entity ", uid.ToString(), " does not have the tag `", Av(tag), "`"));
}

absl::Status UnlinkedSlot() { return absl::InvalidArgumentError("template slot is not linked"); }

}  // namespace writ::internal
