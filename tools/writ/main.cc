// writ CLI: the entry point — the command table, help and dispatch.
#include <iostream>
#include <string>
#include <vector>

#include "tools/writ/cli.h"

namespace writ::cli {
namespace {

// A command's flags, and those of LoadDecideOptions.
std::vector<FlagSpec> WithDecideFlags(std::vector<FlagSpec> flags) {
  flags.insert(flags.end(), DecideFlags().begin(), DecideFlags().end());
  return flags;
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"check", "writ check --policies FILE... [--template-linked FILE] [--strict] [--format json]",
       "Parses the policy files and reports every issue with its location.\n"
       "With --template-linked, the links (Cedar CLI's format) are made against\n"
       "the policies of every file, ids policy0, policy1, ... across them, and\n"
       "each malformed link is reported at its place in the links file.\n"
       "--format json prints them as one JSON array instead, for editors and CI:\n"
       "  [{\"file\",\"line\",\"column\",\"length\",\"severity\",\"message\",\"hint\"}]\n"
       "Exit 0 when there is none, 1 when there are errors.",
       {{"policies", true, true, "policy files (Cedar)"}, TemplateLinkedFlag(),
        {"format", true, false, "`text` (default) or `json`"},
        {"strict", false, false, "exactly Cedar: reject spiffe and matches (annotations are accepted, meaningless)"}},
       0, 0, RunCheck},
      {"validate", "writ validate --schema FILE --policies FILE... [--template-linked FILE] [--strict] [--format json]",
       "Checks the policies against a Cedar schema as Cedar's validator does (strict\n"
       "mode): unknown entity types, actions and attributes, type mismatches,\n"
       "optional attributes read without `has`; and, as warnings (as current\n"
       "Cedar reports them), policies that can never apply: a scope no action's\n"
       "appliesTo admits, or a condition that is always false.\n"
       "With --template-linked, each link is checked as Cedar checks one: its\n"
       "slot values' entity types are in the schema, and an action applies to\n"
       "them (its template is typechecked for every type its slots may take).\n"
       "Each finding names its policy and its kind (unknown-attribute,\n"
       "unexpected-type, ...; include/writ/validate.h). --format json prints an\n"
       "array of {policy,file,line,column,severity,code,message,hint}.\n"
       "Exit 0 when every policy validates (warnings allowed), 1 when any has an\n"
       "error, 2 when the schema or a policy file does not load.",
       {{"schema", true, false, "Cedar schema (.cedarschema or JSON)"},
        {"policies", true, true, "policy files or folders (Cedar)"}, TemplateLinkedFlag(),
        {"format", true, false, "`text` (default) or `json`"},
        {"strict", false, false, "exactly Cedar: spiffe and matches are unknown"}},
       0, 0, RunValidate},
      {"authorize",
       "writ authorize --policies FILE... [--entities FILE] [--schema FILE] [--template-linked FILE] (--request FILE | --requests FILE.jsonl)",
       "Decides requests and prints one JSON decision per request:\n"
       "  {\"decision\":\"allow\"|\"deny\",\"reasons\":[...],\"errors\":[{\"policy\":...,\"message\":...}]}\n"
       "With --requests, every line of the file is one request and gets one decision\n"
       "line, in order; a line that cannot be read is denied with an error whose\n"
       "policy is \"\" and whose message says why (FILE:LINE: ...).\n"
       "With --schema, entities and requests are read through the schema; a request\n"
       "that does not conform to it is denied the same way, with the reason.\n"
       "A request may have \"chain\": [..], the identities its principal acts for,\n"
       "nearest first (at most 16); it is allowed only when every identity is, and a\n"
       "denial names the identity denied: \"denied_by\":\"User::\\\"alice\\\"\".\n"
       "Exit 0 whatever the decisions; 2 when the policies or entities do not load.",
       WithDecideFlags({{"policies", true, true, "policy files or folders (Cedar)"},
        {"entities", true, false, "entities (Cedar entity JSON)"}, SchemaFlag(), TemplateLinkedFlag(),
        {"request", true, false, "one request (JSON object)"},
        {"requests", true, false, "one request per line (JSON lines)"}}),
       0, 0, RunAuthorize},
      {"compile", "writ compile --policies FILE... [--entities FILE] [--schema FILE] [--template-linked FILE] [--dump]",
       "Compiles the policies and entity store as `authorize` and `bench` do and\n"
       "reports the time taken; --dump prints the compiled form: the scope index\n"
       "(principal key, action key, policies) and each policy's residual resource\n"
       "check and lowered conditions, with constant subexpressions folded.",
       WithDecideFlags({{"policies", true, true, "policy files or folders (Cedar)"},
        {"entities", true, false, "entities (Cedar entity JSON)"}, SchemaFlag(), TemplateLinkedFlag(),
        {"dump", false, false, "print the compiled form"}}),
       0, 0, RunCompile},
      {"bench",
       "writ bench --policies FILE... [--entities FILE] [--schema FILE] [--template-linked FILE] --requests FILE.jsonl [--seconds S] [--threads T] "
       "[--figures LIST] [--decisions OUT]",
       "Loads and compiles (both timed), reads every request, warms up for about a\n"
       "second, then on each of T threads loops over the requests in file order for\n"
       "S seconds (default 5) per figure, three figures:\n"
       "  decide        Engine::Decide on a PreparedRequest prepared before timing (a\n"
       "                request with a chain, which cannot be prepared: its Request)\n"
       "  build_decide  the Request built from a service's strings and values, then\n"
       "                decided (Decide prepares it)\n"
       "  json_decide   the request's JSON text decided as `serve` decides it\n"
       "                (writ::DecideJson: a gateway's path)\n"
       "The clock is read once per batch of 64 decisions; p50/p99 are over batches\n"
       "(time per decision in each batch). Prints one JSON object:\n"
       "  {\"load_ms\",\"compile_ms\",\"decisions_per_sec\",\"p50_ns\",\"p99_ns\",\"rss_mb\",\"calls\",\n"
       "   \"threads\",\"policies\",\"compile_bytes_per_policy\",\"requests\",\"distinct_requests\",\n"
       "   \"prepared_requests\",\"batch\",\"decide\":{..},\"build_decide\":{..},\"json_decide\":{..}}\n"
       "each figure {\"what\",\"decisions_per_sec\",\"p50_ns\",\"p99_ns\",\"calls\"}; the top-level\n"
       "rate, p50, p99 and calls are decide's. --figures decide,build,json picks the\n"
       "figures to run (decide always runs). compile_bytes_per_policy: heap the compiled\n"
       "engine adds, per policy — its index, lowered conditions and the symbols of the\n"
       "entities. --decisions OUT writes `allow` or `deny` for each request line, in order.\n"
       "A request line that does not read is an error (exit 2): nothing is skipped.\n"
       "Before timing, every request is decided by all three paths, which must agree\n"
       "(exit 1 otherwise: they would time different work).",
       WithDecideFlags({{"policies", true, true, "policy files or folders (Cedar)"},
        {"entities", true, false, "entities (Cedar entity JSON)"}, SchemaFlag(), TemplateLinkedFlag(),
        {"requests", true, false, "one request per line (JSON lines), as for `authorize`"},
        {"seconds", true, false, "timed seconds per figure (default 5)"},
        {"threads", true, false, "deciding threads (default 1)"},
        {"figures", true, false, "figures to run: decide,build,json (default all three)"},
        {"decisions", true, false, "write each request's decision here"}}),
       0, 0, RunBench},
      {"conformance", "writ conformance DIR [--skip-list FILE] [--verbose]",
       "Runs Cedar's JSON integration tests found under DIR (paths inside the tests\n"
       "are relative to DIR) and compares decision, reasons and erroring policies of\n"
       "every request. Prints a line per failing request and ends with\n"
       "`N passed, M failed[, K skipped]`. Exit 1 on any failure.\n"
       "The skip list names requests known to differ, with their cause (see\n"
       "tests/conformance/skip_list.txt); a listed request that passes is a failure.",
       {{"skip-list", true, false, "requests to skip: `FILE.json` or `FILE.json: description`"},
        {"verbose", false, false, "also print passing requests"}},
       1, 1, RunConformance},
      {"fmt", "writ fmt [--check] [--stdout] [--format json] FILE...",
       "Formats policy files in the canonical layout (include/writ/format.h), keeping\n"
       "every comment: rewrites each file that changes, in place (a temporary file\n"
       "renamed over it), and prints nothing. A directory stands for the `*.cedar`\n"
       "files under it; `-` reads standard input and writes the result to standard\n"
       "output, as --stdout does for every file.\n"
       "--check changes nothing: it prints each file that would change and exits 1\n"
       "if there is any, 0 otherwise. --format json prints one report instead:\n"
       "  {\"files\":N,\"changed\":[...],\"issues\":[{\"file\",\"line\",\"column\",\"message\",...}]}\n"
       "A file that cannot be read or does not parse is not formatted; its issues\n"
       "are reported and the exit code is 2.",
       {{"check", false, false, "change nothing; list the files that would change (exit 1 if any)"},
        {"stdout", false, false, "write the formatted text to standard output, not to the files"},
        {"format", true, false, "`text` (default) or `json`"}},
       1, 1 << 20, RunFmt},
      {"test",
       "writ test [PATH...] [-v] [--filter REGEX] [--junit FILE] [--format json] [--coverage] "
       "[--coverage-min P]",
       "Runs the policy test suites (*.test.yaml) found under each PATH (default: the\n"
       "current folder; a file is taken as a suite whatever its name). A suite names\n"
       "its policies and entities and lists cases: a request and the decision it must\n"
       "get (allow/deny), optionally its reasons, errors, breakglass and revoked\n"
       "(include/writ/testing.h documents every field). Prints one line per failing\n"
       "case:\n"
       "  FILE:LINE: NAME: expected deny, got allow (determined by policy0; errors: none)\n"
       "and last `N passed, M failed`; -v (--verbose) prints PASS/FAIL for every case.\n"
       "--filter runs only the cases whose `SUITE/CASE` name the RE2 pattern matches.\n"
       "--coverage reports, per policy, whether some case made it determining and\n"
       "whether its condition was seen true and false; a policy is covered when it\n"
       "was determining and, if it has a condition, the condition was also seen\n"
       "false. Uncovered policies are listed with their locations. --coverage-min P\n"
       "fails (exit 1) below P percent. --junit FILE also writes JUnit XML;\n"
       "--format json prints one JSON document instead of text.\n"
       "Mistakes in a suite are reported at FILE:LINE:COL and do not stop the others.\n"
       "Exit 0 when every case passes, 1 on failures (or coverage below the minimum),\n"
       "2 on suite errors or bad flags.",
       {{"verbose", false, false, "print every case (also -v)"},
        {"filter", true, false, "run only cases whose SUITE/CASE matches this RE2 pattern"},
        {"junit", true, false, "also write a JUnit XML report to this file"},
        {"format", true, false, "`text` (default) or `json`"},
        {"coverage", false, false, "report per-policy coverage"},
        {"coverage-min", true, false, "fail below this coverage percentage (implies --coverage)"}},
       0, 1 << 20, RunTest},
      {"lint",
       "writ lint --policies FILE... [--schema FILE] [--template-linked FILE] [--now RFC3339] [--breakglass-max-days N] [--expiring-within-days N] "
       "[--format human|json] [--warnings-as-errors]",
       "Checks the policies for governance problems (include/writ/lint.h defines\n"
       "each rule exactly) and reports each at its location, with its rule code:\n"
       "  owner-missing         warning  no @owner(\"team\")\n"
       "  expired               warning  @expires at or before now: no longer applies\n"
       "  expiring-soon         warning  @expires within --expiring-within-days (default 14)\n"
       "  breakglass-too-long   error    a @breakglass policy expiring more than\n"
       "                                 --breakglass-max-days (default 7) ahead\n"
       "  unconstrained-permit  warning  a permit on any principal or any resource,\n"
       "                                 with no condition\n"
       "  duplicate             warning  the same as an earlier policy\n"
       "  shadowed              warning  another policy of the same effect applies\n"
       "                                 wherever it does: it never changes a decision\n"
       "  template-unlinked     warning  a template no link uses (with --template-linked)\n"
       "With --schema, Cedar's validator's findings are reported too, with their\n"
       "codes (unknown-attribute, unexpected-type, ...; include/writ/validate.h).\n"
       "Times are measured from --now (default: the clock). --format json prints an\n"
       "array of {file,line,column,severity,code,message,hint}.\n"
       "Exit 0 when there is no error (warnings allowed unless --warnings-as-errors),\n"
       "1 when there are, 2 when the policies do not load or a flag is wrong.",
       {{"policies", true, true, "policy files or folders (Cedar)"},
        {"schema", true, false, "Cedar schema (.cedarschema or JSON): also report the validator's findings"},
        TemplateLinkedFlag(),
        {"now", true, false, "the time expiries are measured from (RFC 3339; default: the clock)"},
        {"breakglass-max-days", true, false, "longest a break-glass policy may still run, in days (default 7)"},
        {"expiring-within-days", true, false, "report policies expiring within this many days (default 14)"},
        {"format", true, false, "`human` (default) or `json`"},
        {"warnings-as-errors", false, false, "exit 1 on warnings too"}},
       0, 0, RunLint},
      {"serve",
       "writ serve (--policies FILE|DIR [--entities FILE] [--schema FILE] [--revoked FILE] | --bundle URL "
       "--bundle-pubkey FILE... [--bundle-ca FILE] [--bundle-cache DIR] [--revoked-url URL]) [--config FILE] "
       "--listen HOST:PORT [--grpc-listen HOST:PORT] [--threads N] [--decision-log FILE|-] [--template-linked FILE] "
       "[--grants FILE] [--admin-socket PATH] [--max-grants N] [--max-grant-window DURATION]",
       "Serves decisions over HTTP (README: `writ serve`), binding only --listen\n"
       "(an IP address and port; port 0 picks one, printed on start):\n"
       "  POST /v1/authorize         a request as for `authorize` -> its decision JSON\n"
       "                             with \"policy_version\"\n"
       "  POST /v1/authorize/batch   an array of requests -> an array of decisions\n"
       "  *    /v1/forward-auth[/..] forward-auth (nginx auth_request, Traefik, Envoy):\n"
       "                             200 allow, 403 deny, reasons in X-Writ-* headers;\n"
       "                             the mapping is set in --config (YAML)\n"
       "  GET  /healthz /readyz /metrics (Prometheus text)\n"
       "--grpc-listen also serves Envoy's ext_authz over gRPC (Istio's CUSTOM\n"
       "provider): envoy.service.auth.v3.Authorization/Check, with the same mapping\n"
       "(over gRPC the principal is the mTLS peer's, source.principal, and the\n"
       "method and path the request's own unless --config names headers), and\n"
       "grpc.health.v1.Health. README: Envoy and Istio.\n"
       "A directory stands for the *.cedar files under it. The set is reloaded on\n"
       "SIGHUP and when a file changes (polled every second); a set that does not\n"
       "load is not swapped in and the old one keeps serving. --decision-log writes\n"
       "one JSON line per decision (`-`: standard output) without ever blocking one;\n"
       "lines that do not fit the queue are dropped and counted. Everything that\n"
       "cannot be decided is a deny. Stops on SIGINT/SIGTERM (exit 0); exit 2 when\n"
       "the first load, the configuration or the address fails.\n"
       "--bundle URL (http or https) pulls the set as a signed bundle (`writ bundle`)\n"
       "instead, every --bundle-poll (default 30s, jittered, backing off on failure):\n"
       "verified against --bundle-pubkey (two during a key rotation), compiled and\n"
       "swapped in whole, or refused whole (the last good set keeps deciding; a\n"
       "lower revision is refused). The last good bundle is kept in --bundle-cache\n"
       "and decides after a restart while the server is unreachable; with none,\n"
       "/readyz is 503 and every decision a deny. --revoked-url: a bundle of\n"
       "revocation files only, polled every --revoked-poll (default 5s), applied\n"
       "without recompiling. README: Running a fleet.\n"
       "--grants FILE holds run-time grants (links of templates with a window, owner,\n"
       "reason and task), reloaded with the policies; --admin-socket PATH serves\n"
       "POST/GET /v1/grants, DELETE /v1/grants/{link_id} and DELETE /v1/tasks/{id}\n"
       "on a Unix socket only (mode 0600), each change written to FILE before it is\n"
       "answered. README: Grants (just-in-time access).",
       {{"policies", true, true, "policy file or directory (Cedar)"},
        {"entities", true, false, "entities (Cedar entity JSON)"},
        {"schema", true, false, "Cedar schema (.cedarschema or JSON): entities and requests are read through it (reloaded with the policies)"},
        {"revoked", true, false, "revoked uids, one Type::\"id\" per line (reloaded with the policies)"},
        {"template-linked", true, false, "links of templates (the Cedar CLI's links JSON; reloaded with the policies)"},
        {"grants", true, false, "run-time grants file (links JSON plus not_before/expires/owner/reason/task)"},
        {"admin-socket", true, false, "Unix socket path for the grants admin API (mode 0600; never TCP)"},
        {"max-grants", true, false, "most live grants at once (default 1000000)"},
        {"max-grant-window", true, false, "longest grant window, e.g. 1h (then every grant needs expires)"},
        {"config", true, false, "forward-auth mapping (YAML; README `writ serve`)"},
        {"bundle", true, false, "http(s) URL of the policy bundle (instead of --policies/--entities/--schema/--revoked)"},
        {"bundle-pubkey", true, true, "Ed25519 public key (PEM) a bundle must be signed by; repeat for a key rotation"},
        {"bundle-allow-unsigned", false, false, "without --bundle-pubkey: take unsigned bundles (hashes still checked)"},
        {"bundle-ca", true, false, "CA certificates (PEM) for https bundle URLs (default: the system's)"},
        {"bundle-poll", true, false, "how often --bundle is polled (default 30s)"},
        {"bundle-cache", true, false, "folder keeping the last good bundles, taken on start"},
        {"revoked-url", true, false, "http(s) URL of a bundle of revocation files (same keys and CA)"},
        {"revoked-poll", true, false, "how often --revoked-url is polled (default 5s)"},
        {"listen", true, false, "HOST:PORT to listen on (required; e.g. 127.0.0.1:8181)"},
        {"grpc-listen", true, false, "HOST:PORT for ext_authz over gRPC (plaintext HTTP/2, for the proxy beside it)"},
        {"threads", true, false, "HTTP threads (default 2; gRPC sizes its own)"},
        {"decision-log", true, false, "write decision logs (JSON lines) here; `-` for standard output"},
        {"now", true, false, "time of requests without their own \"now\" (RFC 3339; default: the clock)"},
        {"fail-closed", false, false, "a forbid whose condition errors denies (Cedar: skipped)"}},
       0, 0, RunServe},
      {"schema", "writ schema --to json|cedarschema FILE [--strict]",
       "Reads a Cedar schema in either form (JSON when FILE ends in .json or starts\n"
       "with `{`; else the human-readable .cedarschema form), checks it (every name\n"
       "resolved, no cycles among common types or action groups) and prints it in\n"
       "the form --to names, keeping its namespaces, common types and order.\n"
       "Exit 0 when it loads; 2, with its issues, when it does not.",
       {{"to", true, false, "`json` or `cedarschema`: the form to print"},
        {"strict", false, false, "exactly Cedar: writ's `spiffe` type is unknown"}},
       1, 1, RunSchema},
      {"bundle",
       "writ bundle build DIR -o B.tar.gz [--revision N] | sign --key KEY.pem B.tar.gz [-o OUT] | "
       "verify --pubkey PUB.pem... B.tar.gz | inspect B.tar.gz [--format json]",
       "Policy bundles (README: Bundles): one .tar.gz carrying a whole set to a fleet,\n"
       "with a manifest (.manifest.json: revision, each file's path, kind, size and\n"
       "SHA-256) and an Ed25519 signature over it (.signature.json).\n"
       "  build DIR -o B.tar.gz [--revision N]   the sources under DIR (*.cedar,\n"
       "      *.cedarschema[.json], revoked.txt and *.revoked, [*.]entities.json;\n"
       "      other files are skipped and listed), checked to load, unsigned. The same\n"
       "      DIR and revision give the same bytes. Revision default: the clock (s).\n"
       "  sign --key KEY.pem B.tar.gz [-o OUT]   signs the manifest (KEY.pem: `openssl\n"
       "      genpkey -algorithm ed25519`), rewriting B.tar.gz in place unless -o.\n"
       "  verify --pubkey PUB.pem [--pubkey PUB2.pem] [--strict] B.tar.gz   checks the\n"
       "      archive, hashes and signature (under either key) and loads the sources;\n"
       "      prints the revision and the key id.\n"
       "  inspect B.tar.gz [--format json]   revision, signature key id (not\n"
       "      verified), each file's kind, size and SHA-256.\n"
       "Exit 0 on success; 1 when the bundle is refused (the reason and the fault:\n"
       "archive, bound, manifest, hash, signature, load); 2 on bad flags, unreadable\n"
       "files or keys, or sources that do not load when building.",
       {{"output", true, false, "build, sign: the bundle to write (also -o)"},
        {"revision", true, false, "build: the bundle's revision (default: seconds since 1970)"},
        {"key", true, false, "sign: Ed25519 private key (PEM)"},
        {"pubkey", true, false, "verify: Ed25519 public key (PEM); repeat during a key rotation"},
        {"strict", false, false, "verify: load as exactly Cedar"},
        {"format", true, false, "inspect: `text` (default) or `json`"}},
       1, 1 << 20, RunBundle},
  };
  return kCommands;
}

void PrintUsage(std::ostream& os) {
  os << "writ — policy-as-code authorization for workload identities (Cedar policies)\n\n"
        "usage: writ COMMAND [flags]\n\ncommands:\n";
  for (const Command& c : Commands()) os << "  " << c.synopsis << "\n";
  os << "\n`writ help COMMAND` or `writ COMMAND --help` for details.\n"
        "Exit codes: 0 success, 1 problems found, 2 usage or input errors.\n";
}

const Command* Find(const std::string& name) {
  for (const Command& c : Commands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

int Main(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h") {
    PrintUsage(argv.empty() ? std::cerr : std::cout);
    return argv.empty() ? kExitUsage : kExitOk;
  }
  if (argv[0] == "help") {
    if (argv.size() == 1) {
      PrintUsage(std::cout);
      return kExitOk;
    }
    const Command* c = Find(argv[1]);
    if (c == nullptr) {
      std::cerr << "writ: unknown command `" << argv[1] << "`\n";
      return kExitUsage;
    }
    std::cout << CommandHelp(*c);
    return kExitOk;
  }
  const Command* cmd = Find(argv[0]);
  if (cmd == nullptr) {
    std::cerr << "writ: unknown command `" << argv[0] << "`\n\n";
    PrintUsage(std::cerr);
    return kExitUsage;
  }
  std::vector<std::string> rest(argv.begin() + 1, argv.end());
  for (const std::string& a : rest) {
    if (a == "--help" || a == "-h") {
      std::cout << CommandHelp(*cmd);
      return kExitOk;
    }
  }
  if (cmd->name == "bundle") {   // its subcommands parse their own flags (-o, a repeated --pubkey)
    Args raw;
    raw.positional = rest;
    return cmd->run(raw, std::cout, std::cerr);
  }
  absl::StatusOr<Args> args = ParseArgs(*cmd, rest);
  if (!args.ok()) {
    std::cerr << "writ " << cmd->name << ": " << args.status().message() << "\n\n" << CommandHelp(*cmd);
    return kExitUsage;
  }
  for (const FlagSpec& f : cmd->flags) {
    // serve checks its own: --policies or --bundle, and --bundle-pubkey
    // (repeated) only with --bundle.
    if (f.repeated && !args->Has(f.name) && cmd->name != "serve") {
      std::cerr << "writ " << cmd->name << ": --" << f.name << " is required\n";
      return kExitUsage;
    }
  }
  return cmd->run(*args, std::cout, std::cerr);
}

}  // namespace
}  // namespace writ::cli

int main(int argc, char** argv) {
  return writ::cli::Main(std::vector<std::string>(argv + 1, argv + argc));
}
