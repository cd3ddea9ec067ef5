# shellcheck shell=bash
# A two-node OpenSearch cluster for scripts/prodlike.sh: the distribution
# scripts/services/opensearch.sh installed, two data folders, one replica of
# every shard, so one node can die and search still answers. Sourced by
# prodlike.sh after lib.sh and java.sh.

OS_VERSION=3.6.0
OS_HTTP_PORTS=(9231 9232)

# cluster_node_dir N : the node's folder (config, data, logs, pid), owned by the service user.
cluster_node_dir() { service_dir "prodlike-search/node$1"; }

cluster_url() { printf 'http://127.0.0.1:%s' "${OS_HTTP_PORTS[$1]}"; }

cluster_up() {
    local home java n dir conf seeds
    home=$(dist_parent)/opensearch-$OS_VERSION
    [ -d "$home" ] || bash "$YOUKE_ROOT/scripts/services/opensearch.sh" up # installs the distribution
    java=$(java21_home "${OPENSEARCH_JAVA_HOME:-}")
    seeds="127.0.0.1:$((OS_HTTP_PORTS[0] + 100)),127.0.0.1:$((OS_HTTP_PORTS[1] + 100))"
    for n in 0 1; do
        dir=$(cluster_node_dir "$n")
        pid_alive "$dir/opensearch.pid" && continue
        conf=$dir/config
        mkdir -p "$conf" "$dir/data" "$dir/logs"
        cp -r "$home/config/." "$conf/"
        sed -i -e "s|logs/|$dir/logs/|g" -e "s|HeapDumpPath=data|HeapDumpPath=$dir/data|" "$conf/jvm.options"
        java_has_module "$java" jdk.incubator.vector || sed -i '/--add-modules=jdk.incubator.vector/d' "$conf/jvm.options"
        # Small heaps: two nodes beside everything else on a 2-core test machine.
        printf -- '-Xms384m\n-Xmx384m\n' >"$conf/jvm.options.d/heap.options"
        cat >"$conf/opensearch.yml" <<EOF
cluster.name: youke-prodlike
node.name: node$n
path.data: $dir/data
path.logs: $dir/logs
network.host: 127.0.0.1
http.port: ${OS_HTTP_PORTS[$n]}
transport.port: $((OS_HTTP_PORTS[n] + 100))
discovery.seed_hosts: [$seeds]
cluster.initial_cluster_manager_nodes: [node0, node1]
cluster.routing.allocation.disk.threshold_enabled: false
EOF
        cluster_node_dir "$n" >/dev/null
        log "starting OpenSearch node$n on $(cluster_url "$n")"
        (cd / && OPENSEARCH_JAVA_HOME=$java OPENSEARCH_PATH_CONF=$conf as_service_user \
            "$home/bin/opensearch" -d -p "$dir/opensearch.pid") >>"$dir/logs/console.log" 2>&1 ||
            die "OpenSearch node$n did not start, see $dir/logs/"
    done
    local start=$SECONDS
    until curl -sf --max-time 5 "$(cluster_url 0)/_cluster/health?wait_for_nodes=2&timeout=1s" >/dev/null; do
        [ $((SECONDS - start)) -ge 180 ] && die "the two-node cluster did not form in 180s, see .services/prodlike-search/"
        sleep 1
    done
    # Every new index gets one replica: each shard on both nodes.
    curl -sf -XPUT "$(cluster_url 0)/_cluster/settings" -H 'Content-Type: application/json' \
        -d '{"persistent": {"cluster.default_number_of_replicas": 1}}' >/dev/null
    # The same fallback as the single test node (see opensearch.sh: a runtime without Thai locale data).
    java_has_locale "$java" th || curl -sf -XPUT "$(cluster_url 0)/_template/youke-thai-fallback" \
        -H 'Content-Type: application/json' -d '{"index_patterns": ["*"], "order": -1000,
        "settings": {"analysis": {"analyzer": {"thai": {"type": "standard"}}}}}' >/dev/null
}

cluster_down() {
    local n
    for n in 0 1; do stop_pidfile "$YOUKE_SERVICES_DIR/prodlike-search/node$n/opensearch.pid" "OpenSearch node$n"; done
}

cluster_status() {
    local health
    health=$(curl -sf --max-time 5 "$(cluster_url 0)/_cluster/health" || curl -sf --max-time 5 "$(cluster_url 1)/_cluster/health") ||
        { echo "search cluster: down"; return 1; }
    echo "search cluster: $(printf '%s' "$health" | python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["status"], h["number_of_nodes"], "nodes")')"
}
