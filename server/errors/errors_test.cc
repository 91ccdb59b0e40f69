#include "server/errors/errors.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace tessera::errors {
namespace {

TEST(ErrorsTest, ReasonTravelsToErrorInfo) {
  absl::Status status = Error(absl::StatusCode::kUnauthenticated,
                              "REFRESH_TOKEN_REUSED", "session revoked");
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

}  // namespace
}  // namespace tessera::errors
