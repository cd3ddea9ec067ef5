"""Child processes that neither outlive their parent nor hit a stranger when killed.

Used by the ffmpeg runner and by document text extraction: both start a
child in a process group of its own and may have to kill it.
"""

import ctypes
import os
import signal
import sys

# prctl(PR_SET_PDEATHSIG): the kernel sends the child SIGKILL when the worker
# that started it dies (SIGKILL, OOM killer), instead of leaving it to run on
# for an hour into a scratch folder nobody will use.
_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(parent):
    """In the child, between fork and exec: die when `parent` (a pid) does.

    Exits at once if the parent has already gone before prctl took effect.
    Does nothing off Linux.
    """
    if _libc is None:
        return
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def kill_group(process):
    """SIGKILL a `subprocess.Popen`'s process group, unless it has been reaped.

    After `poll()` has reaped the child its id may belong to someone else:
    leave it be. Until then the id (a zombie at worst) is still ours.
    """
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
