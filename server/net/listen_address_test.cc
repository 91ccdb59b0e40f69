#include "server/net/listen_address.h"

#include "gtest/gtest.h"

namespace tessera::net {
namespace {

bool Loopback(absl::string_view address) {
  absl::StatusOr<ListenAddress> parsed = ParseListenAddress(address);
  EXPECT_TRUE(parsed.ok()) << address << ": " << parsed.status();
  return parsed.ok() && parsed->is_loopback;
}

TEST(ListenAddressTest, LoopbackForms) {
  EXPECT_TRUE(Loopback("127.0.0.1:50051"));
  EXPECT_TRUE(Loopback("127.1.2.3:0"));
  EXPECT_TRUE(Loopback("localhost:50051"));
  EXPECT_TRUE(Loopback("[::1]:50051"));
  EXPECT_TRUE(Loopback("unix:/tmp/tessera.sock"));
}

TEST(ListenAddressTest, NonLoopbackForms) {
  EXPECT_FALSE(Loopback("0.0.0.0:50051"));
  EXPECT_FALSE(Loopback("[::]:50051"));
  EXPECT_FALSE(Loopback("10.0.0.1:50051"));
  EXPECT_FALSE(Loopback("128.0.0.1:50051"));
  // A name may resolve anywhere; only "localhost" is trusted.
  EXPECT_FALSE(Loopback("tessera.internal:50051"));
  EXPECT_FALSE(Loopback("[::ffff:127.0.0.1]:50051"));
}

TEST(ListenAddressTest, RejectsMalformed) {
  for (absl::string_view bad :
       {"127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", ":50051",
        "[]:50051", "127.0.0.1:port"}) {
    absl::StatusOr<ListenAddress> parsed = ParseListenAddress(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace tessera::net
