// Strict base64url and strict JSON: every non-canonical or hostile input the
// token codec must refuse, and the round trips it must keep.

#include <random>
#include <string>

#include "client/token/base64url.h"
#include "client/token/json.h"
#include "gtest/gtest.h"

namespace tessera::token {
namespace {

using namespace std::string_literals;

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::mt19937 random(7);
  for (size_t length = 0; length <= 64; ++length) {
    std::string bytes(length, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    const std::string encoded = Base64UrlEncode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(Base64UrlDecode(encoded), bytes) << length;
  }
}

TEST(Base64UrlTest, Rfc4648VectorsInTheUrlAlphabet) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8"), "\xfb\xff");
}

TEST(Base64UrlTest, RejectsEverythingButTheCanonicalForm) {
  for (const std::string& bad : {
           "Zg=="s,         // padding
           "Zg="s,          // padding
           "+_8"s,          // standard alphabet
           "-/8"s,          // standard alphabet
           "Zm9v Yg"s,      // space
           "Zm9v\nYg"s,     // newline
           " Zm9v"s,        // leading space
           "Z"s,            // length 1 mod 4
           "Zm9vY"s,        // length 1 mod 4
           "Zh"s,           // non-zero spare bits ("f" is "Zg")
           "Zm9"s + "\0"s,  // NUL
           "Zm\xc3\xa9"s,   // non-ASCII
       }) {
    EXPECT_FALSE(Base64UrlDecode(bad).has_value()) << bad;
  }
}

TEST(JsonTest, ParsesAndSerializesCompactly) {
  absl::StatusOr<Json> json =
      ParseJson(R"( {"a": [1, -2, 3.5, true, false, null], "b": {"c": "é"}} )");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->Serialize(),
            R"({"a":[1,-2,3.5,true,false,null],"b":{"c":"é"}})");
  ASSERT_NE(json->Find("a"), nullptr);
  EXPECT_EQ(json->Find("a")->array()[1].integer_value(), -2);
  EXPECT_EQ(json->Find("missing"), nullptr);
}

TEST(JsonTest, IntegersBeyondInt64BecomeDoubles) {
  absl::StatusOr<Json> json = ParseJson(
      "[9223372036854775807, "
      "9223372036854775808]");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(json->array()[0].is_integer());
  EXPECT_FALSE(json->array()[1].is_integer());
  EXPECT_DOUBLE_EQ(json->array()[1].number_value(), 9223372036854775808.0);
}

TEST(JsonTest, NumbersRoundTripExactly) {
  // Found by the fuzzer: a long mantissa must parse to the nearest double,
  // so that serialize -> parse gives the same value.
  const std::string text = "[8888888888888888888888888888888888888888882]";
  absl::StatusOr<Json> json = ParseJson(text);
  ASSERT_TRUE(json.ok()) << json.status();
  absl::StatusOr<Json> again = ParseJson(json->Serialize());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *json);
  EXPECT_TRUE(ParseJson("0e89").ok());
  EXPECT_FALSE(ParseJson("1e400").ok());  // Not representable.
}

TEST(JsonTest, RejectsDuplicateMemberNames) {
  EXPECT_FALSE(ParseJson(R"({"a":1,"a":2})").ok());
  EXPECT_FALSE(ParseJson(R"({"x":{"a":1,"b":2,"a":3}})").ok());
  EXPECT_FALSE(ParseJson(R"([{"k":1,"k":1}])").ok());
  // Same name in different objects is fine.
  EXPECT_TRUE(ParseJson(R"({"a":{"a":1},"b":{"a":2}})").ok());
}

TEST(JsonTest, RejectsInvalidUtf8RawAndEscaped) {
  for (const std::string& bad : {
           "\"\xc0\x80\""s,          // overlong NUL
           "\"\xff\""s,              // never valid
           "\"\xe2\x82\""s,          // truncated sequence
           "\"\xed\xa0\x80\""s,      // encoded surrogate
           "\"\xf4\x90\x80\x80\""s,  // above U+10FFFF
           "\"\xe0\x80\xaf\""s,      // overlong '/'
           R"("\ud800")"s,           // lone high surrogate escape
           R"("d\ude00")"s,          // lone low surrogate (fuzzer found)
           R"({"\ude00":1})"s,       // ... in a member name
       }) {
    EXPECT_FALSE(ParseJson(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseJson(R"("\ud83d\ude00 ok")").ok());
  EXPECT_TRUE(ParseJson("\"\xf0\x9f\x98\x80\"").ok());
}

TEST(JsonTest, EnforcesDepthAndSize) {
  const JsonLimits limits{.max_bytes = 100, .max_depth = 3};
  EXPECT_TRUE(ParseJson("[[[1]]]", limits).ok());
  EXPECT_FALSE(ParseJson("[[[[1]]]]", limits).ok());
  EXPECT_FALSE(ParseJson(R"({"a":{"b":{"c":{}}}})", limits).ok());
  EXPECT_TRUE(ParseJson(std::string(98, ' ') + "{}", limits).ok());
  EXPECT_FALSE(ParseJson(std::string(99, ' ') + "{}", limits).ok());
  // Deep nesting far past the limit fails cleanly, without deep recursion.
  EXPECT_FALSE(ParseJson(std::string(5000, '['), {.max_bytes = 10000}).ok());
}

TEST(JsonTest, RejectsNonJson) {
  for (const std::string& bad : {
           ""s,
           "{"s,
           "{}x"s,
           "{} {}"s,
           "{}\0junk"s,
           "NaN"s,
           "Infinity"s,
           "-Infinity"s,
           "[1,]"s,
           "{\"a\":1,}"s,
           "// c\n{}"s,
           "{'a':1}"s,
           "\"tab\there\""s,
           "01"s,
           "+1"s,
           ".5"s,
           "\"\\x41\""s,
       }) {
    EXPECT_FALSE(ParseJson(bad).ok()) << bad;
  }
}

TEST(JsonTest, SetReplacesAndKeepsOrder) {
  Json object = Json::MakeObject();
  object.Set("b", Json::Integer(1));
  object.Set("a", Json::Integer(2));
  object.Set("b", Json::String("x"));
  EXPECT_EQ(object.Serialize(), R"({"b":"x","a":2})");
}

TEST(JsonTest, SerializeEscapesStrings) {
  EXPECT_EQ(Json::String("q\"b\\n\n\x01").Serialize(), R"("q\"b\\n\n\u0001")");
}

TEST(Utf8Test, AcceptsWellFormedRejectsTheRest) {
  EXPECT_TRUE(IsValidUtf8("plain ascii, long enough for the fast path"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("0123456789\x80"));
  EXPECT_FALSE(IsValidUtf8("\xed\xbf\xbf"));  // U+DFFF
}

}  // namespace
}  // namespace tessera::token
