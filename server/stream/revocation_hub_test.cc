// The hub behind a real (in-process) gRPC server: snapshot, live events,
// resume, reset, heartbeats, and the slow-consumer cut-off, with sequences
// checked for gaps.

#include "server/stream/revocation_hub.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "server/store/store.h"
#include "server/store/timestamps.h"
#include "server/stream/incarnation.h"
#include "tessera/v1/token_authority.grpc.pb.h"

namespace tessera::stream {
namespace {

using tessera::v1::RevocationEvent;

std::string TestDir(absl::string_view name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
}

class WatchOnly final : public tessera::v1::TokenAuthority::CallbackService {
 public:
  explicit WatchOnly(RevocationHub* hub) : hub_(hub) {}
  grpc::ServerWriteReactor<RevocationEvent>* WatchRevocations(
      grpc::CallbackServerContext* context,
      const tessera::v1::WatchRevocationsRequest* request) override {
    return hub_->Watch(context, request, "test");
  }

 private:
  RevocationHub* hub_;
};

class HubTest : public testing::Test {
 protected:
  void Open(absl::string_view name, size_t max_queued = 10000,
            size_t max_resume = 50) {
    auto store =
        store::Store::Open({.data_dir = TestDir(name), .sync_writes = false});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto log = revocation::RevocationLog::Open(store_.get());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    state_ = std::make_unique<revocation::RevocationState>(absl::Hours(1));
    hub_ = std::make_unique<RevocationHub>(
        store_.get(), log_.get(), state_.get(),
        HubOptions{.horizon = absl::Hours(1),
                   .heartbeat_interval = absl::Milliseconds(200),
                   .max_queued_events = max_queued,
                   .max_resume_events = max_resume});
    RevocationHub* hub = hub_.get();
    log_->SetCommitListener([hub](uint64_t seq) { hub->OnCommit(seq); });
    hub_->Start();
    service_ = std::make_unique<WatchOnly>(hub_.get());
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = tessera::v1::TokenAuthority::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (hub_ != nullptr) hub_->Close();
    if (server_ != nullptr) server_->Shutdown();
  }

  uint64_t RevokeSession(const std::string& id, size_t padding = 0,
                         absl::Duration relevant_for = absl::Minutes(10)) {
    RevocationEvent event;
    event.mutable_session_revoked()->set_session_id(id);
    event.mutable_session_revoked()->set_subject(std::string(padding, 's'));
    *event.mutable_session_revoked()->mutable_forget_after() =
        store::ToTimestamp(absl::Now() + relevant_for);
    return Commit(event);
  }
  uint64_t Commit(const RevocationEvent& event) {
    store::Batch batch;
    auto committed = log_->Commit(&batch, event, absl::Now());
    EXPECT_TRUE(committed.ok()) << committed.status();
    return committed.ok() ? committed->sequence() : 0;
  }

  struct Stream {
    std::unique_ptr<grpc::ClientContext> context =
        std::make_unique<grpc::ClientContext>();
    std::unique_ptr<grpc::ClientReader<RevocationEvent>> reader;
    RevocationEvent Next() {
      RevocationEvent event;
      EXPECT_TRUE(reader->Read(&event));
      return event;
    }
    // Reads until snapshot_end; returns the events before it.
    std::vector<RevocationEvent> UntilSnapshotEnd(RevocationEvent* end) {
      std::vector<RevocationEvent> events;
      RevocationEvent event;
      while (reader->Read(&event)) {
        if (event.has_snapshot_end()) {
          *end = event;
          return events;
        }
        if (!event.has_heartbeat()) events.push_back(event);
      }
      ADD_FAILURE() << "stream ended before snapshot_end";
      return events;
    }
  };
  Stream Watch(uint64_t after, const std::string& incarnation = "",
               const std::string& log_hash = "") {
    Stream stream;
    stream.context->set_deadline(std::chrono::system_clock::now() +
                                 std::chrono::seconds(60));
    tessera::v1::WatchRevocationsRequest request;
    request.set_after_sequence(after);
    request.set_incarnation(incarnation);
    request.set_after_log_hash(log_hash);
    stream.reader = stub_->WatchRevocations(stream.context.get(), request);
    return stream;
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<revocation::RevocationLog> log_;
  std::unique_ptr<revocation::RevocationState> state_;
  std::unique_ptr<RevocationHub> hub_;
  std::unique_ptr<WatchOnly> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<tessera::v1::TokenAuthority::Stub> stub_;
};

TEST_F(HubTest, SnapshotThenLiveThenHeartbeatWithTheSequence) {
  Open("live");
  const uint64_t first = RevokeSession("s1");
  const uint64_t second = RevokeSession("s2");
  Stream stream = Watch(0);
  RevocationEvent end;
  std::vector<RevocationEvent> snapshot = stream.UntilSnapshotEnd(&end);
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_EQ(snapshot[0].sequence(), first);
  EXPECT_EQ(snapshot[1].sequence(), second);
  EXPECT_FALSE(end.snapshot_end().reset());
  EXPECT_EQ(end.sequence(), second);

  const uint64_t live = RevokeSession("s3");
  RevocationEvent event = stream.Next();
  while (event.has_heartbeat()) event = stream.Next();
  EXPECT_EQ(event.sequence(), live);
  EXPECT_EQ(event.session_revoked().session_id(), "s3");

  do {
    event = stream.Next();
  } while (!event.has_heartbeat());
  EXPECT_EQ(event.heartbeat().current_sequence(), live);
}

// Streams starting from the same snapshot share one copy of it (built
// once per change of the set), and each still receives all of it.
TEST_F(HubTest, NewStreamsShareOneSnapshotCopy) {
  constexpr int kRevoked = 200;
  constexpr int kStreams = 20;
  Open("shared");
  for (int i = 0; i < kRevoked; ++i) RevokeSession(absl::StrCat("s", i));
  ASSERT_EQ(hub_->published_sequence(), static_cast<uint64_t>(kRevoked));
  std::vector<Stream> streams;
  for (int i = 0; i < kStreams; ++i) streams.push_back(Watch(0));
  for (Stream& stream : streams) {
    RevocationEvent end;
    std::vector<RevocationEvent> snapshot = stream.UntilSnapshotEnd(&end);
    ASSERT_EQ(snapshot.size(), static_cast<size_t>(kRevoked));
    for (int i = 0; i < kRevoked; ++i) {
      ASSERT_EQ(snapshot[i].sequence(), static_cast<uint64_t>(i + 1));
    }
    EXPECT_EQ(end.sequence(), static_cast<uint64_t>(kRevoked));
  }
  EXPECT_EQ(hub_->snapshots_built(), 1u);

  // A change makes the next snapshot a new copy, holding the change.
  const uint64_t more = RevokeSession("late");
  while (hub_->published_sequence() < more)
    absl::SleepFor(absl::Milliseconds(5));
  Stream late = Watch(0);
  RevocationEvent end;
  EXPECT_EQ(late.UntilSnapshotEnd(&end).size(),
            static_cast<size_t>(kRevoked + 1));
  EXPECT_EQ(end.sequence(), more);
  EXPECT_EQ(hub_->snapshots_built(), 2u);
}

TEST_F(HubTest, ResumeSendsWhatFollowsAndResetsWhenItCannot) {
  Open("resume");
  for (int i = 0; i < 5; ++i) RevokeSession(absl::StrCat("s", i));
  Stream resumed = Watch(3);
  RevocationEvent end;
  std::vector<RevocationEvent> events = resumed.UntilSnapshotEnd(&end);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].sequence(), 4u);
  EXPECT_EQ(events[1].sequence(), 5u);
  EXPECT_FALSE(end.snapshot_end().reset());

  Stream ahead = Watch(99);  // Past the log: a fresh snapshot, flagged.
  events = ahead.UntilSnapshotEnd(&end);
  EXPECT_EQ(events.size(), 5u);
  EXPECT_TRUE(end.snapshot_end().reset());
  EXPECT_EQ(end.sequence(), 5u);

  for (int i = 0; i < 60; ++i) RevokeSession(absl::StrCat("t", i));
  Stream behind = Watch(1);  // 64 events behind > max_resume_events (50).
  events = behind.UntilSnapshotEnd(&end);
  EXPECT_TRUE(end.snapshot_end().reset());
  EXPECT_EQ(end.sequence(), 65u);
}

// Positions are (incarnation, sequence): a resume from another incarnation
// (a store restored from a backup reuses sequences) is a reset.
TEST_F(HubTest, ResumeFromAnotherIncarnationIsAReset) {
  Open("incarnation");
  for (int i = 0; i < 5; ++i) RevokeSession(absl::StrCat("s", i));
  const std::string incarnation = hub_->incarnation();
  ASSERT_EQ(incarnation.size(), 32u);  // 16 random bytes, hex.

  RevocationEvent end;
  Stream fresh = Watch(0);
  fresh.UntilSnapshotEnd(&end);
  EXPECT_EQ(end.snapshot_end().incarnation(), incarnation);
  RevocationEvent heartbeat;
  do {
    heartbeat = fresh.Next();
  } while (!heartbeat.has_heartbeat());
  EXPECT_EQ(heartbeat.heartbeat().incarnation(), incarnation);

  Stream same = Watch(3, incarnation);
  EXPECT_EQ(same.UntilSnapshotEnd(&end).size(), 2u);  // Events 4 and 5.
  EXPECT_FALSE(end.snapshot_end().reset());
  Stream unknown = Watch(3);  // No incarnation: the sequence decides.
  EXPECT_EQ(unknown.UntilSnapshotEnd(&end).size(), 2u);
  EXPECT_FALSE(end.snapshot_end().reset());

  Stream oversized = Watch(3, std::string(kMaxIncarnationBytes + 1, 'x'));
  RevocationEvent none;
  EXPECT_FALSE(oversized.reader->Read(&none));
  EXPECT_EQ(oversized.reader->Finish().error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  Stream other = Watch(3, "another-store");
  EXPECT_EQ(other.UntilSnapshotEnd(&end).size(), 5u);  // The snapshot.
  EXPECT_TRUE(end.snapshot_end().reset());
  EXPECT_EQ(end.snapshot_end().incarnation(), incarnation);

  // A RocksDB log keeps no hash chain: a client's log hash is not checked
  // (PostgreSQL's is: tests/failover), but it is bounded.
  EXPECT_TRUE(end.log_hash().empty());
  Stream hashed = Watch(3, incarnation, std::string(32, 'h'));
  EXPECT_EQ(hashed.UntilSnapshotEnd(&end).size(), 2u);
  EXPECT_FALSE(end.snapshot_end().reset());
  Stream huge = Watch(3, incarnation, std::string(kMaxLogHashBytes + 1, 'h'));
  EXPECT_FALSE(huge.reader->Read(&none));
  const grpc::Status refused = huge.reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("after_log_hash"), std::string::npos);
}

TEST(IncarnationTest, KeptAcrossOpensAndRenewedOnARestoredBackup) {
  const std::string dir = TestDir("incarnation-store");
  std::string first;
  {
    auto store = store::Store::Open({.data_dir = dir});
    ASSERT_TRUE(store.ok()) << store.status();
    absl::StatusOr<std::string> made = LoadIncarnation(store->get(), dir);
    ASSERT_TRUE(made.ok()) << made.status();
    first = *made;
    EXPECT_EQ(LoadIncarnation(store->get(), dir).value(), first);
  }
  auto store = store::Store::Open({.data_dir = dir});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(LoadIncarnation(store->get(), dir).value(), first);  // A restart.

  // The marker CreateBackup leaves in a checkpoint, found in the database
  // directory a restore puts it in.
  ASSERT_TRUE(MarkBackup(dir + "/db").ok());
  absl::StatusOr<std::string> renewed = LoadIncarnation(store->get(), dir);
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_NE(*renewed, first);
  EXPECT_FALSE(std::filesystem::exists(dir + "/db/" + kBackupMarker));
  EXPECT_EQ(LoadIncarnation(store->get(), dir).value(), *renewed);
}

std::vector<uint64_t> Sequences(const std::vector<RevocationEvent>& events) {
  std::vector<uint64_t> sequences;
  for (const RevocationEvent& event : events) {
    sequences.push_back(event.sequence());
  }
  return sequences;
}

TEST_F(HubTest, LogIsTrimmedToWhatSnapshotsAndResumesStillNeed) {
  Open("trim", /*max_queued=*/10000, /*max_resume=*/3);
  RevocationEvent keys;
  keys.mutable_keys_changed()->set_jwks_json(R"({"keys":[]})");
  ASSERT_EQ(Commit(keys), 1u);
  const absl::Duration gone = -absl::Seconds(1);  // Already irrelevant.
  for (int i = 2; i <= 11; ++i) RevokeSession(absl::StrCat("old", i), 0, gone);
  RevokeSession("live12");
  RevokeSession("live13");
  for (int i = 14; i <= 18; ++i) RevokeSession(absl::StrCat("new", i), 0, gone);

  hub_->TrimLog();
  // Kept: the newest key set, and everything from the oldest relevant
  // event (12) on; that also covers resumes up to 3 events behind (15-18).
  EXPECT_EQ(log_->resumable_after(), 11u);
  std::vector<RevocationEvent> logged;
  ASSERT_TRUE(
      log_->ForEachAfter(
              0, [&](const RevocationEvent& event) { logged.push_back(event); })
          .ok());
  EXPECT_EQ(Sequences(logged),
            (std::vector<uint64_t>{1, 12, 13, 14, 15, 16, 17, 18}));

  // The same layout read back at start-up.
  auto reopened = revocation::RevocationLog::Open(store_.get());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->resumable_after(), 11u);
  EXPECT_EQ((*reopened)->last_sequence(), 18u);

  RevocationEvent end;
  Stream fresh = Watch(0);  // Snapshot: the live revocations and the keys.
  EXPECT_EQ(Sequences(fresh.UntilSnapshotEnd(&end)),
            (std::vector<uint64_t>{1, 12, 13}));
  EXPECT_FALSE(end.snapshot_end().reset());
  Stream resumed = Watch(15);  // Within the window and the log: served.
  EXPECT_EQ(Sequences(resumed.UntilSnapshotEnd(&end)),
            (std::vector<uint64_t>{16, 17, 18}));
  EXPECT_FALSE(end.snapshot_end().reset());

  // A resume the window would allow but the log no longer holds is reset,
  // never served with a gap.
  ASSERT_TRUE(log_->TrimThrough(16, 1).ok());
  Stream gap = Watch(15);
  EXPECT_EQ(Sequences(gap.UntilSnapshotEnd(&end)),
            (std::vector<uint64_t>{1, 12, 13}));
  EXPECT_TRUE(end.snapshot_end().reset());
  EXPECT_EQ(end.sequence(), 18u);
  // The newest event always stays, so the next sequence survives a restart.
  ASSERT_TRUE(log_->TrimThrough(100, 1).ok());
  EXPECT_EQ(
      revocation::RevocationLog::Open(store_.get()).value()->last_sequence(),
      18u);
}

// A resume is served only as every event after it: events missing from
// the log (rows an operator deleted by hand, which resumable_after() does not
// know of) make it a reset, never a gap.
TEST_F(HubTest, AResumeOverMissingEventsIsAReset) {
  Open("missing");
  for (int i = 0; i < 6; ++i) RevokeSession(absl::StrCat("s", i));
  store::Batch deleted;
  deleted.Delete(store::ColumnFamily::kRevocationLog, store::SequenceKey(4));
  ASSERT_TRUE(store_->Write(deleted).ok());
  RevocationEvent end;
  Stream over = Watch(2);  // 3, then 5: 4 is gone.
  std::vector<RevocationEvent> events = over.UntilSnapshotEnd(&end);
  EXPECT_TRUE(end.snapshot_end().reset());
  EXPECT_EQ(end.sequence(), 6u);
  Stream after = Watch(4);  // 5 and 6 are there: served.
  events = after.UntilSnapshotEnd(&end);
  EXPECT_FALSE(end.snapshot_end().reset());
  EXPECT_EQ(Sequences(events), (std::vector<uint64_t>{5, 6}));
}

TEST_F(HubTest, SlowConsumerIsCutOffWithoutAGapAndResumes) {
  Open("slow", /*max_queued=*/100, /*max_resume=*/100000);
  Stream stream = Watch(0);
  RevocationEvent end;
  stream.UntilSnapshotEnd(&end);
  // Far more than the transport buffers while nobody reads: 20,000 events
  // of ~4 KiB.
  uint64_t last = 0;
  for (int i = 0; i < 20000; ++i) {
    last = RevokeSession(absl::StrCat("s", i), /*padding=*/4000);
  }
  uint64_t expected = end.sequence() + 1;
  RevocationEvent event;
  while (stream.reader->Read(&event)) {
    if (event.has_heartbeat()) continue;
    ASSERT_EQ(event.sequence(), expected) << "gap in the stream";
    ++expected;
  }
  grpc::Status status = stream.reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_LT(expected, last + 1) << "the consumer was never cut off";

  Stream resumed = Watch(expected - 1);  // What it applied.
  while (expected <= last && resumed.reader->Read(&event)) {
    if (event.has_heartbeat() || event.has_snapshot_end()) continue;
    ASSERT_EQ(event.sequence(), expected);
    ++expected;
  }
  EXPECT_EQ(expected, last + 1);
}

}  // namespace
}  // namespace tessera::stream
