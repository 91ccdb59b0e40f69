#ifndef TESSERA_TESTS_TESTING_POSTGRES_CLUSTER_H_
#define TESSERA_TESTS_TESTING_POSTGRES_CLUSTER_H_

// A real PostgreSQL 15 cluster for tests: tools/pg_cluster.sh (a primary and
// `standbys` synchronous standbys on 127.0.0.1, as the unprivileged
// `postgres` user when run as root). Stopped and deleted by the destructor;
// and by a reaper process if the test dies first, so a crashed test leaves
// no server behind.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace tessera::testing {

class PostgresCluster {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresCluster>> Start(int standbys);
  // One cluster with `standbys` standbys for the whole test binary: started
  // on first use (a database per test keeps tests apart), stopped at exit.
  // If it cannot start, fails the calling test and returns nullptr (then
  // and after).
  static PostgresCluster* Shared(int standbys);
  ~PostgresCluster();

  // The database named by a URL NewDatabase returned.
  static std::string DatabaseOf(const std::string& url);

  // A new empty database on the cluster: its multi-host URL
  // (target_session_attrs=read-write).
  absl::StatusOr<std::string> NewDatabase();
  // The same database through node `node` only.
  std::string NodeUrl(int node, const std::string& database) const;
  // One SQL statement on node `node`, as psql prints it (unaligned).
  absl::StatusOr<std::string> Sql(int node, const std::string& database,
                                  const std::string& sql) const;
  // The revocation log as node `node` stores it (the PostgreSQL store's
  // tessera_log), checked: sequences exactly 1..N, and each row's hash
  // SHA-256(previous hash || big-endian sequence || record). Else
  // FAILED_PRECONDITION naming the first gap or break.
  struct Log {
    std::vector<std::string> records;  // Serialized RevocationRecords.
    std::string last_hash;             // "" for an empty log.
  };
  absl::StatusOr<Log> ReadCheckedLog(int node,
                                     const std::string& database) const;
  // tools/pg_cluster.sh COMMAND DIR ARGS... (kill, pause, resume, promote,
  // follow, rebuild, status).
  absl::Status Tool(const std::string& command,
                    const std::vector<std::string>& args) const;

  int nodes() const { return static_cast<int>(ports_.size()); }
  int port(int node) const { return ports_[node]; }
  const std::string& dir() const { return dir_; }

 private:
  PostgresCluster() = default;
  std::string dir_;
  std::vector<int> ports_;
  int databases_ = 0;
};

}  // namespace tessera::testing

#endif  // TESSERA_TESTS_TESTING_POSTGRES_CLUSTER_H_
