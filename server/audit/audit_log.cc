#include "server/audit/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/errors/errors.h"
#include "server/log/log.h"

namespace tessera::audit {

namespace {

absl::StatusOr<int> OpenForAppend(const std::string& path) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot open --audit_log_file=", path, ": ", std::strerror(errno)));
  }
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(
    const std::string& path) {
  if (path.empty()) return std::unique_ptr<AuditLog>(new AuditLog("", 2));
  absl::StatusOr<int> fd = OpenForAppend(path);
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<AuditLog>(new AuditLog(path, *fd));
}

AuditLog::~AuditLog() {
  absl::MutexLock lock(&mu_);
  if (fd_ > 2) ::close(fd_);
}

absl::Status AuditLog::Reopen() {
  if (path_.empty()) return absl::OkStatus();
  absl::StatusOr<int> fd = OpenForAppend(path_);
  if (!fd.ok()) return fd.status();
  absl::MutexLock lock(&mu_);
  ::close(fd_);
  fd_ = *fd;
  return absl::OkStatus();
}

void AuditLog::Record(absl::string_view method, absl::string_view caller,
                      absl::string_view target, const absl::Status& result) {
  const std::string reason = errors::ReasonOf(result);
  std::string line = absl::StrCat(
      "{\"ts\":",
      log::JsonQuote(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                      absl::UTCTimeZone())),
      ",\"audit\":", log::JsonQuote(method),
      ",\"caller\":", log::JsonQuote(caller),
      ",\"target\":", log::JsonQuote(target), ",\"result\":",
      log::JsonQuote(result.ok() ? "OK"
                                 : absl::StatusCodeToString(result.code())));
  if (!reason.empty())
    absl::StrAppend(&line, ",\"reason\":", log::JsonQuote(reason));
  line += "}\n";
  absl::string_view rest = line;
  absl::MutexLock lock(&mu_);  // Lines never interleave, even split ones.
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n <= 0) return;
    rest.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace tessera::audit
