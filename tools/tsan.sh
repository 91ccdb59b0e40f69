#!/usr/bin/env bash
# ThreadSanitizer run over the concurrent parts of Tessera: the client
# library and Verifier, the revocation stream hub, the WAL syncer, the key
# ring, and the end-to-end Verifier, session (32 racing refreshes,
# ValidateToken's cache) and example-service tests (which run an
# instrumented tesserad too). Not part of `tools/test.sh`: it rebuilds
# everything with -fsanitize=thread (~10 min on 2 cores).
#
#   bash tools/tsan.sh [extra bazel test args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
absl_sync=$(bash tools/tsan/absl_sync.sh)
bazel test --config=tsan --test_env=LD_PRELOAD="${absl_sync}" \
  --test_env=TSAN_OPTIONS="halt_on_error=1:suppressions=${PWD}/tools/tsan/suppressions.txt" \
  //client/... //server/... \
  //tests/e2e:verifier_e2e_test //tests/e2e:sessions_e2e_test \
  //tests/example:all "$@"
