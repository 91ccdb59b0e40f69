#include "client/verifier/testing/fake_authority.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace tessera::testing {

using tessera::v1::RevocationEvent;
using tessera::v1::WatchRevocationsRequest;

class FakeAuthority::Service final
    : public tessera::v1::TokenAuthority::Service {
 public:
  explicit Service(FakeAuthority* owner) : owner_(owner) {}

  grpc::Status WatchRevocations(
      grpc::ServerContext*, const WatchRevocationsRequest* request,
      grpc::ServerWriter<RevocationEvent>* writer) override {
    return owner_->Serve(*request, writer);
  }

 private:
  FakeAuthority* const owner_;
};

FakeAuthority::FakeAuthority() : service_(std::make_unique<Service>(this)) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  // Messages cross a socket, not memory shared through gRPC's in-process
  // transport, whose hand-off TSan cannot see (Debian's gRPC is not
  // instrumented).
  channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                 grpc::InsecureChannelCredentials());
}

FakeAuthority::~FakeAuthority() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  changed_.notify_all();
  server_->Shutdown();
}

int FakeAuthority::streams() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(streams_.size());
}

std::optional<WatchRevocationsRequest> FakeAuthority::WaitForStream(
    int n, absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  if (n < 1 ||
      !changed_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                         [&] { return streams_.size() >= size_t(n); })) {
    return std::nullopt;
  }
  return streams_[n - 1]->request;
}

FakeAuthority::Stream* FakeAuthority::OpenStream() {
  if (streams_.empty() || streams_.back()->end.has_value()) return nullptr;
  return streams_.back().get();
}

bool FakeAuthority::Send(const RevocationEvent& event) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Stream* stream = OpenStream();
    if (stream == nullptr) return false;
    stream->queue.push_back(event);
  }
  changed_.notify_all();
  return true;
}

bool FakeAuthority::End(grpc::Status status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Stream* stream = OpenStream();
    if (stream == nullptr) return false;
    stream->end = std::move(status);
  }
  changed_.notify_all();
  return true;
}

grpc::Status FakeAuthority::Serve(const WatchRevocationsRequest& request,
                                  grpc::ServerWriter<RevocationEvent>* writer) {
  Stream* stream = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "closing");
    streams_.push_back(std::make_unique<Stream>());
    stream = streams_.back().get();
    stream->request = request;
  }
  changed_.notify_all();
  while (true) {
    RevocationEvent next;
    {
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait(lock, [&] {
        return closing_ || !stream->queue.empty() || stream->end.has_value();
      });
      if (closing_) {
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "closing");
      }
      if (stream->queue.empty()) return *stream->end;
      next = std::move(stream->queue.front());
      stream->queue.pop_front();
    }
    if (!writer->Write(next)) {
      grpc::Status gone(grpc::StatusCode::CANCELLED, "client went away");
      std::lock_guard<std::mutex> lock(mu_);
      if (!stream->end.has_value()) stream->end = gone;  // Send() refuses.
      return gone;
    }
  }
}

}  // namespace tessera::testing
