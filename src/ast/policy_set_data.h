// AST: what a PolicySet holds — its source texts and parsed policies, shared
// immutably between copies.
#ifndef WRIT_SRC_AST_POLICY_SET_DATA_H_
#define WRIT_SRC_AST_POLICY_SET_DATA_H_

#include <memory>
#include <string>
#include <vector>

#include "src/ast/ast.h"
#include "writ/policy_set.h"

namespace writ::internal {

struct PolicySource {
  std::string name;
  std::string text;
};

struct PolicySetData {
  std::vector<std::shared_ptr<const PolicySource>> sources;
  std::vector<std::shared_ptr<const Policy>> policies;   // in id order

  static const PolicySetData& Of(const PolicySet& set) { return *set.data_; }
};

}  // namespace writ::internal

#endif  // WRIT_SRC_AST_POLICY_SET_DATA_H_
