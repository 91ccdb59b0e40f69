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
  // The newest entries are kept, the older ones dropped.
  EXPECT_TRUE(hints.Get("s97").has_value());
  EXPECT_TRUE(hints.Get("s98").has_value());
  EXPECT_TRUE(hints.Get("s99").has_value());
  EXPECT_FALSE(hints.Get("s96").has_value());
}

TEST(RecordHintsTest, AnUpdateKeepsItsPlaceAndAnEraseFreesOne) {
  RecordHints hints(2);
  hints.Put("a", "1");
  hints.Put("b", "1");
  hints.Put("a", "2");  // An update: a is still the oldest.
  hints.Put("c", "1");
  EXPECT_FALSE(hints.Get("a").has_value());
  EXPECT_EQ(*hints.Get("b"), "1");
  // Erased and inserted again, b is new: the next insert drops c, not b.
  hints.Erase("b");
  hints.Put("b", "2");
  hints.Put("d", "1");
  EXPECT_EQ(*hints.Get("b"), "2");
  EXPECT_TRUE(hints.Get("d").has_value());
  EXPECT_FALSE(hints.Get("c").has_value());
  EXPECT_LE(hints.size(), 2u);
}

TEST(RecordHintsTest, CapacityZeroKeepsNothing) {
  RecordHints hints(0);
  hints.Put("s1", "a");
  EXPECT_FALSE(hints.Get("s1").has_value());
  EXPECT_EQ(hints.size(), 0u);
}

}  // namespace
}  // namespace tessera::session
