"""Small but real files for the demo library: PDFs any reader opens, a short MP4.

Generated, not shipped, so the repository carries no binaries; the video is
made by the same ffmpeg the media pipeline uses.
"""

import subprocess
import tempfile
from pathlib import Path


def pdf(lines):
    """A one-page PDF showing `lines` (ASCII; Chinese would need an embedded font)."""
    text = " ".join(f"({line.replace('(', '[').replace(')', ']')}) Tj 0 -20 Td" for line in lines)
    stream = f"BT /F1 14 Tf 72 760 Td {text} ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def mp4(seconds=4, size="320x180"):
    """A short H.264/AAC clip with a test picture and a tone."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "clip.mp4"
        subprocess.run(
            [
                "ffmpeg", "-v", "error", "-y",
                "-f", "lavfi", "-i", f"testsrc=size={size}:rate=25:duration={seconds}",
                "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "48k", "-shortest", "-movflags", "+faststart", str(target),
            ],
            check=True,
            timeout=120,
        )  # fmt: skip
        return target.read_bytes()
