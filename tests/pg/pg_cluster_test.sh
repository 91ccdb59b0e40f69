#!/usr/bin/env bash
# Tests tools/pg_cluster.sh against real PostgreSQL 15 servers on loopback:
# quorum-synchronous replication, a commit surviving the loss of one standby,
# a commit blocking (never acknowledged) with both standbys gone, and a
# failover (kill -9 the primary, promote, repoint, rebuild the old primary)
# that loses no acknowledged row; and tools/ha_dev.sh (three tesserad
# replicas over a cluster). Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
tool=tools/pg_cluster.sh
dir=$(mktemp -d /tmp/tpgt.XXXXXX)
rmdir "$dir"
passed=0
failed=0

check() {  # check NAME COMMAND...
  if "$@"; then
    echo "ok   $1" | sed 's/ok   t_/ok   /'
    passed=$((passed + 1))
  else
    echo "FAIL $1"
    failed=$((failed + 1))
  fi
}

psql_() {  # psql_ ARGS...: psql as the unprivileged user when root
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -q -At "$@"
  else
    /usr/lib/postgresql/15/bin/psql -X -q -At "$@"
  fi
}
at() { psql_ -h 127.0.0.1 -p "$1" -U tessera -d tessera -c "$2"; }  # at PORT SQL
sql_url() { psql_ "$PG_URL" -c "$1"; }  # on whichever node is the primary
in_time() {  # in_time SECONDS SQL: sql_url, given up after SECONDS
  timeout "$1" bash -c "$(declare -f psql_ sql_url); PG_URL='$PG_URL'; sql_url \"\$1\"" _ "$2"
}

t_start() {
  bash $tool start "$dir" >/dev/null && source "$dir/env" && [ "$PG_NODES" = 3 ]
}
t_quorum() {
  local states
  states=$(at "$PG_PORT_0" "select string_agg(sync_state, ',' order by application_name)
                            from pg_stat_replication")
  [ "$states" = "quorum,quorum" ] || { echo "sync states: $states"; return 1; }
}
t_url_reaches_primary() {
  [ "$(sql_url "select inet_server_port()")" = "$PG_PORT_0" ]
}
t_replicates() {
  sql_url "create table t (x int primary key)" &&
    sql_url "insert into t values (1)" &&
    [ "$(at "$PG_PORT_2" "select count(*) from t where x = 1")" = 1 ]
}
t_one_standby_lost() {
  bash $tool kill "$dir" 1 && in_time 20 "insert into t values (2)"
}
t_both_standbys_lost_blocks() {
  bash $tool kill "$dir" 2 || return 1
  # No standby can confirm: the commit must not be acknowledged.
  # A statement timeout must not end the wait either.
  if in_time 4 "set statement_timeout = '1s'; insert into t values (3)" 2>/dev/null; then
    echo "a commit was acknowledged with no standby"
    return 1
  fi
  bash $tool rebuild "$dir" 1 0 && bash $tool rebuild "$dir" 2 0
}
t_failover_keeps_acknowledged() {
  sql_url "insert into t values (4)" || return 1
  bash $tool kill "$dir" 0 && bash $tool promote "$dir" 1 &&
    bash $tool follow "$dir" 2 1 || return 1
  in_time 20 "insert into t values (5)" || return 1
  [ "$(sql_url "select inet_server_port()")" = "$PG_PORT_1" ] || return 1
  [ "$(sql_url "select string_agg(x::text, ',' order by x) from t where x <> 3")" = "1,2,4,5" ]
}
t_old_primary_rebuilt() {
  bash $tool rebuild "$dir" 0 1 || return 1
  local i states
  for ((i = 0; i < 100; i++)); do
    states=$(at "$PG_PORT_1" "select string_agg(application_name || ':' || sync_state, ','
                               order by application_name) from pg_stat_replication")
    [ "$states" = "n0:quorum,n2:quorum" ] && break
    sleep 0.2
  done
  [ "$states" = "n0:quorum,n2:quorum" ] || { echo "states: $states"; return 1; }
  [ "$(bash $tool status "$dir" | tr '\n' ' ')" = \
    "node 0: standby node 1: primary node 2: standby " ]
}

# tools/ha_dev.sh: three replicas in front of a cluster of their own. A
# session issued on replica 0 is refreshed on 1 and revoked on 2; the
# revoked refresh token is refused on 0. Needs the binaries test.sh passes.
hadir=$(mktemp -d /tmp/thd.XXXXXX)
rmdir "$hadir"
trap 'bash $tool stop "$dir" --clean >/dev/null 2>&1; bash tools/ha_dev.sh stop "$hadir" >/dev/null 2>&1' EXIT
t_ha_dev_replicas() {
  [ -x "${TESSERA_TESSERAD:-}" ] && [ -x "${TESSERA_CLI:-}" ] ||
    { echo "TESSERA_TESSERAD and TESSERA_CLI are needed"; return 1; }
  bash tools/ha_dev.sh start "$hadir" >"$hadir.out" || { cat "$hadir.out"; return 1; }
  local a b c tokens session refreshed
  a=$(sed -n 's/^replica 0 .* grpc \([^ ]*\) .*/\1/p' "$hadir/replicas")
  b=$(sed -n 's/^replica 1 .* grpc \([^ ]*\) .*/\1/p' "$hadir/replicas")
  c=$(sed -n 's/^replica 2 .* grpc \([^ ]*\) .*/\1/p' "$hadir/replicas")
  tokens=$("$TESSERA_CLI" --address="$a" --json issue --subject=ha) || return 1
  session=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["sessionId"])' <<<"$tokens")
  refreshed=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["refreshToken"])' <<<"$tokens" |
    "$TESSERA_CLI" --address="$b" --json refresh --refresh_token=- |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["refreshToken"])') || return 1
  "$TESSERA_CLI" --address="$c" revoke --session_id="$session" >/dev/null || return 1
  if "$TESSERA_CLI" --address="$a" refresh --refresh_token="$refreshed" >/dev/null 2>&1; then
    echo "a revoked session refreshed on another replica"
    return 1
  fi
  bash tools/ha_dev.sh stop "$hadir"
}

check t_start
if [ "$passed" -eq 1 ]; then
  for t in t_quorum t_url_reaches_primary t_replicates t_one_standby_lost \
      t_both_standbys_lost_blocks t_failover_keeps_acknowledged t_old_primary_rebuilt; do
    check "$t"
  done
fi
check t_ha_dev_replicas
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
