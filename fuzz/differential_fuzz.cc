// Fuzzing: the differential target. The fuzzer's bytes drive a small
// structured generator of Cedar policies, entities and requests (scopes of
// every form; conditions over a few attributes with ==, !=, <, +, in, has,
// like, is, if-then-else, &&, ||, !, sets, records, and extension calls);
// the compiled engine (writ::Engine) and the reference evaluator
// (writ::Authorize) decide every request, and any disagreement in the
// decision, the determining policies or the erroring policies traps after
// printing both decisions and the case.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/entities.h"
#include "writ/json.h"
#include "writ/policy_set.h"
#include "writ/request.h"

namespace {

constexpr const char* kUsers[] = {"alice", "bob", "carol"};
constexpr const char* kGroups[] = {"admins", "staff"};
constexpr const char* kDocs[] = {"d1", "d2"};
constexpr const char* kActions[] = {"read", "write", "admin"};
constexpr const char* kStrings[] = {"", "a", "ab", "abc", "x*y", "prod", "staging"};
constexpr const char* kAttrs[] = {"level", "name", "tags", "owner", "ip", "flag", "n", "s", "set", "rec", "missing"};
constexpr const char* kPatterns[] = {"*", "a*", "*b", "*b*", "a*c", "", "x\\*y", "**"};
constexpr const char* kIps[] = {"10.0.0.1", "10.0.0.0/8", "127.0.0.1", "::1", "192.168.1.0/24", "ffff::/16", "1.2.3"};
constexpr const char* kDecimals[] = {"1.5", "0.0001", "-3.25", "922337203685477.5807", "1.23456"};
constexpr const char* kDatetimes[] = {"2024-01-01", "2024-01-01T10:00:00Z", "1970-01-01T00:00:00.001+0100"};
constexpr const char* kDurations[] = {"1h", "-2d3m", "1ms", "9223372036854775807ms"};
constexpr std::int64_t kLongs[] = {0, 1, -1, 2, 7, 100, 9223372036854775807LL, -9223372036854775807LL - 1};

template <typename T, std::size_t N>
const T& Pick(FuzzedDataProvider& in, const T (&options)[N]) {
  return options[in.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
}

std::string Quote(const std::string& s) { return absl::StrCat("\"", s, "\""); }

std::string EntityRef(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0: return absl::StrCat("User::\"", Pick(in, kUsers), "\"");
    case 1: return absl::StrCat("Group::\"", Pick(in, kGroups), "\"");
    case 2: return absl::StrCat("Doc::\"", Pick(in, kDocs), "\"");
    case 3: return absl::StrCat("Action::\"", Pick(in, kActions), "\"");
    default: return "User::\"ghost\"";
  }
}

std::string Expr(FuzzedDataProvider& in, int depth);
std::string Attrs(FuzzedDataProvider& in, int depth);

std::string Leaf(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 7)) {
    case 0: return in.ConsumeBool() ? "true" : "false";
    case 1: {
      const std::int64_t v = Pick(in, kLongs);
      return v < 0 ? absl::StrCat("(", v == INT64_MIN ? "-9223372036854775807 - 1" : absl::StrCat(v), ")")
                   : absl::StrCat(v);
    }
    case 2: return Quote(Pick(in, kStrings));
    case 3: return "principal";
    case 4: return "resource";
    case 5: return "context";
    case 6: return "action";
    default: return EntityRef(in);
  }
}

std::string Ext(FuzzedDataProvider& in, int depth) {
  switch (in.ConsumeIntegralInRange(0, 11)) {
    case 0: return absl::StrCat("ip(", Quote(Pick(in, kIps)), ")");
    case 1: return absl::StrCat("decimal(", Quote(Pick(in, kDecimals)), ")");
    case 2: return absl::StrCat("datetime(", Quote(Pick(in, kDatetimes)), ")");
    case 3: return absl::StrCat("duration(", Quote(Pick(in, kDurations)), ")");
    case 4: return absl::StrCat(Expr(in, depth), ".isIpv4()");
    case 5: return absl::StrCat(Expr(in, depth), ".isLoopback()");
    case 6: return absl::StrCat(Expr(in, depth), ".isInRange(", Expr(in, depth), ")");
    case 7: return absl::StrCat(Expr(in, depth), ".lessThan(", Expr(in, depth), ")");
    case 8: return absl::StrCat(Expr(in, depth), ".greaterThanOrEqual(", Expr(in, depth), ")");
    case 9: return absl::StrCat(Expr(in, depth), ".offset(", Expr(in, depth), ")");
    case 10: return absl::StrCat(Expr(in, depth), ".toDays()");
    default: return absl::StrCat(Expr(in, depth), ".durationSince(", Expr(in, depth), ")");
  }
}

std::string Expr(FuzzedDataProvider& in, int depth) {
  if (depth <= 0 || in.remaining_bytes() == 0) return Leaf(in);
  const int d = depth - 1;
  switch (in.ConsumeIntegralInRange(0, 21)) {
    case 0: return Leaf(in);
    case 1: return absl::StrCat(Expr(in, d), ".", Pick(in, kAttrs));
    case 2: return absl::StrCat(Expr(in, d), " has ", Pick(in, kAttrs));
    case 3: return absl::StrCat("(", Expr(in, d), " == ", Expr(in, d), ")");
    case 4: return absl::StrCat("(", Expr(in, d), " != ", Expr(in, d), ")");
    case 5: {
      static constexpr const char* kOps[] = {"<", "<=", ">", ">=", "+", "-", "*"};
      return absl::StrCat("(", Expr(in, d), " ", Pick(in, kOps), " ", Expr(in, d), ")");
    }
    case 6: return absl::StrCat("(", Expr(in, d), " in ", Expr(in, d), ")");
    case 7: return absl::StrCat("(", Expr(in, d), " like \"", Pick(in, kPatterns), "\")");
    case 8: {
      static constexpr const char* kTypes[] = {"User", "Group", "Doc", "Action"};
      return absl::StrCat("(", Expr(in, d), " is ", Pick(in, kTypes), ")");
    }
    case 9: return absl::StrCat("(if ", Expr(in, d), " then ", Expr(in, d), " else ", Expr(in, d), ")");
    case 10: return absl::StrCat("(", Expr(in, d), " && ", Expr(in, d), ")");
    case 11: return absl::StrCat("(", Expr(in, d), " || ", Expr(in, d), ")");
    case 12: return absl::StrCat("!", Expr(in, d));
    case 13: return absl::StrCat("-", Expr(in, d));
    case 14: {
      std::vector<std::string> elems;
      for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) elems.push_back(Expr(in, d));
      return absl::StrCat("[", absl::StrJoin(elems, ", "), "]");
    }
    case 15: {
      std::vector<std::string> fields;
      for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) {
        fields.push_back(absl::StrCat(Pick(in, kAttrs), ": ", Expr(in, d)));
      }
      return absl::StrCat("{", absl::StrJoin(fields, ", "), "}");
    }
    case 16: return absl::StrCat(Expr(in, d), ".contains(", Expr(in, d), ")");
    case 17: return absl::StrCat(Expr(in, d), in.ConsumeBool() ? ".containsAll(" : ".containsAny(", Expr(in, d), ")");
    case 18: return absl::StrCat(Expr(in, d), ".isEmpty()");
    case 19: return absl::StrCat(Expr(in, d), in.ConsumeBool() ? ".hasTag(" : ".getTag(", Expr(in, d), ")");
    case 20: return absl::StrCat(Expr(in, d), "[", Quote(Pick(in, kAttrs)), "]");
    default: return Ext(in, d);
  }
}

std::string Scope(FuzzedDataProvider& in, const char* var, const char* type) {
  switch (in.ConsumeIntegralInRange(0, 4)) {
    case 0: return var;
    case 1: return absl::StrCat(var, " == ", EntityRef(in));
    case 2: return absl::StrCat(var, " in ", EntityRef(in));
    case 3: return absl::StrCat(var, " is ", type);
    default: return absl::StrCat(var, " is ", type, " in ", EntityRef(in));
  }
}

std::string ActionScope(FuzzedDataProvider& in) {
  auto action = [&] { return absl::StrCat("Action::\"", Pick(in, kActions), "\""); };
  switch (in.ConsumeIntegralInRange(0, 3)) {
    case 0: return "action";
    case 1: return absl::StrCat("action == ", action());
    case 2: return absl::StrCat("action in ", action());
    default: {
      std::vector<std::string> list;
      for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) list.push_back(action());
      return absl::StrCat("action in [", absl::StrJoin(list, ", "), "]");
    }
  }
}

std::string Policies(FuzzedDataProvider& in) {
  std::string out;
  for (int n = in.ConsumeIntegralInRange(1, 4); n > 0; --n) {
    absl::StrAppend(&out, in.ConsumeBool() ? "permit" : "forbid", " (", Scope(in, "principal", "User"), ", ",
                    ActionScope(in), ", ", Scope(in, "resource", "Doc"), ")");
    for (int c = in.ConsumeIntegralInRange(0, 2); c > 0; --c) {
      absl::StrAppend(&out, in.ConsumeBool() ? " when { " : " unless { ", Expr(in, 4), " }");
    }
    out += ";\n";
  }
  return out;
}

// A JSON value for an attribute: the kinds the conditions compare.
std::string JsonValue(FuzzedDataProvider& in, int depth) {
  switch (in.ConsumeIntegralInRange(0, depth > 0 ? 8 : 5)) {
    case 0: return in.ConsumeBool() ? "true" : "false";
    case 1: return absl::StrCat(Pick(in, kLongs));
    case 2: return Quote(Pick(in, kStrings));
    case 3: return absl::StrCat("{\"__entity\":{\"type\":\"User\",\"id\":\"", Pick(in, kUsers), "\"}}");
    case 4: return absl::StrCat("{\"__extn\":{\"fn\":\"ip\",\"arg\":\"", Pick(in, kIps), "\"}}");
    case 5: return absl::StrCat("{\"__extn\":{\"fn\":\"decimal\",\"arg\":\"", Pick(in, kDecimals), "\"}}");
    case 6:
    case 7: {
      std::vector<std::string> elems;
      for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) elems.push_back(JsonValue(in, depth - 1));
      return absl::StrCat("[", absl::StrJoin(elems, ","), "]");
    }
    default: return absl::StrCat("{", Attrs(in, depth - 1), "}");
  }
}

std::string Attrs(FuzzedDataProvider& in, int depth) {
  std::vector<std::string> fields;
  for (int n = in.ConsumeIntegralInRange(0, 4); n > 0; --n) {
    fields.push_back(absl::StrCat(Quote(Pick(in, kAttrs)), ":", JsonValue(in, depth)));
  }
  // One value per key (the first written wins).
  std::vector<std::string> unique;
  for (const std::string& f : fields) {
    const std::string key = f.substr(0, f.find(':'));
    if (std::none_of(unique.begin(), unique.end(), [&](const std::string& u) { return u.substr(0, u.find(':')) == key; })) {
      unique.push_back(f);
    }
  }
  return absl::StrJoin(unique, ",");
}

std::string Uid(const char* type, const char* id) {
  return absl::StrCat("{\"type\":\"", type, "\",\"id\":\"", id, "\"}");
}

// The entity store: every user, group and document with random attributes,
// tags and parents (groups, possibly in each other, possibly in a cycle), and
// the actions, `write` and `read` sometimes in `admin`.
std::string EntitiesJson(FuzzedDataProvider& in) {
  std::vector<std::string> entities;
  auto entity = [&](const char* type, const char* id, const char* parent_type, const auto& parents) {
    std::vector<std::string> ps;
    for (const char* p : parents) {
      if (in.ConsumeBool()) ps.push_back(Uid(parent_type, p));
    }
    std::string e = absl::StrCat("{\"uid\":", Uid(type, id), ",\"attrs\":{", Attrs(in, 2), "},\"parents\":[",
                                 absl::StrJoin(ps, ","), "]");
    if (in.ConsumeBool()) absl::StrAppend(&e, ",\"tags\":{", Attrs(in, 1), "}");
    entities.push_back(e + "}");
  };
  for (const char* u : kUsers) entity("User", u, "Group", kGroups);
  for (const char* g : kGroups) entity("Group", g, "Group", kGroups);
  for (const char* d : kDocs) entity("Doc", d, "Doc", kDocs);
  static constexpr const char* kAdmin[] = {"admin"};
  for (const char* a : kActions) {
    if (std::string(a) == "admin") {
      entities.push_back(absl::StrCat("{\"uid\":", Uid("Action", a), ",\"attrs\":{},\"parents\":[]}"));
    } else {
      entity("Action", a, "Action", kAdmin);
    }
  }
  return absl::StrCat("[", absl::StrJoin(entities, ","), "]");
}

std::string RequestJson(FuzzedDataProvider& in) {
  auto uid = [&](const char* type, const auto& ids) {
    return in.ConsumeIntegralInRange(0, 7) == 0 ? Uid(type, "ghost") : Uid(type, Pick(in, ids));
  };
  const std::string principal = in.ConsumeIntegralInRange(0, 5) == 0 ? uid("Group", kGroups) : uid("User", kUsers);
  return absl::StrCat("{\"principal\":", principal, ",\"action\":", uid("Action", kActions),
                      ",\"resource\":", uid("Doc", kDocs), ",\"context\":{", Attrs(in, 2), "}}");
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::string Show(const writ::Decision& d) {
  std::string s = absl::StrCat(d.allowed ? "allow" : "deny", " reasons [", absl::StrJoin(Sorted(d.reasons), ","), "]");
  for (const writ::PolicyError& e : d.errors) absl::StrAppend(&s, "\n  error ", e.policy_id, ": ", e.message);
  return s;
}

std::vector<std::string> ErrorIds(const writ::Decision& d) {
  std::vector<std::string> ids;
  for (const writ::PolicyError& e : d.errors) ids.push_back(e.policy_id);
  return Sorted(ids);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string policies = Policies(in);
  const std::string entities_json = EntitiesJson(in);
  writ::PolicySet set;
  std::vector<writ::Issue> issues;
  if (!set.Add(policies, "fuzz.cedar", &issues).ok()) return 0;   // e.g. a malformed extension literal
  absl::StatusOr<writ::Entities> entities = writ::EntitiesFromJson(entities_json, "entities.json", &issues);
  if (!entities.ok()) return 0;
  absl::StatusOr<std::unique_ptr<const writ::Engine>> engine = writ::Engine::Compile(set, *entities);
  if (!engine.ok()) return 0;
  for (int n = in.ConsumeIntegralInRange(1, 4); n > 0; --n) {
    const std::string request_json = RequestJson(in);
    absl::StatusOr<writ::Request> request = writ::RequestFromJson(request_json, "request.json", &issues);
    if (!request.ok()) continue;
    const writ::Decision got = (*engine)->Decide(*request);
    const writ::Decision want = writ::Authorize(set, *entities, *request);
    if (got.allowed != want.allowed || Sorted(got.reasons) != Sorted(want.reasons) || ErrorIds(got) != ErrorIds(want)) {
      std::fprintf(stderr,
                   "differential_fuzz: the engine and the reference disagree\n--- policies\n%s--- entities\n%s\n"
                   "--- request\n%s\n--- engine\n%s\n--- reference\n%s\n",
                   policies.c_str(), entities_json.c_str(), request_json.c_str(), Show(got).c_str(),
                   Show(want).c_str());
      __builtin_trap();
    }
  }
  return 0;
}
