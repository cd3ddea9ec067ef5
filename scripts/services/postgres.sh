#!/usr/bin/env bash
# PostgreSQL 15 (Debian's) as a private cluster for tests: its own data dir
# under the service dir, run by the unprivileged service user (postgres
# refuses root), TCP on 127.0.0.1 only, socket in the data dir.
#   postgres.sh up|down|status
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# Debian's binaries by full path: /usr/local/bin may hold other initdb/pg_ctl
# (on this image they are links to these, but nothing promises that), and
# Debian puts only wrappers for the client tools on PATH.
PG_BIN=/usr/lib/postgresql/15/bin
DB_USER=youke DB_PASSWORD=youke DB_NAME=youke

dir=$(service_dir postgres)
data=$dir/data

# The socket lives in the data dir (0700), so only the service user (and
# root) can use it; that is why it may trust, while TCP asks for a password.
as_pg() { (cd "$dir" && as_service_user "$@"); }
psql_admin() { as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$data" -p "$PG_PORT" -U postgres "$@"; }

healthy() {
    [ -s "$data/postmaster.pid" ] && kill -0 "$(head -1 "$data/postmaster.pid")" 2>/dev/null &&
        "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d "$DB_NAME" -U "$DB_USER"
}

# server_version : ask the server itself, over TCP with the site's password,
# so a status of "up" also means the site can log in.
server_version() {
    PGPASSWORD=$DB_PASSWORD PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -At \
        "host=127.0.0.1 port=$PG_PORT user=$DB_USER dbname=$DB_NAME" -c 'SHOW server_version'
}

init_cluster() {
    log "initdb $data"
    # The bootstrap superuser "postgres" only logs in over the socket; C.UTF-8
    # sorts the same on every machine and still gives UTF8 text.
    as_pg "$PG_BIN/initdb" -D "$data" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log"
    cat >"$data/pg_hba.conf" <<'HBA'
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   scram-sha-256
HBA
    echo "include 'youke.conf'" >>"$data/postgresql.conf"
}

up() {
    if healthy; then return 0; fi
    [ -x "$PG_BIN/pg_ctl" ] || apt_install postgresql-15
    as_pg test -w "$dir" ||
        die "$YOUKE_SERVICE_USER cannot write $dir; put YOUKE_SERVICES_DIR somewhere it can reach"
    [ -s "$data/PG_VERSION" ] || init_cluster

    # Rewritten on every start so a changed port or setting takes effect.
    cat >"$data/youke.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$data'
password_encryption = scram-sha-256
# A throwaway test cluster: losing it in a power cut costs nothing, and
# skipping the disk flushes makes migrations and test-database creation fast.
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    [ "$(id -u)" -ne 0 ] || chown "$YOUKE_SERVICE_USER" "$data/youke.conf" "$data/pg_hba.conf"

    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 -s start ||
        { tail -20 "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }

    # Role and database, idempotently. CREATEDB so Django's test runner can
    # make test_youke; the site owns its database, so it can also create the
    # trusted extensions (pg_trgm, unaccent, ...) that migrations ask for.
    psql_admin -d postgres <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$DB_USER', '$DB_PASSWORD')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') \gexec
ALTER ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_USER')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
    if ! { healthy && server_version >/dev/null; }; then
        die "PostgreSQL up but $DB_USER cannot log in"
    fi
}

down() {
    [ -s "$data/postmaster.pid" ] || return 0
    log "stopping PostgreSQL"
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w -s stop || true
}

case ${1:-} in
    up) up ;;
    down) down ;;
    status)
        if healthy && version=$(server_version 2>/dev/null); then
            echo "postgres: up postgres://$DB_USER@127.0.0.1:$PG_PORT/$DB_NAME (version $version)"
        else
            echo "postgres: down"; exit 1
        fi
        ;;
    *) die "usage: $0 up|down|status" ;;
esac
