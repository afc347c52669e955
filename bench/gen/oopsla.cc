// bench/gen: the OOPSLA 2024 applications (see oopsla.h for the sources
// followed and where we differ).
#include "bench/gen/oopsla.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "bench/gen/rng.h"

namespace writ::bench {
namespace {

constexpr int kRequests = 500;       // the paper's --num-requests
constexpr int kConnectPercent = 5;   // apps.rs: connection_probability 0.05

struct Uid {
  std::string type;
  std::string id;
};

// `s` as a JSON string literal.
std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(&out, "\\u", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad4));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// `Type::"id"`, the Cedar text of a uid (before JSON quoting).
std::string CedarUid(const Uid& u) {
  std::string out = absl::StrCat(u.type, "::\"");
  for (const char c : u.id) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, "\\u{", absl::Hex(static_cast<unsigned char>(c)), "}");
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string UidJson(const Uid& u) {
  return absl::StrCat("{\"type\":", JsonString(u.type), ",\"id\":", JsonString(u.id), "}");
}
// An entity reference as an attribute value.
std::string EntityValue(const Uid& u) { return absl::StrCat("{\"__entity\":", UidJson(u), "}"); }

std::string SetValue(const std::vector<std::string>& values) {
  return absl::StrCat("[", absl::StrJoin(values, ","), "]");
}

using Attrs = std::vector<std::pair<absl::string_view, std::string>>;   // name, JSON value

std::string RecordValue(const Attrs& attrs) {
  std::string out = "{";
  for (const auto& [name, value] : attrs) {
    absl::StrAppend(&out, out.size() > 1 ? "," : "", JsonString(name), ":", value);
  }
  return out + "}";
}

// The entity store, one entity a line so that the files stay readable.
class EntityWriter {
 public:
  void Add(const Uid& uid, const Attrs& attrs, const std::vector<Uid>& parents) {
    std::vector<std::string> ps;
    ps.reserve(parents.size());
    for (const Uid& p : parents) ps.push_back(UidJson(p));
    absl::StrAppend(&json_, json_.empty() ? "[\n" : ",\n", "{\"uid\":", UidJson(uid), ",\"attrs\":",
                    RecordValue(attrs), ",\"parents\":", SetValue(ps), "}");
  }
  // Action entities, each a member of `parent` when it is not empty. The
  // paper's harness takes them from the schema; writ and the Cedar peer run
  // without one, so they are part of the store.
  void AddActions(const std::vector<std::pair<absl::string_view, absl::string_view>>& actions) {
    for (const auto& [action, parent] : actions) {
      std::vector<Uid> parents;
      if (!parent.empty()) parents.push_back({"Action", std::string(parent)});
      Add({"Action", std::string(action)}, {}, parents);
    }
  }
  std::string Finish() && { return json_.empty() ? "[]\n" : std::move(json_) + "\n]\n"; }

 private:
  std::string json_;
};

std::string Request(const Uid& principal, absl::string_view action, const Uid& resource) {
  return absl::StrCat("{\"principal\":", JsonString(CedarUid(principal)),
                      ",\"action\":", JsonString(CedarUid({"Action", std::string(action)})),
                      ",\"resource\":", JsonString(CedarUid(resource)), ",\"context\":{}}");
}

// The generators' "for each candidate, with probability p" edge draw.
bool Connect(Rng& rng) { return rng.Chance(kConnectPercent); }

Uid Numbered(absl::string_view type, absl::string_view prefix, int i) {
  return {std::string(type), absl::StrCat(prefix, i)};
}

}  // namespace

Dataset MakeGdrive(int scale, std::uint64_t seed) {
  Rng rng(seed);
  const int n = std::max(1, scale);   // users = groups = documents = folders
  auto user = [](int i) { return Numbered("User", "user_", i); };
  auto group = [](int i) { return Numbered("Group", "group_", i); };
  auto doc = [](int i) { return Numbered("Document", "doc_", i); };
  auto folder = [](int i) { return Numbered("Folder", "folder_", i); };
  auto user_view = [](int i) { return Uid{"View", absl::StrCat("User user_", i)}; };
  auto group_view = [](int i) { return Uid{"View", absl::StrCat("Group group_", i)}; };

  Dataset d;
  d.name = absl::StrCat("gdrive-", n);
  d.policies = R"(// Viewers of a document, of a folder above it, or of a group it is shared with can read it.
permit (principal, action == Action::"read", resource)
when { resource in principal.documentsAndFoldersWithViewAccess };

// Anyone can read a public document.
permit (principal, action == Action::"read", resource)
when { resource.isPublic };

// The owner of a document, or of a folder above it, can read, write and share it.
permit (principal, action in [Action::"read", Action::"write", Action::"share"], resource)
when { resource in principal.ownedDocuments || resource in principal.ownedFolders };

// A document's owner can change its owner.
permit (principal, action == Action::"changeOwner", resource)
when { principal.ownedDocuments.contains(resource) };

// A folder's owner can create documents in it.
permit (principal, action == Action::"createDocument", resource)
when { principal.ownedFolders.contains(resource) };
)";

  EntityWriter es;
  es.AddActions({{"createDocument", ""}, {"changeOwner", ""}, {"share", ""}, {"write", ""}, {"read", ""}});
  // Users: group memberships and owned documents and folders, each drawn
  // per candidate. Group views need the members, so they come after.
  std::vector<std::vector<int>> members(n);
  for (int i = 0; i < n; ++i) {
    std::vector<Uid> groups;
    for (int g = 0; g < n; ++g) {
      if (!Connect(rng)) continue;
      groups.push_back(group(g));
      members[g].push_back(i);
    }
    std::vector<std::string> owned_docs, owned_folders;
    for (int j = 0; j < n; ++j) {
      if (Connect(rng)) owned_docs.push_back(EntityValue(doc(j)));
    }
    for (int j = 0; j < n; ++j) {
      if (Connect(rng)) owned_folders.push_back(EntityValue(folder(j)));
    }
    es.Add(user(i),
           {{"documentsAndFoldersWithViewAccess", EntityValue(user_view(i))},
            {"ownedDocuments", SetValue(owned_docs)},
            {"ownedFolders", SetValue(owned_folders)}},
           groups);
    es.Add(user_view(i), {}, {});
  }
  // What is shared with a group's view is in each member's view.
  for (int g = 0; g < n; ++g) {
    std::vector<Uid> member_views;
    for (int i : members[g]) member_views.push_back(user_view(i));
    es.Add(group(g), {}, {});
    es.Add(group_view(g), {}, member_views);
  }
  // Sharing a document or folder with a user or group makes it a child of
  // their view.
  auto add_shares = [&](std::vector<Uid>& parents) {
    for (int i = 0; i < n; ++i) {
      if (Connect(rng)) parents.push_back(user_view(i));
    }
    for (int g = 0; g < n; ++g) {
      if (Connect(rng)) parents.push_back(group_view(g));
    }
  };
  for (int i = 0; i < n; ++i) {
    std::vector<Uid> parents;
    for (int f = 0; f < n; ++f) {
      if (Connect(rng)) parents.push_back(folder(f));
    }
    add_shares(parents);
    const bool is_public = rng.Below(2) == 0;   // the generator's coin flip
    es.Add(doc(i), {{"isPublic", is_public ? "true" : "false"}}, parents);
  }
  for (int i = 0; i < n; ++i) {
    std::vector<Uid> parents;
    for (int f = 0; f < i; ++f) {   // only lower-numbered folders: a DAG
      if (Connect(rng)) parents.push_back(folder(f));
    }
    add_shares(parents);
    es.Add(folder(i), {}, parents);
  }
  d.entities_json = std::move(es).Finish();

  // The schema's actions; only createDocument applies to folders.
  constexpr absl::string_view kActions[] = {"createDocument", "changeOwner", "share", "write", "read"};
  for (int r = 0; r < kRequests; ++r) {
    const absl::string_view action = kActions[rng.Below(std::size(kActions))];
    const Uid principal = user(rng.Below(n));
    const Uid resource = action == "createDocument" ? folder(rng.Below(n)) : doc(rng.Below(n));
    d.requests.push_back(Request(principal, action, resource));
  }
  return d;
}

Dataset MakeGithub(int scale, std::uint64_t seed) {
  Rng rng(seed);
  const int n = std::max(1, scale);   // repositories = users = teams = organizations
  constexpr absl::string_view kRepoRoles[] = {"readers", "triagers", "writers", "maintainers", "admins"};
  constexpr absl::string_view kOrgRoles[] = {"readers", "writers", "admins"};
  auto org = [](int i) { return Numbered("Organization", "org_", i); };
  auto repo = [](int i) { return Numbered("Repository", "repo_", i); };
  auto team = [](int i) { return Numbered("Team", "team_", i); };
  auto org_perm = [](int i, absl::string_view role) {
    return Uid{"OrgPermission", absl::StrCat("org_", i, "_", role)};
  };
  auto repo_perm = [](int i, absl::string_view role) {
    return Uid{"RepoPermission", absl::StrCat("repo_", i, "_", role)};
  };
  // A permission with a uniformly drawn role, as random_role_str and
  // random_org_role_str draw them.
  auto any_repo_perm = [&](int i) { return repo_perm(i, kRepoRoles[rng.Below(std::size(kRepoRoles))]); };
  auto any_org_perm = [&](int i) { return org_perm(i, kOrgRoles[rng.Below(std::size(kOrgRoles))]); };

  Dataset d;
  d.name = absl::StrCat("github-", n);
  d.policies = R"(// Users can perform an action if they have been granted the necessary permission.
permit (principal, action == Action::"read", resource)
when { principal in resource.readers };

permit (principal, action in Action::"triage", resource)
when { principal in resource.triagers };

permit (principal, action in Action::"write", resource)
when { principal in resource.writers };

permit (principal, action in Action::"maintain", resource)
when { principal in resource.maintainers };

permit (principal, action in Action::"admin", resource)
when { principal in resource.admins };

// Users also inherit permissions from the owner of a repository.
permit (principal, action == Action::"read", resource)
when { principal in resource.owner.readers };

permit (principal, action in Action::"write", resource)
when { principal in resource.owner.writers };

permit (principal, action in Action::"admin", resource)
when { principal in resource.owner.admins };
)";

  EntityWriter es;
  // read ∈ triage ∈ write ∈ maintain ∈ admin: a permission for an action
  // covers the ones below it.
  es.AddActions(
      {{"read", "triage"}, {"triage", "write"}, {"write", "maintain"}, {"maintain", "admin"}, {"admin", ""}});
  for (int i = 0; i < n; ++i) {
    // An organization can hold another's (or its own) permissions.
    std::vector<Uid> parents;
    for (int j = 0; j < n; ++j) {
      if (Connect(rng)) parents.push_back(any_org_perm(j));
    }
    Attrs attrs;
    for (absl::string_view role : kOrgRoles) attrs.emplace_back(role, EntityValue(org_perm(i, role)));
    es.Add(org(i), attrs, parents);
    for (absl::string_view role : kOrgRoles) es.Add(org_perm(i, role), {}, {});
  }
  for (int i = 0; i < n; ++i) {
    Attrs attrs;
    for (absl::string_view role : kRepoRoles) attrs.emplace_back(role, EntityValue(repo_perm(i, role)));
    attrs.emplace_back("owner", EntityValue(org(rng.Below(n))));
    es.Add(repo(i), attrs, {});
    for (absl::string_view role : kRepoRoles) es.Add(repo_perm(i, role), {}, {});
  }
  for (int i = 0; i < n; ++i) {
    std::vector<Uid> parents;
    for (int j = 0; j < i; ++j) {   // only lower-numbered teams: a DAG
      if (Connect(rng)) parents.push_back(team(j));
    }
    for (int j = 0; j < n; ++j) {
      if (Connect(rng)) parents.push_back(any_repo_perm(j));
    }
    es.Add(team(i), {}, parents);
  }
  for (int i = 0; i < n; ++i) {
    std::vector<Uid> parents;
    for (int j = 0; j < n; ++j) {
      if (Connect(rng)) parents.push_back(any_repo_perm(j));
    }
    for (int j = 0; j < n; ++j) {
      if (Connect(rng)) parents.push_back(team(j));
    }
    for (int j = 0; j < n; ++j) {
      // Organization membership and an organization role are separate draws.
      if (Connect(rng)) parents.push_back(org(j));
      if (Connect(rng)) parents.push_back(any_org_perm(j));
    }
    es.Add(Numbered("User", "user_", i), {}, parents);
  }
  d.entities_json = std::move(es).Finish();

  constexpr absl::string_view kActions[] = {"read", "triage", "write", "maintain", "admin"};
  for (int r = 0; r < kRequests; ++r) {
    const absl::string_view action = kActions[rng.Below(std::size(kActions))];
    const Uid principal = Numbered("User", "user_", rng.Below(n));
    d.requests.push_back(Request(principal, action, repo(rng.Below(n))));
  }
  return d;
}

Dataset MakeTinytodo(int scale, std::uint64_t seed) {
  Rng rng(seed);
  const int n = std::max(1, scale);   // users = teams = lists
  const Uid app{"Application", "TinyTodo"};
  auto user = [](int i) { return Numbered("User", "user_", i); };
  auto team = [](int i) { return Numbered("Team", "team_", i); };
  auto list = [](int i) { return Numbered("List", "list_", i); };

  Dataset d;
  d.name = absl::StrCat("tinytodo-", n);
  d.policies = R"(// Policy 0: Any User can create a list and see what lists they own.
permit (
    principal,
    action in [Action::"CreateList", Action::"GetLists"],
    resource == Application::"TinyTodo"
);

// Policy 1: A User can perform any action on a List they own.
permit (principal, action, resource)
when { resource has owner && resource.owner == principal };

// Policy 2: A User can see a List if they are either a reader or editor.
permit (principal, action == Action::"GetList", resource)
when { principal in resource.readers || principal in resource.editors };

// Policy 3: A User can update a List and its tasks if they are an editor.
permit (
    principal,
    action in [Action::"UpdateList", Action::"CreateTask", Action::"UpdateTask", Action::"DeleteTask"],
    resource
)
when { principal in resource.editors };
)";

  constexpr absl::string_view kActions[] = {"CreateList", "GetList",    "UpdateList", "DeleteList", "GetLists",
                                           "CreateTask", "UpdateTask", "DeleteTask", "EditShares"};
  EntityWriter es;
  std::vector<std::pair<absl::string_view, absl::string_view>> actions;
  for (absl::string_view a : kActions) actions.emplace_back(a, "");
  es.AddActions(actions);
  es.Add(app, {}, {});
  // Everything but the application is in the application.
  for (int i = 0; i < n; ++i) {
    std::vector<Uid> parents;
    for (int t = 0; t < n; ++t) {
      if (Connect(rng)) parents.push_back(team(t));
    }
    parents.push_back(app);
    es.Add(user(i), {}, parents);
  }
  for (int i = 0; i < n; ++i) {
    std::vector<Uid> parents;
    for (int t = 0; t < i; ++t) {   // only lower-numbered teams: a DAG
      if (Connect(rng)) parents.push_back(team(t));
    }
    parents.push_back(app);
    es.Add(team(i), {}, parents);
  }
  for (int i = 0; i < n; ++i) {
    const Uid owner = user(rng.Below(n)), readers = team(rng.Below(n)), editors = team(rng.Below(n));
    // 0 to 50 tasks, as the generator's task(): they make lists heavy to
    // load though no policy reads them.
    std::vector<std::string> tasks(rng.Below(51));
    for (std::string& task : tasks) {
      const int name = 1 + rng.Below(1'000'000), id = 1 + rng.Below(1'000'000);
      const bool checked = rng.Below(2) == 0;
      task = RecordValue({{"name", JsonString(absl::StrCat("task_", name))},
                          {"id", absl::StrCat(id)},
                          {"state", JsonString(checked ? "Checked" : "Unchecked")}});
    }
    const Uid l = list(i);
    es.Add(l,
           {{"name", JsonString(l.id)},
            {"owner", EntityValue(owner)},
            {"readers", EntityValue(readers)},
            {"editors", EntityValue(editors)},
            {"tasks", SetValue(tasks)}},
           {app});
  }
  d.entities_json = std::move(es).Finish();

  // CreateList and GetLists apply to the application, the rest to lists.
  for (int r = 0; r < kRequests; ++r) {
    const absl::string_view action = kActions[rng.Below(std::size(kActions))];
    const Uid principal = user(rng.Below(n));
    const Uid resource = action == "CreateList" || action == "GetLists" ? app : list(rng.Below(n));
    d.requests.push_back(Request(principal, action, resource));
  }
  return d;
}

}  // namespace writ::bench
