"""The media pipeline's public surface for other apps and tasks."""

from .probe import ProbeError, ProbeResult, probe
from .runner import FfmpegError
from .transcode import Rung, TranscodeResult, transcode

__all__ = ["FfmpegError", "ProbeError", "ProbeResult", "Rung", "TranscodeResult", "probe", "transcode"]
