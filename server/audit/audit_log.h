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
// no file configured, to stderr among the JSON log lines. Thread-safe; each
// record is one write(2).

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tessera::audit {

class AuditLog {
 public:
  // `path` empty: stderr.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(
      const std::string& path);
  ~AuditLog();

  void Record(absl::string_view method, absl::string_view caller,
              absl::string_view target, const absl::Status& result);

 private:
  explicit AuditLog(int fd) : fd_(fd) {}
  const int fd_;
};

}  // namespace tessera::audit

#endif  // TESSERA_SERVER_AUDIT_AUDIT_LOG_H_
