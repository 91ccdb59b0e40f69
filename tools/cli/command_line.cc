#include "tools/cli/command_line.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "tools/cli/flags.h"

namespace tessera::cli {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Levenshtein distance between two short ASCII words.
size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

absl::Status UsageError(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

const std::set<std::string>& ConnectionFlags() {
  static const auto* flags = new std::set<std::string>{
      "address",     "json",          "deadline",     "api_key_file",
      "tls_ca_file", "tls_cert_file", "tls_key_file", "help",
      "helpfull",    "helpshort",     "version",      "flagfile",
      "fromenv",     "tryfromenv",    "undefok"};
  return *flags;
}

absl::StatusOr<std::set<std::string>> GivenFlags(int argc, char** argv) {
  std::set<std::string> names;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.size() < 2 || !absl::ConsumePrefix(&arg, "-")) continue;
    absl::ConsumePrefix(&arg, "-");
    const size_t equals = arg.find('=');
    std::string name(arg.substr(0, equals));
    std::optional<std::string> value;
    if (equals != absl::string_view::npos) {
      value = std::string(arg.substr(equals + 1));
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no") && !value) {
      flag = absl::FindCommandLineFlag(name.substr(2));
      if (flag != nullptr && flag->IsOfType<bool>()) {
        names.insert(name.substr(2));
        continue;
      }
      flag = nullptr;
    }
    if (flag == nullptr) {
      return UsageError(absl::StrCat("unknown flag --", name,
                                     " (tessera --helpfull lists them)"));
    }
    names.insert(name);
    if (!value) {
      if (flag->IsOfType<bool>()) continue;
      if (i + 1 >= argc) {
        return UsageError(absl::StrCat("--", name, " needs a value"));
      }
      value = argv[++i];
    }
    std::string error;
    if (!flag->ParseFrom(*value, &error)) {
      return UsageError(absl::StrCat("--", name, ": ", error));
    }
  }
  return names;
}

absl::Duration DeadlineOf(absl::string_view command) {
  if (std::optional<absl::Duration> given = absl::GetFlag(FLAGS_deadline)) {
    return *given;
  }
  return command == "backup" ? kBackupDeadline : kDefaultDeadline;
}

absl::StatusOr<ClientOptions> Connection() {
  ClientOptions options;
  options.target = absl::GetFlag(FLAGS_address);
  options.deadline = DeadlineOf("");
  if (const std::string file = absl::GetFlag(FLAGS_api_key_file);
      !file.empty()) {
    absl::StatusOr<std::string> key = ReadFile(file);
    if (!key.ok()) return UsageError(key.status().message());
    options.api_key = std::string(absl::StripAsciiWhitespace(*key));
  } else if (const char* env = std::getenv("TESSERA_API_KEY")) {
    options.api_key = env;
  }
  const std::string ca = absl::GetFlag(FLAGS_tls_ca_file);
  const std::string cert = absl::GetFlag(FLAGS_tls_cert_file);
  const std::string key = absl::GetFlag(FLAGS_tls_key_file);
  if (cert.empty() != key.empty()) {
    return UsageError("--tls_cert_file and --tls_key_file go together");
  }
  if (!ca.empty() || !cert.empty()) {
    grpc::SslCredentialsOptions ssl;
    for (auto [path, field] : {std::pair{ca, &ssl.pem_root_certs},
                               {cert, &ssl.pem_cert_chain},
                               {key, &ssl.pem_private_key}}) {
      if (path.empty()) continue;
      absl::StatusOr<std::string> pem = ReadFile(path);
      if (!pem.ok()) return UsageError(pem.status().message());
      *field = *pem;
    }
    options.credentials = grpc::SslCredentials(ssl);
  }
  return options;
}

std::optional<std::string> NearestName(absl::string_view typed,
                                       const std::vector<std::string>& names) {
  // Longer input than any command is not a typo worth guessing at.
  if (typed.empty() || typed.size() > 64) return std::nullopt;
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const std::string& name : names) {
    if (absl::StartsWith(name, typed)) return name;
    const size_t distance = EditDistance(typed, name);
    const size_t allowed = name.size() <= 3 ? 1 : 2;
    if (distance <= allowed && (!best || distance < best_distance)) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace tessera::cli
