// writ/writ.h — everything a service needs to authorize in-process.
//
//   writ::PolicySet policies;          // parse Cedar policy text
//   writ::Entities entities;           // the workload inventory
//   writ::Request request;             // principal, action, resource, context
//   writ::Decision d = writ::Authorize(policies, entities, request);
#ifndef WRIT_WRIT_H_
#define WRIT_WRIT_H_

#include "writ/authorize.h"
#include "writ/engine.h"
#include "writ/entities.h"
#include "writ/format.h"
#include "writ/issue.h"
#include "writ/json.h"
#include "writ/limits.h"
#include "writ/lint.h"
#include "writ/policy_set.h"
#include "writ/request.h"
#include "writ/schema.h"
#include "writ/validate.h"
#include "writ/value.h"

#endif  // WRIT_WRIT_H_
