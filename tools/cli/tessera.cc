// tessera: the command-line client of tesserad, on tessera::Client.
//
//   tessera [--address=HOST:PORT] [--json] <command> [flags]
//
// Every RPC of tessera.v1.TokenAuthority and tessera.v1.Admin has a command
// (run `tessera` alone for the list). Answers go to stdout, for people or,
// with --json, as canonical proto3 JSON (one object per line for `watch`).
// Errors go to stderr as "tessera: <command>: <CODE> <REASON>: <message>".
//
// `bench` loads a server with one kind of call (//tools/bench's load
// generator) and prints the rate and latency.
//
// Exit status: 0 done (for `validate`: the token is valid; for `health`:
// serving), 1 the call failed or said no, 2 the command line is wrong.
//
// Secrets stay out of argv, where `ps` shows them: the API key comes from
// $TESSERA_API_KEY or --api_key_file, and a token flag given as "-" is read
// from stdin.

#include <algorithm>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "client/api/client.h"
#include "tools/cli/command_line.h"
#include "tools/cli/commands.h"

namespace tessera::cli {
namespace {

std::string UsageText() {
  std::string text =
      "usage: tessera [--address=HOST:PORT] [--json] <command> [flags]\n\n"
      "commands:\n";
  for (const Command& command : Commands()) {
    absl::StrAppend(
        &text, "  ", command.name,
        std::string(15 - std::min<size_t>(14, command.name.size()), ' '),
        command.summary, "\n");
    if (!command.args.empty()) {
      absl::StrAppend(&text, "  ", std::string(15, ' '), command.args, "\n");
    }
  }
  absl::StrAppend(&text,
                  "\nconnection: --address, --deadline, --tls_ca_file, "
                  "--tls_cert_file, --tls_key_file,\n"
                  "  --api_key_file or $TESSERA_API_KEY. Exit: 0 ok, 1 "
                  "failed or no, 2 usage.\n"
                  "One command's flags: tessera help <command> (or "
                  "tessera <command> --help)\n");
  return text;
}

const Command* FindCommand(const std::vector<Command>& commands,
                           absl::string_view name) {
  for (const Command& command : commands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

// One command's usage, summary and flags (with their help text).
std::string CommandHelp(const Command& command) {
  std::string text =
      absl::StrCat("usage: tessera [connection flags] ", command.name, " ",
                   command.args, "\n\n", command.summary, "\n");
  if (!command.flags.empty()) absl::StrAppend(&text, "\nflags:\n");
  for (const std::string& name : command.flags) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    absl::StrAppend(&text, "  --", name);
    if (flag != nullptr) {
      absl::StrAppend(&text, "\n      ", flag->Help());
      const std::string fallback = flag->DefaultValue();
      if (fallback != "" && fallback != "0" && fallback != "false") {
        absl::StrAppend(&text, " (default: ", fallback, ")");
      }
    }
    absl::StrAppend(&text, "\n");
  }
  absl::StrAppend(&text,
                  "\nconnection: --address, --deadline, --tls_ca_file, "
                  "--tls_cert_file, --tls_key_file, --api_key_file, --json\n");
  return text;
}

// Says so on stderr, with the nearest command name when one is close, and
// the usage.
void UnknownCommand(const std::vector<Command>& commands,
                    absl::string_view name) {
  std::vector<std::string> names;
  for (const Command& command : commands) names.push_back(command.name);
  std::cerr << "tessera: unknown command \"" << name << "\"";
  if (std::optional<std::string> nearest = NearestName(name, names)) {
    std::cerr << "; did you mean \"" << *nearest << "\"?";
  }
  std::cerr << "\n\n" << UsageText();
}

// `tessera help [command]`, or --help / -h anywhere: the usage on stdout
// and exit 0 (2 for help on an unknown command). nullopt: not a help call.
std::optional<int> MaybeHelp(int argc, char** argv) {
  std::vector<absl::string_view> words;
  bool asked = false;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h" || arg == "-help") asked = true;
    if (!arg.empty() && arg[0] != '-') words.push_back(arg);
  }
  if (!words.empty() && words[0] == "help") {
    asked = true;
    words.erase(words.begin());
  }
  if (!asked) return std::nullopt;
  const std::vector<Command> commands = Commands();
  if (words.empty()) {
    std::cout << UsageText();
    return 0;
  }
  if (const Command* command = FindCommand(commands, words[0])) {
    std::cout << CommandHelp(*command);
    return 0;
  }
  UnknownCommand(commands, words[0]);
  return kUsage;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(UsageText());
  if (std::optional<int> help = MaybeHelp(argc, argv)) return *help;
  absl::StatusOr<std::set<std::string>> checked = GivenFlags(argc, argv);
  if (!checked.ok()) {
    std::cerr << "tessera: " << checked.status().message() << "\n";
    return kUsage;
  }
  const std::set<std::string>& given = *checked;
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::cerr << UsageText();
    return kUsage;
  }
  if (args.size() > 2) {
    std::cerr << "tessera: one command at a time; unexpected \"" << args[2]
              << "\"\n";
    return kUsage;
  }
  const std::string name = args[1];
  for (const Command& command : Commands()) {
    if (command.name != name) continue;
    absl::StatusOr<int> exit_code = [&]() -> absl::StatusOr<int> {
      for (const std::string& flag : given) {
        if (ConnectionFlags().count(flag) > 0) continue;
        if (std::find(command.flags.begin(), command.flags.end(), flag) ==
            command.flags.end()) {
          return UsageError(absl::StrCat(
              "--", flag, " does not apply to `", name, "`; it takes: ",
              command.args.empty() ? "no flags" : command.args));
        }
      }
      absl::StatusOr<ClientOptions> options = Connection();
      if (!options.ok()) return options.status();
      Client client(*options);
      return command.run(client, *options);
    }();
    if (!exit_code.ok()) {
      std::cerr << "tessera: " << name << ": " << exit_code.status().message()
                << "\n";
      return kUsage;
    }
    return *exit_code;
  }
  UnknownCommand(Commands(), name);
  return kUsage;
}

}  // namespace
}  // namespace tessera::cli

int main(int argc, char** argv) { return tessera::cli::Main(argc, argv); }
