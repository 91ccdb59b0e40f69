#ifndef TESSERA_SERVER_STORE_POSTGRES_CONNECTION_H_
#define TESSERA_SERVER_STORE_POSTGRES_CONNECTION_H_

// One libpq connection (PGconn) and its results (PGresult), owned RAII, with
// a deadline on every call: libpq's own calls block without bound (a commit
// waiting for synchronous standbys that are gone never returns), so every
// statement is sent asynchronously and its socket polled until the
// deadline. A call that misses its deadline, or fails at the connection
// level, leaves the connection broken(); the pool then replaces it.
//
// Statements are prepared on a connection the first time it runs them, so
// a new connection (a reconnect, a failover to a new primary) prepares
// again by itself.
//
// Parameters and results are in binary format: bytea as raw bytes, int2 /
// int8 big-endian. Error messages are PostgreSQL's primary message only
// (never a DETAIL, which can quote values) and never the conninfo.
//
// Not thread-safe: one user at a time (the pool hands it out).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

struct pg_conn;
struct pg_result;

namespace tessera::store::postgres {

// A statement this store prepares; `name` is unique per SQL text.
struct Statement {
  const char* name;
  const char* sql;
  // Parameter type OIDs (bytea 17, int2 21, int4 23, int8 20, text 25).
  std::vector<unsigned int> types;
};

inline constexpr unsigned int kByteaOid = 17;
inline constexpr unsigned int kInt8Oid = 20;
inline constexpr unsigned int kInt4Oid = 23;
inline constexpr unsigned int kInt2Oid = 21;
inline constexpr unsigned int kByteaArrayOid = 1001;
inline constexpr unsigned int kInt2ArrayOid = 1005;
inline constexpr unsigned int kInt4ArrayOid = 1007;
inline constexpr unsigned int kInt8ArrayOid = 1016;

// Binary parameters.
std::string Int2Param(int16_t value);
std::string Int8Param(int64_t value);
// One-dimensional arrays (nullopt: a NULL element).
std::string Int2ArrayParam(const std::vector<int16_t>& values);
std::string Int4ArrayParam(const std::vector<int32_t>& values);
std::string Int8ArrayParam(const std::vector<int64_t>& values);
std::string ByteaArrayParam(
    const std::vector<std::optional<std::string>>& values);

// SQLSTATEs the store acts on.
inline constexpr char kSerializationFailure[] = "40001";
inline constexpr char kDeadlockDetected[] = "40P01";
inline constexpr char kUniqueViolation[] = "23505";

class Result {
 public:
  Result() = default;
  explicit Result(pg_result* result) : result_(result) {}
  Result(Result&& other) noexcept;
  Result& operator=(Result&& other) noexcept;
  ~Result();

  int rows() const;
  // Rows an INSERT/UPDATE/DELETE changed.
  int64_t affected() const;
  bool IsNull(int row, int column) const;
  absl::string_view Bytes(int row, int column) const;
  int64_t Int8(int row, int column) const;

 private:
  pg_result* result_ = nullptr;
};

class Connection {
 public:
  // Connects (libpq's multi-host conninfo / URL) before `deadline`.
  // UNAVAILABLE when no server answers as the URL asks.
  static absl::StatusOr<std::unique_ptr<Connection>> Connect(
      const std::string& conninfo, absl::Time deadline);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs `statement` with binary `params` (nullopt: SQL NULL).
  // UNAVAILABLE for a connection-level failure or a missed deadline (the
  // connection is then broken()); otherwise the server's error with its
  // SQLSTATE in sqlstate().
  absl::StatusOr<Result> Run(
      const Statement& statement,
      const std::vector<std::optional<std::string>>& params,
      absl::Time deadline);
  // One or more SQL commands without parameters (BEGIN, COMMIT, DDL).
  absl::StatusOr<Result> RunSql(absl::string_view sql, absl::Time deadline);

  // Waits until the server sends a notification (LISTEN) or `deadline`;
  // true if one arrived. Consumes every notification pending.
  absl::StatusOr<bool> WaitForNotification(absl::Time deadline);

  bool broken() const { return broken_; }
  // Whether the last call's request reached the socket whole. A call that
  // failed before that cannot have run on the server.
  bool delivered() const { return delivered_; }
  // Whether the server sent a WARNING during the last call. On COMMIT it
  // means the commit was not confirmed as configured: PostgreSQL warns when
  // a wait for synchronous standbys is cancelled, and the transaction is
  // then committed on the primary alone.
  bool warned() const { return warned_; }
  // SQLSTATE of the last server error ("" if none).
  const std::string& sqlstate() const { return sqlstate_; }
  // host:port of the server this connection reached.
  std::string server() const;

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  absl::StatusOr<Result> Await(absl::Time deadline, absl::string_view what);
  absl::Status WaitSocket(bool for_write, absl::Time deadline);
  absl::Status Broken(absl::string_view what);
  // Broken if the server already ended this (idle) connection.
  absl::Status CheckIdle();

  pg_conn* conn_;
  bool broken_ = false;
  bool warned_ = false;
  bool delivered_ = false;
  std::string sqlstate_;
  absl::flat_hash_set<std::string> prepared_;
};

}  // namespace tessera::store::postgres

#endif  // TESSERA_SERVER_STORE_POSTGRES_CONNECTION_H_
