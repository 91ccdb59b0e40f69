// Writes streams.json into the source tree:
//   bazel run //tests/conformance/streams:generate
// Every verdict in it is the C++ Verifier's (see scenarios.h).

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "tests/conformance/streams/replay.h"
#include "tests/conformance/streams/scenarios.h"

int main() {
  using namespace tessera::conformance::streams;
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  if (workspace == nullptr) {
    std::cerr
        << "run me with: bazel run //tests/conformance/streams:generate\n";
    return 2;
  }
  absl::StatusOr<StreamVectors> vectors = GenerateVectors();
  absl::StatusOr<std::string> json =
      vectors.ok() ? ToJson(*vectors) : vectors.status();
  if (!json.ok()) {
    std::cerr << json.status() << "\n";
    return 1;
  }
  const std::string path =
      std::string(workspace) + "/tests/conformance/streams/streams.json";
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << *json;
  out.close();
  if (!out) {
    std::cerr << "cannot write " << path << "\n";
    return 1;
  }
  std::cout << "wrote " << path << " (" << vectors->scenarios_size()
            << " scenarios)\n";
  return 0;
}
