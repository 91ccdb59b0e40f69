#!/usr/bin/env bash
# Installs what is missing, builds tesserad (optimized) and runs it in the
# foreground with zero configuration: gRPC on 127.0.0.1:50051, data in
# ./tessera-data. Extra arguments are passed to tesserad.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bazel build -c opt //server:tesserad
exec bazel-bin/server/tesserad "$@"
