// serve: reads the `writ serve` configuration (YAML via yaml-cpp, confined
// to this file) into a ServeConfig, with every mistake located.
#include "src/serve/config.h"

#include <algorithm>
#include <exception>
#include <initializer_list>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/base/source.h"
#include "src/base/strings.h"
#include "src/serve/limits.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/yaml.h"

namespace writ::serve {
namespace {

using internal::Av;

bool IsHeaderName(const std::string& s) {
  if (s.empty()) return false;
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (absl::ascii_isalnum(c)) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(ch) == std::string_view::npos) return false;
  }
  return true;
}

// Cedar entity type names: identifiers joined by `::`.
bool IsEntityType(const std::string& s) {
  std::size_t i = 0;
  while (true) {
    if (i >= s.size() || !(absl::ascii_isalpha(static_cast<unsigned char>(s[i])) || s[i] == '_')) return false;
    while (i < s.size() && (absl::ascii_isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
    if (i == s.size()) return true;
    if (s.compare(i, 2, "::") != 0) return false;
    i += 2;
  }
}

class Reader {
 public:
  Reader(std::string_view text, std::string_view name, std::vector<Issue>* issues)
      : text_(text), source_(name, text), issues_(issues) {}

  void Error(const YAML::Mark& mark, std::string message) {
    if (quiet_) return;
    std::uint32_t at = 0;
    if (mark.line >= 0 && mark.column >= 0) {
      const std::string_view line = source_.LineText(static_cast<std::uint32_t>(mark.line) + 1);
      at = line.data() == nullptr
               ? static_cast<std::uint32_t>(text_.size())
               : static_cast<std::uint32_t>(std::min<std::size_t>(
                     static_cast<std::size_t>(line.data() - text_.data()) + static_cast<std::size_t>(mark.column),
                     text_.size()));
    }
    issues_->push_back(source_.MakeIssue({at, at + 1}, std::move(message)));
    ok_ = false;
  }

  // Checks that `map` is a mapping with only `allowed` keys.
  bool Mapping(const YAML::Node& map, std::string_view what, std::initializer_list<std::string_view> allowed) {
    if (!map.IsMap()) {
      Error(map.Mark(), absl::StrCat(Av(what), " must be a mapping"));
      return false;
    }
    for (const auto& kv : map) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string names;
        for (std::string_view a : allowed) absl::StrAppend(&names, names.empty() ? "" : ", ", Av(a));
        Error(kv.first.Mark(), absl::StrCat("unknown key `", key, "` in ", Av(what), " (expected one of: ", names, ")"));
      }
    }
    return true;
  }

  void String(const YAML::Node& map, const char* key, std::string* out, bool (*valid)(const std::string&),
              std::string_view what) {
    const YAML::Node n = map[key];
    if (!n) return;
    if (!n.IsScalar()) {
      Error(n.Mark(), absl::StrCat(key, " must be ", Av(what)));
      return;
    }
    std::string v = n.Scalar();
    if (valid == &IsHeaderName) v = absl::AsciiStrToLower(v);
    if (!valid(v)) {
      Error(n.Mark(), absl::StrCat(key, ": `", n.Scalar(), "` is not ", Av(what)));
      return;
    }
    *out = std::move(v);
  }

  void Headers(const YAML::Node& map, const char* key, std::vector<std::string>* out) {
    const YAML::Node n = map[key];
    if (!n) return;
    if (!n.IsSequence()) {
      Error(n.Mark(), absl::StrCat(key, " must be a list of header names"));
      return;
    }
    if (n.size() > kMaxHeaderValues) {
      Error(n.Mark(), absl::StrCat(key, " lists more than ", kMaxHeaderValues, " headers"));
      return;
    }
    out->clear();
    for (const YAML::Node& h : n) {
      if (!h.IsScalar() || !IsHeaderName(h.Scalar())) {
        Error(h.Mark(), absl::StrCat(key, ": not a header name"));
        continue;
      }
      out->push_back(absl::AsciiStrToLower(h.Scalar()));
    }
  }

  void Bool(const YAML::Node& map, const char* key, bool* out) {
    const YAML::Node n = map[key];
    if (!n) return;
    if (!n.IsScalar() || (n.Scalar() != "true" && n.Scalar() != "false")) {
      Error(n.Mark(), absl::StrCat(key, " must be true or false"));
      return;
    }
    *out = n.Scalar() == "true";
  }

  void Read(const YAML::Node& root, ServeConfig* config) {
    if (!root || root.IsNull()) return;   // an empty file: the defaults
    if (!Mapping(root, "the configuration", {"forward_auth"})) return;
    const YAML::Node fa = root["forward_auth"];
    if (!fa || !Mapping(fa, "forward_auth", {"principal", "action", "resource", "context"})) return;
    // The same keys over both transports' defaults; mistakes said once.
    ReadMapping(fa, &config->forward_auth);
    quiet_ = true;
    ReadMapping(fa, &config->ext_authz);
    quiet_ = false;
  }

  void ReadMapping(const YAML::Node& fa, ForwardAuthConfig* config) {
    ForwardAuthConfig& c = *config;
    if (const YAML::Node p = fa["principal"]; p && Mapping(p, "principal", {"header", "extract", "entity_type", "spiffe"})) {
      String(p, "header", &c.principal_header, IsHeaderName, "a header name");
      if (const YAML::Node e = p["extract"]) {
        if (e.IsScalar() && e.Scalar() == "value") {
          c.principal_extract = PrincipalExtract::kValue;
        } else if (e.IsScalar() && e.Scalar() == "xfcc-uri") {
          c.principal_extract = PrincipalExtract::kXfccUri;
        } else if (e.IsScalar() && e.Scalar() == "source-principal") {
          c.principal_extract = PrincipalExtract::kSourcePrincipal;
        } else {
          Error(e.Mark(), "extract must be `value`, `xfcc-uri` or `source-principal`");
        }
      }
      String(p, "entity_type", &c.principal_type, IsEntityType, "an entity type name");
      Bool(p, "spiffe", &c.principal_spiffe);
    }
    if (const YAML::Node a = fa["action"]; a && Mapping(a, "action", {"headers", "override_headers", "entity_type"})) {
      Headers(a, "headers", &c.method_headers);
      Headers(a, "override_headers", &c.method_override_headers);
      String(a, "entity_type", &c.action_type, IsEntityType, "an entity type name");
    }
    if (const YAML::Node r = fa["resource"];
        r && Mapping(r, "resource", {"headers", "entity_type", "path_parameters"})) {
      Headers(r, "headers", &c.uri_headers);
      String(r, "entity_type", &c.resource_type, IsEntityType, "an entity type name");
      if (const YAML::Node pp = r["path_parameters"]) {
        if (pp.IsScalar() && pp.Scalar() == "reject") {
          c.path_parameters = PathParameters::kReject;
        } else if (pp.IsScalar() && pp.Scalar() == "data") {
          c.path_parameters = PathParameters::kData;
        } else {
          Error(pp.Mark(), "path_parameters must be `reject` or `data`");
        }
      }
    }
    if (const YAML::Node x = fa["context"]; x && Mapping(x, "context", {"host_headers", "headers"})) {
      Headers(x, "host_headers", &c.host_headers);
      Headers(x, "headers", &c.context_headers);
    }
  }

  bool ok() const { return ok_; }

 private:
  std::string_view text_;
  internal::SourceFile source_;
  std::vector<Issue>* issues_;
  bool ok_ = true;
  bool quiet_ = false;   // reading again what was read once: no issue twice
};

}  // namespace

absl::StatusOr<ServeConfig> ParseServeConfig(std::string_view text, std::string_view source_name,
                                             std::vector<Issue>* issues) {
  std::vector<Issue> local;
  if (issues == nullptr) issues = &local;
  Reader reader(text, source_name, issues);
  if (text.size() > kMaxConfigBytes) {
    reader.Error(YAML::Mark::null_mark(),
                 absl::StrCat("the configuration is ", text.size(), " bytes, more than the limit of ", kMaxConfigBytes));
    return absl::InvalidArgumentError("the configuration is too large");
  }
  ServeConfig config;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    reader.Read(root, &config);
  } catch (const YAML::Exception& e) {
    reader.Error(e.mark, e.msg);
  } catch (const std::exception& e) {
    reader.Error(YAML::Mark::null_mark(), e.what());
  }
  if (!reader.ok()) return absl::InvalidArgumentError(absl::StrCat(Av(source_name), ": invalid configuration"));
  return config;
}

}  // namespace writ::serve
