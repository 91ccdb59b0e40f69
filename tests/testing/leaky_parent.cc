// For tesserad_process_test: starts tesserad on the data dir argv[1], prints
// "serving <pid>" and ends without running a destructor, as a benchmark
// whose TesseradProcess sits in a leaked static does (or one that aborts).
// The server must not outlive it.

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "tests/testing/tesserad_process.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto server = tessera::testing::TesseradProcess::Start({.data_dir = argv[1]});
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  std::printf("serving %d\n", static_cast<int>((*server)->pid()));
  std::fflush(stdout);
  new auto(*std::move(server));  // Leaked: ~TesseradProcess never runs.
  std::_Exit(0);
}
