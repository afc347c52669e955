// bench/gen: the OOPSLA 2024 applications (see oopsla.h).
#include "bench/gen/oopsla.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "bench/gen/rng.h"

namespace writ::bench {
namespace {

constexpr int kRequests = 500;

std::string Ref(absl::string_view type, absl::string_view id) {
  return absl::StrCat("{\"type\":\"", type, "\",\"id\":\"", id, "\"}");
}
std::string EntityRef(absl::string_view type, absl::string_view id) {
  return absl::StrCat("{\"__entity\":", Ref(type, id), "}");
}

// Builds an entity JSON array one entity at a time.
class EntityList {
 public:
  void Add(absl::string_view type, absl::string_view id, const std::vector<std::string>& attrs,
           const std::vector<std::string>& parents) {
    absl::StrAppend(&json_, json_.empty() ? "[\n" : ",\n", "{\"uid\":", Ref(type, id), ",\"attrs\":{",
                    absl::StrJoin(attrs, ","), "},\"parents\":[", absl::StrJoin(parents, ","), "]}");
  }
  std::string Finish() { return json_.empty() ? "[]\n" : json_ + "\n]\n"; }

 private:
  std::string json_;
};

std::string Attr(absl::string_view name, absl::string_view value) { return absl::StrCat("\"", name, "\":", value); }

std::string Request(absl::string_view ptype, absl::string_view pid, absl::string_view action, absl::string_view rtype,
                    absl::string_view rid) {
  return absl::StrCat("{\"principal\":", Ref(ptype, pid), ",\"action\":", Ref("Action", action),
                      ",\"resource\":", Ref(rtype, rid), ",\"context\":{}}");
}

// A few distinct draws below n.
std::vector<int> Some(Rng& rng, int n, int max_count) {
  std::vector<int> out;
  const int count = rng.Below(max_count + 1);
  for (int i = 0; i < count; ++i) {
    const int x = rng.Below(n);
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  }
  return out;
}

}  // namespace

Dataset MakeGdrive(int scale, std::uint64_t seed) {
  Rng rng(seed);
  const int n = std::max(2, scale);
  Dataset d;
  d.name = absl::StrCat("gdrive-", n);
  d.policies = R"(permit (principal, action == Action::"read", resource)
when { resource in principal.documentsAndFoldersWithViewAccess };
permit (principal, action == Action::"read", resource)
when { resource.isPublic };
permit (principal, action in [Action::"read", Action::"write", Action::"share"], resource)
when { resource in principal.ownedDocuments || resource in principal.ownedFolders };
permit (principal, action == Action::"changeOwner", resource)
when { principal.ownedDocuments.contains(resource) };
permit (principal, action == Action::"createDocument", resource)
when { principal.ownedFolders.contains(resource) };
)";
  auto user = [](int i) { return absl::StrCat("user", i); };
  auto group = [](int i) { return absl::StrCat("group", i); };
  // Membership and ownership first: views and attributes depend on them.
  std::vector<std::vector<int>> group_members(n);
  std::vector<std::vector<int>> user_groups(n), owned_docs(n), owned_folders(n);
  for (int u = 0; u < n; ++u) {
    user_groups[u] = Some(rng, n, 2);
    for (int g : user_groups[u]) group_members[g].push_back(u);
  }
  std::vector<int> doc_owner(n), folder_owner(n);
  for (int i = 0; i < n; ++i) {
    doc_owner[i] = rng.Below(n);
    owned_docs[doc_owner[i]].push_back(i);
    folder_owner[i] = rng.Below(n);
    owned_folders[folder_owner[i]].push_back(i);
  }
  // Sharing: a document or folder is a child of the views it is shared with.
  auto shares = [&] {
    std::vector<std::string> parents;
    for (int u : Some(rng, n, 2)) parents.push_back(Ref("View", user(u)));
    if (rng.Chance(30)) parents.push_back(Ref("View", group(rng.Below(n))));
    return parents;
  };
  EntityList es;
  for (int u = 0; u < n; ++u) {
    std::vector<std::string> docs, folders, groups;
    for (int i : owned_docs[u]) docs.push_back(EntityRef("Document", absl::StrCat("doc", i)));
    for (int i : owned_folders[u]) folders.push_back(EntityRef("Folder", absl::StrCat("folder", i)));
    for (int g : user_groups[u]) groups.push_back(Ref("Group", group(g)));
    es.Add("User", user(u),
           {Attr("documentsAndFoldersWithViewAccess", EntityRef("View", user(u))),
            Attr("ownedDocuments", absl::StrCat("[", absl::StrJoin(docs, ","), "]")),
            Attr("ownedFolders", absl::StrCat("[", absl::StrJoin(folders, ","), "]"))},
           groups);
    es.Add("View", user(u), {}, {});
  }
  for (int g = 0; g < n; ++g) {
    es.Add("Group", group(g), {}, {});
    // What is shared with a group is visible through each member's view.
    std::vector<std::string> member_views;
    for (int u : group_members[g]) member_views.push_back(Ref("View", user(u)));
    es.Add("View", group(g), {}, member_views);
  }
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> parents = shares();
    if (i > 0 && rng.Chance(70)) parents.push_back(Ref("Folder", absl::StrCat("folder", rng.Below(i))));
    es.Add("Folder", absl::StrCat("folder", i), {}, parents);
  }
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> parents = shares();
    parents.push_back(Ref("Folder", absl::StrCat("folder", rng.Below(n))));
    es.Add("Document", absl::StrCat("doc", i), {Attr("isPublic", rng.Chance(10) ? "true" : "false")}, parents);
  }
  d.entities_json = es.Finish();
  constexpr const char* kActions[] = {"read", "write", "share", "changeOwner", "createDocument"};
  for (int r = 0; r < kRequests; ++r) {
    const char* action = kActions[rng.Below(5)];
    const bool folder = absl::string_view(action) == "createDocument" || rng.Chance(30);
    d.requests.push_back(Request("User", user(rng.Below(n)), action, folder ? "Folder" : "Document",
                                 absl::StrCat(folder ? "folder" : "doc", rng.Below(n))));
  }
  return d;
}

Dataset MakeGithub(int scale, std::uint64_t seed) {
  Rng rng(seed);
  const int n = std::max(2, scale);
  Dataset d;
  d.name = absl::StrCat("github-", n);
  d.policies = R"(permit (principal, action == Action::"read", resource)
when { principal in resource.readers };
permit (principal, action in Action::"triage", resource)
when { principal in resource.triagers };
permit (principal, action in Action::"write", resource)
when { principal in resource.writers };
permit (principal, action in Action::"maintain", resource)
when { principal in resource.maintainers };
permit (principal, action in Action::"admin", resource)
when { principal in resource.admins };
permit (principal, action == Action::"read", resource)
when { principal in resource.owner.readers };
permit (principal, action in Action::"write", resource)
when { principal in resource.owner.writers };
permit (principal, action in Action::"admin", resource)
when { principal in resource.owner.admins };
)";
  constexpr const char* kRepoRoles[] = {"readers", "triagers", "writers", "maintainers", "admins"};
  constexpr const char* kOrgRoles[] = {"readers", "writers", "admins"};
  auto repo_perm = [](int repo, const char* role) { return absl::StrCat("repo", repo, "-", role); };
  auto org_perm = [](int org, const char* role) { return absl::StrCat("org", org, "-", role); };
  EntityList es;
  // read ⊂ triage ⊂ write ⊂ maintain ⊂ admin: each action is in the next.
  constexpr const char* kActions[] = {"read", "triage", "write", "maintain", "admin"};
  for (int a = 0; a < 5; ++a) {
    es.Add("Action", kActions[a], {}, a + 1 < 5 ? std::vector<std::string>{Ref("Action", kActions[a + 1])}
                                                : std::vector<std::string>{});
  }
  for (int o = 0; o < n; ++o) {
    std::vector<std::string> attrs;
    for (const char* role : kOrgRoles) {
      attrs.push_back(Attr(role, EntityRef("OrgPermission", org_perm(o, role))));
      es.Add("OrgPermission", org_perm(o, role), {}, {});
    }
    es.Add("Organization", absl::StrCat("org", o), attrs, {Ref("OrgPermission", org_perm(o, "readers"))});
  }
  for (int r = 0; r < n; ++r) {
    std::vector<std::string> attrs = {Attr("owner", EntityRef("Organization", absl::StrCat("org", rng.Below(n))))};
    for (const char* role : kRepoRoles) {
      attrs.push_back(Attr(role, EntityRef("RepoPermission", repo_perm(r, role))));
      es.Add("RepoPermission", repo_perm(r, role), {}, {});
    }
    es.Add("Repository", absl::StrCat("repo", r), attrs, {});
  }
  for (int t = 0; t < n; ++t) {
    std::vector<std::string> parents;
    if (t > 0 && rng.Chance(30)) parents.push_back(Ref("Team", absl::StrCat("team", rng.Below(t))));
    for (int r : Some(rng, n, 2)) parents.push_back(Ref("RepoPermission", repo_perm(r, kRepoRoles[rng.Below(5)])));
    es.Add("Team", absl::StrCat("team", t), {}, parents);
  }
  for (int u = 0; u < n; ++u) {
    std::vector<std::string> parents;
    for (int o : Some(rng, n, 2)) {
      parents.push_back(Ref("Organization", absl::StrCat("org", o)));
      parents.push_back(Ref("OrgPermission", org_perm(o, kOrgRoles[rng.Below(3)])));
    }
    for (int t : Some(rng, n, 2)) parents.push_back(Ref("Team", absl::StrCat("team", t)));
    for (int r : Some(rng, n, 3)) parents.push_back(Ref("RepoPermission", repo_perm(r, kRepoRoles[rng.Below(5)])));
    es.Add("User", absl::StrCat("user", u), {}, parents);
  }
  d.entities_json = es.Finish();
  for (int r = 0; r < kRequests; ++r) {
    d.requests.push_back(Request("User", absl::StrCat("user", rng.Below(n)), kActions[rng.Below(5)], "Repository",
                                 absl::StrCat("repo", rng.Below(n))));
  }
  return d;
}

Dataset MakeTinytodo(int scale, std::uint64_t seed) {
  Rng rng(seed);
  const int n = std::max(2, scale);
  Dataset d;
  d.name = absl::StrCat("tinytodo-", n);
  d.policies = R"(permit (principal, action in [Action::"CreateList", Action::"GetLists"], resource == Application::"TinyTodo");
permit (principal, action, resource)
when { resource has owner && resource.owner == principal };
permit (principal, action == Action::"GetList", resource)
when { principal in resource.readers || principal in resource.editors };
permit (principal, action in [Action::"UpdateList", Action::"CreateTask", Action::"UpdateTask", Action::"DeleteTask"], resource)
when { principal in resource.editors };
)";
  EntityList es;
  es.Add("Application", "TinyTodo", {}, {});
  // Each list's readers and editors are teams of their own; users join them
  // and the shared teams.
  std::vector<std::vector<std::string>> user_parents(n);
  for (int t = 0; t < n; ++t) {
    std::vector<std::string> parents;
    if (t > 0 && rng.Chance(30)) parents.push_back(Ref("Team", absl::StrCat("team", rng.Below(t))));
    es.Add("Team", absl::StrCat("team", t), {}, parents);
    for (int u : Some(rng, n, 3)) user_parents[u].push_back(Ref("Team", absl::StrCat("team", t)));
  }
  for (int l = 0; l < n; ++l) {
    const std::string readers = absl::StrCat("list", l, "-readers"), editors = absl::StrCat("list", l, "-editors");
    es.Add("Team", readers, {}, {});
    es.Add("Team", editors, {}, {});
    for (int u : Some(rng, n, 2)) user_parents[u].push_back(Ref("Team", readers));
    for (int u : Some(rng, n, 2)) user_parents[u].push_back(Ref("Team", editors));
    es.Add("List", absl::StrCat("list", l),
           {Attr("owner", EntityRef("User", absl::StrCat("user", rng.Below(n)))), Attr("name", absl::StrCat("\"list ", l, "\"")),
            Attr("readers", EntityRef("Team", readers)), Attr("editors", EntityRef("Team", editors))},
           {Ref("Application", "TinyTodo")});
  }
  for (int u = 0; u < n; ++u) {
    es.Add("User", absl::StrCat("user", u), {Attr("joblevel", absl::StrCat(rng.Below(10)))}, user_parents[u]);
  }
  d.entities_json = es.Finish();
  constexpr const char* kActions[] = {"CreateList", "GetLists", "GetList", "UpdateList", "DeleteList",
                                      "CreateTask", "UpdateTask", "DeleteTask", "EditShare"};
  for (int r = 0; r < kRequests; ++r) {
    const int a = rng.Below(9);
    const bool app = a < 2;
    d.requests.push_back(Request("User", absl::StrCat("user", rng.Below(n)), kActions[a], app ? "Application" : "List",
                                 app ? "TinyTodo" : absl::StrCat("list", rng.Below(n))));
  }
  return d;
}

}  // namespace writ::bench
