#ifndef TESSERA_SERVER_STORE_FORWARDING_KV_H_
#define TESSERA_SERVER_STORE_FORWARDING_KV_H_

// For tests: a Kv that passes every call to `inner` (not owned, must
// outlive it). Subclass it and override the calls a test watches or bends
// (count reads, race a write, rewrite what the log returns).

#include <optional>
#include <string>
#include <utility>

#include "server/store/kv.h"

namespace tessera::store {

class ForwardingKv : public Kv {
 public:
  explicit ForwardingKv(Kv* inner) : inner_(inner) {}

  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily family, absl::string_view key) override {
    return inner_->Get(family, key);
  }
  absl::Status Scan(ColumnFamily family, absl::string_view start,
                    const Visitor& visit) override {
    return inner_->Scan(family, start, visit);
  }
  absl::StatusOr<std::optional<std::string>> LastKey(
      ColumnFamily family) override {
    return inner_->LastKey(family);
  }
  absl::Status Write(Batch& batch) override { return inner_->Write(batch); }
  absl::StatusOr<uint64_t> LastLogSequence() override {
    return inner_->LastLogSequence();
  }
  void AfterDurable(DurableCallback done) override {
    inner_->AfterDurable(std::move(done));
  }
  absl::string_view backend() const override { return inner_->backend(); }

 private:
  Kv* const inner_;
};

}  // namespace tessera::store

#endif  // TESSERA_SERVER_STORE_FORWARDING_KV_H_
