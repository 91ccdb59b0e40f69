#include "tests/testing/fixtures.h"

#include <fstream>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "client/token/base64url.h"
#include "client/token/json.h"
#include "tests/testing/subprocess.h"

namespace tessera::testing {

std::string ShellQuote(const std::string& arg) {
  return absl::StrCat("'", absl::StrReplaceAll(arg, {{"'", "'\\''"}}), "'");
}

std::string WriteTempFile(const std::string& prefix, const std::string& text) {
  const std::string path = NewTempPath(prefix);
  std::ofstream(path) << text;
  return path;
}

std::string KidOf(const std::string& token) {
  std::optional<std::string> header =
      token::Base64UrlDecode(token.substr(0, token.find('.')));
  if (!header.has_value()) return "";
  absl::StatusOr<token::Json> json = token::ParseJson(*header);
  if (!json.ok()) return "";
  const token::Json* kid = json->Find("kid");
  return kid != nullptr && kid->is_string() ? kid->string_value() : "";
}

double MetricValue(const std::string& page, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (absl::ConsumePrefix(&line, series + " ")) {
      double value = -1;
      if (absl::SimpleAtod(line, &value)) return value;
    }
  }
  return -1;
}

}  // namespace tessera::testing
