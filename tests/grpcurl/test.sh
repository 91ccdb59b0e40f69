#!/usr/bin/env bash
# Runs every command of docs/grpcurl.md against real tesserad processes,
# through the runner of every documented command (tests/docs/test.sh: the
# same binaries, the runner's self-test first). The last line is "N passed,
# N failed": one per documented command, one for the page's background jobs
# and one for its servers' shutdown, one for the self-test. Exits non-zero on
# any failure.
exec bash "$(dirname "$0")/../docs/test.sh" docs/grpcurl.md
