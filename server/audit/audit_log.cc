#include "server/audit/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/errors/errors.h"
#include "server/errors/reasons.h"
#include "server/log/log.h"

namespace tessera::audit {

namespace {

constexpr absl::string_view kUnauthenticated = "(unauthenticated)";

// O_NOFOLLOW: a symlink planted at the configured path cannot redirect the
// audit log (0600, the server's privileges) onto another file.
absl::StatusOr<int> OpenForAppend(const std::string& path) {
  const int fd =
      ::open(path.c_str(),
             O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int error = errno;
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot open --audit_log_file=", path, ": ",
        error == ELOOP ? "it is a symbolic link (give the real path)"
                       : std::strerror(error)));
  }
  return fd;
}

std::string Timestamp() {
  return log::JsonQuote(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                         absl::UTCTimeZone()));
}

std::string FormatRecord(absl::string_view method, absl::string_view caller,
                         absl::string_view target, const absl::Status& result) {
  std::string line = absl::StrCat(
      "{\"ts\":", Timestamp(), ",\"audit\":", log::JsonQuote(method),
      ",\"caller\":", log::JsonQuote(caller),
      ",\"target\":", log::JsonQuote(log::Utf8Prefix(target, kMaxTargetBytes)),
      ",\"result\":",
      log::JsonQuote(result.ok() ? "OK"
                                 : absl::StatusCodeToString(result.code())));
  const std::string reason = errors::ReasonOf(result);
  if (!reason.empty()) {
    absl::StrAppend(&line, ",\"reason\":", log::JsonQuote(reason));
  }
  line += "}\n";
  return line;
}

std::string FormatSummary(uint64_t suppressed) {
  return absl::StrCat("{\"ts\":", Timestamp(),
                      ",\"audit\":\"(suppressed)\",\"suppressed\":", suppressed,
                      ",\"detail\":\"suppressed ", suppressed,
                      " refused calls\"}\n");
}

// The authorizer's refusals: no or an unknown credential, a missing role.
// Other UNAUTHENTICATED answers (REFRESH_TOKEN_REUSED: theft detected) come
// from identified callers and are always written.
bool IsRefusal(const absl::Status& result) {
  const std::string reason = errors::ReasonOf(result);
  return reason == errors::kCallerUnknown || reason == errors::kRoleMissing;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(
    const std::string& path, RefusedLimit limit) {
  if (path.empty()) {
    return std::unique_ptr<AuditLog>(new AuditLog("", STDERR_FILENO, limit));
  }
  absl::StatusOr<int> fd = OpenForAppend(path);
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<AuditLog>(new AuditLog(path, *fd, limit));
}

AuditLog::~AuditLog() {
  absl::MutexLock lock(&mu_);
  if (const uint64_t pending = unreported_.exchange(0); pending > 0) {
    WriteLocked(FormatSummary(pending));
  }
  if (fd_ > STDERR_FILENO) ::close(fd_);
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
  if (IsRefusal(result)) {
    RecordRefused(method, caller == kUnauthenticated ? "" : caller, target,
                  result);
    return;
  }
  WriteLine(FormatRecord(method, caller, target, result));
}

void AuditLog::RecordRefused(absl::string_view method, absl::string_view caller,
                             absl::string_view target,
                             const absl::Status& status) {
  RecordRefused(method, caller, target, status, absl::Now());
}

void AuditLog::RecordRefused(absl::string_view method, absl::string_view caller,
                             absl::string_view target,
                             const absl::Status& status, absl::Time now) {
  refused_total_.fetch_add(1);
  if (!AdmitRefused(now)) {
    suppressed_total_.fetch_add(1);
    unreported_.fetch_add(1);
    return;
  }
  WriteLine(FormatRecord(method, caller.empty() ? kUnauthenticated : caller,
                         target, status));
}

bool AuditLog::AdmitRefused(absl::Time now) {
  absl::MutexLock lock(&bucket_mu_);
  if (now > refilled_) {
    if (refilled_ != absl::InfinitePast()) {
      tokens_ = std::min(limit_.burst,
                         tokens_ + limit_.lines_per_second *
                                       absl::ToDoubleSeconds(now - refilled_));
    }
    refilled_ = now;
  }
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

void AuditLog::WriteLine(const std::string& line) {
  absl::MutexLock lock(&mu_);  // Lines never interleave, even split ones.
  if (const uint64_t pending = unreported_.exchange(0); pending > 0) {
    WriteLocked(FormatSummary(pending));
  }
  WriteLocked(line);
}

void AuditLog::WriteLocked(absl::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd_, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace tessera::audit
