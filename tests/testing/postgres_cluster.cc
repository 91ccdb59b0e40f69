#include "tests/testing/postgres_cluster.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "server/crypto/digest.h"
#include "server/store/kv.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/tesserad_process.h"

namespace tessera::testing {
namespace {

constexpr char kPsql[] = "/usr/lib/postgresql/15/bin/psql";

std::string ToolPath() { return RunfilePath("tools/pg_cluster.sh"); }

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresCluster>> PostgresCluster::Start(
    int standbys) {
  char dir_template[] = "/tmp/tpgx.XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) {
    return absl::InternalError("mkdtemp failed");
  }
  std::unique_ptr<PostgresCluster> cluster(new PostgresCluster());
  cluster->dir_ = dir_template;  // pg_cluster.sh hands it to postgres.
  // If this process dies before the destructor runs, the reaper stops the
  // cluster (it is not our child: pg_ctl daemonizes the servers).
  const std::string reaper = absl::StrCat(
      "setsid bash -c 'while kill -0 ", ::getpid(),
      " 2>/dev/null; do sleep 1; done; bash ", ToolPath(), " stop ",
      cluster->dir_, " --clean' </dev/null >/dev/null 2>&1 &");
  if (std::system(reaper.c_str()) != 0) {
    return absl::InternalError("cannot start the cluster's reaper");
  }
  absl::StatusOr<ExitResult> started =
      RunToExit({"bash", ToolPath(), "start", cluster->dir_,
                 absl::StrCat("--standbys=", standbys)},
                absl::Seconds(120));
  if (!started.ok()) return started.status();
  if (started->exit_code != 0) {
    return absl::InternalError(
        absl::StrCat("pg_cluster.sh start failed: ", started->output));
  }
  std::ifstream env(cluster->dir_ + "/env");
  std::string line;
  while (std::getline(env, line)) {
    if (!absl::StartsWith(line, "PG_PORT_")) continue;
    int port = 0;
    if (!absl::SimpleAtoi(line.substr(line.find('=') + 1), &port)) {
      return absl::InternalError("unreadable cluster env: " + line);
    }
    cluster->ports_.push_back(port);
  }
  if (cluster->ports_.size() != static_cast<size_t>(standbys + 1)) {
    return absl::InternalError("the cluster env lacks its ports");
  }
  return cluster;
}

PostgresCluster* PostgresCluster::Shared(int standbys) {
  // Destroyed at exit, which stops every cluster started here.
  static std::map<int, std::unique_ptr<PostgresCluster>> clusters;
  auto [it, inserted] = clusters.try_emplace(standbys);
  if (inserted) {
    absl::StatusOr<std::unique_ptr<PostgresCluster>> started = Start(standbys);
    if (started.ok()) {
      it->second = std::move(*started);
    } else {
      ADD_FAILURE() << started.status();
    }
  }
  return it->second.get();
}

std::string PostgresCluster::DatabaseOf(const std::string& url) {
  const size_t slash = url.rfind('/');
  return url.substr(slash + 1, url.find('?') - slash - 1);
}

PostgresCluster::~PostgresCluster() {
  (void)RunToExit({"bash", ToolPath(), "stop", dir_, "--clean"},
                  absl::Seconds(60));
}

std::string PostgresCluster::NodeUrl(int node,
                                     const std::string& database) const {
  return absl::StrCat("postgresql://tessera@127.0.0.1:", ports_[node], "/",
                      database, "?connect_timeout=2");
}

absl::StatusOr<std::string> PostgresCluster::NewDatabase() {
  const std::string name = absl::StrCat("t", ++databases_);
  absl::StatusOr<std::string> created =
      Sql(0, "tessera", absl::StrCat("CREATE DATABASE ", name));
  if (!created.ok()) return created.status();
  std::vector<std::string> hosts;
  for (int port : ports_) hosts.push_back(absl::StrCat("127.0.0.1:", port));
  return absl::StrCat("postgresql://tessera@", absl::StrJoin(hosts, ","), "/",
                      name,
                      "?target_session_attrs=read-write&connect_timeout=2");
}

absl::StatusOr<PostgresCluster::Log> PostgresCluster::ReadCheckedLog(
    int node, const std::string& database) const {
  absl::StatusOr<std::string> rows =
      Sql(node, database,
          "SELECT sequence, encode(record, 'hex'), encode(hash, 'hex') FROM "
          "tessera_log ORDER BY sequence");
  if (!rows.ok()) return rows.status();
  Log log;
  for (absl::string_view line :
       absl::StrSplit(*rows, '\n', absl::SkipEmpty())) {
    std::vector<std::string> cols = absl::StrSplit(line, '|');
    uint64_t sequence = 0;
    if (cols.size() != 3 || !absl::SimpleAtoi(cols[0], &sequence)) {
      return absl::InternalError(absl::StrCat("unexpected row: ", line));
    }
    if (sequence != log.records.size() + 1) {
      return absl::FailedPreconditionError(absl::StrCat(
          "a gap in the log: ", sequence, " after ", log.records.size()));
    }
    std::string record = absl::HexStringToBytes(cols[1]);
    const std::string hash = absl::HexStringToBytes(cols[2]);
    if (hash != crypto::Sha256(absl::StrCat(
                    log.last_hash, store::SequenceKey(sequence), record))) {
      return absl::FailedPreconditionError(
          absl::StrCat("the hash chain breaks at ", sequence));
    }
    log.last_hash = hash;
    log.records.push_back(std::move(record));
  }
  return log;
}

absl::StatusOr<std::string> PostgresCluster::Sql(int node,
                                                 const std::string& database,
                                                 const std::string& sql) const {
  absl::StatusOr<ExitResult> ran = RunToExit(
      // Over TCP as the cluster's user (trust on loopback), so also as root.
      {kPsql, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
       "-p", absl::StrCat(ports_[node]), "-U", "tessera", "-d", database, "-c",
       sql},
      absl::Seconds(30));
  if (!ran.ok()) return ran.status();
  if (ran->exit_code != 0) {
    return absl::InternalError(absl::StrCat("psql: ", sql, ": ", ran->output));
  }
  return std::string(absl::StripTrailingAsciiWhitespace(ran->output));
}

absl::Status PostgresCluster::Tool(const std::string& command,
                                   const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"bash", testing::ToolPath(), command, dir_};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<ExitResult> ran = RunToExit(argv, absl::Seconds(120));
  if (!ran.ok()) return ran.status();
  if (ran->exit_code != 0) {
    return absl::InternalError(
        absl::StrCat("pg_cluster.sh ", command, ": ", ran->output));
  }
  return absl::OkStatus();
}

}  // namespace tessera::testing
