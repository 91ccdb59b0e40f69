#include "server/stream/incarnation.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/crypto/aead.h"
#include "server/log/log.h"

namespace tessera::stream {
namespace {

constexpr char kIncarnationKey[] = "incarnation";
constexpr size_t kIncarnationBytes = 16;

std::string MarkerIn(const std::string& dir) {
  return absl::StrCat(dir, "/", kBackupMarker);
}

// Writes a new id over `expected` (what was read); a conflict means another
// replica created one first.
absl::Status Renew(store::Kv* store, const std::optional<std::string>& expected,
                   bool restored, std::string* id) {
  *id = absl::BytesToHexString(crypto::RandomBytes(kIncarnationBytes));
  store::Batch batch;
  batch.Expect(store::ColumnFamily::kMeta, kIncarnationKey, expected);
  batch.Put(store::ColumnFamily::kMeta, kIncarnationKey, *id);
  batch.set_sync(true);  // Must hold before any stream is told about it.
  absl::Status put = store->Write(batch);
  if (!put.ok()) return put;
  if (restored) {
    log::Warning(
        "store restored from a backup: new incarnation, watching verifiers "
        "will rebuild their revocation state from a fresh snapshot",
        {{"incarnation", *id}});
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> LoadIncarnation(store::Kv* store,
                                            absl::string_view data_dir) {
  const std::string marker =
      data_dir.empty() ? "" : MarkerIn(absl::StrCat(data_dir, "/db"));
  std::error_code error;
  const bool restored =
      !marker.empty() && std::filesystem::exists(marker, error);
  for (int attempt = 0; attempt < 4; ++attempt) {
    absl::StatusOr<std::optional<std::string>> got =
        store->Get(store::ColumnFamily::kMeta, kIncarnationKey);
    if (!got.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "cannot read the store incarnation: ", got.status().message()));
    }
    std::string id;
    if (got->has_value() && !restored) return **got;
    absl::Status renewed = Renew(store, *got, restored, &id);
    if (store::IsWriteConflict(renewed)) continue;
    if (!renewed.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "cannot write the store incarnation: ", renewed.message()));
    }
    if (restored && !std::filesystem::remove(marker, error)) {
      return absl::UnavailableError(absl::StrCat(
          "cannot remove the backup marker ", marker, ": ", error.message()));
    }
    return id;
  }
  return absl::UnavailableError("the store incarnation kept changing");
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
