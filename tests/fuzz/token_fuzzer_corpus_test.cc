// Runs the fuzz target over its seed corpus and every regression input in
// the normal test suite (any compiler, no libFuzzer), so an input that once
// crashed the codec keeps being checked. A crash or a broken invariant
// aborts the test.

#include <dirent.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> files;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* entry = readdir(d)) {
      std::string name = entry->d_name;
      if (name == "." || name == ".." || name == "README") continue;
      files.push_back(dir + "/" + name);
    }
    closedir(d);
  }
  return files;
}

std::string Runfile(const std::string& path) {
  return std::string(std::getenv("TEST_SRCDIR")) + "/" +
         std::getenv("TEST_WORKSPACE") + "/" + path;
}

TEST(TokenFuzzerCorpusTest, EverySeedAndRegressionRunsClean) {
  std::vector<std::string> files = FilesIn(Runfile("tests/fuzz/corpus/token"));
  ASSERT_GE(files.size(), 8u) << "seed corpus missing from runfiles";
  for (const std::string& file :
       FilesIn(Runfile("tests/fuzz/regressions/token"))) {
    files.push_back(file);
  }
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string input = bytes.str();
    SCOPED_TRACE(file);
    EXPECT_EQ(LLVMFuzzerTestOneInput(
                  reinterpret_cast<const uint8_t*>(input.data()), input.size()),
              0);
  }
}

}  // namespace
