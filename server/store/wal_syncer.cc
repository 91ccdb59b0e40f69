#include "server/store/wal_syncer.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace tessera::store {

WalSyncer::WalSyncer(rocksdb::DB* db, bool sync) : db_(db), sync_(sync) {
  if (sync_) thread_ = std::thread([this] { Loop(); });
}

WalSyncer::~WalSyncer() { Stop(); }

void WalSyncer::AfterDurable(Callback done) {
  absl::Status status;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) {
      status = absl::UnavailableError("the store is closed");
    } else if (sync_) {
      waiting_.push_back(std::move(done));
      return;
    }
    // async durability: the write already sits in the page cache.
  }
  done(status);
}

void WalSyncer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    if (!sync_) stopped_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

uint64_t WalSyncer::sync_count() const {
  absl::MutexLock lock(&mu_);
  return sync_count_;
}

void WalSyncer::Loop() {
  std::vector<Callback> batch;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WalSyncer* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->stopping_ || !self->waiting_.empty();
          },
          this));
      if (waiting_.empty()) {  // Stopping, and everyone has been answered.
        stopped_ = true;
        return;
      }
      batch.swap(waiting_);
    }
    const rocksdb::Status synced = db_->SyncWAL();
    const absl::Status status =
        synced.ok() ? absl::OkStatus()
                    : absl::UnavailableError(absl::StrCat(
                          "the store failed to sync: ", synced.ToString()));
    {
      absl::MutexLock lock(&mu_);
      ++sync_count_;
    }
    for (Callback& done : batch) done(status);
    batch.clear();
  }
}

}  // namespace tessera::store
