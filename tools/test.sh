#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite:
#   1. bazel test //...                          (OpenSSL, the server's build)
#      then tools/check_no_tesserad_left.sh (a leftover server fails)
#   2. bazel test --config=boringssl //client/token/...
#      (the token codec again, against Debian's BoringSSL, no gRPC)
#   3. every client library's test.sh (go test, pytest, vitest + browser)
#   4. the grpcurl cookbook, the PostgreSQL dev cluster, the service's e2e
#      suites again on PostgreSQL, the examples' suite
# Ends with one line "N passed, N failed" summed from the real results of
# every runner (Bazel's test.xml files, each script's last line) and exits
# non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh || exit 1
# Node packages for the interop tests (jose), exactly as locked.
npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error || exit 1

total_passed=0
total_failed=0
status=0

# run_suite LABEL BAZEL_ARGS... -- TARGET_PATTERN
run_suite() {
  local label=$1 pattern=$2
  shift 2
  local bep
  bep=$(mktemp)
  echo "== $label: bazel test $* $pattern"
  bazel test --build_event_json_file="$bep" "$@" "$pattern"
  local rc=$?
  local targets counts
  # Tests tagged manual (the failover suite: its own command) are not part
  # of a pattern's run.
  targets=$(bazel query "tests($pattern) except attr(tags, manual, tests($pattern))" \
    2>/dev/null)
  counts=$(python3 tools/count_test_results.py --counts "$bep" \
    "$(bazel info "$@" bazel-testlogs 2>/dev/null)" $targets)
  rm -f "$bep"
  local passed=${counts% *} failed=${counts#* }
  echo "== $label: $passed passed, $failed failed"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  if [ $rc -ne 0 ] || [ "$failed" -ne 0 ]; then status=1; fi
}

# run_runner LABEL SCRIPT: a client library's own test runner (go test,
# pytest, vitest, ...). The script gets the tesserad binary in
# TESSERA_TESSERAD and must end its output with one line "N passed, N failed"
# counted from its runner's real results (a JSON or JUnit report, not a
# guess); a missing line counts as one failure.
run_runner() {
  local label=$1 script=$2 out rc
  echo "== $label: $script"
  out=$(mktemp)
  TESSERA_TESSERAD="$tesserad" TESSERA_CLI="$tessera_cli" bash "$script" 2>&1 |
    tee "$out"
  rc=${PIPESTATUS[0]}
  local line passed=0 failed=1
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
  if [ -n "$line" ]; then
    passed=${line%% passed*}
    failed=${line#*, }
    failed=${failed%% failed}
  fi
  rm -f "$out"
  echo "== $label: $passed passed, $failed failed"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then status=1; fi
}

run_suite "all tests" //... 
# No test may leave a tesserad of ours behind (tesserad_process.h).
bash tools/check_no_tesserad_left.sh || { status=1; total_failed=$((total_failed + 1)); }
# The tesserad the client libraries test against: the one just built (kept
# aside, since the BoringSSL run below repoints bazel-bin).
tesserad_dir=$(mktemp -d)
trap 'rm -rf "$tesserad_dir"' EXIT
tesserad="$tesserad_dir/tesserad"
tessera_cli="$tesserad_dir/tessera"
bazel build //server:tesserad //tools/cli:tessera 2>&1 | grep -E '^ERROR' ;
[ "${PIPESTATUS[0]}" -eq 0 ] &&
  cp "$(bazel info bazel-bin)/server/tesserad" "$tesserad" &&
  cp "$(bazel info bazel-bin)/tools/cli/tessera" "$tessera_cli" || status=1
run_suite "token codec on BoringSSL" //client/token/... --config=boringssl

# Client libraries, each against the tesserad built above. Each directory
# that has a test.sh takes part.
for runner in client/*/test.sh; do
  [ -f "$runner" ] || continue
  run_runner "$(basename "$(dirname "$runner")") client" "$runner"
done

# Suites around the binaries: the grpcurl cookbook (docs/grpcurl.md, run as
# written), the development PostgreSQL cluster, and the example systems
# with their browser scenarios.
run_runner "grpcurl cookbook" tests/grpcurl/test.sh
run_runner "docs commands" tests/docs/test.sh
run_runner "postgres dev cluster" tests/pg/pg_cluster_test.sh
run_runner "e2e suites on PostgreSQL" tests/e2e/on_postgres.sh
[ -f examples/test.sh ] && run_runner "examples" examples/test.sh

if [ $total_passed -eq 0 ]; then status=1; fi
echo "$total_passed passed, $total_failed failed"
exit $status
