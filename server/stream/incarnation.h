#ifndef TESSERA_SERVER_STREAM_INCARNATION_H_
#define TESSERA_SERVER_STREAM_INCARNATION_H_

// The store's incarnation (docs/architecture.md): an opaque random id that,
// with a sequence, names a revocation-log position unambiguously. Sequences
// alone do not: a store restored from a backup continues from the backup's last
// sequence, so numbers a Verifier has already seen are reused for other
// events. WatchRevocations resumes only within the same incarnation.
//
// Contract:
//  - Created (16 bytes from the CSPRNG, hex) the first time a store is
//    opened, kept in the meta column family, unchanged across restarts.
//  - Made anew when the store was restored from a backup. CreateBackup
//    leaves a marker file (kBackupMarker) in every checkpoint; a restored
//    checkpoint is the data dir's `db` directory, so start-up finds the
//    marker there, writes a fresh id (synced), then deletes the marker. A
//    crash in between only makes one more id (one more reset for clients).
//    A store restored any other way (a file-system snapshot) keeps its id
//    unless an operator creates the marker file before starting it.
//
// Not thread-safe; called once at start-up, before streams are served.

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/store/kv.h"

namespace tessera::stream {

inline constexpr char kBackupMarker[] = "TESSERA_BACKUP";
// Longest incarnation a WatchRevocationsRequest may name (INVALID_ARGUMENT
// INCARNATION_INVALID beyond); the server's own are shorter.
inline constexpr size_t kMaxIncarnationBytes = 64;
// WatchRevocationsRequest.after_log_hash (a SHA-256 is 32).
inline constexpr size_t kMaxLogHashBytes = 64;

// The store's incarnation, created or renewed as described above.
// `data_dir` is the RocksDB data dir that may hold a backup marker ("" for
// a shared store: replicas racing to create the id agree on one).
absl::StatusOr<std::string> LoadIncarnation(store::Kv* store,
                                            absl::string_view data_dir);

// Writes the marker into `checkpoint_dir` (a checkpoint just created).
absl::Status MarkBackup(const std::string& checkpoint_dir);

}  // namespace tessera::stream

#endif  // TESSERA_SERVER_STREAM_INCARNATION_H_
