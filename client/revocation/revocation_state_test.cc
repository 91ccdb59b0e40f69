#include "client/revocation/revocation_state.h"

#include "gtest/gtest.h"

namespace tessera::revocation {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);
constexpr absl::Duration kHorizon = absl::Minutes(16);

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(t));
  return out;
}

tessera::v1::RevocationEvent Invalidated(const std::string& subject,
                                         uint64_t generation,
                                         absl::Time forget_after) {
  tessera::v1::RevocationEvent event;
  *event.mutable_time() = At(kT0);
  auto* cut = event.mutable_claims_invalidated();
  cut->set_subject(subject);
  *cut->mutable_not_before() = At(kT0 + absl::Seconds(1));
  cut->set_generation(generation);
  *cut->mutable_forget_after() = At(forget_after);
  return event;
}

TEST(RevocationStateTest, ClaimsCutOffsCompareTheSubjectGeneration) {
  RevocationState state(kHorizon);
  state.Apply(Invalidated("alice", 2, kT0 + absl::Hours(1)));
  // Whatever the iat: below the generation is stale, at or above passes.
  EXPECT_EQ(state.Check("s1", "alice", kT0 + absl::Seconds(5), 0),
            Verdict::kStaleClaims);
  EXPECT_EQ(state.Check("s1", "alice", kT0 + absl::Seconds(5), 1),
            Verdict::kStaleClaims);
  EXPECT_EQ(state.Check("s1", "alice", kT0 - absl::Seconds(5), 2),
            Verdict::kValid);
  EXPECT_EQ(state.Check("s1", "bob", kT0, 0), Verdict::kValid);
  // Cut-offs only move forward: an older event replayed changes nothing.
  state.Apply(Invalidated("alice", 1, kT0 + absl::Hours(1)));
  EXPECT_EQ(state.Check("s1", "alice", kT0, 1), Verdict::kStaleClaims);
}

TEST(RevocationStateTest, EntriesAreForgottenAtTheirForgetAfter) {
  RevocationState state(kHorizon);
  // A forget_after beyond the horizon (tokens of an earlier, longer-lived
  // configuration) is honoured, not shortened to the horizon.
  state.Apply(Invalidated("alice", 1, kT0 + absl::Hours(2)));
  tessera::v1::RevocationEvent revoked;
  *revoked.mutable_time() = At(kT0);
  revoked.mutable_session_revoked()->set_session_id("s2");
  *revoked.mutable_session_revoked()->mutable_forget_after() =
      At(kT0 + absl::Hours(2));
  state.Apply(revoked);
  EXPECT_EQ(state.size(), 2u);
  state.Forget(kT0 + kHorizon + absl::Minutes(1));
  EXPECT_EQ(state.size(), 2u);
  EXPECT_EQ(state.Check("s2", "carol", kT0, 0), Verdict::kSessionRevoked);
  state.Forget(kT0 + absl::Hours(2) + absl::Seconds(1));
  EXPECT_EQ(state.size(), 0u);
  EXPECT_EQ(state.Check("s2", "carol", kT0, 0), Verdict::kValid);
}

TEST(RevocationStateTest, LegacySubjectRevocationsStillApplyByIat) {
  RevocationState state(kHorizon);
  tessera::v1::RevocationEvent event;
  *event.mutable_time() = At(kT0);
  event.mutable_subject_revoked()->set_subject("dave");
  *event.mutable_subject_revoked()->mutable_not_before() =
      At(kT0 + absl::Seconds(1));
  state.Apply(event);
  EXPECT_EQ(state.Check("s3", "dave", kT0, 5), Verdict::kSessionRevoked);
  EXPECT_EQ(state.Check("s3", "dave", kT0 + absl::Seconds(1), 0),
            Verdict::kValid);
  state.Forget(kT0 + absl::Seconds(1) + kHorizon + absl::Seconds(1));
  EXPECT_EQ(state.size(), 0u);
}

}  // namespace
}  // namespace tessera::revocation
