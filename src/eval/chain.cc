// Eval: identity chains — a chained request decided as one ordinary request
// per identity (the principal, then each identity it acts for), allowed only
// when every one of them is; the first denied names itself in denied_by.
#include "src/eval/chain.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "writ/limits.h"

namespace writ::internal {
namespace {

void DenyWithError(Decision* out, std::string message) {
  out->allowed = false;
  out->reasons.clear();
  out->errors.clear();
  out->errors.push_back({"", std::move(message)});
  out->breakglass.clear();
  out->revoked = false;
  out->denied_by.reset();
}

}  // namespace

void DecideChained(const Request& request, const std::function<absl::Time()>& clock, Decision* out,
                   absl::FunctionRef<void(const Request&, Decision*)> decide_one) {
  if (request.chain.size() > kMaxChainLength) {
    DenyWithError(out, absl::StrCat("the request's chain has ", request.chain.size(),
                                    " identities; at most ", kMaxChainLength, " are allowed"));
    return;
  }
  if (!request.context.is(Value::Kind::kRecord)) {
    DenyWithError(out, "the request's context is not a record");
    return;
  }
  Value::Record context = request.context.as_record();
  if (context.count(kChainPositionAttribute) != 0) {
    DenyWithError(out, absl::StrCat("the request has a chain, and its context already has `",
                                    kChainPositionAttribute,
                                    "`, which each identity's decision is given; rename the attribute"));
    return;
  }
  Request one;
  one.action = request.action;
  one.resource = request.resource;
  // One time for every identity, so that a lifecycle window cannot open or
  // close between them.
  one.now = request.now ? *request.now : clock ? clock() : absl::Now();
  Decision member;
  for (std::size_t i = 0; i <= request.chain.size(); ++i) {
    one.principal = i == 0 ? request.principal : request.chain[i - 1];
    context.insert_or_assign(kChainPositionAttribute, Value::Long(static_cast<std::int64_t>(i)));
    one.context = Value::MakeRecord(context);
    Decision* d = i == 0 ? out : &member;
    decide_one(one, d);
    if (!d->allowed) {
      if (d != out) *out = std::move(*d);
      out->denied_by = one.principal;
      return;
    }
  }
  out->denied_by.reset();
}

}  // namespace writ::internal
