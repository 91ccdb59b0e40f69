#ifndef TESSERA_SERVER_SERVICE_DURABLE_REPLY_H_
#define TESSERA_SERVER_SERVICE_DURABLE_REPLY_H_

// How a unary RPC that writes answers: never before its writes are durable.
//
// Invariants:
//  - The status is sent only after both the handler has returned and
//    Store::AfterDurable has reported on every write the handler made; a
//    failed fsync replaces the handler's answer.
//  - The fsync overlaps the handler's remaining CPU work (signing) once the
//    handler calls `writes_done`; without that call it starts when the
//    handler returns.

#include <atomic>
#include <functional>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"
#include "server/errors/errors.h"
#include "server/store/kv.h"

namespace tessera::service {

// Answers a unary call once both (a) its handler has returned and (b) the
// writes it made are durable (Store::AfterDurable): the caller never hears
// of a session, rotation or revocation that a crash could take back.
//
// A handler calls `writes_done` right after its last write, so the WAL fsync
// runs while it finishes CPU-only work (signing the access token): the
// caller waits for the slower of the two, not their sum. Whichever of the
// two finishes last sends the answer.
class DurableReply {
 public:
  using OnAnswer = std::function<void(const absl::Status&)>;

  DurableReply(store::Kv* store, grpc::ServerUnaryReactor* reactor,
               OnAnswer on_answer)
      : store_(store), reactor_(reactor), on_answer_(std::move(on_answer)) {}

  // Idempotent; call from the handler's thread only.
  void WritesDone() {
    if (writes_done_) return;
    writes_done_ = true;
    store_->AfterDurable([this](const absl::Status& synced) {
      synced_ = synced;
      Arrive();
    });
  }

  // The handler's result; the last call made on this object's handler side.
  void HandlerDone(absl::Status status) {
    handler_status_ = std::move(status);
    WritesDone();
    Arrive();
  }

 private:
  // The acq_rel decrement orders each side's writes (the response message,
  // the statuses) before the reads of whichever side finishes.
  void Arrive() {
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    const absl::Status answer = synced_.ok() ? handler_status_ : synced_;
    if (on_answer_) on_answer_(answer);
    reactor_->Finish(errors::ToGrpcStatus(answer));
    delete this;
  }

  store::Kv* const store_;
  grpc::ServerUnaryReactor* const reactor_;
  const OnAnswer on_answer_;
  std::atomic<int> pending_{2};
  bool writes_done_ = false;
  absl::Status handler_status_;
  absl::Status synced_;
};

using WritesDone = absl::FunctionRef<void()>;

// Runs `handler(writes_done)` inline (on the thread that handles the call)
// and answers on `reactor` through a DurableReply. `on_answer` (optional) sees
// the final status, e.g. for the audit log.
template <typename Handler>
grpc::ServerUnaryReactor* AnswerWhenDurable(
    store::Kv* store, grpc::ServerUnaryReactor* reactor, Handler handler,
    DurableReply::OnAnswer on_answer = nullptr) {
  auto* reply = new DurableReply(store, reactor, std::move(on_answer));
  reply->HandlerDone(handler(WritesDone([reply] { reply->WritesDone(); })));
  return reactor;
}

}  // namespace tessera::service

#endif  // TESSERA_SERVER_SERVICE_DURABLE_REPLY_H_
