#!/usr/bin/env bash
# The Go client library's single test entry point (tools/test.sh runs it).
#   1. dependencies exactly as go.sum locks them (go mod download/verify)
#   2. tesserapb/ is what tools/generate.sh makes now (staleness check)
#   3. gofmt and go vet
#   4. go test -race ./... against $TESSERA_TESSERAD (default: the
#      repository's bazel-bin/server/tesserad; see tesseratest)
# The last line is "N passed, N failed", counted from go test -json events
# (every test and subtest); a failed check of steps 1-3, or a package that
# fails without a failing test (a build error), counts as one failure.
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

stale() {
  local out rc
  out=$(mktemp -d)
  tools/generate.sh "$out" &&
    diff -r --exclude=generate.go "$out/tesserapb" tesserapb &&
    echo "tesserapb/ is current"
  rc=$?
  rm -rf "$out"
  return $rc
}
check "generated code current" stale
check "gofmt" bash -c 'files=$(gofmt -l .); [ -z "$files" ] || { echo "not gofmt-ed: $files"; false; }'
check "go vet" go vet ./...

report=$(mktemp)
trap 'rm -f "$report"' EXIT
echo "== go test -race ./... (tesserad: ${TESSERA_TESSERAD:-bazel-bin/server/tesserad})"
go test -race -json -count=1 -timeout=150s -p=2 ./... >"$report"
rc=$?
counts=$(python3 - "$report" <<'PY'
import json, sys
passed = failed = 0
failed_tests = set()
pkg_failed = set()
for line in open(sys.argv[1]):
    try:
        ev = json.loads(line)
    except ValueError:
        continue
    action, test, pkg = ev.get("Action"), ev.get("Test"), ev.get("Package")
    if action == "output" and ev.get("Output", "").startswith(("--- FAIL", "FAIL", "panic:")):
        sys.stderr.write(ev["Output"])
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
