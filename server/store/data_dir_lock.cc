#include "server/store/data_dir_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/store/data_dir_files.h"

namespace tessera::store {
namespace {

absl::Status MakeDirs(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("--data_dir is empty");
  std::string prefix;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    prefix = path.substr(0, pos);
    if (prefix.empty() || prefix == "/") continue;
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::PermissionDeniedError(absl::StrCat(
          "cannot create data dir ", prefix, ": ", std::strerror(errno)));
    }
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("data dir ", path, " is not a directory"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(
    const std::string& data_dir) {
  if (absl::Status made = MakeDirs(data_dir); !made.ok()) return made;
  if (absl::Status private_dir = CheckDataDirPermissions(data_dir);
      !private_dir.ok()) {
    return private_dir;
  }
  const std::string path = absl::StrCat(data_dir, "/tesserad.lock");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char pid_text[32] = {};
    ssize_t n = ::pread(fd, pid_text, sizeof(pid_text) - 1, 0);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      std::string holder;
      int pid = 0;
      if (n > 0 &&
          absl::SimpleAtoi(absl::StripAsciiWhitespace(pid_text), &pid)) {
        holder = absl::StrCat(" (pid ", pid, ")");
      }
      return absl::FailedPreconditionError(absl::StrCat(
          "data dir ", data_dir, " is in use: another tesserad instance",
          holder, " holds ", path, "; stop it or choose another --data_dir"));
    }
    return absl::InternalError(
        absl::StrCat("cannot lock ", path, ": ", std::strerror(err)));
  }
  // Record our pid for the message above; purely informational.
  std::string pid = absl::StrCat(::getpid(), "\n");
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) !=
                                     static_cast<ssize_t>(pid.size())) {
    // The lock is held either way; a missing pid only shortens the message.
  }
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
}

DataDirLock::~DataDirLock() { ::close(fd_); }

}  // namespace tessera::store
