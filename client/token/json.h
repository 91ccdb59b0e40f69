#ifndef TESSERA_CLIENT_TOKEN_JSON_H_
#define TESSERA_CLIENT_TOKEN_JSON_H_

// Strict JSON (RFC 8259) for JOSE headers, JWT claims and JWKs.
//
// Parsing uses RapidJSON's SAX reader (Debian's rapidjson-dev). Why
// RapidJSON: it is header-only with no runtime to link (so the token library
// builds the same against OpenSSL or BoringSSL), its SAX interface lets us
// reject duplicate member names and excessive nesting *while* parsing
// (nlohmann::json silently keeps the last duplicate; simdjson needs padded
// input and has no duplicate detection), and it validates UTF-8 with
// kParseValidateEncodingFlag, including escaped surrogates.
//
// Rejected: invalid UTF-8 (raw or escaped), duplicate member names in any
// object, nesting deeper than `max_depth`, input longer than `max_bytes`,
// NaN/Infinity, trailing content, comments. Objects keep insertion order.

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tessera::token {

class Json {
 public:
  enum class Type { kNull, kBool, kInteger, kDouble, kString, kArray, kObject };
  using Array = std::vector<Json>;
  // Member names are unique (the parser guarantees it; Set() keeps it so).
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() = default;  // null
  static Json Bool(bool value);
  static Json Integer(int64_t value);
  static Json Double(double value);
  static Json String(std::string value);
  static Json MakeArray(Array values = {});
  static Json MakeObject(Object members = {});

  Type type() const;
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_integer() const { return type() == Type::kInteger; }
  bool is_number() const {
    return type() == Type::kInteger || type() == Type::kDouble;
  }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Accessors; calling one for the wrong type is a programming error.
  bool bool_value() const { return std::get<bool>(value_); }
  int64_t integer_value() const { return std::get<int64_t>(value_); }
  double number_value() const;  // Integer or double.
  const std::string& string_value() const {
    return std::get<std::string>(value_);
  }
  const Array& array() const { return std::get<Array>(value_); }
  const Object& object() const { return std::get<Object>(value_); }

  // Mutable access for building and for moving values out; the same type
  // rules apply. Callers must keep member names unique.
  std::string& mutable_string() { return std::get<std::string>(value_); }
  Array& mutable_array() { return std::get<Array>(value_); }
  Object& mutable_object() { return std::get<Object>(value_); }

  // Object member lookup; nullptr if absent or not an object.
  const Json* Find(absl::string_view name) const;
  // Sets (replacing) an object member. Requires is_object().
  void Set(absl::string_view name, Json value);
  // Appends a member known not to be present (the parser checked).
  void AppendUnique(std::string name, Json value) {
    std::get<Object>(value_).emplace_back(std::move(name), std::move(value));
  }

  // Compact serialization (no whitespace), members in order.
  std::string Serialize() const;

  friend bool operator==(const Json& a, const Json& b) {
    return a.value_ == b.value_;
  }

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, Array,
               Object>
      value_;
};

struct JsonLimits {
  size_t max_bytes = 8 * 1024;
  int max_depth = 16;  // Containers nested in containers.
};

// True iff `text` is well-formed UTF-8: no overlong forms, no surrogates,
// nothing above U+10FFFF.
bool IsValidUtf8(absl::string_view text);

// `untrusted` as it may appear in an error message: in double quotes, at
// most 32 bytes of it, C-escaped (no control characters, quotes or invalid
// UTF-8 reach a log line), with "..." when cut.
std::string QuoteUntrusted(absl::string_view untrusted);

// Parses one JSON value. INVALID_ARGUMENT with a short reason on failure.
absl::StatusOr<Json> ParseJson(absl::string_view text,
                               const JsonLimits& limits = {});

}  // namespace tessera::token

#endif  // TESSERA_CLIENT_TOKEN_JSON_H_
