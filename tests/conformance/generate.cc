// Writes tokens.json and http.json into the source tree:
//
//   bazel run //tests/conformance:generate
//
// Reads the current tokens.json first to keep its ES256 signatures where
// they still fit (see vectors.h), so an unchanged codec leaves no diff.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tests/conformance/vectors.h"

namespace {

std::string ReadIfPresent(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whole or not at all: a temporary file renamed over the old one.
absl::Status WriteFile(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
      return absl::InternalError(absl::StrCat("cannot write ", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot rename onto ", path));
  }
  return absl::OkStatus();
}

}  // namespace

int main() {
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  if (workspace == nullptr) {
    std::fprintf(stderr, "run as: bazel run //tests/conformance:generate\n");
    return 2;
  }
  const std::string tokens_path =
      absl::StrCat(workspace, "/", tessera::conformance::kTokensPath);
  const std::string http_path =
      absl::StrCat(workspace, "/", tessera::conformance::kHttpPath);
  absl::StatusOr<std::string> tokens =
      tessera::conformance::TokenVectorsJson(ReadIfPresent(tokens_path));
  if (!tokens.ok()) {
    std::fprintf(stderr, "%s: %s (delete it to start afresh)\n",
                 tokens_path.c_str(), tokens.status().ToString().c_str());
    return 1;
  }
  for (const auto& [path, text] :
       {std::pair<std::string, std::string>{tokens_path, *tokens},
        {http_path, tessera::conformance::HttpVectorsJson()}}) {
    if (absl::Status written = WriteFile(path, text); !written.ok()) {
      std::fprintf(stderr, "%s\n", written.ToString().c_str());
      return 1;
    }
    std::printf("wrote %s (%zu bytes)\n", path.c_str(), text.size());
  }
  return 0;
}
