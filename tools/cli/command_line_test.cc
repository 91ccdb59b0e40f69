#include "tools/cli/command_line.h"

#include <optional>
#include <string>
#include <vector>

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

TEST(NearestNameTest, SuggestsTheCommandATypoMeant) {
  const std::vector<std::string> names = {"issue",    "refresh", "revoke",
                                          "validate", "watch",   "help"};
  EXPECT_EQ(NearestName("isue", names), "issue");
  EXPECT_EQ(NearestName("refersh", names), "refresh");
  EXPECT_EQ(NearestName("revok", names), "revoke");
  EXPECT_EQ(NearestName("val", names), "validate");  // a prefix
  EXPECT_EQ(NearestName("hepl", names), "help");
  EXPECT_EQ(NearestName("wacht", names), "watch");
}

TEST(NearestNameTest, GuessesNothingForUnrelatedOrHostileInput) {
  const std::vector<std::string> names = {"issue", "refresh", "ls"};
  EXPECT_EQ(NearestName("frobnicate", names), std::nullopt);
  EXPECT_EQ(NearestName("xyz", names), std::nullopt);  // 3 edits from "ls"
  EXPECT_EQ(NearestName("", names), std::nullopt);
  EXPECT_EQ(NearestName(std::string(10000, 'i'), names), std::nullopt);
  EXPECT_EQ(NearestName("issue", {}), std::nullopt);
}

}  // namespace
}  // namespace tessera::cli
