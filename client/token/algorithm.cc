#include "client/token/algorithm.h"

namespace tessera::token {

absl::string_view AlgorithmName(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kES256:
      return "ES256";
    case Algorithm::kEdDSA:
      return "EdDSA";
    case Algorithm::kRS256:
      return "RS256";
  }
  return "";
}

std::optional<Algorithm> AlgorithmFromName(absl::string_view name) {
  if (name == "ES256") return Algorithm::kES256;
  if (name == "EdDSA" || name == "Ed25519") return Algorithm::kEdDSA;
  if (name == "RS256") return Algorithm::kRS256;
  return std::nullopt;
}

}  // namespace tessera::token
