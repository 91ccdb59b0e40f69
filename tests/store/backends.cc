#include "tests/store/backends.h"

#include <utility>

#include "server/store/postgres/postgres_store.h"
#include "server/store/store.h"
#include "tests/testing/postgres_cluster.h"
#include "tests/testing/subprocess.h"

namespace tessera::store {

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kRocksDb ? "RocksDb" : "Postgres";
}

absl::StatusOr<Stores> OpenStores(Backend backend) {
  Stores stores;
  if (backend == Backend::kRocksDb) {
    auto rocks = Store::Open(
        {.data_dir = testing::NewTempPath("kv"), .sync_writes = false});
    if (!rocks.ok()) return rocks.status();
    stores.first = std::move(*rocks);
    return stores;
  }
  testing::PostgresCluster* cluster = testing::PostgresCluster::Shared(0);
  if (cluster == nullptr) {
    return absl::UnavailableError("no PostgreSQL cluster for the test");
  }
  absl::StatusOr<std::string> url = cluster->NewDatabase();
  if (!url.ok()) return url.status();
  for (auto* store : {&stores.first, &stores.second}) {
    auto opened = postgres::PostgresStore::Open({.url = *url});
    if (!opened.ok()) return opened.status();
    *store = std::move(*opened);
  }
  return stores;
}

}  // namespace tessera::store
