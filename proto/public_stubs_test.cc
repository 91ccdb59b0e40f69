// //proto:tessera_cc_grpc is the API other services link: the services'
// messages and stubs, and nothing of tesserad's internal storage records
// (//proto:storage_cc_proto).

#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "tessera/v1/admin.grpc.pb.h"
#include "tessera/v1/token_authority.grpc.pb.h"

namespace {

TEST(PublicStubsTest, CarryTheServicesButNotTheStorageRecords) {
  const google::protobuf::DescriptorPool* pool =
      google::protobuf::DescriptorPool::generated_pool();
  // Linked in: the service definitions and their messages.
  EXPECT_NE(tessera::v1::TokenAuthority::service_full_name(), nullptr);
  EXPECT_NE(tessera::v1::Admin::service_full_name(), nullptr);
  EXPECT_NE(pool->FindServiceByName("tessera.v1.TokenAuthority"), nullptr);
  EXPECT_NE(pool->FindMessageTypeByName("tessera.v1.IssueSessionRequest"),
            nullptr);
  // Not linked in: storage.proto and its records.
  EXPECT_EQ(pool->FindFileByName("tessera/v1/storage.proto"), nullptr);
  EXPECT_EQ(pool->FindMessageTypeByName("tessera.v1.SessionRecord"), nullptr);
  EXPECT_EQ(pool->FindMessageTypeByName("tessera.v1.SigningKeyRecord"),
            nullptr);
}

}  // namespace
