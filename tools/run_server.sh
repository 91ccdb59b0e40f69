#!/usr/bin/env bash
# Installs what is missing, builds tesserad and the tessera CLI (optimized;
# the CLI is bazel-bin/tools/cli/tessera) and runs tesserad in the
# foreground with zero configuration: gRPC on 127.0.0.1:50051, data in
# ./tessera-data. Extra arguments are passed to tesserad.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bazel build -c opt //server:tesserad //tools/cli:tessera
exec bazel-bin/server/tesserad "$@"
