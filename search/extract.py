"""Text of an attached file, read in a child process that one hostile file cannot take down.

An 88 KB DOCX can hold a gigabyte of zeros, and a PDF's flate streams can
expand as far; the parsers (python-docx, python-pptx, pypdf) would build all
of it in memory. So extraction is bounded three ways:

1. Before parsing, the file is refused on its own description: an OOXML file
   (DOCX, PPTX - a zip) by its central directory (member count, total
   uncompressed size, compression ratio, overlapping members, nested zips,
   unusual compression); a PDF by its page count, with pypdf's own stream
   limits lowered to ours.
2. The parsing runs in `python -m search.extract` - a real child process
   (a Celery prefork worker is a daemon and may not use multiprocessing) -
   under RLIMIT_AS (memory), RLIMIT_CPU (time), RLIMIT_FSIZE and no core
   dumps, in a session of its own that dies with its parent.
3. A wall-clock deadline kills the child's process group.

`extract_text()` is the parent's side: it never raises, and returns the text
or an empty text with the reason (refused, killed, unreadable) for the log.
The limits are Django settings read at call time, defaults in `DEFAULTS`.
The child's side (`main`) imports no Django: it gets its limits on the
command line and the file on stdin, and prints one JSON object.
"""

import io
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from core.processes import die_with_parent, kill_group

KINDS = ("pdf", "docx", "pptx")

MB = 1024 * 1024
DEFAULTS = {
    # The stored file: read at most this much (a 200-page scan is larger and has no text anyway).
    "SEARCH_EXTRACT_MAX_BYTES": 30 * MB,
    # Pages or slides read, and characters of text kept.
    "SEARCH_EXTRACT_MAX_PARTS": 80,
    "SEARCH_EXTRACT_MAX_CHARS": 20_000,
    # The child process: address space, CPU seconds, wall-clock seconds before it is killed.
    "SEARCH_EXTRACT_MEMORY_BYTES": 1024 * MB,
    "SEARCH_EXTRACT_CPU_SECONDS": 20,
    "SEARCH_EXTRACT_TIMEOUT_SECONDS": 30,
    # OOXML (zip): refused before parsing when its central directory says more than this.
    "SEARCH_EXTRACT_ZIP_MAX_MEMBERS": 5_000,  # an 80-slide deck with pictures has ~600
    "SEARCH_EXTRACT_ZIP_MAX_UNCOMPRESSED_BYTES": 200 * MB,
    "SEARCH_EXTRACT_ZIP_MAX_RATIO": 200,  # XML deflates 5-30 times; zeros 1000 times
    "SEARCH_EXTRACT_ZIP_RATIO_FLOOR_BYTES": 2 * MB,  # smaller members may have any ratio
    # PDF: refused with more pages; any one stream decodes to at most this many bytes.
    "SEARCH_EXTRACT_PDF_MAX_PAGES": 5_000,
    "SEARCH_EXTRACT_PDF_MAX_STREAM_BYTES": 20 * MB,
}

# Output the child may write (JSON of MAX_CHARS escaped characters, or a traceback).
_OUTPUT_FILE_BYTES = 8 * MB
_REASON_CHARS = 300
_ROOT = Path(__file__).resolve().parent.parent  # where `python -m search.extract` finds this module


def limits():
    """The limits in force, from Django settings (read now, so a test override applies)."""
    from django.conf import settings

    return {name: getattr(settings, name, default) for name, default in DEFAULTS.items()}


@dataclass
class Outcome:
    text: str
    reason: str = ""  # empty when the file was read; else why it was not (refused, killed, unreadable)


# --- the parent's side -------------------------------------------------------------------


def extract_text(data, extension, limit=None):
    """Text of a file's bytes from a bounded child process. Never raises."""
    try:
        limit = limit or limits()
        if len(data) > limit["SEARCH_EXTRACT_MAX_BYTES"]:
            return Outcome("", f"refused: larger than {limit['SEARCH_EXTRACT_MAX_BYTES']} bytes")
        if extension not in KINDS:
            return Outcome("", f"refused: unsupported kind {extension!r}")
        command = [sys.executable, "-E", "-s", "-m", "search.extract", extension, json.dumps(limit)]
        return run_child(command, data, limit)
    except Exception as exc:  # noqa: BLE001 - the caller indexes the document without text
        return Outcome("", f"extraction did not run: {type(exc).__name__}: {exc}"[:_REASON_CHARS])


def run_child(command, data, limit):
    """Run `command` with `data` on stdin under the limits; its JSON answer as an Outcome.

    Files, not pipes, carry stdin/stdout/stderr: nothing to deadlock on, and
    RLIMIT_FSIZE bounds what the child can write.
    """
    timeout = limit["SEARCH_EXTRACT_TIMEOUT_SECONDS"]
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        stdin.write(data)
        stdin.seek(0)
        process = subprocess.Popen(
            command,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            cwd=_ROOT,
            env={"PATH": os.defpath, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},  # none of the site's secrets
            close_fds=True,
            start_new_session=True,  # killpg reaches all of it
            preexec_fn=_in_child(limit),  # only setrlimit and prctl between fork and exec
        )
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
            process.wait()
            return Outcome("", f"killed: still running after {timeout} s (wall clock)")
        finally:
            kill_group(process)  # also when this thread is interrupted (a Celery soft time limit)
        stdout.seek(0)
        answer = stdout.read(_OUTPUT_FILE_BYTES + 1)
        stderr.seek(0, io.SEEK_END)
        stderr.seek(max(0, stderr.tell() - 4096))
        complaint = stderr.read().decode("utf-8", "replace")
    return _outcome(returncode, answer, complaint, limit)


def _outcome(returncode, answer, complaint, limit):
    if returncode < 0:
        number = -returncode
        if number in (signal.SIGXCPU, signal.SIGKILL):  # we send SIGKILL only on the wall clock, above
            return Outcome("", f"killed: CPU time limit of {limit['SEARCH_EXTRACT_CPU_SECONDS']} s")
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        return Outcome("", f"killed: the child died of {name}")
    if returncode != 0:
        if "MemoryError" in complaint:
            return Outcome("", f"killed: memory limit of {limit['SEARCH_EXTRACT_MEMORY_BYTES']} bytes")
        last = complaint.strip().splitlines()[-1:] or [""]
        return Outcome("", f"failed: the child exited with {returncode}: {last[0]}"[:_REASON_CHARS])
    try:
        reply = json.loads(answer)
        text, reason = str(reply["text"]), str(reply["reason"])
    except (ValueError, KeyError, TypeError):
        return Outcome("", "failed: the child's answer was not readable")
    return Outcome(text[: limit["SEARCH_EXTRACT_MAX_CHARS"]], reason[:_REASON_CHARS])


def _in_child(limit):
    """What runs between fork and exec: the resource limits, and death with the parent."""
    memory = int(limit["SEARCH_EXTRACT_MEMORY_BYTES"])
    cpu = int(limit["SEARCH_EXTRACT_CPU_SECONDS"])
    parent = os.getpid()

    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))  # SIGXCPU, then SIGKILL
        resource.setrlimit(resource.RLIMIT_FSIZE, (_OUTPUT_FILE_BYTES, _OUTPUT_FILE_BYTES))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        die_with_parent(parent)

    return apply


# --- the child's side --------------------------------------------------------------------


class Refused(Exception):
    """The file describes itself as too large to parse; the message says how."""


def _central_directory(data, limit):
    """(start, size, concat) of the central directory, refused when zipfile would read outside the file."""
    handle = io.BytesIO(data)
    end = zipfile._EndRecData(handle)  # the same end record zipfile will use
    if end is None:
        raise Refused("refused: not a zip archive")
    size, offset = end[zipfile._ECD_SIZE], end[zipfile._ECD_OFFSET]
    if end[zipfile._ECD_DISK_NUMBER] or end[zipfile._ECD_ENTRIES_TOTAL] != end[zipfile._ECD_ENTRIES_THIS_DISK]:
        raise Refused("refused: a multi-disk zip")
    location = end[zipfile._ECD_LOCATION]
    concat = location - size - offset
    if end[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:
        concat -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator
    start = offset + concat
    if start < 0 or start + size > len(data):
        raise Refused("refused: the zip's central directory is out of bounds")
    if end[zipfile._ECD_ENTRIES_TOTAL] > limit["SEARCH_EXTRACT_ZIP_MAX_MEMBERS"]:
        raise Refused(f"refused: {end[zipfile._ECD_ENTRIES_TOTAL]} zip members")
    return start, size, concat


def check_zip(data, limit):
    """Refuse an OOXML file whose central directory promises too much; reads no member in full.

    The central directory is walked as zipfile will walk it (by its size, not
    the count the end record claims); zipfile stops every member at the size
    declared here, so the sum bounds what the parsers can be given.
    """
    start, size, concat = _central_directory(data, limit)
    members, total, stored = 0, 0, 0
    position = start
    while position - start < size:
        header = data[position : position + zipfile.sizeCentralDir]
        if len(header) < zipfile.sizeCentralDir or header[:4] != zipfile.stringCentralDir:
            raise Refused("refused: a broken zip central directory")
        fields = struct.unpack(zipfile.structCentralDir, header)
        flags, method = fields[zipfile._CD_FLAG_BITS], fields[zipfile._CD_COMPRESS_TYPE]
        packed, unpacked = fields[zipfile._CD_COMPRESSED_SIZE], fields[zipfile._CD_UNCOMPRESSED_SIZE]
        header_offset = fields[zipfile._CD_LOCAL_HEADER_OFFSET]
        name_end = position + zipfile.sizeCentralDir + fields[zipfile._CD_FILENAME_LENGTH]
        name = data[position + zipfile.sizeCentralDir : name_end].decode("utf-8", "replace")
        extra = data[name_end : name_end + fields[zipfile._CD_EXTRA_FIELD_LENGTH]]
        position = name_end + len(extra) + fields[zipfile._CD_COMMENT_LENGTH]
        packed, unpacked, header_offset = _zip64_sizes(extra, packed, unpacked, header_offset)

        members += 1
        if members > limit["SEARCH_EXTRACT_ZIP_MAX_MEMBERS"]:
            raise Refused(f"refused: more than {limit['SEARCH_EXTRACT_ZIP_MAX_MEMBERS']} zip members")
        if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(f"refused: zip member {name!r} uses compression method {method}")
        if flags & 0x1:
            raise Refused(f"refused: zip member {name!r} is encrypted")
        total += unpacked
        stored += packed
        if total > limit["SEARCH_EXTRACT_ZIP_MAX_UNCOMPRESSED_BYTES"]:
            raise Refused(
                f"refused: the zip expands to more than {limit['SEARCH_EXTRACT_ZIP_MAX_UNCOMPRESSED_BYTES']} bytes"
            )
        if (
            unpacked > limit["SEARCH_EXTRACT_ZIP_RATIO_FLOOR_BYTES"]
            and unpacked > packed * limit["SEARCH_EXTRACT_ZIP_MAX_RATIO"]
        ):
            raise Refused(f"refused: zip member {name!r} expands {unpacked // max(packed, 1)} times")
        if stored > len(data):
            raise Refused("refused: zip members overlap (more compressed bytes than the file holds)")
        if _is_archive(data, concat + header_offset, method, packed) and not _embedded_package(name):
            raise Refused(f"refused: zip member {name!r} is itself an archive")
    return members, total


def _zip64_sizes(extra, packed, unpacked, header_offset):
    """The sizes a zip64 extra field gives for the 0xFFFFFFFF ones, in zipfile's order."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack("<HH", extra[at : at + 4])
        if kind == 0x0001:
            values = iter(struct.unpack(f"<{length // 8}Q", extra[at + 4 : at + 4 + length - length % 8]))
            if unpacked == 0xFFFFFFFF:
                unpacked = next(values, unpacked)
            if packed == 0xFFFFFFFF:
                packed = next(values, packed)
            if header_offset == 0xFFFFFFFF:
                header_offset = next(values, header_offset)
            break
        at += 4 + length
    return packed, unpacked, header_offset


_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")


def _is_archive(data, header_at, method, packed):
    """Whether the member's first bytes are an archive's (a nested zip, gzip, 7z, rar, bzip2)."""
    local = data[header_at : header_at + zipfile.sizeFileHeader]
    if len(local) < zipfile.sizeFileHeader or local[:4] != zipfile.stringFileHeader:
        return False  # zipfile itself will refuse it when it is read
    fields = struct.unpack(zipfile.structFileHeader, local)
    begin = header_at + zipfile.sizeFileHeader + fields[zipfile._FH_FILENAME_LENGTH]
    begin += fields[zipfile._FH_EXTRA_FIELD_LENGTH]
    chunk = data[begin : begin + min(packed, 1024)]
    if method == zipfile.ZIP_DEFLATED:
        try:
            chunk = zlib.decompressobj(-15).decompress(chunk, 8)
        except zlib.error:
            return False
    return chunk.startswith(_ARCHIVE_MAGIC)


def _embedded_package(name):
    # A chart or an embedded worksheet: an Office package in the embeddings folder, which no
    # extractor opens; its bytes are counted in the total like any member's.
    folder, _, file = name.lower().rpartition("/")
    return folder.endswith("embeddings") and file.endswith((".xlsx", ".docx", ".pptx", ".xlsm", ".bin"))


def _pdf(data, limit):
    import pypdf

    cap = int(limit["SEARCH_EXTRACT_PDF_MAX_STREAM_BYTES"])
    with pypdf.apply_configuration(
        maximum_declared_stream_length=cap,
        array_based_stream_maximum_output_length=cap,
        jbig2_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        zlib_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        image_maximum_buffer_size=cap,
        stream_decoding_work_maximum_length=cap * 4,
        # Kids walked while counting the pages: the pages and their /Pages nodes (fewer than the
        # pages when each node has two kids or more). Not page_tree_maximum_page_entries: that
        # counts the keys of every page dictionary, so pages + 1 refused a 5-page file.
        page_tree_maximum_entries=2 * int(limit["SEARCH_EXTRACT_PDF_MAX_PAGES"]) + 1,
    ):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            pages = len(reader.pages)
            if pages > limit["SEARCH_EXTRACT_PDF_MAX_PAGES"]:
                raise Refused(f"refused: {pages} pages")
            for number, page in enumerate(reader.pages):
                if number >= limit["SEARCH_EXTRACT_MAX_PARTS"]:
                    break
                yield page.extract_text() or ""
        except pypdf.errors.LimitReachedError as exc:  # one of our limits above: refused, not broken
            raise Refused(f"refused: {exc}") from None


def _docx(data, limit):
    import docx

    check_zip(data, limit)
    document = docx.Document(io.BytesIO(data))
    yield from (paragraph.text for paragraph in document.paragraphs)
    for table in document.tables[: limit["SEARCH_EXTRACT_MAX_PARTS"]]:
        for row in table.rows:
            yield " ".join(cell.text for cell in row.cells)


def _pptx(data, limit):
    from pptx import Presentation

    check_zip(data, limit)
    presentation = Presentation(io.BytesIO(data))
    for number, slide in enumerate(presentation.slides):
        if number >= limit["SEARCH_EXTRACT_MAX_PARTS"]:
            break
        for shape in slide.shapes:
            if shape.has_text_frame:
                yield shape.text_frame.text


EXTRACTORS = {"pdf": _pdf, "docx": _docx, "pptx": _pptx}


def read_text(data, extension, limit):
    """Text of a file's bytes, bounded; raises Refused, or whatever the parser raises on a broken file."""
    pieces, size = [], 0
    for piece in EXTRACTORS[extension](data, limit):
        piece = " ".join(piece.split())
        if piece:
            pieces.append(piece)
            size += len(piece) + 1
        if size >= limit["SEARCH_EXTRACT_MAX_CHARS"]:
            break
    return "\n".join(pieces)[: limit["SEARCH_EXTRACT_MAX_CHARS"]]


def main(argv):
    """`python -m search.extract KIND LIMITS-JSON < file`: print {"text", "reason"}."""
    import logging
    import warnings

    logging.disable(logging.CRITICAL)  # pypdf warns per broken object; the answer says enough
    warnings.simplefilter("ignore")
    extension, limit = argv[0], json.loads(argv[1])
    data = sys.stdin.buffer.read(int(limit["SEARCH_EXTRACT_MAX_BYTES"]) + 1)
    text, reason = "", ""
    try:
        text = read_text(data, extension, limit)
    except Refused as exc:
        reason = str(exc)
    except MemoryError:
        reason = None  # set below, once the frames holding the memory are gone
    except Exception as exc:  # noqa: BLE001 - a broken file: say so, the parent logs it
        reason = f"unreadable: {type(exc).__name__}: {exc}"
    if reason is None:
        reason = f"killed: memory limit of {limit['SEARCH_EXTRACT_MEMORY_BYTES']} bytes"
    del data
    sys.stdout.write(json.dumps({"text": text, "reason": reason[:_REASON_CHARS]}))
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
