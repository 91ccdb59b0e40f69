#!/usr/bin/env bash
# The Node client libraries' single test entry point (tools/test.sh runs it).
# Installs dependencies exactly as locked (npm ci), checks that the generated
# protobuf code is current, type-checks (tsc --noEmit, strict), and runs every
# vitest suite (packages/core, then packages/sveltekit) — unit, conformance
# vectors, end-to-end against the real tesserad in $TESSERA_TESSERAD
# (default: <repo>/bazel-bin/server/tesserad), and the SvelteKit test app
# (built with vite once per run) in Debian's /usr/bin/chromium through
# playwright-core, revoking with the CLI in $TESSERA_CLI (default:
# <repo>/bazel-bin/tools/cli/tessera). No browser is ever downloaded.
# The last line is "N passed, N failed", counted from vitest's JSON report;
# a failed install, stale generated code or a type error counts as a failure.
set -uo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0

check() {  # check LABEL COMMAND...: a non-test step; its failure counts as one
  local label=$1
  shift
  echo "== node: $label"
  if ! "$@"; then
    echo "== node: $label FAILED"
    failed=$((failed + 1))
  fi
}

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if ! npm ci --no-audit --no-fund --loglevel=error; then
  echo "npm ci failed"
  echo "0 passed, 1 failed"
  exit 1
fi
check "generated code is current" bash packages/core/scripts/generate.sh --check
check "tsc --noEmit" npm exec --workspace @tessera-auth/node -- tsc --noEmit -p .
check "tsc --noEmit (sveltekit)" npm exec --workspace @tessera-auth/sveltekit -- tsc --noEmit -p .
no_any_exported() {  # the public declarations (generated code aside) name no `any`
  (cd packages/core && ../../node_modules/.bin/tsc -p tsconfig.build.json \
    --outDir "$work/dist" --emitDeclarationOnly --removeComments) || return 1
  ! grep -nwE 'any' "$work"/dist/*.d.ts
}
check "no any in exported types" no_any_exported

count() {  # count REPORT: "passed failed" from a vitest JSON report
  node -e '
    const fs = require("fs");
    let r;
    try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); }
    catch { console.log("0 1"); process.exit(0); }
    // A file whose hooks failed may have no failed test of its own: count it.
    let broken = 0;
    for (const f of r.testResults ?? []) {
      const anyFailed = (f.assertionResults ?? []).some((a) => a.status === "failed");
      if (f.status === "failed" && !anyFailed) broken++;
    }
    console.log(`${r.numPassedTests} ${r.numFailedTests + broken}`);
  ' "$1"
}
passed=0
for pkg in core sveltekit; do
  echo "== node: vitest ($pkg)"
  report="$work/vitest-$pkg.json"
  (cd "packages/$pkg" && ../../node_modules/.bin/vitest run --reporter=default \
    --reporter=json --outputFile="$report")
  counts=$(count "$report")
  passed=$((passed + ${counts% *}))
  failed=$((failed + ${counts#* }))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
