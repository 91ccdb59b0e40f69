#ifndef TESSERA_SERVER_STORE_DATA_DIR_LOCK_H_
#define TESSERA_SERVER_STORE_DATA_DIR_LOCK_H_

// Exclusive ownership of a data directory by one tesserad process.
//
// RocksDB locks its own LOCK file too, but its error ("While lock file ...
// Resource temporarily unavailable") does not tell an operator what is wrong.
// This lock is taken first, with flock(2) on "<data_dir>/tesserad.lock", and
// its failure says that another instance holds the directory and which pid.
// The kernel drops the lock when the process dies, even on kill -9, so a
// crash never leaves a stale lock behind.

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace tessera::store {

class DataDirLock {
 public:
  // Creates `data_dir` (mode 0700) if missing and locks it. Fails with
  // FAILED_PRECONDITION when another process holds the lock, or when the
  // directory is writable by group or others (CheckDataDirPermissions).
  static absl::StatusOr<std::unique_ptr<DataDirLock>> Acquire(
      const std::string& data_dir);

  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();  // Releases the lock.

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace tessera::store

#endif  // TESSERA_SERVER_STORE_DATA_DIR_LOCK_H_
