#include "server/session/horizon.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/store/timestamps.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::session {
namespace {

constexpr char kHorizonKey[] = "token_horizon";

}  // namespace

absl::StatusOr<absl::Time> RecordHorizon(store::Kv* store,
                                         absl::Duration horizon,
                                         absl::Time now) {
  absl::StatusOr<std::optional<std::string>> value =
      store->Get(store::ColumnFamily::kMeta, kHorizonKey);
  if (!value.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "cannot read the token horizon: ", value.status().message()));
  }
  tessera::v1::TokenHorizon previous;
  if (value->has_value() && !previous.ParseFromString(**value)) {
    return absl::DataLossError("unreadable token horizon record");
  }
  // The previous run ended by `now`; its last token lives at most its
  // horizon longer.
  absl::Time expire_by = absl::InfinitePast();
  if (value->has_value()) {
    expire_by =
        std::max(store::FromTimestamp(previous.earlier_tokens_expire_by()),
                 now + store::FromDuration(previous.horizon()));
  }
  tessera::v1::TokenHorizon current;
  *current.mutable_horizon() = store::ToDuration(horizon);
  if (expire_by != absl::InfinitePast()) {
    *current.mutable_earlier_tokens_expire_by() = store::ToTimestamp(expire_by);
  }
  store::Batch batch;
  batch.Put(store::ColumnFamily::kMeta, kHorizonKey,
            current.SerializeAsString());
  batch.set_sync(true);
  if (absl::Status put = store->Write(batch); !put.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot write the token horizon: ", put.message()));
  }
  return expire_by;
}

}  // namespace tessera::session
