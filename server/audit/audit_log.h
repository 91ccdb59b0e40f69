#ifndef TESSERA_SERVER_AUDIT_AUDIT_LOG_H_
#define TESSERA_SERVER_AUDIT_AUDIT_LOG_H_

// The audit log (DESIGN §9): one JSON line per Admin call, revocation,
// claims update and refresh-token reuse detection:
//
//   {"ts":"...","audit":"<method>","caller":"<name>","target":"<what>",
//    "result":"OK"|"<gRPC code>","reason":"<ErrorInfo reason>"}
//
// Targets are session ids, subjects or kids: never a token, key or secret
// (callers pass only those). Written to its own file (append, 0600) or, with
// no file configured, to stderr among the JSON log lines. Thread-safe; a
// record is written whole (under a lock) or, if the disk refuses it, not at
// all past the point of failure. Reopen() follows log rotation (SIGHUP).

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace tessera::audit {

class AuditLog {
 public:
  // `path` empty: stderr.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(
      const std::string& path);
  ~AuditLog();

  void Record(absl::string_view method, absl::string_view caller,
              absl::string_view target, const absl::Status& result);

  // Opens the file's path again, for log rotation: once a rotator has moved
  // the file away, later records go to a new file at the configured path.
  // On failure records keep going to the old file. No-op for stderr.
  absl::Status Reopen();

 private:
  AuditLog(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  const std::string path_;  // Empty: stderr.
  absl::Mutex mu_;
  int fd_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tessera::audit

#endif  // TESSERA_SERVER_AUDIT_AUDIT_LOG_H_
