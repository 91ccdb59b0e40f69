#!/usr/bin/env bash
# The e2e suites whose subject is the service, not the store, again with
# every tesserad on PostgreSQL (TESSERA_TEST_POSTGRES_PORT, see
# tests/testing/tesserad_process.cc): sessions, refresh grace and theft
# detection, lost responses and request ids, claims, stats, the Verifier.
# Suites about RocksDB itself (backups, data-dir files, crash recovery, the
# WAL) are not among them, nor the restore-from-backup Verifier test. Starts
# a one-node cluster (tools/pg_cluster.sh) and stops it. Extra arguments go
# to bazel test. Last line: "N passed, N failed" (tools/test.sh runs it).
set -uo pipefail
cd "$(dirname "$0")/../.."
targets=(
  //tests/e2e:sessions_e2e_test
  //tests/e2e:lost_response_e2e_test
  //tests/e2e:claims_e2e_test
  //tests/e2e:verifier_e2e_test
  //tests/e2e:stats_request_id_e2e_test
)
dir=$(mktemp -d /tmp/tpge.XXXXXX)
rmdir "$dir"
bep=$(mktemp)
trap 'bash tools/pg_cluster.sh stop "$dir" --clean >/dev/null 2>&1; rm -f "$bep"' EXIT
bash tools/pg_cluster.sh start "$dir" --standbys=0 >/dev/null || {
  echo "0 passed, 1 failed"
  exit 1
}
port=$(sed -n 's/^PG_PORT_0=//p' "$dir/env")
bazel test --build_event_json_file="$bep" \
  --test_env=TESSERA_TEST_POSTGRES_PORT="$port" \
  --test_arg=--gtest_filter=-*RestoredBackup* "$@" "${targets[@]}"
rc=$?
counts=$(python3 tools/count_test_results.py --counts "$bep" \
  "$(bazel info bazel-testlogs 2>/dev/null)" "${targets[@]}")
echo "${counts% *} passed, ${counts#* } failed"
exit $rc
