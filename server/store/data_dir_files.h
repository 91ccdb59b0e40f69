#ifndef TESSERA_SERVER_STORE_DATA_DIR_FILES_H_
#define TESSERA_SERVER_STORE_DATA_DIR_FILES_H_

// File-system rules for what tesserad keeps on disk: the data directory's
// permissions, and new directories (backups) created so that nobody else
// can read them or redirect them.
//
// No RocksDB here: the config checks use these before anything is opened.
// Thread-compatible (plain system calls; no shared state).

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tessera::store {

// OK if `data_dir` does not exist yet (it is created 0700 later). Otherwise
// it must be a directory that neither group nor others may write (they could
// swap the store's files or the generated KEK): FAILED_PRECONDITION naming
// the mode and the chmod that fixes it.
absl::Status CheckDataDirPermissions(const std::string& data_dir);

// Creates the new directory `path` (absolute; its parent must exist) with
// its contents written by `fill`, atomically: `fill` writes into a path that
// does not exist yet inside a 0700 staging directory made (mkdtemp) in the
// canonical parent; the result is made 0700 (its files 0600) and then
// renamed to `path` with RENAME_NOREPLACE, so an existing file, directory or
// symlink at `path` (even one planted meanwhile) is never written through or
// replaced. Returns the canonical path created. INVALID_ARGUMENT for a bad
// or taken path (message says why); `fill`'s error otherwise. Nothing is left
// behind on failure.
absl::StatusOr<std::string> CreatePrivateDirectory(
    const std::string& path,
    const std::function<absl::Status(const std::string& staging)>& fill);

}  // namespace tessera::store

#endif  // TESSERA_SERVER_STORE_DATA_DIR_FILES_H_
