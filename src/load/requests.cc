// Load: requests — one JSON request read through the schema (a request the
// schema rejects is denied, not malformed), and the one JSON-lines reader
// (`writ authorize --requests`, `writ bench`).
#include <fstream>
#include <istream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/base/strings.h"
#include "writ/limits.h"
#include "writ/load.h"

namespace writ {

absl::StatusOr<Request> ReadRequest(std::string_view json, std::string_view source_name,
                                    std::vector<Issue>* issues, const JsonOptions& options, bool* nonconforming) {
  if (nonconforming != nullptr) *nonconforming = false;
  absl::StatusOr<Request> request = RequestFromJson(json, source_name, issues, options);
  if (!request.ok() && options.schema != nullptr && nonconforming != nullptr) {
    JsonOptions schemaless = options;
    schemaless.schema = nullptr;
    *nonconforming = RequestFromJson(json, source_name, nullptr, schemaless).ok();
  }
  return request;
}

std::string FirstErrorText(absl::Span<const Issue> issues, const absl::Status& status) {
  for (const Issue& i : issues) {
    if (i.severity == Severity::kError) {
      const std::string where = IssueLocation(i);
      return where.empty() ? i.message : absl::StrCat(where, ": ", i.message);
    }
  }
  return std::string(status.message());
}

Decision DenyWithError(std::string why) {
  Decision d;
  d.errors.push_back({"", std::move(why)});
  return d;
}

std::string RequestLineError(const RequestLine& line) {
  const Issue& i = line.issue;
  return i.column == 0 ? absl::StrCat(i.file, ":", i.line, ": ", i.message)
                       : absl::StrCat(i.file, ":", i.line, ":", i.column, ": ", i.message);
}

absl::Status ReadRequestLines(std::istream& in, std::string_view source_name, const JsonOptions& options,
                              const std::function<bool(RequestLine)>& each) {
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    RequestLine out;
    out.number = n;
    out.issue.file = std::string(source_name);
    out.issue.line = static_cast<std::uint32_t>(n);
    if (line.size() > kMaxJsonBytes) {
      out.issue.message = absl::StrCat("line longer than ", kMaxJsonBytes, " bytes");
    } else if (line.find_first_not_of(" \t") == std::string::npos) {
      out.blank = true;
    } else {
      // The line is the whole document: its issues' columns are the line's.
      std::vector<Issue> issues;
      absl::StatusOr<Request> request = RequestFromJson(line, source_name, &issues, options);
      if (request.ok()) {
        out.request = *std::move(request);
      } else {
        out.issue.message = std::string(request.status().message());
        for (const Issue& i : issues) {
          if (i.severity != Severity::kError) continue;
          out.issue.column = i.line == 0 ? 0 : i.column;
          out.issue.length = i.length;
          out.issue.message = i.message;
          out.issue.hint = i.hint;
          break;
        }
        if (out.issue.column != 0) out.issue.source_line = line;
      }
    }
    if (!each(std::move(out))) return absl::OkStatus();
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat(internal::Av(source_name), ": cannot read the file"));
  return absl::OkStatus();
}

absl::Status ReadRequestLinesFile(const std::string& path, const JsonOptions& options,
                                  const std::function<bool(RequestLine)>& each) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open file"));
  return ReadRequestLines(in, path, options, each);
}

}  // namespace writ
