#ifndef TESSERA_TOOLS_CLI_COMMAND_LINE_H_
#define TESSERA_TOOLS_CLI_COMMAND_LINE_H_

// What the tessera CLI makes of its command line before any call: exit
// codes, usage errors, the flags given, and the connection they describe.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/api/client.h"

namespace tessera::cli {

// Exit status: done (for `validate`: the token is valid; for `health`:
// serving) / the call failed or said no / the command line is wrong.
inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;
inline constexpr int kUsage = 2;

// A command-line mistake (exit 2): an InvalidArgument status from a
// command's own checks, before any call is made.
absl::Status UsageError(absl::string_view message);

// Flags every command accepts: connection, output, absl's own.
const std::set<std::string>& ConnectionFlags();

// Checks every flag in argv the way absl::ParseCommandLine will read it
// ("--x=1", "-x=1", "--x 1", "--x" and "--nox" for booleans) and returns
// the names given. absl would exit 1 on an unknown flag or a bad value; the
// CLI promises 2 for every command-line mistake, so it looks first.
absl::StatusOr<std::set<std::string>> GivenFlags(int argc, char** argv);

// Deadlines when --deadline is not given: of a call, and of `backup`
// (it copies the whole store).
inline constexpr absl::Duration kDefaultDeadline = absl::Seconds(5);
inline constexpr absl::Duration kBackupDeadline = absl::Hours(1);

// The deadline of a call of `command`: --deadline if given (whatever its
// value), else kBackupDeadline for "backup" and kDefaultDeadline for any
// other.
absl::Duration DeadlineOf(absl::string_view command);

// For an unknown command: the name in `names` the user most likely meant
// (a prefix of it, or at most two edits away — one for names of up to three
// characters; the first such name with the fewest edits), or nullopt.
std::optional<std::string> NearestName(absl::string_view typed,
                                       const std::vector<std::string>& names);

// The connection --address, --deadline, --tls_* and the API key (from
// --api_key_file or $TESSERA_API_KEY) describe.
absl::StatusOr<ClientOptions> Connection();

}  // namespace tessera::cli

#endif  // TESSERA_TOOLS_CLI_COMMAND_LINE_H_
