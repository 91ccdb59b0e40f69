#!/usr/bin/env bash
# Three tesserad replicas over a local PostgreSQL cluster (a primary and two
# synchronous standbys, tools/pg_cluster.sh), for development:
#
#   tools/ha_dev.sh start [DIR]   build, start the cluster and 3 replicas
#   tools/ha_dev.sh stop DIR      stop the replicas and the cluster
#
# DIR (default: a new /tmp/tha.XXXXXX) holds the cluster, a shared KEK and
# each replica's data dir and log. The replicas listen on free loopback
# ports (gRPC and HTTP), written to DIR/replicas with their pids; `start`
# prints them. Kill one, pause the primary (tools/pg_cluster.sh pause
# DIR/pg 0) and watch the others carry on. TESSERA_TESSERAD picks another
# binary.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "ha_dev: $*" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cmd_start() {
  local dir=${1:-}
  [ -n "$dir" ] || dir=$(mktemp -d /tmp/tha.XXXXXX)
  mkdir -p "$dir"
  local tesserad=${TESSERA_TESSERAD:-}
  if [ -z "$tesserad" ]; then
    bazel build -c opt //server:tesserad >&2
    tesserad=$PWD/bazel-bin/server/tesserad
  fi
  bash tools/pg_cluster.sh start "$dir/pg" >/dev/null
  # shellcheck disable=SC1091
  source "$dir/pg/env"
  (umask 077; openssl rand -base64 32 >"$dir/kek")
  : >"$dir/replicas"
  local i grpc http
  for i in 0 1 2; do
    grpc=127.0.0.1:$(free_port)
    http=127.0.0.1:$(free_port)
    mkdir -p "$dir/r$i"
    setsid "$tesserad" --store=postgres --postgres_url="$PG_URL" \
      --kek_file="$dir/kek" --data_dir="$dir/r$i/data" \
      --grpc_address="$grpc" --http_address="$http" \
      >"$dir/r$i/log" 2>&1 </dev/null &
    echo "replica $i pid $! grpc $grpc http $http" >>"$dir/replicas"
  done
  for i in 0 1 2; do
    http=$(sed -n "$((i + 1))s/.* http //p" "$dir/replicas")
    local tries=0
    until curl -fsS "http://$http/readyz" >/dev/null 2>&1; do
      tries=$((tries + 1))
      [ $tries -lt 300 ] || { tail -5 "$dir/r$i/log" >&2; die "replica $i not ready"; }
      sleep 0.1
    done
  done
  echo "HA_DIR=$dir"
  cat "$dir/replicas"
}

cmd_stop() {
  local dir=$1 pid
  [ -f "$dir/replicas" ] || die "no replicas in $dir"
  while read -r _ _ _ pid _; do
    kill "$pid" 2>/dev/null || true
  done <"$dir/replicas"
  sleep 1
  bash tools/pg_cluster.sh stop "$dir/pg" --clean >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case ${1:-} in
  start) shift; cmd_start "$@" ;;
  stop) [ $# -eq 2 ] || die "usage: stop DIR"; cmd_stop "$2" ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; [ "${1:-}" = help ] ;;
esac
