#include "server/session/purger.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/log/log.h"
#include "server/session/purge.h"

namespace tessera::session {
namespace {

using store::ColumnFamily;

struct Doomed {
  std::string key;
  std::string value;
};

// Deletes `doomed` if every one still holds the value read.
absl::Status DeleteBatch(store::Kv& kv, ColumnFamily family,
                         const std::vector<Doomed>& doomed,
                         PurgeCounts& counts) {
  if (doomed.empty()) return absl::OkStatus();
  store::Batch batch;
  for (const Doomed& record : doomed) {
    batch.Expect(family, record.key, record.value);
    batch.Delete(family, record.key);
  }
  absl::Status written = kv.Write(batch);
  if (store::IsWriteConflict(written)) {
    ++counts.conflicts;
    return absl::OkStatus();
  }
  if (written.ok()) counts.purged += static_cast<int64_t>(doomed.size());
  return written;
}

// One family: a batch per page read.
absl::Status PurgeFamily(store::Kv& kv, ColumnFamily family, absl::Time now,
                         const std::atomic<bool>* stop, PurgeCounts& counts) {
  std::optional<std::string> from = "";
  while (from.has_value()) {
    if (stop != nullptr && stop->load()) {
      return absl::CancelledError("the purge was stopped");
    }
    std::vector<Doomed> doomed;
    absl::StatusOr<std::optional<std::string>> next = store::ScanPage(
        kv, family, *from, kPurgeBatch,
        [&](absl::string_view key, absl::string_view value) {
          ++counts.examined;
          if (Purgeable(family, key, value, now)) {
            doomed.push_back({std::string(key), std::string(value)});
          }
          return true;
        });
    if (!next.ok()) return next.status();
    absl::Status deleted = DeleteBatch(kv, family, doomed, counts);
    if (!deleted.ok()) return deleted;
    from = std::move(*next);
  }
  return absl::OkStatus();
}

}  // namespace

PurgeCounts& PurgeCounts::operator+=(const PurgeCounts& other) {
  examined += other.examined;
  purged += other.purged;
  conflicts += other.conflicts;
  passes += other.passes;
  failures += other.failures;
  return *this;
}

absl::Status PurgeExpired(store::Kv& kv, absl::Time now,
                          const std::atomic<bool>* stop, PurgeCounts& counts) {
  for (ColumnFamily family : kPurgedFamilies) {
    absl::Status purged = PurgeFamily(kv, family, now, stop, counts);
    if (!purged.ok()) return purged;
  }
  return absl::OkStatus();
}

Purger::Purger(store::Kv* store, absl::Duration interval)
    : store_(store),
      thread_(interval, [this](const std::atomic<bool>& stopping) {
        PassOnce(stopping);
      }) {}

Purger::~Purger() { Stop(); }

void Purger::Start() { thread_.Start(); }

void Purger::Stop() { thread_.Stop(); }

PurgeCounts Purger::totals() const {
  absl::MutexLock lock(&mu_);
  return totals_;
}

void Purger::PassOnce(const std::atomic<bool>& stopping) {
  PurgeCounts pass;
  absl::Status done = PurgeExpired(*store_, store_->Now(), &stopping, pass);
  if (done.ok()) {
    ++pass.passes;
  } else if (!stopping.load()) {
    ++pass.failures;
    log::Error("purging expired records failed; the next pass retries",
               {{"error", std::string(done.message())}});
  }
  if (pass.purged > 0) {
    log::Info("purged expired records",
              {{"purged", absl::StrCat(pass.purged)},
               {"examined", absl::StrCat(pass.examined)}});
  }
  absl::MutexLock lock(&mu_);
  totals_ += pass;
}

}  // namespace tessera::session
