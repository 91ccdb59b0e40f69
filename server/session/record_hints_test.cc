#include "server/session/record_hints.h"

#include <string>

#include "gtest/gtest.h"

namespace tessera::session {
namespace {

TEST(RecordHintsTest, KeepsTheLastBytesWritten) {
  RecordHints hints(4);
  EXPECT_FALSE(hints.Get("s1").has_value());
  hints.Put("s1", "a");
  hints.Put("s1", "b");
  ASSERT_TRUE(hints.Get("s1").has_value());
  EXPECT_EQ(*hints.Get("s1"), "b");
  hints.Erase("s1");
  EXPECT_FALSE(hints.Get("s1").has_value());
}

TEST(RecordHintsTest, NeverHoldsMoreThanItsCapacity) {
  RecordHints hints(3);
  for (int i = 0; i < 100; ++i) hints.Put("s" + std::to_string(i), "x");
  EXPECT_EQ(hints.size(), 3u);
  // The newest entry is kept.
  EXPECT_TRUE(hints.Get("s99").has_value());
}

TEST(RecordHintsTest, CapacityZeroKeepsNothing) {
  RecordHints hints(0);
  hints.Put("s1", "a");
  EXPECT_FALSE(hints.Get("s1").has_value());
  EXPECT_EQ(hints.size(), 0u);
}

}  // namespace
}  // namespace tessera::session
