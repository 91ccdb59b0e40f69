#!/usr/bin/env bash
# Fails if a test or benchmark of this checkout left a tesserad running:
# any tesserad process whose binary or --data_dir lies under this
# workspace's Bazel output base (bazel test's and bazel run's runfiles and
# test temp dirs), or whose data dir is under a test temp dir
# ($TEST_TMPDIR / .../_tmp/...), or whose parent is gone (re-parented to
# init) while running a binary from this output base. Servers started
# elsewhere (e.g. /work/bin/tesserad by another engineer) are not ours and
# are ignored. Run after the test suite: nothing of ours should be serving.
#
#   bash tools/check_no_tesserad_left.sh   # exit 0: none left; 1: listed
set -uo pipefail
cd "$(dirname "$0")/.."
output_base=$(bazel info output_base 2>/dev/null) || {
  echo "check_no_tesserad_left: bazel info output_base failed" >&2
  exit 1
}
output_base=$(readlink -f "$output_base")
left=0
for proc in /proc/[0-9]*; do
  pid=${proc#/proc/}
  exe=$(readlink -f "$proc/exe" 2>/dev/null) || continue
  [ "$(basename "$exe")" = tesserad ] || continue
  # A zombie is already dead (its parent has yet to reap it).
  state=$(sed -e 's/.*) \(.\).*/\1/' "$proc/stat" 2>/dev/null) || continue
  [ "$state" = Z ] && continue
  data_dir=$(tr '\0' '\n' <"$proc/cmdline" 2>/dev/null |
    sed -n 's/^--data_dir=//p' | tail -1)
  ppid=$(awk '{print $4}' "$proc/stat" 2>/dev/null)
  ours=0
  case "$exe" in "$output_base"/*) ours=1 ;; esac
  case "$data_dir" in "$output_base"/* | */_tmp/*) ours=1 ;; esac
  [ "$ours" = 1 ] || continue
  why="still running after the tests"
  [ "$ppid" = 1 ] && why="its parent is gone"
  echo "check_no_tesserad_left: tesserad $pid ($why): $exe --data_dir=$data_dir" >&2
  left=1
done
if [ "$left" = 1 ]; then
  echo "check_no_tesserad_left: a test or benchmark left a tesserad running" >&2
  exit 1
fi
echo "check_no_tesserad_left: no tesserad left behind"
