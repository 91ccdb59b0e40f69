#include "server/stream/incarnation.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "server/crypto/aead.h"
#include "server/log/log.h"

namespace tessera::stream {
namespace {

constexpr char kIncarnationKey[] = "incarnation";
constexpr size_t kIncarnationBytes = 16;

std::string MarkerIn(const std::string& dir) {
  return absl::StrCat(dir, "/", kBackupMarker);
}

absl::StatusOr<std::string> Renew(store::Store* store, bool restored) {
  const std::string id =
      absl::BytesToHexString(crypto::RandomBytes(kIncarnationBytes));
  rocksdb::WriteOptions sync;
  sync.sync = true;  // Must hold before any stream is told about it.
  rocksdb::Status put = store->db()->Put(
      sync, store->handle(store::ColumnFamily::kMeta), kIncarnationKey, id);
  if (!put.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot write the store incarnation: ", put.ToString()));
  }
  if (restored) {
    log::Warning(
        "store restored from a backup: new incarnation, watching verifiers "
        "will rebuild their revocation state from a fresh snapshot",
        {{"incarnation", id}});
  }
  return id;
}

}  // namespace

absl::StatusOr<std::string> LoadIncarnation(store::Store* store) {
  const std::string marker = MarkerIn(absl::StrCat(store->data_dir(), "/db"));
  std::error_code error;
  const bool restored = std::filesystem::exists(marker, error);
  std::string id;
  rocksdb::Status got = store->db()->Get(
      rocksdb::ReadOptions(), store->handle(store::ColumnFamily::kMeta),
      kIncarnationKey, &id);
  if (!got.ok() && !got.IsNotFound()) {
    return absl::UnavailableError(
        absl::StrCat("cannot read the store incarnation: ", got.ToString()));
  }
  if (got.IsNotFound() || restored) {
    absl::StatusOr<std::string> renewed = Renew(store, restored);
    if (!renewed.ok()) return renewed.status();
    id = *std::move(renewed);
  }
  if (restored && !std::filesystem::remove(marker, error)) {
    return absl::UnavailableError(absl::StrCat(
        "cannot remove the backup marker ", marker, ": ", error.message()));
  }
  return id;
}

absl::Status MarkBackup(const std::string& checkpoint_dir) {
  const std::string marker = MarkerIn(checkpoint_dir);
  constexpr char kText[] =
      "A tesserad backup (Admin.CreateBackup). Started on, tesserad gives the "
      "restored store a new incarnation and removes this file.\n";
  const int fd =
      open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0;
  if (ok) {
    ok = write(fd, kText, sizeof(kText) - 1) ==
             static_cast<ssize_t>(sizeof(kText) - 1) &&
         fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
  }
  if (!ok) {
    return absl::UnavailableError(absl::StrCat(
        "cannot write the backup marker ", marker, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace tessera::stream
