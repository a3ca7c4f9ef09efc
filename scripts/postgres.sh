#!/usr/bin/env bash
# Start a throwaway local PostgreSQL server for the tests and print its URL.
#   eval "$(bash scripts/postgres.sh start)"   -> exports SANCTIONS_TEST_POSTGRES_URL, PGDATA_DIR
#   bash scripts/postgres.sh stop "$PGDATA_DIR"
# Installs Debian's postgresql package when no server binaries are found.
# initdb refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

find_bindir() {
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

start() {
    local bindir
    if ! bindir=$(find_bindir); then
        echo "installing postgresql from Debian's packages" >&2
        if [ "$(id -u)" = 0 ]; then
            (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
        else
            echo "no PostgreSQL server and not root: cannot install" >&2; exit 1
        fi
        bindir=$(find_bindir)
    fi
    local dir port runas=()
    dir=$(mktemp -d /tmp/sanctions-pg.XXXXXX)
    port=$((20000 + RANDOM % 20000))
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home "$dir" postgres
        chown postgres "$dir"
        chmod 700 "$dir"
        runas=(su postgres -s /bin/sh -c)
    else
        runas=(sh -c)
    fi
    "${runas[@]}" "$bindir/initdb -D '$dir/data' -U sanctions --auth=trust -E UTF8 --no-locale" >&2
    "${runas[@]}" "$bindir/pg_ctl -D '$dir/data' -l '$dir/log' -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off\" start" >&2
    "$bindir/createdb" -h 127.0.0.1 -p "$port" -U sanctions sanctions_test >&2
    echo "export SANCTIONS_TEST_POSTGRES_URL=postgresql://sanctions@127.0.0.1:$port/sanctions_test"
    echo "export PGDATA_DIR=$dir"
}

stop() {
    local dir=$1 bindir
    bindir=$(find_bindir)
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/sh -c "$bindir/pg_ctl -D '$dir/data' -m fast stop" >&2 || true
    else
        "$bindir/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:?data dir}" ;;
    *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
