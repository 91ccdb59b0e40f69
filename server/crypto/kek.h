#ifndef TESSERA_SERVER_CRYPTO_KEK_H_
#define TESSERA_SERVER_CRYPTO_KEK_H_

// The key-encryption key (KEK) that seals private signing keys at rest
// (docs/keys.md).
//
// Where it comes from, first match wins:
//   1. --kek_file: a file holding base64 (standard or URL alphabet, padding
//      optional, surrounding whitespace ignored) of exactly 32 bytes, e.g.
//      `openssl rand -base64 32 > kek`;
//   2. the TESSERA_KEK environment variable, same encoding;
//   3. zero-config: `<data_dir>/kek`, generated (0600) on first start with a
//      warning, since a KEK next to the data it protects only guards against
//      leaks of the database files alone (backups, copied SSTs).
//
// A KEK file (given or generated) must be a regular file that neither group
// nor others may access (mode 0600 or stricter), else INVALID_ARGUMENT.
// TESSERA_KEK is taken out of the process once LoadKek reads it: its bytes
// are overwritten in place and the variable is unset, so neither children
// nor /proc/<pid>/environ see it (a second LoadKek no longer finds it).
//
// Invariants: the key bytes are never logged or put in an error message;
// `id` (a keyed hash of the KEK, not the KEK) is what is stored beside sealed
// records so that a wrong KEK is reported as such, not as corruption.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tessera::crypto {

struct Kek {
  std::string key;     // 32 bytes. Secret.
  std::string id;      // 16 bytes, HMAC-SHA256(key, label): safe to store.
  std::string source;  // "--kek_file=<path>", "TESSERA_KEK", or the file.
};

// `kek_file` empty: TESSERA_KEK, else the generated file in `data_dir`
// (which must exist; the file is created if missing). INVALID_ARGUMENT naming
// the source for an unreadable, too open or malformed KEK.
absl::StatusOr<Kek> LoadKek(absl::string_view kek_file,
                            absl::string_view data_dir);

// What LoadKek would refuse, without side effects: nothing is created and
// TESSERA_KEK stays set. OK when the generated file does not exist yet.
absl::Status CheckKek(absl::string_view kek_file, absl::string_view data_dir);

// The KEK encoded in `text` (see above); `source` names it in errors.
absl::StatusOr<Kek> ParseKek(absl::string_view text, absl::string_view source);

}  // namespace tessera::crypto

#endif  // TESSERA_SERVER_CRYPTO_KEK_H_
