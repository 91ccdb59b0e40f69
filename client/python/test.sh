#!/usr/bin/env bash
# The single entry point for the Python client (tools/test.sh calls it).
# Installs the locked dependencies into .venv, checks the generated stubs are
# current, runs ruff, mypy and pytest against $TESSERA_TESSERAD, and prints
# "N passed, N failed" as its last line: pytest's junit XML counts, plus one
# failure for each failed check (staleness, ruff, mypy).
set -uo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
REPO=$(cd ../.. && pwd)
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
if ! "$VPY" -m pip install -q -r requirements.lock || \
   ! "$VPY" -m pip install -q --no-deps --no-build-isolation -e .; then
  echo "dependency install failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

check_failures=0
check() {  # name, command...
  local name=$1; shift
  if "$@"; then echo "== $name: ok"; else echo "== $name: FAILED"; check_failures=$((check_failures + 1)); fi
}
check "generated code current" "$VPY" scripts/gen_protos.py --check
check "ruff" "$VPY" -m ruff check src tests scripts bench
check "mypy" "$VPY" -m mypy

mkdir -p test-results
rm -f test-results/junit.xml
"$VPY" -m pytest -q --junitxml=test-results/junit.xml "$@"
pytest_rc=$?

read -r passed failed < <("$VPY" - <<'PYEOF'
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
failed=$((failed + check_failures))
if [[ $pytest_rc -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
