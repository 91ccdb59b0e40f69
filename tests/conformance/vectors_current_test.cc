// The checked-in vectors are what the generator makes from today's code:
// change the codec, the token cases or the HTTP helper without running
// `bazel run //tests/conformance:generate`, and this fails.

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/token/json.h"
#include "gtest/gtest.h"
#include "tests/conformance/vectors.h"

namespace tessera::conformance {
namespace {

// Fails naming the first line that differs.
void ExpectCurrent(const std::string& checked_in, const std::string& fresh,
                   absl::string_view path) {
  if (checked_in == fresh) return;
  const std::vector<absl::string_view> old_lines =
      absl::StrSplit(checked_in, '\n');
  const std::vector<absl::string_view> new_lines = absl::StrSplit(fresh, '\n');
  size_t line = 0;
  while (line < old_lines.size() && line < new_lines.size() &&
         old_lines[line] == new_lines[line]) {
    ++line;
  }
  auto show = [&](const std::vector<absl::string_view>& lines) {
    return line < lines.size() ? std::string(lines[line].substr(0, 160))
                               : std::string("(end of file)");
  };
  ADD_FAILURE() << path << " is stale: run `bazel run "
                << "//tests/conformance:generate` and commit the result.\n"
                << "First difference at line " << line + 1
                << ":\n  checked in: " << show(old_lines)
                << "\n  generated:  " << show(new_lines);
}

token::Json& Member(token::Json& object, absl::string_view name) {
  for (auto& [key, value] : object.mutable_object()) {
    if (key == name) return value;
  }
  ADD_FAILURE() << "no member " << name;
  static token::Json none;
  return none;
}

// The document with every ES256 vector's token cut after its second '.'
// (the signature and anything after it), pretty-printed.
std::string WithoutEs256Signatures(const std::string& text) {
  absl::StatusOr<token::Json> json = token::ParseJson(text, kVectorFileLimits);
  EXPECT_TRUE(json.ok()) << json.status();
  if (!json.ok()) return "";
  for (token::Json& vector : Member(*json, "vectors").mutable_array()) {
    if (!absl::StartsWith(Member(vector, "name").string_value(), "ES256/")) {
      continue;
    }
    std::string& jwt = Member(vector, "token").mutable_string();
    const size_t first = jwt.find('.');
    const size_t second =
        first == std::string::npos ? first : jwt.find('.', first + 1);
    if (second != std::string::npos) jwt.resize(second + 1);
  }
  return PrettyJson(*json);
}

TEST(VectorsCurrentTest, TokensJsonIsCurrent) {
  const std::string checked_in = ReadRunfile(kTokensPath);
  ASSERT_FALSE(checked_in.empty()) << kTokensPath << " missing";
  absl::StatusOr<std::string> fresh = TokenVectorsJson(checked_in);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  ExpectCurrent(checked_in, *fresh, kTokensPath);
}

TEST(VectorsCurrentTest, HttpJsonIsCurrent) {
  const std::string checked_in = ReadRunfile(kHttpPath);
  ASSERT_FALSE(checked_in.empty()) << kHttpPath << " missing";
  ExpectCurrent(checked_in, HttpVectorsJson(), kHttpPath);
}

// Keeping published ES256 signatures hides nothing: made from scratch, the
// vectors differ from the checked-in ones in ES256 signatures only.
TEST(VectorsCurrentTest, FromScratchOnlyEs256SignaturesDiffer) {
  const std::string checked_in = ReadRunfile(kTokensPath);
  absl::StatusOr<std::string> scratch = TokenVectorsJson("");
  ASSERT_TRUE(scratch.ok()) << scratch.status();
  EXPECT_NE(*scratch, checked_in);  // ECDSA: fresh nonces.
  ExpectCurrent(WithoutEs256Signatures(checked_in),
                WithoutEs256Signatures(*scratch),
                "tokens.json without ES256 signatures");
}

// A generation is a fixed point of the next one.
TEST(VectorsCurrentTest, RegeneratingFreshVectorsChangesNothing) {
  absl::StatusOr<std::string> first = TokenVectorsJson("");
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::string> second = TokenVectorsJson(*first);
  ASSERT_TRUE(second.ok()) << second.status();
  ExpectCurrent(*first, *second, "tokens.json made twice");
}

TEST(VectorsCurrentTest, APreviousFileThatIsNotJsonIsAnError) {
  EXPECT_FALSE(TokenVectorsJson("{not json").ok());
}

}  // namespace
}  // namespace tessera::conformance
