#!/usr/bin/env bash
# Runs every command of docs/grpcurl.md against real tesserad processes
# (tests/docs/run_markdown.py, the runner of every documented command), after
# checking that the runner itself fails what it must
# (tests/docs/testdata/selftest.md). Binaries: $TESSERA_TESSERAD (default: the
# repository's bazel-bin/server/tesserad), $TESSERA_CLI (the self-test's, default
# bazel-bin/tools/cli/tessera) and $TESSERA_GRPCURL (default:
# grpcurl on PATH, else $(go env GOPATH)/bin/grpcurl, where tools/setup.sh
# installs it). The last line is "N passed, N failed": one per documented
# command, one for the servers' shutdown, one for the self-test. Exits non-zero
# on any failure.
set -uo pipefail
cd "$(dirname "$0")"
REPO=$(cd ../.. && pwd)

tesserad=${TESSERA_TESSERAD:-$REPO/bazel-bin/server/tesserad}
if [[ ! -x "$tesserad" ]]; then
  echo "no tesserad at $tesserad: set TESSERA_TESSERAD or run 'bazel build //server:tesserad'" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
cli=${TESSERA_CLI:-$REPO/bazel-bin/tools/cli/tessera}
if [[ ! -x "$cli" ]]; then
  echo "no tessera CLI at $cli: set TESSERA_CLI or run 'bazel build //tools/cli:tessera'" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
grpcurl=${TESSERA_GRPCURL:-$(command -v grpcurl || true)}
if [[ -z "$grpcurl" ]] && command -v go >/dev/null; then
  grpcurl="$(go env GOPATH)/bin/grpcurl"
fi
if [[ ! -x "$grpcurl" ]]; then
  echo "no grpcurl: run tools/setup.sh (go install ...grpcurl@v1.9.4) or set TESSERA_GRPCURL" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
for tool in jq openssl curl; do
  command -v "$tool" >/dev/null || { echo "no $tool (tools/setup.sh installs it)" >&2; echo "0 passed, 1 failed"; exit 1; }
done

passed=0
failed=0
runner=$REPO/tests/docs/run_markdown.py
echo "== runner self-test (tests/docs/testdata/selftest.md must give 11 passed, 6 failed)"
self=$(python3 "$runner" "$REPO/tests/docs/testdata/selftest.md" --tesserad "$tesserad" \
  --grpcurl "$grpcurl" --cli "$cli" --alias bazel-bin/tools/cli/tessera=tessera \
  --sandbox /var/backups --prebuilt "bazel build")
if [[ "$(tail -1 <<<"$self")" == "11 passed, 6 failed" ]]; then
  echo "ok   runner self-test"
  passed=$((passed + 1))
else
  echo "FAIL runner self-test:"
  echo "$self"
  failed=$((failed + 1))
fi

echo "== docs/grpcurl.md (grpcurl: $grpcurl)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
python3 "$runner" "$REPO/docs/grpcurl.md" --tesserad "$tesserad" --grpcurl "$grpcurl" | tee "$out"
line=$(tail -1 "$out")
if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1]))
  failed=$((failed + BASH_REMATCH[2]))
else
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
