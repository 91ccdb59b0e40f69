#include "server/log/log.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace tessera::log {

std::string JsonQuote(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

absl::string_view Utf8Prefix(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  // text[max_bytes] is the first byte cut off. If it continues a sequence
  // (10xxxxxx), back up to that sequence's lead byte and cut before it.
  size_t end = max_bytes;
  auto is_continuation = [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
  };
  for (int back = 0; back < 3 && end > 0 && is_continuation(text[end]);
       ++back) {
    --end;
  }
  // Still inside a sequence after 3 bytes: not UTF-8; cut where asked.
  if (is_continuation(text[end])) return text.substr(0, max_bytes);
  return text.substr(0, end);
}

Field::Field(absl::string_view key, absl::string_view value)
    : key_(key), json_value_(JsonQuote(value)) {}
Field::Field(absl::string_view key, const char* value)
    : Field(key, absl::string_view(value)) {}
Field::Field(absl::string_view key, const std::string& value)
    : Field(key, absl::string_view(value)) {}
Field::Field(absl::string_view key, long long value)
    : key_(key), json_value_(absl::StrCat(value)) {}
Field::Field(absl::string_view key, int value)
    : key_(key), json_value_(absl::StrCat(value)) {}
Field::Field(absl::string_view key, bool value)
    : key_(key), json_value_(value ? "true" : "false") {}

namespace {

absl::string_view LevelName(Level level) {
  switch (level) {
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void Write(Level level, absl::string_view msg,
           const std::vector<Field>& fields) {
  std::string line = absl::StrCat(
      "{\"ts\":",
      JsonQuote(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                 absl::UTCTimeZone())),
      ",\"level\":\"", LevelName(level), "\",\"msg\":", JsonQuote(msg));
  for (const Field& field : fields) {
    absl::StrAppend(&line, ",", JsonQuote(field.key()), ":",
                    field.json_value());
  }
  line += "}\n";
  // One write per line; a short write (full pipe) is retried.
  absl::string_view rest = line;
  while (!rest.empty()) {
    ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (n <= 0) return;
    rest.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace tessera::log
