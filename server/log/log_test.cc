#include "server/log/log.h"

#include "gtest/gtest.h"

namespace tessera::log {
namespace {

TEST(JsonQuoteTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonQuote("line\nnext\t\x01"), "\"line\\nnext\\t\\u0001\"");
}

TEST(FieldTest, NumbersAndBooleansAreBare) {
  EXPECT_EQ(Field("n", 42).json_value(), "42");
  EXPECT_EQ(Field("b", true).json_value(), "true");
  EXPECT_EQ(Field("s", "x\"").json_value(), "\"x\\\"\"");
}

}  // namespace
}  // namespace tessera::log
