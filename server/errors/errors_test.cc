#include "server/errors/errors.h"

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/errors/reasons.h"

namespace tessera::errors {
namespace {

TEST(ErrorsTest, ReasonTravelsToErrorInfo) {
  absl::Status status = Error(absl::StatusCode::kUnauthenticated,
                              kRefreshTokenReused, "session revoked");
  EXPECT_EQ(ReasonOf(status), "REFRESH_TOKEN_REUSED");
  grpc::Status grpc_status = ToGrpcStatus(status);
  EXPECT_EQ(grpc_status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(grpc_status.error_message(), "session revoked");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(grpc_status.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(details.details(0).type_url(),
            "type.googleapis.com/google.rpc.ErrorInfo");
  EXPECT_EQ(info.reason(), "REFRESH_TOKEN_REUSED");
  EXPECT_EQ(info.domain(), "tessera");
}

TEST(ErrorsTest, PlainStatusesHaveNoDetails) {
  EXPECT_EQ(ReasonOf(absl::InternalError("x")), "");
  EXPECT_TRUE(ToGrpcStatus(absl::InternalError("x")).error_details().empty());
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

const std::vector<std::string>& AllReasons() {
  static const auto* const reasons = new std::vector<std::string>{
      kSubjectInvalid,     kAudienceInvalid,   kClaimsTooLarge,
      kReservedClaim,      kClaimsInvalid,     kClaimsModeInvalid,
      kTtlInvalid,         kSessionIdInvalid,  kPageTokenInvalid,
      kPageSizeInvalid,    kClientInfoInvalid, kReasonInvalid,
      kTokenTooLarge,      kTargetMissing,     kRequestIdInvalid,
      kIncarnationInvalid, kBackupPathInvalid, kAlgorithmInvalid,
      kKidInvalid,         kReasonTooLong,     kRefreshTokenInvalid,
      kRefreshTokenReused, kSessionRevoked,    kSessionExpired,
      kCallerUnknown,      kRoleMissing,       kSessionNotFound,
      kKeyNotFound,        kRequestIdReused,   kRequestIdSpent,
      kTooManyKeys,        kRateLimited,       kTooManyWatchers,
      kConsumerTooSlow,    kStoreUnavailable};
  return *reasons;
}

std::string Contract(const std::string& proto) {
  std::ifstream in("proto/tessera/v1/" + proto);
  EXPECT_TRUE(in.good()) << proto;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The reasons the contract lists in its "Errors" comment: a row names the
// reason after its status code (admin.proto) or under it (token_authority).
absl::flat_hash_set<std::string> ListedReasons() {
  absl::flat_hash_set<std::string> listed;
  const std::regex row("//   +(?:[A-Z_]+ +)?([A-Z]+(?:_[A-Z]+)+)  +\\S.*");
  for (const std::string proto : {"token_authority.proto", "admin.proto"}) {
    std::istringstream text(Contract(proto));
    std::smatch match;
    for (std::string line; std::getline(text, line);) {
      if (std::regex_match(line, match, row)) listed.insert(match[1].str());
    }
  }
  return listed;
}

TEST(ReasonsTest, EveryReasonIsInTheContract) {
  const std::string contract =
      Contract("token_authority.proto") + Contract("admin.proto");
  for (const std::string& reason : AllReasons()) {
    EXPECT_TRUE(std::regex_search(contract, std::regex("\\b" + reason + "\\b")))
        << reason << " is not in the proto";
  }
}

TEST(ReasonsTest, EveryListedReasonHasAName) {
  const absl::flat_hash_set<std::string> named(AllReasons().begin(),
                                               AllReasons().end());
  const absl::flat_hash_set<std::string> listed = ListedReasons();
  EXPECT_TRUE(listed.contains("SUBJECT_INVALID"));
  EXPECT_TRUE(listed.contains("KEY_NOT_FOUND"));
  for (const std::string& reason : listed) {
    EXPECT_TRUE(named.contains(reason)) << reason << " has no constant";
  }
}

}  // namespace
}  // namespace tessera::errors
