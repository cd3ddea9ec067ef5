"""A private two-node OpenSearch cluster, from the installation scripts/services/opensearch.sh runs.

Each node has its own config, data and logs folder (owned by the service
user: OpenSearch refuses to run as root), its own HTTP and transport port,
and both list each other as seeds. Nothing of the shared engine is touched.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from tests.processes import ROOT, stop

SERVICE_USER = os.environ.get("YOUKE_SERVICE_USER", "youke")
HEAP = "-Xms256m\n-Xmx384m\n"


def installation():
    """(distribution folder, Java home) of the shared OpenSearch, installed if it is not yet."""
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "services" / "opensearch.sh"), "home"], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"scripts/services/opensearch.sh home failed:\n{result.stderr[-2000:]}")
    dist, java = result.stdout.split()
    return Path(dist), Path(java)


def _java_lacks(java, what):
    """True when the runtime lacks the Vector API module or the Thai locale (see scripts/services/java.sh)."""
    check = {"vector": 'java_has_module "$1" jdk.incubator.vector', "thai": 'java_has_locale "$1" th'}[what]
    script = f'. "{ROOT}/scripts/services/java.sh"; {check}'
    return subprocess.run(["bash", "-c", script, "_", str(java)], capture_output=True).returncode != 0


def service_folder(prefix):
    """A folder of the service user's own outside pytest's temporary root.

    Not under tmp_path: pytest keeps its root 0700 and puts it back to 0700
    whenever any pytest session starts (another engineer's too), which would
    lock the service user out of a running node's data.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, SERVICE_USER)
    return folder


def _as_service_user(command):
    return ["runuser", "-u", SERVICE_USER, "--", *command] if os.geteuid() == 0 else command


class Node:
    def __init__(self, name, folder, http_port, transport_port):
        self.name, self.folder, self.http_port, self.transport_port = name, folder, http_port, transport_port
        self.url = f"http://127.0.0.1:{http_port}"
        self.process = self.log = None

    def configure(self, dist, java, cluster, seeds, names):
        conf = self.folder / "config"
        shutil.copytree(dist / "config", conf)
        for sub in ("data", "logs"):
            (self.folder / sub).mkdir()
        options = (conf / "jvm.options").read_text()
        # As opensearch.sh does: logs and dumps with the node, not in the (read-only) distribution.
        options = options.replace("logs/", f"{self.folder}/logs/").replace(
            "HeapDumpPath=data", f"HeapDumpPath={self.folder}/data"
        )
        if _java_lacks(java, "vector"):
            options = re.sub(r".*--add-modules=jdk.incubator.vector\n", "", options)
        (conf / "jvm.options").write_text(options)
        (conf / "jvm.options.d" / "heap.options").write_text(HEAP)
        settings = {
            "cluster.name": cluster,
            "node.name": self.name,
            "path.data": str(self.folder / "data"),
            "path.logs": str(self.folder / "logs"),
            "network.host": "127.0.0.1",
            "http.port": self.http_port,
            "transport.port": self.transport_port,
            "discovery.seed_hosts": seeds,
            "cluster.initial_cluster_manager_nodes": names,
            "cluster.routing.allocation.disk.threshold_enabled": False,
        }
        (conf / "opensearch.yml").write_text(
            "".join(f"{key}: {json.dumps(value)}\n" for key, value in settings.items())
        )
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", SERVICE_USER, str(self.folder)], check=True)

    def start(self, dist, java):
        env = {**os.environ, "OPENSEARCH_PATH_CONF": str(self.folder / "config"), "OPENSEARCH_JAVA_HOME": str(java)}
        self.log = open(self.folder / "console.log", "ab")
        self.process = subprocess.Popen(
            _as_service_user([str(dist / "bin" / "opensearch")]),
            cwd="/", env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def kill(self):
        """SIGKILL, as a machine that loses power: no shutdown, no flush."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)
        if self.log:
            self.log.close()

    def stop(self):
        if self.process:
            stop(self.process)
        if self.log:
            self.log.close()

    def tail(self):
        logs = sorted((self.folder / "logs").glob("*.log")) + [self.folder / "console.log"]
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}" for p in logs if p.exists())


class Cluster:
    def __init__(self, folder, http_ports, transport_ports):
        self.dist, self.java = installation()
        names = [f"node-{n}" for n in range(1, len(http_ports) + 1)]
        self.nodes = [
            Node(name, folder / name, http, transport)
            for name, http, transport in zip(names, http_ports, transport_ports, strict=True)
        ]
        seeds = [f"127.0.0.1:{port}" for port in transport_ports]
        cluster = f"youke-fault-{os.getpid()}"
        for node in self.nodes:
            node.configure(self.dist, self.java, cluster, seeds, names)

    @property
    def urls(self):
        return [node.url for node in self.nodes]

    def start(self):
        for node in self.nodes:
            node.start(self.dist, self.java)

    def request(self, path, method="GET", body=None, node=None):
        node = node or next(n for n in self.nodes if n.process and n.process.poll() is None)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(node.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=90) as response:
            answer = response.read()
        return json.loads(answer) if answer else None  # some cluster APIs answer 200 with no body

    def wait_green(self, seconds=240):
        """Until every node has joined and every shard (replicas too) is placed; fails with the nodes' logs."""
        for node in self.nodes:
            if node.process.poll() is not None:
                raise RuntimeError(f"{node.name} exited:\n{node.tail()}")
        path = f"/_cluster/health?wait_for_status=green&wait_for_nodes={len(self.nodes)}&timeout={seconds}s"
        from tests.faults.helpers import eventually

        if not eventually(lambda: self.request(path, node=self.nodes[0])["status"] == "green", seconds):
            raise RuntimeError("cluster not green:\n" + "\n".join(node.tail() for node in self.nodes))

    def thai_fallback(self):
        """As opensearch.sh does: a runtime without Thai locale data cannot build the prebuilt "thai" analyzer."""
        if _java_lacks(self.java, "thai"):
            template = {"index_patterns": ["*"], "order": -1000,
                        "settings": {"analysis": {"analyzer": {"thai": {"type": "standard"}}}}}  # fmt: skip
            self.request("/_template/youke-thai-fallback", "PUT", template)

    def manager(self):
        """The node elected cluster manager."""
        name = self.request("/_cat/cluster_manager?format=json")[0]["node"]
        return next(node for node in self.nodes if node.name == name)

    def shards(self, prefix):
        """[(index, primary?, node name)] of every started shard copy of the indexes named `prefix`*."""
        rows = self.request(f"/_cat/shards/{prefix}*?format=json&h=index,prirep,state,node")
        return [(row["index"], row["prirep"] == "p", row["node"]) for row in rows if row["state"] == "STARTED"]

    def stop(self, keep_logs_in=None):
        for node in self.nodes:
            node.stop()
        if keep_logs_in:
            for node in self.nodes:
                shutil.copytree(node.folder / "logs", keep_logs_in / node.name, dirs_exist_ok=True)
                shutil.copy(node.folder / "console.log", keep_logs_in / node.name)
