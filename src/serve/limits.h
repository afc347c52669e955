// serve: the documented bounds of `writ serve`. Past any of them the request
// is refused with a deny (and an HTTP error code saying which bound), never
// truncated and never allowed. README.md ("writ serve") lists them too.
#ifndef WRIT_SRC_SERVE_LIMITS_H_
#define WRIT_SRC_SERVE_LIMITS_H_

#include <chrono>
#include <cstddef>

namespace writ::serve {

// HTTP request body (POST /v1/authorize, /v1/authorize/batch, forward-auth):
// larger bodies are answered 413 and denied.
inline constexpr std::size_t kMaxBodyBytes = 1u << 20;
// The request line and every header together: larger is 431 and denied.
inline constexpr std::size_t kMaxHeaderBytes = 16u << 10;
// Requests in one batch: more is 413 and denied.
inline constexpr std::size_t kMaxBatchRequests = 1000;
// JSON nesting of a request (and of a batch's array, one level more) is
// bounded by writ::kMaxJsonDepth (writ/limits.h).
// The original URI that forward-auth canonicalises, in bytes.
inline constexpr std::size_t kMaxUriBytes = 8u << 10;
// Values of one header that forward-auth reads for the context.
inline constexpr std::size_t kMaxHeaderValues = 32;
// ext_authz (gRPC): a CheckRequest message, in bytes (larger is refused by
// gRPC with RESOURCE_EXHAUSTED, which Envoy with failure_mode_allow: false
// treats as a deny); its headers, as kMaxHeaderBytes over HTTP (names and
// values, and 4 bytes a line for the `: ` and CRLF each costs over
// HTTP/1.1, so that empty lines count too; more is a deny); its context
// extensions.
inline constexpr std::size_t kMaxGrpcMessageBytes = 1u << 20;
inline constexpr std::size_t kMaxContextExtensions = 64;
// ext_authz (gRPC): a connection must finish its HTTP/2 handshake within
// kRequestTimeout; one idle (no call) for kGrpcIdleTimeout is closed (the
// proxy reconnects); all connections together hold at most kGrpcMemoryBytes
// of gRPC's buffers (gRPC's resource quota: past it, calls are refused with
// RESOURCE_EXHAUSTED, a deny for Envoy); each carries at most
// kMaxGrpcStreams calls at once.
inline constexpr std::chrono::minutes kGrpcIdleTimeout{5};
inline constexpr std::size_t kGrpcMemoryBytes = 256u << 20;
inline constexpr int kMaxGrpcStreams = 128;

// A whole request (headers and body) must arrive within this time from its
// first byte being awaited, and a response must be written within it; an
// idle keep-alive connection is closed after it. A slow client is
// disconnected without an answer (a gateway takes that as an error: deny).
inline constexpr std::chrono::seconds kRequestTimeout{10};
// Open connections; an accepted connection past it is answered 503 (deny)
// and closed.
inline constexpr std::size_t kMaxConnections = 4096;

// Decision log: lines waiting for the writer; past it, lines are dropped
// and counted (writ_decision_log_dropped_total), never waited for.
inline constexpr std::size_t kLogQueueCapacity = 1u << 16;
// Decision log: what one line logs of a request. The context is written
// key by key while it fits in kMaxLogContextBytes of JSON, then cut, the
// line saying so ("context_truncated":true,"context_keys":N); entity types
// and ids, reasons and error messages are cut at kMaxLogStringBytes (ending
// in "..."). Logging thus costs time linear in the request, and at most
// about these many bytes per line however large the request.
inline constexpr std::size_t kMaxLogContextBytes = 8u << 10;
inline constexpr std::size_t kMaxLogStringBytes = 1u << 10;

// Requests that may take long — any batch, and any body over
// kInlineBodyBytes — are decided on a pool of deciding threads (as many as
// the HTTP threads), not on the HTTP thread that read them, so that a large
// request never holds up the other connections of its thread (health
// checks included). Smaller requests are decided where they were read.
inline constexpr std::size_t kInlineBodyBytes = 64u << 10;

// The admin API (--admin-socket, grants): a request body, in bytes (one
// grant; larger is 413); its headers are bounded by kMaxHeaderBytes and it
// must arrive within kRequestTimeout, as on the main listener.
inline constexpr std::size_t kMaxAdminBodyBytes = 64u << 10;
// The grants file (--grants), in bytes.
inline constexpr std::size_t kMaxGrantsFileBytes = 256u << 20;
// How often expired grants are swept (removed, counted, and the grants file
// rewritten); an expired grant stops matching at its `expires` whatever
// this is.
inline constexpr std::chrono::milliseconds kGrantSweepInterval{1000};

// The configuration file (YAML), in bytes.
inline constexpr std::size_t kMaxConfigBytes = 1u << 20;
// *.cedar files under a --policies directory.
inline constexpr std::size_t kMaxPolicyFiles = 10000;
// How often the policy files' modification times are polled.
inline constexpr std::chrono::milliseconds kReloadPollInterval{1000};

}  // namespace writ::serve

#endif  // WRIT_SRC_SERVE_LIMITS_H_
