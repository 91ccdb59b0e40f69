#include "server/session/request_ids.h"

#include <atomic>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/token/base64url.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "server/errors/errors.h"
#include "server/session/refresh_token.h"
#include "server/store/store.h"
#include "server/store/timestamps.h"

namespace tessera::session {
namespace {

using tessera::v1::IssueSessionRequest;

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);
const std::string kKek(32, 'k');
constexpr char kId[] = "0b7c4a56-6d1e-4f0e-9a51-2f3c1d9e8a77";

absl::Status Minted(const ActiveSession&) { return absl::OkStatus(); }

class RequestIdsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int counter = 0;
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = absl::StrCat(tmp ? tmp : "/tmp", "/request_ids", counter++);
    Open();
  }

  void Open(const std::string& kek = kKek) {
    ids_.reset();
    sessions_.reset();
    log_.reset();
    store_.reset();
    store::Store::Options options{.data_dir = dir_};
    options.compaction_filters[static_cast<int>(store::ColumnFamily::kMeta)] =
        ExpiredRequestIdFilter();
    auto store = store::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto log = revocation::RevocationLog::Open(store_.get());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    state_ = std::make_unique<revocation::RevocationState>(absl::Minutes(16));
    SessionOptions options_for_sessions;
    options_for_sessions.idle_ttl = absl::Hours(48);
    sessions_ = std::make_unique<SessionStore>(
        store_.get(), log_.get(), state_.get(), options_for_sessions);
    ids_ = std::make_unique<RequestIds>(store_.get(), sessions_.get(), kek);
  }

  static NewSession Fresh(const std::string& group = "app") {
    NewSession fresh;
    fresh.subject = "alice";
    fresh.session_group = group;
    fresh.audience = {"api"};
    fresh.client_id = group;
    fresh.access_ttl = absl::Minutes(5);
    fresh.session_ttl = absl::Hours(30);
    return fresh;
  }

  absl::StatusOr<ActiveSession> Issue(absl::string_view hash, absl::Time now,
                                      const NewSession& fresh = Fresh(),
                                      absl::string_view id = kId) {
    return ids_->Issue(fresh, id, hash, now, Minted);
  }

  size_t SessionsOf(const std::string& group = "app") {
    auto page = sessions_->List("alice", Access{.group = group}, 500, "",
                                /*include_ended=*/true, kT0);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->sessions.size() : 0;
  }

  // Every meta record under the request-id prefix, key and value.
  std::vector<std::pair<std::string, std::string>> Entries() {
    std::vector<std::pair<std::string, std::string>> entries;
    std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(
        rocksdb::ReadOptions(), store_->handle(store::ColumnFamily::kMeta)));
    for (it->Seek(kRequestIdKeyPrefix);
         it->Valid() && it->key().starts_with(kRequestIdKeyPrefix);
         it->Next()) {
      entries.emplace_back(it->key().ToString(), it->value().ToString());
    }
    return entries;
  }

  const std::string hash_ = std::string(32, 'h');
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<revocation::RevocationLog> log_;
  std::unique_ptr<revocation::RevocationState> state_;
  std::unique_ptr<SessionStore> sessions_;
  std::unique_ptr<RequestIds> ids_;
};

TEST(CheckRequestIdTest, SixteenToOneHundredTwentyEightPrintableBytes) {
  EXPECT_TRUE(CheckRequestId(std::string(16, 'a')).ok());
  EXPECT_TRUE(CheckRequestId(std::string(128, '~')).ok());
  EXPECT_TRUE(CheckRequestId("with a space and !\"#$%&").ok());
  EXPECT_TRUE(CheckRequestId(kId).ok());
  for (const std::string& bad :
       {std::string(15, 'a'), std::string(129, 'a'), std::string(),
        absl::StrCat(std::string(20, 'a'), "\x1f"),
        absl::StrCat(std::string(20, 'a'), "\x7f"),
        absl::StrCat(std::string(20, 'a'), "\xc3\xa9"),
        absl::StrCat(std::string(20, 'a'), std::string(1, '\0'))}) {
    const absl::Status status = CheckRequestId(bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(errors::ReasonOf(status), "REQUEST_ID_INVALID") << bad;
  }
  EXPECT_TRUE(absl::StrContains(CheckRequestId("short").message(),
                                "request_id is 5 bytes; it must be 16-128"));
  const absl::Status bytes = CheckRequestId("aaaaaaaaaaaaaaaaaaaa\x01secret");
  EXPECT_TRUE(absl::StrContains(bytes.message(), "byte 20 is not printable"));
  EXPECT_FALSE(absl::StrContains(bytes.message(), "secret"));  // Not echoed.
}

IssueSessionRequest Request() {
  IssueSessionRequest request;
  request.set_subject("alice");
  request.add_audience("api");
  request.add_audience("billing");
  (*request.mutable_claims()->mutable_fields())["role"].set_string_value("x");
  (*request.mutable_claims()->mutable_fields())["n"].set_number_value(1);
  request.mutable_access_ttl()->set_seconds(60);
  request.mutable_client()->set_device_name("laptop");
  return request;
}

TEST(IssueRequestHashTest, EqualForTheSameRequestAndItsRetries) {
  IssueSessionRequest request = Request();
  const std::string hash = IssueRequestHash(request, "web");
  EXPECT_EQ(hash.size(), 32u);
  request.set_request_id(kId);  // The id itself is not part of it.
  EXPECT_EQ(IssueRequestHash(request, "web"), hash);
  // The same claims built in another order.
  IssueSessionRequest reordered = Request();
  google::protobuf::Struct claims;
  for (int i = 0; i < 50; ++i) {
    (*claims.mutable_fields())[absl::StrCat("k", i)].set_number_value(i);
  }
  google::protobuf::Struct backwards;
  for (int i = 49; i >= 0; --i) {
    (*backwards.mutable_fields())[absl::StrCat("k", i)].set_number_value(i);
  }
  *request.mutable_claims() = claims;
  *reordered.mutable_claims() = backwards;
  EXPECT_EQ(IssueRequestHash(request, "web"),
            IssueRequestHash(reordered, "web"));
}

TEST(IssueRequestHashTest, AnyDifferenceInWhatIsAskedForChangesIt) {
  const std::string hash = IssueRequestHash(Request(), "web");
  std::vector<IssueSessionRequest> others(12, Request());
  others[0].set_subject("alicf");
  others[1].mutable_audience()->SwapElements(0, 1);
  others[2].add_audience("more");
  (*others[3].mutable_claims()->mutable_fields())["role"].set_string_value("y");
  (*others[4].mutable_claims()->mutable_fields())["n"].set_number_value(2);
  (*others[5].mutable_claims()->mutable_fields())["n"].set_string_value("1");
  others[6].clear_access_ttl();
  others[7].mutable_access_ttl()->set_nanos(1);
  others[8].mutable_session_ttl()->set_seconds(60);  // Unset in Request().
  others[9].mutable_client()->set_device_name("phone");
  others[10].mutable_client()->set_user_agent("laptop");
  others[11].mutable_claims()->mutable_fields()->erase("n");
  std::set<std::string> hashes = {hash};
  for (const IssueSessionRequest& other : others) {
    EXPECT_TRUE(hashes.insert(IssueRequestHash(other, "web")).second)
        << other.ShortDebugString();
  }
  EXPECT_NE(IssueRequestHash(Request(), "mobile"), hash);  // Another caller.
  // Fields are length-prefixed: moving bytes from one to the next shows.
  IssueSessionRequest a, b;
  a.set_subject("ab");
  a.add_audience("c");
  b.set_subject("a");
  b.add_audience("bc");
  EXPECT_NE(IssueRequestHash(a, "web"), IssueRequestHash(b, "web"));
}

TEST_F(RequestIdsTest, ARetryGetsTheSameSessionAndFirstRefreshToken) {
  absl::StatusOr<ActiveSession> first = Issue(hash_, kT0);
  ASSERT_TRUE(first.ok()) << first.status();
  int mints = 0;
  auto count = [&](const ActiveSession& session) {
    ++mints;
    EXPECT_EQ(session.record.session_id(), first->record.session_id());
    return absl::OkStatus();
  };
  absl::StatusOr<ActiveSession> again =
      ids_->Issue(Fresh(), kId, hash_, kT0 + absl::Hours(23), count);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(mints, 1);  // A fresh access token is minted for the retry.
  EXPECT_EQ(again->record.session_id(), first->record.session_id());
  EXPECT_EQ(again->refresh_token, first->refresh_token);
  EXPECT_EQ(SessionsOf(), 1u);
  // The token works, and rotates the session as usual.
  absl::StatusOr<ActiveSession> refreshed =
      sessions_->Refresh(again->refresh_token, Access{.group = "app"},
                         kT0 + absl::Hours(23), Minted);
  ASSERT_TRUE(refreshed.ok()) << refreshed.status();
  EXPECT_EQ(refreshed->record.generation(), 1u);
}

TEST_F(RequestIdsTest, AnotherRequestUnderTheSameIdIsReusedAndWritesNothing) {
  ASSERT_TRUE(Issue(hash_, kT0).ok());
  const auto entries = Entries();
  absl::StatusOr<ActiveSession> other =
      Issue(std::string(32, 'o'), kT0 + absl::Seconds(1));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(errors::ReasonOf(other.status()), "REQUEST_ID_REUSED");
  EXPECT_EQ(SessionsOf(), 1u);
  EXPECT_EQ(Entries(), entries);
}

TEST_F(RequestIdsTest, ARotatedSessionIsSpent) {
  absl::StatusOr<ActiveSession> first = Issue(hash_, kT0);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(sessions_
                  ->Refresh(first->refresh_token, Access{.group = "app"},
                            kT0 + absl::Seconds(1), Minted)
                  .ok());
  absl::StatusOr<ActiveSession> again = Issue(hash_, kT0 + absl::Seconds(2));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::ReasonOf(again.status()), "REQUEST_ID_SPENT");
  EXPECT_TRUE(absl::StrContains(again.status().message(), "refreshed"));
  EXPECT_EQ(SessionsOf(), 1u);
}

TEST_F(RequestIdsTest, ARevokedSessionIsSpentAndNotRevived) {
  absl::StatusOr<ActiveSession> first = Issue(hash_, kT0);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(sessions_
                  ->RevokeSession(first->record.session_id(),
                                  Access{.group = "app"}, "test", kT0)
                  .ok());
  absl::StatusOr<ActiveSession> again = Issue(hash_, kT0 + absl::Seconds(1));
  EXPECT_EQ(errors::ReasonOf(again.status()), "REQUEST_ID_SPENT");
  EXPECT_TRUE(absl::StrContains(again.status().message(), "revoked"));
  auto record =
      sessions_->Get(first->record.session_id(), Access{.group = "app"});
  ASSERT_TRUE(record.ok());
  EXPECT_TRUE(record->has_revoked_at());
}

TEST_F(RequestIdsTest, AnExpiredSessionIsSpent) {
  NewSession short_lived = Fresh();
  short_lived.session_ttl = absl::Hours(1);
  ASSERT_TRUE(Issue(hash_, kT0, short_lived).ok());
  absl::StatusOr<ActiveSession> again =
      Issue(hash_, kT0 + absl::Hours(1), short_lived);
  EXPECT_EQ(errors::ReasonOf(again.status()), "REQUEST_ID_SPENT");
  EXPECT_TRUE(absl::StrContains(again.status().message(), "expired"));
  EXPECT_EQ(SessionsOf(), 1u);
}

TEST_F(RequestIdsTest, AfterADayTheIdStartsANewSession) {
  absl::StatusOr<ActiveSession> first = Issue(hash_, kT0);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<ActiveSession> later =
      Issue(std::string(32, 'o'), kT0 + kRequestIdLifetime);
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_NE(later->record.session_id(), first->record.session_id());
  // The new session now owns the id.
  absl::StatusOr<ActiveSession> again =
      Issue(std::string(32, 'o'), kT0 + kRequestIdLifetime + absl::Hours(1));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->record.session_id(), later->record.session_id());
}

TEST_F(RequestIdsTest, IdsOfAnotherGroupAreUnrelated) {
  absl::StatusOr<ActiveSession> app = Issue(hash_, kT0);
  absl::StatusOr<ActiveSession> other = Issue(hash_, kT0, Fresh("other"));
  ASSERT_TRUE(app.ok() && other.ok());
  EXPECT_NE(app->record.session_id(), other->record.session_id());
  EXPECT_EQ(SessionsOf("app"), 1u);
  EXPECT_EQ(SessionsOf("other"), 1u);
}

TEST_F(RequestIdsTest, AFailedMintWritesNeitherSessionNorId) {
  auto refuse = [](const ActiveSession&) {
    return absl::InvalidArgumentError("cannot mint");
  };
  EXPECT_FALSE(ids_->Issue(Fresh(), kId, hash_, kT0, refuse).ok());
  EXPECT_EQ(SessionsOf(), 0u);
  EXPECT_TRUE(Entries().empty());
  EXPECT_TRUE(Issue(hash_, kT0).ok());  // The id is still free.
  EXPECT_EQ(SessionsOf(), 1u);
}

TEST_F(RequestIdsTest, ConcurrentAttemptsMakeOneSession) {
  // The first attempt to mint waits (up to a second) for a second one to
  // mint beside it, which only an attempt not holding the id's lock can.
  std::atomic<int> minting{0};
  std::atomic<bool> first{true};
  auto mint = [&](const ActiveSession&) {
    ++minting;
    if (first.exchange(false)) {
      const absl::Time until = absl::Now() + absl::Seconds(1);
      while (minting.load() < 2 && absl::Now() < until) {
        absl::SleepFor(absl::Milliseconds(1));
      }
    }
    --minting;
    return absl::OkStatus();
  };
  std::vector<std::string> ids(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      absl::StatusOr<ActiveSession> issued =
          ids_->Issue(Fresh(), kId, hash_, kT0, mint);
      ids[i] = issued.ok() ? issued->refresh_token
                           : std::string(issued.status().message());
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(SessionsOf(), 1u);
  EXPECT_EQ(Entries().size(), 1u);
}

TEST_F(RequestIdsTest, TheFirstSecretIsSealedAndTheIdNotStored) {
  absl::StatusOr<ActiveSession> first = Issue(hash_, kT0);
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string secret = ParseRefreshToken(first->refresh_token)->secret;
  const auto entries = Entries();
  ASSERT_EQ(entries.size(), 1u);
  for (const std::string& bytes : {entries[0].first, entries[0].second}) {
    EXPECT_FALSE(absl::StrContains(bytes, secret));
    EXPECT_FALSE(absl::StrContains(bytes, token::Base64UrlEncode(secret)));
    EXPECT_FALSE(absl::StrContains(bytes, kId));
  }
  // Under another KEK the seal does not open: no token is handed out.
  Open(std::string(32, 'x'));
  absl::StatusOr<ActiveSession> other = Issue(hash_, kT0 + absl::Seconds(1));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(SessionsOf(), 1u);
}

TEST_F(RequestIdsTest, TheIdSurvivesReopening) {
  absl::StatusOr<ActiveSession> first = Issue(hash_, kT0);
  ASSERT_TRUE(first.ok()) << first.status();
  Open();
  absl::StatusOr<ActiveSession> again = Issue(hash_, kT0 + absl::Hours(1));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->refresh_token, first->refresh_token);
}

TEST_F(RequestIdsTest, CompactionDropsExpiredIdsAndKeepsTheRest) {
  // Real time: the filter judges by the clock.
  const absl::Time now = absl::Now();
  ASSERT_TRUE(Issue(hash_, now - kRequestIdLifetime - absl::Seconds(1), Fresh(),
                    "expired-request-id-0001")
                  .ok());
  ASSERT_TRUE(Issue(hash_, now, Fresh(), "live-request-id-000001").ok());
  rocksdb::DB* db = store_->db();
  rocksdb::ColumnFamilyHandle* meta =
      store_->handle(store::ColumnFamily::kMeta);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), meta,
                      absl::StrCat(kRequestIdKeyPrefix, "unreadable"), "\xff")
                  .ok());
  ASSERT_EQ(Entries().size(), 3u);
  ASSERT_TRUE(db->Flush(rocksdb::FlushOptions(), meta).ok());
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  ASSERT_TRUE(db->CompactRange(compact, meta, nullptr, nullptr).ok());
  EXPECT_EQ(Entries().size(), 2u);  // The live one and the unreadable one.
  std::string version;
  EXPECT_TRUE(
      db->Get(rocksdb::ReadOptions(), meta, "schema_version", &version).ok());
  absl::StatusOr<ActiveSession> live =
      Issue(hash_, now, Fresh(), "live-request-id-000001");
  EXPECT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(SessionsOf(), 2u);
}

}  // namespace
}  // namespace tessera::session
