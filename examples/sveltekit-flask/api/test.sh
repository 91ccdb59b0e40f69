#!/usr/bin/env bash
# The Flask example API's test entry point:
#   1. a venv in .venv with requirements.lock installed exactly (--no-deps, then
#      `pip check`), and the repository's client/python (tessera-auth) from its path
#   2. ruff (lint and format) and mypy --strict
#   3. pytest: unit tests over fakes, and end-to-end tests that run
#      `python -m example_api` against the real tesserad at $TESSERA_TESSERAD
#      (default: the repository's bazel-bin/server/tesserad)
# The last line is "N passed, N failed": pytest's junit XML counts, plus one
# failure for each failed check of steps 1-2. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
REPO=$(cd ../../.. && pwd)
PY=${PYTHON:-python3}

if [[ -z "${TESSERA_TESSERAD:-}" ]]; then
  if [[ -x "$REPO/bazel-bin/server/tesserad" ]]; then
    export TESSERA_TESSERAD="$REPO/bazel-bin/server/tesserad"
  else
    echo "no tesserad: set TESSERA_TESSERAD or run 'bazel build //server:tesserad'" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv || { echo "0 passed, 1 failed"; exit 1; }
fi
VPY="$HERE/.venv/bin/python"
if ! "$VPY" -m pip install -q --no-deps -r requirements.lock ||
  ! "$VPY" -m pip install -q --no-deps --no-build-isolation -e "$REPO/client/python"; then
  echo "dependency install failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0
failed=0
check() { # check NAME COMMAND...: one pass or one failure
  local name=$1
  shift
  if "$@"; then
    echo "== $name: ok"
    passed=$((passed + 1))
  else
    echo "== $name: FAILED"
    failed=$((failed + 1))
  fi
}
check "dependencies consistent (pip check)" "$VPY" -m pip check
check "ruff" "$VPY" -m ruff check .
check "ruff format" "$VPY" -m ruff format --check .
check "mypy" "$VPY" -m mypy

mkdir -p test-results
rm -f test-results/junit.xml
"$VPY" -m pytest -q --junitxml=test-results/junit.xml "$@"
pytest_rc=$?

read -r tpassed tfailed < <("$VPY" - <<'PYEOF'
import xml.etree.ElementTree as ET
try:
    root = ET.parse("test-results/junit.xml").getroot()
except (OSError, ET.ParseError):
    print(0, 1)
    raise SystemExit
suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
tests = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(tests - bad - skipped, bad)
PYEOF
)
if [[ $pytest_rc -ne 0 && $tfailed -eq 0 ]]; then tfailed=1; fi
echo "== pytest: $tpassed passed, $tfailed failed"
passed=$((passed + tpassed))
failed=$((failed + tfailed))
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
