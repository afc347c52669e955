// Fuzzing: the C ABI (include/writ/c_api.h). The input is one byte of flags,
// then fields separated by the byte 0x1E (one the seed script can write;
// sources are passed with their sizes, so a NUL inside one is data):
// policies, entities JSON, schema, revoked uids, a request JSON, then
// principal, action, resource, context JSON and `now` for writ_decide, a
// uid to revoke, a grant (one object of the grants file's form) and a chain
// (uids separated by 0x1F). An engine is built from the sources
// (writ_engine_new_sources, or writ_engine_new_ex by a flag), the grant is
// issued, every field is decided both ways and with the chain, the decision
// read through every accessor, a uid revoked and restored, the grant listed,
// revoked and its task closed, and everything freed: ASan reports a leak or
// a misuse of the ABI's ownership rules. A status outside the documented codes, WRIT_INTERNAL,
// or an error message that does not match the status traps.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "writ/c_api.h"

namespace {

void ReadDecision(const writ_decision* d) {
  (void)writ_decision_allowed(d);
  (void)writ_decision_revoked(d);
  for (std::size_t i = 0; i < writ_decision_reason_count(d); ++i) {
    if (writ_decision_reason(d, i) == nullptr) __builtin_trap();
  }
  for (std::size_t i = 0; i < writ_decision_error_count(d); ++i) {
    if (writ_decision_error_policy(d, i) == nullptr || writ_decision_error_message(d, i) == nullptr) __builtin_trap();
  }
  for (std::size_t i = 0; i < writ_decision_breakglass_count(d); ++i) {
    if (writ_decision_breakglass(d, i) == nullptr) __builtin_trap();
  }
  // Out of range: NULL, never a read past the end.
  if (writ_decision_reason(d, writ_decision_reason_count(d)) != nullptr) __builtin_trap();
  (void)writ_decision_denied_by(d);
  writ_string_free(writ_decision_to_json(d));
}

// A status is one of the documented codes; an error string comes with every
// failure and never with success.
void Check(int status, char* error) {
  if (status < WRIT_OK || status > WRIT_NOT_FOUND || status == WRIT_INTERNAL) {
    std::fprintf(stderr, "capi_fuzz: status %d (%s): %s\n", status, writ_status_string(status),
                 error != nullptr ? error : "(no message)");
    __builtin_trap();
  }
  if ((status == WRIT_OK) != (error == nullptr)) {
    std::fprintf(stderr, "capi_fuzz: status %d with%s an error message\n", status, error ? "" : "out");
    __builtin_trap();
  }
  writ_string_free(error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string> f;
  for (std::size_t start = 0; f.size() < 13;) {
    const std::size_t end = std::min(text.find('\x1e', start), text.size());
    f.emplace_back(text.substr(std::min(start, text.size()), end - std::min(start, text.size())));
    start = end + 1;
  }
  const unsigned engine_flags = flags & (WRIT_FAIL_CLOSED | WRIT_STRICT);

  writ_engine* engine = nullptr;
  char* error = nullptr;
  int status;
  if (flags & 4) {
    status = writ_engine_new_ex(f[0].c_str(), "p.cedar", f[1].empty() ? nullptr : f[1].c_str(), "e.json",
                                engine_flags, &engine, &error);
  } else {
    std::vector<writ_source> sources;
    sources.push_back({WRIT_SOURCE_POLICIES, "p.cedar", f[0].data(), f[0].size()});
    if (!f[1].empty()) sources.push_back({WRIT_SOURCE_ENTITIES, nullptr, f[1].data(), f[1].size()});
    if (!f[2].empty()) sources.push_back({WRIT_SOURCE_SCHEMA, nullptr, f[2].data(), f[2].size()});
    if (!f[3].empty()) sources.push_back({WRIT_SOURCE_REVOKED, "revoked.txt", f[3].data(), f[3].size()});
    if (flags & 8) sources.push_back({static_cast<int>(flags >> 4), nullptr, f[3].data(), WRIT_NUL_TERMINATED});
    status = writ_engine_new_sources(sources.data(), sources.size(), engine_flags, &engine, &error);
  }
  Check(status, error);
  if (status != WRIT_OK) {
    if (engine != nullptr) __builtin_trap();
    return 0;
  }
  (void)writ_engine_policy_count(engine);
  (void)writ_engine_entity_count(engine);
  (void)writ_engine_warnings(engine);
  // The grant: issued, refused or not read; its link id (when it has one)
  // and task are revoked after the decisions.
  error = nullptr;
  Check(writ_grant(engine, f[11].c_str(), &error), error);
  std::vector<std::string> chain_text;
  for (std::size_t start = 0; start < f[12].size();) {
    const std::size_t end = std::min(f[12].find('\x1f', start), f[12].size());
    chain_text.push_back(f[12].substr(start, end - start));
    start = end + 1;
  }
  std::vector<const char*> chain;
  for (const std::string& c : chain_text) chain.push_back(c.c_str());

  for (int round = 0; round < 2; ++round) {
    char* decision_json = nullptr;
    error = nullptr;
    status = writ_decide_json(engine, f[4].c_str(), &decision_json, &error);
    Check(status, error);
    writ_string_free(decision_json);

    writ_decision* decision = nullptr;
    error = nullptr;
    status = writ_decide(engine, f[5].c_str(), f[6].c_str(), f[7].c_str(), f[8].empty() ? nullptr : f[8].c_str(),
                         f[9].empty() ? nullptr : f[9].c_str(), &decision, &error);
    Check(status, error);
    if (decision != nullptr) {
      ReadDecision(decision);
      writ_decision_free(decision);
    }

    decision = nullptr;
    error = nullptr;
    status = writ_decide_chain(engine, f[5].c_str(), chain.empty() ? nullptr : chain.data(), chain.size(),
                               f[6].c_str(), f[7].c_str(), f[8].empty() ? nullptr : f[8].c_str(),
                               f[9].empty() ? nullptr : f[9].c_str(), &decision, &error);
    Check(status, error);
    if (decision != nullptr) {
      ReadDecision(decision);
      writ_decision_free(decision);
    }

    // Revoke the uid (or the principal), decide again, then restore it.
    const char* uid = f[10].empty() ? f[5].c_str() : f[10].c_str();
    error = nullptr;
    Check(round == 0 ? writ_revoke(engine, uid, &error) : writ_restore(engine, uid, &error), error);
    int revoked = 0;
    error = nullptr;
    Check(writ_is_revoked(engine, uid, &revoked, &error), error);
  }
  writ_string_free(writ_grants_json(engine));
  // Revoke every grant by link id and task; the names are taken from the
  // grant's text where they are (any string is a valid argument).
  for (const char* key : {"\"link_id\"", "\"task\""}) {
    const std::size_t at = f[11].find(key);
    const std::size_t open = at == std::string::npos ? at : f[11].find('"', at + std::strlen(key));
    const std::size_t close = open == std::string::npos ? open : f[11].find('"', open + 1);
    if (close == std::string::npos) continue;
    const std::string name = f[11].substr(open + 1, close - open - 1);
    error = nullptr;
    if (key[1] == 'l') {
      Check(writ_revoke_grant(engine, name.c_str(), &error), error);
    } else {
      std::size_t removed = 0;
      Check(writ_close_task(engine, name.c_str(), &removed, &error), error);
    }
  }
  writ_engine_free(engine);
  return 0;
}
