#!/usr/bin/env bash
# Runs one example on loopback: tesserad, the example's API and its web app.
#   examples/run.sh sveltekit-go      (or sveltekit-flask)
# then open http://127.0.0.1:3000 (alice / alice-password, bob / bob-password).
# Ctrl-C stops all three. Builds what is missing first (client/node, the web
# app, the Go binary or the Flask venv). Data lives in a temp dir.
#   TESSERA_TESSERAD  tesserad binary (default bazel-bin/server/tesserad)
#   WEB_PORT, API_PORT, TESSERA_PORT (defaults 3000, 8081, 50051)
#   ACCESS_TTL (default 15m; try 5s to watch refreshes)
set -euo pipefail
example="${1:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
case "$example" in
  sveltekit-go | sveltekit-flask) ;;
  *) echo "usage: examples/run.sh sveltekit-go|sveltekit-flask" >&2; exit 2 ;;
esac
tesserad="${TESSERA_TESSERAD:-$root/bazel-bin/server/tesserad}"
[[ -x "$tesserad" ]] || { echo "no tesserad at $tesserad: bazel build //server:tesserad, or set TESSERA_TESSERAD" >&2; exit 1; }
web_port="${WEB_PORT:-3000}" api_port="${API_PORT:-8081}" grpc_port="${TESSERA_PORT:-50051}"
dir="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do # up to 5 s to stop, then SIGKILL
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

web="$here/$example/web"
api="$here/$example/api"
if [[ ! -f "$root/client/node/packages/sveltekit/dist/index.js" ]]; then bash "$here/e2e/scripts/build-client-node.sh"; fi
if [[ ! -f "$web/build/index.js" ]]; then (cd "$web" && npm ci --no-audit --no-fund && npm run build); fi
if [[ "$example" == sveltekit-go ]]; then
  (cd "$api" && go build -o "$dir/api" .)
  api_cmd=("$dir/api")
else
  if [[ ! -x "$api/.venv/bin/python" ]]; then
    python3 -m venv "$api/.venv"
    "$api/.venv/bin/pip" install --quiet --no-deps -r "$api/requirements.lock"
    "$api/.venv/bin/pip" install --quiet --no-deps --no-build-isolation -e "$root/client/python"
  fi
  api_cmd=("$api/.venv/bin/python" -m example_api)
fi

"$tesserad" --grpc_address="127.0.0.1:$grpc_port" --http_address= --data_dir="$dir/data" \
  --access_ttl="${ACCESS_TTL:-15m}" --audit_log_file="$dir/audit.log" &
pids+=($!)
sleep 1
(cd "$api" && TESSERA_ADDRESS="127.0.0.1:$grpc_port" API_ADDRESS="127.0.0.1:$api_port" exec "${api_cmd[@]}") &
pids+=($!)
(cd "$web" && TESSERA_ADDRESS="127.0.0.1:$grpc_port" API_ORIGIN="http://127.0.0.1:$api_port" \
  HOST=127.0.0.1 PORT="$web_port" ORIGIN="http://127.0.0.1:$web_port" exec node build) &
pids+=($!)
echo "open http://127.0.0.1:$web_port  (alice / alice-password, bob / bob-password); Ctrl-C stops"
wait -n
