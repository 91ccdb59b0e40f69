#!/usr/bin/env bash
# The examples' single test entry point: installs exactly as locked, builds
# the client packages and both web apps, type-checks them, runs each API's
# own test script (examples/*/api/test.sh) and the browser scenarios
# (examples/e2e). Its last line is "N passed, N failed", summed from the
# real reports (the API scripts' last lines, vitest's JSON report); a
# failed install, build or type check counts as one failure. Exit status is
# non-zero on any failure.
#   TESSERA_TESSERAD  tesserad binary (default bazel-bin/server/tesserad)
#   TESSERA_CLI       tessera CLI (default bazel-bin/tools/cli/tessera)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
export TESSERA_TESSERAD="${TESSERA_TESSERAD:-$root/bazel-bin/server/tesserad}"
export TESSERA_CLI="${TESSERA_CLI:-$root/bazel-bin/tools/cli/tessera}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
passed=0
failed=0
# Every step's full output stays here after the run (gitignored).
logs="$here/e2e/.last-run"
rm -rf "$logs" && mkdir -p "$logs"

step() { # step NAME COMMAND...: one counted check; its output goes to a log shown on failure
  local name="$1"; shift
  local log="$logs/$(echo "$name" | tr -c 'A-Za-z0-9' '_').log"
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1)); echo "ok    $name"
  else
    failed=$((failed + 1)); echo "FAIL  $name"; tail -n 40 "$log" | sed 's/^/      /'
  fi
}

for bin in "$TESSERA_TESSERAD" "$TESSERA_CLI"; do
  [[ -x "$bin" ]] || { echo "missing $bin (set TESSERA_TESSERAD / TESSERA_CLI or bazel build //server:tesserad //tools/cli:tessera)"; echo "0 passed, 1 failed"; exit 1; }
done

step "client/node: npm ci + build" bash "$here/e2e/scripts/build-client-node.sh"
for web in "$here"/*/web; do
  ex="$(basename "$(dirname "$web")")"
  step "$ex/web: npm ci" npm ci --prefix "$web" --no-audit --no-fund --loglevel=error
  step "$ex/web: svelte-kit sync + tsc" npm run --prefix "$web" check
  step "$ex/web: vite build" npm run --prefix "$web" build
done
step "e2e: npm ci" npm ci --prefix "$here/e2e" --no-audit --no-fund --loglevel=error

# Each API's own script ends with "N passed, N failed". The two run side by
# side (installs and compiles overlap), each with its own tesserad and ports.
apis=() pids=()
for t in "$here"/*/api/test.sh; do
  [[ -f "$t" ]] || continue
  ex="$(basename "$(dirname "$(dirname "$t")")")"
  bash "$t" >"$logs/api-$ex.log" 2>&1 &
  apis+=("$ex") pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null; exit 1' INT TERM
for i in "${!apis[@]}"; do
  ex=${apis[$i]}
  log="$logs/api-$ex.log"
  wait "${pids[$i]}"
  rc=$?
  last="$(tail -n 1 "$log")"
  if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
    echo "api   $ex: $last"
    if [[ $rc -ne 0 && "${BASH_REMATCH[2]}" == 0 ]]; then failed=$((failed + 1)); echo "FAIL  $ex/api/test.sh exited $rc"; fi
  else
    failed=$((failed + 1)); echo "FAIL  $ex/api/test.sh (no summary line; exit $rc)"; tail -n 40 "$log" | sed 's/^/      /'
  fi
  [[ $rc -ne 0 ]] && tail -n 40 "$log" | sed 's/^/      /'
done

# The browser scenarios; vitest's JSON report is the count.
report="$logs/e2e.json"
(cd "$here/e2e" && npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$report") 2>&1 | tee "$logs/e2e.log" | grep -E '^\s+(✓|×|↓)|FAIL|Error:' | cut -c1-200
if [[ -s "$report" ]]; then
  read -r p f < <(node -e 'const r=require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTests===0?1:0) + r.testResults.filter(t=>t.status==="failed"&&t.assertionResults.length===0).length)' "$report")
  passed=$((passed + p)); failed=$((failed + f))
  echo "e2e   $p passed, $f failed"
else
  failed=$((failed + 1)); echo "FAIL  e2e: no vitest report"; tail -n 40 "$logs/e2e.log"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
