#ifndef TESSERA_CLIENT_VERIFIER_TESTING_FAKE_AUTHORITY_H_
#define TESSERA_CLIENT_VERIFIER_TESTING_FAKE_AUTHORITY_H_

// FakeAuthority: a TokenAuthority in the test's process that serves
// WatchRevocations as the test scripts it, so a real Verifier can be driven
// through exactly the messages a test names (other methods answer
// UNIMPLEMENTED).
//
// Every stream a client opens is recorded with its request; messages given
// to Send() go to the newest stream, in order; End() ends the newest stream
// with a status once what was queued before has been written. Nothing is
// sent unless the test sends it (no heartbeats of its own).
//
// Thread-safe. The destructor ends every open stream (UNAVAILABLE) and shuts
// the server down; destroy clients (a Verifier) first, so they do not
// reconnect to a server that is going away.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tessera/v1/token_authority.grpc.pb.h"

namespace tessera::testing {

class FakeAuthority {
 public:
  FakeAuthority();
  ~FakeAuthority();

  FakeAuthority(const FakeAuthority&) = delete;
  FakeAuthority& operator=(const FakeAuthority&) = delete;

  // A channel to this server, which listens on a loopback port the kernel
  // picks.
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

  // Streams opened so far.
  int streams() const;
  // The request of the `n`th stream (1-based) once it has been opened;
  // nullopt if it was not within `timeout`.
  std::optional<tessera::v1::WatchRevocationsRequest> WaitForStream(
      int n, absl::Duration timeout) const;

  // Queues `event` on the newest stream. False if there is none, or it has
  // been ended.
  bool Send(const tessera::v1::RevocationEvent& event);
  // Ends the newest stream with `status` after what is queued on it. False
  // if there is none, or it has been ended already.
  bool End(grpc::Status status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                              "stream broken by the test"));

 private:
  class Service;
  struct Stream {
    tessera::v1::WatchRevocationsRequest request;
    std::deque<tessera::v1::RevocationEvent> queue;
    std::optional<grpc::Status> end;
  };

  // One WatchRevocations call, on a gRPC thread.
  grpc::Status Serve(const tessera::v1::WatchRevocationsRequest& request,
                     grpc::ServerWriter<tessera::v1::RevocationEvent>* writer);
  // The newest stream if it may still be given messages; needs mu_.
  Stream* OpenStream();

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::vector<std::unique_ptr<Stream>> streams_;  // Guarded by mu_.
  bool closing_ = false;                          // Guarded by mu_.

  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace tessera::testing

#endif  // TESSERA_CLIENT_VERIFIER_TESTING_FAKE_AUTHORITY_H_
