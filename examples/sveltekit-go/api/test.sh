#!/usr/bin/env bash
# The Go example API's test entry point:
#   1. dependencies exactly as go.sum locks them (go mod download/verify),
#      and go.mod/go.sum tidy (go mod tidy -diff)
#   2. gofmt and go vet
#   3. go test -race: unit tests over fakes, and end-to-end tests against
#      the real tesserad at $TESSERA_TESSERAD (default: the repository's
#      bazel-bin/server/tesserad)
# The last line is "N passed, N failed", counted from go test -json events;
# a failed step 1-2, or a package failing without a failing test (a build
# error), counts as one failure. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"
export GOFLAGS=-mod=readonly
passed=0
failed=0
check() { # check NAME COMMAND...: one pass or one failure
  local name=$1
  shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else
    echo "FAILED: $name"
    failed=$((failed + 1))
  fi
}

check "dependencies as locked" bash -c 'go mod download && go mod verify'
check "go.mod and go.sum tidy" go mod tidy -diff
check "gofmt" bash -c 'files=$(gofmt -l .); [ -z "$files" ] || { echo "not gofmt-ed: $files"; false; }'
check "go vet" go vet ./...

report=$(mktemp)
trap 'rm -f "$report"' EXIT
echo "== go test -race ./... (tesserad: ${TESSERA_TESSERAD:-bazel-bin/server/tesserad})"
go test -race -json -count=1 -timeout=120s ./... >"$report"
rc=$?
counts=$(python3 - "$report" <<'PY'
import json, sys
passed = failed = 0
failed_tests, pkg_failed = set(), set()
for line in open(sys.argv[1]):
    try:
        ev = json.loads(line)
    except ValueError:
        continue
    action, test, pkg = ev.get("Action"), ev.get("Test"), ev.get("Package")
    out = ev.get("Output", "")
    if action == "output" and (out.startswith(("--- FAIL", "FAIL", "panic:")) or ".go:" in out):
        sys.stderr.write(out)
    if test:
        if action == "pass":
            passed += 1
        elif action == "fail":
            failed += 1
            failed_tests.add(pkg)
    elif action == "fail":
        pkg_failed.add(pkg)
failed += len(pkg_failed - failed_tests)  # e.g. a build failure
print(passed, failed)
PY
)
tpassed=${counts% *}
tfailed=${counts#* }
if [ "$rc" -ne 0 ] && [ "$tfailed" -eq 0 ]; then tfailed=1; fi
echo "== go test: $tpassed passed, $tfailed failed"
passed=$((passed + tpassed))
failed=$((failed + tfailed))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
