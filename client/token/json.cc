#include "client/token/json.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/error/en.h"
#include "rapidjson/reader.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace tessera::token {

Json Json::Bool(bool value) {
  Json json;
  json.value_ = value;
  return json;
}
Json Json::Integer(int64_t value) {
  Json json;
  json.value_ = value;
  return json;
}
Json Json::Double(double value) {
  Json json;
  json.value_ = value;
  return json;
}
Json Json::String(std::string value) {
  Json json;
  json.value_ = std::move(value);
  return json;
}
Json Json::MakeArray(Array values) {
  Json json;
  json.value_ = std::move(values);
  return json;
}
Json Json::MakeObject(Object members) {
  Json json;
  json.value_ = std::move(members);
  return json;
}

Json::Type Json::type() const { return static_cast<Type>(value_.index()); }

double Json::number_value() const {
  if (is_integer()) return static_cast<double>(integer_value());
  return std::get<double>(value_);
}

const Json* Json::Find(absl::string_view name) const {
  if (!is_object()) return nullptr;
  for (const auto& [key, value] : object()) {
    if (key == name) return &value;
  }
  return nullptr;
}

void Json::Set(absl::string_view name, Json value) {
  Object& members = std::get<Object>(value_);
  for (auto& [key, existing] : members) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  members.emplace_back(std::string(name), std::move(value));
}

std::string QuoteUntrusted(absl::string_view untrusted) {
  constexpr size_t kMaxShown = 32;
  const bool cut = untrusted.size() > kMaxShown;
  return absl::StrCat("\"", absl::CHexEscape(untrusted.substr(0, kMaxShown)),
                      cut ? "...\"" : "\"");
}

bool IsValidUtf8(absl::string_view text) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // Fast path: eight ASCII bytes at a time (JWTs are almost all ASCII).
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, sizeof(word));
      if ((word & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    const uint8_t lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    int length;
    uint32_t code_point;
    if ((lead & 0xe0) == 0xc0) {
      length = 2;
      code_point = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      code_point = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return false;  // Continuation byte or 0xf8..0xff as a lead.
    }
    if (end - p < length) return false;
    for (int i = 1; i < length; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      code_point = (code_point << 6) | (p[i] & 0x3f);
    }
    constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinForLength[length] || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return false;  // Overlong, out of range, or a surrogate.
    }
    p += length;
  }
  return true;
}

namespace {

void Write(const Json& json, rapidjson::Writer<rapidjson::StringBuffer>& out) {
  switch (json.type()) {
    case Json::Type::kNull:
      out.Null();
      break;
    case Json::Type::kBool:
      out.Bool(json.bool_value());
      break;
    case Json::Type::kInteger:
      out.Int64(json.integer_value());
      break;
    case Json::Type::kDouble:
      out.Double(json.number_value());
      break;
    case Json::Type::kString:
      out.String(json.string_value().data(),
                 static_cast<rapidjson::SizeType>(json.string_value().size()));
      break;
    case Json::Type::kArray:
      out.StartArray();
      for (const Json& element : json.array()) Write(element, out);
      out.EndArray();
      break;
    case Json::Type::kObject:
      out.StartObject();
      for (const auto& [key, value] : json.object()) {
        out.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
        Write(value, out);
      }
      out.EndObject();
      break;
  }
}

// Builds a Json tree from SAX events, enforcing depth and unique names.
class TreeBuilder
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
 public:
  explicit TreeBuilder(int max_depth) : max_depth_(max_depth) {}

  bool Null() { return Add(Json()); }
  bool Bool(bool b) { return Add(Json::Bool(b)); }
  bool Int(int i) { return Add(Json::Integer(i)); }
  bool Uint(unsigned u) { return Add(Json::Integer(u)); }
  bool Int64(int64_t i) { return Add(Json::Integer(i)); }
  bool Uint64(uint64_t u) {
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Add(Json::Double(static_cast<double>(u)));
    }
    return Add(Json::Integer(static_cast<int64_t>(u)));
  }
  bool Double(double d) { return Add(Json::Double(d)); }
  // The grammar is already checked; only the value is computed here.
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    const absl::string_view text(s, n);
    if (text.find_first_of(".eE") == absl::string_view::npos) {
      int64_t integer;
      if (absl::SimpleAtoi(text, &integer)) return Add(Json::Integer(integer));
    }
    double value;
    if (!absl::SimpleAtod(text, &value) || !std::isfinite(value)) {
      error_ = "number out of range";
      return false;
    }
    return Add(Json::Double(value));
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (!CheckDecoded(s, n)) return false;
    return Add(Json::String(std::string(s, n)));
  }
  bool StartObject() {
    Json::Object members;
    members.reserve(16);  // A JWT payload has about a dozen claims.
    return Open(Json::MakeObject(std::move(members)));
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (!CheckDecoded(s, n)) return false;
    const absl::string_view name(s, n);
    Frame& frame = stack_.back();
    if (frame.value.Find(name) != nullptr) {
      error_ = absl::StrCat("duplicate member name ", QuoteUntrusted(name));
      return false;
    }
    frame.pending_key.assign(s, n);
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool StartArray() { return Open(Json::MakeArray()); }
  bool EndArray(rapidjson::SizeType) { return Close(); }

  Json& result() { return result_; }
  const std::string& error() const { return error_; }

 private:
  struct Frame {
    Json value;
    std::string pending_key;
  };

  // RapidJSON validates the raw input but decodes an escaped lone low
  // surrogate ("\ude00") into bytes that are not UTF-8; check the result.
  bool CheckDecoded(const char* s, size_t n) {
    if (IsValidUtf8(absl::string_view(s, n))) return true;
    error_ = "string escapes decode to invalid UTF-8 (lone surrogate)";
    return false;
  }

  bool Open(Json container) {
    if (static_cast<int>(stack_.size()) >= max_depth_) {
      error_ = absl::StrCat("nesting deeper than ", max_depth_);
      return false;
    }
    stack_.push_back({std::move(container), ""});
    return true;
  }

  bool Close() {
    Json done = std::move(stack_.back().value);
    stack_.pop_back();
    return Add(std::move(done));
  }

  bool Add(Json value) {
    if (stack_.empty()) {
      result_ = std::move(value);
      return true;
    }
    Frame& frame = stack_.back();
    if (frame.value.is_array()) {
      frame.value.mutable_array().push_back(std::move(value));
    } else {
      frame.value.AppendUnique(std::move(frame.pending_key), std::move(value));
    }
    return true;
  }

  int max_depth_;
  std::vector<Frame> stack_;
  Json result_;
  std::string error_;
};

}  // namespace

std::string Json::Serialize() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  Write(*this, writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<Json> ParseJson(absl::string_view text,
                               const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON longer than ", limits.max_bytes, " bytes"));
  }
  // The whole input is checked here, faster than RapidJSON's per-character
  // validation; escapes are checked as strings are decoded (CheckDecoded).
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError("invalid JSON: not valid UTF-8");
  }
  TreeBuilder builder(limits.max_depth);
  rapidjson::MemoryStream stream(text.data(), text.size());
  rapidjson::Reader reader;
  // Numbers arrive as text (RawNumber) and are converted by Abseil, which
  // rounds correctly: RapidJSON's own fast conversion may be off by an ULP,
  // and its full-precision mode trips undefined behaviour on "0e89".
  // The recursive parser (faster than the iterative one) is safe: the
  // handler refuses to open a container beyond max_depth, which stops the
  // recursion there.
  constexpr unsigned kFlags = rapidjson::kParseNumbersAsStringsFlag;
  rapidjson::ParseResult parsed = reader.Parse<kFlags>(stream, builder);
  if (parsed.IsError()) {
    std::string why = builder.error().empty()
                          ? rapidjson::GetParseError_En(parsed.Code())
                          : builder.error();
    return absl::InvalidArgumentError(
        absl::StrCat("invalid JSON at offset ", parsed.Offset(), ": ", why));
  }
  // RapidJSON reads a NUL byte as the end of input: "{}\0junk" must not
  // pass as "{}".
  if (stream.Tell() != text.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid JSON at offset ", stream.Tell(), ": content after the value"));
  }
  return std::move(builder.result());
}

}  // namespace tessera::token
