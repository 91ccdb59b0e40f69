#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/conformance/vectors.h"

namespace tessera::conformance {
namespace {

using token::Json;

bool IsContainer(const Json& json) {
  return json.is_array() || json.is_object();
}

void Write(const Json& json, int indent, std::string& out) {
  const std::string inner(indent + 2, ' ');
  if (json.is_object() && !json.object().empty()) {
    out += "{\n";
    bool first = true;
    for (const auto& [name, value] : json.object()) {
      if (!first) out += ",\n";
      first = false;
      absl::StrAppend(&out, inner, Json::String(name).Serialize(), ": ");
      Write(value, indent + 2, out);
    }
    absl::StrAppend(&out, "\n", std::string(indent, ' '), "}");
    return;
  }
  if (json.is_array() && !json.array().empty()) {
    bool flat = true;
    for (const Json& element : json.array())
      flat = flat && !IsContainer(element);
    out += flat ? "[" : "[\n";
    bool first = true;
    for (const Json& element : json.array()) {
      if (!first) out += flat ? ", " : ",\n";
      first = false;
      if (!flat) out += inner;
      Write(element, indent + 2, out);
    }
    if (!flat) absl::StrAppend(&out, "\n", std::string(indent, ' '));
    out += "]";
    return;
  }
  out += json.Serialize();  // Scalars, {} and [].
}

}  // namespace

std::string ReadRunfile(absl::string_view path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) return "";
  std::ifstream in(absl::StrCat(srcdir, "/", workspace, "/", path),
                   std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string PrettyJson(const Json& json) {
  std::string out;
  Write(json, 0, out);
  return out + "\n";
}

}  // namespace tessera::conformance
