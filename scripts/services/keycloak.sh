#!/usr/bin/env bash
# Keycloak (OIDC provider for the site's SSO tests), on 127.0.0.1:$KEYCLOAK_PORT.
#   keycloak.sh up      install if needed, start, wait for the youke realm; idempotent
#   keycloak.sh down    stop
#   keycloak.sh status  "keycloak: up URL (version X)" / "keycloak: down"; exit 1 if down
#
# Layout
#   $YOUKE_CACHE_DIR/keycloak/keycloak-$VERSION   the unpacked distribution, shared
#       between clones. Its lib/quarkus holds the dev-mode "augmented" build: the first
#       `start-dev` writes it (kc.sh cannot `build` for dev mode), later starts reuse it
#       as long as the build-time options below do not change. Guarded by a lock.
#   $YOUKE_SERVICES_DIR/keycloak/home   a per-project Keycloak home: bin/kc.sh is a
#       copy (kc.sh derives kc.home.dir from its own real path), lib/ conf/ themes/
#       providers/ are symlinks into the cached distribution, data/ is local: the H2
#       dev-file database, data/import/youke-realm.json, transaction logs.
#
# The realm always matches scripts/keycloak/youke-realm.json: every fresh start wipes
# data/ and starts from a database holding exactly that file (--import-realm only imports
# realms that do not exist yet, so keeping the old H2 database would keep an old realm).
# That database is the "seed": the first start for a given realm file + version imports
# the file into an empty database, stops, saves the H2 file under
# $YOUKE_CACHE_DIR/keycloak/seeds/<version>-<sha of the file> (content-addressed and
# never written to again) and starts once more from a copy of it; later starts only copy
# it (~15 s instead of ~40 s). Changes made at run time (users created by tests,
# sessions, brute-force lockouts) last until the next `down`/`up`. `up` on a running
# server whose realm file differs from the repo's restarts it. Signing keys are part of
# the seed: stable across restarts until the realm file changes; clients should still
# refetch the JWKS on an unknown `kid`.
#
# The issuer is pinned with --hostname=http://127.0.0.1:$KEYCLOAK_PORT: it is
# http://127.0.0.1:8180/realms/youke whether the server is called as 127.0.0.1 or
# localhost, and so are all the endpoints in the discovery document.
#
# Keycloak 26 needs Java 21+ (it happens to start on 17, which upstream no longer
# supports): java.sh picks one (the newest system JDK >= 21, or the runtime from
# PyPI); $KEYCLOAK_JAVA_HOME or $YOUKE_JAVA_HOME override it.
#
# Logins: master realm admin/admin (the bootstrap admin, created with the seed);
# realm youke: see the users in youke-realm.json, password "youke-demo".
# Brute-force protection is on (10 failures lock a user for 60 s and more); the
# "quick login" check is set to 1 ms so that two wrong passwords in a row from a test
# do not lock the account. Unlock: DELETE /admin/realms/youke/attack-detection/brute-force/users.

# shellcheck source=scripts/services/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/services/java.sh
source "$(dirname "$0")/java.sh"

KEYCLOAK_VERSION=${KEYCLOAK_VERSION:-26.7.3}
KEYCLOAK_URL="http://127.0.0.1:$KEYCLOAK_PORT"
KEYCLOAK_REALM_FILE=${KEYCLOAK_REALM_FILE:-$YOUKE_ROOT/scripts/keycloak/youke-realm.json}
KEYCLOAK_HEAP=${KEYCLOAK_HEAP:--Xms256m -Xmx768m}
KEYCLOAK_START_TIMEOUT=${KEYCLOAK_START_TIMEOUT:-420}

CACHE=$YOUKE_CACHE_DIR/keycloak
DIST=$CACHE/keycloak-$KEYCLOAK_VERSION
BASE=$YOUKE_SERVICES_DIR/keycloak
HOME_DIR=$BASE/home
PIDFILE=$BASE/keycloak.pid
LOGFILE=$BASE/keycloak.log
DISCOVERY="$KEYCLOAK_URL/realms/youke/.well-known/openid-configuration"

# kc_args [--import] : the kc.sh arguments. The build-time options (db, health,
# management) must stay the same from one start to the next, or start-dev augments the
# cached distribution again (~35 s).
kc_args() {
    printf '%s\n' start-dev \
        --db=dev-file \
        --health-enabled=true \
        --http-management-health-enabled=false \
        --http-host=127.0.0.1 \
        --http-port="$KEYCLOAK_PORT" \
        --hostname="$KEYCLOAK_URL" \
        --hostname-strict=true
    # only for the seeding start: on a seeded database the realm exists and the import
    # would only be skipped, after parsing the file (~3 s)
    [ "${1:-}" = --import ] && echo --import-realm
    return 0
}

# lock_cache : serialize installs and first starts between clones (fd 9, released on exit).
lock_cache() {
    mkdir -p "$CACHE"
    exec 9>"$CACHE/.lock"
    flock -w 900 9 || die "timed out waiting for $CACHE/.lock"
}

install_dist() {
    [ -x "$DIST/bin/kc.sh" ] && return 0
    command -v unzip >/dev/null 2>&1 || apt_install unzip
    local zip tmp
    zip=$(maven_fetch "org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" "$CACHE/downloads")
    log "unpacking Keycloak $KEYCLOAK_VERSION into $CACHE"
    tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
    unzip -q "$zip" -d "$tmp" || { rm -rf "$tmp"; die "could not unpack $zip"; }
    [ -x "$tmp/keycloak-$KEYCLOAK_VERSION/bin/kc.sh" ] || { rm -rf "$tmp"; die "unexpected layout in $zip"; }
    rm -rf "$DIST"
    mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$DIST"
    rm -rf "$tmp" "$zip"  # ~/.m2 still has the zip
}

# prepare_home : (re)build the per-project home, with an empty data/ holding only the realm.
prepare_home() {
    rm -rf "$HOME_DIR"
    mkdir -p "$HOME_DIR/bin" "$HOME_DIR/data/import"
    cp "$DIST/bin/kc.sh" "$HOME_DIR/bin/kc.sh"
    local d
    for d in lib conf themes providers; do
        ln -s "$DIST/$d" "$HOME_DIR/$d"
    done
    cp "$DIST/version.txt" "$HOME_DIR/version.txt"
    cp "$KEYCLOAK_REALM_FILE" "$HOME_DIR/data/import/youke-realm.json"
}

# ours : the pidfile names a live process of this project's Keycloak (not a recycled pid).
ours() {
    pid_alive "$PIDFILE" && tr '\0' ' ' 2>/dev/null <"/proc/$(cat "$PIDFILE")/cmdline" | grep -qF "$HOME_DIR/bin"
}

discovery_ok() {
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$DISCOVERY" || true)" = 200 ]
}

port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$KEYCLOAK_PORT") 2>/dev/null
}

running_version() {
    sed -n 's/.*Version[[:space:]]*//p' "$HOME_DIR/version.txt" 2>/dev/null | head -n1
}

# wait_ready : until the realm's discovery document answers 200; fail early if the JVM dies.
wait_ready() {
    local start=$SECONDS
    until discovery_ok; do
        if ! pid_alive "$PIDFILE"; then
            tail -n 40 "$LOGFILE" >&2 || true
            die "keycloak exited during startup (log: $LOGFILE)"
        fi
        if [ $((SECONDS - start)) -ge "$KEYCLOAK_START_TIMEOUT" ]; then
            tail -n 40 "$LOGFILE" >&2 || true
            die "keycloak not ready after ${KEYCLOAK_START_TIMEOUT}s ($DISCOVERY, log: $LOGFILE)"
        fi
        sleep 1
    done
}

stop_keycloak() {
    ours || { rm -f "$PIDFILE"; return 0; }
    local pid
    pid=$(cat "$PIDFILE")
    log "stopping keycloak ($pid)"
    # Started with setsid: the pid is its process group (kc.sh and its java child).
    # Up to 60 s: the first exit after a new class path writes the CDS archive.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 120); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        STOP_FORCED=1
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE"
}

# launch JAVA_HOME [--import] : start kc.sh in the background from $HOME_DIR and wait until ready.
launch() {
    local java=$1 args
    mapfile -t args < <(kc_args "${2:-}")
    # Class data sharing: the JVM writes an archive of the loaded classes when it exits
    # and maps it at the next start (warm start ~8 s instead of ~15 s). Project-local:
    # the archive is only valid for this exact class path. Stale archives are rewritten.
    local jsa="" jdk
    jdk=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$java/release" 2>/dev/null || true)
    if [ "${KEYCLOAK_CDS:-1}" = 1 ] && [[ "$BASE" != *[[:space:]]* ]]; then
        mkdir -p "$BASE/cds"
        jsa="-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$BASE/cds/keycloak-$KEYCLOAK_VERSION-java-${jdk:-unknown}.jsa -Xlog:cds=off"
    fi
    (
        export JAVA_HOME=$java
        export JAVA_OPTS_KC_HEAP=$KEYCLOAK_HEAP
        export JAVA_OPTS_APPEND="$jsa ${JAVA_OPTS_APPEND:-}"
        export KC_BOOTSTRAP_ADMIN_USERNAME=admin
        export KC_BOOTSTRAP_ADMIN_PASSWORD=admin
        cd "$HOME_DIR" || exit 1
        # setsid: own process group, so `down` stops kc.sh and its java child together;
        # 9>&- : the server must not inherit the cache lock.
        exec setsid "$HOME_DIR/bin/kc.sh" "${args[@]}" </dev/null >"$LOGFILE" 2>&1 9>&-
    ) &
    echo $! >"$PIDFILE"
    wait_ready
}

started_in() {
    grep -m1 -o 'started in [0-9.]*s' "$LOGFILE" || true
}

# A fresh database costs ~25 s at each start (schema creation, master realm, realm
# import), so the first start for a given realm file + version saves the freshly
# imported H2 file, untouched by any client, as a seed in the cache (content-addressed,
# immutable, safe to share between clones); later starts copy the seed instead.
seed_key() {
    { printf '%s\n' "$KEYCLOAK_VERSION"; cat "$KEYCLOAK_REALM_FILE"; } | sha256sum | cut -c1-16
}

start_keycloak() {
    local java seed
    java=$(java21_home "${KEYCLOAK_JAVA_HOME:-}")
    lock_cache
    install_dist
    mkdir -p "$BASE"
    seed=$CACHE/seeds/$KEYCLOAK_VERSION-$(seed_key)
    if [ ! -s "$seed/keycloakdb.mv.db" ]; then
        prepare_home
        log "starting Keycloak $KEYCLOAK_VERSION on $KEYCLOAK_URL to import the realm (java: $java, log: $LOGFILE)"
        launch "$java" --import
        log "realm imported ($(started_in)); saving the database as a seed and restarting"
        STOP_FORCED=0
        stop_keycloak
        if [ "$STOP_FORCED" = 0 ] && [ -s "$HOME_DIR/data/h2/keycloakdb.mv.db" ]; then
            local tmp
            mkdir -p "$CACHE/seeds"
            tmp=$(mktemp -d "$CACHE/seeds/.tmp.XXXXXX")
            chmod 755 "$tmp"
            cp "$HOME_DIR/data/h2/keycloakdb.mv.db" "$tmp/"
            rm -rf "$seed"
            mv "$tmp" "$seed"
            # keep the five newest seeds (names are <version>-<hex>: ls is safe)
            # shellcheck disable=SC2012
            ls -1dt "$CACHE/seeds/"*/ 2>/dev/null | tail -n +6 | xargs -r rm -rf
        fi
    fi
    prepare_home
    local import=--import
    if [ -s "$seed/keycloakdb.mv.db" ]; then
        mkdir -p "$HOME_DIR/data/h2"
        cp "$seed/keycloakdb.mv.db" "$HOME_DIR/data/h2/"
        import=
    fi
    log "starting Keycloak $KEYCLOAK_VERSION on $KEYCLOAK_URL (java: $java, log: $LOGFILE)"
    launch "$java" "$import"
    log "keycloak ready: $DISCOVERY ($(started_in))"
}

up() {
    [ -f "$KEYCLOAK_REALM_FILE" ] || die "missing realm file $KEYCLOAK_REALM_FILE"
    if ours; then
        if [ "$(running_version)" != "$KEYCLOAK_VERSION" ]; then
            log "keycloak $(running_version) is running, $KEYCLOAK_VERSION wanted: restarting"
            stop_keycloak
        elif ! cmp -s "$KEYCLOAK_REALM_FILE" "$HOME_DIR/data/import/youke-realm.json"; then
            log "realm file changed since keycloak started: restarting to import it"
            stop_keycloak
        else
            wait_ready
            return 0
        fi
    fi
    rm -f "$PIDFILE"
    need_cmd curl
    port_busy && die "127.0.0.1:$KEYCLOAK_PORT is taken by another process (another clone's Keycloak?)"
    start_keycloak
}

status() {
    if ours && discovery_ok; then
        echo "keycloak: up $KEYCLOAK_URL (version $(running_version))"
        return 0
    fi
    echo "keycloak: down"
    return 1
}

case "${1:-}" in
    up) up ;;
    down) stop_keycloak ;;
    status) status ;;
    *) die "usage: $0 up|down|status" ;;
esac
