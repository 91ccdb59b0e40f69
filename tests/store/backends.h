#ifndef TESSERA_TESTS_STORE_BACKENDS_H_
#define TESSERA_TESTS_STORE_BACKENDS_H_

// The two store backends, for suites that run the same tests on both
// (kv_contract_test, purge_test): RocksDB in a new temp dir, without
// compaction filters; PostgreSQL on one cluster for the whole binary
// (tools/pg_cluster.sh, no standbys), a new database per call.

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "server/store/kv.h"

namespace tessera::store {

enum class Backend { kRocksDb, kPostgres };

// "RocksDb" or "Postgres", for INSTANTIATE_TEST_SUITE_P.
std::string BackendName(const ::testing::TestParamInfo<Backend>& info);

// One test's store. Where the contract is about several processes sharing
// it, `peer()` is another process's view: on PostgreSQL a second store on
// the same database (another replica); RocksDB, which one process owns,
// answers with the same store.
struct Stores {
  std::unique_ptr<Kv> first;
  std::unique_ptr<Kv> second;  // PostgreSQL only.

  Kv& kv() { return *first; }
  Kv& peer() { return second != nullptr ? *second : *first; }
};
absl::StatusOr<Stores> OpenStores(Backend backend);

// A fixture over the stores of its parameter's backend.
class StoresTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    absl::StatusOr<Stores> stores = OpenStores(GetParam());
    ASSERT_TRUE(stores.ok()) << stores.status();
    stores_ = *std::move(stores);
  }

  Kv& kv() { return stores_.kv(); }
  Kv& peer() { return stores_.peer(); }

  Stores stores_;
};

}  // namespace tessera::store

#endif  // TESSERA_TESTS_STORE_BACKENDS_H_
