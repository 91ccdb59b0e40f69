#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite.
# Ends with one line "N passed, N failed" counted from the gtest results
# (Bazel's test.xml files) and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh || exit 1

bep=$(mktemp)
trap 'rm -f "$bep"' EXIT
bazel test --build_event_json_file="$bep" //... "$@"
bazel_rc=$?

# Count the gtest cases of every test target of this tree (not stale ones).
targets=$(bazel query 'tests(//...)' 2>/dev/null)
python3 tools/count_test_results.py "$bep" \
  "$(bazel info bazel-testlogs 2>/dev/null)" $targets
count_rc=$?

if [ $bazel_rc -ne 0 ] || [ $count_rc -ne 0 ]; then
  exit 1
fi
