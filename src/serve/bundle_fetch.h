// serve: fetching a bundle over HTTP(S) — one GET with If-None-Match, on
// the calling thread (the bundle poller's, never a request's), bounded in
// time and size.
//
//   - http:// and https:// URLs only; https verifies the server's chain
//     against FetchOptions::ca_file (or the system's store when empty) and
//     its name (SNI is sent; the certificate must name the URL's host, or
//     its IP address for an IP literal). TLS 1.2 at least.
//   - 200: the body (at most kMaxBundleBytes, writ/bundle.h) and its ETag;
//     304 (the ETag sent still names what the server holds): not modified.
//     Any other status is an error, redirects included: a redirect is not
//     followed (a fleet's bundle URL names the file itself; following
//     would let whoever answers the URL point replicas anywhere). The
//     error names the Location.
//   - The connection (resolve and connect) must be made within
//     connect_timeout, and the whole exchange end within total_timeout.
//     `cancel` (may be null) ends a fetch early (the server stopping).
// Beast, Asio and OpenSSL's TLS are confined to bundle_fetch.cc.
#ifndef WRIT_SRC_SERVE_BUNDLE_FETCH_H_
#define WRIT_SRC_SERVE_BUNDLE_FETCH_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "writ/bundle.h"

namespace writ::serve {

// An ETag longer than this is ignored (the next fetch sends none).
inline constexpr std::size_t kMaxEtagBytes = 1024;

struct FetchOptions {
  std::string ca_file;   // PEM CA certificates for https (--bundle-ca); "" for the system's store
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{60000};
  std::size_t max_bytes = kMaxBundleBytes;
};

struct FetchResult {
  bool not_modified = false;   // 304: the ETag sent is still current
  std::string etag;            // of the body (200), as the server sent it; "" for none
  std::string body;            // 200 only
};

// The parts of an http(s) URL.
struct FetchUrl {
  bool tls = false;
  std::string host;      // without brackets for IPv6
  std::string port;      // "80"/"443" when not given
  std::string target;    // path and query, "/" when empty
};
// InvalidArgument for anything but http(s)://HOST[:PORT][/PATH][?QUERY]
// (user info refused; a fragment is dropped).
absl::StatusOr<FetchUrl> ParseFetchUrl(const std::string& url);

// GET `url`, sending If-None-Match: `etag` when it is not empty. The error
// message starts with the URL and says what failed (resolve, connect, TLS
// and the certificate's verification error, timeout, HTTP status, size).
absl::StatusOr<FetchResult> FetchBundle(const std::string& url, const std::string& etag,
                                        const FetchOptions& options, const std::atomic<bool>* cancel = nullptr);

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_BUNDLE_FETCH_H_
