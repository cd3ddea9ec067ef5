"""docker-compose.yml is valid: Debian's docker-compose parses it without an engine."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


SECRETS = {
    "SECRET_KEY": "compose-test",
    "POSTGRES_PASSWORD": "compose-test",
    "MINIO_ROOT_PASSWORD": "compose-test",
    "KEYCLOAK_CLIENT_SECRET": "compose-test",
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
    assert any("scripts/keycloak" in str(volume.get("source", volume)) for volume in keycloak["volumes"])
