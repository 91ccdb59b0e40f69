#ifndef TESSERA_SERVER_SESSION_RECORD_HINTS_H_
#define TESSERA_SERVER_SESSION_RECORD_HINTS_H_

// The session records this process last wrote, kept so that a refresh of a
// session rotated here can skip reading it back (on PostgreSQL a read is a
// round trip). A hint is never trusted: a rotation from a hint writes only
// over the hinted bytes (Batch::Expect), so a hint that another replica,
// a revocation or a claims update made stale fails that write and the
// refresh starts over from a real read. Only the outcome "the presented
// secret is the hinted current one" uses a hint; every other outcome is
// decided on what the store holds.
//
// Bounded: at most `capacity` entries; inserting a new session into a full
// table drops the one first inserted (so the table holds the sessions
// written last). Entries come only from the session store's own writes
// (SessionStore::Write: issues, rotations, claims updates, all from
// authenticated callers); a write through the revocation log drops the
// hints of the sessions it touches.
//
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace tessera::session {

class RecordHints {
 public:
  explicit RecordHints(size_t capacity) : capacity_(capacity) {}
  RecordHints(const RecordHints&) = delete;
  RecordHints& operator=(const RecordHints&) = delete;

  // The bytes last written for `session_id` by this process, if kept.
  std::optional<std::string> Get(absl::string_view session_id) const;
  // Remembers `raw` as the stored bytes of `session_id`.
  void Put(absl::string_view session_id, std::string raw);
  void Erase(absl::string_view session_id);
  size_t size() const;

 private:
  struct Entry {
    std::string raw;
    uint64_t inserted;  // Its place in order_.
  };
  const size_t capacity_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  // Insertion order, oldest first: (session id, Entry::inserted). An item
  // whose entry was erased, or erased and inserted again, is skipped when
  // it comes out. Never longer than capacity_, so entries_ is not either.
  std::deque<std::pair<std::string, uint64_t>> order_ ABSL_GUARDED_BY(mu_);
  uint64_t inserts_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tessera::session

#endif  // TESSERA_SERVER_SESSION_RECORD_HINTS_H_
