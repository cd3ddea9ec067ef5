import json
import sys

from django.core.management.base import BaseCommand, CommandError

from core.media.probe import ProbeError
from core.media.runner import FfmpegError
from core.media.transcode import transcode


class Command(BaseCommand):
    help = (
        "把一个视频转码为 HLS 多码率、下载用 MP4、封面和缩略图，输出 JSON 摘要。"
        "Transcode one video into the HLS ladder, a download MP4, a poster and thumbnails; print a JSON summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", help="a local video file")
        parser.add_argument("outdir", help="output folder; replaced as a whole when the run succeeds")
        parser.add_argument("--timeout", type=float, default=None, help="seconds (default: 10 min + 3x the duration)")
        parser.add_argument("--quiet", action="store_true", help="no progress line on stderr")

    def handle(self, *args, input, outdir, timeout, quiet, **options):
        self._line_open = False
        progress = None if quiet else self._progress_line
        try:
            result = transcode(input, outdir, progress=progress, timeout=timeout)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        except ProbeError as exc:
            raise CommandError(f"无法转码：{exc}") from exc
        except FfmpegError as exc:
            # The summary, and ffmpeg's own last words (all 50 lines with -v 2).
            lines = exc.tail if options["verbosity"] >= 2 else exc.tail[-3:]
            raise CommandError("\n".join([exc.summary, *lines])) from exc
        finally:
            if self._line_open:
                sys.stderr.write("\n")
        summary = result.as_dict()
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))

    def _progress_line(self, percent):
        # One line rewritten in place; stderr so that stdout stays pure JSON.
        sys.stderr.write(f"\r转码中… {percent:5.1f}%")
        sys.stderr.flush()
        self._line_open = True
