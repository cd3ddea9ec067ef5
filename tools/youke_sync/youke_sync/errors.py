"""The one error a sync reports to the person running it: Chinese first, then English."""

import sys


def say(text, stream=None):
    """A line for the person at the box (a CLI tool's output, not a debug print)."""
    stream = stream or sys.stdout
    stream.write(text + "\n")
    stream.flush()


class SyncError(Exception):
    def __init__(self, chinese, english):
        super().__init__(f"{chinese}\n{english}")
        self.chinese, self.english = chinese, english


OLD_VERSION_KEPT = ("原有版本保持不变，仍在使用。", "The previous version is unchanged and still served.")
