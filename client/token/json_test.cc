// Strict JSON (RFC 8259) for JOSE headers, claims and JWKs.

#include "client/token/json.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::token {
namespace {

// Parses `text`, which must be accepted.
Json MustParse(absl::string_view text, const JsonLimits& limits = {}) {
  absl::StatusOr<Json> json = ParseJson(text, limits);
  EXPECT_TRUE(json.ok()) << json.status() << " for: " << text;
  return json.ok() ? *std::move(json) : Json();
}

// Expects `text` to be refused with INVALID_ARGUMENT.
void ExpectRejected(absl::string_view text, const JsonLimits& limits = {}) {
  absl::StatusOr<Json> json = ParseJson(text, limits);
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInvalidArgument)
      << "accepted: " << testing::PrintToString(std::string(text));
}

std::string Nested(int depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(JsonRoundTripTest, CompactTextSerializesToItself) {
  const std::string kTexts[] = {
      R"({})",
      R"([])",
      R"(null)",
      R"(true)",
      R"(0)",
      R"(-42)",
      R"("")",
      R"({"b":1,"a":2,"c":[1,-2,true,false,null,"s",{}],"d":{"e":{"f":[]}}})",
      R"(["\"\\\n\t\r\b\f\u0001\u001F"])",
      R"({"long":9223372036854775807,"short":-9223372036854775808})",
  };
  for (const std::string& text : kTexts) {
    EXPECT_EQ(MustParse(text).Serialize(), text);
  }
}

TEST(JsonRoundTripTest, WhitespaceIsDroppedAndOrderKept) {
  Json json = MustParse(" {\n \"z\" : 1 ,\t\"a\":[ 1 , 2 ] }\r\n");
  EXPECT_EQ(json.Serialize(), R"({"z":1,"a":[1,2]})");
  ASSERT_TRUE(json.is_object());
  ASSERT_EQ(json.object().size(), 2u);
  EXPECT_EQ(json.object()[0].first, "z");
  EXPECT_EQ(json.object()[1].first, "a");
}

TEST(JsonRoundTripTest, ParsedTypesAndValues) {
  Json json = MustParse(
      R"({"n":null,"t":true,"f":false,"i":-7,"d":2.5,"e":1e2,"s":"x\u00e9y",)"
      R"("a":[1],"o":{"k":"v"}})");
  EXPECT_TRUE(json.Find("n")->is_null());
  EXPECT_TRUE(json.Find("t")->bool_value());
  EXPECT_FALSE(json.Find("f")->bool_value());
  ASSERT_TRUE(json.Find("i")->is_integer());
  EXPECT_EQ(json.Find("i")->integer_value(), -7);
  EXPECT_EQ(json.Find("d")->type(), Json::Type::kDouble);
  EXPECT_EQ(json.Find("d")->number_value(), 2.5);
  // An exponent makes a double, even when the value is integral.
  EXPECT_EQ(json.Find("e")->type(), Json::Type::kDouble);
  EXPECT_EQ(json.Find("e")->number_value(), 100.0);
  EXPECT_EQ(json.Find("s")->string_value(), "x\xc3\xa9y");
  EXPECT_EQ(json.Find("a")->array().size(), 1u);
  EXPECT_EQ(json.Find("o")->Find("k")->string_value(), "v");
}

TEST(JsonRoundTripTest, BuiltValuesSurviveSerializeAndParse) {
  Json inner = Json::MakeObject();
  inner.Set("deep", Json::MakeArray({Json::Integer(1), Json::Double(0.25)}));
  Json json = Json::MakeObject();
  constexpr char kOddString[] = "nul\0and\x01\"\\/";
  json.Set("str",
           Json::String(std::string(kOddString, sizeof(kOddString) - 1)));
  json.Set("utf8", Json::String("\xf0\x9f\x98\x80"));
  json.Set("min", Json::Integer(std::numeric_limits<int64_t>::min()));
  json.Set("max", Json::Integer(std::numeric_limits<int64_t>::max()));
  json.Set("dbl", Json::Double(-1.5e-7));
  json.Set("big", Json::Double(1e300));
  json.Set("null", Json());
  json.Set("bool", Json::Bool(true));
  json.Set("inner", inner);
  const std::string text = json.Serialize();
  Json reparsed = MustParse(text);
  EXPECT_EQ(reparsed, json) << text;
  EXPECT_EQ(reparsed.Serialize(), text);
}

TEST(JsonRoundTripTest, SerializeEscapesControlCharactersAndQuotes) {
  EXPECT_EQ(Json::String("a\"b\\c\n\x01").Serialize(), R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(Json::String(std::string("\0", 1)).Serialize(), R"("\u0000")");
}

TEST(JsonRoundTripTest, EscapesDecode) {
  EXPECT_EQ(MustParse(R"("\u0041\/\u00e9")").string_value(), "A/\xc3\xa9");
  // A valid surrogate pair is one code point, U+1F600.
  EXPECT_EQ(MustParse(R"("\ud83d\ude00")").string_value(), "\xf0\x9f\x98\x80");
  EXPECT_EQ(MustParse(R"("\u0000")").string_value(), std::string("\0", 1));
}

TEST(JsonNumberTest, IntegersBeyondInt64BecomeDoubles) {
  Json max = MustParse("9223372036854775807");
  ASSERT_TRUE(max.is_integer());
  EXPECT_EQ(max.integer_value(), std::numeric_limits<int64_t>::max());
  Json min = MustParse("-9223372036854775808");
  ASSERT_TRUE(min.is_integer());
  EXPECT_EQ(min.integer_value(), std::numeric_limits<int64_t>::min());

  Json above = MustParse("9223372036854775808");
  EXPECT_EQ(above.type(), Json::Type::kDouble);
  EXPECT_EQ(above.number_value(), 9223372036854775808.0);
  Json below = MustParse("-9223372036854775809");
  EXPECT_EQ(below.type(), Json::Type::kDouble);
  EXPECT_EQ(below.number_value(), -9223372036854775808.0);
  Json huge = MustParse("18446744073709551616");
  EXPECT_EQ(huge.type(), Json::Type::kDouble);
  EXPECT_EQ(huge.number_value(), 18446744073709551616.0);
  Json enormous = MustParse("123456789012345678901234567890");
  EXPECT_EQ(enormous.type(), Json::Type::kDouble);
  EXPECT_EQ(enormous.number_value(), 123456789012345678901234567890.0);
}

TEST(JsonNumberTest, DoublesAreCorrectlyRounded) {
  EXPECT_EQ(MustParse("0.1").number_value(), 0.1);
  EXPECT_EQ(MustParse("2.2250738585072014e-308").number_value(),
            std::numeric_limits<double>::min());
  EXPECT_EQ(MustParse("1.7976931348623157e308").number_value(),
            std::numeric_limits<double>::max());
  EXPECT_EQ(MustParse("-0.0").number_value(), 0.0);
}

TEST(JsonNumberTest, RejectsNonFiniteAndOutOfRange) {
  for (const char* text :
       {"NaN", "nan", "Infinity", "-Infinity", "inf", "[NaN]",
        R"({"a":Infinity})", "1e400", "-1e400", "[1e309]"}) {
    ExpectRejected(text);
  }
}

TEST(JsonNumberTest, RejectsNonJsonNumberSyntax) {
  for (const char* text : {"01", "-01", "+1", ".5", "1.", "1.e5", "0x10", "1e",
                           "1e+", "-", "--1", "1_000"}) {
    ExpectRejected(text);
  }
}

TEST(JsonDuplicateTest, RejectsDuplicateNamesAtTopLevel) {
  ExpectRejected(R"({"a":1,"a":1})");
  ExpectRejected(R"({"a":1,"b":2,"a":3})");
  ExpectRejected(R"({"sub":"alice","sub":"mallory"})");
}

TEST(JsonDuplicateTest, RejectsDuplicateNamesInNestedObjects) {
  ExpectRejected(R"({"o":{"x":1,"x":2}})");
  ExpectRejected(R"([{"x":1,"x":2}])");
  ExpectRejected(R"({"a":[{"b":{"c":1,"c":1}}]})");
}

TEST(JsonDuplicateTest, ComparesDecodedNames) {
  ExpectRejected(R"({"a":1,"\u0061":2})");
  ExpectRejected(R"({"\u00e9":1,"é":2})");
}

TEST(JsonDuplicateTest, SameNameInSiblingObjectsIsFine) {
  MustParse(R"({"a":{"x":1},"b":{"x":2},"x":3})");
  MustParse(R"([{"x":1},{"x":2}])");
  MustParse(R"({"a":1,"A":2,"a ":3})");
}

TEST(JsonUtf8Test, RejectsInvalidRawUtf8) {
  const std::string kBad[] = {
      "\xc0\x80",              // Overlong NUL.
      "\xc1\xbf",              // Overlong U+007F.
      "\xe0\x80\x80",          // Overlong 3-byte.
      "\xf0\x80\x80\x80",      // Overlong 4-byte.
      "\xff",                  // Never valid.
      "\xfe",                  // Never valid.
      "\x80",                  // Lone continuation byte.
      "\xe2\x82",              // Truncated 3-byte sequence (of U+20AC).
      "\xf0\x9f\x98",          // Truncated 4-byte sequence (of U+1F600).
      "\xc3",                  // Truncated 2-byte sequence.
      "\xed\xa0\x80",          // Encoded high surrogate U+D800.
      "\xed\xbf\xbf",          // Encoded low surrogate U+DFFF.
      "\xf4\x90\x80\x80",      // U+110000, above the Unicode range.
      "\xf5\x80\x80\x80",      // Lead byte above F4.
      "\xf8\x88\x80\x80\x80",  // 5-byte form.
  };
  for (const std::string& bad : kBad) {
    ExpectRejected(absl::StrCat("\"", bad, "\""));             // In a string.
    ExpectRejected(absl::StrCat("{\"", bad, "\":1}"));         // In a name.
    ExpectRejected(absl::StrCat("{\"ok\":\"x", bad, "y\"}"));  // Mid-string.
    // Past the 8-byte ASCII fast path of the validator.
    ExpectRejected(absl::StrCat("\"0123456789abcdef", bad, "\""));
    EXPECT_FALSE(IsValidUtf8(bad)) << testing::PrintToString(bad);
    EXPECT_FALSE(IsValidUtf8(absl::StrCat("0123456789", bad)));
  }
}

TEST(JsonUtf8Test, AcceptsValidUtf8AtTheBoundaries) {
  const std::string kGood[] = {
      "\x7f",              // U+007F, last 1-byte.
      "\xc2\x80",          // U+0080, first 2-byte.
      "\xdf\xbf",          // U+07FF.
      "\xe0\xa0\x80",      // U+0800, first 3-byte.
      "\xed\x9f\xbf",      // U+D7FF, just below the surrogates.
      "\xee\x80\x80",      // U+E000, just above them.
      "\xef\xbf\xbf",      // U+FFFF.
      "\xf0\x90\x80\x80",  // U+10000, first 4-byte.
      "\xf4\x8f\xbf\xbf",  // U+10FFFF, the last code point.
  };
  for (const std::string& good : kGood) {
    EXPECT_TRUE(IsValidUtf8(good)) << testing::PrintToString(good);
    Json json = MustParse(absl::StrCat("\"", good, "\""));
    EXPECT_EQ(json.string_value(), good);
  }
}

TEST(JsonUtf8Test, RejectsLoneEscapedSurrogates) {
  ExpectRejected(R"("\ud800")");          // Lone high surrogate.
  ExpectRejected(R"("\udbff")");          // Lone high surrogate.
  ExpectRejected(R"("\udc00")");          // Lone low surrogate.
  ExpectRejected(R"("\udfff")");          // Lone low surrogate.
  ExpectRejected(R"("\ud800\u0041")");    // High then not-a-low.
  ExpectRejected(R"("\ud800\ud800")");    // High then high.
  ExpectRejected(R"("\udc00\ud800")");    // Reversed pair.
  ExpectRejected(R"({"\ud800":1})");      // In a member name.
  ExpectRejected(R"({"k":"a\udc00b"})");  // Low surrogate mid-string.
}

TEST(JsonLimitsTest, DepthExactlyAtTheLimitIsAccepted) {
  const JsonLimits defaults;
  ASSERT_EQ(defaults.max_depth, 16);
  MustParse(Nested(16));
  ExpectRejected(Nested(17));
  ExpectRejected(Nested(1000));

  // Objects and arrays both count.
  std::string mixed;
  for (int i = 0; i < 8; ++i) mixed += "{\"a\":[";
  for (int i = 0; i < 8; ++i) mixed += "]}";
  MustParse(mixed);  // 16 containers.
  ExpectRejected(absl::StrCat("[", mixed, "]"));
  ExpectRejected(absl::StrCat("{\"x\":", mixed, "}"));
}

TEST(JsonLimitsTest, DepthLimitIsConfigurable) {
  const JsonLimits two = {.max_bytes = 1024, .max_depth = 2};
  MustParse("[[1]]", two);
  MustParse(R"({"a":{"b":1}})", two);
  ExpectRejected("[[[1]]]", two);
  ExpectRejected(R"({"a":{"b":{}}})", two);
  const JsonLimits zero = {.max_bytes = 1024, .max_depth = 0};
  MustParse("1", zero);
  MustParse(R"("s")", zero);
  ExpectRejected("[]", zero);
  ExpectRejected("{}", zero);
}

TEST(JsonLimitsTest, SizeOverMaxBytesIsRejected) {
  const JsonLimits defaults;
  ASSERT_EQ(defaults.max_bytes, 8u * 1024);
  // A string literal of exactly max_bytes bytes, then one byte longer.
  const std::string at_limit =
      absl::StrCat("\"", std::string(defaults.max_bytes - 2, 'x'), "\"");
  ASSERT_EQ(at_limit.size(), defaults.max_bytes);
  MustParse(at_limit);
  const std::string over =
      absl::StrCat("\"", std::string(defaults.max_bytes - 1, 'x'), "\"");
  ExpectRejected(over);
  // Trailing whitespace counts too.
  ExpectRejected(absl::StrCat(at_limit, " "));

  const JsonLimits tiny = {.max_bytes = 4, .max_depth = 16};
  MustParse("[12]", tiny);
  ExpectRejected("[123]", tiny);
}

TEST(JsonSyntaxTest, RejectsTrailingContent) {
  for (const char* text : {"{} x", "{}{}", "1 2", "[]]", "{}}", "{},",
                           R"({"a":1} "b")", "null null", "truex"}) {
    ExpectRejected(text);
  }
}

TEST(JsonSyntaxTest, RejectsEmbeddedNul) {
  // RapidJSON treats NUL as the end of input; the parser must not.
  ExpectRejected(std::string("{}\0junk", 7));
  ExpectRejected(std::string("{}\0", 3));
  ExpectRejected(std::string("{} \0", 4));
  ExpectRejected(std::string("1\0", 2));
  ExpectRejected(std::string("\0{}", 3));
  ExpectRejected(std::string("\"a\0b\"", 5));  // Raw NUL in a string.
  ExpectRejected(std::string("{\"a\0\":1}", 8));
  ExpectRejected(std::string("[1,\0]", 5));
}

TEST(JsonSyntaxTest, RejectsComments) {
  for (const char* text : {"// c\n{}", "{}// c", "{/* c */}", "/* c */ 1",
                           "[1 /* c */]", "# c\n{}"}) {
    ExpectRejected(text);
  }
}

TEST(JsonSyntaxTest, RejectsSingleQuotes) {
  for (const char* text : {"'a'", "{'a':1}", R"({"a":'b'})", "['x']"}) {
    ExpectRejected(text);
  }
}

TEST(JsonSyntaxTest, RejectsRawControlCharactersInStrings) {
  for (int c = 0x01; c < 0x20; ++c) {
    ExpectRejected(
        absl::StrCat("\"a", std::string(1, static_cast<char>(c)), "b\""));
    ExpectRejected(
        absl::StrCat("{\"k", std::string(1, static_cast<char>(c)), "\":1}"));
  }
  // DEL is not a control character for JSON.
  EXPECT_EQ(MustParse("\"a\x7f\"").string_value(), "a\x7f");
}

TEST(JsonSyntaxTest, RejectsOtherNonJson) {
  for (const char* text : {"",
                           " ",
                           "{",
                           "}",
                           "[",
                           "[1,]",
                           R"({"a":1,})",
                           R"({"a"})",
                           R"({"a":})",
                           R"({a:1})",
                           R"({1:1})",
                           "True",
                           "NULL",
                           "undefined",
                           R"("\x41")",
                           R"("\u12")",
                           R"("\U0041")",
                           R"("abc)",
                           "[1 2]",
                           "\xef\xbb\xbf{}"}) {
    ExpectRejected(text);
  }
}

TEST(JsonAccessTest, FindReturnsMembersOrNull) {
  Json json = MustParse(R"({"a":1,"b":{"c":"d"},"":"empty"})");
  ASSERT_NE(json.Find("a"), nullptr);
  EXPECT_EQ(json.Find("a")->integer_value(), 1);
  EXPECT_EQ(json.Find("b")->Find("c")->string_value(), "d");
  EXPECT_EQ(json.Find("")->string_value(), "empty");
  EXPECT_EQ(json.Find("c"), nullptr);  // Only direct members.
  EXPECT_EQ(json.Find("A"), nullptr);  // Case-sensitive.
  EXPECT_EQ(json.Find(absl::string_view("a\0", 2)), nullptr);
  // Not an object: nullptr, never a crash.
  EXPECT_EQ(MustParse("[\"a\"]").Find("a"), nullptr);
  EXPECT_EQ(MustParse("\"a\"").Find("a"), nullptr);
  EXPECT_EQ(Json().Find("a"), nullptr);
}

TEST(JsonAccessTest, SetReplacesInPlaceAndAppendsNewNames) {
  Json json = MustParse(R"({"a":1,"b":2,"c":3})");
  json.Set("b", Json::String("two"));
  EXPECT_EQ(json.Serialize(), R"({"a":1,"b":"two","c":3})");
  json.Set("d", Json::Bool(false));
  EXPECT_EQ(json.Serialize(), R"({"a":1,"b":"two","c":3,"d":false})");
  json.Set("a", Json());
  EXPECT_EQ(json.Serialize(), R"({"a":null,"b":"two","c":3,"d":false})");
  EXPECT_EQ(json.object().size(), 4u);
  // Setting never creates a duplicate, so the result parses again.
  EXPECT_EQ(MustParse(json.Serialize()), json);

  Json empty = Json::MakeObject();
  empty.Set("x", Json::Integer(1));
  empty.Set("x", Json::Integer(2));
  EXPECT_EQ(empty.Serialize(), R"({"x":2})");
}

// Member names come from unauthenticated bytes (a token's header): an
// error names them escaped and cut, so they cannot forge log lines.
TEST(JsonErrorTest, UntrustedNamesAreEscapedAndCutInMessages) {
  const std::string name =
      "evil\\n{\\\"audit\\\":\\\"forged\\\"}" + std::string(200, 'x');
  const std::string text = absl::StrCat("{\"", name, "\":1,\"", name, "\":2}");
  absl::StatusOr<Json> parsed = ParseJson(text, {});
  ASSERT_FALSE(parsed.ok());
  const std::string message(parsed.status().message());
  EXPECT_THAT(message, ::testing::HasSubstr("duplicate member name"));
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find("\"audit\""), std::string::npos) << message;
  EXPECT_LT(message.size(), 120u) << message;
  EXPECT_EQ(QuoteUntrusted("a\x01\"b"), "\"a\\x01\\\"b\"");
  EXPECT_EQ(QuoteUntrusted(std::string(40, 'y')),
            absl::StrCat("\"", std::string(32, 'y'), "...\""));
}

TEST(JsonAccessTest, EqualityIsTypeAware) {
  EXPECT_EQ(Json::Integer(1), Json::Integer(1));
  EXPECT_FALSE(Json::Integer(1) == Json::Double(1.0));
  EXPECT_FALSE(Json::String("1") == Json::Integer(1));
  EXPECT_FALSE(MustParse(R"({"a":1,"b":2})") == MustParse(R"({"b":2,"a":1})"));
  EXPECT_EQ(Json::Integer(3).number_value(), 3.0);
}

}  // namespace
}  // namespace tessera::token
