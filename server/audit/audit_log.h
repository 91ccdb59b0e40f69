#ifndef TESSERA_SERVER_AUDIT_AUDIT_LOG_H_
#define TESSERA_SERVER_AUDIT_AUDIT_LOG_H_

// The audit log (docs/security.md): one JSON line per Admin call, revocation,
// claims update and refresh-token reuse detection:
//
//   {"ts":"...","audit":"<method>","caller":"<name>","target":"<what>",
//    "result":"OK"|"<gRPC code>","reason":"<ErrorInfo reason>"}
//
// Targets are session ids, subjects or kids: never a token, key or secret
// (callers pass only those). A target longer than kMaxTargetBytes is cut at
// a UTF-8 character boundary. Written to its own file (append, 0600, never
// through a symlink) or, with no file configured, to stderr among the JSON
// log lines. Reopen() follows log rotation (SIGHUP).
//
// Refused calls (no or an unknown credential, a missing role) come from
// anyone who reaches the port, so they are bounded: every one is counted
// (refused_total(), the tessera_audit_refused_total metric), but lines are
// written only as a token bucket (RefusedLimit) allows; the others are
// counted in suppressed_total() and summed up in one line
//
//   {"ts":"...","audit":"(suppressed)","suppressed":<K>,
//    "detail":"suppressed K refused calls"}
//
// written before the next line of any kind (and when the log is destroyed).
// Record() with a refusal as its result (reason CALLER_UNKNOWN or
// ROLE_MISSING) is treated as RecordRefused(), so no call site can bypass
// the bound; other failures, such as REFRESH_TOKEN_REUSED (theft detected),
// are always written.
//
// Thread-safety: every method is thread-safe. A record is written whole
// (under a lock) or, if the disk refuses it, not at all past the point of
// failure; a suppressed refusal takes only a short lock on the bucket and
// writes nothing.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tessera::audit {

// Longest target written; longer ones are cut at a UTF-8 boundary.
inline constexpr size_t kMaxTargetBytes = 512;

// How many refused-call lines may be written: `burst` at once, then
// `lines_per_second` on average.
struct RefusedLimit {
  double lines_per_second = 10;
  double burst = 20;
};

class AuditLog {
 public:
  // `path` empty: stderr. INVALID_ARGUMENT if the file cannot be opened for
  // appending, or is a symbolic link.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(
      const std::string& path, RefusedLimit limit = {});
  ~AuditLog();  // Writes the pending summary line, if any.

  // What an identified caller did (or tried to do, with its result). Always
  // written, except a refusal (see above).
  void Record(absl::string_view method, absl::string_view caller,
              absl::string_view target, const absl::Status& result);

  // A refused call: `caller` is the identified caller's name when a role was
  // missing, or empty when the call was not authenticated (written as
  // "(unauthenticated)"). Counted always; written within the limit only.
  void RecordRefused(absl::string_view method, absl::string_view caller,
                     absl::string_view target, const absl::Status& status);
  // The same at the given time (the token bucket's clock), for tests.
  void RecordRefused(absl::string_view method, absl::string_view caller,
                     absl::string_view target, const absl::Status& status,
                     absl::Time now);

  // Refused calls seen, and how many of them were not written. Monotonic.
  uint64_t refused_total() const { return refused_total_.load(); }
  uint64_t suppressed_total() const { return suppressed_total_.load(); }

  // Opens the file's path again, for log rotation: once a rotator has moved
  // the file away, later records go to a new file at the configured path.
  // On failure records keep going to the old file. No-op for stderr.
  absl::Status Reopen();

 private:
  AuditLog(std::string path, int fd, RefusedLimit limit)
      : path_(std::move(path)), limit_(limit), tokens_(limit.burst), fd_(fd) {}

  // Takes a token from the refused-call bucket at `now`.
  bool AdmitRefused(absl::Time now);
  // Writes `line` after the pending summary, if any.
  void WriteLine(const std::string& line);
  void WriteLocked(absl::string_view text) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;  // Empty: stderr.
  const RefusedLimit limit_;

  absl::Mutex bucket_mu_;
  double tokens_ ABSL_GUARDED_BY(bucket_mu_);
  absl::Time refilled_ ABSL_GUARDED_BY(bucket_mu_) = absl::InfinitePast();

  std::atomic<uint64_t> refused_total_{0};
  std::atomic<uint64_t> suppressed_total_{0};
  // Suppressed since the last summary line.
  std::atomic<uint64_t> unreported_{0};

  absl::Mutex mu_;
  int fd_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tessera::audit

#endif  // TESSERA_SERVER_AUDIT_AUDIT_LOG_H_
