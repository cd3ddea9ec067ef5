"""Hardening (security issue, item 10): no debug pages on the embedded default,
HTTPS headers and a Content-Security-Policy in production, TLS in compose,
and no 500 from a quote typed into the admin's document search.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ['"', 'a"b', '"教学', "'", '""'])
def test_quote_in_admin_document_search_is_not_a_500(client, query):
    """Wagtail's document listing searches the database backend (SQLite FTS5): quotes are text."""
    admin = get_user_model().objects.create_superuser("hardening-admin", "a@example.cn", "pw")
    get_document_model().objects.create(title='教学设计 "示例"', file=ContentFile(b"x", name="hardening.txt"))
    client.force_login(admin)
    client.raise_request_exception = True
    response = client.get("/admin/documents/", {"q": query})
    assert response.status_code == 200


def setting(module, expressions, tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    clean.update({"DJANGO_SETTINGS_MODULE": module, "YOUKE_VAR_DIR": str(tmp_path), **env})
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps([{', '.join(expressions)}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_has_no_debug_pages_unless_asked(tmp_path):
    assert setting("youke.settings.dev", ["s.DEBUG"], tmp_path) == [False]
    assert setting("youke.settings.dev", ["s.DEBUG"], tmp_path, DEBUG="1") == [True]


def test_run_script_binds_debug_to_loopback():
    script = (ROOT / "scripts/run.sh").read_text()
    # Parsed by bash itself: the DEBUG branch forces HOST before runserver reads it.
    probe = script.split('"$PY" manage.py migrate')[0] + 'echo "$HOST $DEBUG"\n'
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    run = lambda **extra: subprocess.run(  # noqa: E731
        ["bash", "-c", probe], env={**env, **extra}, capture_output=True, text=True, cwd=ROOT, timeout=30
    ).stdout.strip()
    assert run(DEBUG="1", HOST="0.0.0.0") == "127.0.0.1 1"  # noqa: S104 - the address being refused
    assert run(HOST="0.0.0.0") == "0.0.0.0 0"  # noqa: S104


def test_production_https_settings(tmp_path):
    values = setting(
        "youke.settings.production",
        [
            "s.DEBUG", "s.SECURE_HSTS_SECONDS", "s.SECURE_SSL_REDIRECT", "list(s.SECURE_PROXY_SSL_HEADER)",
            "s.SESSION_COOKIE_SECURE", "s.CSRF_COOKIE_SECURE", "s.SECURE_CONTENT_TYPE_NOSNIFF",
            "s.SECURE_REFERRER_POLICY", "s.X_FRAME_OPTIONS", "s.MIDDLEWARE[1]",
            "s.CONTENT_SECURITY_POLICY['connect-src']", "s.CONTENT_SECURITY_POLICY['media-src']",
        ],
        tmp_path,
        SECRET_KEY="hardening-test", SECURE_HSTS_SECONDS="600", S3_PUBLIC_ENDPOINT_URL="https://s3.example.cn:9000/x",
    )  # fmt: skip
    assert values == [
        False, 600, True, ["HTTP_X_FORWARDED_PROTO", "https"], True, True, True,
        "strict-origin-when-cross-origin", "SAMEORIGIN", "youke.security.ContentSecurityPolicyMiddleware",
        ["'self'", "https://s3.example.cn:9000"], ["'self'", "blob:", "https://s3.example.cn:9000"],
    ]  # fmt: skip


@pytest.mark.django_db
def test_csp_middleware_sets_the_header(client, settings):
    settings.MIDDLEWARE = ["youke.security.ContentSecurityPolicyMiddleware", *settings.MIDDLEWARE]
    settings.CONTENT_SECURITY_POLICY = {"default-src": ["'self'"], "media-src": ["'self'", "blob:"]}
    response = client.get("/healthz")
    assert response["Content-Security-Policy"] == "default-src 'self'; media-src 'self' blob:"


def test_nginx_serves_tls_and_redirects_plain_http():
    conf = (ROOT / "docker/nginx/default.conf").read_text()
    assert "listen 443 ssl;" in conf
    assert "return 301 https://$host$request_uri;" in conf
    assert "ssl_certificate /etc/nginx/certs/tls.crt;" in conf


def test_compose_mounts_the_certificate_files():
    if not shutil.which("docker-compose"):
        pytest.fail("docker-compose is not installed; scripts/services.sh up compose installs it", pytrace=False)
    secrets = dict.fromkeys(
        ["SECRET_KEY", "POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "KEYCLOAK_CLIENT_SECRET",
         "KEYCLOAK_SYNC_CLIENT_SECRET", "KEYCLOAK_ADMIN_PASSWORD"], "compose-test",
    )  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", **secrets, "TLS_CERT_FILE": "/etc/youke/site.crt"}
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True, text=True, cwd=ROOT, timeout=60, env={**env, "TLS_KEY_FILE": "/etc/youke/site.key"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    nginx = yaml.safe_load(result.stdout)["services"]["nginx"]
    assert 443 in [
        int(port["target"]) if isinstance(port, dict) else int(port.split(":")[-1]) for port in nginx["ports"]
    ]
    mounts = {(v["source"], v["target"]) if isinstance(v, dict) else tuple(v.split(":")[:2]) for v in nginx["volumes"]}
    assert ("/etc/youke/site.crt", "/etc/nginx/certs/tls.crt") in mounts
    assert ("/etc/youke/site.key", "/etc/nginx/certs/tls.key") in mounts
