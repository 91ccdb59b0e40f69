#include "server/store/data_dir_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tessera::store {
namespace {

constexpr size_t kMaxPathBytes = 4096;

std::string Mode(mode_t mode) { return absl::StrFormat("%04o", mode & 07777); }

// Splits an absolute path into its parent and last component, ignoring
// trailing slashes. The last component is never empty, "." or "..".
absl::Status SplitPath(const std::string& path, std::string& parent,
                       std::string& name) {
  if (path.empty() || path.front() != '/') {
    return absl::InvalidArgumentError("must be an absolute path");
  }
  if (path.size() > kMaxPathBytes || path.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("must be at most ", kMaxPathBytes, " bytes, without NUL"));
  }
  const size_t end = path.find_last_not_of('/');
  if (end == std::string::npos) {
    return absl::InvalidArgumentError("must name a new directory, not /");
  }
  const size_t slash = path.rfind('/', end);
  name = path.substr(slash + 1, end - slash);
  parent = slash == 0 ? "/" : path.substr(0, slash);
  if (name == "." || name == "..") {
    return absl::InvalidArgumentError(
        absl::StrCat("must not end in \"", name, "\""));
  }
  return absl::OkStatus();
}

// Owner-only modes on what `fill` wrote (one level, as a RocksDB checkpoint
// is flat; symlinks are left alone, never followed).
void MakePrivate(const std::string& dir) {
  ::chmod(dir.c_str(), 0700);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_symlink(error)) continue;
    ::chmod(entry.path().c_str(), entry.is_directory(error) ? 0700 : 0600);
  }
}

void SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

absl::Status CheckDataDirPermissions(const std::string& data_dir) {
  struct stat st;
  if (::stat(data_dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot inspect data dir ", data_dir, ": ", std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("data dir ", data_dir, " is not a directory"));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data dir ", data_dir, " is writable by group or others (mode ",
        Mode(st.st_mode),
        "): they could replace the store's files or its key-encryption key; "
        "run chmod 700 ",
        data_dir));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CreatePrivateDirectory(
    const std::string& path,
    const std::function<absl::Status(const std::string& staging)>& fill) {
  std::string parent, name;
  if (absl::Status split = SplitPath(path, parent, name); !split.ok()) {
    return split;
  }
  char resolved[PATH_MAX];
  if (::realpath(parent.c_str(), resolved) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "parent directory \"", parent, "\": ", std::strerror(errno)));
  }
  const std::string canonical_parent = resolved;
  struct stat st;
  if (::stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("parent \"", parent, "\" is not a directory"));
  }
  const std::string target =
      absl::StrCat(canonical_parent == "/" ? "" : canonical_parent, "/", name);
  if (::lstat(target.c_str(), &st) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", target, "\" exists; a backup needs a new directory"));
  }
  std::string staging =
      absl::StrCat(canonical_parent == "/" ? "" : canonical_parent,
                   "/.tessera-staging-XXXXXX");
  if (::mkdtemp(staging.data()) == nullptr) {  // Mode 0700.
    return absl::InvalidArgumentError(
        absl::StrCat("cannot create a directory in \"", canonical_parent,
                     "\": ", std::strerror(errno)));
  }
  const std::string inner = staging + "/new";
  auto discard = [&] {
    std::error_code ignored;
    std::filesystem::remove_all(staging, ignored);
  };
  if (absl::Status filled = fill(inner); !filled.ok()) {
    discard();
    return filled;
  }
  MakePrivate(inner);
  if (::renameat2(AT_FDCWD, inner.c_str(), AT_FDCWD, target.c_str(),
                  RENAME_NOREPLACE) != 0) {
    const int error = errno;
    discard();
    if (error == EEXIST) {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", target, "\" exists; a backup needs a new directory"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("cannot move the new directory to \"", target,
                     "\": ", std::strerror(error)));
  }
  ::rmdir(staging.c_str());
  SyncDirectory(canonical_parent);
  return target;
}

}  // namespace tessera::store
