#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL and Redis on free loopback ports for a test run.
#
#   scripts/testenv.sh start DIR   # DIR must exist; writes DIR/env (export lines) and prints it
#   scripts/testenv.sh stop DIR    # stops whatever start left running in DIR
#
# PostgreSQL refuses to run as root, so as root its programs run as the "postgres" user that
# Debian's package creates. Both servers listen on 127.0.0.1 only; PostgreSQL trusts loopback.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$(cd "$2" && pwd)

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_bin() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        echo "error: PostgreSQL server binaries not found under /usr/lib/postgresql" >&2
        exit 1
    fi
    echo "$bin"
}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

wait_for() {  # wait_for SECONDS COMMAND...
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            echo "error: timed out waiting for: $*" >&2
            return 1
        fi
        sleep 0.1
    done
}

start_postgresql() {
    local bin port=$1
    bin=$(pg_bin)
    mkdir -p "$dir/pg"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir/pg"; fi
    as_pg "$bin/initdb" --no-sync --auth=trust --username=postgres --encoding=UTF8 --no-locale \
        -D "$dir/pg/data" >"$dir/pg-initdb.log"
    as_pg "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir/pg \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres dnscert
}

start_redis() {
    local port=$1
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
        --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
    wait_for 20 redis-cli -h 127.0.0.1 -p "$port" ping
}

start() {
    chmod 755 "$dir"
    local pg_port redis_port
    pg_port=$(free_port)
    redis_port=$(free_port)
    start_postgresql "$pg_port"
    start_redis "$redis_port"
    cat >"$dir/env" <<ENV
export DNSCERT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/dnscert
export DNSCERT_TEST_REDIS_URL=redis://127.0.0.1:$redis_port/0
ENV
    cat "$dir/env"
}

stop() {
    if [ -f "$dir/pg/data/postmaster.pid" ]; then
        as_pg "$(pg_bin)/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null || true
    fi
    if [ -f "$dir/redis.pid" ]; then
        local pid
        pid=$(cat "$dir/redis.pid")
        kill "$pid" 2>/dev/null || true
        wait_for 10 bash -c "! kill -0 $pid" || true
        rm -f "$dir/redis.pid"
    fi
}

case "$action" in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
