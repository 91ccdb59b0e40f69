#include "server/log/log.h"

#include <string>

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

TEST(Utf8PrefixTest, ShortTextIsWhole) {
  EXPECT_EQ(Utf8Prefix("abc", 3), "abc");
  EXPECT_EQ(Utf8Prefix("", 0), "");
  EXPECT_EQ(Utf8Prefix("abc", 100), "abc");
}

TEST(Utf8PrefixTest, NeverSplitsAMultiByteCharacter) {
  // "a" then U+20AC (3 bytes) then U+1F600 (4 bytes) then "z".
  const std::string text = "a\xE2\x82\xAC\xF0\x9F\x98\x80z";
  EXPECT_EQ(Utf8Prefix(text, 0), "");
  EXPECT_EQ(Utf8Prefix(text, 1), "a");
  EXPECT_EQ(Utf8Prefix(text, 2), "a");
  EXPECT_EQ(Utf8Prefix(text, 3), "a");
  EXPECT_EQ(Utf8Prefix(text, 4), "a\xE2\x82\xAC");
  EXPECT_EQ(Utf8Prefix(text, 7), "a\xE2\x82\xAC");
  EXPECT_EQ(Utf8Prefix(text, 8), "a\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_EQ(Utf8Prefix(text, 9), text);
}

TEST(Utf8PrefixTest, NotUtf8IsCutWhereAsked) {
  const std::string continuations(10, '\x80');
  EXPECT_EQ(Utf8Prefix(continuations, 5), continuations.substr(0, 5));
  EXPECT_EQ(Utf8Prefix("\xFF\xFFxyz", 2), "\xFF\xFF");
}

}  // namespace
}  // namespace tessera::log
