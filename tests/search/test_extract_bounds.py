"""Bounded text extraction: real files are read; bombs, hangs and broken files end with a reason.

The hostile files are built here, small on disk and huge inflated: a DOCX
whose document.xml is 512 MB of spaces (550 KB zipped), zips with too many,
nested or overlapping members, PDFs with too many pages or a 64 MB flate
stream. The parent never inflates them; the child's limits end what gets through.
"""

import io
import json
import logging
import resource
import struct
import sys
import tempfile
import time
import zipfile
import zlib

import pypdf
import pytest

from search import extract as bounded
from search.models import DocumentText
from search.tasks import extract_document_text
from tests.resources.helpers import document
from tests.search.test_document_text import docx, pdf, pptx

MB = 1024 * 1024
SPACES = b" " * (16 * MB)  # XML and PDF content may be padded with spaces, which deflate ~1000 times


def inflated_docx(size):
    """A real DOCX whose word/document.xml holds `size` bytes of spaces before its body, streamed."""
    source = zipfile.ZipFile(io.BytesIO(docx("教学目标：勾股定理")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "word/document.xml":
                target.writestr(info.filename, data)
                continue
            head, _, body = data.partition(b"<w:body>")
            with target.open(info.filename, "w", force_zip64=True) as member:
                member.write(head)
                for _ in range(size // len(SPACES)):
                    member.write(SPACES)
                member.write(b"<w:body>" + body)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb():
    return inflated_docx(512 * MB)


def with_members(base, members):
    out = io.BytesIO(base)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def overlapping(count):
    """One stored 4 KB member named `count` times by the central directory (all at offset 0)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", b"<a/>".ljust(4096))
    data = out.getvalue()
    end = data.rindex(zipfile.stringEndArchive)
    directory_at = int.from_bytes(data[end + 16 : end + 20], "little")
    directory = data[directory_at:end] * count
    record = struct.pack(
        zipfile.structEndArchive, zipfile.stringEndArchive, 0, 0, count, count, len(directory), directory_at, 0
    )
    return data[:directory_at] + directory + record


def blank_pdf(pages):
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def flate_pdf(size):
    """A one-page PDF saying "hello" whose content stream inflates to `size` bytes (then spaces)."""
    packer = zlib.compressobj(9)
    body = packer.compress(b"BT /F1 12 Tf 20 100 Td (hello) Tj ET\n")
    body += b"".join(packer.compress(SPACES) for _ in range(size // len(SPACES))) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%b\nendstream" % (len(body), body),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = io.BytesIO(b"%PDF-1.4\n"), []
    out.seek(0, io.SEEK_END)
    for number, content in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%b\nendobj\n" % (number, content))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def peak_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


# --- real files ------------------------------------------------------------------------

REAL = [
    ("docx", lambda: docx("教学重点：勾股定理", "教学难点：面积法证明"), "面积法证明"),
    ("pptx", lambda: pptx("勾股定理的应用"), "勾股定理的应用"),
    ("pdf", lambda: pdf("教学目标：理解勾股定理的证明过程"), "勾股定理的证明"),
]


@pytest.mark.parametrize(("kind", "content", "expected"), REAL, ids=[kind for kind, *_ in REAL])
def test_real_files_with_chinese_text_are_read(kind, content, expected):
    outcome = bounded.extract_text(content(), kind)
    assert outcome.reason == ""
    assert expected in outcome.text


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "content", "expected"), REAL, ids=[kind for kind, *_ in REAL])
def test_a_stored_document_is_read_by_the_indexing_task(kind, content, expected):
    """The Celery task a saved Wagtail document queues, on the file in storage."""
    stored = document(f"教案.{kind}", content())
    assert extract_document_text(stored.pk) == DocumentText.Status.OK
    assert expected in DocumentText.objects.get(document=stored).text


@pytest.mark.django_db
def test_a_stored_zip_bomb_is_remembered_as_failed_with_its_reason(bomb, caplog):
    stored = document("炸弹.docx", bomb)
    with caplog.at_level(logging.WARNING, logger="search.document_text"):
        assert extract_document_text(stored.pk) == DocumentText.Status.FAILED
    assert "refused: the zip expands to more than" in caplog.text
    assert DocumentText.objects.get(document=stored).text == ""


# --- zips ------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_by_its_directory_before_parsing(bomb):
    assert len(bomb) < 1 * MB
    before = peak_rss()
    outcome = bounded.extract_text(bomb, "docx")
    assert outcome.text == ""
    assert outcome.reason.startswith("refused: the zip expands to more than 209715200 bytes"), outcome.reason
    assert peak_rss() - before < 64 * MB, "the parent never inflates the file"


def test_a_member_that_inflates_too_many_times_is_refused():
    outcome = bounded.extract_text(inflated_docx(64 * MB), "docx")
    assert outcome.reason.startswith("refused: zip member 'word/document.xml' expands"), outcome.reason


def test_too_many_members_are_refused(settings):
    settings.SEARCH_EXTRACT_ZIP_MAX_MEMBERS = 50
    crowded = with_members(docx("教学目标"), {f"word/extra/part{n}.xml": b"<a/>" for n in range(60)})
    assert bounded.extract_text(crowded, "docx").reason == "refused: 77 zip members"


def test_a_nested_zip_is_refused():
    inner = with_members(b"", {"word/document.xml": b"<a/>"})
    nested = with_members(docx("教学目标"), {"word/media/image1.png": inner})
    reason = bounded.extract_text(nested, "docx").reason
    assert reason == "refused: zip member 'word/media/image1.png' is itself an archive"


def test_overlapping_members_are_refused():
    reason = bounded.extract_text(overlapping(100), "docx").reason
    assert reason == "refused: zip members overlap (more compressed bytes than the file holds)"


# --- PDFs ------------------------------------------------------------------------------


def test_a_pdf_at_the_page_limit_is_read_and_one_over_it_refused(settings):
    settings.SEARCH_EXTRACT_PDF_MAX_PAGES = 5
    assert bounded.extract_text(blank_pdf(5), "pdf").reason == ""
    assert bounded.extract_text(blank_pdf(6), "pdf").reason == "refused: 6 pages"
    # Far over: pypdf stops walking the page tree before it has counted them all.
    assert bounded.extract_text(blank_pdf(500), "pdf").reason.startswith("refused: ")


def test_a_flate_stream_past_the_limit_is_not_inflated():
    assert bounded.extract_text(flate_pdf(1 * MB), "pdf") == bounded.Outcome("hello", "")
    # 64 MB: under pypdf's own 75 MB default, over SEARCH_EXTRACT_PDF_MAX_STREAM_BYTES (20 MB).
    outcome = bounded.extract_text(flate_pdf(64 * MB), "pdf")
    assert outcome.text == ""
    assert outcome.reason.startswith("refused: Limit reached while decompressing"), outcome.reason


# --- the child process -----------------------------------------------------------------


def test_the_memory_limit_ends_a_parse_that_grows(bomb, settings):
    # The zip checks let the bomb through; lxml would refuse it at ~1 GB, the 400 MB limit first.
    settings.SEARCH_EXTRACT_ZIP_MAX_UNCOMPRESSED_BYTES = 10 * 1024 * MB
    settings.SEARCH_EXTRACT_ZIP_MAX_RATIO = 10**6
    settings.SEARCH_EXTRACT_MEMORY_BYTES = 400 * MB
    before = peak_rss()
    outcome = bounded.extract_text(bomb, "docx")
    assert outcome == bounded.Outcome("", f"killed: memory limit of {400 * MB} bytes")
    assert peak_rss() - before < 64 * MB


def limit(**overrides):
    return {**bounded.DEFAULTS, **{f"SEARCH_EXTRACT_{name}": value for name, value in overrides.items()}}


def python(code, *args):
    return [sys.executable, "-c", code, *args]


# A child that starts a grandchild, notes its pid, and hangs.
HANG = """
import subprocess, sys, time
open(sys.argv[1], "w").write(str(subprocess.Popen(["sleep", "600"]).pid))
time.sleep(600)
"""

# A child that answers with its own limits and environment.
REPORT = """
import json, os, resource
seen = [resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_CPU)[0], sorted(os.environ)]
print(json.dumps({"text": json.dumps(seen), "reason": ""}))
"""


def test_the_wall_clock_kills_a_hanging_child_and_its_children():
    with tempfile.NamedTemporaryFile("r") as note:
        outcome = bounded.run_child(python(HANG, note.name), b"", limit(TIMEOUT_SECONDS=1))
        grandchild = int(note.read())
    assert outcome == bounded.Outcome("", "killed: still running after 1 s (wall clock)")
    for _ in range(100):  # SIGKILL went to the whole group; wait until the kernel has ended `sleep`
        if not alive(grandchild):
            break
        time.sleep(0.1)
    assert not alive(grandchild)


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_cpu_limit_kills_a_busy_child():
    outcome = bounded.run_child(python("while True: pass"), b"", limit(CPU_SECONDS=1))
    assert outcome == bounded.Outcome("", "killed: CPU time limit of 1 s")


def test_the_child_runs_under_the_limits_without_the_sites_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://secret@db/youke")
    outcome = bounded.run_child(python(REPORT), b"", limit(MEMORY_BYTES=300 * MB, CPU_SECONDS=7))
    assert json.loads(outcome.text) == [300 * MB, 7, ["LANG", "LC_ALL", "PATH"]]


# --- broken or unexpected input ---------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind", "reason"),
    [
        (b"not a zip at all", "docx", "refused: not a zip archive"),
        (docx("教学目标")[:3000], "docx", "refused: not a zip archive"),  # cut short: no central directory
        (with_members(b"", {"notes.txt": "备课笔记".encode()}), "pptx", "unreadable: KeyError"),
        (b"%PDF-1.4 this is not really a PDF", "pdf", "unreadable: "),
        (docx("教学目标"), "pdf", "unreadable: "),
        (b"MZ\x90\x00", "exe", "refused: unsupported kind 'exe'"),
        (None, "docx", "extraction did not run: TypeError"),
    ],
)
def test_a_broken_or_unexpected_file_gives_a_reason_not_an_exception(data, kind, reason):
    outcome = bounded.extract_text(data, kind)
    assert outcome.text == ""
    assert outcome.reason.startswith(reason), outcome.reason


def test_a_file_over_the_size_limit_is_not_read(settings):
    settings.SEARCH_EXTRACT_MAX_BYTES = 1000
    assert bounded.extract_text(docx("教学目标"), "docx").reason == "refused: larger than 1000 bytes"
