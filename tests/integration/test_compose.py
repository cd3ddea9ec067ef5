"""docker-compose.yml is valid: Debian's docker-compose parses it without an engine."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


SECRETS = {
    "SECRET_KEY": "compose-test",
    "POSTGRES_PASSWORD": "compose-test",
    "MINIO_ROOT_PASSWORD": "compose-test",
    "KEYCLOAK_CLIENT_SECRET": "compose-test",
    "KEYCLOAK_SYNC_CLIENT_SECRET": "compose-test",
    "KEYCLOAK_ADMIN_PASSWORD": "compose-test",
}


def run_config(env):
    if not shutil.which("docker-compose"):
        pytest.fail("docker-compose is not installed; scripts/services.sh up compose installs it", pytrace=False)
    return subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env},
    )  # fmt: skip


def compose_config():
    result = run_config(SECRETS)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_missing_secret_stops_the_deployment():
    """No default password ever reaches production: an unset secret is an error."""
    result = run_config({key: value for key, value in SECRETS.items() if key != "POSTGRES_PASSWORD"})
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD" in result.stderr


def test_compose_file_parses_and_has_every_service():
    services = compose_config()["services"]
    assert {"web", "worker", "transcoder", "postgres", "redis", "search", "keycloak", "minio", "nginx"} <= set(services)


def test_transcoding_has_its_own_queue():
    services = compose_config()["services"]
    assert "transcode" in " ".join(services["transcoder"]["command"])
    assert "transcode" not in " ".join(services["worker"]["command"])


def test_keycloak_imports_the_realm_kept_in_the_repo():
    keycloak = compose_config()["services"]["keycloak"]
    assert "--import-realm" in keycloak["command"]
    sources = [str(volume.get("source", volume)) for volume in keycloak["volumes"]]
    assert [source for source in sources if "scripts/keycloak" in source] == [
        str(ROOT / "scripts/keycloak/youke-realm.production.json")
    ], "production imports the production realm only, never the test realm with its demo users"
    assert keycloak["environment"]["YOUKE_WEB_CLIENT_SECRET"] == SECRETS["KEYCLOAK_CLIENT_SECRET"]


def test_web_health_check_runs_and_tolerates_a_dependency_being_down():
    """The check is Python code in YAML: run it against a tiny server answering 503, then nothing."""
    import http.server
    import threading

    test = compose_config()["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    seen = {}

    class Down(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # http.server's naming
            seen["host"] = self.headers["Host"]
            self.send_response(503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Down)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    code = test[3].replace("127.0.0.1:8000", f"127.0.0.1:{server.server_port}")
    try:
        assert subprocess.run([sys.executable, "-c", code], timeout=30).returncode == 0
        assert seen["host"] == "web" and "web" in compose_config()["services"]["web"]["environment"]["ALLOWED_HOSTS"]
    finally:
        server.shutdown()
        server.server_close()
    assert subprocess.run([sys.executable, "-c", code], timeout=30).returncode != 0, "nothing listening is not healthy"
