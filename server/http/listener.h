#ifndef TESSERA_SERVER_HTTP_LISTENER_H_
#define TESSERA_SERVER_HTTP_LISTENER_H_

// The connection side of the HTTP side listener: which connections get a
// worker thread, and for how long. cpp-httplib parses and routes each
// request (Serve, below); this owns the sockets.
//
// cpp-httplib's own listener (0.11) gives every accepted connection a worker
// thread for its whole life, and its parser limits the length of a header
// line but not their number; so a few idle or slow ("slow-loris")
// connections held every worker and /healthz, /readyz, /metrics and the JWKS
// went unanswered, and a header block of any size was read into memory (a
// 1 MiB one was answered 200). Here instead:
//
//  - One I/O thread accepts and reads request heads (request line and
//    headers, up to the blank line) for every waiting connection, with
//    poll(). A connection gets a worker only once its whole head is in
//    memory, so an idle or trickling client holds no worker at all.
//  - A head must arrive within `request_wait` of the accept or of the
//    previous response, and be at most `max_head_bytes` (else 431); the
//    connection is closed otherwise.
//  - A worker then has `exchange_timeout` for the body (if any), the
//    handler and the response, and reads at most `max_request_bytes` in all;
//    past either it gives up and closes the connection.
//  - At most `max_connections` are open. A new connection when full closes
//    the one that has waited longest for its request. A client that sends
//    its request at once, as probes and scrapers do, is read in the I/O
//    thread's next round, so only max_connections newer connections arriving
//    in between could displace it.
//  - At most `max_requests_per_connection` requests per connection.
//
// Memory is therefore bounded by max_connections * max_head_bytes plus
// workers * max_request_bytes, and a worker is held at most
// exchange_timeout per request.
//
// Thread-safety: Start and Stop from one thread; Serve runs on the workers,
// concurrently with itself.

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct pollfd;

namespace httplib {
class Stream;
}

namespace tessera::http {

struct ListenerLimits {
  int workers = 4;
  size_t max_connections = 256;
  size_t max_head_bytes = 16 * 1024;
  size_t max_request_bytes = 32 * 1024;
  absl::Duration request_wait = absl::Seconds(5);
  absl::Duration exchange_timeout = absl::Seconds(5);
  int max_requests_per_connection = 100;
};

class Listener {
 public:
  // Reads one request from `stream` and writes its response (cpp-httplib's
  // Server::process_request); false if the connection must be closed.
  using Serve = std::function<bool(
      httplib::Stream& stream, bool close_connection, bool& connection_closed)>;

  // Binds `host` (a name or numeric address, no brackets) and `port` (0
  // picks one) and starts serving. UNAVAILABLE if it cannot bind.
  static absl::StatusOr<std::unique_ptr<Listener>> Start(
      const std::string& host, int port, ListenerLimits limits, Serve serve);
  ~Listener();  // Stop().

  int port() const { return port_; }

  // Closes the listening socket and every connection; waits for the
  // threads (a worker finishes its request first, at most
  // exchange_timeout). Idempotent.
  void Stop();

  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  struct Connection;  // Defined in listener.cc.

 private:
  Listener(ListenerLimits limits, Serve serve);

  // The I/O thread: polls the listening socket and waiting_ until Stop.
  void IoLoop();
  // Takes back connections the workers have answered.
  void TakeReturned();
  // Reads the waiting connections `polled` (from index `first`) says are
  // readable; dispatches whole heads, closes what failed or expired.
  void ReadWaiting(const std::vector<pollfd>& polled, size_t first);
  // Accepts what the listening socket has, making room when full.
  void AcceptNew();
  void WorkerLoop();
  // Hands a connection whose head has arrived to the workers.
  void Dispatch(std::unique_ptr<Connection> connection);
  // Connections the I/O thread is not holding (queued, served, returned).
  size_t InFlight() const;
  void Wake();

  const ListenerLimits limits_;
  const Serve serve_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // An eventfd: workers and Stop wake the I/O thread.
  int port_ = 0;
  std::thread io_thread_;
  std::vector<std::thread> workers_;

  // The I/O thread's alone: connections waiting for a whole request head.
  std::vector<std::unique_ptr<Connection>> waiting_;
  absl::Time accept_paused_until_ = absl::InfinitePast();  // After EMFILE.

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<std::unique_ptr<Connection>> ready_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Connection>> returned_ ABSL_GUARDED_BY(mu_);
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace tessera::http

#endif  // TESSERA_SERVER_HTTP_LISTENER_H_
