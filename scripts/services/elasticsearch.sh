#!/usr/bin/env bash
# Elasticsearch for the search-backend tests, on 127.0.0.1:$ELASTICSEARCH_PORT.
#   scripts/services/elasticsearch.sh up|down|status
#
# Maven Central serves the server only as the "integ-test-zip" distribution:
# no bundled JDK and only four modules (transport-netty4, x-pack-core,
# x-pack-security, apm). So there is NO analysis-common module (no
# lowercase/asciifolding/ngram/edge_ngram, which modelsearch's default index
# settings use) and no analysis plugin (analysis-smartcn/-icu are not served
# for 8.x/9.x): only the analyzers built into the server core ("standard",
# "stop", "keyword"...). Good enough to test the elasticsearch9 backend with
# an INDEX_SETTINGS override that swaps those filters for core ones; not for
# Chinese analysis (the standard tokenizer splits Chinese into single chars).
# 9.1.0 is served (the Maven metadata lists only up to 8.19.21, but 9.1.0
# resolves); it needs Java 21+: java.sh picks one (a system JDK, or the
# runtime from PyPI); $ES_JAVA_HOME overrides it.
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/services/java.sh
. "$(dirname "$0")/java.sh"

VERSION=9.1.0

URL=http://127.0.0.1:$ELASTICSEARCH_PORT
DOWNLOADS=$YOUKE_CACHE_DIR/downloads

# install HOME : unpack the server once, in a temporary folder moved into
# place at the end, so a failed or concurrent install leaves no half-made HOME.
install() {
    local home=$1 zip tmp
    [ -d "$home" ] && return 0
    apt_install unzip
    zip=$(maven_fetch "org.elasticsearch.distribution.integ-test-zip:elasticsearch:$VERSION:zip" "$DOWNLOADS")
    tmp=$(mktemp -d "$home.tmp.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    log "unpacking $(basename "$zip")"
    unzip -q "$zip" -d "$tmp"
    chmod -R a+rX "$tmp/elasticsearch-$VERSION"
    # Another clone may have won the race: its copy is as good as ours.
    mv -T "$tmp/elasticsearch-$VERSION" "$home" 2>/dev/null || [ -d "$home" ]
    rm -rf "$tmp"
    trap - EXIT
}

healthy() {
    curl -sf --max-time 5 "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null
}

# wait_healthy DIR : until the cluster is yellow or green; fail fast if the JVM died.
wait_healthy() {
    local dir=$1 start=$SECONDS
    until healthy; do
        if [ -s "$dir/elasticsearch.pid" ] && ! pid_alive "$dir/elasticsearch.pid"; then
            die "Elasticsearch exited, see $dir/logs/"
        fi
        [ $((SECONDS - start)) -ge 120 ] && die "Elasticsearch not healthy after 120s, see $dir/logs/"
        sleep 1
    done
}

up() {
    local dir home conf
    dir=$(service_dir elasticsearch)
    as_service_user test -w "$dir" ||
        die "$YOUKE_SERVICE_USER cannot write $dir: make its parent folders world-searchable (chmod o+x) or set YOUKE_SERVICES_DIR"
    # Already running (maybe still starting): only wait for it to be healthy.
    if pid_alive "$dir/elasticsearch.pid"; then
        wait_healthy "$dir"
        return 0
    fi
    need_cmd curl
    ES_JAVA_HOME=$(java21_home "${ES_JAVA_HOME:-}")
    export ES_JAVA_HOME
    home=$(dist_parent)/elasticsearch-$VERSION
    install "$home"

    # Config lives with the data, not in the shared (read-only) distribution:
    # Elasticsearch also writes its keystore there on first start.
    conf=$dir/config
    mkdir -p "$conf" "$dir/data" "$dir/logs"
    cp -r "$home/config/." "$conf/"
    # A jlink'ed runtime may lack the (optional) Vector API module, and the JVM
    # refuses to start when --add-modules names a missing one.
    java_has_module "$ES_JAVA_HOME" jdk.incubator.vector ||
        sed -i '/--add-modules=jdk.incubator.vector/d' "$conf/jvm.options"
    # Without this the heap is sized from the machine's memory (GBs here).
    printf -- '-Xms512m\n-Xmx512m\n' >"$conf/jvm.options.d/heap.options"
    cat >"$conf/elasticsearch.yml" <<EOF
cluster.name: youke-test
node.name: youke-test
path.data: $dir/data
path.logs: $dir/logs
network.host: 127.0.0.1
http.port: $ELASTICSEARCH_PORT
transport.port: $((ELASTICSEARCH_PORT + 100))
# One node: no discovery, no waiting for peers.
discovery.type: single-node
# Plain HTTP, no users: otherwise the first start generates TLS certificates
# and a password, and every client needs them.
xpack.security.enabled: false
# A nearly full disk must not block index creation or make indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
# Let test clean-up delete indices by wildcard (DELETE /youke_test_*).
action.destructive_requires_name: false
EOF
    service_dir elasticsearch >/dev/null # hand what we just wrote to the service user

    log "starting Elasticsearch $VERSION on $URL (java: $ES_JAVA_HOME)"
    # -d returns once the node has started (or failed); -p writes the JVM's pid.
    # The JVM's working directory is path.logs, so its GC log and crash files
    # land there and not in the distribution.
    (cd / && ES_PATH_CONF=$conf as_service_user \
        "$home/bin/elasticsearch" -d -p "$dir/elasticsearch.pid") >>"$dir/logs/console.log" 2>&1 \
        || die "Elasticsearch did not start, see $dir/logs/console.log"
    wait_healthy "$dir"
    # A replica can never be placed on a single node, so indices would stay
    # yellow and a test waiting for green would hang: default to no replicas.
    curl -sf -XPUT "$URL/_index_template/youke-no-replicas" -H 'Content-Type: application/json' \
        -d '{"index_patterns": ["*"], "priority": 0, "template": {"settings": {"number_of_replicas": 0}}}' >/dev/null
    log "Elasticsearch up"
}

status() {
    local version plugins
    # _cat/nodes, not GET /: that root endpoint is a module the
    # Elasticsearch integ-test-zip lacks.
    if healthy && version=$(curl -sf --max-time 5 "$URL/_cat/nodes?h=version"); then
        plugins=$(curl -sf --max-time 5 "$URL/_cat/plugins?h=component" | sort -u | paste -sd, -)
        echo "elasticsearch: up $URL (version $version, plugins: ${plugins:-none})"
    else
        echo "elasticsearch: down"
        return 1
    fi
}

case ${1:-} in
    up) up ;;
    down) stop_pidfile "$YOUKE_SERVICES_DIR/elasticsearch/elasticsearch.pid" elasticsearch ;;
    status) status ;;
    *) die "usage: $0 up|down|status" ;;
esac
