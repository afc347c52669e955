// Status propagation helpers. Debian 12's Abseil (20220623) has no
// ABSL_RETURN_IF_ERROR, so the project keeps these two.
#ifndef WRIT_SRC_BASE_STATUS_MACROS_H_
#define WRIT_SRC_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define WRIT_RETURN_IF_ERROR(expr)                   \
  do {                                               \
    if (::absl::Status _writ_s = (expr); !_writ_s.ok()) return _writ_s; \
  } while (0)

#define WRIT_CONCAT_INNER_(a, b) a##b
#define WRIT_CONCAT_(a, b) WRIT_CONCAT_INNER_(a, b)
#define WRIT_ASSIGN_OR_RETURN(lhs, expr) \
  WRIT_ASSIGN_OR_RETURN_IMPL_(WRIT_CONCAT_(_writ_or_, __LINE__), lhs, expr)
#define WRIT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).status();    \
  lhs = std::move(tmp).value()

#endif  // WRIT_SRC_BASE_STATUS_MACROS_H_
