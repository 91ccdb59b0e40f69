#ifndef TESSERA_TESTS_CONFORMANCE_VECTORS_H_
#define TESSERA_TESTS_CONFORMANCE_VECTORS_H_

// The conformance vectors client libraries in other languages run:
// tokens.json (what the C++ codec and Verifier decide about each token) and
// http.json (what an HTTP middleware answers for each Authorization field
// and verdict). Both are made here from the real C++ code, written into the
// source tree by //tests/conformance:generate, and checked for staleness
// by :vectors_current_test. Their format is in README.md.
//
// Reproducible: fixed keys (client/token/testing:fixed_keys), fixed clock
// (token_cases' kCaseNow), fixed order. ECDSA signatures are the exception
// (a fresh nonce per signature), so the generator keeps every ES256
// signature the previous tokens.json published for the same signing input
// if it still verifies under the same key; with an unchanged codec the
// output is then byte-for-byte the same, and any change to what is signed
// shows as a diff.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/token/json.h"
#include "client/verifier/verifier.h"

namespace tessera::conformance {

// Where the files live, relative to the workspace root.
inline constexpr char kTokensPath[] = "tests/conformance/tokens.json";
inline constexpr char kHttpPath[] = "tests/conformance/http.json";

// Limits for reading the vector files themselves (trusted, but bounded).
inline constexpr token::JsonLimits kVectorFileLimits = {.max_bytes = 16 << 20,
                                                        .max_depth = 64};

// The text of tokens.json. `previous` is the current file's text (may be
// empty): its ES256 signatures are reused as described above. Fails only
// if the previous text is not empty and not JSON.
absl::StatusOr<std::string> TokenVectorsJson(absl::string_view previous);

// The text of http.json.
std::string HttpVectorsJson();

// What the stub Verifier of an http.json vector answers for `verdict`:
// "VALID": claims; a TokenInvalidReason name ("EXPIRED", ...): that
// refusal (TokenRefusal); "UNAVAILABLE": UNAVAILABLE. nullopt for any other
// name.
std::optional<absl::StatusOr<VerifiedClaims>> VerdictAnswer(
    absl::string_view verdict);

// The text of `path` (relative to the workspace root) in a test's
// runfiles; "" if it cannot be read.
std::string ReadRunfile(absl::string_view path);

// `json` with 2-space indentation, one member or element per line (arrays
// of scalars on one line), and a final newline.
std::string PrettyJson(const token::Json& json);

}  // namespace tessera::conformance

#endif  // TESSERA_TESTS_CONFORMANCE_VECTORS_H_
