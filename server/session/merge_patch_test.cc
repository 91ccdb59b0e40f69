#include "server/session/merge_patch.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace tessera::session {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using google::protobuf::util::MessageDifferencer;

template <typename Message>
Message Parse(const std::string& json) {
  Message message;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &message).ok())
      << json;
  return message;
}

template <typename Message>
std::string Print(const Message& message) {
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &json).ok());
  return json;
}

// Applies `patch` to `target` (JSON texts) and compares with `expected`.
void ExpectPatched(const std::string& target, const std::string& patch,
                   const std::string& expected) {
  const Value result =
      ApplyMergePatch(Parse<Value>(target), Parse<Value>(patch));
  EXPECT_TRUE(MessageDifferencer::Equals(result, Parse<Value>(expected)))
      << target << " patched with " << patch << " is " << Print(result)
      << ", expected " << expected;
}

// RFC 7396 Appendix A, every row, in its order.
TEST(MergePatchTest, Rfc7396AppendixA) {
  ExpectPatched(R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})");
  ExpectPatched(R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})");
  ExpectPatched(R"({"a":"b"})", R"({"a":null})", R"({})");
  ExpectPatched(R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})");
  ExpectPatched(R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})");
  ExpectPatched(R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})");
  ExpectPatched(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})",
                R"({"a":{"b":"d"}})");
  ExpectPatched(R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})");
  ExpectPatched(R"(["a","b"])", R"(["c","d"])", R"(["c","d"])");
  ExpectPatched(R"({"a":"b"})", R"(["c"])", R"(["c"])");
  ExpectPatched(R"({"a":"foo"})", "null", "null");
  ExpectPatched(R"({"a":"foo"})", R"("bar")", R"("bar")");
  ExpectPatched(R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})");
  ExpectPatched("[1,2]", R"({"a":"b","c":null})", R"({"a":"b"})");
  ExpectPatched("{}", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})");
}

// The worked example of RFC 7396 section 3.
TEST(MergePatchTest, Rfc7396Section3Example) {
  ExpectPatched(
      R"({"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},
          "tags":["example","sample"],"content":"This will be unchanged"})",
      R"({"title":"Hello!","phoneNumber":"+01-123-456-7890",
          "author":{"familyName":null},"tags":["example"]})",
      R"({"title":"Hello!","author":{"givenName":"John"},"tags":["example"],
          "content":"This will be unchanged","phoneNumber":"+01-123-456-7890"})");
}

TEST(MergePatchTest, NullAtTopLevelDeletesTheClaim) {
  const Struct result =
      ApplyMergePatch(Parse<Struct>(R"({"role":"admin","email":"a@x"})"),
                      Parse<Struct>(R"({"role":null,"missing":null})"));
  EXPECT_TRUE(
      MessageDifferencer::Equals(result, Parse<Struct>(R"({"email":"a@x"})")))
      << Print(result);
}

TEST(MergePatchTest, EmptyPatchChangesNothing) {
  const Struct target = Parse<Struct>(R"({"a":{"b":[1,2]},"c":null})");
  EXPECT_TRUE(
      MessageDifferencer::Equals(ApplyMergePatch(target, Struct()), target));
}

TEST(MergePatchTest, ObjectPatchOnAScalarMemberStartsFromAnEmptyObject) {
  ExpectPatched(R"({"a":1,"keep":true})", R"({"a":{"b":2,"gone":null}})",
                R"({"a":{"b":2},"keep":true})");
}

TEST(MergePatchTest, NullsInsideArraysAreKept) {
  // An array is a value like any other: it replaces, nulls and all.
  ExpectPatched(R"({"a":[1,2]})", R"({"a":[3,null,{"b":null}]})",
                R"({"a":[3,null,{"b":null}]})");
}

TEST(MergePatchTest, NonObjectPatchReplacesWhole) {
  ExpectPatched(R"({"a":{"b":1}})", "42", "42");
  ExpectPatched(R"({"a":{"b":1}})", "true", "true");
  ExpectPatched(R"({"a":{"b":1}})", R"({"a":"flat"})", R"({"a":"flat"})");
}

TEST(MergePatchTest, ValueWithoutKindCountsAsNull) {
  Struct patch;
  (*patch.mutable_fields())["a"];  // Kind not set.
  const Struct result =
      ApplyMergePatch(Parse<Struct>(R"({"a":1,"b":2})"), patch);
  EXPECT_TRUE(MessageDifferencer::Equals(result, Parse<Struct>(R"({"b":2})")))
      << Print(result);
}

// Builds {"n":{"n":...{"n":leaf}...}} nested `depth` objects deep.
std::string Nested(int depth, const std::string& leaf) {
  std::string json = leaf;
  for (int i = 0; i < depth; ++i) json = absl::StrCat(R"({"n":)", json, "}");
  return json;
}

TEST(MergePatchTest, DeepNestingMergesAtEveryLevel) {
  // 16 levels: the claims depth limit. The patch changes the innermost
  // member and deletes a sibling at every level but the top.
  std::string target = R"({"leaf":1,"sibling":"x"})";
  std::string patch = R"({"leaf":2,"sibling":null})";
  std::string expected = R"({"leaf":2})";
  for (int level = 1; level < 16; ++level) {
    target = absl::StrCat(R"({"n":)", target, R"(,"sibling":"x"})");
    patch = absl::StrCat(R"({"n":)", patch, R"(,"sibling":null})");
    expected = absl::StrCat(R"({"n":)", expected, "}");
  }
  ExpectPatched(target, patch, expected);
  // Into an empty target the patch builds the whole path, without nulls.
  ExpectPatched("{}", Nested(16, R"({"x":null,"y":1})"),
                Nested(16, R"({"y":1})"));
}

}  // namespace
}  // namespace tessera::session
