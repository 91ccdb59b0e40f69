#include "tests/testing/api_key.h"

#include <fstream>

#include "absl/time/time.h"
#include "tests/testing/subprocess.h"

namespace tessera::testing {

std::string ApiKeySha256(const std::string& key) {
  const std::string file = NewTempPath("api-key") + ".txt";
  std::ofstream(file, std::ios::binary) << key;
  auto run = RunToExit({"sha256sum", file}, absl::Seconds(10));
  return run.ok() && run->exit_code == 0 ? run->output.substr(0, 64) : "";
}

}  // namespace tessera::testing
