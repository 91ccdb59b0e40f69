#ifndef TESSERA_TESTS_TESTING_API_KEY_H_
#define TESSERA_TESTS_TESTING_API_KEY_H_

// The api_key_sha256 a --config file holds for an API key, made the way the
// README tells operators to make it (`printf %s "$KEY" | sha256sum`), so
// tests check tesserad's hashing against an independent tool.

#include <string>

namespace tessera::testing {

// Lowercase hex SHA-256 of `key`; empty if sha256sum could not run.
std::string ApiKeySha256(const std::string& key);

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_TESTING_API_KEY_H_
