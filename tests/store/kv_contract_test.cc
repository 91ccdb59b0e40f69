// The store contract (server/store/kv.h), one suite run against both
// backends: RocksDB in a temp dir, and PostgreSQL on a real server started
// for this test (tools/pg_cluster.sh, no standbys). Where the contract is
// about several processes sharing the store, the PostgreSQL run opens two
// stores on one database (two replicas); RocksDB, which one process owns,
// runs the same steps on one.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "server/store/kv.h"
#include "tessera/v1/storage.pb.h"
#include "tests/store/backends.h"

namespace tessera::store {
namespace {

tessera::v1::RevocationEvent Revoked(const std::string& id) {
  tessera::v1::RevocationEvent event;
  event.mutable_session_revoked()->set_session_id(id);
  return event;
}

class KvContractTest : public StoresTest {
 protected:
  std::vector<std::string> Keys(Kv& store, ColumnFamily family,
                                const std::string& start, size_t limit = 0) {
    std::vector<std::string> keys;
    absl::Status read = store.Scan(
        family, start, [&](absl::string_view key, absl::string_view) {
          keys.emplace_back(key);
          return limit == 0 || keys.size() < limit;
        });
    EXPECT_TRUE(read.ok()) << read;
    return keys;
  }
};

TEST_P(KvContractTest, GetPutDeleteAndScanInByteOrder) {
  Batch batch;
  for (const std::string& key : {std::string("b"), std::string("a\xff"),
                                 std::string("a\0z", 3), std::string("c")}) {
    batch.Put(ColumnFamily::kSessions, key, "v" + key);
  }
  batch.Delete(ColumnFamily::kSessions, "c");
  ASSERT_TRUE(kv().Write(batch).ok());
  EXPECT_EQ(peer().Get(ColumnFamily::kSessions, "b").value(),
            std::optional<std::string>("vb"));
  EXPECT_EQ(kv().Get(ColumnFamily::kSessions, "c").value(), std::nullopt);
  EXPECT_EQ(kv().Get(ColumnFamily::kMeta, "b").value(), std::nullopt);
  EXPECT_EQ(Keys(peer(), ColumnFamily::kSessions, std::string("a\0", 2)),
            (std::vector<std::string>{std::string("a\0z", 3), "a\xff", "b"}));
  EXPECT_EQ(Keys(kv(), ColumnFamily::kSessions, "", 1).size(), 1u);
  EXPECT_EQ(kv().LastKey(ColumnFamily::kSessions).value(),
            std::optional<std::string>("b"));
  EXPECT_EQ(kv().LastKey(ColumnFamily::kKeys).value(), std::nullopt);
}

TEST_P(KvContractTest, ValuesAreBytesWithNulsAndEmpty) {
  const std::string binary("\0\x01\xff\0", 4);
  Batch batch;
  batch.Put(ColumnFamily::kKeys, binary, binary);
  batch.Put(ColumnFamily::kKeys, "empty", "");
  ASSERT_TRUE(kv().Write(batch).ok());
  EXPECT_EQ(peer().Get(ColumnFamily::kKeys, binary).value(),
            std::optional<std::string>(binary));
  EXPECT_EQ(peer().Get(ColumnFamily::kKeys, "empty").value(),
            std::optional<std::string>(""));
}

TEST_P(KvContractTest, ScansCrossPagesAndStopWhereTheVisitorSays) {
  Batch batch;
  for (int i = 0; i < 3000; ++i) {
    batch.Put(ColumnFamily::kSubjectIndex, absl::StrCat("k", 10000 + i), "");
  }
  batch.Put(ColumnFamily::kSubjectState, "k10000", "other family");
  ASSERT_TRUE(kv().Write(batch).ok());
  std::vector<std::string> all = Keys(peer(), ColumnFamily::kSubjectIndex, "");
  ASSERT_EQ(all.size(), 3000u);
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i], absl::StrCat("k", 10000 + i));
  }
  EXPECT_EQ(Keys(kv(), ColumnFamily::kSubjectIndex, "k11500", 700).back(),
            "k12199");
  EXPECT_TRUE(Keys(kv(), ColumnFamily::kSubjectIndex, "l").empty());
}

TEST_P(KvContractTest, DeleteRangeRemovesExactlyTheHalfOpenRange) {
  Batch batch;
  for (const char* key : {"a", "b", "b\0", "c", "d"}) {
    batch.Put(ColumnFamily::kRetiredGenerations, key, "x");
  }
  ASSERT_TRUE(kv().Write(batch).ok());
  Batch range;
  range.DeleteRange(ColumnFamily::kRetiredGenerations, "b", "d");
  ASSERT_TRUE(kv().Write(range).ok());
  EXPECT_EQ(Keys(peer(), ColumnFamily::kRetiredGenerations, ""),
            (std::vector<std::string>{"a", "d"}));
}

TEST_P(KvContractTest, AFailedExpectationWritesNothingAndConsumesNoSequence) {
  Batch first;
  first.Expect(ColumnFamily::kSessions, "s", std::nullopt);  // Absent.
  first.Put(ColumnFamily::kSessions, "s", "one");
  first.AppendLog(Revoked("a"));
  ASSERT_TRUE(kv().Write(first).ok());
  EXPECT_EQ(first.log_events()[0].sequence(), 1u);

  Batch stale;  // Another replica that read "absent" too.
  stale.Expect(ColumnFamily::kSessions, "s", std::nullopt);
  stale.Put(ColumnFamily::kSessions, "s", "two");
  stale.Put(ColumnFamily::kMeta, "other", "x");
  stale.AppendLog(Revoked("b"));
  const absl::Status conflict = peer().Write(stale);
  EXPECT_TRUE(IsWriteConflict(conflict)) << conflict;
  EXPECT_EQ(stale.log_events()[0].sequence(), 0u);
  EXPECT_EQ(kv().Get(ColumnFamily::kSessions, "s").value(),
            std::optional<std::string>("one"));
  EXPECT_EQ(kv().Get(ColumnFamily::kMeta, "other").value(), std::nullopt);
  EXPECT_EQ(kv().LastLogSequence().value(), 1u);

  Batch wrong;
  wrong.Expect(ColumnFamily::kSessions, "s", "zero");
  wrong.Put(ColumnFamily::kSessions, "s", "three");
  EXPECT_TRUE(IsWriteConflict(peer().Write(wrong)));

  Batch current;
  current.Expect(ColumnFamily::kSessions, "s", "one");
  current.Put(ColumnFamily::kSessions, "s", "two");
  current.AppendLog(Revoked("c"));
  current.AppendLog(Revoked("d"));
  ASSERT_TRUE(peer().Write(current).ok());
  EXPECT_EQ(current.log_events()[0].sequence(), 2u);
  EXPECT_EQ(current.log_events()[1].sequence(), 3u);
  EXPECT_EQ(kv().LastLogSequence().value(), 3u);
  EXPECT_FALSE(IsWriteConflict(absl::AbortedError("other")));
}

TEST_P(KvContractTest, AnExpectationOfAbsenceAloneLeavesTheKeyAbsent) {
  Batch guard;
  guard.Expect(ColumnFamily::kMeta, "guard", std::nullopt);
  guard.Put(ColumnFamily::kMeta, "elsewhere", "x");
  ASSERT_TRUE(kv().Write(guard).ok());
  EXPECT_EQ(peer().Get(ColumnFamily::kMeta, "guard").value(), std::nullopt);
  EXPECT_EQ(peer().Get(ColumnFamily::kMeta, "elsewhere").value(),
            std::optional<std::string>("x"));
  // And a deleted key is absent again.
  Batch put;
  put.Put(ColumnFamily::kMeta, "gone", "x");
  ASSERT_TRUE(kv().Write(put).ok());
  Batch del;
  del.Expect(ColumnFamily::kMeta, "gone", "x");
  del.Delete(ColumnFamily::kMeta, "gone");
  ASSERT_TRUE(peer().Write(del).ok());
  Batch again;
  again.Expect(ColumnFamily::kMeta, "gone", std::nullopt);
  again.Put(ColumnFamily::kMeta, "gone", "y");
  EXPECT_TRUE(kv().Write(again).ok());
}

// 16 writers on two stores race to replace one value (and, separately, to
// create one key): one wins each race, every other one is told
// WRITE_CONFLICT, and the log they all append to is 1..N without a gap.
TEST_P(KvContractTest, RacingConditionalWritesHaveOneWinnerAndAGaplessLog) {
  Batch seed;
  seed.Put(ColumnFamily::kSessions, "s", "0");
  ASSERT_TRUE(kv().Write(seed).ok());
  std::atomic<int> wins{0}, created{0}, conflicts{0}, others{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      Kv& store = i % 2 == 0 ? kv() : peer();
      auto count = [&](const absl::Status& written, std::atomic<int>& won) {
        if (written.ok()) {
          ++won;
        } else if (IsWriteConflict(written)) {
          ++conflicts;
        } else {
          ++others;
          ADD_FAILURE() << written;
        }
      };
      Batch replace;
      replace.Expect(ColumnFamily::kSessions, "s", "0");
      replace.Put(ColumnFamily::kSessions, "s", absl::StrCat(i + 1));
      replace.AppendLog(Revoked(absl::StrCat(i)));
      count(store.Write(replace), wins);
      Batch create;
      create.Expect(ColumnFamily::kMeta, "new", std::nullopt);
      create.Put(ColumnFamily::kMeta, "new", absl::StrCat(i));
      count(store.Write(create), created);
      Batch append;  // Unconditional.
      append.AppendLog(Revoked(absl::StrCat("u", i)));
      if (!store.Write(append).ok()) ++others;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 30);
  EXPECT_EQ(others.load(), 0);
  std::vector<std::string> log = Keys(peer(), ColumnFamily::kRevocationLog, "");
  ASSERT_EQ(log.size(), 17u);
  std::set<std::string> ids;
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(SequenceFromKey(log[i]), i + 1);
    absl::StatusOr<std::optional<std::string>> raw =
        kv().Get(ColumnFamily::kRevocationLog, log[i]);
    ASSERT_TRUE(raw.ok() && raw->has_value());
    tessera::v1::RevocationRecord record;
    ASSERT_TRUE(record.ParseFromString(**raw));
    EXPECT_EQ(record.event().sequence(), i + 1);
    ids.insert(record.event().session_revoked().session_id());
  }
  EXPECT_EQ(ids.size(), 17u);
  EXPECT_EQ(kv().LastLogSequence().value(), 17u);
  EXPECT_EQ(peer().LastKey(ColumnFamily::kRevocationLog).value(),
            std::optional<std::string>(SequenceKey(17)));
}

TEST_P(KvContractTest, ReadsComeBackWithTheWriteAndNeverSeeItsOwnPuts) {
  Batch setup;
  setup.Put(ColumnFamily::kSubjectState, "alice", std::string("a\0b", 3));
  setup.Put(ColumnFamily::kSessions, "s", "old");
  ASSERT_TRUE(kv().Write(setup).ok());
  for (bool conditional : {false, true}) {
    Batch batch;
    if (conditional) batch.Expect(ColumnFamily::kSessions, "s", "old");
    batch.Put(ColumnFamily::kSessions, "s", conditional ? "new" : "old");
    batch.Read(ColumnFamily::kSubjectState, "alice");
    batch.Read(ColumnFamily::kSubjectState, "bob");  // Absent.
    batch.Read(ColumnFamily::kSessions, "s");        // Its own put: not seen.
    batch.AppendLog(Revoked("s"));
    const absl::Status written = peer().Write(batch);
    ASSERT_TRUE(written.ok()) << written;
    ASSERT_EQ(batch.read_values().size(), 3u);
    EXPECT_EQ(batch.read_values()[0], std::string("a\0b", 3));
    EXPECT_EQ(batch.read_values()[1], std::nullopt);
    EXPECT_EQ(batch.read_values()[2], "old");
    EXPECT_GT(batch.log_events()[0].sequence(), 0u);
  }
  // A write that fails returns no reads, and writes nothing.
  Batch failing;
  failing.Expect(ColumnFamily::kSessions, "s", "old");
  failing.Put(ColumnFamily::kSessions, "s", "newer");
  failing.Read(ColumnFamily::kSubjectState, "alice");
  EXPECT_TRUE(IsWriteConflict(kv().Write(failing)));
  EXPECT_TRUE(failing.read_values().empty());
  EXPECT_EQ(kv().Get(ColumnFamily::kSessions, "s").value(), "new");
}

TEST_P(KvContractTest, LogScansStartAtASequence) {
  for (int i = 0; i < 5; ++i) {
    Batch batch;
    batch.AppendLog(Revoked(absl::StrCat(i)));
    ASSERT_TRUE(kv().Write(batch).ok());
  }
  std::vector<std::string> tail =
      Keys(peer(), ColumnFamily::kRevocationLog, SequenceKey(4));
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(SequenceFromKey(tail[0]), 4u);
  EXPECT_EQ(kv().Get(ColumnFamily::kRevocationLog, SequenceKey(9)).value(),
            std::nullopt);
}

TEST_P(KvContractTest, AfterDurableAnswersOnceForEveryWriteBefore) {
  Batch batch;
  batch.Put(ColumnFamily::kSessions, "d", "x");
  ASSERT_TRUE(kv().Write(batch).ok());
  std::atomic<int> answers{0};
  absl::Notification done;
  kv().AfterDurable([&](const absl::Status& status) {
    EXPECT_TRUE(status.ok()) << status;
    ++answers;
    done.Notify();
  });
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(answers.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, KvContractTest,
                         ::testing::Values(Backend::kRocksDb,
                                           Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace tessera::store
