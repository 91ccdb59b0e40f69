#include "server/http/listener.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace tessera::http {
namespace {

constexpr char kHeadEnd[] = "\r\n\r\n";
constexpr int kBacklog = 128;
// Accepts per poll round, so a flood of connections cannot starve reads.
constexpr int kAcceptsPerRound = 64;
// After EMFILE the listening socket stays readable; stop polling it a while.
constexpr absl::Duration kAcceptPause = absl::Milliseconds(100);
constexpr char kHeadTooLarge[] =
    "HTTP/1.1 431 Request Header Fields Too Large\r\n"
    "Connection: close\r\nContent-Length: 0\r\n\r\n";

// Milliseconds until `deadline` for poll(): rounded up, 0 to 60,000.
int PollMillis(absl::Time deadline) {
  const absl::Duration left = std::clamp(
      deadline - absl::Now(), absl::ZeroDuration(), absl::Minutes(1));
  return static_cast<int>(
      absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1))));
}

// Waits for `events` on `fd` until `deadline`.
bool WaitFor(int fd, short events, absl::Time deadline) {
  for (;;) {
    pollfd entry{fd, events, 0};
    const int ready = poll(&entry, 1, PollMillis(deadline));
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

void AddressOf(const sockaddr_storage& address, std::string* ip, int* port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    *port = ntohs(v4->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    *port = ntohs(v6->sin6_port);
  }
  *ip = text;
}

// A listening socket on host:port, non-blocking; -1 if none binds.
int Bind(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = absl::StrCat(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0) {
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                ai->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
        listen(fd, kBacklog) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  return fd;
}

}  // namespace

// One accepted socket and what has been read from it but not yet parsed.
struct Listener::Connection {
  explicit Connection(int fd) : fd(fd) {}
  ~Connection() {
    shutdown(fd, SHUT_RDWR);
    close(fd);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool HasHead() const { return buffer.find(kHeadEnd) != std::string::npos; }

  const int fd;
  std::string remote_ip, local_ip;
  int remote_port = 0, local_port = 0;
  std::string buffer;
  absl::Time deadline;  // For its head to arrive.
  int served = 0;
};

namespace {

using Connection = Listener::Connection;

// What a worker hands cpp-httplib: the buffered head first, then the socket,
// all within one deadline and byte budget. Bytes past the request (a
// pipelined next one) stay in the connection's buffer: cpp-httplib reads
// heads a byte at a time and bodies by their length, never ahead.
class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(Connection& connection, absl::Time deadline,
                   size_t max_bytes)
      : connection_(connection), deadline_(deadline), budget_(max_bytes) {}
  ~ConnectionStream() override { connection_.buffer.erase(0, consumed_); }

  bool is_readable() const override {
    return consumed_ < connection_.buffer.size() ||
           WaitFor(connection_.fd, POLLIN, deadline_);
  }
  bool is_writable() const override {
    return WaitFor(connection_.fd, POLLOUT, deadline_);
  }

  ssize_t read(char* ptr, size_t size) override {
    if (budget_ == 0) return Fail();
    size = std::min(size, budget_);
    ssize_t n = 0;
    if (consumed_ < connection_.buffer.size()) {
      n = static_cast<ssize_t>(
          std::min(size, connection_.buffer.size() - consumed_));
      std::memcpy(ptr, connection_.buffer.data() + consumed_, n);
      consumed_ += n;
    } else {
      do {
        if (!WaitFor(connection_.fd, POLLIN, deadline_)) return Fail();
        n = recv(connection_.fd, ptr, size, 0);
      } while (n < 0 && (errno == EINTR || errno == EAGAIN));
      if (n < 0) return Fail();
      if (n == 0) failed_ = true;  // The peer closed mid-request.
    }
    budget_ -= n;
    return n;
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!WaitFor(connection_.fd, POLLOUT, deadline_)) return Fail();
    const ssize_t n = send(connection_.fd, ptr, size, MSG_NOSIGNAL);
    if (n < 0) return errno == EINTR || errno == EAGAIN ? 0 : Fail();
    return n;
  }

  // True once a read or write ran out of time or budget, or the peer went
  // away: the connection is no longer at a request boundary.
  bool failed() const { return failed_; }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = connection_.remote_ip;
    port = connection_.remote_port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = connection_.local_ip;
    port = connection_.local_port;
  }
  socket_t socket() const override { return connection_.fd; }

 private:
  ssize_t Fail() {
    failed_ = true;
    return -1;
  }

  Connection& connection_;
  const absl::Time deadline_;
  size_t budget_;
  size_t consumed_ = 0;  // Of connection_.buffer.
  bool failed_ = false;
};

enum class ReadResult { kWaiting, kHead, kClosed };

// Answers 431 and asks for the connection to be closed. Best effort: the
// socket is non-blocking, and the response is tiny.
ReadResult HeadTooLarge(const Connection& connection) {
  (void)send(connection.fd, kHeadTooLarge, sizeof(kHeadTooLarge) - 1,
             MSG_NOSIGNAL);
  return ReadResult::kClosed;
}

// Reads what has arrived, up to one byte past the head limit.
ReadResult ReadSome(Connection& connection, size_t max_head_bytes) {
  char chunk[4096];
  for (;;) {
    if (connection.buffer.size() > max_head_bytes) {
      return HeadTooLarge(connection);
    }
    const size_t room = max_head_bytes + 1 - connection.buffer.size();
    const ssize_t n =
        recv(connection.fd, chunk, std::min(room, sizeof(chunk)), 0);
    if (n == 0) return ReadResult::kClosed;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN ? ReadResult::kWaiting : ReadResult::kClosed;
    }
    // A head end may straddle the previous read.
    const size_t from =
        connection.buffer.size() >= 3 ? connection.buffer.size() - 3 : 0;
    connection.buffer.append(chunk, n);
    const size_t end = connection.buffer.find(kHeadEnd, from);
    if (end != std::string::npos) {
      return end + 4 <= max_head_bytes ? ReadResult::kHead
                                       : HeadTooLarge(connection);
    }
  }
}

}  // namespace

Listener::Listener(ListenerLimits limits, Serve serve)
    : limits_(limits), serve_(std::move(serve)) {}

absl::StatusOr<std::unique_ptr<Listener>> Listener::Start(
    const std::string& host, int port, ListenerLimits limits, Serve serve) {
  std::unique_ptr<Listener> listener(new Listener(limits, std::move(serve)));
  listener->listen_fd_ = Bind(host, port);
  if (listener->listen_fd_ < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", host, " port ", port));
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(listener->listen_fd_, reinterpret_cast<sockaddr*>(&bound),
              &length);
  std::string ip;
  AddressOf(bound, &ip, &listener->port_);
  listener->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (listener->wake_fd_ < 0) {
    return absl::InternalError(absl::StrCat("eventfd: ", strerror(errno)));
  }
  Listener* self = listener.get();
  listener->io_thread_ = std::thread([self] { self->IoLoop(); });
  for (int i = 0; i < limits.workers; ++i) {
    listener->workers_.emplace_back([self] { self->WorkerLoop(); });
  }
  return listener;
}

void Listener::Wake() {
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
}

size_t Listener::InFlight() const {
  absl::MutexLock lock(&mu_);
  return in_flight_;
}

void Listener::Dispatch(std::unique_ptr<Connection> connection) {
  absl::MutexLock lock(&mu_);
  ++in_flight_;
  ready_.push_back(std::move(connection));
}

void Listener::IoLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
    }
    TakeReturned();
    const absl::Time now = absl::Now();
    const bool accepting = now >= accept_paused_until_;
    std::vector<pollfd> polled = {{wake_fd_, POLLIN, 0},
                                  {accepting ? listen_fd_ : -1, POLLIN, 0}};
    absl::Time next_deadline =
        std::min(now + absl::Seconds(1),
                 accepting ? absl::InfiniteFuture() : accept_paused_until_);
    for (const auto& connection : waiting_) {
      polled.push_back({connection->fd, POLLIN, 0});
      next_deadline = std::min(next_deadline, connection->deadline);
    }
    if (poll(polled.data(), polled.size(), PollMillis(next_deadline)) < 0 &&
        errno != EINTR) {
      ABSL_RAW_LOG(ERROR, "http listener: poll: %s", strerror(errno));
      absl::SleepFor(absl::Milliseconds(10));
      continue;
    }
    if (polled[0].revents != 0) {
      uint64_t count = 0;
      (void)!read(wake_fd_, &count, sizeof(count));
    }
    ReadWaiting(polled, /*first=*/2);
    if (polled[1].revents != 0) AcceptNew();
  }
  waiting_.clear();
}

void Listener::TakeReturned() {
  std::vector<std::unique_ptr<Connection>> back;
  {
    absl::MutexLock lock(&mu_);
    back.swap(returned_);
    in_flight_ -= back.size();
  }
  const absl::Time deadline = absl::Now() + limits_.request_wait;
  for (std::unique_ptr<Connection>& connection : back) {
    if (connection->HasHead()) {  // Pipelined behind the last request.
      Dispatch(std::move(connection));
    } else {
      connection->deadline = deadline;
      waiting_.push_back(std::move(connection));
    }
  }
}

void Listener::ReadWaiting(const std::vector<pollfd>& polled, size_t first) {
  // polled[first + i] is waiting_[i].
  for (size_t i = 0; first + i < polled.size(); ++i) {
    if (polled[first + i].revents == 0) continue;
    switch (ReadSome(*waiting_[i], limits_.max_head_bytes)) {
      case ReadResult::kWaiting:
        break;
      case ReadResult::kHead:
        Dispatch(std::move(waiting_[i]));
        break;
      case ReadResult::kClosed:
        waiting_[i].reset();
        break;
    }
  }
  const absl::Time now = absl::Now();
  for (std::unique_ptr<Connection>& connection : waiting_) {
    if (connection != nullptr && connection->deadline <= now) {
      connection.reset();  // Its head did not arrive in time.
    }
  }
  waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), nullptr),
                 waiting_.end());
}

void Listener::AcceptNew() {
  const absl::Time now = absl::Now();
  for (int i = 0; i < kAcceptsPerRound; ++i) {
    sockaddr_storage peer{};
    socklen_t length = sizeof(peer);
    const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer),
                           &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
          errno == ENOMEM) {
        accept_paused_until_ = now + kAcceptPause;
      }
      return;
    }
    auto connection = std::make_unique<Connection>(fd);
    AddressOf(peer, &connection->remote_ip, &connection->remote_port);
    sockaddr_storage local{};
    length = sizeof(local);
    getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
    AddressOf(local, &connection->local_ip, &connection->local_port);
    connection->deadline = now + limits_.request_wait;
    if (waiting_.size() + InFlight() >= limits_.max_connections) {
      if (waiting_.empty()) continue;  // All being served: refuse this one.
      // Make room: close the one that has waited longest for its request.
      waiting_.erase(std::min_element(waiting_.begin(), waiting_.end(),
                                      [](const auto& a, const auto& b) {
                                        return a->deadline < b->deadline;
                                      }));
    }
    waiting_.push_back(std::move(connection));
  }
}

void Listener::WorkerLoop() {
  for (;;) {
    std::unique_ptr<Connection> connection;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Listener* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->stopping_ || !self->ready_.empty();
          },
          this));
      if (stopping_) return;
      connection = std::move(ready_.front());
      ready_.pop_front();
    }
    const bool last =
        ++connection->served >= limits_.max_requests_per_connection;
    bool closed = false;
    bool keep = false;
    {
      ConnectionStream stream(*connection,
                              absl::Now() + limits_.exchange_timeout,
                              limits_.max_request_bytes);
      keep =
          serve_(stream, last, closed) && !closed && !last && !stream.failed();
    }
    absl::MutexLock lock(&mu_);
    if (keep && !stopping_) {
      returned_.push_back(std::move(connection));
      Wake();
    } else {
      --in_flight_;
      connection.reset();
    }
  }
}

void Listener::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (wake_fd_ >= 0) Wake();
  if (io_thread_.joinable()) io_thread_.join();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  {
    absl::MutexLock lock(&mu_);
    ready_.clear();
    returned_.clear();
  }
  for (int* fd : {&listen_fd_, &wake_fd_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

Listener::~Listener() { Stop(); }

}  // namespace tessera::http
