"""Private files are never served from /media/ (security issue, item 4).

On the embedded default only the public image folders are served from
/media/, after the path is normalised; documents, videos and training files
go through the views that check access. Signed video URLs name a file that
must stay inside its video's folder, and the embedded default's secret key
is its own, not a public constant.
"""

import http.client
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from media_pipeline import urls_signing
from youke.security import clean_media_path, local_secret_key

ROOT = Path(__file__).resolve().parents[2]
SECRET = b"private lesson plan of a draft"


@pytest.fixture
def local_media(settings, tmp_path):
    """The embedded default's storage (files under MEDIA_ROOT), also when the suite runs on S3."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.YOUKE_SUITE_STORAGES = settings.STORAGES
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path / "media"


@pytest.fixture
def stored(local_media):
    """A private document, a private video original and a public image, on the real local storage."""
    tag = uuid.uuid4().hex
    video = str(uuid.uuid4())
    names = {
        "document": default_storage.save(f"documents/private-{tag}.txt", ContentFile(SECRET)),
        "video": default_storage.save(f"videos/{video}/original", ContentFile(SECRET)),
        "training": default_storage.save(f"training/assignments/{tag}.txt", ContentFile(SECRET)),
        "image": default_storage.save(f"original_images/public-{tag}.txt", ContentFile(b"public image")),
    }
    yield names, video
    for name in names.values():
        default_storage.delete(name)


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def site_urls(request, settings, local_media):
    """The site's URLs as the embedded default builds them, with DEBUG off and on (DEBUG=1 make run)."""
    import importlib

    from django.urls import clear_url_caches

    import youke.urls

    settings.DEBUG = request.param
    importlib.reload(youke.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    settings.STORAGES = settings.YOUKE_SUITE_STORAGES  # the suite's own URLs again (no /media/ on S3)
    importlib.reload(youke.urls)
    clear_url_caches()


def private_paths(names):
    doc, vid, training = names["document"], names["video"], names["training"]
    return [
        f"/media/{doc}",
        f"/media//{doc}",
        f"/media/./{vid}",
        f"/media/{vid}",
        f"/media/{training}",
        f"/media/original_images/../{doc}",
        f"/media/images/../{vid}",
        f"/media/%2e/{doc}",
        f"/media/%2F{doc}",
        f"/media/original_images/..%2f{doc}",
        "/media/" + doc.replace("/", "\\"),
    ]


@pytest.mark.django_db
def test_private_files_are_not_served_from_media(client, stored, site_urls):
    names, _ = stored
    for path in private_paths(names):
        response = client.get(path)
        assert response.status_code == 404, path
        assert SECRET not in b"".join(response) if response.streaming else SECRET not in response.content


@pytest.mark.django_db
def test_public_images_are_still_served(client, stored, site_urls):
    names, _ = stored
    response = client.get(f"/media/{names['image']}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"public image"


@pytest.fixture
def site_server(transactional_db):
    """The site's own WSGI application on a real socket.

    pytest-django's live_server would not do: it wraps the site in Django's
    test media handler, which serves every file under MEDIA_ROOT itself.
    """
    from django.db import connections
    from django.test.testcases import LiveServerThread

    shared = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()}
    for conn in shared.values():
        conn.inc_thread_sharing()
    # LiveServerThread wraps the site in its media handler, then in this: unwrap it again.
    thread = LiveServerThread("127.0.0.1", lambda media_handler: media_handler.application, shared or None)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield thread.port
    thread.terminate()
    for conn in shared.values():
        conn.dec_thread_sharing()


def raw_get(port, path):
    """A request whose path goes on the wire exactly as written (no client-side normalising)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_raw_http_paths_do_not_reach_private_files(site_urls, site_server, stored):
    names, _ = stored
    for path in private_paths(names):
        status, body = raw_get(site_server, path)
        assert status == 404, path
        assert SECRET not in body, path
    status, body = raw_get(site_server, f"/media/{names['image']}")
    assert (status, body) == (200, b"public image")


@pytest.mark.parametrize(
    "path",
    ["", "/images/a.png", "images//a.png", "images/./a.png", "images/../documents/a", "images\\a.png",
     "images/a%2e.png", "images/a\x00.png", "documents/a.pdf", "videos/x/original", "imagesx/a.png"],
)  # fmt: skip
def test_clean_media_path_refuses(path):
    assert clean_media_path(path) is None


def test_clean_media_path_keeps_public_names():
    assert clean_media_path("images/a.fill-100x100.png") == "images/a.fill-100x100.png"
    assert clean_media_path("original_images/b.jpg") == "original_images/b.jpg"


def forged(video, name):
    """A token as a forger who knows the secret key would make it."""
    payload = {"v": video, "n": name, "d": "", "e": 2_000_000_000}
    return signing.dumps(payload, salt=urls_signing.SALT, compress=True)


def signed(video, name):
    return reverse("media_pipeline:signed_file", args=[forged(video, name)])


@pytest.mark.django_db
def test_signed_names_must_stay_in_their_video_folder(client, stored):
    names, video = stored
    outside = [
        f"videos/{video}/../../{names['document']}",
        f"videos/{video}/..//{names['document']}",
        f"videos/{video}//../../{names['document']}",
        f"videos/{video}/./original",
        f"videos/{video}/\\..\\..\\{names['document']}",
        f"videos/{video}/original\x00",
    ]
    for name in outside:
        response = client.get(signed(video, name))
        assert response.status_code == 404, name
    # An absolute name, and a video id that climbs out on its own.
    assert client.get(signed(video, "/etc/passwd")).status_code == 404
    doc = names["document"]
    assert client.get(signed("..", f"videos/../{doc}")).status_code == 404
    # The real file of the video is still served.
    response = client.get(signed(video, names["video"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SECRET


def test_is_safe_name_checks_the_resolved_path(tmp_path):
    video = str(uuid.uuid4())
    folder = Path(default_storage.location) / "videos" / video
    folder.mkdir(parents=True)
    try:
        # A symlink inside the folder that leads out of it is refused too.
        (folder / "escape").symlink_to(tmp_path)
        assert not urls_signing.is_safe_name(video, f"videos/{video}/escape/x")
        assert urls_signing.is_safe_name(video, f"videos/{video}/hls/720p/seg-1.m4s")
    finally:
        (folder / "escape").unlink()
        folder.rmdir()


def test_local_secret_key_is_random_private_and_kept(tmp_path):
    key = local_secret_key(tmp_path)
    assert len(key) >= 50
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_secret_key(tmp_path) == key
    assert local_secret_key(tmp_path / "other") != key


def dev_setting(tmp_path, expression, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "youke.settings.dev", "YOUKE_VAR_DIR": str(tmp_path), **env})
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_embedded_default_makes_its_own_secret_key(tmp_path):
    key = dev_setting(tmp_path, "settings.SECRET_KEY")
    assert key == (tmp_path / "secret_key").read_text().strip()
    assert "insecure" not in key
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert dev_setting(tmp_path, "settings.SECRET_KEY") == key
    assert dev_setting(tmp_path, "settings.SECRET_KEY", SECRET_KEY="from-the-environment") == "from-the-environment"
