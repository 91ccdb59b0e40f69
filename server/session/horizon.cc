#include "server/session/horizon.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "server/store/timestamps.h"
#include "tessera/v1/storage.pb.h"

namespace tessera::session {
namespace {

constexpr char kHorizonKey[] = "token_horizon";

}  // namespace

absl::StatusOr<absl::Time> RecordHorizon(store::Store* store,
                                         absl::Duration horizon,
                                         absl::Time now) {
  rocksdb::ColumnFamilyHandle* meta = store->handle(store::ColumnFamily::kMeta);
  std::string value;
  const rocksdb::Status got =
      store->db()->Get(rocksdb::ReadOptions(), meta, kHorizonKey, &value);
  if (!got.ok() && !got.IsNotFound()) {
    return absl::UnavailableError(
        absl::StrCat("cannot read the token horizon: ", got.ToString()));
  }
  tessera::v1::TokenHorizon previous;
  if (got.ok() && !previous.ParseFromString(value)) {
    return absl::DataLossError("unreadable token horizon record");
  }
  // The previous run ended by `now`; its last token lives at most its
  // horizon longer.
  absl::Time expire_by = absl::InfinitePast();
  if (got.ok()) {
    expire_by =
        std::max(store::FromTimestamp(previous.earlier_tokens_expire_by()),
                 now + store::FromDuration(previous.horizon()));
  }
  tessera::v1::TokenHorizon current;
  *current.mutable_horizon() = store::ToDuration(horizon);
  if (expire_by != absl::InfinitePast()) {
    *current.mutable_earlier_tokens_expire_by() = store::ToTimestamp(expire_by);
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  const rocksdb::Status put =
      store->db()->Put(sync, meta, kHorizonKey, current.SerializeAsString());
  if (!put.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot write the token horizon: ", put.ToString()));
  }
  return expire_by;
}

}  // namespace tessera::session
