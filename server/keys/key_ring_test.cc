#include "server/keys/key_ring.h"

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "server/crypto/aead.h"
#include "server/crypto/kek.h"
#include "server/revocation/revocation_log.h"
#include "server/store/store.h"
#include "server/store/timestamps.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::keys {
namespace {

using tessera::v1::KeyState;

std::string TestDir(absl::string_view name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name);
}

crypto::Kek MakeKek(char fill) {
  crypto::Kek kek;
  kek.key = std::string(crypto::kAeadKeyBytes, fill);
  kek.id = std::string(16, fill);
  kek.source = "test";
  return kek;
}

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

class KeyRingTest : public testing::Test {
 protected:
  void OpenStore(absl::string_view name) {
    auto store = store::Store::Open({.data_dir = TestDir(name)});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto log = revocation::RevocationLog::Open(store_.get());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
  }
  absl::StatusOr<std::unique_ptr<KeyRing>> OpenRing(const crypto::Kek& kek,
                                                    token::Algorithm algorithm,
                                                    absl::Time now) {
    return KeyRing::Open(store_.get(), log_.get(), kek,
                         {.algorithm = algorithm,
                          .rotation_period = absl::Hours(1),
                          .retired_lifetime = absl::Minutes(10)},
                         now);
  }
  std::vector<tessera::v1::SigningKeyRecord> RawRecords() {
    std::vector<tessera::v1::SigningKeyRecord> records;
    std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(
        rocksdb::ReadOptions(), store_->handle(store::ColumnFamily::kKeys)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      records.emplace_back();
      EXPECT_TRUE(records.back().ParseFromString(it->value().ToString()));
      EXPECT_EQ(it->key().ToString(), records.back().key().kid());
    }
    return records;
  }
  static int Count(const KeyRing::Snapshot& s, KeyState state) {
    int n = 0;
    for (const auto& key : s.keys) n += key.state() == state;
    return n;
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<revocation::RevocationLog> log_;
};

TEST_F(KeyRingTest, FirstStartMakesActiveAndNextSealedAtRest) {
  OpenStore("first");
  const crypto::Kek kek = MakeKek('k');
  auto ring = OpenRing(kek, token::Algorithm::kES256, kStart);
  ASSERT_TRUE(ring.ok()) << ring.status();
  auto snapshot = (*ring)->current();
  EXPECT_EQ(Count(*snapshot, tessera::v1::KEY_STATE_ACTIVE), 1);
  EXPECT_EQ(Count(*snapshot, tessera::v1::KEY_STATE_NEXT), 1);
  EXPECT_NE(snapshot->published.Find(snapshot->active.kid()), nullptr);
  EXPECT_EQ(log_->last_sequence(), 1u);  // One KeysChanged event.

  const std::vector<tessera::v1::SigningKeyRecord> records = RawRecords();
  ASSERT_EQ(records.size(), 2u);
  for (const auto& record : records) {
    EXPECT_TRUE(record.unsealed_private_key().empty());
    EXPECT_EQ(record.kek_id(), kek.id);
    auto clear =
        crypto::Open(kek.key, record.sealed_private_key(), record.key().kid());
    ASSERT_TRUE(clear.has_value());
    // The PKCS#8 bytes appear nowhere in the stored record.
    EXPECT_EQ(record.SerializeAsString().find(*clear), std::string::npos);
    EXPECT_EQ(crypto::Open(kek.key, record.sealed_private_key(), "other-kid"),
              std::nullopt);
  }
}

TEST_F(KeyRingTest, ReopenKeepsKeysAndAnotherKekIsRefusedByName) {
  OpenStore("reopen");
  std::string active;
  {
    auto ring = OpenRing(MakeKek('k'), token::Algorithm::kEdDSA, kStart);
    ASSERT_TRUE(ring.ok()) << ring.status();
    active = (*ring)->current()->active.kid();
  }
  auto again = OpenRing(MakeKek('k'), token::Algorithm::kEdDSA, kStart);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->current()->active.kid(), active);

  auto wrong = OpenRing(MakeKek('w'), token::Algorithm::kEdDSA, kStart);
  ASSERT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(wrong.status().message().find("another key-encryption key"),
            std::string::npos)
      << wrong.status();
}

TEST_F(KeyRingTest, AlteredRecordIsDataLoss) {
  OpenStore("altered");
  ASSERT_TRUE(OpenRing(MakeKek('k'), token::Algorithm::kES256, kStart).ok());
  auto record = RawRecords().front();
  std::string* box = record.mutable_sealed_private_key();
  (*box)[box->size() / 2] ^= 0x01;
  ASSERT_TRUE(store_->db()
                  ->Put(rocksdb::WriteOptions(),
                        store_->handle(store::ColumnFamily::kKeys),
                        record.key().kid(), record.SerializeAsString())
                  .ok());
  auto ring = OpenRing(MakeKek('k'), token::Algorithm::kES256, kStart);
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kDataLoss);
}

// The first release kept one unsealed key under "active": Load seals it,
// files it by kid, keeps it ACTIVE and adds a NEXT key, in one commit.
TEST_F(KeyRingTest, LegacyUnsealedKeyIsSealedAndRefiledByKid) {
  OpenStore("legacy");
  auto key = token::PrivateKey::Generate(token::Algorithm::kES256);
  ASSERT_TRUE(key.ok()) << key.status();
  tessera::v1::SigningKeyRecord legacy;
  legacy.mutable_key()->set_kid(key->kid());
  legacy.mutable_key()->set_algorithm(tessera::v1::SIGNING_ALGORITHM_ES256);
  legacy.mutable_key()->set_state(tessera::v1::KEY_STATE_ACTIVE);
  *legacy.mutable_key()->mutable_activated_at() = store::ToTimestamp(kStart);
  legacy.mutable_key()->set_public_jwk(key->public_key().ToJwk().Serialize());
  legacy.set_unsealed_private_key(key->ToPkcs8());
  ASSERT_TRUE(store_->db()
                  ->Put(rocksdb::WriteOptions(),
                        store_->handle(store::ColumnFamily::kKeys), "active",
                        legacy.SerializeAsString())
                  .ok());
  const crypto::Kek kek = MakeKek('k');
  auto ring = OpenRing(kek, token::Algorithm::kES256, kStart);
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ((*ring)->current()->active.kid(), key->kid());
  EXPECT_EQ(Count(*(*ring)->current(), tessera::v1::KEY_STATE_NEXT), 1);
  EXPECT_EQ(log_->last_sequence(), 1u);  // One KeysChanged event.
  // RawRecords checks every record is filed under its kid: "active" is gone.
  const std::vector<tessera::v1::SigningKeyRecord> records = RawRecords();
  ASSERT_EQ(records.size(), 2u);
  for (const auto& record : records) {
    EXPECT_TRUE(record.unsealed_private_key().empty());
    EXPECT_EQ(record.kek_id(), kek.id);
    EXPECT_TRUE(
        crypto::Open(kek.key, record.sealed_private_key(), record.key().kid())
            .has_value());
  }
  // Reopening changes nothing more.
  ring->reset();
  auto again = OpenRing(kek, token::Algorithm::kES256, kStart);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->current()->active.kid(), key->kid());
  EXPECT_EQ(log_->last_sequence(), 1u);
}

TEST_F(KeyRingTest, RotationPromotesNextAndRetiresActiveUntilDropAfter) {
  OpenStore("rotate");
  auto ring = OpenRing(MakeKek('k'), token::Algorithm::kES256, kStart);
  ASSERT_TRUE(ring.ok()) << ring.status();
  auto before = (*ring)->current();
  std::string old_next;
  for (const auto& key : before->keys) {
    if (key.state() == tessera::v1::KEY_STATE_NEXT) old_next = key.kid();
  }
  auto rotation =
      (*ring)->Rotate(token::Algorithm::kRS256, kStart + absl::Minutes(1));
  ASSERT_TRUE(rotation.ok()) << rotation.status();
  EXPECT_EQ(rotation->active.kid(), old_next);
  EXPECT_EQ(rotation->retired.kid(), before->active.kid());
  EXPECT_EQ(rotation->next.algorithm(), tessera::v1::SIGNING_ALGORITHM_RS256);
  auto after = (*ring)->current();
  EXPECT_GT(after->version, before->version);
  EXPECT_EQ(after->active.kid(), old_next);
  EXPECT_EQ(after->keys.size(), 3u);
  EXPECT_NE(after->published.Find(before->active.kid()), nullptr);
  EXPECT_EQ(before->keys.size(), 2u);  // Readers holding the old view keep it.

  // Retired keys stay until drop_after (10 min after retiring), then go.
  auto kept = (*ring)->ApplySchedule(kStart + absl::Minutes(10));
  ASSERT_TRUE(kept.ok());
  EXPECT_FALSE(*kept);
  auto dropped = (*ring)->ApplySchedule(kStart + absl::Minutes(11));
  ASSERT_TRUE(dropped.ok());
  EXPECT_TRUE(*dropped);
  EXPECT_EQ((*ring)->current()->published.Find(before->active.kid()), nullptr);
  EXPECT_EQ(RawRecords().size(), 2u);
}

TEST_F(KeyRingTest, ScheduleRotatesAnActiveKeyOlderThanThePeriod) {
  OpenStore("schedule");
  auto ring = OpenRing(MakeKek('k'), token::Algorithm::kES256, kStart);
  ASSERT_TRUE(ring.ok()) << ring.status();
  const std::string first = (*ring)->current()->active.kid();
  auto early = (*ring)->ApplySchedule(kStart + absl::Minutes(59));
  ASSERT_TRUE(early.ok());
  EXPECT_EQ((*ring)->current()->active.kid(), first);
  auto due = (*ring)->ApplySchedule(kStart + absl::Hours(1));
  ASSERT_TRUE(due.ok());
  EXPECT_NE((*ring)->current()->active.kid(), first);
}

TEST_F(KeyRingTest, ChangedAlgorithmReplacesOnlyTheNextKey) {
  OpenStore("algorithm");
  std::string active;
  {
    auto ring = OpenRing(MakeKek('k'), token::Algorithm::kES256, kStart);
    ASSERT_TRUE(ring.ok()) << ring.status();
    active = (*ring)->current()->active.kid();
  }
  auto ring = OpenRing(MakeKek('k'), token::Algorithm::kEdDSA, kStart);
  ASSERT_TRUE(ring.ok()) << ring.status();
  auto snapshot = (*ring)->current();
  EXPECT_EQ(snapshot->active.kid(), active);  // Live tokens stay valid.
  EXPECT_EQ(snapshot->active.algorithm(), token::Algorithm::kES256);
  for (const auto& key : snapshot->keys) {
    if (key.state() == tessera::v1::KEY_STATE_NEXT) {
      EXPECT_EQ(key.algorithm(), tessera::v1::SIGNING_ALGORITHM_EDDSA);
    }
  }
  EXPECT_EQ(snapshot->keys.size(), 2u);
  EXPECT_EQ(RawRecords().size(), 2u);
}

// Emergency withdrawal: the key leaves the published set (and the store)
// at once, with a KeysChanged event, and the ring keeps an ACTIVE and a
// NEXT key.
TEST_F(KeyRingTest, WithdrawingTheActiveKeyPromotesNextAndMakesANewNext) {
  OpenStore("withdraw-active");
  auto ring = OpenRing(MakeKek('k'), token::Algorithm::kES256, kStart);
  ASSERT_TRUE(ring.ok()) << ring.status();
  auto before = (*ring)->current();
  const std::string compromised = before->active.kid();
  std::string old_next;
  for (const auto& key : before->keys) {
    if (key.state() == tessera::v1::KEY_STATE_NEXT) old_next = key.kid();
  }
  const uint64_t sequence = log_->last_sequence();
  auto withdrawal = (*ring)->Withdraw(compromised, kStart + absl::Minutes(1));
  ASSERT_TRUE(withdrawal.ok()) << withdrawal.status();
  EXPECT_EQ(withdrawal->withdrawn.kid(), compromised);
  EXPECT_EQ(withdrawal->active.kid(), old_next);
  ASSERT_TRUE(withdrawal->next.has_value());

  auto after = (*ring)->current();
  EXPECT_GT(after->version, before->version);
  EXPECT_EQ(after->active.kid(), old_next);
  EXPECT_EQ(after->published.Find(compromised), nullptr);
  EXPECT_EQ(after->jwks_json.find(compromised), std::string::npos);
  EXPECT_EQ(Count(*after, tessera::v1::KEY_STATE_ACTIVE), 1);
  EXPECT_EQ(Count(*after, tessera::v1::KEY_STATE_NEXT), 1);
  EXPECT_EQ(RawRecords().size(), 2u);
  EXPECT_EQ(log_->last_sequence(), sequence + 1);  // One KeysChanged event.

  // Gone from the store too: a restart does not bring it back.
  ring->reset();
  auto reopened = OpenRing(MakeKek('k'), token::Algorithm::kES256, kStart);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->current()->published.Find(compromised), nullptr);
  EXPECT_EQ((*reopened)->current()->active.kid(), old_next);
}

TEST_F(KeyRingTest, WithdrawingNextOrRetiredKeepsTheActiveKey) {
  OpenStore("withdraw-others");
  auto ring = OpenRing(MakeKek('k'), token::Algorithm::kES256, kStart);
  ASSERT_TRUE(ring.ok()) << ring.status();
  auto rotation = (*ring)->Rotate(std::nullopt, kStart);
  ASSERT_TRUE(rotation.ok()) << rotation.status();
  const std::string active = rotation->active.kid();

  auto retired = (*ring)->Withdraw(rotation->retired.kid(), kStart);
  ASSERT_TRUE(retired.ok()) << retired.status();
  EXPECT_EQ(retired->active.kid(), active);
  EXPECT_FALSE(retired->next.has_value());
  EXPECT_EQ((*ring)->current()->keys.size(), 2u);

  auto next = (*ring)->Withdraw(rotation->next.kid(), kStart);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->active.kid(), active);
  ASSERT_TRUE(next->next.has_value());
  EXPECT_NE(next->next->kid(), rotation->next.kid());
  auto after = (*ring)->current();
  EXPECT_EQ(after->active.kid(), active);
  EXPECT_EQ(after->published.Find(rotation->next.kid()), nullptr);
  EXPECT_EQ(Count(*after, tessera::v1::KEY_STATE_NEXT), 1);
  EXPECT_EQ(RawRecords().size(), 2u);
}

TEST_F(KeyRingTest, WithdrawingAnUnknownKidIsNotFoundAndChangesNothing) {
  OpenStore("withdraw-unknown");
  auto ring = OpenRing(MakeKek('k'), token::Algorithm::kES256, kStart);
  ASSERT_TRUE(ring.ok()) << ring.status();
  const uint64_t version = (*ring)->current()->version;
  const uint64_t sequence = log_->last_sequence();
  auto withdrawal = (*ring)->Withdraw("no-such-kid", kStart);
  EXPECT_EQ(withdrawal.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*ring)->current()->version, version);
  EXPECT_EQ(log_->last_sequence(), sequence);
}

TEST_F(KeyRingTest, RotationsStopAtTheKeyCap) {
  OpenStore("cap");
  auto ring = OpenRing(MakeKek('k'), token::Algorithm::kEdDSA, kStart);
  ASSERT_TRUE(ring.ok()) << ring.status();
  absl::Status last = absl::OkStatus();
  for (int i = 0; i < kMaxPublishedKeys && last.ok(); ++i) {
    last = (*ring)->Rotate(std::nullopt, kStart).status();
  }
  EXPECT_EQ(last.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*ring)->current()->keys.size(),
            static_cast<size_t>(kMaxPublishedKeys));
}

}  // namespace
}  // namespace tessera::keys

namespace tessera::keys {
namespace {

TEST_F(KeyRingTest, ScheduleThreadDropsRetiredKeysWhenDue) {
  OpenStore("thread");
  auto ring = KeyRing::Open(store_.get(), log_.get(), MakeKek('k'),
                            {.algorithm = token::Algorithm::kEdDSA,
                             .rotation_period = absl::Hours(1),
                             .retired_lifetime = absl::Milliseconds(300)},
                            absl::Now());
  ASSERT_TRUE(ring.ok()) << ring.status();
  (*ring)->StartSchedule();
  // Let the thread settle into its wait (nothing due for an hour), so the
  // rotation has to wake it.
  absl::SleepFor(absl::Milliseconds(200));
  ASSERT_TRUE((*ring)->Rotate(std::nullopt, absl::Now()).ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline && (*ring)->current()->keys.size() > 2) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ((*ring)->current()->keys.size(), 2u);
  (*ring)->StopSchedule();
}

// Two replicas' rings on one store (no shared memory), both due: one
// rotates; the other's scheduled rotation loses the race, reloads and finds
// nothing left to do. An explicit Rotate that loses a race rotates again on
// what it reloaded (one rotation for one request).
TEST_F(KeyRingTest, RacingReplicasRotateOncePerPeriod) {
  OpenStore("replicas");
  const crypto::Kek kek = MakeKek('r');
  auto a = OpenRing(kek, token::Algorithm::kES256, kStart);
  auto b = OpenRing(kek, token::Algorithm::kES256, kStart);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)->current()->active.kid(), (*b)->current()->active.kid());
  const absl::Time due = kStart + absl::Hours(1);
  EXPECT_EQ((*a)->ApplySchedule(due).value(), true);
  EXPECT_EQ((*b)->ApplySchedule(due).value(), false);  // Lost, reloaded.
  EXPECT_EQ((*a)->current()->active.kid(), (*b)->current()->active.kid());
  EXPECT_EQ(Count(*(*b)->current(), KeyState::KEY_STATE_RETIRED), 1);
  EXPECT_EQ((*b)->ApplySchedule(due).value(), false);  // Not due any more.
  EXPECT_EQ(RawRecords().size(), 3u);

  auto rotated = (*a)->Rotate(std::nullopt, due);  // b has not reloaded.
  ASSERT_TRUE(rotated.ok());
  auto again = (*b)->Rotate(std::nullopt, due);  // Conflict, reload, rotate.
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->retired.kid(), rotated->active.kid());
  EXPECT_EQ(RawRecords().size(), 5u);
}

}  // namespace
}  // namespace tessera::keys
