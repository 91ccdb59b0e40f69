#ifndef TESSERA_TOOLS_CLI_RENDER_H_
#define TESSERA_TOOLS_CLI_RENDER_H_

// How the tessera CLI prints an answer: the same message either for people
// (one "field: value" line per field, nested messages indented) or for
// scripts (canonical proto3 JSON, as grpcurl prints it).
//
// People see timestamps as RFC 3339 in UTC, durations as "15m", Structs as
// compact JSON and enums by name. Empty strings, unspecified enums, unset
// or empty messages are left out; numbers and booleans are always shown
// ("revoked_count: 0" and "valid: false" are answers).

#include <string>

#include "google/protobuf/message.h"

namespace tessera::cli {

std::string RenderText(const google::protobuf::Message& message);

// One line, no trailing newline.
std::string RenderJson(const google::protobuf::Message& message);

}  // namespace tessera::cli

#endif  // TESSERA_TOOLS_CLI_RENDER_H_
