#include "tools/cli/command_line.h"

#include <optional>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "gtest/gtest.h"
#include "tools/cli/flags.h"

namespace tessera::cli {
namespace {

class DeadlineTest : public ::testing::Test {
 protected:
  void TearDown() override { absl::SetFlag(&FLAGS_deadline, std::nullopt); }
};

TEST_F(DeadlineTest, DefaultsWhenNotGiven) {
  EXPECT_EQ(DeadlineOf("issue"), absl::Seconds(5));
  EXPECT_EQ(DeadlineOf("backup"), absl::Hours(1));
  absl::StatusOr<ClientOptions> options = Connection();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->deadline, absl::Seconds(5));
}

// `backup --deadline=5s` used to get an hour: the default value given
// explicitly was taken for "not given".
TEST_F(DeadlineTest, GivenDeadlineIsKeptEvenWhenItEqualsTheDefault) {
  absl::SetFlag(&FLAGS_deadline, absl::Seconds(5));
  EXPECT_EQ(DeadlineOf("backup"), absl::Seconds(5));
  EXPECT_EQ(DeadlineOf("issue"), absl::Seconds(5));
}

TEST_F(DeadlineTest, GivenDeadlineAppliesToEveryCommand) {
  absl::SetFlag(&FLAGS_deadline, absl::Minutes(3));
  EXPECT_EQ(DeadlineOf("backup"), absl::Minutes(3));
  EXPECT_EQ(DeadlineOf("stats"), absl::Minutes(3));
  absl::StatusOr<ClientOptions> options = Connection();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->deadline, absl::Minutes(3));
}

TEST_F(DeadlineTest, TheFlagParsesAsGivenOrUnset) {
  absl::CommandLineFlag* flag = absl::FindCommandLineFlag("deadline");
  ASSERT_NE(flag, nullptr);
  std::string error;
  ASSERT_TRUE(flag->ParseFrom("5s", &error)) << error;
  EXPECT_EQ(DeadlineOf("backup"), absl::Seconds(5));
  ASSERT_TRUE(flag->ParseFrom("", &error)) << error;
  EXPECT_EQ(DeadlineOf("backup"), absl::Hours(1));
  EXPECT_FALSE(flag->ParseFrom("soon", &error));
}

}  // namespace
}  // namespace tessera::cli
