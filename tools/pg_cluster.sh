#!/usr/bin/env bash
# A local PostgreSQL 15 cluster for development and tests: one primary and
# N synchronous standbys (default 2) on 127.0.0.1, replicating by streaming
# with `synchronous_standby_names = 'ANY 1 (...)'`, so a commit returns once
# the primary and at least one standby have flushed it.
#
#   tools/pg_cluster.sh start [DIR] [--standbys=N]   create and start; prints the env
#   tools/pg_cluster.sh stop DIR [--clean]           stop every node (and delete DIR)
#   tools/pg_cluster.sh status DIR                   roles and replication state
#   tools/pg_cluster.sh kill DIR NODE                kill -9 a node's postmaster
#   tools/pg_cluster.sh pause|resume DIR NODE        SIGSTOP / SIGCONT a node (all its processes)
#   tools/pg_cluster.sh restart DIR NODE             start a stopped (killed) node again
#   tools/pg_cluster.sh promote DIR NODE             promote a standby to primary
#   tools/pg_cluster.sh follow DIR NODE PRIMARY      repoint a standby at a new primary
#   tools/pg_cluster.sh rebuild DIR NODE PRIMARY     recreate a (dead) node as a standby
#
# NODE is 0 (the first primary), 1, 2, ... DIR must be a short path (Unix
# socket names are limited to 107 bytes); the default is a new /tmp/tpg.XXXXXX.
# PostgreSQL refuses to run as root, so when run as root the nodes run as the
# unprivileged `postgres` user (created by Debian's postgresql package) and
# DIR is handed to it. Authentication is `trust` on 127.0.0.1 only: this is a
# development cluster, never a production one.
#
# `start` writes DIR/env (sourceable) and prints it:
#   PG_DIR, PG_NODES, PG_PORT_<n>, PG_URL (multi-host, target_session_attrs=
#   read-write: libpq connects to whichever node is the primary).
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DB=tessera
DB_USER=tessera

die() { echo "pg_cluster: $*" >&2; exit 1; }

as_pg() {  # runs a PostgreSQL binary as the unprivileged user when root
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

node_dir() { echo "$1/n$2"; }

pg_psql() {  # pg_psql DIR NODE SQL: one statement, unaligned output
  local port
  port=$(port_of "$1" "$2")
  as_pg "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$port" -U "$DB_USER" -d "$DB" \
    -c "$3"
}

configure() {  # configure NODE_DIR PORT SOCKET_DIR STANDBY_NAMES
  cat >>"$1/postgresql.conf" <<EOF

# tools/pg_cluster.sh
listen_addresses = '127.0.0.1'
port = $2
unix_socket_directories = '$3'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
synchronous_commit = on
synchronous_standby_names = '$4'
wal_keep_size = '256MB'
max_connections = 300
fsync = on
log_destination = 'stderr'
logging_collector = off
EOF
  cat >"$1/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
EOF
}

port_of() { sed -n 's/^PG_PORT_'"$2"'=//p' "$1/env"; }

make_standby() {  # make_standby DIR NODE PRIMARY SYNC_NAMES: base backup, start
  local d p
  d=$(node_dir "$1" "$2")
  p=$(port_of "$1" "$3")
  as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$p" -U "$DB_USER" \
    -D "$d" -X stream -c fast --no-sync -C -S "n$2" -R >/dev/null 2>"$d.basebackup.log" ||
    { cat "$d.basebackup.log" >&2; die "base backup for node $2 failed"; }
  configure "$d" "$(port_of "$1" "$2")" "$1" "$4"
  primary_settings "$1" "$2" "$3" >>"$d/postgresql.auto.conf"
  start_node "$1" "$2"
}

primary_settings() {  # primary_settings DIR NODE PRIMARY: recovery settings
  echo "primary_conninfo = 'host=127.0.0.1 port=$(port_of "$1" "$3") user=$DB_USER application_name=n$2'"
  echo "primary_slot_name = 'n$2'"
}

start_node() {  # start_node DIR NODE
  local d
  d=$(node_dir "$1" "$2")
  as_pg "$PG_BIN/pg_ctl" -D "$d" -l "$d.log" -w -t 60 start >/dev/null ||
    { tail -20 "$d.log" >&2; die "node $2 did not start"; }
}

cmd_start() {
  local dir="" standbys=2 arg
  for arg in "$@"; do
    case $arg in
      --standbys=*) standbys=${arg#--standbys=} ;;
      -*) die "unknown flag $arg" ;;
      *) dir=$arg ;;
    esac
  done
  [ -x "$PG_BIN/initdb" ] || die "no PostgreSQL 15 in $PG_BIN (bash tools/setup.sh)"
  [ -n "$dir" ] || dir=$(mktemp -d /tmp/tpg.XXXXXX)
  mkdir -p "$dir"
  [ "${#dir}" -le 60 ] || die "DIR too long for Unix sockets: $dir"
  [ -e "$dir/env" ] && die "$dir already holds a cluster (stop it with --clean)"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"

  local names=() ports=() i
  for ((i = 0; i <= standbys; i++)); do ports+=("$(free_port)"); done
  # Every node is named, so whichever is promoted counts the others.
  for ((i = 0; i <= standbys; i++)); do names+=("n$i"); done
  local sync=""
  if [ "$standbys" -gt 0 ]; then
    sync="ANY 1 ($(IFS=,; echo "${names[*]}"))"
  fi

  {
    echo "PG_DIR=$dir"
    echo "PG_NODES=$((standbys + 1))"
    for ((i = 0; i <= standbys; i++)); do echo "PG_PORT_$i=${ports[$i]}"; done
    local hosts=""
    for ((i = 0; i <= standbys; i++)); do hosts+="${hosts:+,}127.0.0.1:${ports[$i]}"; done
    echo "PG_URL='postgresql://$DB_USER@$hosts/$DB?target_session_attrs=read-write&connect_timeout=2'"
  } >"$dir/env"

  local primary
  primary=$(node_dir "$dir" 0)
  as_pg "$PG_BIN/initdb" -D "$primary" -U "$DB_USER" --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$primary.initdb.log" 2>&1 ||
    { cat "$primary.initdb.log" >&2; die "initdb failed"; }
  # No synchronous standby yet: a commit before one exists would wait forever.
  configure "$primary" "${ports[0]}" "$dir" ""
  start_node "$dir" 0
  as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "${ports[0]}" -U "$DB_USER" "$DB"

  for ((i = 1; i <= standbys; i++)); do
    make_standby "$dir" "$i" 0 "$sync"
  done
  wait_standbys "$dir" "$standbys" "state = 'streaming'" streaming
  if [ -n "$sync" ]; then
    pg_psql "$dir" 0 "alter system set synchronous_standby_names = '$sync'" &&
      pg_psql "$dir" 0 "select pg_reload_conf()" >/dev/null
    # Each walsender applies the reloaded setting on its own time; until it
    # has, its standby is `async` and a commit need not wait for it.
    wait_standbys "$dir" "$standbys" "sync_state = 'quorum'" \
      "in the synchronous quorum"
  fi
  cat "$dir/env"
}

# wait_standbys DIR N CONDITION WHAT: until N of node 0's standbys meet
# CONDITION (SQL over pg_stat_replication), for at most 30 s.
wait_standbys() {
  local i n
  for ((i = 0; i < 300; i++)); do
    n=$(pg_psql "$1" 0 "select count(*) from pg_stat_replication where $3")
    [ "$n" -ge "$2" ] && return 0
    sleep 0.1
  done
  die "only $n of $2 standbys $4 after 30 s"
}

postmaster_pid() { head -1 "$(node_dir "$1" "$2")/postmaster.pid" 2>/dev/null; }

cmd_stop() {
  local dir=$1 clean=${2:-}
  [ -f "$dir/env" ] || die "no cluster in $dir"
  local nodes i
  nodes=$(sed -n 's/^PG_NODES=//p' "$dir/env")
  for ((i = 0; i < nodes; i++)); do
    local pid
    pid=$(postmaster_pid "$dir" "$i") || true
    if [ -n "$pid" ]; then  # A paused node could not stop.
      kill -CONT "$pid" 2>/dev/null || true
      pkill -CONT -P "$pid" 2>/dev/null || true
    fi
    as_pg "$PG_BIN/pg_ctl" -D "$(node_dir "$dir" "$i")" -m immediate -w stop \
      >/dev/null 2>&1 || true
  done
  if [ "$clean" = "--clean" ]; then rm -rf "$dir"; fi
}

cmd_status() {
  local dir=$1 nodes i
  nodes=$(sed -n 's/^PG_NODES=//p' "$dir/env")
  for ((i = 0; i < nodes; i++)); do
    local role
    role=$(pg_psql "$dir" "$i" \
      "select case when pg_is_in_recovery() then 'standby' else 'primary' end" \
      2>/dev/null) || role=down
    echo "node $i: $role"
  done
}

cmd_signal() {  # cmd_signal SIGNAL DIR NODE
  local pid
  pid=$(postmaster_pid "$2" "$3") || die "node $3 is not running"
  [ -n "$pid" ] || die "node $3 is not running"
  # The postmaster and its children (the backends serving open connections,
  # the WAL writer and senders): a killed node finishes no commit, a paused
  # one answers nothing.
  if [ "$1" = CONT ]; then kill -CONT "$pid"; fi
  pkill -"$1" -P "$pid" 2>/dev/null || true
  if [ "$1" != CONT ]; then kill -"$1" "$pid"; fi
}

cmd_promote() {
  as_pg "$PG_BIN/pg_ctl" -D "$(node_dir "$1" "$2")" -w promote >/dev/null
}

cmd_follow() {  # cmd_follow DIR NODE PRIMARY: new upstream, same data
  pg_psql "$1" "$3" "select pg_create_physical_replication_slot('n$2')" \
    >/dev/null 2>&1 || true  # already there
  local line
  while read -r line; do
    pg_psql "$1" "$2" "alter system set ${line%% = *} = ${line#* = }" >/dev/null
  done < <(primary_settings "$1" "$2" "$3")
  pg_psql "$1" "$2" "select pg_reload_conf()" >/dev/null
}

cmd_rebuild() {  # cmd_rebuild DIR NODE PRIMARY: discard the node's data
  local d sync
  d=$(node_dir "$1" "$2")
  as_pg "$PG_BIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true
  sync=$(pg_psql "$1" "$3" "show synchronous_standby_names")
  pg_psql "$1" "$3" "select pg_drop_replication_slot('n$2')" >/dev/null 2>&1 || true
  rm -rf "$d"
  make_standby "$1" "$2" "$3" "$sync"
}

case ${1:-} in
  start) shift; cmd_start "$@" ;;
  stop) [ $# -ge 2 ] || die "usage: stop DIR [--clean]"; cmd_stop "$2" "${3:-}" ;;
  status) [ $# -eq 2 ] || die "usage: status DIR"; cmd_status "$2" ;;
  kill) [ $# -eq 3 ] || die "usage: kill DIR NODE"; cmd_signal KILL "$2" "$3" ;;
  pause) [ $# -eq 3 ] || die "usage: pause DIR NODE"; cmd_signal STOP "$2" "$3" ;;
  resume) [ $# -eq 3 ] || die "usage: resume DIR NODE"; cmd_signal CONT "$2" "$3" ;;
  restart) [ $# -eq 3 ] || die "usage: restart DIR NODE"; start_node "$2" "$3" ;;
  promote) [ $# -eq 3 ] || die "usage: promote DIR NODE"; cmd_promote "$2" "$3" ;;
  follow) [ $# -eq 4 ] || die "usage: follow DIR NODE PRIMARY"; cmd_follow "$2" "$3" "$4" ;;
  rebuild) [ $# -eq 4 ] || die "usage: rebuild DIR NODE PRIMARY"; cmd_rebuild "$2" "$3" "$4" ;;
  *) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; [ "${1:-}" = help ] ;;
esac
