#ifndef TESSERA_SERVER_LOG_LOG_H_
#define TESSERA_SERVER_LOG_LOG_H_

// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-25T02:00:00.123Z","level":"info","msg":"tesserad serving",
//    "grpc_address":"127.0.0.1:50051"}
//
// Contract: callers pass only non-secret values. Nothing in this module knows
// what a token or key is, so the rule is enforced at the call sites (and by
// the log scrub test), not here. Lines are written with one write(2) each so
// concurrent lines never interleave.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace tessera::log {

enum class Level { kInfo, kWarning, kError };

// A key and its already-formatted value. Strings are JSON-escaped; numbers
// and booleans are written bare.
class Field {
 public:
  Field(absl::string_view key, absl::string_view value);
  Field(absl::string_view key, const char* value);
  Field(absl::string_view key, const std::string& value);
  Field(absl::string_view key, long long value);
  Field(absl::string_view key, int value);
  Field(absl::string_view key, bool value);

  const std::string& key() const { return key_; }
  const std::string& json_value() const { return json_value_; }

 private:
  std::string key_;
  std::string json_value_;
};

// Writes one line. `msg` says what happened in a few words.
void Write(Level level, absl::string_view msg,
           const std::vector<Field>& fields = {});

inline void Info(absl::string_view msg, const std::vector<Field>& fields = {}) {
  Write(Level::kInfo, msg, fields);
}
inline void Warning(absl::string_view msg,
                    const std::vector<Field>& fields = {}) {
  Write(Level::kWarning, msg, fields);
}
inline void Error(absl::string_view msg,
                  const std::vector<Field>& fields = {}) {
  Write(Level::kError, msg, fields);
}

// Returns `text` as a quoted JSON string (control characters, quotes,
// backslashes escaped; bytes >= 0x80 copied through).
std::string JsonQuote(absl::string_view text);

// The longest prefix of `text` that is at most `max_bytes` long and does not
// end inside a UTF-8 sequence: a cut never splits a multi-byte character.
// Only the end is inspected (at most 3 bytes back), so text that is not
// UTF-8 at all is cut at `max_bytes` or up to 3 bytes before it. For bounding
// what goes into log and audit lines, e.g. Utf8Prefix(subject, 256).
absl::string_view Utf8Prefix(absl::string_view text, size_t max_bytes);

}  // namespace tessera::log

#endif  // TESSERA_SERVER_LOG_LOG_H_
