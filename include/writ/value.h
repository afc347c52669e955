// writ/value.h — the values policies compute with: Cedar's booleans, longs,
// strings, entity references, sets, records and extension values (ip,
// decimal, datetime, duration) and writ's `spiffe` extension type.
//
// A Value is an immutable, cheaply copyable tree: sets and records share their
// elements. Sets are kept sorted and free of duplicates under Value's total
// order, so two sets are equal exactly when their element lists are equal.
//
// Example:
//   writ::Value ctx = writ::Value::Record({{"env", writ::Value::String("prod")},
//                                          {"mfa", writ::Value::Bool(true)}});
#ifndef WRIT_VALUE_H_
#define WRIT_VALUE_H_

#include <array>
#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace writ {

// An entity reference: `Namespace::Type::"id"`. `type` is the full type name
// with its namespace path joined by "::" (no spaces), `id` the raw id string.
struct EntityUid {
  std::string type;
  std::string id;

  friend bool operator==(const EntityUid&, const EntityUid&) = default;
  friend std::strong_ordering operator<=>(const EntityUid&, const EntityUid&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const EntityUid& uid) {
    return H::combine(std::move(h), uid.type, uid.id);
  }

  // Cedar syntax: `Type::"id"` with the id escaped as Cedar prints it.
  std::string ToString() const;
};

// Cedar's ipaddr extension value: an IPv4 or IPv6 address with a prefix
// length. IPv4 addresses use the first 4 bytes of `bytes`.
struct IpAddr {
  std::array<std::uint8_t, 16> bytes{};
  std::uint8_t prefix_len = 0;
  bool is_v6 = false;

  friend bool operator==(const IpAddr&, const IpAddr&) = default;
  friend std::strong_ordering operator<=>(const IpAddr&, const IpAddr&) = default;
};

// Cedar's decimal: a fixed-point number with four fractional digits, stored
// as value × 10^4.
struct Decimal {
  std::int64_t scaled = 0;
  friend bool operator==(const Decimal&, const Decimal&) = default;
  friend std::strong_ordering operator<=>(const Decimal&, const Decimal&) = default;
};

// Cedar's datetime: milliseconds since the Unix epoch, UTC.
struct Datetime {
  std::int64_t ms = 0;
  friend bool operator==(const Datetime&, const Datetime&) = default;
  friend std::strong_ordering operator<=>(const Datetime&, const Datetime&) = default;
};

// Cedar's duration: a signed number of milliseconds.
struct Duration {
  std::int64_t ms = 0;
  friend bool operator==(const Duration&, const Duration&) = default;
  friend std::strong_ordering operator<=>(const Duration&, const Duration&) = default;
};

// writ's SPIFFE ID extension value (`spiffe("spiffe://trust.domain/path")`,
// not Cedar: strict mode rejects it). Always valid and canonical: the trust
// domain lowercased, the path as written ("" when there is none). The rules
// are the SPIFFE-ID standard's; see src/ext/spiffe.cc and the README.
struct SpiffeId {
  std::string trust_domain;   // e.g. "prod.acme.io"
  std::string path;           // e.g. "/ns/payments/sa/api", or ""

  friend bool operator==(const SpiffeId&, const SpiffeId&) = default;
  friend std::strong_ordering operator<=>(const SpiffeId&, const SpiffeId&) = default;

  // Parses and canonicalises "spiffe://trust.domain/path"; nullopt when the
  // text is not a SPIFFE ID (the evaluator's error says why).
  static std::optional<SpiffeId> Parse(std::string_view text);
  // "spiffe://" + trust_domain + path.
  std::string ToString() const;
};

class Value {
 public:
  // The order of the kinds is the order of Value's total order across kinds.
  enum class Kind : std::uint8_t {
    kBool,
    kLong,
    kString,
    kEntity,
    kSet,
    kRecord,
    kIp,
    kDecimal,
    kDatetime,
    kDuration,
    kSpiffe,     // writ extension
  };

  using Set = std::vector<Value>;                               // sorted, unique
  using Record = std::map<std::string, Value, std::less<>>;     // by attribute name

  // The default value is `false`.
  Value() : rep_(false) {}

  static Value Bool(bool b) { return Value(Rep(b)); }
  static Value Long(std::int64_t i) { return Value(Rep(i)); }
  static Value String(std::string s) { return Value(Rep(std::move(s))); }
  static Value Entity(EntityUid uid) { return Value(Rep(std::move(uid))); }
  // Sorts and removes duplicates.
  static Value MakeSet(std::vector<Value> elements);
  // Callers that must reject duplicate keys (the parser, the JSON reader)
  // check before building the Record.
  static Value MakeRecord(Record fields);
  static Value FromIp(IpAddr ip) { return Value(Rep(ip)); }
  static Value FromDecimal(Decimal d) { return Value(Rep(d)); }
  static Value FromDatetime(Datetime t) { return Value(Rep(t)); }
  static Value FromDuration(Duration d) { return Value(Rep(d)); }
  // Requires a valid, canonical id (SpiffeId::Parse gives one).
  static Value FromSpiffe(SpiffeId id) { return Value(Rep(std::move(id))); }

  Kind kind() const { return static_cast<Kind>(rep_.index()); }
  bool is(Kind k) const { return kind() == k; }

  // Accessors: each requires the matching kind().
  bool as_bool() const { return std::get<bool>(rep_); }
  std::int64_t as_long() const { return std::get<std::int64_t>(rep_); }
  const std::string& as_string() const { return std::get<std::string>(rep_); }
  const EntityUid& as_entity() const { return std::get<EntityUid>(rep_); }
  const Set& as_set() const { return *std::get<std::shared_ptr<const Set>>(rep_); }
  const Record& as_record() const { return *std::get<std::shared_ptr<const Record>>(rep_); }
  const IpAddr& as_ip() const { return std::get<IpAddr>(rep_); }
  const Decimal& as_decimal() const { return std::get<Decimal>(rep_); }
  const Datetime& as_datetime() const { return std::get<Datetime>(rep_); }
  const Duration& as_duration() const { return std::get<Duration>(rep_); }
  const SpiffeId& as_spiffe() const { return std::get<SpiffeId>(rep_); }

  // Cedar's equality: structural, values of different kinds are unequal.
  friend bool operator==(const Value& a, const Value& b);
  // A total order used to keep sets canonical: by kind, then by content.
  // It is not Cedar's `<` (which only orders longs, datetimes, durations).
  friend std::strong_ordering operator<=>(const Value& a, const Value& b);

  // The value in Cedar syntax, e.g. `[1, "a", User::"alice", ip("10.0.0.1")]`.
  std::string ToString() const;

  // The name of a kind as messages show it: "bool", "long", "string",
  // "entity", "set", "record", "ipaddr", "decimal", "datetime", "duration",
  // "spiffe".
  static std::string_view KindName(Kind k);

 private:
  using Rep = std::variant<bool, std::int64_t, std::string, EntityUid,
                           std::shared_ptr<const Set>, std::shared_ptr<const Record>,
                           IpAddr, Decimal, Datetime, Duration, SpiffeId>;
  explicit Value(Rep rep) : rep_(std::move(rep)) {}
  Rep rep_;
};

// Writes `s` as a Cedar string literal, quotes included, escaping as Cedar
// does (`\"`, `\\`, `\n`, `\r`, `\t`, `\0`, `\u{..}` for other controls).
std::string QuoteCedarString(std::string_view s);

}  // namespace writ

#endif  // WRIT_VALUE_H_
