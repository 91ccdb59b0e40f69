#!/usr/bin/env bash
# tests/docs/test.sh [PAGE...]
#
# Runs every `sh` block of each PAGE (default: README.md and docs/*.md but
# docs/grpcurl.md, which tests/grpcurl/test.sh passes here as its one page)
# against real tesserad processes with run_markdown.py (after its self-test,
# testdata/selftest.md), so a documented command that stops working fails
# this test. A block a test cannot run says why (<!-- not run: REASON -->
# before it); the runner prints each skipped block with its reason. Not here:
# docs/sdk/ and docs/guides/ (code, run by the client libraries' and
# examples' suites). grpcurl is $TESSERA_GRPCURL, else grpcurl on PATH, else
# $(go env GOPATH)/bin/grpcurl (where tools/setup.sh installs it).
#
# How the pages' commands map to the binaries under test: bazel-bin/server/
# tesserad and `bash tools/run_server.sh` (zero configuration) are
# $TESSERA_TESSERAD, started by the runner on free ports; bazel-bin/tools/cli/
# tessera and `tessera` are $TESSERA_CLI, pointed at the page's server;
# `bazel build` is not run (its output is what is under test). Defaults: the
# repository's bazel-bin/server/tesserad and bazel-bin/tools/cli/tessera.
#
# The last line is "N passed, N failed": one per command run, plus per page
# one for its background jobs and one for its servers' shutdown, plus one for
# the self-test. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"
REPO=$(cd ../.. && pwd)

fail_setup() {
  echo "$1" >&2
  echo "0 passed, 1 failed"
  exit 1
}
tesserad=${TESSERA_TESSERAD:-$REPO/bazel-bin/server/tesserad}
[[ -x "$tesserad" ]] ||
  fail_setup "no tesserad at $tesserad: set TESSERA_TESSERAD or run 'bazel build //server:tesserad'"
cli=${TESSERA_CLI:-$REPO/bazel-bin/tools/cli/tessera}
[[ -x "$cli" ]] ||
  fail_setup "no tessera CLI at $cli: set TESSERA_CLI or run 'bazel build //tools/cli:tessera'"
for tool in jq openssl curl grpcurl; do
  command -v "$tool" >/dev/null || [[ $tool == grpcurl ]] ||
    fail_setup "no $tool (tools/setup.sh installs it)"
done
grpcurl=${TESSERA_GRPCURL:-$(command -v grpcurl || true)}
if [[ -z "$grpcurl" ]] && command -v go >/dev/null; then
  grpcurl="$(go env GOPATH)/bin/grpcurl"
fi
[[ -x "$grpcurl" ]] || fail_setup "no grpcurl: run tools/setup.sh or set TESSERA_GRPCURL"

common=(--tesserad "$tesserad" --cli "$cli" --grpcurl "$grpcurl"
  --alias bazel-bin/tools/cli/tessera=tessera
  --alias bazel-bin/server/tesserad=tesserad
  --alias "bash tools/run_server.sh=tesserad"
  --prebuilt "bazel build")

# page_args PAGE: what a page assumes beyond the common mapping.
page_args() {
  case "$1" in
    # The CLI reference and the claims examples run against a tesserad
    # already serving (as after `bash tools/run_server.sh`).
    docs/cli.md) echo --server= --sandbox=/var/backups ;;
    docs/sessions.md) echo --server= ;;
    # Backup and restore: a tesserad with its KEK in /etc/tessera/kek.
    docs/operations.md)
      echo --sandbox=/var/backups --sandbox=/srv --sandbox="/etc/tessera=$etc_tessera" \
        --server=--kek_file=/etc/tessera/kek ;;
  esac
}

passed=0
failed=0
add() { # add OUTPUT_FILE: sums its last line "N passed, N failed"
  local line
  line=$(tail -1 "$1")
  if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
  else
    failed=$((failed + 1))
  fi
}

echo "== runner self-test (testdata/selftest.md must give 11 passed, 6 failed)"
self=$(python3 run_markdown.py testdata/selftest.md "${common[@]}" --sandbox /var/backups)
if [[ "$(tail -1 <<<"$self")" == "11 passed, 6 failed" ]]; then
  echo "ok   runner self-test"
  passed=$((passed + 1))
else
  echo "FAIL runner self-test:"
  echo "$self"
  failed=$((failed + 1))
fi

out=$(mktemp)
etc_tessera=$(mktemp -d)
trap 'rm -rf "$out" "$etc_tessera"' EXIT
(umask 077 && openssl rand -base64 32 >"$etc_tessera/kek")
cd "$REPO"
pages=("$@")
if [[ ${#pages[@]} -eq 0 ]]; then
  for page in README.md docs/*.md; do
    [[ $page == docs/grpcurl.md ]] || pages+=("$page")
  done
fi
for page in "${pages[@]}"; do
  if ! grep -q '^```sh$' "$page"; then
    echo "== $page: no sh blocks"
    continue
  fi
  echo "== $page"
  # shellcheck disable=SC2046  # page_args's words are separate flags
  python3 tests/docs/run_markdown.py "$page" "${common[@]}" $(page_args "$page") | tee "$out"
  add "$out"
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
