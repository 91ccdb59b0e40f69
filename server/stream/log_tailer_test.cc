#include "server/stream/log_tailer.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "server/revocation/revocation_log.h"
#include "server/store/store.h"

namespace tessera::stream {
namespace {

using tessera::v1::RevocationEvent;

// Two "replicas" on one store: A commits through its own log object, B
// only reads the store, as a second tesserad on a shared database does.
class LogTailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = absl::StrCat(
        ::testing::TempDir(), "/tailer-",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto store = store::Store::Open({.data_dir = dir, .sync_writes = false});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    a_ = *revocation::RevocationLog::Open(store_.get());
    b_ = *revocation::RevocationLog::Open(store_.get());
  }

  uint64_t Revoke(const std::string& session_id) {
    RevocationEvent event;
    event.mutable_session_revoked()->set_session_id(session_id);
    store::Batch batch;
    auto committed = a_->Commit(&batch, event, absl::Now());
    EXPECT_TRUE(committed.ok()) << committed.status();
    return committed.ok() ? committed->sequence() : 0;
  }

  TailerHooks Recording() {
    return TailerHooks{
        .apply =
            [this](const RevocationEvent& event) {
              absl::MutexLock lock(&mu_);
              applied_.push_back(event.sequence());
              ids_.push_back(event.session_revoked().session_id());
            },
        .publish =
            [this](uint64_t sequence) {
              absl::MutexLock lock(&mu_);
              published_.push_back(sequence);
            },
    };
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<revocation::RevocationLog> a_, b_;
  absl::Mutex mu_;
  std::vector<uint64_t> applied_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> ids_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> published_ ABSL_GUARDED_BY(mu_);
};

TEST_F(LogTailerTest, AppliesAnotherWritersEventsInOrderOnce) {
  LogTailer tailer(b_.get(), 0, Recording(), absl::Hours(1));
  tailer.CatchUp();  // Nothing yet.
  Revoke("s1");
  Revoke("s2");
  tailer.CatchUp();
  Revoke("s3");
  tailer.CatchUp();
  tailer.CatchUp();  // Nothing new: nothing applied twice.
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(applied_, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(ids_, (std::vector<std::string>{"s1", "s2", "s3"}));
  EXPECT_EQ(published_, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(tailer.applied(), 3u);
}

TEST_F(LogTailerTest, StartsAfterWhatWasLoaded) {
  Revoke("s1");
  Revoke("s2");
  LogTailer tailer(b_.get(), 2, Recording(), absl::Hours(1));
  Revoke("s3");
  tailer.CatchUp();
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(applied_, (std::vector<uint64_t>{3}));
}

TEST_F(LogTailerTest, ThreadFollowsByPollingAndByPoke) {
  // Polling alone (another replica's commits), at a short interval.
  LogTailer polling(b_.get(), 0, Recording(), absl::Milliseconds(10));
  polling.Start();
  const uint64_t last = Revoke("s1");
  for (int i = 0; i < 2000 && polling.applied() < last; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(polling.applied(), last);
  polling.Stop();

  // A poke (a local commit) wakes a tailer whose poll is an hour away.
  LogTailer poked(b_.get(), last, TailerHooks{}, absl::Hours(1));
  poked.Start();
  const uint64_t next = Revoke("s2");
  poked.Poke();
  for (int i = 0; i < 2000 && poked.applied() < next; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(poked.applied(), next);
}

TEST_F(LogTailerTest, UsesTheStoresWaitHook) {
  std::atomic<int> waits{0};
  TailerHooks hooks = Recording();
  hooks.wait = [&](absl::Duration d) {
    ++waits;
    absl::SleepFor(std::min(d, absl::Milliseconds(5)));
  };
  LogTailer tailer(b_.get(), 0, std::move(hooks), absl::Milliseconds(50));
  tailer.Start();
  const uint64_t last = Revoke("s1");
  for (int i = 0; i < 2000 && tailer.applied() < last; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  tailer.Stop();
  EXPECT_EQ(tailer.applied(), last);
  EXPECT_GT(waits.load(), 0);
}

}  // namespace
}  // namespace tessera::stream
