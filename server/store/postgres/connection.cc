#include "server/store/postgres/connection.h"

#include <poll.h>
#include <postgresql/libpq-fe.h>

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace tessera::store::postgres {
namespace {

// How long a connection attempt waits for each host when the URL does not
// say (libpq then tries the next host of a multi-host URL).
constexpr char kDefaultConnectTimeoutSeconds[] = "2";

// Server errors after which this connection is no use: the server is going
// away, or it is no longer (or not) the primary.
bool EndsConnection(absl::string_view sqlstate) {
  return absl::StartsWith(sqlstate, "08") ||  // connection exception
         sqlstate == "57P01" ||               // admin shutdown
         sqlstate == "57P02" ||               // crash shutdown
         sqlstate == "57P03" ||               // cannot connect now
         sqlstate == "25006";                 // read-only transaction
}

// PostgreSQL's primary message, one line.
std::string PrimaryMessage(const PGresult* result, const PGconn* conn) {
  const char* message =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)
                        : nullptr;
  std::string text = message != nullptr
                         ? message
                         : (conn != nullptr ? PQerrorMessage(conn) : "");
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

int64_t ReadBigEndian(absl::string_view bytes) {
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<uint8_t>(c);
  if (bytes.size() == 2) return static_cast<int16_t>(value);
  if (bytes.size() == 4) return static_cast<int32_t>(value);
  return static_cast<int64_t>(value);
}

std::string BigEndian(uint64_t value, int bytes) {
  std::string out(bytes, '\0');
  for (int i = bytes - 1; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

}  // namespace

std::string Int2Param(int16_t value) {
  return BigEndian(static_cast<uint16_t>(value), 2);
}
std::string Int8Param(int64_t value) {
  return BigEndian(static_cast<uint64_t>(value), 8);
}

namespace {

// PostgreSQL's binary array format: ndim, has-null flag, element type, then
// per dimension its size and lower bound, then each element as a 4-byte
// length (-1: NULL) and its bytes.
std::string ArrayHeader(unsigned int element_oid, size_t size, bool nulls) {
  if (size == 0) {
    return absl::StrCat(BigEndian(0, 4), BigEndian(0, 4),
                        BigEndian(element_oid, 4));
  }
  return absl::StrCat(BigEndian(1, 4), BigEndian(nulls ? 1 : 0, 4),
                      BigEndian(element_oid, 4), BigEndian(size, 4),
                      BigEndian(1, 4));
}

}  // namespace

namespace {

// A one-dimensional array of big-endian integers of sizeof(T) bytes.
template <typename T>
std::string IntegerArrayParam(unsigned int element_oid,
                              const std::vector<T>& values) {
  std::string out = ArrayHeader(element_oid, values.size(), false);
  for (T value : values) {
    absl::StrAppend(
        &out, BigEndian(sizeof(T), 4),
        BigEndian(static_cast<std::make_unsigned_t<T>>(value), sizeof(T)));
  }
  return out;
}

}  // namespace

std::string Int2ArrayParam(const std::vector<int16_t>& values) {
  return IntegerArrayParam(kInt2Oid, values);
}

std::string Int4ArrayParam(const std::vector<int32_t>& values) {
  return IntegerArrayParam(kInt4Oid, values);
}

std::string Int8ArrayParam(const std::vector<int64_t>& values) {
  return IntegerArrayParam(kInt8Oid, values);
}

std::string ByteaArrayParam(
    const std::vector<std::optional<std::string>>& values) {
  bool nulls = false;
  for (const auto& value : values) nulls = nulls || !value.has_value();
  std::string out = ArrayHeader(kByteaOid, values.size(), nulls);
  for (const auto& value : values) {
    if (!value.has_value()) {
      out += BigEndian(0xffffffffu, 4);
    } else {
      absl::StrAppend(&out, BigEndian(value->size(), 4), *value);
    }
  }
  return out;
}

Result::Result(Result&& other) noexcept : result_(other.result_) {
  other.result_ = nullptr;
}
Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}
Result::~Result() {
  if (result_ != nullptr) PQclear(result_);
}

int Result::rows() const { return result_ != nullptr ? PQntuples(result_) : 0; }

int64_t Result::affected() const {
  if (result_ == nullptr) return 0;
  const char* tuples = PQcmdTuples(result_);
  return tuples[0] == '\0' ? 0 : std::strtoll(tuples, nullptr, 10);
}

bool Result::IsNull(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

absl::string_view Result::Bytes(int row, int column) const {
  return absl::string_view(PQgetvalue(result_, row, column),
                           PQgetlength(result_, row, column));
}

int64_t Result::Int8(int row, int column) const {
  return ReadBigEndian(Bytes(row, column));
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Connect(
    const std::string& conninfo, absl::Time deadline) {
  // Later keywords override earlier ones, and the URL's own settings
  // (expanded from "dbname") override these defaults.
  const char* keywords[] = {"application_name", "connect_timeout", "dbname",
                            nullptr};
  const char* values[] = {"tesserad", kDefaultConnectTimeoutSeconds,
                          conninfo.c_str(), nullptr};
  if (absl::Now() >= deadline) {
    return absl::UnavailableError("no time left to connect to PostgreSQL");
  }
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) {
    return absl::ResourceExhaustedError(
        "libpq could not allocate a connection");
  }
  std::unique_ptr<Connection> connection(new Connection(conn));
  if (PQstatus(conn) != CONNECTION_OK) {
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL: ",
                                               PrimaryMessage(nullptr, conn)));
  }
  // Notices (e.g. "already exists, skipping") are not errors and never go
  // to stderr; a WARNING is remembered for the call it came with.
  PQsetNoticeReceiver(
      conn,
      [](void* self, const PGresult* notice) {
        const char* severity =
            PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
        if (severity != nullptr && std::strcmp(severity, "WARNING") == 0) {
          static_cast<Connection*>(self)->warned_ = true;
        }
      },
      connection.get());
  if (PQsetnonblocking(conn, 1) != 0) {
    return absl::UnavailableError(
        "cannot make the PostgreSQL socket non-blocking");
  }
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

std::string Connection::server() const {
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  return absl::StrCat(host != nullptr ? host : "?", ":",
                      port != nullptr ? port : "?");
}

absl::Status Connection::Broken(absl::string_view what) {
  if (!broken_ && PQstatus(conn_) == CONNECTION_BAD && sqlstate_.empty()) {
    // The server's last word (e.g. FATAL 57P01, the backend was ended),
    // if libpq parsed it before the connection closed.
    while (PGresult* raw = PQgetResult(conn_)) {
      const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
      if (state != nullptr && sqlstate_.empty()) sqlstate_ = state;
      PQclear(raw);
    }
  }
  broken_ = true;
  return absl::UnavailableError(
      absl::StrCat("PostgreSQL at ", server(), ": ", what));
}

absl::Status Connection::WaitSocket(bool for_write, absl::Time deadline) {
  pollfd fd{.fd = PQsocket(conn_),
            .events = static_cast<short>(POLLIN | (for_write ? POLLOUT : 0)),
            .revents = 0};
  if (fd.fd < 0) return Broken("the connection is closed");
  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) {
    return Broken("no answer before the deadline");
  }
  const int timeout_ms = static_cast<int>(
      std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 1 << 30));
  const int ready = poll(&fd, 1, timeout_ms);
  if (ready < 0 && errno != EINTR) return Broken("poll failed");
  if (ready == 0 && absl::Now() >= deadline) {
    return Broken("no answer before the deadline");
  }
  if ((fd.revents & POLLIN) != 0 && PQconsumeInput(conn_) == 0) {
    return Broken(PrimaryMessage(nullptr, conn_));
  }
  return absl::OkStatus();
}

absl::StatusOr<Result> Connection::Await(absl::Time deadline,
                                         absl::string_view what) {
  sqlstate_.clear();
  warned_ = false;
  delivered_ = false;
  for (;;) {  // Everything sent.
    const int flushed = PQflush(conn_);
    if (flushed < 0) return Broken(PrimaryMessage(nullptr, conn_));
    if (flushed == 0) break;
    if (absl::Status ready = WaitSocket(true, deadline); !ready.ok()) {
      return ready;
    }
  }
  delivered_ = true;
  Result last;
  absl::Status error;
  for (;;) {
    while (PQisBusy(conn_) != 0) {
      if (absl::Status ready = WaitSocket(false, deadline); !ready.ok()) {
        return ready;
      }
    }
    PGresult* raw = PQgetResult(conn_);
    if (raw == nullptr) break;
    Result result(raw);
    const ExecStatusType status = PQresultStatus(raw);
    if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) {
      if (error.ok()) {
        const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
        sqlstate_ = state != nullptr ? state : "";
        error = absl::InternalError(
            absl::StrCat(what, ": ", PrimaryMessage(raw, conn_), " (SQLSTATE ",
                         sqlstate_, ")"));
      }
      continue;
    }
    last = std::move(result);
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Broken(PrimaryMessage(nullptr, conn_));
  }
  if (!error.ok()) {
    if (EndsConnection(sqlstate_)) return Broken(error.message());
    return error;
  }
  return last;
}

absl::Status Connection::CheckIdle() {
  // An idle connection has nothing to read; if it has, the server ended it
  // (a FATAL error, then EOF: restart, failover, pg_terminate_backend).
  pollfd fd{.fd = PQsocket(conn_), .events = POLLIN, .revents = 0};
  if (fd.fd < 0) return Broken("the connection is closed");
  if (poll(&fd, 1, 0) > 0 &&
      (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK)) {
    return Broken(PrimaryMessage(nullptr, conn_));
  }
  return absl::OkStatus();
}

absl::StatusOr<Result> Connection::Run(
    const Statement& statement,
    const std::vector<std::optional<std::string>>& params,
    absl::Time deadline) {
  delivered_ = false;
  if (broken_)
    return absl::UnavailableError("the PostgreSQL connection is broken");
  if (absl::Status idle = CheckIdle(); !idle.ok()) return idle;
  if (!prepared_.contains(statement.name)) {
    if (PQsendPrepare(conn_, statement.name, statement.sql,
                      static_cast<int>(statement.types.size()),
                      statement.types.data()) == 0) {
      return Broken(PrimaryMessage(nullptr, conn_));
    }
    absl::StatusOr<Result> prepared =
        Await(deadline, absl::StrCat("prepare ", statement.name));
    delivered_ = false;  // The statement itself is not sent yet.
    if (!prepared.ok()) return prepared.status();
    prepared_.insert(statement.name);
  }
  std::vector<const char*> values(params.size());
  std::vector<int> lengths(params.size());
  std::vector<int> formats(params.size(), 1);
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].has_value()) {
      values[i] = params[i]->data();
      lengths[i] = static_cast<int>(params[i]->size());
    }
  }
  if (PQsendQueryPrepared(conn_, statement.name,
                          static_cast<int>(params.size()), values.data(),
                          lengths.data(), formats.data(),
                          /*resultFormat=*/1) == 0) {
    return Broken(PrimaryMessage(nullptr, conn_));
  }
  return Await(deadline, statement.name);
}

absl::StatusOr<Result> Connection::RunSql(absl::string_view sql,
                                          absl::Time deadline) {
  delivered_ = false;
  if (!broken_) {
    if (absl::Status idle = CheckIdle(); !idle.ok()) return idle;
  }
  if (broken_)
    return absl::UnavailableError("the PostgreSQL connection is broken");
  const std::string text(sql);
  if (PQsendQuery(conn_, text.c_str()) == 0) {
    return Broken(PrimaryMessage(nullptr, conn_));
  }
  return Await(deadline, text.substr(0, text.find_first_of(" ;")));
}

absl::StatusOr<bool> Connection::WaitForNotification(absl::Time deadline) {
  if (broken_)
    return absl::UnavailableError("the PostgreSQL connection is broken");
  bool any = false;
  for (;;) {
    if (PQconsumeInput(conn_) == 0)
      return Broken(PrimaryMessage(nullptr, conn_));
    while (PGnotify* notify = PQnotifies(conn_)) {
      any = true;
      PQfreemem(notify);
    }
    if (any || absl::Now() >= deadline) return any;
    pollfd fd{.fd = PQsocket(conn_), .events = POLLIN, .revents = 0};
    const int timeout_ms = static_cast<int>(std::max<int64_t>(
        0, absl::ToInt64Milliseconds(deadline - absl::Now()) + 1));
    if (poll(&fd, 1, timeout_ms) < 0 && errno != EINTR) {
      return Broken("poll failed");
    }
  }
}

}  // namespace tessera::store::postgres
