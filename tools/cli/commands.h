#ifndef TESSERA_TOOLS_CLI_COMMANDS_H_
#define TESSERA_TOOLS_CLI_COMMANDS_H_

// The tessera CLI's commands: one per RPC of tessera.v1.TokenAuthority and
// tessera.v1.Admin, plus `health` and `bench`. Each prints its answer to
// stdout (render.h: for people, or --json) and reports a failed call on
// stderr as "tessera: <command>: <CODE> <REASON>: <message>".

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/api/client.h"

namespace tessera::cli {

struct Command {
  std::string name;
  std::string args;  // Shown in the usage line.
  std::string summary;
  std::vector<std::string> flags;  // Command flags it reads.
  // The exit status, or a usage error.
  std::function<absl::StatusOr<int>(Client&, const ClientOptions&)> run;
};

// Every command, in the order `tessera` lists them.
std::vector<Command> Commands();

}  // namespace tessera::cli

#endif  // TESSERA_TOOLS_CLI_COMMANDS_H_
