#!/usr/bin/env bash
# S3-compatible object store for tests: S3Proxy (Maven Central, Apache-2.0)
# on the filesystem backend. Chosen over moto because it checks signatures:
# a wrong secret, a tampered presigned URL or an expired one gets 403.
#   s3.sh up|down|status
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

S3PROXY_VERSION=${S3PROXY_VERSION:-4.1.0}   # built for Java 17 (class file 61)
S3_ACCESS_KEY=youke-test-access
S3_SECRET_KEY=youke-test-secret-not-for-production
S3_BUCKET=youke-media
S3_REGION=us-east-1
URL=http://127.0.0.1:$S3_PORT

dir=$(service_dir s3)
pidfile=$dir/s3proxy.pid
template=$YOUKE_ROOT/scripts/s3proxy/s3proxy.properties.in

# s3_curl ARGS... : a SigV4-signed request with the test credentials. S3 wants
# the payload hash header; curl 7.88 does not add it by itself.
s3_curl() {
    curl -s --max-time 10 --aws-sigv4 "aws:amz:$S3_REGION:s3" \
        --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}

# Healthy = our process runs and a signed HEAD on the bucket answers 200.
healthy() {
    pid_alive "$pidfile" &&
        [ "$(s3_curl -o /dev/null -w '%{http_code}' -I "$URL/$S3_BUCKET")" = 200 ]
}

# java_bin : a Java 17+ runtime; $JAVA_HOME wins, then the one on PATH.
java_bin() {
    local java=${JAVA_HOME:+$JAVA_HOME/bin/}java
    if ! command -v "$java" >/dev/null; then
        apt_install openjdk-17-jre-headless
        java=java
    fi
    printf '%s\n' "$java"
}

up() {
    need_cmd curl
    if healthy; then return 0; fi
    stop_pidfile "$pidfile" s3proxy   # a process that runs but does not answer

    command -v mvn >/dev/null || apt_install maven
    as_service_user test -w "$dir" ||
        die "$YOUKE_SERVICE_USER cannot write $dir; put YOUKE_SERVICES_DIR somewhere it can reach"
    local java jar
    java=$(java_bin)
    jar=$(maven_fetch "org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" \
        "$YOUKE_CACHE_DIR/s3proxy")
    # The cache is usually under /root, which the service user cannot enter:
    # give it a hard link (or, across file systems, a copy) in its own folder.
    mkdir -p "$dir/data"
    if ! cmp -s "$jar" "$dir/s3proxy.jar"; then
        ln -f "$jar" "$dir/s3proxy.jar" 2>/dev/null || cp -f "$jar" "$dir/s3proxy.jar"
    fi
    sed -e "s|@S3_PORT@|$S3_PORT|g" -e "s|@DATA_DIR@|$dir/data|g" \
        -e "s|@S3_ACCESS_KEY@|$S3_ACCESS_KEY|g" -e "s|@S3_SECRET_KEY@|$S3_SECRET_KEY|g" \
        "$template" >"$dir/s3proxy.properties"
    echo "$S3PROXY_VERSION" >"$dir/version"
    [ "$(id -u)" -ne 0 ] || chown -R "$YOUKE_SERVICE_USER" "$dir"

    log "starting S3Proxy $S3PROXY_VERSION on $URL ($("$java" -version 2>&1 | head -1))"
    # The shell writes its own pid and then becomes java, so the pidfile holds
    # the JVM and not runuser; setsid keeps it out of the caller's process
    # group, so a Ctrl-C there does not take it down. C1 only and a small
    # heap: it starts faster, and a test server needs neither peak speed nor
    # much memory (the 2-core CI machine also runs the search engines).
    # shellcheck disable=SC2016  # $$ and $@ are for the inner sh
    as_service_user setsid sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$pidfile" \
        "$java" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
        -jar "$dir/s3proxy.jar" --properties "$dir/s3proxy.properties" \
        </dev/null >>"$dir/s3proxy.log" 2>&1 &

    local start=$SECONDS
    until [ "$(s3_curl -o /dev/null -w '%{http_code}' "$URL/" || true)" = 200 ]; do
        # (the pidfile appears a moment after the launch; empty means not yet)
        if [ -s "$pidfile" ] && ! pid_alive "$pidfile"; then
            tail -20 "$dir/s3proxy.log" >&2; die "S3Proxy exited"
        fi
        [ $((SECONDS - start)) -lt 60 ] || die "S3Proxy not healthy after 60s (see $dir/s3proxy.log)"
        sleep 0.5
    done
    # Create the bucket; 409 BucketAlreadyOwnedByYou on later runs is fine.
    local code
    code=$(s3_curl -o /dev/null -w '%{http_code}' -X PUT "$URL/$S3_BUCKET")
    case $code in 200|409) ;; *) die "could not create bucket $S3_BUCKET (HTTP $code)" ;; esac
    healthy || die "S3Proxy up but bucket $S3_BUCKET not reachable"
}

case ${1:-} in
    up) up ;;
    down) stop_pidfile "$pidfile" s3proxy ;;
    status)
        if healthy; then
            echo "s3: up $URL (version S3Proxy $(cat "$dir/version"))"
        else
            echo "s3: down"; exit 1
        fi
        ;;
    *) die "usage: $0 up|down|status" ;;
esac
