// Strict unpadded base64url (RFC 7515 §2, RFC 4648 §5): every byte string
// has exactly one accepted spelling.

#include "client/token/base64url.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tessera::token {
namespace {

using ::testing::Optional;

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string RandomBytes(std::mt19937& rng, size_t length) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::string out(length, '\0');
  for (char& c : out) c = static_cast<char>(byte(rng));
  return out;
}

TEST(Base64UrlTest, RoundTripsRandomBytesOfEveryLengthUpTo64) {
  std::mt19937 rng(20261125);
  for (size_t length = 0; length <= 64; ++length) {
    for (int trial = 0; trial < 16; ++trial) {
      const std::string bytes = RandomBytes(rng, length);
      const std::string encoded = Base64UrlEncode(bytes);
      // Unpadded: ceil(4n/3) characters, all from the url alphabet.
      EXPECT_EQ(encoded.size(), (4 * length + 2) / 3) << "length " << length;
      EXPECT_EQ(encoded.find_first_not_of(kAlphabet), std::string::npos)
          << encoded;
      // Independent reference: Abseil's unpadded web-safe encoder.
      EXPECT_EQ(encoded, absl::WebSafeBase64Escape(bytes));
      EXPECT_THAT(Base64UrlDecode(encoded), Optional(bytes))
          << "length " << length;
    }
  }
}

TEST(Base64UrlTest, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_THAT(Base64UrlDecode(Base64UrlEncode(all)), Optional(all));
}

// RFC 4648 §10 test vectors, with padding removed (RFC 7515 §2).
TEST(Base64UrlTest, Rfc4648Section10VectorsWithoutPadding) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},
      {"f", "Zg"},
      {"fo", "Zm8"},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg"},
      {"fooba", "Zm9vYmE"},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    EXPECT_THAT(Base64UrlDecode(encoded), Optional(std::string(plain)));
  }
}

// RFC 4648 §5: the url alphabet uses '-' and '_' for values 62 and 63.
TEST(Base64UrlTest, UrlAlphabetForValues62And63) {
  const std::string fb_ff("\xfb\xff", 2);  // Standard base64: "+/8=".
  EXPECT_EQ(Base64UrlEncode(fb_ff), "-_8");
  EXPECT_THAT(Base64UrlDecode("-_8"), Optional(fb_ff));
  const std::string ff_ff_fe("\xff\xff\xfe", 3);  // Standard: "///+".
  EXPECT_EQ(Base64UrlEncode(ff_ff_fe), "___-");
  EXPECT_THAT(Base64UrlDecode("___-"), Optional(ff_ff_fe));
}

TEST(Base64UrlTest, RejectsPadding) {
  EXPECT_EQ(Base64UrlDecode("Zg=="), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zg="), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm8="), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9v===="), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("===="), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("="), std::nullopt);
}

TEST(Base64UrlTest, RejectsStandardAlphabetPlusAndSlash) {
  EXPECT_EQ(Base64UrlDecode("+_8"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("-/8"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("+/8"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("///+"), std::nullopt);
}

// Replacing any one character of a valid encoding (same length) or inserting
// one (new length) with a character outside the alphabet must fail.
TEST(Base64UrlTest, RejectsAForeignCharacterAtAnyPosition) {
  const std::string valid = "Zm9vYmFyYmF6cXV4";  // "foobarbazqux"
  ASSERT_TRUE(Base64UrlDecode(valid).has_value());
  const std::string kForeign[] = {" ",
                                  "\n",
                                  "\r",
                                  "\t",
                                  "\v",
                                  "\f",
                                  "=",
                                  "+",
                                  "/",
                                  ".",
                                  std::string(1, '\0'),
                                  "\x80",
                                  "\xc3",
                                  "\xff"};
  for (const std::string& bad : kForeign) {
    for (size_t i = 0; i < valid.size(); ++i) {
      std::string replaced = valid;
      replaced[i] = bad[0];
      EXPECT_EQ(Base64UrlDecode(replaced), std::nullopt)
          << "replaced position " << i << " with byte "
          << static_cast<int>(static_cast<uint8_t>(bad[0]));
    }
    for (size_t i = 0; i <= valid.size(); ++i) {
      std::string inserted = valid;
      inserted.insert(i, bad);
      EXPECT_EQ(Base64UrlDecode(inserted), std::nullopt)
          << "inserted byte " << static_cast<int>(static_cast<uint8_t>(bad[0]))
          << " at " << i;
    }
  }
}

TEST(Base64UrlTest, RejectsWhitespaceEvenInAFourCharacterGroup) {
  // Length stays a multiple of 4, so only the alphabet check can refuse.
  EXPECT_EQ(Base64UrlDecode("Zm9 "), std::nullopt);
  EXPECT_EQ(Base64UrlDecode(" Zm9"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9v\r\nYmFy"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9v\nYmF"), std::nullopt);
}

TEST(Base64UrlTest, RejectsNulBytes) {
  EXPECT_EQ(Base64UrlDecode(std::string("Zm\0v", 4)), std::nullopt);
  EXPECT_EQ(Base64UrlDecode(std::string("Zm9v\0", 5)), std::nullopt);
  EXPECT_EQ(Base64UrlDecode(std::string("\0\0\0\0", 4)), std::nullopt);
  // A NUL after a valid prefix must not end the input early.
  EXPECT_EQ(Base64UrlDecode(std::string("Zm9v\0\0\0\0", 8)), std::nullopt);
}

TEST(Base64UrlTest, RejectsEveryNonAsciiByte) {
  for (int byte = 0x80; byte <= 0xff; ++byte) {
    std::string text = "Zm9v";
    text[1] = static_cast<char>(byte);
    EXPECT_EQ(Base64UrlDecode(text), std::nullopt) << byte;
  }
  EXPECT_EQ(Base64UrlDecode("Zm9v\xc3\xa9"), std::nullopt);  // "é"
}

TEST(Base64UrlTest, AcceptsExactlyTheAlphabet) {
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    // "A" + c + "AA" decodes iff c is in the alphabet (no spare bits here).
    const std::string text = std::string("A") + c + "AA";
    const bool in_alphabet =
        std::string(kAlphabet).find(c) != std::string::npos && byte != 0;
    EXPECT_EQ(Base64UrlDecode(text).has_value(), in_alphabet) << byte;
  }
}

TEST(Base64UrlTest, RejectsLengthOneModFour) {
  EXPECT_EQ(Base64UrlDecode("A"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Q"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("AAAAA"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9vYmFyZ"), std::nullopt);
  // The valid neighbours of those lengths.
  EXPECT_THAT(Base64UrlDecode(""), Optional(std::string()));
  EXPECT_THAT(Base64UrlDecode("AAAA"), Optional(std::string(3, '\0')));
  EXPECT_THAT(Base64UrlDecode("AAAAAA"), Optional(std::string(4, '\0')));
}

TEST(Base64UrlTest, RejectsNonZeroSpareBits) {
  // Two characters carry one byte and four spare bits.
  EXPECT_THAT(Base64UrlDecode("QQ"), Optional(std::string("A")));
  EXPECT_EQ(Base64UrlDecode("QR"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("QB"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Q_"), std::nullopt);
  // Three characters carry two bytes and two spare bits.
  EXPECT_THAT(Base64UrlDecode("QUI"), Optional(std::string("AB")));
  EXPECT_EQ(Base64UrlDecode("QUJ"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("QUK"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("QUL"), std::nullopt);
  // The same after full groups.
  EXPECT_THAT(Base64UrlDecode("Zm9vZg"), Optional(std::string("foof")));
  EXPECT_EQ(Base64UrlDecode("Zm9vZh"), std::nullopt);
}

// Exhaustively: of all 64 final characters, exactly the canonical ones are
// accepted, and each accepted string re-encodes to itself.
TEST(Base64UrlTest, EveryAcceptedTailIsCanonical) {
  for (const std::string prefix : {"Q", "QU"}) {
    int accepted = 0;
    for (const char* c = kAlphabet; *c != '\0'; ++c) {
      const std::string text = prefix + *c;
      std::optional<std::string> decoded = Base64UrlDecode(text);
      if (!decoded.has_value()) continue;
      ++accepted;
      EXPECT_EQ(Base64UrlEncode(*decoded), text);
    }
    // 4 spare bits leave 64/16 = 4 accepted; 2 spare bits leave 64/4 = 16.
    EXPECT_EQ(accepted, prefix.size() == 1 ? 4 : 16) << prefix;
  }
}

}  // namespace
}  // namespace tessera::token
