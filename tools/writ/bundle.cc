// writ CLI: `writ bundle build|sign|verify|inspect` — policy bundles
// (writ/bundle.h) made from a folder, signed with an Ed25519 key, verified
// and loaded as a fleet would, and shown. Its subcommands parse their own
// flags: `-o` and a repeated `--pubkey` do not fit the shared flag table.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "tools/writ/cli.h"
#include "writ/bundle.h"

namespace writ::cli {
namespace {

namespace fs = std::filesystem;

// Longest key file read.
constexpr std::size_t kMaxKeyFileBytes = 64u << 10;

struct SubArgs {
  std::map<std::string, std::vector<std::string>> flags;
  std::vector<std::string> positional;
  std::optional<std::string> One(const std::string& name) const {
    auto it = flags.find(name);
    if (it == flags.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
  }
};

struct SubSpec {
  std::set<std::string> value_flags;   // take one value each; may repeat only when in `repeatable`
  std::set<std::string> repeatable;
  std::set<std::string> switches;
  std::size_t positional;              // exactly this many
  const char* usage;
};

const std::map<std::string, SubSpec>& Subcommands() {
  static const std::map<std::string, SubSpec> kSubs = {
      {"build", {{"output", "revision"}, {}, {}, 1, "writ bundle build DIR -o B.tar.gz [--revision N]"}},
      {"sign", {{"key", "output"}, {}, {}, 1, "writ bundle sign --key KEY.pem B.tar.gz [-o OUT.tar.gz]"}},
      {"verify", {{"pubkey"}, {"pubkey"}, {"strict"}, 1, "writ bundle verify --pubkey PUB.pem [--pubkey PUB2.pem] [--strict] B.tar.gz"}},
      {"inspect", {{"format"}, {}, {}, 1, "writ bundle inspect B.tar.gz [--format json]"}},
  };
  return kSubs;
}

absl::StatusOr<SubArgs> ParseSub(const SubSpec& spec, const std::vector<std::string>& argv) {
  SubArgs args;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    std::string a = argv[i];
    if (a == "-o") a = "--output";
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      args.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (spec.switches.count(name) > 0) {
      if (value) return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
      args.flags[name].push_back("");
      continue;
    }
    if (spec.value_flags.count(name) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name, " (usage: ", spec.usage, ")"));
    }
    if (!value) {
      if (i + 1 >= argv.size()) return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      value = argv[++i];
    }
    std::vector<std::string>& values = args.flags[name];
    if (!values.empty() && spec.repeatable.count(name) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " given twice"));
    }
    values.push_back(*value);
  }
  if (args.positional.size() != spec.positional) {
    return absl::InvalidArgumentError(absl::StrCat("expected ", spec.positional, " argument (usage: ", spec.usage, ")"));
  }
  return args;
}

// Writes `bytes` to `path` atomically: a temporary file beside it renamed
// over it (mode 0644 less the umask, or the replaced file's mode).
absl::Status WriteAtomically(const std::string& path, const std::string& bytes) {
  std::string temp = path + ".writ-bundle-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return absl::InternalError(absl::StrCat(path, ": cannot create a temporary file: ", std::strerror(errno)));
  auto fail = [&](const char* what) {
    const int saved = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return absl::InternalError(absl::StrCat(path, ": ", what, ": ", std::strerror(saved)));
  };
  struct stat st;
  mode_t mode = 0644;
  if (::stat(path.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode &= ~mask;
  }
  if (::fchmod(fd, mode) != 0) return fail("cannot set permissions");
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot write");
  if (::close(fd) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return absl::InternalError(absl::StrCat(path, ": cannot write: ", std::strerror(saved)));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return absl::InternalError(absl::StrCat(path, ": cannot write: ", std::strerror(saved)));
  }
  return absl::OkStatus();
}

std::string Refusal(BundleFault fault, const absl::Status& status) {
  return absl::StrCat("refused (", std::string(BundleFaultName(fault)), "): ", std::string(status.message()));
}

int Build(const SubArgs& args, std::ostream& out, std::ostream& err) {
  const std::optional<std::string> output = args.One("output");
  if (!output) {
    err << "writ bundle build: -o B.tar.gz is required\n";
    return kExitUsage;
  }
  std::uint64_t revision = 0;
  if (std::optional<std::string> r = args.One("revision")) {
    if (!absl::SimpleAtoi(*r, &revision) || revision > static_cast<std::uint64_t>(INT64_MAX)) {
      err << "writ bundle build: --revision is a whole number from 0 to 2^63-1, not `" << *r << "`\n";
      return kExitUsage;
    }
  } else {
    revision = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  }
  std::vector<Issue> issues;
  std::vector<std::string> skipped;
  absl::StatusOr<std::string> bundle = BuildBundle(args.positional[0], revision, &issues, &skipped);
  for (const std::string& s : skipped) err << "skipped (not a source): " << s << "\n";
  err << RenderIssues(issues);
  if (!bundle.ok()) {
    err << "error: " << bundle.status().message() << "\n";
    return kExitUsage;
  }
  if (absl::Status s = WriteAtomically(*output, *bundle); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<Bundle> opened = OpenBundle(*bundle, BundleVerifyOptions{.public_keys_pem = {}, .allow_unsigned = true});
  const std::size_t files = opened.ok() ? opened->manifest.files.size() : 0;
  out << "wrote " << *output << ": revision " << revision << ", " << files << (files == 1 ? " file, " : " files, ")
      << bundle->size() << " bytes (unsigned)\n";
  return kExitOk;
}

int Sign(const SubArgs& args, std::ostream& out, std::ostream& err) {
  const std::optional<std::string> key_path = args.One("key");
  if (!key_path) {
    err << "writ bundle sign: --key KEY.pem is required\n";
    return kExitUsage;
  }
  const std::string& in = args.positional[0];
  const std::string output = args.One("output").value_or(in);
  absl::StatusOr<std::string> key = ReadFile(*key_path, kMaxKeyFileBytes);
  absl::StatusOr<std::string> bundle = ReadFile(in, kMaxBundleBytes);
  for (const auto* s : {&key, &bundle}) {
    if (!s->ok()) {
      err << "error: " << s->status().message() << "\n";
      return kExitUsage;
    }
  }
  absl::StatusOr<std::string> signed_bundle = SignBundle(*bundle, *key);
  if (!signed_bundle.ok()) {
    err << "error: " << (signed_bundle.status().code() == absl::StatusCode::kInvalidArgument ? "" : "") << in << ": "
        << signed_bundle.status().message() << "\n";
    return kExitUsage;
  }
  if (absl::Status s = WriteAtomically(output, *signed_bundle); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<Bundle> opened = OpenBundle(*signed_bundle, BundleVerifyOptions{.public_keys_pem = {}, .allow_unsigned = true});
  out << "signed " << output << " with key " << (opened.ok() ? opened->signature_key_id : "?") << "\n";
  return kExitOk;
}

int Verify(const SubArgs& args, std::ostream& out, std::ostream& err) {
  auto it = args.flags.find("pubkey");
  if (it == args.flags.end()) {
    err << "writ bundle verify: --pubkey PUB.pem is required (one or more)\n";
    return kExitUsage;
  }
  BundleVerifyOptions verify;
  for (const std::string& path : it->second) {
    absl::StatusOr<std::string> pem = ReadFile(path, kMaxKeyFileBytes);
    if (!pem.ok()) {
      err << "error: " << pem.status().message() << "\n";
      return kExitUsage;
    }
    if (absl::StatusOr<std::string> id = BundleKeyId(*pem); !id.ok()) {
      err << "error: " << path << ": " << id.status().message() << "\n";
      return kExitUsage;
    }
    verify.public_keys_pem.push_back(*std::move(pem));
  }
  const std::string& path = args.positional[0];
  absl::StatusOr<std::string> bundle = ReadFile(path, kMaxBundleBytes);
  if (!bundle.ok()) {
    err << "error: " << bundle.status().message() << "\n";
    return kExitUsage;
  }
  LoadOptions options;
  options.strict = args.flags.count("strict") > 0;
  std::vector<Issue> issues;
  BundleFault fault = BundleFault::kNone;
  absl::StatusOr<LoadedBundle> loaded = LoadBundle(*bundle, verify, options, &issues, &fault);
  err << RenderIssues(issues);
  if (!loaded.ok()) {
    err << path << ": " << Refusal(fault, loaded.status()) << "\n";
    return kExitProblems;
  }
  const std::size_t files = loaded->manifest.files.size();
  out << path << ": ok: revision " << loaded->manifest.revision << ", signed by key " << loaded->key_id << ", "
      << files << (files == 1 ? " file, " : " files, ") << loaded->set.policies.size() << " policies, "
      << loaded->set.entities.size() << " entities\n";
  return kExitOk;
}

int Inspect(const SubArgs& args, std::ostream& out, std::ostream& err) {
  const std::string format = args.One("format").value_or("text");
  if (format != "text" && format != "json") {
    err << "writ bundle inspect: --format is `text` or `json`, not `" << format << "`\n";
    return kExitUsage;
  }
  const std::string& path = args.positional[0];
  absl::StatusOr<std::string> bytes = ReadFile(path, kMaxBundleBytes);
  if (!bytes.ok()) {
    err << "error: " << bytes.status().message() << "\n";
    return kExitUsage;
  }
  BundleFault fault = BundleFault::kNone;
  BundleVerifyOptions verify;
  verify.allow_unsigned = true;   // shows the signature's key id; `verify` checks it
  absl::StatusOr<Bundle> bundle = OpenBundle(*bytes, verify, &fault);
  if (!bundle.ok()) {
    err << path << ": " << Refusal(fault, bundle.status()) << "\n";
    return kExitProblems;
  }
  const bool has_signature = !bundle->signature_key_id.empty();
  if (format == "json") {
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const BundleFile& f : bundle->manifest.files) {
      files.push_back({{"path", f.path}, {"kind", std::string(SourceKindName(f.kind))}, {"size", f.size}, {"sha256", f.sha256}});
    }
    nlohmann::ordered_json o = {{"revision", bundle->manifest.revision},
                                {"signed", has_signature},
                                {"key_id", bundle->signature_key_id},
                                {"files", std::move(files)}};
    out << o.dump(2) << "\n";
    return kExitOk;
  }
  out << "revision: " << bundle->manifest.revision << "\n";
  if (has_signature) {
    out << "signed:   yes, key " << bundle->signature_key_id << " (not verified; `writ bundle verify` checks it)\n";
  } else {
    out << "signed:   no\n";
  }
  out << "files:    " << bundle->manifest.files.size() << "\n";
  for (const BundleFile& f : bundle->manifest.files) {
    std::string kind(SourceKindName(f.kind));
    kind.resize(12, ' ');
    std::string size = std::to_string(f.size);
    if (size.size() < 10) size.insert(0, 10 - size.size(), ' ');
    out << "  " << kind << size << "  " << f.sha256 << "  " << f.path << "\n";
  }
  return kExitOk;
}

}  // namespace

int RunBundle(const Args& raw, std::ostream& out, std::ostream& err) {
  const std::vector<std::string>& argv = raw.positional;   // main passes the words after `bundle` unparsed
  if (argv.empty()) {
    err << "writ bundle: a subcommand is required: build, sign, verify or inspect (`writ help bundle`)\n";
    return kExitUsage;
  }
  auto sub = Subcommands().find(argv[0]);
  if (sub == Subcommands().end()) {
    err << "writ bundle: unknown subcommand `" << argv[0] << "`: build, sign, verify or inspect\n";
    return kExitUsage;
  }
  absl::StatusOr<SubArgs> args = ParseSub(sub->second, argv);
  if (!args.ok()) {
    err << "writ bundle " << argv[0] << ": " << args.status().message() << "\n";
    return kExitUsage;
  }
  if (argv[0] == "build") return Build(*args, out, err);
  if (argv[0] == "sign") return Sign(*args, out, err);
  if (argv[0] == "verify") return Verify(*args, out, err);
  return Inspect(*args, out, err);
}

}  // namespace writ::cli
